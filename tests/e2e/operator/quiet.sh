#!/usr/bin/env bash
# No self-inflicted churn: after convergence, restarting the operator and idling produce zero
# write requests (counted in the API server's audit log, by the operator's identity). Lease
# renewals of leader election are the one write an idle leader must make; they are counted
# separately and excluded.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
e2e_namespace quiet
op_install
op_start op1 --namespace "$NS"
op_app_from_preset sockshop shop | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 240
sleep 5  # let the last status write and events land
op_stop op1
restart=$(now_iso)
op_start op2 --namespace "$NS" ${QUIET_OP_ARGS:-}
wait_for "the restarted operator leads and has synced" 60 grep -q "caches synced" "$OP_DIR/op2.log"
# The first reconcile must know the mesh kinds are served: discovery answers before the workers
# start (a reconcile before it would say MeshAvailable=False, then True: two writes for nothing).
found=$(grep -n "Istio CRDs found" "$OP_DIR/op2.log" | head -1 | cut -d: -f1)
synced=$(grep -n "caches synced" "$OP_DIR/op2.log" | head -1 | cut -d: -f1)
[ -n "$found" ] && [ "$found" -lt "$synced" ] || { op_log op2 >&2; fail "the restarted operator started its workers before discovery found the Istio CRDs"; }
pass "discovery found the Istio CRDs before the workers started"
sleep 30
writes=$(op_writes_since "$restart")
reads=$(op_audit_since "$restart" | jq -s '[.[] | select(.verb == "list" or .verb == "get" or .verb == "watch")] | length')
leases=$(op_audit_since "$restart" | jq -s '[.[] | select(.objectRef.resource == "leases" and (.verb == "update" or .verb == "create"))] | length')
echo "after restart: $reads reads, $leases lease writes (leader election), $writes other writes"
[ "$reads" -gt 0 ] || fail "the restarted operator made no requests at all (is the audit log read right?)"
if [ "$writes" != 0 ]; then
  op_audit_since "$restart" | jq -c 'select(.verb=="create" or .verb=="update" or .verb=="patch" or .verb=="delete") | select(.objectRef.resource != "leases") | {verb, r: .objectRef.resource, n: .objectRef.name, sub: .objectRef.subresource}' | head -20 >&2
  fail "the restarted, idle operator wrote $writes time(s)"
fi
pass "restarted and idle for 30s: 0 writes besides $leases lease renewals"
# Its reconciles found nothing to do: they are logged at debug level, so at info there is none.
# (op_start logs in the text format: "TIME LEVEL MESSAGE key=value ...")
grep -qE '^[^ ]+ info caches synced' "$OP_DIR/op2.log" || fail "op2.log is not in the text format this check reads"
noisy=$(grep -cE '^[^ ]+ info reconciled ' "$OP_DIR/op2.log" || true)
[ "$noisy" = 0 ] || { grep -E '^[^ ]+ info reconciled ' "$OP_DIR/op2.log" | head -3 >&2; fail "$noisy no-op reconcile(s) logged at info level"; }
pass "no-op reconciles stay out of the info-level log"
op_no_forbidden "$restart"
