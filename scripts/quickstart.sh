#!/usr/bin/env bash
# The main job: deploy the Sock Shop with shop-operator on a local Kubernetes control plane.
# `make quickstart` runs this after installing dependencies and building.
#
#   bash scripts/quickstart.sh          # validate, start (or reuse) the cluster, run the operator,
#                                       # apply the Sock Shop, wait until it is Ready
#   bash scripts/quickstart.sh --down   # stop the operator and the cluster
#
# Steps: validate and summarise the Sock Shop ShopApp; build (once) and start the local control
# plane of testenv/ in $QUICKSTART_RUN_DIR, or reuse it when it is already running and healthy;
# install the CRD and the operator's RBAC from manifests/operator; run shop-operator as a local
# background process that authenticates as its own ServiceAccount (a bound token in a kubeconfig
# of its own, so it has exactly the shipped RBAC and nothing more); apply the ShopApp; wait for
# Ready with a progress display; print the status and what to try next.
#
# Re-running is safe: the cluster is reused, the manifests are re-applied, the operator is
# restarted with a fresh token (and the binary just built), Secrets are never overwritten.
#
# Environment: QUICKSTART_RUN_DIR (default testenv/.run/quickstart), QUICKSTART_TIMEOUT (seconds
# to wait for Ready, default 180), BUILD (build directory, default build).
# Exit status: 0 Ready; 1 not Ready in time, stalled, or the operator died (its log tail is
# printed); 2 usage; 3 a step failed (cluster, build, kubectl).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="/usr/local/go/bin:$PATH"

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac   # relative to the repository root
RUN_DIR=${QUICKSTART_RUN_DIR:-$ROOT/testenv/.run/quickstart}
TIMEOUT=${QUICKSTART_TIMEOUT:-180}
SHOPCTL=$BUILD/cli/shopctl
OPERATOR=$BUILD/operator/shop-operator
APP=manifests/sockshop/shopapp.yaml
APP_NS=sock-shop
APP_NAME=sock-shop
MANAGER=shopctl-quickstart   # field manager of what this script applies

mkdir -p "$(dirname "$RUN_DIR")"
RUN_DIR=$(cd "$(dirname "$RUN_DIR")" && pwd)/$(basename "$RUN_DIR")
OP_DIR=$RUN_DIR/operator
OP_PID=$OP_DIR/shop-operator.pid
OP_LOG=$OP_DIR/shop-operator.log
OP_KUBECONFIG=$OP_DIR/kubeconfig
OP_PORTS=$OP_DIR/ports

T0=$SECONDS
step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
  local code=$1; shift
  printf 'quickstart: %s\n' "$*" >&2
  exit "$code"
}
elapsed() { echo "$((SECONDS - T0))s"; }

# The pid of the operator this script started for this run dir, if it is still running.
# A pid file alone is not trusted: the process must be shop-operator with our kubeconfig.
operator_pid() {
  local p
  [ -f "$OP_PID" ] || return 1
  p=$(cat "$OP_PID" 2>/dev/null) || return 1
  [[ $p =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$p/cmdline" ] || return 1
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"shop-operator --kubeconfig $OP_KUBECONFIG "* ]] || return 1
  echo "$p"
}

# SIGTERM lets the operator finish the reconciles in flight and hand the Lease back at once.
stop_operator() {
  local p
  p=$(operator_pid) || { rm -f "$OP_PID"; return 0; }
  note "stopping shop-operator (pid $p)"
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$p" 2>/dev/null; then
    note "still running after 15s: SIGKILL"
    kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$OP_PID"
}

operator_log_tail() {
  [ -f "$OP_LOG" ] || return 0
  echo "--- last 40 lines of $OP_LOG" >&2
  tail -n 40 "$OP_LOG" >&2
  echo "---" >&2
}

case ${1:-} in
  "") ;;
  --down)
    step "stopping the quickstart ($RUN_DIR)"
    stop_operator
    bash testenv/down --run-dir "$RUN_DIR"
    exit 0
    ;;
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
    ;;
  *) die 2 "unknown argument: $1 (see --help)" ;;
esac

if [ ! -x "$SHOPCTL" ] || [ ! -x "$OPERATOR" ]; then
  die 3 "$SHOPCTL or $OPERATOR is missing: run 'make quickstart' (it builds them first)"
fi

# --- 1. the app, offline ---------------------------------------------------------------------
step "shopctl $("$SHOPCTL" version | cut -d' ' -f2-): validating $APP"
"$SHOPCTL" validate -f "$APP"
echo
"$SHOPCTL" render -f "$APP" -o summary 2>/dev/null | sed 's/^/    /'
echo

