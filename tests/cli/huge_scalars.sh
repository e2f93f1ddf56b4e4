#!/usr/bin/env bash
# Scalars far longer than any real one, in every field a pattern checks, and YAML built to
# explode (alias bombs, yaml-cpp's endless ',' document): shopctl must answer with an error
# naming the file and field, or accept it, and never die of a signal, hang or flood the output
# (std::regex used to recurse once per character and overflow the stack: `shopctl audit` on a
# 27k-character env value was a segfault; a 695-byte alias bomb ran for minutes in gigabytes).
#
#   tests/cli/huge_scalars.sh SHOPCTL
set -uo pipefail
SHOPCTL=${1:?usage: huge_scalars.sh SHOPCTL}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }
# WANT_RC ERR_REGEX DESC CMD...: exit code WANT_RC (never a signal), stderr matching ERR_REGEX
expect() {
  local want=$1 re=$2 desc=$3 rc=0; shift 3
  "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
  if [ "$rc" -ge 128 ]; then bad "$desc: killed by signal $((rc - 128))"; return; fi
  if [ "$rc" -ne "$want" ]; then bad "$desc: exit $rc, want $want: $(head -c 300 "$WORK/err")"; return; fi
  if [ -n "$re" ] && ! grep -Eq -- "$re" "$WORK/err"; then bad "$desc: stderr lacks /$re/: $(head -c 300 "$WORK/err")"; return; fi
  if [ "$want" -ne 0 ] && [ "$(wc -c < "$WORK/err")" -gt 8192 ]; then bad "$desc: $(wc -c < "$WORK/err") bytes of errors: the value is not cut"; return; fi
  ok "$desc (exit $rc)"
}
long() { head -c "$2" /dev/zero | tr '\0' "$1"; }  # long CHAR COUNT
N=300000
A=$(long a $N)
DIGITS=$(long 7 $N)
DASHES=$(long - $N)
ARGV_DIGITS=$(long 7 100000)  # one argv string may not pass 128 KiB
DOTTED=$(for _ in $(seq 1 2000); do printf 'abcdefghijklmnopqrstuvwxyz0123456789.'; done)x

