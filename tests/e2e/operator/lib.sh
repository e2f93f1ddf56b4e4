# Helpers for the operator's e2e tests (sourced after tests/e2e/lib.sh).
#   op_install                      CRD + the shipped namespace, service account and RBAC
#   op_kubeconfig FILE [SA]         a kubeconfig with a token of the shop-operator service account
#                                   (or SA of shop-system), so the operator has exactly its RBAC
#   op_start NAME [ARGS...]         start shop-operator in the background (log: $OP_DIR/NAME.log);
#                                   OP_KUBECONFIG, if set, is the kubeconfig it uses instead
#   op_stop NAME [SIGNAL]           stop it (default TERM) and wait for it to exit
#   op_wait_ready NS APP TIMEOUT    until observedGeneration == generation and Ready=True
#   op_condition NS APP TYPE        print a condition's status
#   op_audit_since ISO              audit events since ISO time by the operator's identity (JSON lines)
#   op_no_forbidden ISO             fail if the operator got any 403 since ISO
# shellcheck shell=bash
: "${SHOP_OPERATOR:?pass the shop-operator binary}"
: "${SHOPCTL:?pass the shopctl binary}"
REPO=$(cd "$TESTENV_ROOT/.." && pwd)
OP_USER=system:serviceaccount:shop-system:shop-operator
OP_DIR=$(mktemp -d "/tmp/e2e-$E2E_NAME.XXXXXX")
declare -A OP_PIDS=()

op_cleanup() {
  local n
  for n in "${!OP_PIDS[@]}"; do kill -KILL "${OP_PIDS[$n]}" 2>/dev/null || true; done
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "operator logs kept in $OP_DIR" >&2; else rm -rf "$OP_DIR"; fi
}
trap 'op_cleanup; e2e_cleanup_namespaces' EXIT