# --- 2. the cluster --------------------------------------------------------------------------
if [ -f "$RUN_DIR/env" ] && bash testenv/ctl status --run-dir "$RUN_DIR" >/dev/null 2>&1; then
  step "reusing the local control plane in $RUN_DIR"
else
  stop_operator
  if [ -d "$RUN_DIR/pids" ]; then
    step "the cluster in $RUN_DIR is not healthy: stopping what is left of it"
    bash testenv/down --run-dir "$RUN_DIR" >/dev/null 2>&1 || true
  fi
  if ! bash testenv/build --print >/dev/null 2>&1; then
    step "building the local control plane from Go modules (first time only: about 7 minutes on 2 cores)"
    bash testenv/build >/dev/null || die 3 "testenv/build failed"
  fi
  step "starting the local control plane (kube-apiserver, etcd, controller-manager, scheduler, kwok nodes)"
  up_log=$(mktemp)
  if ! bash testenv/up --run-dir "$RUN_DIR" >"$up_log" 2>&1; then
    tail -n 40 "$up_log" >&2
    rm -f "$up_log"
    die 3 "testenv/up failed (above)"
  fi
  note "$(grep -o 'cluster ready in [0-9]*s' "$up_log" || echo 'cluster ready')"
  rm -f "$up_log"
fi
# shellcheck source=/dev/null
source "$RUN_DIR/env"
kc() { kubectl "$@"; }
kc get --raw /readyz >/dev/null || die 3 "the API server at $TESTENV_APISERVER_URL does not answer /readyz"
APPLY=(kubectl apply --server-side --force-conflicts --field-manager="$MANAGER")

# --- 3. CRD and RBAC -------------------------------------------------------------------------
step "installing the ShopApp CRD and the operator's namespace, ServiceAccount and RBAC"
"${APPLY[@]}" -f crds/shopapps.shopctl.io.yaml >/dev/null || die 3 "cannot apply the CRD"
kc wait --for=condition=Established crd/shopapps.shopctl.io --timeout=60s >/dev/null || die 3 "the CRD is not Established"
"${APPLY[@]}" -f manifests/operator/namespace.yaml -f manifests/operator/serviceaccount.yaml \
  -f manifests/operator/rbac.yaml >/dev/null || die 3 "cannot apply manifests/operator RBAC"
note "ClusterRole shop-operator ($(kc get clusterrole shop-operator -o go-template='{{len .rules}}') rules, no wildcards), Role shop-operator-leader-election (Lease in shop-system)"

# --- 4. the operator, as its own ServiceAccount ----------------------------------------------
step "starting shop-operator as system:serviceaccount:shop-system:shop-operator"
stop_operator
mkdir -p "$OP_DIR"
TOKEN=$(kc create token shop-operator -n shop-system --duration=24h) || die 3 "TokenRequest for shop-operator failed"
(
  umask 077
  rm -f "$OP_KUBECONFIG"
  kc config --kubeconfig="$OP_KUBECONFIG" set-cluster testenv --server="$TESTENV_APISERVER_URL" \
    --certificate-authority="$TESTENV_CA_CERT" --embed-certs=true >/dev/null
  kc config --kubeconfig="$OP_KUBECONFIG" set-credentials shop-operator --token="$TOKEN" >/dev/null
  kc config --kubeconfig="$OP_KUBECONFIG" set-context shop-operator --cluster=testenv \
    --user=shop-operator --namespace=shop-system >/dev/null
  kc config --kubeconfig="$OP_KUBECONFIG" use-context shop-operator >/dev/null
) || die 3 "cannot write $OP_KUBECONFIG"
unset TOKEN
who=$(kc --kubeconfig="$OP_KUBECONFIG" auth whoami -o jsonpath='{.status.userInfo.username}') ||
  die 3 "the minted token does not authenticate"
# shellcheck source=testenv/lib/common.sh
source testenv/lib/common.sh
read -r METRICS_PORT PROBE_PORT < <(te_free_ports 2)
echo "metrics=127.0.0.1:$METRICS_PORT probes=127.0.0.1:$PROBE_PORT" >"$OP_PORTS"
{
  echo
  echo "=== $(date -u +%FT%TZ) quickstart starts $OPERATOR as $who"
} >>"$OP_LOG"
LOG_OFFSET=$(stat -c %s "$OP_LOG")
# The trailing space after the kubeconfig path is what operator_pid() matches on.
setsid nohup "$OPERATOR" --kubeconfig "$OP_KUBECONFIG" \
  --leader-elect=true --leader-election-namespace shop-system \
  --metrics-bind-address "127.0.0.1:$METRICS_PORT" --health-probe-bind-address "127.0.0.1:$PROBE_PORT" \
  --log-format text </dev/null >>"$OP_LOG" 2>&1 &
