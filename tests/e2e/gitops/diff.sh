#!/usr/bin/env bash
# shopctl diff against a real cluster and against a directory:
#  - no differences right after the operator converged (cluster and rendered tree);
#  - exactly the change after a manual edit of a child, and after edits of the ShopApp file
#    (a changed image; a service removed and one added: creates and prunes);
#  - Secret values never printed; exit codes as kubectl diff (0 same, 1 differ, >1 error);
#  - SHOPCTL_EXTERNAL_DIFF; the operator reverting the drift brings diff back to 0.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
gt_install_crd
gt_app_namespace gdiff
app() {  # $1: image tag of api; $2: extra services
  cat <<APP
$(shopapp_header shop "$APP_NS")
  services:
$(nginx_service web)
    dependsOn: [api]
$(nginx_service api "nginxinc/nginx-unprivileged:$1")
$2
  databases:
  - {name: db, engine: redis}
APP
}
app 1.27.2-alpine "" >"$GT_DIR/app.yaml"

gt_operator_start
expect_rc "apply --wait returns when Ready" 0 shopctl apply -f "$GT_DIR/app.yaml" --wait --timeout 180s

# 1. Converged: nothing to report, nothing on stdout.
expect_rc "no differences right after the operator converged" 0 shopctl diff -f "$GT_DIR/app.yaml"
[ -z "$OUT" ] || fail "stdout should be empty: $OUT"
grep -q "no differences" <<<"$ERR" || fail "no summary: $ERR"
expect_rc "-o json agrees" 0 shopctl diff -f "$GT_DIR/app.yaml" -o json
objects=$(( $(shopctl render -f "$GT_DIR/app.yaml" -o json 2>/dev/null | jq '.items | length') + 1 ))  # + the ShopApp
[ "$(jq -r '.differences, (.objects | length), .summary.unchanged' <<<"$OUT" | tr '\n' ' ')" = "false 0 $objects " ] ||
  fail "unexpected JSON (expected $objects unchanged): $(jq -c '.summary, .objects' <<<"$OUT")"

# The operator would undo manual edits at once: stop it, so the drift stays for diff to see.
gt_operator_stop

# 2. A manual edit of a child: exactly that field, nothing else.
kc -n "$APP_NS" patch deployment web --type merge \
  -p '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":45}}}}' >/dev/null
