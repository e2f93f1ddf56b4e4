# Helpers for the real-node e2e tests (fixture realnode: a testenv cluster started with
# `testenv/up --real-node`). Source it first thing; it sources ../lib.sh.
#   RN_NODE, RN_IMG_*                 the node's name and the images testenv/images built
#   rn_placement [INDENT]             nodeSelector + toleration YAML that puts a pod on the real node
#   rn_wait_ready NS SELECTOR [T]     wait until every pod matching SELECTOR is Ready
#   rn_exec NS POD CMD...             kubectl exec
#   rn_toolbox_pod NAME NS LABELS     a toolbox pod on the real node that Pod Security restricted
#                                     admits (LABELS: YAML flow pairs, e.g. "app: client")
#   rn_shopapp_header NAME            a ShopApp's first lines, to spec.defaults, for the real node
#                                     in namespace $NS (follow with "  services:" etc.)
#   rn_nginx_service NAME             a services[] entry: nginx on port 80 (8080 in the pod), ready on
#                                     GET / (follow with more of its fields, indented 4)
# For the data stores (a ShopApp's StatefulSet NAME in NS):
#   rn_store_isolated NS APP NAME PORT    a pod of another service of APP, and a pod of another
#                                     namespace, cannot connect to Service NAME's PORT
#   rn_store_secrets_hidden NS APP NAME OPLOG
#                                     no value of Secret NAME-credentials (but username) is on a process command
#                                     line in member 0 (running processes, and each exec probe run
#                                     under sh -x), in a log of APP's pods, or in OPLOG
#   rn_store_memory NS NAME N         "pod=usage ..." of the N members, from metrics-server
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
: "${TESTENV_REAL_NODE:?this test needs the real node: run it through ctest (fixture realnode)}"
RN_NODE=$TESTENV_REAL_NODE
RN_IMG_NGINX=localhost/shopctl/nginx:1.22
RN_IMG_TOOLBOX=localhost/shopctl/toolbox:1
RN_IMG_LOADGEN=localhost/shopctl/loadgen:1
RN_IMG_OPERATOR=localhost/shopctl/shop-operator:dev

rn_placement() {
  local pad=${1:-      }
  cat <<YAML
${pad}nodeSelector: {kubernetes.io/hostname: $RN_NODE}
${pad}tolerations: [{key: $TESTENV_REAL_NODE_TAINT, operator: Exists, effect: NoSchedule}]
YAML
}

# The testenv's CoreDNS is a process on the node, not a kube-dns pod: the app's DNS egress names it
# by address (spec.security.dns, as on clusters with NodeLocal DNSCache). Every pod goes to the
# real node and runs images its containerd already holds.
rn_nginx_service() {
  cat <<YAML
  - name: $1
    image: $RN_IMG_NGINX
    ports: [{name: http, port: 80, targetPort: 8080}]
    writablePaths: [/tmp]
    probes:
      readiness: {http: {path: /}, periodSeconds: 1}
YAML
}

rn_shopapp_header() {
  cat <<YAML
apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: $1, namespace: $NS}
spec:
  security:
    dns: {cidrs: [$TESTENV_REAL_NODE_IP/32]}
  defaults:
    nodeSelector: {kubernetes.io/hostname: $RN_NODE}
    tolerations: [{key: $TESTENV_REAL_NODE_TAINT, operator: Exists, effect: NoSchedule}]
    imagePullPolicy: Never
YAML
}

rn_wait_ready() {
  local ns=$1 sel=$2 t=${3:-120} deadline seen=0
  deadline=$((SECONDS + t))
  # Every pod matching SEL Ready, seen twice a second apart. Not `kubectl wait -l`: it fails at
  # once while no pod exists yet (CI run 13), and it waits only for the pods that exist when it
  # starts, while a ReplicaSet creates its pods in batches (CI run 14).
  while [ $SECONDS -lt $deadline ]; do
    if rn_all_ready "$ns" "$sel"; then
      seen=$((seen + 1))
      [ $seen -ge 2 ] && return 0
    else
      seen=0
    fi
    sleep 1
  done
  fail "pods $sel in $ns not Ready within ${t}s: $(kc -n "$ns" get pods -l "$sel" -o wide 2>&1; kc -n "$ns" describe pods -l "$sel" 2>&1 | tail -n 25)"
}
rn_all_ready() {
  local states
  states=$(kc -n "$1" get pods -l "$2" -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null) || return 1
  [ -n "$states" ] && ! grep -qvx True <<<"$states"
}

