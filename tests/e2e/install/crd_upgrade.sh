#!/usr/bin/env bash
# CRD upgrades (issue 12) on the real control plane: a cluster running the previous release's CRD
# (tests/e2e/install/data/shopapps-crd-2026-11-22.yaml, the CRD as shipped on 2026-11-22, commit d15e253)
# with live ShopApps, upgraded as docs/operator.md "Upgrading the CRD" says. Proves:
#  - under the old CRD, a field added since is refused (strict field validation), not dropped;
#  - applying today's CRD over it rewrites no ShopApp (same resourceVersion, same spec) and keeps
#    one stored version;
#  - today's operator takes the old apps over: a valid one becomes Ready; one holding a value
#    today's CRD refuses (a 70-character quantity) is Stalled naming the field, never a crash;
#  - such an app stays editable (the API server ratchets: an unchanged invalid field passes, a
#    changed one must be valid), and once fixed becomes Ready;
#  - the new fields are accepted after the upgrade and rendered;
#  - the hazard the docs warn of: with the old CRD applied back, the new fields are hidden on read,
#    and any write, even a status update, deletes them for good.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../operator/lib.sh"
OLD_CRD=$(dirname "$0")/data/shopapps-crd-2026-11-22.yaml
NEW_CRD=$REPO/crds/shopapps.shopctl.io.yaml
# Whatever happens, the cluster is left with today's CRD: the next tests use it.
trap 'kc apply --server-side --force-conflicts -f "$NEW_CRD" >/dev/null 2>&1; op_cleanup; e2e_cleanup_namespaces' EXIT
e2e_namespace crd-upgrade
op_install

app() {  # NAME [EXTRA SERVICE LINES]: service NAME-web calling the Redis database NAME-cache
  shopapp_header "$1" "$NS"
  printf '  services:\n'
  nginx_service "$1-web"
  printf '    dependsOn: [%s-cache]\n' "$1"
  [ -z "${2:-}" ] || printf '%s\n' "$2"
  printf '  databases:\n  - {name: %s-cache, engine: redis}\n' "$1"
}
state() { kc -n "$NS" get shopapp "$1" -o json | jq -cS '{rv: .metadata.resourceVersion, generation: .metadata.generation, spec}'; }
established() { [ "$(kc get crd shopapps.shopctl.io -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" = True ]; }
crd_is() {  # FILE: the CRD in the cluster has FILE's schema
  local want got
  want=$(kc create --dry-run=client -o json -f "$1" | jq -cS '.spec.versions[0].schema')
  got=$(kc get crd shopapps.shopctl.io -o json | jq -cS '.spec.versions[0].schema')
  [ "$want" = "$got" ]
}
HUGE_CPU=$(printf '1%.0s' $(seq 70))

# 1. The previous release: its CRD, and apps made under it.
kc apply --server-side --force-conflicts -f "$OLD_CRD" >/dev/null || fail "could not apply the old CRD"
wait_for "the old CRD is in place" 30 crd_is "$OLD_CRD"
wait_for "the old CRD is Established" 30 established
app shop | kc apply --server-side -f - >/dev/null || fail "the old CRD refused a plain app"
app huge "    resources: {requests: {cpu: \"$HUGE_CPU\"}}" | kc apply --server-side -f - >/dev/null ||
  fail "the old CRD refused a 70-character quantity (it had no bound)"
expect_fail "under the old CRD a field added since (services[].versions) is refused, not dropped" \
  "field not declared in schema" \
  kc apply --server-side -f <(app canary '    versions: [{name: v1}]')
shop_before=$(state shop) huge_before=$(state huge)

# 2. The upgrade, as the docs say.
kc apply --server-side --force-conflicts -f "$NEW_CRD" >/dev/null || fail "applying today's CRD over the old one failed"
wait_for "today's CRD is in place" 30 crd_is "$NEW_CRD"
wait_for "today's CRD is Established" 30 established
stored=$(kc get crd shopapps.shopctl.io -o jsonpath='{.status.storedVersions}')
[ "$stored" = '["v1alpha1"]' ] || fail "storedVersions is $stored"
[ "$(state shop)" = "$shop_before" ] || fail "the upgrade changed ShopApp shop: $shop_before -> $(state shop)"
[ "$(state huge)" = "$huge_before" ] || fail "the upgrade changed ShopApp huge: $huge_before -> $(state huge)"
pass "today's CRD applied over the old one: Established, storedVersions [v1alpha1], no ShopApp rewritten"