expect_rc "a manual edit of a child is a difference" 1 shopctl diff -f "$GT_DIR/app.yaml"
changed=$(grep -E '^[-+]' <<<"$OUT" | grep -vE '^(---|\+\+\+) ')
[ "$changed" = "-      terminationGracePeriodSeconds: 45
+      terminationGracePeriodSeconds: 30" ] || fail "expected exactly the grace period line, got: $OUT"
[ "$(grep -c '^--- ' <<<"$OUT")" = 1 ] && grep -q "^--- Deployment $APP_NS/web (live)$" <<<"$OUT" &&
  grep -q "^+++ Deployment $APP_NS/web (merged)$" <<<"$OUT" || fail "one section headed by the object: $OUT"
pass "the diff shows exactly the edited field"
expect_rc "-o json names the field" 1 shopctl diff -f "$GT_DIR/app.yaml" -o json
[ "$(jq -c '[.objects[] | {kind, name, action, changes}]' <<<"$OUT")" = \
  '[{"kind":"Deployment","name":"web","action":"change","changes":[{"path":"/spec/template/spec/terminationGracePeriodSeconds","op":"replace","before":45,"after":30}]}]' ] ||
  fail "unexpected JSON: $(jq -c '.objects' <<<"$OUT")"
pass "JSON: one object, one field, before 45 after 30"
# A label added by hand is someone else's field: server-side apply keeps it, so it is no difference.
kc -n "$APP_NS" label service web team=payments >/dev/null
expect_rc "fields of other managers are not differences" 1 shopctl diff -f "$GT_DIR/app.yaml" -o json
[ "$(jq '.objects | length' <<<"$OUT")" = 1 ] || fail "the label shows as a difference: $(jq -c .objects <<<"$OUT")"
kc -n "$APP_NS" patch deployment web --type merge \
  -p '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":30}}}}' >/dev/null
expect_rc "the edit undone: no differences" 0 shopctl diff -f "$GT_DIR/app.yaml"

# 3. An edit of the ShopApp file: a new image tag for api.
app 1.27.3-alpine "" >"$GT_DIR/app-image.yaml"
expect_rc "an edit of the ShopApp file is a difference" 1 shopctl diff -f "$GT_DIR/app-image.yaml" -o json
[ "$(jq -c '[.objects[] | [.kind, .name, .action, [.changes[].path]]]' <<<"$OUT")" = \
  '[["ShopApp","shop","change",["/spec/services/1/image"]],["Deployment","api","change",["/spec/template/metadata/labels/app.kubernetes.io~1version","/spec/template/spec/containers/0/image"]]]' ] ||
  fail "unexpected changes: $(jq -c '[.objects[] | [.kind, .name, .action, [.changes[].path]]]' <<<"$OUT")"
pass "exactly the ShopApp's image field and what it renders into (image and version label of api)"
expect_rc "unified output of the same" 1 shopctl diff -f "$GT_DIR/app-image.yaml"
grep -q "^+      - image: nginxinc/nginx-unprivileged:1.27.3-alpine$" <<<"$OUT" &&
  grep -q "^-      - image: nginxinc/nginx-unprivileged:1.27.2-alpine$" <<<"$OUT" || fail "image lines missing: $OUT"

# 4. A service removed and one added: the operator would create the new one's objects and
#    prune the old one's (only objects it controls; the Namespace and PVCs never).
cat >"$GT_DIR/app-swap.yaml" <<APP
$(shopapp_header shop "$APP_NS")
  services:
$(nginx_service web)
    dependsOn: [cart]
$(nginx_service cart)
  databases:
  - {name: db, engine: redis}
APP
expect_rc "a swapped service: creates and prunes" 1 shopctl diff -f "$GT_DIR/app-swap.yaml" -o json
created=$(jq -r '[.objects[] | select(.action == "create") | .kind + "/" + .name] | join(" ")' <<<"$OUT")
pruned=$(jq -r '[.objects[] | select(.action == "delete") | .kind + "/" + .name] | join(" ")' <<<"$OUT")
[ "$created" = "ServiceAccount/cart Service/cart Deployment/cart HorizontalPodAutoscaler/cart PodDisruptionBudget/cart NetworkPolicy/cart" ] ||
  fail "created: $created"
[ "$pruned" = "ServiceAccount/api Service/api Deployment/api HorizontalPodAutoscaler/api PodDisruptionBudget/api NetworkPolicy/api" ] ||
  fail "pruned: $pruned"
pass "would create: $created; would prune: $pruned"
jq -e '[.objects[] | select(.action == "delete")] | all(.after == "pruned")' <<<"$OUT" >/dev/null || fail "prunes not labelled"

# 5. Secrets: a missing credentials Secret is listed as created, its values masked.
pw=$(kc -n "$APP_NS" get secret db-credentials -o jsonpath='{.data.password}')
[ -n "$pw" ] || fail "the operator did not create db-credentials"
kc -n "$APP_NS" delete secret db-credentials >/dev/null
expect_rc "a Secret the operator would create" 1 shopctl diff -f "$GT_DIR/app.yaml"
grep -q "^+++ Secret $APP_NS/db-credentials (created by the operator, random values)$" <<<"$OUT" || fail "no Secret section: $OUT"
grep -q '^+  password: "\*\*\*"$' <<<"$OUT" || fail "the value is not masked: $OUT"
pass "Secret values masked"

# 6. Exit codes and errors.
printf 'apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: x}\nspec:\n  services: []\n' >"$GT_DIR/bad.yaml"
expect_rc "an invalid ShopApp is a usage error" 2 shopctl diff -f "$GT_DIR/bad.yaml"
grep -q "bad.yaml:" <<<"$ERR" || fail "no file:line in: $ERR"
sed "s#server: .*#server: https://127.0.0.1:1#" "$TESTENV_KUBECONFIG" >"$GT_DIR/unreachable.kubeconfig"
expect_rc "an unreachable cluster is a runtime error" 3 shopctl diff -f "$GT_DIR/app.yaml" --kubeconfig "$GT_DIR/unreachable.kubeconfig"
grep -q "cannot reach the cluster" <<<"$ERR" || fail "unclear message: $ERR"
expect_rc "a bad -o is a usage error" 2 shopctl diff -f "$GT_DIR/app.yaml" -o yaml

# 7. SHOPCTL_EXTERNAL_DIFF: another program on two directories, its exit status ours.
expect_rc "external diff with differences" 1 env SHOPCTL_EXTERNAL_DIFF="diff -r -N" "$SHOPCTL_BIN" diff -f "$GT_DIR/app.yaml"
grep -q "^diff -r -N .*/LIVE/v1.Secret.$APP_NS.db-credentials .*/MERGED/v1.Secret.$APP_NS.db-credentials$" <<<"$OUT" ||
  fail "kubectl-style file names expected: $OUT"
expect_rc "an external diff argument with a path is refused" 2 env SHOPCTL_EXTERNAL_DIFF="diff /etc" "$SHOPCTL_BIN" diff -f "$GT_DIR/app.yaml"

# 8. Against a directory: the tree render writes, then a stale edit in it.
shopctl render -f "$GT_DIR/app.yaml" --layout kustomize --output-dir "$GT_DIR/tree" 2>/dev/null
expect_rc "the rendered tree equals the rendering" 0 shopctl diff -f "$GT_DIR/app.yaml" --against "$GT_DIR/tree"
expect_rc "the tree is behind an edited ShopApp" 1 shopctl diff -f "$GT_DIR/app-image.yaml" --against "$GT_DIR/tree" -o json
[ "$(jq -r '[.objects[] | .kind + "/" + .name + ":" + .action] | join(" ")' <<<"$OUT")" = "Deployment/api:change" ] ||
  fail "against the tree: $(jq -c .objects <<<"$OUT")"
grep -q "\"before\": \"$GT_DIR/tree/deployment-api.yaml\"" <<<"$OUT" || fail "the repo file is not named: $OUT"
rm "$GT_DIR/tree/service-web.yaml"
expect_rc "a file listed but missing is an input error" 2 shopctl diff -f "$GT_DIR/app.yaml" --against "$GT_DIR/tree"

# 9. The operator back: it re-creates the Secret, and diff agrees there is nothing left to do.
gt_operator_start
diff_clean() { shopctl diff -f "$GT_DIR/app.yaml" >/dev/null 2>&1; }
wait_for "diff is clean again once the operator reconciled" 60 diff_clean
[ "$(kc -n "$APP_NS" get secret db-credentials -o jsonpath='{.data.password}')" != "$pw" ] || fail "same password?"
gt_operator_stop
