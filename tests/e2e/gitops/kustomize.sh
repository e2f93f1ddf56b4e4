#!/usr/bin/env bash
# The GitOps tree of `shopctl render --layout kustomize`:
#  - re-rendering an unchanged app changes no byte;
#  - `kubectl apply --server-side -k` applies it cleanly (no warnings) to the real API server;
#  - the objects it yields are the operator's: compared field by field with the same app
#    reconciled by shop-operator in another namespace, and `shopctl diff` finds nothing to do;
#  - an overlay (--overlay prod --set ...) builds with kubectl's kustomize into exactly the app
#    rendered with those values, and applies cleanly on top.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
gt_install_crd
gt_app_namespace gkus
NS_A=$APP_NS
gt_app_namespace gkop
NS_B=$APP_NS
app() {
  cat <<APP
$(shopapp_header shop "$1")
  gateway: {host: shop.example.com}
  services:
$(nginx_service web)
    expose: {paths: ["/"]}
    dependsOn: [api]
$(nginx_service api)
  databases:
  - {name: db, engine: redis}
APP
}
app "$NS_A" >"$GT_DIR/a.yaml"
app "$NS_B" >"$GT_DIR/b.yaml"

# 1. Stable bytes.
shopctl render -f "$GT_DIR/a.yaml" --layout kustomize --output-dir "$GT_DIR/tree" 2>/dev/null
sums() { (cd "$1" && find . -type f | sort | xargs sha256sum); }
before=$(sums "$GT_DIR/tree")
shopctl render -f "$GT_DIR/a.yaml" --layout kustomize --output-dir "$GT_DIR/tree" 2>/dev/null
[ "$(sums "$GT_DIR/tree")" = "$before" ] || fail "re-rendering changed bytes"
shopctl render -f "$GT_DIR/a.yaml" --layout kustomize --output-dir "$GT_DIR/tree2" 2>/dev/null
diff -r "$GT_DIR/tree" "$GT_DIR/tree2" >/dev/null || fail "two renderings differ"
pass "re-rendering an unchanged app changes no byte ($(wc -l <<<"$before") files)"
grep -q "^kind: Kustomization$" "$GT_DIR/tree/kustomization.yaml" || fail "no kustomization.yaml"
[ "$(kc kustomize "$GT_DIR/tree" | grep -c '^kind: ')" = "$(grep -c '^- ' "$GT_DIR/tree/kustomization.yaml")" ] ||
  fail "kustomize does not list every file"
first=$(kc kustomize "$GT_DIR/tree" | grep -m1 '^kind: ')
[ "$first" = "kind: Namespace" ] || fail "kustomize must put the Namespace first, got $first"
pass "kustomize builds the tree, Namespace first"

# 2. kubectl apply -k: clean (no warning, e.g. from Pod Security), server-side.
kc apply --server-side -k "$GT_DIR/tree" >"$GT_DIR/apply.out" 2>"$GT_DIR/apply.err" ||
  fail "kubectl apply -k failed: $(cat "$GT_DIR/apply.err")"
[ ! -s "$GT_DIR/apply.err" ] || fail "kubectl apply -k warned: $(cat "$GT_DIR/apply.err")"
pass "kubectl apply --server-side -k applied $(wc -l <"$GT_DIR/apply.out") objects with no warning"
# Without an operator, the credentials are the user's job (docs/gitops.md).
kc -n "$NS_A" create secret generic db-credentials --from-literal=password=e2e-not-secret >/dev/null
expect_rc "shopctl diff finds nothing for the operator to change" 0 shopctl diff -f "$GT_DIR/a.yaml"