# ---- ShopApps: validate and render ---------------------------------------------------------
shopapp() {  # shopapp FILE SERVICE_YAML_LINES
  {
    printf 'apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: huge, namespace: huge}\nspec:\n  services:\n'
    printf '  - name: web\n    ports: [{name: http, port: 80, targetPort: 8080}]\n'
    printf '%s\n' "$2"
  } > "$WORK/$1"
}
shopapp env-value.yaml "    image: nginx:1.27
    env:
    - {name: GREETING, value: \"$A\"}"
# Past the CRD's 32768 bytes: refused at the line, as the API server would refuse it.
expect 2 "env-value.yaml:[0-9]+:[0-9]+: error: .*env\\[0\\].value: is 300000 bytes; at most 32768" "validate: a 300k-character env value is refused, not a crash" "$SHOPCTL" validate -f "$WORK/env-value.yaml"
expect 2 "at most 32768" "render: a 300k-character env value" "$SHOPCTL" render -f "$WORK/env-value.yaml"
shopapp env-value-max.yaml "    image: nginx:1.27
    env:
    - {name: GREETING, value: \"${A:0:32768}\"}"
expect 0 "" "validate: a 32768-character env value is a value" "$SHOPCTL" validate -f "$WORK/env-value-max.yaml"
expect 0 "" "render: a 32768-character env value" "$SHOPCTL" render -f "$WORK/env-value-max.yaml"
shopapp env-name.yaml "    image: nginx:1.27
    env:
    - {name: \"9$A\", value: x}"
expect 2 "env-name.yaml:[0-9]+:[0-9]+: error: .*name" "validate: a 300k-character env name that is not one" "$SHOPCTL" validate -f "$WORK/env-name.yaml"
shopapp image.yaml "    image: \"$DOTTED/$A:$DIGITS\""
expect 2 "image.yaml:[0-9]+:[0-9]+: error: .*image" "validate: a 74k-character image reference" "$SHOPCTL" validate -f "$WORK/image.yaml"
shopapp label.yaml "    image: nginx:1.27
    labels:
      ? \"$DOTTED/x\"
      : \"a$DASHES\""  # an explicit key: YAML limits implicit ones to 1024 characters
expect 2 "label.yaml:[0-9]+:[0-9]+: error: .*label" "validate: a huge label key and value" "$SHOPCTL" validate -f "$WORK/label.yaml"
shopapp duration.yaml "    image: nginx:1.27
    resilience: {timeout: \"${DIGITS}s\"}"
expect 2 "duration.yaml:[0-9]+:[0-9]+: error: .*timeout" "validate: a 300k-digit timeout (not a finite duration)" "$SHOPCTL" validate -f "$WORK/duration.yaml"
shopapp quantity.yaml "    image: nginx:1.27
    resources: {requests: {cpu: \"${DIGITS}x\"}}"
expect 2 "quantity.yaml:[0-9]+:[0-9]+: error: .*cpu" "validate: a 300k-digit quantity with a bad suffix" "$SHOPCTL" validate -f "$WORK/quantity.yaml"
shopapp scalar.yaml "    image: nginx:1.27
    replicas: $DIGITS"
expect 2 "scalar.yaml:[0-9]+:[0-9]+: error: .*replicas" "validate: a 300k-digit replica count" "$SHOPCTL" validate -f "$WORK/scalar.yaml"

shopapp port.yaml "    image: nginx:1.27
    probes:
      readiness: {http: {path: /, port: \"$ARGV_DIGITS\"}}
      liveness: {tcp: {port: 70000}}"
expect 2 'port.yaml:10:[0-9]+: error: .*port: "7+\.\.\." \(100000 characters\) is not a port number' "validate: a probe port of 100k digits" "$SHOPCTL" validate -f "$WORK/port.yaml"
expect 2 "port.yaml:11:[0-9]+: error: .*port: 70000 is not a port number" "validate: a probe port of 70000" "$SHOPCTL" validate -f "$WORK/port.yaml"
shopapp retry.yaml "    image: nginx:1.27
    resilience: {retries: {attempts: 2, retryOn: \"5xx,$ARGV_DIGITS\"}}"
expect 2 "retry.yaml:[0-9]+:[0-9]+: error: .*retryOn: .*is not a retry condition" "validate: a 100k-digit retryOn status" "$SHOPCTL" validate -f "$WORK/retry.yaml"

# ---- Kubernetes manifests: audit, harden, import -------------------------------------------
cat > "$WORK/deploy.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: big
  labels: {app: big, note: "a$DASHES"}
  annotations: {description: "$DOTTED $A://$A:$DIGITS@ user:$A@tcp("}
spec:
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers:
      - name: web
        image: "nginx:1.27-$A"
        args: ["--dsn=x=$A:$A@tcp(db:3306)/x", "$DOTTED"]
        env:
        - {name: BIG, value: "$A"}
        - {name: URL, value: "http://$DOTTED:$DIGITS/$A"}
        - {name: "$A", value: "$DIGITS"}
        resources: {requests: {cpu: "$DIGITS", memory: "${DIGITS}Mi"}}
EOF
for cmd in audit harden import; do
  rc=0
  "$SHOPCTL" $cmd -f "$WORK/deploy.yaml" > "$WORK/out" 2> "$WORK/err" || rc=$?
  if [ "$rc" -ge 128 ]; then bad "$cmd of a manifest with 300k-character scalars: killed by signal $((rc - 128))"
  elif [ "$rc" -eq 2 ] && ! grep -q "error: " "$WORK/err"; then bad "$cmd: exit 2 without an error line: $(head -c 300 "$WORK/err")"
  elif [ "$(wc -c < "$WORK/err")" -gt 65536 ]; then bad "$cmd: $(wc -c < "$WORK/err") bytes of warnings and errors for one manifest: values are not cut"
  else ok "$cmd of a manifest with 300k-character scalars (exit $rc)"; fi
done

# ---- aliases: a "billion laughs" (695 bytes, 10^9 strings once expanded) -------------------
{
  printf 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
  prev=a
  for n in b c d e f g h i; do
    printf '%s: &%s [' "$n" "$n"; for k in 1 2 3 4 5 6 7 8 9 10; do printf '%s*%s' "$([ $k = 1 ] || echo ,)" "$prev"; done; printf ']\n'
    prev=$n
  done
} > "$WORK/lol.yaml"
for cmd in validate render audit harden import; do
  # (the old loader ran past 30 s and 2 GB here; timeout turns a hang into a failure)
  expect 2 'lol.yaml:[0-9]+:[0-9]+: error: .*aliases expand to more than 100000 nodes' "$cmd of a billion laughs" timeout 60 "$SHOPCTL" $cmd -f "$WORK/lol.yaml"
done
printf 'a: 1\n---\n,\n' > "$WORK/comma.yaml"
expect 2 'comma.yaml:[0-9]+:[0-9]+: error: invalid YAML: unexpected ","' "validate of a lone ',' document (yaml-cpp loops on it)" timeout 60 "$SHOPCTL" validate -f "$WORK/comma.yaml"

# ---- wrong types in foreign manifests: input errors, not "internal error: [json.exception...]"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      containers: ["nginx"]\n' > "$WORK/bare.yaml"
for cmd in audit harden import; do
  expect 2 'bare.yaml:9:[0-9]+: error: spec.template.spec.containers\[0\]: must be an object, not string' "$cmd of a container given as a bare string" "$SHOPCTL" $cmd -f "$WORK/bare.yaml"
done

# ---- durations on the command line ---------------------------------------------------------
expect 2 "--timeout .*expected a duration" "apply --timeout of 30 digits" "$SHOPCTL" apply -f "$WORK/env-value-max.yaml" --timeout 999999999999999999999999999999
expect 2 "--timeout .*expected a duration" "apply --timeout of 100k digits" "$SHOPCTL" apply -f "$WORK/env-value-max.yaml" --timeout "${ARGV_DIGITS}s"
expect 2 "--timeout .*expected a duration" "apply --timeout with units out of order" "$SHOPCTL" apply -f "$WORK/env-value-max.yaml" --timeout 5s1m
expect 2 "--interval .*expected a duration" "status --interval 1x" "$SHOPCTL" status --interval 1x

echo "huge_scalars: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
