#!/usr/bin/env bash
# Input errors every subcommand must refuse with exit 2 and a message that says why:
# no objects at all (empty directory, empty stdin, a file of only comments).
#
#   tests/cli/input.sh SHOPCTL [SOURCE_DIR]
set -uo pipefail
SHOPCTL=${1:?usage: input.sh SHOPCTL [SOURCE_DIR]}
ROOT=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }
# WANT_RC ERR_REGEX DESC CMD...: exit code and a stderr line matching ERR_REGEX
expect() {
  local want=$1 re=$2 desc=$3 rc=0; shift 3
  "$@" > "$WORK/out" 2> "$WORK/err" < "${STDIN:-/dev/null}" || rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$desc: exit $rc, want $want: $(head -c 300 "$WORK/err")"; return; fi
  if [ -n "$re" ] && ! grep -Eq -- "$re" "$WORK/err"; then bad "$desc: stderr lacks /$re/: $(head -c 300 "$WORK/err")"; return; fi
  ok "$desc (exit $rc)"
}

mkdir -p "$WORK/emptydir" "$WORK/textdir"
echo "not a manifest" > "$WORK/textdir/README.txt"
printf '# only a comment\n# and another\n' > "$WORK/comments.yaml"
printf -- '---\n---\n' > "$WORK/separators.yaml"
: > "$WORK/empty.yaml"

for cmd in audit harden import; do
  expect 2 "emptydir: error: no input: no \*\.yaml" "$cmd of an empty directory" "$SHOPCTL" $cmd -f "$WORK/emptydir"
  expect 2 "no input" "$cmd of a directory without manifests" "$SHOPCTL" $cmd -f "$WORK/textdir"
  expect 2 "<stdin>: error: no objects found" "$cmd of empty stdin" "$SHOPCTL" $cmd -f -
  expect 2 "comments.yaml: error: no objects found" "$cmd of a file of only comments" "$SHOPCTL" $cmd -f "$WORK/comments.yaml"
  expect 2 "no objects found" "$cmd of a file of only ---" "$SHOPCTL" $cmd -f "$WORK/separators.yaml"
  expect 2 "no objects found" "$cmd of an empty file" "$SHOPCTL" $cmd -f "$WORK/empty.yaml"
done
# The CI case of issue 12: a failed template step pipes nothing into audit.
expect 2 "no objects found" "true | shopctl audit -f -" bash -c "true | \"$SHOPCTL\" audit -f -"
[ ! -s "$WORK/out" ] && ok "audit of nothing prints no score" || bad "audit of nothing printed: $(head -c 200 "$WORK/out")"

expect 2 "emptydir: error: no input" "validate of an empty directory" "$SHOPCTL" validate -f "$WORK/emptydir"
expect 2 "error" "validate of empty stdin" "$SHOPCTL" validate -f -
expect 2 "comments.yaml.*error" "validate of a file of only comments" "$SHOPCTL" validate -f "$WORK/comments.yaml"
grep -q "ShopApp(s) valid" "$WORK/out" && bad "validate of comments claims valid" || ok "validate of comments claims nothing valid"
for cmd in render; do
  expect 2 "error" "$cmd of empty stdin" "$SHOPCTL" $cmd -f -
  expect 2 "comments.yaml.*error" "$cmd of a file of only comments" "$SHOPCTL" $cmd -f "$WORK/comments.yaml"
done
# A missing or unreadable file says why; a directory without ShopApp files says so (before any
# cluster call). (-f DIR with files: tests/cli/multi_file.sh.)
for cmd in render diff apply; do
  expect 2 "nope.yaml: error: cannot read: No such file or directory" "$cmd of a missing file" "$SHOPCTL" $cmd -f "$WORK/nope.yaml"
  expect 2 "emptydir: error: no ShopApp files: the directory holds no \*\.yaml" "$cmd -f DIR (empty)" "$SHOPCTL" $cmd -f "$WORK/emptydir"
  expect 2 "textdir: error: no ShopApp files" "$cmd -f DIR (no manifests)" "$SHOPCTL" $cmd -f "$WORK/textdir"
done
if [ "$(id -u)" -ne 0 ]; then
  cp "$ROOT/manifests/sockshop/shopapp.yaml" "$WORK/secret.yaml" && chmod 000 "$WORK/secret.yaml"
  expect 2 "Permission denied" "render of an unreadable file" "$SHOPCTL" render -f "$WORK/secret.yaml"
