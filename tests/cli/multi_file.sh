#!/usr/bin/env bash
# render, apply, diff (and validate) with several -f and with directories (issue 12): one
# ShopApp per file, files of a directory sorted, one YAML stream separated by ---, and one bad
# file among good ones fails the whole run (exit 2) with every error at its file:line, before
# anything is printed or any cluster is asked. (apply -f a -f b on a cluster: tests/e2e/cli/multi_apply.sh.)
#
#   tests/cli/multi_file.sh SHOPCTL SOURCE_DIR
set -uo pipefail
SHOPCTL=${1:?usage: multi_file.sh SHOPCTL SOURCE_DIR}
ROOT=${2:?usage: multi_file.sh SHOPCTL SOURCE_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }
run() {  # WANT_RC DESC CMD...: stdout in $WORK/out, stderr in $WORK/err
  local want=$1 desc=$2 rc=0; shift 2
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
  [ "$rc" = "$want" ] && ok "$desc (exit $rc)" || bad "$desc: exit $rc, want $want: $(head -c 400 "$WORK/err")"
}
app() {  # FILE NAME NAMESPACE: a one-service ShopApp
  cat >"$1" <<APP
apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata:
  name: $2
  namespace: $3
spec:
  services:
  - name: web
    image: nginxinc/nginx-unprivileged:1.27.2-alpine
    ports: [{name: http, port: 80, targetPort: 8080}]
APP
}
mkdir -p "$WORK/apps/more" "$WORK/mixed"
app "$WORK/a.yaml" alpha ns-a
app "$WORK/b.yaml" beta ns-b
# A directory: files sorted by path (more/ sorts after b-...), other files ignored.
app "$WORK/apps/b-second.yaml" second ns-s
app "$WORK/apps/a-first.yaml" first ns-f
app "$WORK/apps/more/c-third.yml" third ns-t
echo "not a manifest" >"$WORK/apps/README.md"
# A bad file among good ones: line 8 has an unknown field.
app "$WORK/mixed/1-good.yaml" good ns-g
app "$WORK/mixed/2-bad.yaml" broken ns-x
sed -i 's/^  - name: web$/  - name: web\n    replicaz: 3/' "$WORK/mixed/2-bad.yaml"
app "$WORK/mixed/3-good.yaml" good2 ns-g2

namespaces() { grep -A3 '^kind: Namespace$' "$WORK/out" | sed -n 's/^  name: //p' | tr '\n' ' ' | sed 's/ $//'; }

# render
run 0 "render -f a -f b" "$SHOPCTL" render -f "$WORK/a.yaml" -f "$WORK/b.yaml"
[ "$(namespaces)" = "ns-a ns-b" ] && ok "render -f a -f b: both apps, in the order given" || bad "render -f a -f b: namespaces '$(namespaces)'"
expected=$(cat <("$SHOPCTL" render -f "$WORK/a.yaml" 2>/dev/null) <(echo ---) <("$SHOPCTL" render -f "$WORK/b.yaml" 2>/dev/null))
[ "$(cat "$WORK/out")" = "$expected" ] && ok "render -f a -f b is render a, ---, render b" || bad "render -f a -f b is not the two renders joined by ---"
run 0 "render -f b -f a" "$SHOPCTL" render -f "$WORK/b.yaml" -f "$WORK/a.yaml"
[ "$(namespaces)" = "ns-b ns-a" ] && ok "render -f b -f a keeps the order of -f" || bad "render -f b -f a: '$(namespaces)'"
run 0 "render -f DIR" "$SHOPCTL" render -f "$WORK/apps"
[ "$(namespaces)" = "ns-f ns-s ns-t" ] && ok "render -f DIR: its files sorted, recursively, README ignored" || bad "render -f DIR: '$(namespaces)'"
run 0 "render -f DIR -o json" "$SHOPCTL" render -f "$WORK/apps" -o json
[ "$(jq -r '[.items[] | select(.kind == "Namespace") | .metadata.name] | join(" ")' "$WORK/out")" = "ns-f ns-s ns-t" ] &&
  ok "render -f DIR -o json: one List of all apps' objects" || bad "render -o json: $(head -c 200 "$WORK/out")"
run 0 "render -f DIR -o summary" "$SHOPCTL" render -f "$WORK/apps" -o summary
[ "$(grep -c '^ShopApp ' "$WORK/out")" = 3 ] && ok "render -o summary: one summary per app" || bad "summary: $(grep '^ShopApp' "$WORK/out")"
run 0 "render -f DIR --output-dir" "$SHOPCTL" render -f "$WORK/apps" --output-dir "$WORK/rendered"
[ "$(ls "$WORK/rendered" | grep -c -- '-namespace-')" = 3 ] && [ -f "$WORK/rendered/000-namespace-ns-f.yaml" ] &&
  ok "render --output-dir: every app's objects, numbered through" || bad "render --output-dir: $(ls "$WORK/rendered" | head)"
