#!/usr/bin/env bash
# shopctl apply --dry-run on the real control plane, shop-operator running (issue 12):
#  - client: no cluster needed (no kubeconfig at all), the lines kubectl prints, nothing created;
#  - server, a new app in a new namespace: the API server is asked (every write of shopctl in the
#    audit log carries dryRun=All) and nothing exists afterwards: no Namespace, no ShopApp (also
#    not in namespace default, where the ShopApp is tried), no Secrets even with the operator
#    watching; a ShopApp the CRD's schema refuses is an error (exit 2, the API server's reason);
#  - server, an applied app: unchanged / configured (server dry run), the live object untouched,
#    a refusal reported; --wait with a dry run is refused.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../gitops/lib.sh"
gt_install_crd
gt_app_namespace clidry
gt_web_redis_app
{ cat "$GT_DIR/app.yaml"; printf '  - {name: cache, engine: mongo}\n'; } >"$GT_DIR/refused.yaml"
sed 's/^    image: .*/&\n    replicas: 2/' "$GT_DIR/app.yaml" >"$GT_DIR/changed.yaml"
grep -q "replicas: 2" "$GT_DIR/changed.yaml" || fail "could not make the changed file"
gt_operator_start

nothing_exists() {
  kc get namespace "$APP_NS" >/dev/null 2>&1 && fail "$1: namespace $APP_NS exists"
  kc -n default get shopapp shop >/dev/null 2>&1 && fail "$1: a ShopApp default/shop exists"
  [ -z "$(kc get shopapps -A -o jsonpath="{.items[?(@.metadata.namespace==\"$APP_NS\")].metadata.name}")" ] ||
    fail "$1: a ShopApp in $APP_NS exists"
  [ -z "$(kc get secrets -A -l shopctl.io/app=shop -o jsonpath="{.items[?(@.metadata.namespace==\"$APP_NS\")].metadata.name}")" ] ||
    fail "$1: Secrets of the app exist"
  pass "$1: no Namespace, no ShopApp, no Secrets"
}
# The writes shopctl sent (its user agent) after audit line $1, as "VERB URI" lines.
shopctl_writes() {
  tail -n +"$1" "$TESTENV_AUDIT_LOG" |
    jq -r 'select((.userAgent // "") | startswith("shopctl/")) | select(.verb != "get" and .verb != "list" and .verb != "watch") | "\(.verb) \(.requestURI)"'
}

# 1. Client: no cluster at all.
expect_rc "apply --dry-run=client without a kubeconfig" 0 env -u KUBECONFIG HOME="$GT_DIR" \
  "$SHOPCTL_BIN" apply -f "$GT_DIR/app.yaml" --dry-run=client --kubeconfig "$GT_DIR/none"
[ "$OUT" = "namespace/$APP_NS (dry run)
shopapp.shopctl.io/shop (dry run)" ] || fail "client dry run output: $OUT"
grep -q "nothing was sent to a cluster" <<<"$ERR" || fail "no note: $ERR"
expect_rc "--dry-run alone" 0 shopctl apply -f "$GT_DIR/app.yaml" --dry-run
grep -q "^shopctl apply: note: --dry-run without a value means --dry-run=client" <<<"$ERR" || fail "no note: $ERR"
nothing_exists "after the client dry runs"

# 2. Server, a new app in a new namespace.
from=$(($(wc -l <"$TESTENV_AUDIT_LOG") + 1))
expect_rc "apply --dry-run=server, new namespace" 0 shopctl apply -f "$GT_DIR/app.yaml" --dry-run=server -v=6
[ "$OUT" = "namespace/$APP_NS created (server dry run)
shopapp.shopctl.io/shop created (server dry run)" ] || fail "server dry run output: $OUT"
grep -q "the ShopApp was tried in namespace default" <<<"$ERR" || fail "no note on the stand-in namespace: $ERR"
grep -qE " shopctl\] POST https://[^ ]+/apis/shopctl.io/v1alpha1/namespaces/default/shopapps\?dryRun=All&fieldValidation=Strict 201 Created in [0-9]+ milliseconds$" <<<"$ERR" ||
  fail "-v=6 does not show the dry-run create: $ERR"
writes=$(shopctl_writes "$from")
[ -n "$writes" ] || fail "the audit log shows no write of shopctl: the API server was not asked"
grep -v "dryRun=All" <<<"$writes" && fail "a write without dryRun=All reached the API server: $writes"
pass "every write shopctl sent was a dry run: $(tr '\n' ';' <<<"$writes")"
sleep 3  # the operator, watching $APP_NS, would react to a ShopApp there by now
nothing_exists "after apply --dry-run=server"

expect_rc "a ShopApp the CRD refuses, --dry-run=server" 2 shopctl apply -f "$GT_DIR/refused.yaml" --dry-run=server --validate=false
grep -q 'Unsupported value: "mongo"' <<<"$ERR" || fail "the API server's reason is not shown: $ERR"
grep -q "tried in namespace default because $APP_NS does not exist yet" <<<"$ERR" || fail "where it was tried is not said: $ERR"
nothing_exists "after a refused server dry run"

# 3. An applied app.
expect_rc "apply --wait" 0 shopctl apply -f "$GT_DIR/app.yaml" --wait --timeout 180s
gen=$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.metadata.generation}')
rv=$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.metadata.resourceVersion}')
spec=$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.spec}')
expect_rc "the same file, --dry-run=server" 0 shopctl apply -f "$GT_DIR/app.yaml" --dry-run=server
[ "$OUT" = "shopapp.shopctl.io/shop unchanged (server dry run)" ] || fail "unchanged: $OUT"
expect_rc "a changed file, --dry-run=server" 0 shopctl apply -f "$GT_DIR/changed.yaml" --dry-run=server
[ "$OUT" = "shopapp.shopctl.io/shop configured (server dry run)" ] || fail "configured: $OUT"
expect_rc "a refused change, --dry-run=server" 2 shopctl apply -f "$GT_DIR/refused.yaml" --dry-run=server --validate=false
grep -q 'Unsupported value: "mongo"' <<<"$ERR" || fail "the API server's reason is not shown: $ERR"
[ "$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.metadata.generation}/{.metadata.resourceVersion}')" = "$gen/$rv" ] ||
  fail "a server dry run changed the live ShopApp"
[ "$(kc -n "$APP_NS" get shopapp shop -o jsonpath='{.spec}')" = "$spec" ] || fail "a server dry run changed the spec"
pass "server dry runs left the live ShopApp as it was (generation $gen, resourceVersion $rv)"
expect_rc "--wait with --dry-run=server" 2 shopctl apply -f "$GT_DIR/app.yaml" --dry-run=server --wait
grep -q -- "--wait does not go with --dry-run=server" <<<"$ERR" || fail "unclear: $ERR"