OPID=$!
echo "$OPID" >"$OP_PID"
ready=0 told=0
for i in $(seq 1 300); do
  # kill -0, not operator_pid: right after the fork the child may not have exec'd the binary yet.
  kill -0 "$OPID" 2>/dev/null || { operator_log_tail; die 1 "shop-operator exited during start-up"; }
  if [ $told = 0 ] && [ "$i" -ge 20 ] && ! grep -q "became leader" < <(tail -c +$((LOG_OFFSET + 1)) "$OP_LOG"); then
    note "waiting for the Lease: an earlier operator that did not stop cleanly holds it (up to 15s)"
    told=1
  fi
  if [ "$(curl -s --max-time 2 --noproxy '*' "http://127.0.0.1:$PROBE_PORT/readyz" 2>/dev/null)" = ok ] &&
    grep -q "caches synced" < <(tail -c +$((LOG_OFFSET + 1)) "$OP_LOG"); then
    ready=1
    break
  fi
  sleep 0.1
done
[ $ready = 1 ] || { operator_log_tail; die 1 "shop-operator did not become ready within 30s"; }
note "pid $(cat "$OP_PID"), leader, caches synced; log $OP_LOG"

# --- 5. the Sock Shop ------------------------------------------------------------------------
step "applying $APP"
kc get namespace "$APP_NS" >/dev/null 2>&1 || kc create namespace "$APP_NS" >/dev/null || die 3 "cannot create namespace $APP_NS"
"${APPLY[@]}" -f "$APP" >/dev/null || die 3 "cannot apply $APP"
T_APPLY=$SECONDS

# One poll: the ShopApp's generation, its conditions and its components, one per line, fields
# separated by US (0x1f): not whitespace, so empty fields do not collapse when read splits them.
TAB=$'\x1f'
POLL_TEMPLATE="G${TAB}{{.metadata.generation}}${TAB}{{with .status}}{{with .observedGeneration}}{{.}}{{end}}{{end}}
{{with .status}}{{range .conditions}}C${TAB}{{.type}}${TAB}{{.status}}${TAB}{{.reason}}${TAB}{{.observedGeneration}}${TAB}{{.message}}
{{end}}{{range .components}}P${TAB}{{.name}}${TAB}{{.kind}}${TAB}{{.readyReplicas}}/{{.desiredReplicas}}${TAB}{{.ready}}${TAB}{{.message}}
{{end}}{{end}}"

poll() {
  GEN="" OBS="" READY="" READY_GEN="" READY_REASON="" STALLED="" STALLED_MSG=""
  COMPS=() NREADY=0 NTOTAL=0
  local out tag a b c d e
  out=$(kc get shopapp "$APP_NAME" -n "$APP_NS" -o go-template="$POLL_TEMPLATE" 2>/dev/null) || return 1
  while IFS=$TAB read -r tag a b c d e; do
    case $tag in
      G) GEN=$a OBS=$b ;;
      C)
        if [ "$a" = Ready ]; then READY=$b READY_REASON=$c READY_GEN=$d; fi
        if [ "$a" = Stalled ] && [ "$d" = "$GEN" ]; then STALLED=$b STALLED_MSG=$e; fi
        ;;
      P)
        COMPS+=("$a$TAB$b$TAB$c$TAB$d$TAB$e")
        NTOTAL=$((NTOTAL + 1))
        [ "$d" = true ] && NREADY=$((NREADY + 1))
        ;;
    esac
  done <<<"$out"
  return 0
}

# Fresh status: written by the operator for the current generation.
fresh() { [ -n "$GEN" ] && [ "$OBS" = "$GEN" ] && [ "$READY_GEN" = "$GEN" ]; }

draw_table() {
  local row name kind replicas ok msg state
  printf '  %-14s %-9s %-9s %s\n' COMPONENT KIND REPLICAS STATE
  for row in "${COMPS[@]}"; do
    IFS=$TAB read -r name kind replicas ok msg <<<"$row"
    if [ "$ok" = true ]; then state=ready; else state=${msg:-waiting}; fi
    printf '  %-14s %-9s %-9s %s\n' "$name" "$kind" "$replicas" "${state:0:60}"
  done
}

