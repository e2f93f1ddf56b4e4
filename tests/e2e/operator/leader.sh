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
op_no_forbidden "$since"
