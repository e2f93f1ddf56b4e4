#!/usr/bin/env bash
# A status write that fails is retried with backoff, not dropped: the operator runs as a service
# account that may do everything the shipped ClusterRole allows except patch shopapps/status.
# Once the app has settled (no more child events to trigger a reconcile), the missing permission
# is granted; the status must appear without any edit. Before the fix the reconcile counted as
# done and the status stayed missing until the 10-minute resync.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
e2e_namespace statusretry
op_install
SA=shop-operator-nostatus-$$
cleanup_rbac() {
  kc delete clusterrolebinding "$SA" "$SA-status" --ignore-not-found >/dev/null 2>&1 || true
  kc delete clusterrole "$SA" "$SA-status" --ignore-not-found >/dev/null 2>&1 || true
  kc -n shop-system delete serviceaccount "$SA" --ignore-not-found >/dev/null 2>&1 || true
}
trap 'cleanup_rbac; op_cleanup; e2e_cleanup_namespaces' EXIT
kc -n shop-system create serviceaccount "$SA" >/dev/null
# The shipped rules without the status subresource.
kc get clusterrole shop-operator -o json |
  jq --arg n "$SA" '{apiVersion, kind, metadata: {name: $n}, rules: [.rules[] | select(.resources != ["shopapps/status"])]}' |
  kc apply -f - >/dev/null
kc create clusterrolebinding "$SA" --clusterrole="$SA" --serviceaccount="shop-system:$SA" >/dev/null
[ "$(kc auth can-i patch shopapps.shopctl.io --subresource=status -n "$NS" --as="system:serviceaccount:shop-system:$SA")" = no ] ||
  fail "the test's service account may still patch the status"
token=$(kc -n shop-system create token "$SA" --duration=1h)
cat >"$OP_DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster: {server: $TESTENV_APISERVER_URL, certificate-authority: $TESTENV_CA_CERT}
users:
- name: op
  user: {token: $token}
contexts:
- name: op
  context: {cluster: testenv, user: op}
current-context: op
KC
op_start op --namespace "$NS" --leader-elect=false

cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$NS")
  services:
$(nginx_service web)
    probes: {readiness: {http: {path: /}}}
    autoscaling: {enabled: false}
APP
wait_for "the app's Deployment is applied and available" 90 \
  jp_is "$NS" deploy/web '{.status.availableReplicas}' 2
wait_for "the status write is refused and retried" 60 bash -c "[ \$(grep -c 'status not written' '$OP_DIR/op.log') -ge 3 ]"
[ -z "$(kc -n "$NS" get shopapp shop -o jsonpath='{.status.conditions}')" ] || fail "a status was written without the permission"
sleep 5  # settled: the Deployment and its pods no longer change, so no child event will come
kc get clusterrole shop-operator -o json |
  jq --arg n "$SA-status" '{apiVersion, kind, metadata: {name: $n}, rules: [.rules[] | select(.resources == ["shopapps/status"])]}' |
  kc apply -f - >/dev/null
kc create clusterrolebinding "$SA-status" --clusterrole="$SA-status" --serviceaccount="shop-system:$SA" >/dev/null
pass "granted patch on shopapps/status"
op_wait_ready "$NS" shop 150
op_alive op || fail "the operator exited"
pass "the status appeared without an edit: $(grep -c 'status not written' "$OP_DIR/op.log") failed writes were retried"
