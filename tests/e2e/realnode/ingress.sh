#!/usr/bin/env bash
# Calls from outside the app (spec.services[].ingress, spec.databases[].ingress), through
# shop-operator, on the real node, with the rendered NetworkPolicies enforced:
#   - a pod of the namespace and labels a service's ingress names connects to that service;
#   - a pod of that namespace with other labels, and a pod with the same labels in a third
#     namespace, are refused;
#   - a database's ingress admits its own caller there, and not the service's (each rule is
#     the component's alone);
#   - removing the rule from the ShopApp closes the service again;
#   - exposed through the gateway, web admits the pods of gateway.namespace (where the ingress
#     controller runs) and no other namespace's; with gateway.namespace "*" (what import writes)
#     it admits every namespace's.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-ingress
APP_NS=$NS
CALLERS=$APP_NS-callers
THIRD=$APP_NS-third
for n in "$CALLERS" "$THIRD"; do
  kc create namespace "$n" >/dev/null 2>&1 || true
  E2E_NAMESPACES+=("$n")
done
op_install
op_start op1 --namespace "$APP_NS" --leader-elect=false

RN_IMG_REDIS=localhost/shopctl/redis:7.0
app() {  # $1: the web service's ingress rules (YAML flow list); $2: web exposed, gateway.namespace $2
  local gateway="" expose=""
  if [ -n "${2:-}" ]; then
    gateway="  gateway: {enabled: true, namespace: \"$2\"}"
    expose="    expose: {paths: [/]}"
  fi
  cat <<YAML
$(rn_shopapp_header shop)
$gateway
  services:
$(rn_nginx_service web)
    replicas: 1
    autoscaling: {enabled: false}
    ingress: $1
$expose
  databases:
  - name: cache
    engine: redis
    image: $RN_IMG_REDIS
    imagePullPolicy: Never
    replicas: 1
    storage: {storageClass: realnode-local, size: 64Mi}
    ingress: [{namespace: $CALLERS, podLabels: {app: reporting}}]
YAML
}
app "[{namespace: $CALLERS, podLabels: {app: storefront}}]" | kc apply -f - >/dev/null || fail "the ShopApp was refused"
op_wait_ready "$APP_NS" shop 300

rn_toolbox_pod storefront "$CALLERS" "app: storefront"
rn_toolbox_pod reporting "$CALLERS" "app: reporting"
rn_toolbox_pod stranger "$CALLERS" "app: stranger"
rn_toolbox_pod lookalike "$THIRD" "app: storefront"
for p in storefront reporting stranger; do rn_wait_ready "$CALLERS" "app=$p" 90; done
rn_wait_ready "$THIRD" app=storefront 90
WEB=$(kc -n "$APP_NS" get svc web -o jsonpath='{.spec.clusterIP}')
CACHE=$(kc -n "$APP_NS" get svc cache -o jsonpath='{.spec.clusterIP}')
[ -n "$WEB" ] && [ -n "$CACHE" ] || fail "no Service address for web ($WEB) or cache ($CACHE)"

# can NS POD IP PORT: POD connects within 3 s.
can() { kc -n "$1" exec "$2" -- nc -z -w 3 "$3" "$4" >/dev/null 2>&1; }
# settle WANT NS POD IP PORT: policies take effect within kube-router's sync; up to 30 s for WANT.
settle() {
  local want=$1 i
  shift
  for i in $(seq 1 30); do
    if can "$@"; then [ "$want" = open ] && return 0; else [ "$want" = closed ] && return 0; fi
    sleep 1
  done
  return 1
}

settle open "$CALLERS" storefront "$WEB" 80 || fail "the storefront pod named by web's ingress cannot connect to web"
pass "web's ingress admits $CALLERS/storefront (namespace and pod labels) on the Service port"
can "$CALLERS" stranger "$WEB" 80 && fail "a pod of $CALLERS with other labels connected to web"
can "$THIRD" lookalike "$WEB" 80 && fail "a pod labelled app=storefront in another namespace connected to web"
pass "web refuses $CALLERS/stranger (other labels) and $THIRD/lookalike (same labels, other namespace)"

settle open "$CALLERS" reporting "$CACHE" 6379 || fail "the reporting pod named by cache's ingress cannot connect to the database"
can "$CALLERS" storefront "$CACHE" 6379 && fail "web's caller connected to the database: ingress rules leak between components"
can "$CALLERS" reporting "$WEB" 80 && fail "the database's caller connected to web: ingress rules leak between components"
pass "the database's ingress admits $CALLERS/reporting, and each rule is its component's alone"

app "[]" | kc apply -f - >/dev/null || fail "the edit was refused"
settle closed "$CALLERS" storefront "$WEB" 80 || fail "web still admits the storefront 30 s after its ingress rule was removed"
pass "removing the rule from the ShopApp closes web again (the operator re-rendered its NetworkPolicy)"

app "[]" "$THIRD" | kc apply -f - >/dev/null || fail "the edit exposing web was refused"
settle open "$THIRD" lookalike "$WEB" 80 || fail "a pod of gateway.namespace ($THIRD) cannot reach the exposed web"
can "$CALLERS" stranger "$WEB" 80 && fail "a pod of $CALLERS reached web, exposed with gateway.namespace $THIRD"
pass "exposed, web admits the pods of gateway.namespace ($THIRD) and not $CALLERS's"
app "[]" "*" | kc apply -f - >/dev/null || fail "gateway.namespace * was refused"
settle open "$CALLERS" stranger "$WEB" 80 || fail "with gateway.namespace *, a pod of $CALLERS cannot reach the exposed web"
can "$THIRD" lookalike "$WEB" 80 || fail "with gateway.namespace *, the pod of $THIRD can no longer reach web"
can "$CALLERS" stranger "$CACHE" 6379 && fail "with gateway.namespace *, the database (not exposed) admits $CALLERS/stranger"
pass "with gateway.namespace * web admits every namespace's pods; the database stays closed to them"
op_alive op1 || fail "the operator is not running"