step "waiting for ShopApp $APP_NS/$APP_NAME to be Ready (timeout ${TIMEOUT}s)"
TTY=0
[ -t 1 ] && [ "${TERM:-dumb}" != dumb ] && TTY=1
drawn=0 last="" result=timeout
while :; do
  waited=$((SECONDS - T_APPLY))
  operator_pid >/dev/null || { result=operator; break; }
  if poll && fresh; then
    head="$NREADY/$NTOTAL components ready   Ready=$READY ($READY_REASON)"
    [ "$READY" = True ] && { result=ready; }
    [ "$STALLED" = True ] && [ "$READY" != True ] && result=stalled
  else
    head="waiting for the operator's first status"
    COMPS=()
  fi
  if [ $TTY = 1 ]; then
    [ "$drawn" -gt 0 ] && printf '\033[%dA\033[J' "$drawn"
    frame=$(
      printf '  [%3ds] %s\n' "$waited" "$head"
      if [ ${#COMPS[@]} -gt 0 ]; then draw_table; fi
    )
    printf '%s\n' "$frame"
    drawn=$(printf '%s\n' "$frame" | wc -l)
  else
    line=$head
    if [ ${#COMPS[@]} -gt 0 ] && [ "$result" != ready ]; then
      pending=""
      for row in "${COMPS[@]}"; do
        IFS=$TAB read -r name _ replicas ok _ <<<"$row"
        [ "$ok" = true ] || pending+="${pending:+, }$name $replicas"
      done
      [ -n "$pending" ] && line+="; waiting for ${pending:0:150}"
    fi
    if [ "$line" != "$last" ]; then
      printf '  [%3ds] %s\n' "$waited" "$line"
      last=$line
    fi
  fi
  [ "$result" = timeout ] || break
  [ "$waited" -lt "$TIMEOUT" ] || break
  sleep 1
done
# On a terminal, leave the one-line summary: the full table follows (or the failure does).
if [ $TTY = 1 ] && [ "$drawn" -gt 1 ]; then
  printf '\033[%dA\033[J  [%3ds] %s\n' "$drawn" "$waited" "$head"
fi

case $result in
  ready) ;;
  operator)
    operator_log_tail
    die 1 "shop-operator (pid file $OP_PID) exited while waiting for Ready"
    ;;
  stalled)
    operator_log_tail
    die 1 "ShopApp $APP_NS/$APP_NAME is Stalled: $STALLED_MSG"
    ;;
  timeout)
    kc get shopapp "$APP_NAME" -n "$APP_NS" -o go-template='{{with .status}}{{range .conditions}}    {{.type}}={{.status}} {{.reason}}: {{.message}}{{"\n"}}{{end}}{{end}}' >&2 || true
    operator_log_tail
    die 1 "ShopApp $APP_NS/$APP_NAME was not Ready within ${TIMEOUT}s (QUICKSTART_TIMEOUT raises the limit)"
    ;;
esac

# --- 6. the result ---------------------------------------------------------------------------
echo
step "Sock Shop is Ready: $NREADY/$NTOTAL components, $((SECONDS - T_APPLY))s after apply, $(elapsed) in all"
echo
kc get shopapp -n "$APP_NS" | sed 's/^/    /'
echo
draw_table | sed 's/^/  /'
op_pid=$(cat "$OP_PID")
metrics=$(sed -n 's/^metrics=\([^ ]*\).*/\1/p' "$OP_PORTS")
cat <<NEXT

Try next (the cluster and the operator keep running):
  source $RUN_DIR/env                               # kubectl and KUBECONFIG for this cluster
  kubectl get shopapp -A                            # READY, SERVICES, COMPONENTS
  kubectl -n $APP_NS get deploy,sts,hpa,pdb,netpol,virtualservices
  kubectl events -n $APP_NS --for shopapp/$APP_NAME   # Applied, Pruned, SecretCreated...
  kubectl -n $APP_NS set image deploy/catalogue catalogue=example.invalid/x:1   # drift: reverted at once
  kubectl -n $APP_NS edit shopapp $APP_NAME          # change the app: applied, what is gone is pruned
  $SHOPCTL render -f $APP | less   # exactly what the operator applies
  $SHOPCTL validate -f $APP
  curl -s http://$metrics/metrics | grep ^shop_operator   # the operator's metrics

The operator: pid $op_pid ($OP_PID), log $OP_LOG,
  kubeconfig $OP_KUBECONFIG (its ServiceAccount token, valid 24h; re-run the quickstart to renew).
Stop everything:  bash scripts/quickstart.sh --down
  (or: kill $op_pid; make cluster-down RUN_DIR=$RUN_DIR)
NEXT
