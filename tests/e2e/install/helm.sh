#!/usr/bin/env bash
# The Helm chart charts/shop-operator (issue 12), with Helm built from the Go module proxy
# (testenv/helm), on the real control plane:
#  - helm lint passes;
#  - helm template with the default values gives the objects of manifests/install.yaml but the
#    Namespace (helm install --create-namespace makes the release's), in the release's namespace,
#    labelled managed-by Helm; nothing else differs;
#  - helm install with image.digest, replicas and watchNamespace set: the Deployment runs
#    REPOSITORY@DIGEST with those replicas and --namespace, the ServiceAccount's lease Role is in
#    the release's namespace;
#  - helm upgrade to another tag changes the image; helm uninstall removes the release's objects
#    and keeps the CRD (Helm never deletes CRDs, and the ShopApps with it).
source "$(dirname "$0")/../lib.sh"
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=$(mktemp -d)
HELM=$(bash "$REPO/testenv/helm") || fail "could not build Helm (testenv/helm)"
REL_NS=e2e-helm-$(date +%s)-$RANDOM
h() { "$HELM" --kubeconfig "$TESTENV_KUBECONFIG" "$@"; }
cleanup() {
  h uninstall shop-operator -n "$REL_NS" >/dev/null 2>&1 || true
  kc delete namespace "$REL_NS" --wait=false >/dev/null 2>&1 || true
  # The operator tests apply the shipped RBAC again when they need it.
  rm -rf "$WORK"
}
trap cleanup EXIT
CHART=$REPO/charts/shop-operator

h lint "$CHART" >"$WORK/lint.out" 2>&1 || fail "helm lint: $(cat "$WORK/lint.out")"
pass "helm lint: $(grep -o '[0-9]* chart(s) linted, [0-9]* chart(s) failed' "$WORK/lint.out")"

# 1. The default values give install.yaml's objects.
norm() {  # YAML -> sorted "kind/ns/name json" lines, without Helm's or kustomize's managed-by label
  kc create --dry-run=client -o json -f "$1" 2>/dev/null |
    jq -c --arg ns "$2" 'if .kind == "List" then .items[] else . end | select(.kind != "Namespace")
      | del(.metadata.labels["app.kubernetes.io/managed-by"])
      | if .metadata.namespace == $ns then .metadata.namespace = "NS" else . end
      | if .kind == "ClusterRoleBinding" or .kind == "RoleBinding" then .subjects |= map(.namespace = "NS") else . end
      | [.kind, (.metadata.namespace // ""), .metadata.name, .]' | sort
}
h template shop-operator "$CHART" -n shop-system --include-crds >"$WORK/template.yaml" 2>"$WORK/template.err" ||
  fail "helm template: $(cat "$WORK/template.err")"
norm "$WORK/template.yaml" shop-system >"$WORK/got"
norm "$REPO/manifests/install.yaml" shop-system >"$WORK/want"
[ -s "$WORK/want" ] || fail "could not read install.yaml"
diff -q "$WORK/want" "$WORK/got" >/dev/null ||
  fail "helm template differs from install.yaml: $(diff <(cut -c1-200 "$WORK/want") <(cut -c1-200 "$WORK/got") | head)"
grep -q 'app.kubernetes.io/managed-by: Helm' "$WORK/template.yaml" || fail "the chart's objects are not labelled managed-by Helm"
pass "helm template (default values) = install.yaml but the Namespace ($(wc -l <"$WORK/got") objects)"

# 2. Install with a digest, 1 replica, one watched namespace. The shipped ClusterRole and its
#    binding (cluster-scoped, the same names) belong to whoever applied them: remove them first.
kc delete clusterrole/shop-operator clusterrolebinding/shop-operator --ignore-not-found >/dev/null
DIGEST=sha256:$(printf 'shop-operator-helm' | sha256sum | cut -d' ' -f1)
h install shop-operator "$CHART" -n "$REL_NS" --create-namespace --set image.repository=registry.example:5000/shop-operator \
  --set image.digest="$DIGEST" --set replicas=1 --set watchNamespace=shop-apps --wait --timeout 120s >"$WORK/install.out" 2>&1 ||
  fail "helm install: $(cat "$WORK/install.out")"
dep() { kc -n "$REL_NS" get deployment shop-operator -o json; }
[ "$(dep | jq -r '.spec.template.spec.containers[0].image')" = "registry.example:5000/shop-operator@$DIGEST" ] ||
  fail "the Deployment does not run the digest: $(dep | jq -r '.spec.template.spec.containers[0].image')"
[ "$(dep | jq -r '.spec.replicas')" = 1 ] || fail "replicas is not 1"
dep | jq -e '.spec.template.spec.containers[0].args | index("--namespace=shop-apps")' >/dev/null || fail "no --namespace=shop-apps"
[ "$(kc -n "$REL_NS" get deployment shop-operator -o jsonpath='{.status.readyReplicas}')" = 1 ] || fail "the Deployment is not ready"
[ "$(kc auth can-i --as="system:serviceaccount:$REL_NS:shop-operator" create leases.coordination.k8s.io -n "$REL_NS")" = yes ] ||
  fail "the release's ServiceAccount may not create its Lease in $REL_NS"
[ "$(kc auth can-i --as="system:serviceaccount:$REL_NS:shop-operator" list shopapps.shopctl.io --all-namespaces)" = yes ] ||
  fail "the ClusterRoleBinding does not name the release's ServiceAccount"
pass "helm install: REPOSITORY@DIGEST, 1 replica ready, --namespace=shop-apps, RBAC bound to $REL_NS/shop-operator"

# 3. Upgrade and uninstall.
h upgrade shop-operator "$CHART" -n "$REL_NS" --reuse-values --set image.digest= --set image.tag=9.9.9 \
  --wait --timeout 120s >"$WORK/upgrade.out" 2>&1 || fail "helm upgrade: $(cat "$WORK/upgrade.out")"
[ "$(dep | jq -r '.spec.template.spec.containers[0].image')" = "registry.example:5000/shop-operator:9.9.9" ] ||
  fail "helm upgrade did not change the image: $(dep | jq -r '.spec.template.spec.containers[0].image')"
pass "helm upgrade --set image.tag=9.9.9 (digest cleared): the Deployment runs :9.9.9"
h uninstall shop-operator -n "$REL_NS" --wait --timeout 120s >"$WORK/uninstall.out" 2>&1 || fail "helm uninstall: $(cat "$WORK/uninstall.out")"
for o in deployment/shop-operator serviceaccount/shop-operator role/shop-operator-leader-election; do
  kc -n "$REL_NS" get "$o" >/dev/null 2>&1 && fail "helm uninstall left $o"
done
kc get clusterrole shop-operator >/dev/null 2>&1 && fail "helm uninstall left the ClusterRole"
kc get crd shopapps.shopctl.io >/dev/null || fail "helm uninstall deleted the CRD"
pass "helm uninstall removed the release's objects and kept the CRD"
