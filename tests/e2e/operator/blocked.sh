#!/usr/bin/env bash
# A workload whose pods cannot be created says why: with a ResourceQuota of 0 pods in the
# namespace, the Deployment's ReplicaSet fails to create them (FailedCreate), and the ShopApp's
# Ready message and status.components carry that reason, not only "0/1 replicas ready". Once
# the quota allows pods, the app becomes Ready.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace blocked
op_install
kc -n "$NS" create quota no-pods --hard=pods=0 >/dev/null
op_start op --namespace "$NS" --leader-elect=false
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$NS")
  services:
$(nginx_service web)
    replicas: 1
    autoscaling: {enabled: false}
    probes: {readiness: {http: {path: /}}}
APP
ready_message() { kc -n "$NS" get shopapp shop -o json | jq -r '.status.conditions[]? | select(.type == "Ready") | .message'; }
says_why() { ready_message | grep -q 'waiting for web (0/1 replicas ready; FailedCreate: .*exceeded quota: no-pods'; }
wait_for "the Ready message names FailedCreate and the quota" 90 says_why
[ "$(op_condition "$NS" shop Ready)" = False ] || fail "Ready should be False while no pod can be created"
comp=$(kc -n "$NS" get shopapp shop -o json | jq -r '.status.components[] | select(.name == "web") | .message')
grep -q '^0/1 replicas ready; FailedCreate: ' <<<"$comp" || fail "status.components[web].message lacks the reason: $comp"
pass "status.components[web]: $comp"
kc -n "$NS" delete quota no-pods >/dev/null
# The ReplicaSet controller retries with its backoff; the Deployment's status then changes and
# the operator follows it.
op_wait_ready "$NS" shop 180
msg=$(ready_message)
[ "$msg" = "all 1 components ready" ] || fail "after the quota went, Ready says: $msg"
pass "the quota removed: the app became Ready ($msg)"
op_no_forbidden "$since"