fi
# -o means an output format; the old file/directory spellings still work with a notice.
APP=$ROOT/manifests/sockshop/shopapp.yaml
expect 0 "" "init --output-file" "$SHOPCTL" init --preset minimal --output-file "$WORK/new.yaml"
[ -s "$WORK/new.yaml" ] && ok "init --output-file wrote the file" || bad "init --output-file wrote nothing"
expect 0 "-o/--output .* is deprecated .* use --output-file" "init -o FILE (deprecated)" "$SHOPCTL" init --preset minimal -o "$WORK/old.yaml"
cmp -s "$WORK/new.yaml" "$WORK/old.yaml" && ok "init -o FILE writes the same file" || bad "init -o FILE differs from --output-file"
# Every preset init lists (canary included) is a ShopApp that validates under another name and namespace.
presets=$("$SHOPCTL" init --help | awk '/^Presets:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ "$(wc -w <<<"$presets")" -ge 6 ] && grep -qw canary <<<"$presets" && ok "init --help lists $(wc -w <<<"$presets") presets, canary among them" ||
  bad "init --help lists these presets: $presets"
for p in $presets; do
  "$SHOPCTL" init --preset "$p" --name "try-$p" -n "ns-$p" --output-file "$WORK/preset-$p.yaml" 2>/dev/null
  expect 0 "" "init --preset $p validates" "$SHOPCTL" validate -f "$WORK/preset-$p.yaml"
  grep -q "^  name: try-$p$" "$WORK/preset-$p.yaml" && grep -q "^  namespace: ns-$p$" "$WORK/preset-$p.yaml" &&
    ok "init --preset $p takes --name and -n" || bad "init --preset $p: metadata not set"
done
"$SHOPCTL" render -f "$APP" > "$WORK/rendered.yaml" 2>/dev/null
expect 0 "" "harden --output-dir" "$SHOPCTL" harden -f "$WORK/rendered.yaml" --output-dir "$WORK/hnew"
expect 0 "use --output-dir" "harden -o DIR (deprecated)" "$SHOPCTL" harden -f "$WORK/rendered.yaml" -o "$WORK/hold"
diff -r "$WORK/hnew" "$WORK/hold" >/dev/null && [ -n "$(ls "$WORK/hnew")" ] && ok "harden -o DIR writes the same tree" || bad "harden -o DIR differs"
expect 2 "disagree" "harden -o A --output-dir B" "$SHOPCTL" harden -f "$WORK/rendered.yaml" -o "$WORK/a" --output-dir "$WORK/b"
expect 0 "" "import --output-file" "$SHOPCTL" import -f "$WORK/rendered.yaml" --name shop --output-file "$WORK/imp-new.yaml"
expect 0 "use --output-file" "import -o FILE (deprecated)" "$SHOPCTL" import -f "$WORK/rendered.yaml" --name shop -o "$WORK/imp-old.yaml"
cmp -s "$WORK/imp-new.yaml" "$WORK/imp-old.yaml" && ok "import -o FILE writes the same file" || bad "import -o FILE differs"
# Non-empty input still works.
expect 0 "" "validate of a real ShopApp" "$SHOPCTL" validate -f "$ROOT/manifests/sockshop/shopapp.yaml"

# First-minute errors: unknown commands are named with the closest known one; help and --version.
expect 2 'unknown command "rendr" \(did you mean "render"\?\)' "unknown command suggests the closest" "$SHOPCTL" rendr -f x.yaml
expect 2 'unknown command "frobnicate"' "unknown command without a close one" "$SHOPCTL" frobnicate
grep -q "did you mean" "$WORK/err" && bad "frobnicate got a suggestion: $(cat "$WORK/err")" || ok "no far-fetched suggestion"
expect 0 "" "shopctl help" "$SHOPCTL" help
grep -q "validate" "$WORK/out" && grep -q "render" "$WORK/out" && ok "help lists the commands" || bad "help output: $(head -c 300 "$WORK/out")"
expect 0 "" "shopctl help render" "$SHOPCTL" help render
grep -q -- "--filename" "$WORK/out" && grep -qi "render" "$WORK/out" && ok "help render prints render's help" || bad "help render: $(head -c 300 "$WORK/out")"
[ ! -s "$WORK/err" ] && ok "help render runs nothing (stderr empty)" || bad "help render wrote stderr: $(head -c 300 "$WORK/err")"
expect 2 'unknown command "rendr"' "help of an unknown command" "$SHOPCTL" help rendr
expect 0 "" "shopctl --version" "$SHOPCTL" --version
grep -Eq '^shopctl [0-9]' "$WORK/out" && ok "--version prints the version" || bad "--version: $(cat "$WORK/out")"


# loadtest: usage mistakes are refused before anything reaches a cluster (no kubeconfig needed).
SOCK="$ROOT/manifests/sockshop/shopapp.yaml"
expect 2 "takes SERVICE with -f FILE, got 2 names" "loadtest -f with two names" "$SHOPCTL" loadtest -f "$SOCK" sock-shop front-end --dry-run
expect 2 "has no service \"front-nd\" \(did you mean \"front-end\"\?\)" "loadtest of a misspelt service" "$SHOPCTL" loadtest -f "$SOCK" front-nd --dry-run
expect 2 "\"carts-db\" is a data store" "loadtest of a database" "$SHOPCTL" loadtest -f "$SOCK" carts-db --dry-run
expect 2 "--duration .*whole seconds" "loadtest --duration 1.5s" "$SHOPCTL" loadtest -f "$SOCK" front-end --duration 1500ms --dry-run
expect 2 "has no port \"8080\"" "loadtest --port that the service lacks" "$SHOPCTL" loadtest -f "$SOCK" front-end --port 8080 --dry-run
expect 2 'shopapp.yaml:[0-9]+:[0-9]+: error: metadata.namespace: the namespace from the provided object "sock-shop" does not match the namespace "other"' "loadtest -n that contradicts the file" "$SHOPCTL" loadtest -f "$SOCK" front-end -n other --dry-run
expect 0 "" "loadtest --dry-run prints the objects" "$SHOPCTL" loadtest -f "$SOCK" front-end --dry-run
[ "$(grep -c '^kind: ' "$WORK/out")" = 3 ] && grep -q 'http://front-end.sock-shop.svc:80/' "$WORK/out" &&
  ok "loadtest --dry-run: a Job and two NetworkPolicies against front-end" || bad "loadtest --dry-run printed: $(head -c 300 "$WORK/out")"

# render renders once and checks that render for name collisions; a collision reads the file
# again for the located error, and nothing is printed.
printf "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: c, namespace: ns}\nspec:\n  services:\n%s\n%s\n  databases:\n  - {name: cart, engine: mongodb}\n" \
  "  - {name: web, image: 'nginx:1.27', ports: [{name: http, port: 80}]}" \
  "  - {name: cart-headless, image: 'nginx:1.27', ports: [{name: http, port: 80}]}" >"$WORK/collide.yaml"
for out in yaml json summary; do
  expect 2 '^.*collide\.yaml:7:6: error: spec\.services\[1\]\.name: Service "cart-headless" would be rendered twice' \
    "render -o $out of an app whose parts render one name twice" "$SHOPCTL" render -f "$WORK/collide.yaml" -o $out
  [ ! -s "$WORK/out" ] && ok "render -o $out of a collision prints nothing" || bad "render -o $out of a collision printed: $(head -c 200 "$WORK/out")"
done

# import of workloads in several namespaces: a ShopApp lives in one, so the command asks which.
cp /dev/null "$WORK/mns.yaml"
for pair in web:front api:back; do
  n=${pair%%:*} ns=${pair##*:}
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec:\n      containers:\n      - {name: %s, image: "example.com/%s:1.0", ports: [{containerPort: 8080}], env: [{name: API, value: "http://api.back.svc:8080"}]}\n---\n' \
    "$n" "$ns" "$n" "$n" "$n" "$n" >>"$WORK/mns.yaml"
done
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: back}\nspec:\n  selector: {app: api}\n  ports: [{port: 8080}]\n' >>"$WORK/mns.yaml"
expect 2 "the workloads are in 2 namespaces: back \(1\), front \(1\)\. A ShopApp lives in one.*--source-namespace" \
  "import of workloads in two namespaces without --source-namespace" "$SHOPCTL" import -f "$WORK/mns.yaml"
[ ! -s "$WORK/out" ] && ok "a refused multi-namespace import prints no ShopApp" || bad "it printed: $(head -c 200 "$WORK/out")"
expect 2 "--source-namespace nope: no workload names that namespace; they name back \(1\), front \(1\)" \
  "import --source-namespace of a namespace no workload names" "$SHOPCTL" import -f "$WORK/mns.yaml" --source-namespace nope
expect 0 "namespace back: 2 object\(s\) not imported \(--source-namespace front\)" \
  "import --source-namespace front" "$SHOPCTL" import -f "$WORK/mns.yaml" --source-namespace front
"$SHOPCTL" validate -f "$WORK/out" >/dev/null 2>&1 && ok "the ShopApp of namespace front is valid" || bad "invalid: $(cat "$WORK/out")"
grep -q "namespace: front" "$WORK/out" && grep -q -- "- namespace: back" "$WORK/out" && ! grep -q "name: api$" "$WORK/out" &&
  ok "it lives in front, calls back by an egress rule, and does not carry api over" || bad "unexpected ShopApp: $(cat "$WORK/out")"

# import of only data stores: a ShopApp needs a service, so nothing is written.
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: data}\nspec:\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n      - {name: pg, image: "postgres:16.4", args: [-c, max_connections=200]}\n' >"$WORK/stores.yaml"
expect 2 "no service to import: every workload of the input runs a database or broker \(db\)" \
  "import of only a database" "$SHOPCTL" import -f "$WORK/stores.yaml"
[ ! -s "$WORK/out" ] && ok "a refused import of only a database prints no ShopApp" || bad "it printed: $(head -c 200 "$WORK/out")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
