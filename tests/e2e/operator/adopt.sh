#!/usr/bin/env bash
# The operator never takes over an object it did not create. A hand-made Service named like a
# rendered one, and the API server's own default/kubernetes, are left as they are (no owner
# reference, no field changed) and the app is Stalled naming them; deleting the app leaves them
# in place. With the shopctl.io/adopt-existing annotation the app takes the hand-made one over.
# ShopApps in Kubernetes' system namespaces are refused.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace adopt
op_install
op_start a --namespace "$NS" --leader-elect=false

app() {  # app NAME NAMESPACE SERVICE [ANNOTATION_LINE]
  cat <<APP
apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata:
  name: $1
  namespace: $2
${4:-}
spec:
  services:
$(nginx_service "$3")
    probes: {readiness: {http: {path: /}}}
APP
}
stalled_msg() { kc -n "$1" get shopapp "$2" -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}'; }

# ---- a hand-made Service of a rendered name -------------------------------------------------
kc -n "$NS" create service clusterip web --tcp=80:9999 >/dev/null
before=$(kc -n "$NS" get svc web -o json | jq -c '{uid: .metadata.uid, rv: .metadata.resourceVersion, spec: .spec, owners: .metadata.ownerReferences}')
app shop "$NS" web | kc apply --server-side -f - >/dev/null
wait_for "the app is Stalled on the hand-made Service" 60 jp_is "$NS" shopapp/shop '{.status.conditions[?(@.type=="Stalled")].status}' True
msg=$(stalled_msg "$NS" shop)
grep -q "Service/web: exists and was not created by this ShopApp" <<<"$msg" || fail "the condition does not name the Service: $msg"
grep -q "shopctl.io/adopt-existing=true" <<<"$msg" || fail "the condition does not say how to adopt: $msg"
pass "Stalled: $msg"
wait_for "the app's other objects are applied" 60 kc -n "$NS" get deploy/web networkpolicy/web
sleep 3  # a few more reconciles
after=$(kc -n "$NS" get svc web -o json | jq -c '{uid: .metadata.uid, rv: .metadata.resourceVersion, spec: .spec, owners: .metadata.ownerReferences}')
[ "$before" = "$after" ] || fail "the hand-made Service was changed: before $before, after $after"
pass "the hand-made Service is untouched (same resourceVersion, spec, no owner)"

kc -n "$NS" delete shopapp shop --wait=true >/dev/null
wait_for "the app's own objects are collected" 60 absent "$NS" deploy/web networkpolicy/web
[ "$(kc -n "$NS" get svc web -o jsonpath='{.metadata.uid}')" = "$(jq -r .uid <<<"$before")" ] ||
  fail "deleting the app deleted the hand-made Service"
pass "deleting the app leaves the hand-made Service in place"

app shop "$NS" web "  annotations: {shopctl.io/adopt-existing: \"true\"}" | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 120
[ "$(kc -n "$NS" get svc web -o jsonpath='{.metadata.ownerReferences[0].name}')" = shop ] || fail "the annotated app did not adopt the Service"
[ "$(kc -n "$NS" get svc web -o jsonpath='{.spec.ports[0].targetPort}')" = http ] || fail "the adopted Service was not brought to the rendered spec"
pass "with shopctl.io/adopt-existing=true the app takes the Service over"

# ---- default/kubernetes ---------------------------------------------------------------------
k8s_before=$(kc -n default get svc kubernetes -o json | jq -c '{uid: .metadata.uid, rv: .metadata.resourceVersion, spec: .spec, labels: .metadata.labels, owners: .metadata.ownerReferences}')
ns_labels_before=$(kc get ns default -o json | jq -c '.metadata.labels')
restore_default() {
  kc -n default delete shopapp k8s --ignore-not-found --wait=true >/dev/null 2>&1 || true
  # the app's Namespace object labelled default for Pod Security: put its labels back
  local l
  for l in $(kc get ns default -o json | jq -r '.metadata.labels | keys[]'); do
    jq -e --arg l "$l" 'has($l)' <<<"$ns_labels_before" >/dev/null || kc label ns default "$l-" >/dev/null 2>&1 || true
  done
}
trap 'restore_default; op_cleanup; e2e_cleanup_namespaces' EXIT
op_start b --namespace default --leader-elect=false
app k8s default kubernetes | kc apply --server-side -f - >/dev/null
wait_for "a ShopApp with a service named kubernetes in default is Stalled" 60 jp_is default shopapp/k8s '{.status.conditions[?(@.type=="Stalled")].status}' True
msg=$(stalled_msg default k8s)
grep -q "Service/kubernetes: exists and was not created by this ShopApp" <<<"$msg" || fail "the condition does not name default/kubernetes: $msg"
sleep 3
k8s_after=$(kc -n default get svc kubernetes -o json | jq -c '{uid: .metadata.uid, rv: .metadata.resourceVersion, spec: .spec, labels: .metadata.labels, owners: .metadata.ownerReferences}')
[ "$k8s_before" = "$k8s_after" ] || fail "default/kubernetes was changed: before $k8s_before, after $k8s_after"
kc -n default delete shopapp k8s --wait=true >/dev/null
wait_for "the app's own objects in default are collected" 60 absent default deploy/kubernetes networkpolicy/kubernetes
kc -n default get svc kubernetes >/dev/null || fail "default/kubernetes is gone"
pass "default/kubernetes is untouched and survives the app's deletion"

# ---- system namespaces ----------------------------------------------------------------------
for sys in kube-system kube-public kube-node-lease; do
  expect_fail "validate refuses an app in $sys" "metadata.namespace: \"$sys\" is a system namespace" \
    "$SHOPCTL" validate -f <(app sys "$sys" web)
done
op_no_forbidden "$since"
