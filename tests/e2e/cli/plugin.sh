#!/usr/bin/env bash
# shopctl as the kubectl plugin `kubectl shop`, run by the real kubectl of testenv (issue 12):
#  - the build puts kubectl-shop (-> shopctl) beside shopctl; with that directory on PATH,
#    `kubectl plugin list` lists it;
#  - `kubectl shop version --client`, `kubectl shop render` and `kubectl shop version` (against
#    the cluster) print what shopctl prints;
#  - help and errors say `kubectl shop ...`;
#  - kubectl's completion of `kubectl shop ...` (kubectl __complete, answered by
#    kubectl_complete-shop -> shopctl) offers the commands, flags and values.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../gitops/lib.sh"
BIN_DIR=$(dirname "$SHOPCTL_BIN")
[ -x "$BIN_DIR/kubectl-shop" ] || fail "the build made no $BIN_DIR/kubectl-shop"
[ "$(readlink "$BIN_DIR/kubectl-shop")" = shopctl ] || fail "kubectl-shop is not a symlink to shopctl: $(ls -l "$BIN_DIR/kubectl-shop")"
# kubectl finds plugins on PATH; its own directory comes after, so nothing else shadows it.
export PATH="$BIN_DIR:$PATH"
kubectl() { "$TESTENV_BIN/kubectl" "$@"; }

expect_rc "kubectl plugin list" 0 kubectl plugin list
grep -qxF "$BIN_DIR/kubectl-shop" <<<"$OUT" || fail "kubectl plugin list does not list kubectl-shop: $OUT $ERR"

expect_rc "kubectl shop version --client" 0 kubectl shop version --client
want=$(shopctl version --client)
[ "$OUT" = "$want" ] || fail "kubectl shop version --client printed '$OUT', shopctl prints '$want'"
grep -q "^Client Version: shopctl " <<<"$OUT" || fail "no Client Version line: $OUT"

cat >"$GT_DIR/app.yaml" <<APP
$(shopapp_header shop plugin-ns)
  services:
$(nginx_service web)
APP
expect_rc "kubectl shop render" 0 kubectl shop render -f "$GT_DIR/app.yaml"
[ "$OUT" = "$(shopctl render -f "$GT_DIR/app.yaml" 2>/dev/null)" ] || fail "kubectl shop render differs from shopctl render"
grep -q "^kind: Deployment$" <<<"$OUT" || fail "kubectl shop render printed no Deployment: $(head -c 300 <<<"$OUT")"
pass "kubectl shop render prints what shopctl render prints"

expect_rc "kubectl shop version (against the cluster)" 0 kubectl shop version
grep -q "^Server Version: $(kc version -o json | jq -r .serverVersion.gitVersion)$" <<<"$OUT" ||
  fail "kubectl shop version: no Server Version line: $OUT"

expect_rc "kubectl shop rendr" 2 kubectl shop rendr
grep -qF 'kubectl shop: unknown command "rendr" (did you mean "render"?)' <<<"$ERR" || fail "the error does not say kubectl shop: $ERR"
grep -qF "Run 'kubectl shop --help'" <<<"$ERR" || fail "the hint does not say kubectl shop: $ERR"
expect_rc "kubectl shop render --help" 0 kubectl shop render --help
grep -q "^Usage: kubectl shop render " <<<"$OUT" || fail "render --help usage: $(grep Usage <<<"$OUT")"
grep -qF "  kubectl shop render -f shop.yaml -o json" <<<"$OUT" || fail "render --help examples still say shopctl: $OUT"
grep -q "shopctl render" <<<"$OUT" && fail "render --help still names shopctl render: $OUT"
expect_rc "kubectl shop validate of a missing file" 2 kubectl shop validate -f "$GT_DIR/nope.yaml"
pass "kubectl shop: help and errors say kubectl shop"

# kubectl's completion of the plugin (kubectl >= 1.26): `kubectl __complete shop ARGS... WORD` is
# what kubectl's shell scripts ask; kubectl runs kubectl_complete-shop (-> shopctl) for it.
[ "$(readlink "$BIN_DIR/kubectl_complete-shop")" = shopctl ] || fail "the build made no kubectl_complete-shop -> shopctl"
complete_shop() {  # ARGS... -> candidates (without descriptions) and the directive line, space-separated
  kubectl __complete shop "$@" 2>/dev/null | grep -v '^Completion ended' | cut -f1 | tr '\n' ' ' | sed 's/ $//'
}
expect_completion() {  # WANT ARGS...
  local want=$1 got; shift
  got=$(complete_shop "$@")
  [ "$got" = "$want" ] || fail "kubectl __complete shop $*: '$got', want '$want'"
}
expect_completion "render :4" ren
expect_completion "--generate-secrets :4" render --gen
expect_completion ":4" apply --gen
expect_completion "--filename --force-conflicts :4" apply --f
expect_completion "yaml json summary :4" render -o ""
expect_completion "--output=summary :4" render --output=s
expect_completion "yaml yml json :8" render -f ""
expect_completion ":16" render --output-dir ""
expect_completion "bash zsh fish :4" completion ""
pass "kubectl completes kubectl shop: commands, flags, values, files (through kubectl_complete-shop)"
