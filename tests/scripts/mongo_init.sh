#!/usr/bin/env bash
# The rendered MongoDB init script (the ConfigMap <db>-scripts, key init.sh) keeps every password
# off command lines and takes any password literally. No MongoDB runs on this machine (Debian
# ships none, and its images come from a registry this machine does not reach), so the script
# runs in a real shell with a stand-in for mongosh on PATH that records each invocation's
# arguments and standard input and answers the script's readiness questions; what the test then
# checks is the script's own doing: the arguments it passes, and the JavaScript it sends.
#   tests/scripts/mongo_init.sh SHOPCTL
set -uo pipefail
SHOPCTL=${1:?usage: mongo_init.sh SHOPCTL}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }

cat >"$WORK/app.yaml" <<'YAML'
apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: m, namespace: m}
spec:
  services:
  - {name: web, image: "x/web:1", ports: [{name: http, port: 80, targetPort: 8080}], dependsOn: [db]}
  databases:
  - {name: db, engine: mongodb, database: "shop", user: "app", replicas: 1}
YAML
"$SHOPCTL" render -f "$WORK/app.yaml" -o json >"$WORK/out.json" || { bad "render failed"; exit 1; }
python3 - "$WORK/out.json" "$WORK/init.sh" <<'PY' || { bad "no ConfigMap db-scripts with init.sh"; exit 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
items = doc["items"] if isinstance(doc, dict) and "items" in doc else doc
for o in items:
    if o.get("kind") == "ConfigMap" and o["metadata"]["name"] == "db-scripts":
        open(sys.argv[2], "w").write(o["data"]["init.sh"])
        sys.exit(0)
sys.exit(1)
PY

# The stand-in: every call appends its arguments and its standard input (when not a terminal or
# empty) to the log, then answers ping, isMaster and nothing else (the replica set is new).
mkdir -p "$WORK/bin"
cat >"$WORK/bin/mongosh" <<'SH'
#!/bin/sh
log=${MONGO_STANDIN_LOG:?}
{ printf 'ARGV'; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\n'; } >>"$log"
case "$*" in
  *'--eval db.adminCommand("ping").ok'*) echo 1; exit 0 ;;
  *'--eval db.isMaster().ismaster'*) echo true; exit 0 ;;
  *--eval*) exit 0 ;;
esac
printf 'STDIN\n' >>"$log"
cat >>"$log"
printf '\nEND\n' >>"$log"
SH
chmod +x "$WORK/bin/mongosh"

run_with() {  # ROOT_PASSWORD APP_PASSWORD: runs init.sh, leaves the log in $WORK/log
  : >"$WORK/log"
  env -i PATH="$WORK/bin:/usr/bin:/bin" MONGO_STANDIN_LOG="$WORK/log" POD_NAME=db-0 POD_NAMESPACE=m \
    SHOP_HEADLESS=db-headless SHOP_PORT=27017 SHOP_REPLICAS=1 MONGO_ROOT_PASSWORD="$1" \
    MONGO_APP_USER=app MONGO_APP_PASSWORD="$2" MONGO_APP_DATABASE=shop timeout 20 sh "$WORK/init.sh" >"$WORK/stdout" 2>&1
}

# Passwords with quotes of both kinds, a backslash, $, a backquote, spaces, a line break inside
# and one at the end.
root_pw=$'r\'oot "pw" \\ $HOME `id` x\ny\n'
app_pw=$'a\'); db.dropDatabase(); (\'\\'
run_with "$root_pw" "$app_pw" || bad "init.sh failed: $(cat "$WORK/stdout")"
grep -q "replica set rs0 initiated with 1 members" "$WORK/stdout" && ok "init.sh ran to its end" ||
  bad "init.sh did not finish: $(cat "$WORK/stdout")"

# No argument of any call holds a password or a part of one.
if grep '^ARGV' "$WORK/log" | grep -qE "oot \"pw\"|dropDatabase|pwd"; then
  bad "a password is on a command line: $(grep '^ARGV' "$WORK/log")"
else
  ok "no call has a password (or pwd:) among its arguments ($(grep -c '^ARGV' "$WORK/log") calls)"
fi

# The JavaScript sent on stdin holds each password as a string literal that reads back exactly.
python3 - "$WORK/log" "$root_pw" "$app_pw" <<'PY' && ok "the root and application passwords reach createUser and auth as literals that read back exactly" || bad "the passwords sent do not read back: $(cat "$WORK/log")"
import ast, re, sys
log, root, app = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
# A single-quoted JavaScript literal with \\, \' and \n escapes reads as the same Python literal.
lit = r"'(?:[^'\\\n]|\\.)*'"
def literals(pattern):
    return [ast.literal_eval(m) for m in re.findall(pattern, log)]
created_root = literals(r'createUser\(\{user: "root", pwd: (' + lit + ')')
auths = literals(r'auth\("root", (' + lit + r')\)')
created_app = literals(r"createUser\(\{user: '[^']*', pwd: (" + lit + ")")
assert created_root == [root], created_root
assert auths and all(a == root for a in auths), auths
assert created_app == [app], created_app
PY
# The whole script is the rendered one: no password in the ConfigMap itself.
grep -q 'MONGO_ROOT_PASSWORD' "$WORK/init.sh" && ! grep -qE -- '-p "\$MONGO|pwd: .\$MONGO' "$WORK/init.sh" &&
  ok "the rendered init.sh reads the passwords from the environment and never passes them with -p or inside --eval" ||
  bad "the rendered init.sh still puts a password on a command line"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