# 3. The same app reconciled by the operator in another namespace yields the same objects.
gt_operator_start "$NS_B"
expect_rc "the operator reconciles the same app" 0 shopctl apply -f "$GT_DIR/b.yaml" --wait --timeout 180s
gt_operator_stop
shopctl render -f "$GT_DIR/b.yaml" --layout kustomize --output-dir "$GT_DIR/treeB" 2>/dev/null
# Live objects in apply order, without what differs by nature: server bookkeeping, the
# operator's owner reference and hash, allocated cluster IPs, and the namespace's name.
normalize() {
  jq -S 'del(.metadata.managedFields, .metadata.uid, .metadata.resourceVersion, .metadata.creationTimestamp,
             .metadata.generation, .metadata.ownerReferences, .metadata.annotations["shopctl.io/applied-hash"],
             .status, .spec.clusterIP, .spec.clusterIPs)
         | if .metadata.annotations == {} then del(.metadata.annotations) else . end' |
    sed "s/$1/NAMESPACE/g"
}
live() {  # TREE NS
  local f
  for f in $(grep '^- ' "$1/kustomization.yaml" | cut -c3-); do
    kc get -f "$1/$f" -o json | normalize "$2"
  done
}
live "$GT_DIR/tree" "$NS_A" >"$GT_DIR/live-a.json"
live "$GT_DIR/treeB" "$NS_B" >"$GT_DIR/live-b.json"
n=$(grep -c '^  "kind"' "$GT_DIR/live-a.json")
diff -u "$GT_DIR/live-b.json" "$GT_DIR/live-a.json" >"$GT_DIR/live.diff" ||
  fail "kubectl apply -k and the operator yield different objects: $(head -60 "$GT_DIR/live.diff")"
pass "kubectl apply -k yields the same $n objects as the operator, field for field (server defaults included)"

# 4. An overlay: kustomize builds exactly the app rendered with the --set values.
sets=(--set 'services.*.replicas=3' --set services.web.resources.limits.memory=1Gi --set gateway.host=prod.example.com)
shopctl render -f "$GT_DIR/a.yaml" --layout kustomize --output-dir "$GT_DIR/env" --overlay prod "${sets[@]}" 2>/dev/null
[ -f "$GT_DIR/env/base/kustomization.yaml" ] && [ -f "$GT_DIR/env/overlays/prod/kustomization.yaml" ] ||
  fail "no base/overlay layout"
diff -r "$GT_DIR/tree" "$GT_DIR/env/base" >/dev/null || fail "the base differs from the plain tree"
kc kustomize "$GT_DIR/env/overlays/prod" >"$GT_DIR/prod.yaml" || fail "kustomize cannot build the overlay"
expect_rc "the built overlay is the app rendered with the values" 0 \
  shopctl diff -f "$GT_DIR/a.yaml" "${sets[@]}" --against "$GT_DIR/prod.yaml"
expect_rc "and differs from the app without them" 1 shopctl diff -f "$GT_DIR/a.yaml" --against "$GT_DIR/prod.yaml" -o json
got=$(jq -r '[.objects[] | .kind + "/" + .name] | join(" ")' <<<"$OUT")
[ "$got" = "Deployment/web HorizontalPodAutoscaler/api HorizontalPodAutoscaler/web Ingress/shop-gateway" ] ||
  fail "the overlay should patch the web Deployment (memory), both HPAs (replicas) and the Ingress (host): $got"
pass "the overlay patches: $got"
kc apply --server-side -k "$GT_DIR/env/overlays/prod" >/dev/null 2>"$GT_DIR/apply.err" ||
  fail "the overlay does not apply: $(cat "$GT_DIR/apply.err")"
[ ! -s "$GT_DIR/apply.err" ] || fail "kubectl apply -k of the overlay warned: $(cat "$GT_DIR/apply.err")"
expect_rc "after applying the overlay, the cluster is the app with the values" 0 shopctl diff -f "$GT_DIR/a.yaml" "${sets[@]}"
[ "$(kc -n "$NS_A" get hpa web -o jsonpath='{.spec.minReplicas}')" = 3 ] || fail "minReplicas not patched"
[ "$(kc -n "$NS_A" get ingress shop-gateway -o jsonpath='{.spec.rules[0].host}')" = prod.example.com ] || fail "host not patched"
pass "overlay applied: HPA min 3, host prod.example.com"