op_install() {
  kc apply --server-side --force-conflicts -f "$REPO/crds/shopapps.shopctl.io.yaml" >/dev/null
  wait_crds shopapps.shopctl.io
  # An earlier test may have deleted shop-system without waiting (the in-cluster operator test
  # does): nothing can be created in a namespace being terminated, so wait until it is gone.
  if [ -n "$(kc get namespace shop-system -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
    wait_for "namespace shop-system, being deleted by an earlier test, is gone" 180 \
      bash -c "! '$TESTENV_BIN/kubectl' --kubeconfig='$TESTENV_KUBECONFIG' get namespace shop-system"
  fi
  for f in namespace serviceaccount rbac; do
    kc apply --server-side --force-conflicts -f "$REPO/manifests/operator/$f.yaml" >/dev/null
  done
}

op_kubeconfig() {
  local out=$1 sa=${2:-shop-operator} token
  token=$(kc -n shop-system create token "$sa" --duration=2h)
  cat >"$out" <<KC
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: $TESTENV_APISERVER_URL
    certificate-authority: $TESTENV_CA_CERT
users:
- name: shop-operator
  user:
    token: $token
contexts:
- name: shop-operator
  context: {cluster: testenv, user: shop-operator, namespace: shop-system}
current-context: shop-operator
KC
}

# A TCP port free on 127.0.0.1 now (for an operator's --metrics-bind-address and the like).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

op_start() {
  local name=$1; shift
  [ -f "$OP_DIR/kubeconfig" ] || op_kubeconfig "$OP_DIR/kubeconfig"
  "$SHOP_OPERATOR" --kubeconfig "${OP_KUBECONFIG:-$OP_DIR/kubeconfig}" --metrics-bind-address "${OP_METRICS_ADDR:-0}" --health-probe-bind-address 0 \
    --log-format text --leader-election-namespace shop-system --leader-election-identity "e2e-$name-$$" "$@" \
    >"$OP_DIR/$name.log" 2>&1 &
  OP_PIDS[$name]=$!
}

op_stop() {
  local name=$1 sig=${2:-TERM} pid=${OP_PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  local rc=0
  wait "$pid" 2>/dev/null || rc=$?
  unset "OP_PIDS[$name]"
  return "$rc"
}

op_alive() { kill -0 "${OP_PIDS[$1]}" 2>/dev/null; }

op_log() { cat "$OP_DIR/$1.log"; }

op_ready() {
  local ns=$1 app=$2
  kc -n "$ns" get shopapp "$app" -o json | jq -e '
    (.status.observedGeneration == .metadata.generation) and
    ([.status.conditions[]? | select(.type == "Ready" and .status == "True")] | length == 1)' >/dev/null
}

op_wait_ready() {
  local ns=$1 app=$2 timeout=$3 deadline=$((SECONDS + $3))
  until op_ready "$ns" "$app"; do
    if [ $SECONDS -ge $deadline ]; then
      kc -n "$ns" get shopapp "$app" -o json | jq '.status' >&2 || true
      for n in "${!OP_PIDS[@]}"; do echo "--- $n log (tail)" >&2; tail -n 20 "$OP_DIR/$n.log" >&2; done
      fail "ShopApp $ns/$app not Ready within ${timeout}s"
    fi
    sleep 1
  done
  pass "ShopApp $ns/$app is Ready"
}

op_condition() {
  kc -n "$1" get shopapp "$2" -o json | jq -r --arg t "$3" '.status.conditions[]? | select(.type == $t) | .status'
}

now_iso() { date -u +%Y-%m-%dT%H:%M:%S.%6NZ; }

# Audit events of the operator since an ISO time: one JSON object per line.
op_audit_since() {
  jq -c --arg since "$1" --arg user "$OP_USER" '
    select(.user.username == $user and .requestReceivedTimestamp >= $since)' "$TESTENV_AUDIT_LOG"
}

# RBAC denials only. Every 403 the operator got is asked again, now, with `kubectl auth can-i
# --as` the operator's service account: what the shipped RBAC allows now was a transient
# answer (an API server that has just restarted answers 403 until its authorizer has loaded the
# roles; a CRD that is being deleted refuses creates with 403 too). What it still denies is a
# gap in the shipped RBAC.
op_no_forbidden() {
  local denied=0 line verb res sub ns
  # A subresource is asked with --subresource: "shopapps/status" would be read as the shopapp
  # named "status". A request for no resource (discovery: /apis) is asked by its path.
  # Fields joined by "|": tabs would collapse an empty subresource away under read's IFS rules.
  while IFS='|' read -r verb res sub ns; do
    [ -n "$verb" ] || continue
    # OP_EXPECTED_403: lines "verb|resource|subresource|namespace" a test expects to be denied.
    if grep -qxF "$verb|$res|$sub|$ns" <<<"${OP_EXPECTED_403:-}"; then
      echo "denied as expected: $verb $res${sub:+ (subresource $sub)} ${ns:+in $ns}"
      continue
    fi
    if [ "$(kc auth can-i "$verb" "$res" ${sub:+--subresource="$sub"} ${ns:+-n "$ns"} --as="$OP_USER" 2>/dev/null)" != yes ]; then
      echo "denied by the shipped RBAC: $verb $res${sub:+ (subresource $sub)} ${ns:+in $ns}" >&2
      denied=$((denied + 1))
    fi
  done < <(op_audit_since "$1" | jq -r 'select(.responseStatus.code == 403)
      | if .objectRef == null then [.verb, (.requestURI | split("?")[0]), "", ""]
        else [.verb, (.objectRef.resource + (if (.objectRef.apiGroup // "") != "" then "." + .objectRef.apiGroup else "" end)),
              (.objectRef.subresource // ""), (.objectRef.namespace // "")] end | join("|")' | sort -u)
  [ "$denied" = 0 ] || fail "the shipped RBAC denies the operator $denied kind(s) of request"
  pass "no request of the operator is denied by the shipped RBAC"
}

# Write requests (create/update/patch/delete) since ISO, excluding the ones listed in $1's
# companion filter (e.g. leases for leader election).
op_writes_since() {
  op_audit_since "$1" | jq -s --arg ua "${2:-}" '
    [.[] | select(.verb == "create" or .verb == "update" or .verb == "patch" or .verb == "delete")
         | select(.objectRef.resource != "leases")
         | select($ua == "" or (.userAgent | contains($ua)))] | length'
}

# A ShopApp in namespace $NS, from a preset, named $2.
op_app_from_preset() { "$SHOPCTL" init --preset "$1" --name "$2" -n "$NS"; }

# For wait_for: jp_is NS OBJECT JSONPATH VALUE, absent NS OBJECT...
jp_is() { [ "$(kc -n "$1" get "$2" -o jsonpath="$3" 2>/dev/null)" = "$4" ]; }
absent() {
  local ns=$1 o; shift
  for o in "$@"; do
    if kc -n "$ns" get "$o" >/dev/null 2>&1; then return 1; fi
  done
}
