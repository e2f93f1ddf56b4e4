#!/usr/bin/env bash
# The audit and harden commands as a user runs them: exit codes (--fail-on), stdin, directories,
# broken YAML, -o DIR, --explain, SARIF on stdout.
#
#   tests/audit-cli/run.sh SHOPCTL [SOURCE_DIR]
set -uo pipefail
SHOPCTL=${1:?usage: run.sh SHOPCTL [SOURCE_DIR]}
ROOT=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
UPSTREAM=$ROOT/../shared/fixtures/sockshop-upstream/complete-demo.yaml
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }
expect_rc() {  # WANT DESC CMD...
  local want=$1 desc=$2 rc=0; shift 2
  "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$desc (exit $rc)"; else bad "$desc: exit $rc, want $want: $(head -c 300 "$WORK/err")"; fi
}

# --fail-on: the upstream has 1 critical finding, so every threshold fails but `none`.
expect_rc 1 "audit upstream (default --fail-on high)" "$SHOPCTL" audit -f "$UPSTREAM"
expect_rc 1 "audit upstream --fail-on critical" "$SHOPCTL" audit -f "$UPSTREAM" --fail-on critical
expect_rc 0 "audit upstream --fail-on none" "$SHOPCTL" audit -f "$UPSTREAM" --fail-on none
grep -q '^score: [0-9]*/100' "$WORK/out" && ok "table ends with a score" || bad "no score line"
# a manifest whose worst finding is medium
cat > "$WORK/medium.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
YAML
expect_rc 0 "medium finding, --fail-on high" "$SHOPCTL" audit -f "$WORK/medium.yaml" --fail-on high
expect_rc 0 "medium finding, default --fail-on (high)" "$SHOPCTL" audit -f "$WORK/medium.yaml"
expect_rc 1 "medium finding, --fail-on info" "$SHOPCTL" audit -f "$WORK/medium.yaml" --fail-on info
expect_rc 1 "medium finding, --fail-on medium" "$SHOPCTL" audit -f "$WORK/medium.yaml" --fail-on medium
expect_rc 0 "rule disabled with --disable" "$SHOPCTL" audit -f "$WORK/medium.yaml" --disable exposure-service-type
printf 'disable: [exposure-service-type]\n' > "$WORK/config.yaml"
expect_rc 0 "rule disabled by --config" "$SHOPCTL" audit -f "$WORK/medium.yaml" --config "$WORK/config.yaml"
expect_rc 2 "unknown rule id is a usage error" "$SHOPCTL" audit -f "$WORK/medium.yaml" --disable no-such-rule

# stdin, directories, broken YAML
expect_rc 1 "audit from stdin" bash -c "\"$SHOPCTL\" audit -f - --fail-on medium < \"$WORK/medium.yaml\""
grep -q '<stdin>' "$WORK/out" && ok "stdin findings name <stdin>" || bad "stdin findings do not name <stdin>"
mkdir -p "$WORK/dir/sub"
cp "$WORK/medium.yaml" "$WORK/dir/sub/a.yaml"
cp "$UPSTREAM" "$WORK/dir/b.yml"
expect_rc 1 "audit a directory recursively" "$SHOPCTL" audit -f "$WORK/dir" -o json
python3 -c "import json,sys; j=json.load(open('$WORK/out')); sys.exit(0 if j['summary']['objects'] == 30 else 1)" &&
  ok "directory: 30 objects from 2 files" || bad "directory: wrong object count"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [a\n' > "$WORK/broken.yaml"
expect_rc 2 "broken YAML is an input error" "$SHOPCTL" audit -f "$WORK/broken.yaml"
grep -q "broken.yaml:[0-9]*:[0-9]*: error" "$WORK/err" && ok "broken YAML reported with file:line:col" || bad "no file:line:col: $(cat "$WORK/err")"

# SARIF
expect_rc 1 "audit -o sarif" "$SHOPCTL" audit -f "$UPSTREAM" -o sarif
python3 - "$WORK/out" <<'PY' && ok "SARIF 2.1.0 with rules and located results" || bad "SARIF shape"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0"
run = s["runs"][0]
ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
assert run["results"]
for r in run["results"]:
    assert r["ruleId"] in ids and r["level"] in ("error", "warning", "note")
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("complete-demo.yaml")
    assert loc["region"]["startLine"] >= 1
PY

# harden: stdout stream, --output-dir DIR, --explain, idempotent through files, clean audit
expect_rc 0 "harden upstream to stdout" "$SHOPCTL" harden -f "$UPSTREAM"
cp "$WORK/out" "$WORK/hardened.yaml"
expect_rc 0 "harden --output-dir DIR --explain" "$SHOPCTL" harden -f "$UPSTREAM" --output-dir "$WORK/tree" --explain
files=$(ls "$WORK/tree" | wc -l)
objects=$(grep -c '^kind:' "$WORK/hardened.yaml")
[ "$files" -eq "$objects" ] && ok "-o DIR: one file per object ($files)" || bad "-o DIR wrote $files files for $objects objects"
grep -q '^\[secret-env-plaintext\] ' "$WORK/out" && ok "--explain names rule ids" || bad "--explain output lacks rule ids"
expect_rc 0 "harden the hardened tree again" "$SHOPCTL" harden -f "$WORK/tree"
cmp -s "$WORK/out" "$WORK/hardened.yaml" && ok "harden(harden(x)) == harden(x) through --output-dir DIR" || bad "second harden differs"
# Without --ingress-host the front-end keeps its NodePort (ClusterIP alone would cut off its
# browsers): that one finding stays, everything else is clean; with an Ingress it is clean too.
expect_rc 1 "hardened output still reports the kept NodePort" "$SHOPCTL" audit -f "$WORK/hardened.yaml" --fail-on low
grep -q 'exposure-service-type' "$WORK/out" && ok "the kept NodePort is the finding" || bad "no exposure-service-type finding"
expect_rc 0 "hardened output audits clean at low but the kept NodePort" "$SHOPCTL" audit -f "$WORK/hardened.yaml" --fail-on low --disable exposure-service-type
expect_rc 0 "harden --ingress-host" "$SHOPCTL" harden -f "$UPSTREAM" --ingress-host shop.example.test
cp "$WORK/out" "$WORK/hardened-ingress.yaml"
expect_rc 0 "hardened output with an Ingress audits clean at low" "$SHOPCTL" audit -f "$WORK/hardened-ingress.yaml" --fail-on low
expect_rc 2 "harden --pin without =" "$SHOPCTL" harden -f "$UPSTREAM" --pin mongo
# DNS egress of the default-deny policy: where the cluster resolves, and bad values named
expect_rc 0 "harden --dns-cidr" "$SHOPCTL" harden -f "$UPSTREAM" --dns-cidr 169.254.20.10/32
grep -q 'cidr: 169.254.20.10/32' "$WORK/out" && ok "the default-deny policy lets DNS out to 169.254.20.10/32" || bad "no ipBlock 169.254.20.10/32 in the output"
expect_rc 2 "harden --dns-cidr without a prefix length" "$SHOPCTL" harden -f "$UPSTREAM" --dns-cidr 169.254.20.10
grep -q -- '--dns-cidr' "$WORK/err" && ok "the error names --dns-cidr" || bad "the error does not name --dns-cidr: $(head -c 200 "$WORK/err")"
expect_rc 2 "harden --dns-pod-label without =" "$SHOPCTL" harden -f "$UPSTREAM" --dns-pod-label k8s-app

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
