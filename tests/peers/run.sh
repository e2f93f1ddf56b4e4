#!/usr/bin/env bash
# Peers as a cross-check: kube-score and kube-linter, pinned, on the hardened upstream Sock Shop
# and on the rendered manifests/sockshop/shopapp.yaml. Asserts zero [CRITICAL] kube-score
# findings and zero findings from kube-linter's default checks; prints both tools' counts for the
# upstream too (recorded in docs/hardening.md, not asserted).
#
#   tests/peers/run.sh SHOPCTL [SOURCE_DIR]
#
# The tools are built once into ${XDG_CACHE_HOME:-~/.cache}/shopctl/peers/<tool>-<version>/
# through the Go module proxy (kube-score with `go install`, kube-linter from the wrapper module
# in tests/peers/kube-linter, whose go.sum pins every dependency). Exemptions: exemptions.yaml.
set -euo pipefail
SHOPCTL=${1:?usage: run.sh SHOPCTL [SOURCE_DIR]}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${2:-$(cd "$HERE/../.." && pwd)}
UPSTREAM=${SOCKSHOP_UPSTREAM:-$ROOT/../shared/fixtures/sockshop-upstream/complete-demo.yaml}
SHOPAPP=$ROOT/manifests/sockshop/shopapp.yaml
KUBE_SCORE_VERSION=v1.20.0
KUBE_LINTER_VERSION=$(awk '$1 == "require" && $2 == "golang.stackrox.io/kube-linter" {print $3}' "$HERE/kube-linter/go.mod")
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/shopctl/peers
export PATH=/usr/local/go/bin:$PATH

say() { echo "peers: $*"; }
die() { echo "peers: FAIL: $*" >&2; exit 1; }
[ -x "$SHOPCTL" ] || die "shopctl not found at $SHOPCTL"
[ -f "$UPSTREAM" ] || die "upstream Sock Shop not found at $UPSTREAM"
command -v go >/dev/null || die "go is not installed (scripts/install-deps.sh installs it)"

KS=$CACHE/kube-score-$KUBE_SCORE_VERSION/kube-score
KL=$CACHE/kube-linter-$KUBE_LINTER_VERSION/kube-linter
mkdir -p "$CACHE"
(
  flock 9
  if [ ! -x "$KS" ]; then
    say "installing kube-score $KUBE_SCORE_VERSION"
    GOBIN=$(dirname "$KS") go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  fi
  if [ ! -x "$KL" ]; then
    say "building kube-linter $KUBE_LINTER_VERSION"
    (cd "$HERE/kube-linter" && GOFLAGS=-mod=readonly go build -o "$KL" golang.stackrox.io/kube-linter/cmd/kube-linter)
  fi
) 9>"$CACHE/.lock"
[ -x "$KS" ] && [ -x "$KL" ] || die "could not install the peer tools"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Exemptions, from the one file.
KS_IGNORE=()
for t in $(sed -n 's/^ *- test: *\([a-z0-9-]*\).*/\1/p' "$HERE/exemptions.yaml"); do KS_IGNORE+=(--ignore-test "$t"); done
{
  echo "checks:"
  echo "  exclude:"
  sed -n 's/^ *- check: *\([a-z0-9-]*\).*/    - \1/p' "$HERE/exemptions.yaml"
} > "$WORK/kube-linter.yaml"
grep -q -- '- ' "$WORK/kube-linter.yaml" || printf 'checks: {}\n' > "$WORK/kube-linter.yaml"

# kube-score: count [CRITICAL] and [WARNING] lines of `-o ci`.
score() {
  local file=$1 out
  out=$("$KS" score -o ci "${KS_IGNORE[@]}" "$file" || true)
  echo "$out" > "$file.kube-score.txt"
  KS_CRIT=$(grep -c '^\[CRITICAL\]' <<<"$out" || true)
  KS_WARN=$(grep -c '^\[WARNING\]' <<<"$out" || true)
}
# kube-linter: count findings with the default checks (minus exemptions).
lint() {
  local file=$1 out
  out=$("$KL" lint --config "$WORK/kube-linter.yaml" --format json "$file" 2>/dev/null || true)
  echo "$out" > "$file.kube-linter.json"
  local checks
  checks=$(grep -o '"Check":"[^"]*"' <<<"$out" | sed 's/"Check":"\(.*\)"/\1/' || true)
  KL_COUNT=$(grep -c . <<<"$checks" || true)
  KL_CHECKS=$(sort <<<"$checks" | uniq -c | awk 'NF == 2 {printf "%s%s x%s", sep, $2, $1; sep=", "}')
}

failed=0 passed=0
check() {  # NAME FILE: assert on a target
  local name=$1 file=$2
  score "$file"
  lint "$file"
  say "$name: kube-score $KS_CRIT critical, $KS_WARN warning; kube-linter $KL_COUNT finding(s)${KL_CHECKS:+ ($KL_CHECKS)}"
  if [ "$KS_CRIT" -ne 0 ]; then
    grep '^\[CRITICAL\]' "$file.kube-score.txt" | head -20 >&2
    echo "peers: FAIL: $name has $KS_CRIT critical kube-score finding(s)" >&2
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
  if [ "$KL_COUNT" -ne 0 ]; then
    "$KL" lint --config "$WORK/kube-linter.yaml" "$file" 2>&1 | head -20 >&2 || true
    echo "peers: FAIL: $name has $KL_COUNT kube-linter finding(s)" >&2
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

say "kube-score $KUBE_SCORE_VERSION, kube-linter $KUBE_LINTER_VERSION (default checks), exemptions: ${#KS_IGNORE[@]} kube-score, $(grep -c '^    - ' "$WORK/kube-linter.yaml" || true) kube-linter"

# For the record: the upstream as it is.
cp "$UPSTREAM" "$WORK/upstream.yaml"
score "$WORK/upstream.yaml"
lint "$WORK/upstream.yaml"
say "upstream (for the record): kube-score $KS_CRIT critical, $KS_WARN warning; kube-linter $KL_COUNT finding(s) ($KL_CHECKS)"

"$SHOPCTL" harden -f "$UPSTREAM" > "$WORK/hardened.yaml" 2>"$WORK/harden.err" || die "shopctl harden failed: $(cat "$WORK/harden.err")"
check "hardened upstream" "$WORK/hardened.yaml"

if [ -f "$SHOPAPP" ] && "$SHOPCTL" render --help >/dev/null 2>&1; then
  "$SHOPCTL" render -f "$SHOPAPP" > "$WORK/rendered.yaml" 2>"$WORK/render.err" || die "shopctl render failed: $(cat "$WORK/render.err")"
  check "rendered $(basename "$SHOPAPP")" "$WORK/rendered.yaml"
else
  say "SKIP rendered ShopApp: $([ -f "$SHOPAPP" ] || echo "$SHOPAPP does not exist yet")$("$SHOPCTL" render --help >/dev/null 2>&1 || echo "; shopctl has no render command yet")"
fi

echo "peers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
