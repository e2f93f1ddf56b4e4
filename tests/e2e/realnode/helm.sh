#!/usr/bin/env bash
# shop-operator installed with the Helm chart (charts/shop-operator, issue 12) on the real node,
# as a user with a registry would: the image built here (testenv/images) referenced by its
# digest, not a tag.
#  - helm install with image.digest = the manifest digest containerd holds for the image,
#    pullPolicy Never (no registry: the kubelet must find the image by that digest alone),
#    nodeSelector and tolerations from values: the pod runs that image on the real node, Ready;
#  - the operator it runs reconciles a ShopApp to Ready (its pod a real process on the node);
#  - a digest the node does not hold is not run (ErrImageNeverPull) and the running pod stays;
#    helm rollback returns to the good digest;
#  - helm uninstall removes the operator and keeps the CRD, the ShopApp and its Deployment.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
HELM=$(bash "$ROOT/testenv/helm") || fail "could not build Helm (testenv/helm)"
: "${TESTENV_CTR:?the fixture exports TESTENV_CTR (ctr on the containerd of the node)}"
REL_NS=rn-helm-$RANDOM
h() { "$HELM" --kubeconfig "$TESTENV_KUBECONFIG" "$@"; }
WORK=$(mktemp -d)
cleanup() {
  h uninstall shop-operator -n "$REL_NS" >/dev/null 2>&1 || true
  kc delete namespace "$REL_NS" --wait=false >/dev/null 2>&1 || true
  rm -rf "$WORK"
  e2e_cleanup_namespaces
}
trap cleanup EXIT

# The digest of the image as containerd holds it (the manifest's, as a registry would serve it),
# and a reference by that digest: what `docker push` + a pull by digest leaves on a node.
REPO=${RN_IMG_OPERATOR%:*}
# shellcheck disable=SC2086
DIGEST=$($TESTENV_CTR images ls "name==$RN_IMG_OPERATOR" | awk 'NR == 2 { print $3 }')
[[ $DIGEST =~ ^sha256:[0-9a-f]{64}$ ]] || fail "no digest for $RN_IMG_OPERATOR in containerd: '$DIGEST'"
# shellcheck disable=SC2086
$TESTENV_CTR images tag --force "$RN_IMG_OPERATOR" "$REPO@$DIGEST" >/dev/null ||
  fail "could not name $RN_IMG_OPERATOR by its digest in containerd"
pass "image $REPO@$DIGEST"

kc apply --server-side -f "$ROOT/crds/" >/dev/null || fail "installing the CRD failed"
wait_crds shopapps.shopctl.io
# The chart's ClusterRole and binding have fixed names: the one-file install's must go first.
kc delete clusterrole/shop-operator clusterrolebinding/shop-operator --ignore-not-found >/dev/null

h install shop-operator "$ROOT/charts/shop-operator" -n "$REL_NS" --create-namespace \
  --set image.repository="$REPO" --set image.digest="$DIGEST" --set image.pullPolicy=Never --set replicas=1 \
  --set-json "nodeSelector={\"kubernetes.io/hostname\":\"$RN_NODE\"}" \
  --set-json "tolerations=[{\"key\":\"$TESTENV_REAL_NODE_TAINT\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]" \
  --wait --timeout 180s >"$WORK/install.out" 2>&1 ||
  fail "helm install: $(cat "$WORK/install.out"; kc -n "$REL_NS" get pods -o wide; kc -n "$REL_NS" describe pods | tail -20)"
pod_json() { kc -n "$REL_NS" get pods -l app.kubernetes.io/name=shop-operator -o json; }
running=$(pod_json | jq -r '.items[] | select(.status.phase == "Running") | "\(.spec.nodeName) \(.spec.containers[0].image) \(.status.containerStatuses[0].ready)"')
[ "$running" = "$RN_NODE $REPO@$DIGEST true" ] ||
  fail "expected one Ready pod on $RN_NODE running $REPO@$DIGEST, got: $running"
