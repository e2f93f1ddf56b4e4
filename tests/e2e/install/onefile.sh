#!/usr/bin/env bash
# The one-file operator install (issue 12), on the real control plane:
#  - manifests/install.yaml holds exactly the CRD plus what `kubectl kustomize manifests/operator`
#    builds (the generator adds nothing and loses nothing);
#  - applied with server-side apply, the CRD is Established and the operator's namespace,
#    ServiceAccount, RBAC and Deployment (2 replicas) exist;
#  - the operator's ServiceAccount may do what it needs and no more (kubectl auth can-i);
#  - scripts/gen-install.py --image REPO@sha256:... gives the same install with that image,
#    which the API server accepts (dry run);
#  - kubectl delete of the file is accepted (dry run; the namespace, ServiceAccount and RBAC
#    stay, other tests use them), and the workload objects are deleted for real.
source "$(dirname "$0")/../lib.sh"
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
INSTALL=$REPO/manifests/install.yaml

# 1. The same objects as the sources.
objects() {  # kubectl's own reading of YAML -> one "kind/namespace/name <json>" line per object, sorted
  kc create --dry-run=client -o json -f "$1" 2>/dev/null |
    jq -c 'if .kind == "List" then .items[] else . end | [.kind, (.metadata.namespace // ""), .metadata.name, .] ' | sort
}
{ cat "$REPO/crds/shopapps.shopctl.io.yaml"; echo ---; kc kustomize "$REPO/manifests/operator"; } >"$WORK/sources.yaml"
objects "$WORK/sources.yaml" >"$WORK/want"
objects "$INSTALL" >"$WORK/got"
[ -s "$WORK/want" ] || fail "could not read the sources' objects"
diff -q "$WORK/want" "$WORK/got" >/dev/null ||
  fail "install.yaml is not the CRD + kustomize build: $(diff <(cut -c1-160 "$WORK/want") <(cut -c1-160 "$WORK/got") | head -20)"
pass "install.yaml = the CRD + kubectl kustomize manifests/operator ($(wc -l <"$WORK/got") objects)"

# 2. Applied.
kc apply --server-side --force-conflicts -f "$INSTALL" >"$WORK/apply.out" || fail "apply of install.yaml: $(cat "$WORK/apply.out")"
wait_crds shopapps.shopctl.io
for o in namespace/shop-system serviceaccount/shop-operator deployment/shop-operator service/shop-operator-metrics \
         poddisruptionbudget/shop-operator networkpolicy/shop-operator clusterrole/shop-operator clusterrolebinding/shop-operator \
         role/shop-operator-leader-election rolebinding/shop-operator-leader-election; do
  kc -n shop-system get "$o" >/dev/null 2>&1 || fail "install.yaml did not create $o"
done
[ "$(kc -n shop-system get deployment shop-operator -o jsonpath='{.spec.replicas}')" = 2 ] || fail "the Deployment does not ask for 2 replicas"
pass "applied: the CRD is Established; namespace, ServiceAccount, RBAC, Deployment (2 replicas), PDB, Service, NetworkPolicy exist"

# 3. What the ServiceAccount may do.
SA=system:serviceaccount:shop-system:shop-operator
e2e_namespace install
can() { kc auth can-i --as="$SA" "$@" 2>/dev/null; }
for allowed in "list shopapps.shopctl.io --all-namespaces" "patch shopapps.shopctl.io --subresource=status -n $NS" \
               "create deployments.apps -n $NS" "patch statefulsets.apps -n $NS" "create networkpolicies.networking.k8s.io -n $NS" \
               "create secrets -n $NS" "watch secrets --all-namespaces" "create events.events.k8s.io -n $NS" \
               "create leases.coordination.k8s.io -n shop-system" "update leases.coordination.k8s.io/shop-operator -n shop-system"; do
  # shellcheck disable=SC2086
  [ "$(can $allowed)" = yes ] || fail "the operator may not: $allowed"
done
for refused in "delete secrets -n $NS" "update secrets -n $NS" "create leases.coordination.k8s.io -n $NS" \
               "update leases.coordination.k8s.io/other -n shop-system" "create pods/exec -n $NS" "delete nodes" \
               "create clusterrolebindings.rbac.authorization.k8s.io" "escalate clusterroles.rbac.authorization.k8s.io"; do
  # shellcheck disable=SC2086
  [ "$(can $refused)" = no ] || fail "the operator may: $refused"
done
pass "the ServiceAccount may do what the operator needs (10 checks) and not what it does not (8 checks)"

# 4. Another image, by digest.
DIGEST=sha256:$(printf 'shop-operator' | sha256sum | cut -d' ' -f1)
python3 "$REPO/scripts/gen-install.py" --image "registry.example:5000/shop/shop-operator@$DIGEST" >"$WORK/digest.yaml" ||
  fail "gen-install.py --image failed"
[ "$(grep -c "image: registry.example:5000/shop/shop-operator@$DIGEST$" "$WORK/digest.yaml")" = 1 ] || fail "the digest is not the image"
kc apply --server-side --force-conflicts --dry-run=server -f "$WORK/digest.yaml" -o json >"$WORK/digest.json" ||
  fail "the API server refuses the install with a digest"
[ "$(jq -r '.items[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].image' "$WORK/digest.json")" = \
  "registry.example:5000/shop/shop-operator@$DIGEST" ] || fail "the dry run's Deployment has another image"
expect_fail "gen-install.py --image with a short digest" "expected REPO:TAG or REPO@sha256" \
  python3 "$REPO/scripts/gen-install.py" --image "r/shop-operator@sha256:abc"
pass "gen-install.py --image REPO@sha256:... installs that digest (server dry run); a bad reference is refused"

# 5. Removal.
kc delete --dry-run=server -f "$INSTALL" >"$WORK/delete.out" 2>&1 || fail "kubectl delete of install.yaml: $(cat "$WORK/delete.out")"
kc -n shop-system delete deployment/shop-operator service/shop-operator-metrics poddisruptionbudget/shop-operator \
  networkpolicy/shop-operator --wait=true --timeout=60s >/dev/null || fail "could not delete the operator's workload objects"
pass "kubectl delete -f install.yaml is accepted (server dry run); the Deployment, Service, PDB and NetworkPolicy are gone"