rn_exec() { local ns=$1 pod=$2; shift 2; kc -n "$ns" exec "$pod" -- "$@"; }

rn_toolbox_pod() {
  kc -n "$2" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {$3}}
spec:
$(rn_placement "  ")
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: sh
    image: $RN_IMG_TOOLBOX
    imagePullPolicy: Never
    command: [sleep, infinity]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
YAML
}

rn_store_isolated() {
  local ns=$1 app=$2 name=$3 port=$4 other ip
  other=$ns-other
  kc create namespace "$other" >/dev/null 2>&1 || true
  E2E_NAMESPACES+=("$other")
  rn_toolbox_pod stranger "$ns" "app.kubernetes.io/name: stranger, app.kubernetes.io/instance: $app"
  rn_toolbox_pod outsider "$other" "app: outsider"
  rn_wait_ready "$ns" app.kubernetes.io/name=stranger
  rn_wait_ready "$other" app=outsider
  ip=$(kc -n "$ns" get svc "$name" -o jsonpath='{.spec.clusterIP}')
  if kc -n "$ns" exec stranger -- nc -z -w 3 "$ip" "$port" 2>/dev/null; then fail "a pod of a service not in dependsOn connected to $name"; fi
  if kc -n "$other" exec outsider -- nc -z -w 3 "$ip" "$port" 2>/dev/null; then fail "a pod of another namespace connected to $name"; fi
  kc -n "$ns" delete pod stranger --wait=false >/dev/null
  kc -n "$other" delete pod outsider --wait=false >/dev/null
}

rn_store_secrets_hidden() {
  local ns=$1 app=$2 name=$3 oplog=$4 values v seen probe cmd trace container p
  # Every value but a user name, which engines log as they should (RabbitMQ: "user ... authenticated").
  values=$(kc -n "$ns" get secret "$name-credentials" -o json | jq -r '.data | to_entries[] | select(.key != "username") | .value | @base64d')
  [ -n "$values" ] || fail "Secret $name-credentials has no values"
  container=$(kc -n "$ns" get pod "$name-0" -o jsonpath='{.spec.containers[0].name}')
  # The long-lived processes' command lines: 20 samples over 2 s.
  seen=$(kc -n "$ns" exec "$name-0" -c "$container" -- sh -c 'i=0; while [ $i -lt 20 ]; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" " "; echo; i=$((i + 1)); sleep 0.1; done')
  # The probes' processes live milliseconds: run each exec probe under `sh -x`, which prints
  # every command with its arguments expanded. A value passed as an argument shows there; one
  # exported to the environment shows only on `export` and `[` lines, builtins that start no process.
  for probe in readinessProbe livenessProbe startupProbe; do
    cmd=$(kc -n "$ns" get pod "$name-0" -o json | jq -r --arg p "$probe" '.spec.containers[0][$p].exec.command // empty | if .[0] == "/bin/sh" and .[1] == "-c" then .[2] else empty end')
    [ -n "$cmd" ] || continue
    trace=$(kc -n "$ns" exec "$name-0" -c "$container" -- /bin/sh -x -c "$cmd" 2>&1 >/dev/null || true)
    grep -q '^+ ' <<<"$trace" || fail "no trace of the $probe command: $trace"
    seen+=$'\n'$(grep -v -e '^+ export ' -e '^+ \[ ' <<<"$trace" || true)
  done
  while IFS= read -r v; do
    [ ${#v} -ge 12 ] || fail "a value of Secret $name-credentials is too short to search for (${#v} characters)"
    if grep -qF -- "$v" <<<"$seen"; then fail "a value of Secret $name-credentials is on a process command line in $name-0"; fi
    for p in $(kc -n "$ns" get pods -l "shopctl.io/app=$app" -o name); do
      if kc -n "$ns" logs "$p" --all-containers 2>/dev/null | grep -qF -- "$v"; then fail "a value of Secret $name-credentials is in the log of $p"; fi
    done
    if grep -qF -- "$v" "$oplog"; then fail "a value of Secret $name-credentials is in the operator's log"; fi
  done <<<"$values"
}

rn_store_memory() {
  local ns=$1 name=$2 n=$3 mem=""
  for _ in $(seq 1 45); do  # metrics-server has restarted pods' usage after a scrape or two
    mem=$(kc -n "$ns" top pod -l "app.kubernetes.io/name=$name" --no-headers 2>/dev/null | awk '{print $1 "=" $3}' | tr '\n' ' ' || true)
    [ "$(wc -w <<<"$mem")" = "$n" ] && break
    sleep 2
  done
  echo "${mem:-unavailable}"
}