run 2 "render of a bad file among good ones" "$SHOPCTL" render -f "$WORK/mixed"
grep -q "2-bad.yaml:9:5: error: spec.services\[0\].replicaz" "$WORK/err" && ok "the error names the bad file, its line and field" ||
  bad "no file:line for the bad file: $(cat "$WORK/err")"
grep -q "nothing rendered: 1 of 3 files have errors" "$WORK/err" && ok "render says nothing was rendered" || bad "render: $(cat "$WORK/err")"
[ ! -s "$WORK/out" ] && ok "render printed nothing" || bad "render of a bad file printed: $(head -c 200 "$WORK/out")"
run 2 "render -f x -f x (the same app twice)" "$SHOPCTL" render -f "$WORK/a.yaml" -f "$WORK/a.yaml"
grep -q "ShopApp ns-a/alpha is in both" "$WORK/err" && ok "the same app twice is named" || bad "duplicate: $(cat "$WORK/err")"
run 2 "render -f - -f -" "$SHOPCTL" render -f - -f -
grep -q "standard input can be read once" "$WORK/err" && ok "stdin twice is refused" || bad "stdin twice: $(cat "$WORK/err")"
run 2 "render --layout kustomize of two apps" "$SHOPCTL" render -f "$WORK/a.yaml" -f "$WORK/b.yaml" --layout kustomize --output-dir "$WORK/k"
grep -q "one ShopApp" "$WORK/err" && ok "--layout kustomize takes one app" || bad "kustomize of two: $(cat "$WORK/err")"
run 2 "render -n of two apps naming other namespaces" "$SHOPCTL" render -f "$WORK/a.yaml" -f "$WORK/b.yaml" -n ns-a
grep -q "b.yaml:[0-9]*:[0-9]*: error: metadata.namespace" "$WORK/err" && ok "-n is checked against every file" || bad "-n: $(cat "$WORK/err")"

# validate already took several files and directories; the same files, the same verdict.
run 2 "validate of the mixed directory" "$SHOPCTL" validate -f "$WORK/mixed"
grep -q "2-bad.yaml:9:5" "$WORK/err" && ok "validate names the bad file" || bad "validate: $(cat "$WORK/err")"
run 0 "validate -f DIR -f FILE" "$SHOPCTL" validate -f "$WORK/apps" -f "$WORK/a.yaml"
grep -q "^4 ShopApp(s) valid" "$WORK/out" && ok "validate counts every app" || bad "validate: $(cat "$WORK/out")"

# apply and diff check every file before the cluster: with a kubeconfig whose server refuses
# connections, a bad file still exits 2 with its error, and no cluster is reached for.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=never -days 1 -keyout "$WORK/ca.key" -out "$WORK/ca.crt" 2>/dev/null
cat >"$WORK/refused.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority: "$WORK/ca.crt"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
KC
for cmd in apply diff; do
  run 2 "$cmd of a bad file among good ones" "$SHOPCTL" $cmd -f "$WORK/mixed/1-good.yaml" -f "$WORK/mixed/2-bad.yaml" \
    -f "$WORK/mixed/3-good.yaml" --kubeconfig "$WORK/refused.kubeconfig"
  grep -q "2-bad.yaml:9:5: error: spec.services\[0\].replicaz" "$WORK/err" && ok "$cmd names the bad file and line" ||
    bad "$cmd: $(cat "$WORK/err")"
  grep -q "cannot reach" "$WORK/err" && bad "$cmd asked the cluster before checking every file" || ok "$cmd asked no cluster"
  run 3 "$cmd -f DIR of good files goes on to the cluster" "$SHOPCTL" $cmd -f "$WORK/apps" --kubeconfig "$WORK/refused.kubeconfig"
  grep -q "cannot reach the cluster at 127.0.0.1:1" "$WORK/err" && ok "$cmd -f DIR: all files valid, then the cluster" || bad "$cmd: $(cat "$WORK/err")"
done
grep -q "nothing applied: 1 of 3 files have errors" <("$SHOPCTL" apply -f "$WORK/mixed" 2>&1) &&
  ok "apply says nothing was applied" || bad "apply does not say nothing was applied"
run 2 "diff --against DIR with two apps" "$SHOPCTL" diff -f "$WORK/a.yaml" -f "$WORK/b.yaml" --against "$WORK/apps"
grep -q "compare one ShopApp" "$WORK/err" && ok "diff --against takes one app" || bad "diff --against: $(cat "$WORK/err")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
