#!/usr/bin/env bash
# A golden file (multi-document YAML from the renderer) is accepted by the API server exactly as
# the operator will send it: server-side apply, field manager shop-operator, strict field
# validation. A second apply must also succeed (no conflicts with itself). Everything the file
# created is deleted afterwards.
#   golden_apply.sh FILE
source "$(dirname "$0")/lib.sh"
FILE=${1:?usage: golden_apply.sh FILE}
[ -s "$FILE" ] || fail "golden file $FILE is missing or empty"
E2E_NAME="golden_apply $(basename "$FILE")"

names=$(kc create --dry-run=client -f "$FILE" -o name 2>&1) || fail "kubectl cannot read $FILE: $names"
[ -n "$names" ] || fail "$FILE contains no objects"
namespaces=$(sed -n 's|^namespace/||p' <<<"$names")

# A namespace of an earlier golden test may still be terminating: wait for it to be gone.
for ns in $namespaces; do
  gone() { ! kc get namespace "$1" >/dev/null 2>&1; }
  phase=$(kc get namespace "$ns" -o jsonpath='{.status.phase}' 2>/dev/null || true)
  if [ "$phase" = Terminating ]; then wait_for "namespace $ns finished terminating" 180 gone "$ns"; fi
done

# Cleanup: delete the file's namespaces (which removes their content) without waiting, plus any
# object outside them. A later test that reuses a namespace waits for it above.
cleanup() {
  [ "${E2E_KEEP:-0}" = 1 ] && { echo "E2E_KEEP=1: leaving the objects of $FILE" >&2; return 0; }
  local obj ns own
  while read -r obj ns; do
    [ -n "$obj" ] || continue
    case $obj in namespace/*) continue ;; esac
    own=0
    for n in $namespaces; do [ "$n" = "$ns" ] && own=1; done
    case $ns in default|kube-system|kube-public|kube-node-lease) own=0 ;; esac
    [ $own = 1 ] && continue
    if [ "$ns" = "<none>" ]; then kc delete "$obj" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    else kc -n "$ns" delete "$obj" --ignore-not-found --wait=false >/dev/null 2>&1 || true; fi
  done < <(paste -d' ' <(kc get -f "$FILE" -o name --ignore-not-found 2>/dev/null) \
    <(kc get -f "$FILE" -o custom-columns=NS:.metadata.namespace --no-headers --ignore-not-found 2>/dev/null))
  for ns in $namespaces; do
    case $ns in default|kube-system|kube-public|kube-node-lease) continue ;; esac
    kc delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

out=$(kc apply --server-side --field-manager=shop-operator --validate=strict -f "$FILE" 2>&1) ||
  fail "server-side apply of $FILE was rejected:
$out"
echo "$out"
bad=$(grep -v 'serverside-applied$' <<<"$out" || true)
[ -z "$bad" ] || fail "unexpected apply output: $bad"
applied=$(grep -c 'serverside-applied$' <<<"$out")
expected=$(grep -c . <<<"$names")
[ "$applied" -eq "$expected" ] || fail "$applied objects applied, the file has $expected"
pass "$applied objects accepted (server-side apply, fieldValidation=Strict)"

kc get -f "$FILE" -o name >/dev/null || fail "not every object of $FILE can be read back"
out=$(kc apply --server-side --field-manager=shop-operator --validate=strict -f "$FILE" 2>&1) ||
  fail "re-applying $FILE failed:
$out"
pass "re-apply succeeds (no conflicts)"
