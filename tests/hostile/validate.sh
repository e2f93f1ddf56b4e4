#!/usr/bin/env bash
# The hostile corpus through `shopctl validate`, offline: each case's `# expect validate:` line
# (exit 2 and the message, or exit 0), and never a crash or an internal error. The API server's
# side and the operator's are tests/e2e/operator/hostile.sh.
set -uo pipefail
SHOPCTL=$1
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0 n=0
for f in "$HERE"/cases/*.yaml; do
  b=$(basename "$f")
  n=$((n + 1))
  python3 "$HERE/case.py" expand "$f" hostile > "$WORK/$b"
  { read -r verdict; IFS= read -r sub; } < <(python3 "$HERE/case.py" expect "$f" validate)
  rc=0
  "$SHOPCTL" validate -f "$WORK/$b" > "$WORK/out" 2>&1 || rc=$?
  if [ "$rc" -ge 3 ] || grep -q "internal error" "$WORK/out"; then
    echo "FAIL $b: exit $rc: $(head -c 300 "$WORK/out")"; failures=$((failures + 1)); continue
  fi
  if [ "$verdict" = accept ] && [ "$rc" -ne 0 ]; then
    echo "FAIL $b: validate refused what should pass: $(head -c 300 "$WORK/out")"; failures=$((failures + 1)); continue
  fi
  if [ "$verdict" = reject ]; then
    if [ "$rc" -ne 2 ]; then echo "FAIL $b: validate accepted it (exit $rc)"; failures=$((failures + 1)); continue; fi
    if ! grep -qF -- "$sub" "$WORK/out"; then
      echo "FAIL $b: the message lacks \"$sub\": $(head -c 300 "$WORK/out")"; failures=$((failures + 1)); continue
    fi
    grep -qE "^$WORK/$b:[0-9]+:[0-9]+: error: " "$WORK/out" || { echo "FAIL $b: the error names no file:line:col"; failures=$((failures + 1)); continue; }
    [ "$(wc -c < "$WORK/out")" -le 8192 ] || { echo "FAIL $b: $(wc -c < "$WORK/out") bytes of errors"; failures=$((failures + 1)); continue; }
  fi
  echo "ok   $b: $verdict${sub:+ ($sub)}"
done
[ "$n" -ge 80 ] || { echo "FAIL only $n cases (at least 80)"; exit 1; }
echo "$((n - failures)) of $n cases as expected"
[ "$failures" -eq 0 ]
