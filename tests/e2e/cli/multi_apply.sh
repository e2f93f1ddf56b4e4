#!/usr/bin/env bash
# apply and diff with several ShopApps on the real control plane (issue 12):
#  - a bad file among good ones applies nothing (exit 2): neither app, nor a Namespace;
#  - apply -f a -f b creates both ShopApps (and their namespaces), in that order;
#  - diff -f DIR compares both, and after --wait (shop-operator running) finds no differences;
#  - apply -f DIR again: both unchanged.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../gitops/lib.sh"
gt_install_crd
gt_app_namespace multia
NS_A=$APP_NS
gt_app_namespace multib
NS_B=$APP_NS
mkdir -p "$GT_DIR/apps"
cat >"$GT_DIR/apps/a.yaml" <<APP
$(shopapp_header alpha "$NS_A")
  services:
$(nginx_service web)
APP
cat >"$GT_DIR/apps/b.yaml" <<APP
$(shopapp_header beta "$NS_B")
  services:
$(nginx_service api)
APP
sed 's/^    image: .*/    image: nginx\n    replicaz: 2/' "$GT_DIR/apps/b.yaml" >"$GT_DIR/bad.yaml"

# 1. One bad file: nothing at all.
expect_rc "apply -f a -f bad" 2 shopctl apply -f "$GT_DIR/apps/a.yaml" -f "$GT_DIR/bad.yaml"
grep -q "bad.yaml:[0-9]*:[0-9]*: error: spec.services\[0\].replicaz" <<<"$ERR" || fail "the bad file's error is not at its line: $ERR"
grep -q "nothing applied: 1 of 2 files have errors" <<<"$ERR" || fail "apply does not say nothing was applied: $ERR"
kc get namespace "$NS_A" >/dev/null 2>&1 && fail "apply created namespace $NS_A although another file is bad"
kc get shopapp -A -o name | grep -q alpha && fail "apply applied ShopApp alpha although another file is bad"
pass "a bad file among good ones: nothing applied, no Namespace created"

# 2. apply -f a -f b.
expect_rc "apply -f a -f b" 0 shopctl apply -f "$GT_DIR/apps/a.yaml" -f "$GT_DIR/apps/b.yaml"
want=$(printf 'namespace/%s created\nshopapp.shopctl.io/alpha created\nnamespace/%s created\nshopapp.shopctl.io/beta created' "$NS_A" "$NS_B")
[ "$OUT" = "$want" ] || fail "apply -f a -f b printed: $OUT"
kc -n "$NS_A" get shopapp alpha >/dev/null || fail "ShopApp $NS_A/alpha was not created"
kc -n "$NS_B" get shopapp beta >/dev/null || fail "ShopApp $NS_B/beta was not created"
pass "apply -f a -f b created both ShopApps, in order"

# 3. With the operator: --wait follows both, then diff of the directory finds nothing to change.
# (one operator per namespace: each watches one; the first is stopped on exit here, the second by gt_cleanup)
gt_operator_start "$NS_A"
OPERATOR_A=$GT_OPERATOR_PID
trap 'kill -KILL "$OPERATOR_A" 2>/dev/null; gt_cleanup' EXIT
gt_operator_start "$NS_B"
expect_rc "apply -f DIR --wait" 0 shopctl apply -f "$GT_DIR/apps" --wait --timeout 180s
grep -q "^shopapp.shopctl.io/alpha unchanged$" <<<"$OUT" && grep -q "^shopapp.shopctl.io/beta unchanged$" <<<"$OUT" ||
  fail "apply -f DIR again is not unchanged for both: $OUT"
grep -q "^ShopApp $NS_A/alpha is Ready" <<<"$OUT" && grep -q "^ShopApp $NS_B/beta is Ready" <<<"$OUT" ||
  fail "--wait did not follow both apps to Ready: $OUT"
pass "apply -f DIR --wait: both unchanged, both Ready"
expect_rc "diff -f DIR" 0 shopctl diff -f "$GT_DIR/apps"
grep -q "^no differences ([0-9]* objects compared in 2 ShopApps)$" <<<"$ERR" || fail "diff -f DIR summary: $ERR"
expect_rc "diff -f DIR -o json" 0 shopctl diff -f "$GT_DIR/apps" -o json
[ "$(jq -r '[.[].app.name] | join(" ")' <<<"$OUT")" = "alpha beta" ] || fail "diff -o json of two apps: $(head -c 300 <<<"$OUT")"
# A change to one app shows up as that app's difference.
sed -i 's/^  - name: api$/  - name: api\n    replicas: 3/' "$GT_DIR/apps/b.yaml"
expect_rc "diff -f DIR after changing b" 1 shopctl diff -f "$GT_DIR/apps"
grep -q "^+++ ShopApp $NS_B/beta (merged)" <<<"$OUT" || fail "diff does not show beta's change: $(head -c 600 <<<"$OUT")"
grep -q "^+++ HorizontalPodAutoscaler $NS_B/api" <<<"$OUT" || fail "diff does not show beta's autoscaler: $(head -c 600 <<<"$OUT")"
grep -q "$NS_A/" <<<"$OUT" && fail "diff shows alpha, which did not change: $(head -c 600 <<<"$OUT")"
pass "diff -f DIR: both apps compared, only the changed one differs"
