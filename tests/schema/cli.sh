#!/usr/bin/env bash
# `shopctl schema` prints the committed docs/shopapp.schema.json, byte for byte; `shopctl init`
# starts with the yaml-language-server modeline (--schema changes or drops it), and its output
# still validates.
#
#   tests/schema/cli.sh SHOPCTL SOURCE_DIR
set -uo pipefail
SHOPCTL=${1:?usage: cli.sh SHOPCTL SOURCE_DIR}
ROOT=${2:?usage: cli.sh SHOPCTL SOURCE_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }

"$SHOPCTL" schema > "$WORK/schema.json" 2> "$WORK/err" && ok "schema exits 0" || bad "schema failed: $(cat "$WORK/err")"
cmp -s "$WORK/schema.json" "$ROOT/docs/shopapp.schema.json" && ok "schema prints docs/shopapp.schema.json" ||
  bad "schema differs from docs/shopapp.schema.json (rebuild after scripts/gen-schema.py?)"
"$SHOPCTL" schema --help > "$WORK/help" 2>&1
grep -q 'yaml-language-server' "$WORK/help" && ok "schema --help tells how editors use it" || bad "schema --help: $(cat "$WORK/help")"

"$SHOPCTL" init --preset sockshop > "$WORK/shop.yaml"
[ "$(head -n 1 "$WORK/shop.yaml")" = "# yaml-language-server: \$schema=shopapp.schema.json" ] &&
  ok "init starts with the modeline" || bad "init's first line: $(head -n 1 "$WORK/shop.yaml")"
"$SHOPCTL" validate -f "$WORK/shop.yaml" > /dev/null 2>&1 && ok "init's output validates" || bad "init's output does not validate"
"$SHOPCTL" init --schema https://example.com/s.json | head -n 1 | grep -qx '# yaml-language-server: \$schema=https://example.com/s.json' &&
  ok "init --schema URL" || bad "init --schema URL: $("$SHOPCTL" init --schema https://example.com/s.json | head -n 1)"
"$SHOPCTL" init --schema "" | grep -q 'yaml-language-server' && bad "init --schema \"\" still writes a modeline" ||
  ok "init --schema \"\" writes none"
mkdir -p "$WORK/new"
"$SHOPCTL" init --output-file "$WORK/new/app.yaml" 2> "$WORK/err" > /dev/null
grep -qF "editor completion: shopctl schema > $WORK/new/shopapp.schema.json" "$WORK/err" &&
  ok "init --output-file says how to write the schema beside the file" || bad "init --output-file: $(cat "$WORK/err")"
"$SHOPCTL" schema > "$WORK/new/shopapp.schema.json"
"$SHOPCTL" init --output-file "$WORK/new/app.yaml" --force 2> "$WORK/err" > /dev/null
grep -q "editor completion" "$WORK/err" && bad "the hint is repeated though the schema is there" || ok "no hint once the schema is there"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
