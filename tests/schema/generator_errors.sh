#!/usr/bin/env bash
# scripts/gen-schema.py on broken copies of its sources: each breakage must be caught, with an
# exit code and a message that says where. (This is also the proof that schema_generated can fail.)
#
#   tests/schema/generator_errors.sh PYTHON3 SOURCE_DIR
set -uo pipefail
PY=${1:?usage: generator_errors.sh PYTHON3 SOURCE_DIR}
SRC=${2:?usage: generator_errors.sh PYTHON3 SOURCE_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }

fresh() {  # a copy of the generator's sources and outputs in $WORK/r
  rm -rf "$WORK/r"
  mkdir -p "$WORK/r/scripts" "$WORK/r/core/model" "$WORK/r/docs" "$WORK/r/crds"
  cp "$SRC/scripts/gen-schema.py" "$WORK/r/scripts/"
  cp "$SRC/core/model/shopapps.crd.in.yaml" "$WORK/r/core/model/"
  cp "$SRC/docs/shopapp.md" "$SRC/docs/shopapp.schema.json" "$WORK/r/docs/"
  cp "$SRC/crds/shopapps.shopctl.io.yaml" "$WORK/r/crds/"
}
# WANT_RC REGEX DESC ARGS...: run the generator on $WORK/r
expect() {
  local want=$1 re=$2 desc=$3 rc=0; shift 3
  "$PY" "$WORK/r/scripts/gen-schema.py" --root "$WORK/r" "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$desc: exit $rc, want $want: $(head -c 400 "$WORK/err")"; return; fi
  if [ -n "$re" ] && ! grep -Eq -- "$re" "$WORK/err"; then bad "$desc: stderr lacks /$re/: $(head -c 400 "$WORK/err")"; return; fi
  ok "$desc (exit $rc)"
}

fresh
expect 0 "" "the committed outputs are current" --check

# Drift: a hand edit of the CRD, a description changed in the docs, a bound changed in the
# structure without regenerating, the JSON Schema edited by hand.
fresh
sed -i '0,/maxItems: 40/s//maxItems: 41/' "$WORK/r/crds/shopapps.shopctl.io.yaml"
expect 1 "crds/shopapps.shopctl.io.yaml is stale: run scripts/gen-schema.py" "a hand edit of the CRD" --check
fresh
sed -i 's/| `attempts` required | route `retries` |/| `attempts` required | route `retries`, changed |/' "$WORK/r/docs/shopapp.md"
expect 1 "crds/shopapps.shopctl.io.yaml is stale" "a description edited in the docs only" --check
grep -q 'route retries, changed' "$WORK/r/crds/shopapps.shopctl.io.yaml" && bad "--check wrote the CRD" || ok "--check writes nothing"
expect 0 "" "regenerating after the docs edit"
grep -q 'route retries, changed' "$WORK/r/crds/shopapps.shopctl.io.yaml" && ok "the new description reached the CRD" ||
  bad "the new description is not in the CRD"
grep -q 'route retries, changed' "$WORK/r/docs/shopapp.schema.json" && ok "... and the JSON Schema" ||
  bad "the new description is not in the JSON Schema"
expect 0 "" "current again after regenerating" --check
fresh
sed -i '0,/maxItems: 40/s//maxItems: 39/' "$WORK/r/core/model/shopapps.crd.in.yaml"
expect 1 "docs/shopapp.schema.json is stale" "a bound changed in the structure only" --check
fresh
sed -i 's/"title": "ShopApp/"title": "Shop app/' "$WORK/r/docs/shopapp.schema.json"
expect 1 "docs/shopapp.schema.json is stale" "a hand edit of the JSON Schema" --check

# A field without a description: its row removed from the docs.
fresh
sed -i '/^| `retries.retryOn` |/d' "$WORK/r/docs/shopapp.md"
expect 1 "2 field\(s\) without a description" "a row removed from the resilience table" --check
grep -q '^  spec.services\[\].resilience.retries.retryOn$' "$WORK/err" && ok "the missing field is named" || bad "the missing field is not named"
# spec.defaults takes its descriptions from the services (schema-same): it loses this one too.
grep -q '^  spec.defaults.resilience.retries.retryOn$' "$WORK/err" && ok "... and its twin in spec.defaults" ||
  bad "spec.defaults.resilience.retries.retryOn is not named"
fresh
sed -i '/^<!-- schema-same: spec.defaults = spec.services\[\] -->/d' "$WORK/r/docs/shopapp.md"
expect 1 "spec.defaults.resources.requests.cpu" "the defaults' schema-same marker removed" --check

# Bad sources: a row or marker naming a field the CRD does not have, a field described twice.
fresh
sed -i 's/^| `retries.retryOn` |/| `retries.retryOnn` |/' "$WORK/r/docs/shopapp.md"
expect 2 "docs/shopapp.md:[0-9]+: spec.services.resilience.retries.retryOnn is not a field of the CRD" "a misspelt field in a row" --check
fresh
sed -i 's/^<!-- schema: spec.mesh -->/<!-- schema: spec.meshes -->/' "$WORK/r/docs/shopapp.md"
expect 2 "docs/shopapp.md:[0-9]+: spec.meshes is not a field" "a misspelt marker" --check
fresh
sed -i 's/^| `retries.retryOn` |/| `retries.attempts` |/' "$WORK/r/docs/shopapp.md"
expect 2 "docs/shopapp.md:[0-9]+: spec.services\[\].resilience.retries.attempts is described twice|described twice" "a field described twice" --check
fresh
printf 'spec: [unclosed\n' > "$WORK/r/core/model/shopapps.crd.in.yaml"
expect 2 "gen-schema: " "a structure that is not YAML" --check

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