pass "helm install: the pod runs $REPO@${DIGEST:0:19}... on $RN_NODE, Ready (pullPolicy Never: found by digest)"

e2e_namespace rn-helm-app
rn_shopapp_header shop >"$WORK/shop.yaml"
cat >>"$WORK/shop.yaml" <<YAML
  services:
$(rn_nginx_service web)
    replicas: 1
    autoscaling: {enabled: false}
YAML
kc apply -f "$WORK/shop.yaml" >/dev/null || fail "applying the ShopApp failed"
kc -n "$NS" wait --for=condition=Ready shopapp/shop --timeout=180s >/dev/null ||
  fail "the Helm-installed operator did not make the ShopApp Ready: $(kc -n "$NS" get shopapp shop -o jsonpath='{.status.conditions}'; kc -n "$REL_NS" logs -l app.kubernetes.io/name=shop-operator --tail=20 2>&1)"
[ "$(kc -n "$NS" get deploy web -o jsonpath='{.status.readyReplicas}')" -ge 1 ] || fail "Deployment web has no ready replica"
pass "the operator reconciled a ShopApp to Ready; web's pods run on the real node"

# A digest the node does not hold: the new pod cannot start, the old one keeps running.
BAD=sha256:$(printf 'not-this-image' | sha256sum | cut -d' ' -f1)
h upgrade shop-operator "$ROOT/charts/shop-operator" -n "$REL_NS" --reuse-values --set image.digest="$BAD" \
  >"$WORK/upgrade.out" 2>&1 || fail "helm upgrade: $(cat "$WORK/upgrade.out")"
never_pull() {
  pod_json | jq -e --arg img "$REPO@$BAD" '[.items[] | select(.spec.containers[0].image == $img)
    | .status.containerStatuses[0].state.waiting.reason] | index("ErrImageNeverPull")' >/dev/null
}
wait_for "the pod of the unknown digest waits with ErrImageNeverPull" 90 never_pull
ready_good=$(pod_json | jq -r --arg img "$REPO@$DIGEST" '[.items[] | select(.spec.containers[0].image == $img and .status.containerStatuses[0].ready)] | length')
[ "$ready_good" = 1 ] || fail "the pod of the good digest did not stay Ready during the bad upgrade ($ready_good)"
pass "an unknown digest is not run (ErrImageNeverPull); the running operator stays Ready"
h rollback shop-operator 1 -n "$REL_NS" --wait --timeout 120s >"$WORK/rollback.out" 2>&1 ||
  fail "helm rollback: $(cat "$WORK/rollback.out")"
gone_bad() { [ "$(pod_json | jq --arg img "$REPO@$BAD" '[.items[] | select(.spec.containers[0].image == $img)] | length')" = 0 ]; }
wait_for "the unknown digest's pod is gone after the rollback" 90 gone_bad
[ "$(kc -n "$REL_NS" get deploy shop-operator -o jsonpath='{.spec.template.spec.containers[0].image}')" = "$REPO@$DIGEST" ] ||
  fail "helm rollback did not restore $REPO@$DIGEST"
pass "helm rollback: back to $REPO@${DIGEST:0:19}..."

h uninstall shop-operator -n "$REL_NS" --wait --timeout 120s >"$WORK/uninstall.out" 2>&1 ||
  fail "helm uninstall: $(cat "$WORK/uninstall.out")"
kc -n "$REL_NS" get deployment shop-operator >/dev/null 2>&1 && fail "helm uninstall left the operator's Deployment"
kc get crd shopapps.shopctl.io >/dev/null || fail "helm uninstall deleted the CRD"
kc -n "$NS" get shopapp shop >/dev/null || fail "helm uninstall deleted the ShopApp"
kc -n "$NS" get deploy web >/dev/null || fail "helm uninstall deleted the app's Deployment"
pass "helm uninstall removed the operator and kept the CRD, the ShopApp and its Deployment"