# 3. Today's operator takes the old apps over.
op_start op --namespace "$NS" --leader-elect=false
op_wait_ready "$NS" shop 180
wait_for "huge is Stalled" 60 jp_is "$NS" shopapp/huge '{.status.conditions[?(@.type=="Stalled")].status}' True
msg=$(kc -n "$NS" get shopapp huge -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}')
grep -q 'spec.services\[0\].resources.requests.cpu.*at most 64' <<<"$msg" || fail "the Stalled message does not name the field: $msg"
pass "an app holding a value today's CRD refuses is Stalled, naming the field: ${msg:0:160}"
op_alive op || fail "the operator exited: $(op_log op | tail -5)"

# 4. Such an app stays editable: the API server ratchets the unchanged invalid field.
app huge $'    replicas: 3\n'"    resources: {requests: {cpu: \"$HUGE_CPU\"}}" | kc apply --server-side -f - >/dev/null ||
  fail "an edit of another field of the old app was refused"
pass "an edit that leaves the invalid field alone is accepted (validation ratcheting)"
expect_fail "changing the invalid field to another invalid value is refused" "Too long: may not be more than 64 bytes" \
  kc apply --server-side -f <(app huge "    resources: {requests: {cpu: \"2$HUGE_CPU\"}}")
app huge $'    replicas: 3\n    resources: {requests: {cpu: 100m}}' | kc apply --server-side -f - >/dev/null ||
  fail "fixing the invalid field was refused"
op_wait_ready "$NS" huge 180
wait_for "the edit reached the Deployment (3 replicas)" 60 jp_is "$NS" deployment/huge-web '{.spec.replicas}' 3
pass "fixed, the old app is Ready with the edit"

# 5. The new fields work on the old apps.
app shop $'    versions: [{name: v1, weight: 90}, {name: v2, image: nginxinc/nginx-unprivileged:1.27.3-alpine, weight: 10}]' |
  kc apply --server-side -f - >/dev/null || fail "today's CRD refused services[].versions"
op_wait_ready "$NS" shop 180
for d in shop-web-v1 shop-web-v2; do kc -n "$NS" get deployment "$d" >/dev/null 2>&1 || fail "no Deployment $d for the versions"; done
pass "after the upgrade, services[].versions is accepted and rendered (Deployments shop-web-v1, shop-web-v2)"

# 6. The hazard of going back: the old CRD hides the new fields, and any write deletes them.
op_stop op
kc apply --server-side --force-conflicts -f "$OLD_CRD" >/dev/null || fail "could not apply the old CRD back"
wait_for "the old CRD is back" 30 crd_is "$OLD_CRD"
versions=$(kc -n "$NS" get shopapp shop -o jsonpath='{.spec.services[0].versions}')
[ -z "$versions" ] || fail "under the old CRD the versions are still read: $versions"
pass "with the old CRD back, services[].versions is hidden on read (pruned)"
rv=$(kc -n "$NS" get shopapp shop -o jsonpath='{.metadata.resourceVersion}')
kc -n "$NS" patch shopapp shop --subresource=status --type=merge -p '{"status":{"observedGeneration":1}}' >/dev/null ||
  fail "a status write was refused"
kc apply --server-side --force-conflicts -f "$NEW_CRD" >/dev/null
wait_for "today's CRD is back" 30 crd_is "$NEW_CRD"
versions=$(kc -n "$NS" get shopapp shop -o jsonpath='{.spec.services[0].versions}')
generation=$(kc -n "$NS" get shopapp shop -o jsonpath='{.metadata.generation}')
[ -z "$versions" ] || fail "expected the status write under the old CRD to drop the versions; they are: $versions"
pass "a status write under the old CRD (resourceVersion $rv) deleted services[].versions for good, generation still $generation: never downgrade the CRD under apps that use newer fields"
