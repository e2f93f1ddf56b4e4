#!/usr/bin/env bash
# Leader election: two operators; only the leader writes; when the leader is killed, the other
# takes over within the lease duration and reconciles.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace leader
op_install
# Wait for a lease a previous test's killed operator may still hold.
LE="--lease-duration 6 --renew-deadline 4 --retry-period 1"
op_start a --namespace "$NS" $LE
wait_for "operator a leads" 40 grep -q "became leader" "$OP_DIR/a.log"
op_start b --namespace "$NS" $LE
sleep 3
grep -q "became leader" "$OP_DIR/b.log" && fail "two leaders at once"
pass "operator b is a standby"
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$NS")
  services:
$(nginx_service web)
    probes: {readiness: {http: {path: /}}}
APP
op_wait_ready "$NS" shop 60
wb=$(op_writes_since "$since" "e2e-b-")
wa=$(op_writes_since "$since" "e2e-a-")
[ "$wb" = 0 ] || fail "the standby wrote $wb time(s)"
[ "$wa" -gt 0 ] || fail "the leader wrote nothing (audit filter broken?)"
pass "only the leader wrote ($wa writes by a, 0 by b)"

killed=$SECONDS
op_stop a KILL || true
wait_for "operator b takes over" 20 grep -q "became leader" "$OP_DIR/b.log"
took=$((SECONDS - killed))
[ "$took" -le 10 ] || fail "takeover took ${took}s, more than lease duration + retry"
pass "b leads ${took}s after a was killed (lease duration 6s)"
kc -n "$NS" delete svc web >/dev/null
wait_for "the new leader reconciles" 30 kc -n "$NS" get svc web
op_stop b TERM
grep -q "released leadership" "$OP_DIR/b.log" || fail "a stopped leader must release its lease"
pass "SIGTERM: b released the lease and exited"

# SIGTERM during a reconcile: the reconcile finishes (or stops) before the Lease is released, so
# no write of this leader can land while a standby may already lead.
t0=$(now_iso)
op_start c --namespace "$NS" $LE
wait_for "operator c leads" 40 grep -q "became leader" "$OP_DIR/c.log"
op_app_from_preset sockshop big | kc apply --server-side -f - >/dev/null
c_writes() { [ "$(op_writes_since "$t0" e2e-c-)" -gt 0 ]; }
wait_for "c is writing the Sock Shop" 30 c_writes
op_stop c TERM
grep -q "released leadership" "$OP_DIR/c.log" || fail "c did not release its lease"
release=$(op_audit_since "$t0" | jq -rs '[.[] | select(.objectRef.resource == "leases" and .verb == "update" and (.userAgent | contains("e2e-c-")))
  | .requestReceivedTimestamp] | max')
last=$(op_audit_since "$t0" | jq -rs '[.[] | select(.objectRef.resource != "leases" and (.verb == "create" or .verb == "patch" or .verb == "update" or .verb == "delete") and (.userAgent | contains("e2e-c-")))
  | .requestReceivedTimestamp] | max')
n=$(op_writes_since "$t0" e2e-c-)
[ "$release" != null ] && [ "$last" != null ] || fail "audit log: release $release, last write $last"
[[ "$last" < "$release" ]] || fail "a write at $last came after the Lease was released at $release"
pass "SIGTERM mid-reconcile: all $n writes of c ($last the last) came before its release ($release)"
op_no_forbidden "$since"
