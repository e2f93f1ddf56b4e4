#!/usr/bin/env bash
# shopctl delete on the real control plane, with shop-operator reconciling (issue 12):
#  - delete --wait: the ShopApp and every object it owns are gone when it returns (foreground
#    deletion, the operator's owner references); the PVCs and generated Secrets are kept;
#  - --purge without a terminal and without --yes is refused, and deletes nothing; on a terminal
#    it asks, and "n" deletes nothing;
#  - --purge --yes --wait also deletes the PVCs and the Secrets the operator generated, and keeps
#    the user's Secrets, even one labelled like the generated ones;
#  - kubectl get shopapp shows the STATUS and MESSAGE columns of a Ready app;
#  - deleting an app that does not exist exits 1.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../gitops/lib.sh"
gt_install_crd
gt_app_namespace clidel
gt_web_redis_app
gt_operator_start
owned() {  # objects in the namespace that carry the app's label (pods too), but PVCs, Secrets and Events
  kc -n "$APP_NS" get deploy,rs,sts,pod,svc,cm,sa,pdb,netpol,role,rolebinding -l shopctl.io/app=shop -o name 2>/dev/null
}
has_pvc() { [ -n "$(kc -n "$APP_NS" get pvc -l shopctl.io/app=shop -o name)" ]; }
up() {
  expect_rc "apply --wait" 0 shopctl apply -f "$GT_DIR/app.yaml" --wait --timeout 180s
  secrets=$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.status.secrets[*]}')
  [ -n "$secrets" ] || fail "the app lists no Secrets"
  wait_for "the database's PVC exists" 60 has_pvc
}

# 1. Plain delete --wait.
up
row=$(kc -n "$APP_NS" get shopapp shop)
head -1 <<<"$row" | grep -qE '^NAME +READY +STATUS +SERVICES +COMPONENTS +AGE +MESSAGE$' || fail "printer columns: $row"
tail -1 <<<"$row" | grep -qE '^shop +True +Current +1 +2/2 +[0-9a-z]+ +all 2 components ready$' || fail "the row: $row"
pass "kubectl get shopapp: STATUS Current, MESSAGE the Ready condition's"
[ -n "$(owned)" ] || fail "the app has no objects before the delete"
expect_rc "delete --wait" 0 shopctl delete shop -n "$APP_NS" --wait --timeout 120s
grep -q '^shopapp.shopctl.io "shop" deleted$' <<<"$OUT" || fail "no kubectl-style line: $OUT"
grep -q "^ShopApp $APP_NS/shop and its objects are gone" <<<"$OUT" || fail "no 'gone' line: $OUT"
kc -n "$APP_NS" get shopapp shop >/dev/null 2>&1 && fail "the ShopApp is still there"
[ -z "$(owned)" ] || fail "objects the ShopApp owned are left after --wait: $(owned)"
for s in $secrets; do kc -n "$APP_NS" get secret "$s" >/dev/null || fail "delete without --purge deleted Secret $s"; done
[ -n "$(kc -n "$APP_NS" get pvc -l shopctl.io/app=shop -o name)" ] || fail "delete without --purge deleted the PVCs"
pass "delete --wait: the ShopApp and its objects are gone, its PVCs and Secrets kept"

# 2. --purge: refused without a terminal and --yes; with --yes only the operator's Secrets go.
up
kc -n "$APP_NS" create secret generic user-token --from-literal=token=mine >/dev/null
kc -n "$APP_NS" create secret generic lookalike --from-literal=password=mine >/dev/null
kc -n "$APP_NS" label secret lookalike shopctl.io/app=shop app.kubernetes.io/component=credentials \
  app.kubernetes.io/managed-by=shopctl >/dev/null
expect_rc "--purge without a terminal or --yes" 2 shopctl delete -f "$GT_DIR/app.yaml" --purge </dev/null
grep -q "add --yes to confirm" <<<"$ERR" || fail "unclear refusal: $ERR"
kc -n "$APP_NS" get shopapp shop >/dev/null || fail "a refused --purge deleted the ShopApp"
# On a terminal (script(1) gives it one) --purge lists what it would delete and asks; an answer
# other than y/yes deletes nothing.
if command -v script >/dev/null; then
  rc=0
  out=$(printf 'n\n' | script -qec "'$SHOPCTL_BIN' delete -f '$GT_DIR/app.yaml' --purge" /dev/null 2>&1) || rc=$?
  [ "$rc" = 1 ] || fail "--purge answered n on a terminal: exit $rc, want 1: $out"
  grep -q "Delete? \[y/N\]" <<<"$out" || fail "no question on a terminal: $out"
  for s in $secrets; do grep -q "Secrets shop-operator generated: .*$s" <<<"$out" || fail "the question does not list $s: $out"; done
  grep -q lookalike <<<"$out" && fail "the question lists the user's Secret: $out"
  grep -q "nothing deleted" <<<"$out" || fail "no 'nothing deleted': $out"
  kc -n "$APP_NS" get shopapp shop >/dev/null || fail "answering n deleted the ShopApp"
  pass "--purge on a terminal asks, lists the generated Secrets, and 'n' deletes nothing"
else
  echo "note: script(1) is not installed; the terminal question is not checked" >&2
fi
expect_rc "delete --purge --yes --wait" 0 shopctl delete -f "$GT_DIR/app.yaml" --purge --yes --wait --timeout 180s
for s in $secrets; do
  grep -q "^secret \"$s\" deleted$" <<<"$OUT" || fail "Secret $s not purged: $OUT"
  kc -n "$APP_NS" get secret "$s" >/dev/null 2>&1 && fail "Secret $s is still there"
done
grep -q '^persistentvolumeclaim "' <<<"$OUT" || fail "no PVC purged: $OUT"
[ -z "$(kc -n "$APP_NS" get pvc -l shopctl.io/app=shop -o name)" ] || fail "PVCs left: $(kc -n "$APP_NS" get pvc)"
kc -n "$APP_NS" get secret user-token >/dev/null || fail "--purge deleted the user's Secret"
kc -n "$APP_NS" get secret lookalike >/dev/null || fail "--purge deleted a user's Secret labelled like a generated one"
grep -q lookalike <<<"$OUT" && fail "--purge names the user's Secret: $OUT"
[ -z "$(owned)" ] || fail "objects left: $(owned)"
pass "--purge --yes: generated Secrets and PVCs gone, the user's Secrets kept"

# 3. Nothing to delete.
expect_rc "delete of an app that does not exist" 1 shopctl delete shop -n "$APP_NS"
grep -q "ShopApp $APP_NS/shop not found" <<<"$ERR" || fail "unclear: $ERR"
