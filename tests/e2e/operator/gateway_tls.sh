#!/usr/bin/env bash
# The mesh gateway's TLS Secret is looked for where Istio reads it: the gateway pods' namespace
# (gateway.namespace), not the app's. GatewayTLSVerified says what the operator found.
#   1. With the shipped RBAC (Secrets readable everywhere): missing there -> GatewayTLSVerified=
#      False, although one of that name exists in the app's namespace, and Ready is not held back
#      (the mesh owns that Secret; every workload runs); created there -> True within the 60 s
#      re-check.
#   2. An operator confined to the app's namespace (the ClusterRole bound by a RoleBinding, as
#      docs/operator.md describes): it may not read the gateway's namespace -> Unknown, Ready
#      stays; a Role granting get on that one Secret -> True within the 60 s re-check.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
[ -f "${TESTENV_ISTIO_CRDS:-}" ] || fail "no Istio CRDs file in the testenv"
kc apply --server-side --force-conflicts -f "$TESTENV_ISTIO_CRDS" >/dev/null
e2e_namespace gwtls-gateway
GW_NS=$NS
e2e_namespace gwtls
APP_NS=$NS
CONFINED=shop-operator-e2e-confined
cleanup_cluster() {
  kc delete clusterrolebinding,clusterrole "$CONFINED" --ignore-not-found >/dev/null 2>&1 || true
  kc -n shop-system delete serviceaccount "$CONFINED" --ignore-not-found >/dev/null 2>&1 || true
}
trap 'op_cleanup; cleanup_cluster; e2e_cleanup_namespaces' EXIT
op_install
since=$(now_iso)

tls_condition() {  # STATUS/REASON of GatewayTLSVerified
  kc -n "$APP_NS" get shopapp shop -o json |
    jq -r '.status.conditions[]? | select(.type == "GatewayTLSVerified") | .status + "/" + .reason'
}
tls_is() { [ "$(tls_condition)" = "$1" ]; }

# 1. The shipped RBAC.
op_start op --namespace "$APP_NS" --leader-elect=false
kc -n "$APP_NS" create secret generic shop-tls --from-literal=tls.crt=x --from-literal=tls.key=y >/dev/null
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$APP_NS")
  mesh: {enabled: true}
  gateway: {enabled: true, namespace: $GW_NS, tls: {secretName: shop-tls}}
  services:
$(nginx_service web)
    expose: {paths: [/]}
APP
wait_for "GatewayTLSVerified=False/SecretNotFound: not in $GW_NS, where Istio reads it" 60 tls_is False/SecretNotFound
op_wait_ready "$APP_NS" shop 60
msg=$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.status.conditions[?(@.type=="GatewayTLSVerified")].message}')
case "$msg" in "Secret $GW_NS/shop-tls does not exist"*) ;; *) fail "GatewayTLSVerified's message: $msg" ;; esac
tls_is False/SecretNotFound || fail "GatewayTLSVerified is $(tls_condition) once Ready"
pass "Ready, and the status says: $msg"
"$SHOPCTL" --kubeconfig "$TESTENV_KUBECONFIG" status shop -n "$APP_NS" | grep -q "GatewayTLSVerified *False *SecretNotFound" ||
  fail "shopctl status does not show GatewayTLSVerified False"
pass "shopctl status shows it"
kc -n "$GW_NS" create secret generic shop-tls --from-literal=tls.crt=x --from-literal=tls.key=y >/dev/null
wait_for "created in $GW_NS: GatewayTLSVerified=True/SecretFound within the 60 s re-check" 90 tls_is True/SecretFound
op_ready "$APP_NS" shop || fail "not Ready once the Secret exists"
op_stop op

# 2. Confined to the app's namespace.
kc -n shop-system create serviceaccount "$CONFINED" >/dev/null
kc -n "$APP_NS" create rolebinding "$CONFINED" --clusterrole=shop-operator --serviceaccount="shop-system:$CONFINED" >/dev/null
# Namespaces are cluster-scoped: the small ClusterRole the docs name.
kc create clusterrole "$CONFINED" --verb=list,watch,patch --resource=namespaces >/dev/null
kc create clusterrolebinding "$CONFINED" --clusterrole="$CONFINED" --serviceaccount="shop-system:$CONFINED" >/dev/null
op_kubeconfig "$OP_DIR/confined.kubeconfig" "$CONFINED"
confined_since=$(now_iso)
OP_KUBECONFIG="$OP_DIR/confined.kubeconfig" op_start confined --namespace "$APP_NS" --leader-elect=false
wait_for "confined: GatewayTLSVerified=Unknown/SecretNotReadable" 60 tls_is Unknown/SecretNotReadable
[ "$(op_condition "$APP_NS" shop Ready)" = True ] || fail "confined: Ready is $(op_condition "$APP_NS" shop Ready): an unreadable Secret must not hold it back"
pass "confined: Ready stays True"
kc -n "$GW_NS" create role "$CONFINED" --verb=get --resource=secrets --resource-name=shop-tls >/dev/null
kc -n "$GW_NS" create rolebinding "$CONFINED" --role="$CONFINED" --serviceaccount="shop-system:$CONFINED" >/dev/null
wait_for "confined, granted get on $GW_NS/shop-tls alone: GatewayTLSVerified=True/SecretFound within the 60 s re-check" 90 tls_is True/SecretFound
op_stop confined
op_no_forbidden "$since"
OP_USER=system:serviceaccount:shop-system:$CONFINED OP_EXPECTED_403="get|secrets||$GW_NS" op_no_forbidden "$confined_since"
