# Helpers for the GitOps e2e tests (sourced after tests/e2e/lib.sh). Each script is called as
#   bash SCRIPT SHOPCTL SHOP_OPERATOR
# and gets:
#   shopctl ARGS...          the CLI under test (KUBECONFIG is the cluster's)
#   gt_install_crd           the ShopApp CRD, established
#   gt_app_namespace PREFIX  a unique namespace name in $APP_NS, deleted on exit (the ShopApp makes it)
#   gt_web_redis_app         $GT_DIR/app.yaml: ShopApp shop in $APP_NS, service web and a Redis db
#   gt_operator_start        shop-operator in the background, watching $APP_NS (log: $GT_DIR/operator.log)
#   gt_operator_stop         stop it and wait for it to exit
#   gt_wait_observed NAME    until status.observedGeneration == metadata.generation
#   gt_capture NAME FILE     the live ShopApp as JSON
#   GT_DIR                   a scratch directory, removed on exit (E2E_KEEP=1 keeps it)
# shellcheck shell=bash
SHOPCTL_BIN=${1:?pass the shopctl binary}
SHOP_OPERATOR_BIN=${2:?pass the shop-operator binary}
REPO=$(cd "$TESTENV_ROOT/.." && pwd)
GT_DIR=$(mktemp -d "/tmp/e2e-$E2E_NAME.XXXXXX")
GT_OPERATOR_PID=

gt_cleanup() {
  [ -n "$GT_OPERATOR_PID" ] && kill -KILL "$GT_OPERATOR_PID" 2>/dev/null
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "scratch kept in $GT_DIR" >&2; else rm -rf "$GT_DIR"; fi
  e2e_cleanup_namespaces
}
trap gt_cleanup EXIT

export KUBECONFIG=$TESTENV_KUBECONFIG
shopctl() { "$SHOPCTL_BIN" "$@"; }

gt_install_crd() {
  kc apply --server-side --force-conflicts -f "$REPO/crds/shopapps.shopctl.io.yaml" >/dev/null
  wait_crds shopapps.shopctl.io
}

gt_web_redis_app() {
  cat >"$GT_DIR/app.yaml" <<APP
$(shopapp_header shop "$APP_NS")
  services:
$(nginx_service web)
  databases:
  - name: db
    engine: redis
    storage: {size: 1Gi}
APP
}

gt_app_namespace() {
  APP_NS="e2e-$1-$(date +%s)-$RANDOM"
  E2E_NAMESPACES+=("$APP_NS")
}

gt_operator_start() {
  "$SHOP_OPERATOR_BIN" --kubeconfig "$TESTENV_KUBECONFIG" --leader-elect=false --metrics-bind-address 0 \
    --health-probe-bind-address 0 --log-format text --namespace "${1:-$APP_NS}" >>"$GT_DIR/operator.log" 2>&1 &
  GT_OPERATOR_PID=$!
}

gt_operator_stop() {
  [ -n "$GT_OPERATOR_PID" ] || return 0
  kill -TERM "$GT_OPERATOR_PID" 2>/dev/null || true
  wait "$GT_OPERATOR_PID" 2>/dev/null || true
  GT_OPERATOR_PID=
}

gt_observed() {
  local gen seen
  gen=$(kc -n "$APP_NS" get shopapp "$1" -o jsonpath='{.metadata.generation}')
  seen=$(kc -n "$APP_NS" get shopapp "$1" -o jsonpath='{.status.observedGeneration}')
  [ -n "$gen" ] && [ "$gen" = "$seen" ]
}
gt_wait_observed() { wait_for "ShopApp $1 observed" "${2:-60}" gt_observed "$1"; }

gt_condition_is() {  # NAME TYPE STATUS
  [ "$(kc -n "$APP_NS" get shopapp "$1" -o jsonpath="{.status.conditions[?(@.type==\"$2\")].status}")" = "$3" ]
}

gt_capture() { kc -n "$APP_NS" get shopapp "$1" -o json >"$2"; }

# expect_rc DESC RC CMD...: CMD must exit with RC; its output is in $OUT.
expect_rc() {
  local desc=$1 want=$2 rc=0; shift 2
  OUT=$("$@" 2>"$GT_DIR/stderr") || rc=$?
  ERR=$(cat "$GT_DIR/stderr")
  [ "$rc" = "$want" ] || fail "$desc: exit $rc, expected $want; stdout: $(head -c 1500 <<<"$OUT"); stderr: $(head -c 1500 <<<"$ERR")"
  pass "$desc (exit $rc)"
}
