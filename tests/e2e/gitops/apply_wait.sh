#!/usr/bin/env bash
# shopctl apply --wait and shopctl status against shop-operator on the real control plane:
#  - apply creates the namespace and the ShopApp, and --wait returns 0 once Ready, with progress
#    lines in a log (no terminal);
#  - a Stalled app fails at once with the blocking condition (a Secret the user must create; an
#    invalid spec that passes the CRD, sent with --validate=false);
#  - no operator: --wait times out, naming the unobserved generation;
#  - status lists apps (namespace, -A), shows one in detail (conditions, components, replication
#    members, events), -o json with kstatus, -w redraws, a missing app exits 1.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
gt_install_crd
gt_app_namespace gwait
app() {  # NAME EXTRA-DB-FIELDS EXTRA-SERVICE-FIELDS (component names are per app: they share a namespace)
  cat <<APP
$(shopapp_header "$1" "$APP_NS")
  services:
$(nginx_service "$1-web")
$3
  databases:
  - name: $1-db
    engine: redis
$2
APP
}
app shop "" "" >"$GT_DIR/shop.yaml"
gt_operator_start

# 1. Ready.
expect_rc "apply --wait returns 0 when Ready" 0 shopctl apply -f "$GT_DIR/shop.yaml" --wait --timeout 180s
grep -q "^namespace/$APP_NS created$" <<<"$OUT" || fail "the namespace was not created by apply: $OUT"
grep -q "^shopapp.shopctl.io/shop created$" <<<"$OUT" || fail "no 'created' line: $OUT"
grep -qE "^\[ *[0-9]+s\] ShopApp $APP_NS/shop " <<<"$OUT" || fail "no progress lines in a log: $OUT"
grep -q "^ShopApp $APP_NS/shop is Ready: all 2 components ready" <<<"$OUT" || fail "no Ready line: $OUT"
gt_condition_is shop Ready True || fail "Ready is not True after apply --wait returned"
expect_rc "applying the same file again" 0 shopctl apply -f "$GT_DIR/shop.yaml"
grep -q "^shopapp.shopctl.io/shop unchanged$" <<<"$OUT" || fail "expected 'unchanged': $OUT"

# 2. Stalled: a Secret only the user can create.
app nosecret "    credentials: {generate: false, secretName: db-by-hand}" "" >"$GT_DIR/nosecret.yaml"
expect_rc "apply --wait fails on a Stalled app" 1 shopctl apply -f "$GT_DIR/nosecret.yaml" --wait --timeout 120s
grep -q "ShopApp $APP_NS/nosecret is Stalled: SecretsMissing: create the Secret(s) db-by-hand" <<<"$ERR" ||
  fail "the blocking condition is not named: $ERR"
# An invalid spec the CRD accepts: the operator says Stalled (InvalidSpec) and names the field.
app badprobe "" "    probes: {readiness: {http: {path: /, port: admin}}}" >"$GT_DIR/badprobe.yaml"
expect_rc "a spec shopctl knows is invalid is refused before the cluster" 2 shopctl apply -f "$GT_DIR/badprobe.yaml" --wait
grep -q "badprobe.yaml:.*spec.services\[0\].probes.readiness" <<<"$ERR" || fail "no file:line:col: $ERR"
kc -n "$APP_NS" get shopapp badprobe >/dev/null 2>&1 && fail "an invalid app reached the cluster"
expect_rc "--validate=false sends it; --wait reports the operator's verdict" 1 \
  shopctl apply -f "$GT_DIR/badprobe.yaml" --validate=false --wait --timeout 120s
grep -q "is Stalled: InvalidSpec: spec.services\[0\].probes.readiness: port \"admin\"" <<<"$ERR" || fail "unclear: $ERR"

# 3. Status.
expect_rc "status lists the namespace's apps" 0 shopctl status -n "$APP_NS"
[ "$(head -1 <<<"$OUT" | tr -s ' ')" = "NAME READY STATUS COMPONENTS AGE MESSAGE" ] || fail "header: $OUT"
grep -qE "^shop +True +Current +2/2 " <<<"$OUT" || fail "shop row: $OUT"
grep -qE "^nosecret +False +Failed +" <<<"$OUT" || fail "nosecret row: $OUT"
grep -qE "^badprobe +False +Failed +" <<<"$OUT" || fail "badprobe row: $OUT"
expect_rc "status -A includes the namespace column" 0 shopctl status -A
grep -qE "^$APP_NS +shop +True +Current" <<<"$OUT" || fail "-A: $OUT"
expect_rc "status NAME shows the app in detail" 0 shopctl status shop -n "$APP_NS"
for section in "Status:      Current" "CONDITIONS" "COMPONENTS" "REPLICATION MEMBERS" "EVENTS"; do
  grep -q "$section" <<<"$OUT" || fail "no '$section' in: $OUT"
done
grep -qE "^  shop-db +shop-db-0 \(ready\) shop-db-1 \(ready\) shop-db-2 \(ready\)" <<<"$OUT" || fail "replication members: $OUT"
grep -qE "^  shop-web +service +Deployment/shop-web +2/2 " <<<"$OUT" || fail "web component: $OUT"
grep -qE "Normal +SecretCreated +created Secret shop-db-credentials" <<<"$OUT" || fail "events: $OUT"
expect_rc "status -o json" 0 shopctl status shop -n "$APP_NS" -o json
[ "$(jq -r '.kstatus.status, (.members["shop-db"] | length), (.components | length), .observedGeneration' <<<"$OUT" | tr '\n' ' ')" = \
  "Current 3 2 1 " ] || fail "json: $(jq -c '{kstatus, members, observedGeneration}' <<<"$OUT")"
expect_rc "status -o yaml" 0 shopctl status badprobe -n "$APP_NS" -o yaml
grep -q "^  status: Failed$" <<<"$OUT" || fail "yaml: $OUT"
expect_rc "status of a missing app" 1 shopctl status nope -n "$APP_NS"
grep -q "ShopApp $APP_NS/nope not found" <<<"$ERR" || fail "message: $ERR"
# -w: the first view at once, and a new one when something changes.
timeout 8 "$SHOPCTL_BIN" status shop -n "$APP_NS" -w --interval 1s >"$GT_DIR/watch.out" 2>&1 &
watcher=$!
sleep 3
kc -n "$APP_NS" annotate shopapp shop e2e/touch=1 >/dev/null
kc -n "$APP_NS" patch shopapp shop --type merge -p '{"spec":{"services":[{"name":"shop-web","image":"nginxinc/nginx-unprivileged:1.27.2-alpine","ports":[{"name":"http","port":80,"targetPort":8080}],"writablePaths":["/tmp","/var/cache/nginx"],"replicas":3}]}}' >/dev/null
wait "$watcher" || true
[ "$(grep -c '^ShopApp ' "$GT_DIR/watch.out")" -ge 2 ] || fail "-w did not redraw on a change: $(cat "$GT_DIR/watch.out")"
pass "status -w redraws when the app changes"

# 4. No operator: --wait times out and says what it waits for.
gt_wait_observed shop 60
gt_operator_stop
sed 's/1.27.2-alpine/1.27.3-alpine/' "$GT_DIR/shop.yaml" >"$GT_DIR/shop2.yaml"
expect_rc "without an operator, --wait times out" 1 shopctl apply -f "$GT_DIR/shop2.yaml" --wait --timeout 3s
grep -q "timed out after 3s waiting for ShopApp $APP_NS/shop to be Ready: the operator has not observed generation" <<<"$ERR" ||
  fail "unclear timeout: $ERR"
grep -q "is shop-operator running?" <<<"$ERR" || fail "no hint: $ERR"
expect_rc "a bad --timeout is a usage error" 2 shopctl apply -f "$GT_DIR/shop2.yaml" --wait --timeout soon
