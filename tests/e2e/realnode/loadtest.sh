#!/usr/bin/env bash
# `shopctl loadtest` on the real node, against a ShopApp applied through shop-operator exactly as
# rendered (Pod Security restricted, the rendered default-deny NetworkPolicies enforced):
#   - the rendered policies keep a pod that is not a caller away from the service, yet the load
#     test's Job reaches it (its own two policies), and every response is 2xx;
#   - the service's HPA (rendered from spec) scales it up under the load from real metrics,
#     and `shopctl loadtest` shows it happening; `shopctl status` shows the autoscaler and the
#     load test; the service scales back down afterwards;
#   - a second load test while one runs is refused; a finished one is replaced; deleting the Job
#     removes its NetworkPolicies (owner references);
#   - an image that cannot run is reported at once, with the reason, not after the deadline;
#   - a service with versions: each version's Deployment and autoscaler are shown, summed.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-load
op_install
op_start op1 --namespace "$NS" --leader-elect=false

# An nginx service with CPU requests (the autoscaler's utilization is of them).
nginx_service() {
  rn_nginx_service "$1"
  echo "    resources: {requests: {cpu: 20m, memory: 16Mi}, limits: {cpu: 200m, memory: 64Mi}}"
}
WEB="$(nginx_service web)
    autoscaling:
      min: 1
      max: 3
      cpu: 50
      scaleUp: {stabilizationWindowSeconds: 0}
      scaleDown: {stabilizationWindowSeconds: 15, policies: [{type: Percent, value: 100, periodSeconds: 15}]}"
kc -n "$NS" apply --server-side -f - >/dev/null <<YAML
$(rn_shopapp_header shop)
  services:
$WEB
YAML
op_wait_ready "$NS" shop 180
[ "$(kc get ns "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" = restricted ] ||
  fail "the namespace does not enforce Pod Security restricted"
pass "ShopApp shop Ready through the operator; web has the rendered HPA (1-3, cpu 50%)"

# The rendered policies let nobody but declared callers in: a stranger of the same app is refused.
rn_toolbox_pod stranger "$NS" "app.kubernetes.io/name: stranger, app.kubernetes.io/instance: shop"
rn_wait_ready "$NS" app.kubernetes.io/name=stranger
web_ip=$(kc -n "$NS" get svc web -o jsonpath='{.spec.clusterIP}')
if kc -n "$NS" exec stranger -- nc -z -w 3 "$web_ip" 80 2>/dev/null; then fail "a pod that is no caller of web reached it"; fi
pass "the rendered NetworkPolicies refuse a pod that is no caller of web"

wait_for "metrics-server has CPU figures for web" 90 bash -c "$(declare -f kc); kc -n $NS top pod -l app.kubernetes.io/name=web --no-headers | grep -Eq '[0-9]+m'"

# --- the load test ------------------------------------------------------------------------------
lt=("$SHOPCTL" loadtest shop web -n "$NS" --image "$RN_IMG_LOADGEN" --image-pull-policy Never --interval 3s)
out=$OP_DIR/loadtest.out
t0=$SECONDS
"${lt[@]}" --duration 75s --concurrency 4 --rate 200 >"$out" 2>&1 &
lt_pid=$!
wait_for "the load test's Job and its 2 NetworkPolicies exist" 30 bash -c \
  "$(declare -f kc); kc -n $NS get job shop-loadtest-web >/dev/null && [ \$(kc -n $NS get networkpolicy -l shopctl.io/loadtest-of=shop -o name | wc -l) = 2 ]"
expect_fail "a second load test of web while one runs" "still running" "${lt[@]}" --duration 5s
rc=0; wait "$lt_pid" || rc=$?
cat "$out"
[ "$rc" = 0 ] || fail "shopctl loadtest exited $rc"
grep -q 'Requests/sec' "$out" || fail "no hey summary in the output"
grep -Eq '\[200\][[:space:]]+[0-9]+ responses' "$out" || fail "no 200 responses in hey's summary"
peak=$(sed -n 's/.* at the start, \([0-9]*\) at most during the test.*/\1/p' "$out")
[ "${peak:-0}" -ge 2 ] || fail "web did not scale up under the load (peak ${peak:-?})"
grep -Eq 'running +web: [2-9] replicas' "$out" || fail "the progress lines never showed web with more than one replica"
grep -Eq 'autoscaler wants [2-9] of 1-3 \(cpu [0-9]+%/50%\)' "$out" || fail "the progress lines never showed the autoscaler's wish with its metric"
pass "loadtest: every response 2xx through the rendered policies; web scaled to $peak replicas under load, shown live ($((SECONDS - t0))s in all)"

status=$("$SHOPCTL" status shop -n "$NS")
grep -Eq '^  web +1 +3 +[0-9]+ +[0-9]+ +cpu [0-9?]+%?/50%' <<<"$status" || fail "shopctl status shows no autoscaler row for web: $status"
grep -Eq '^  shop-loadtest-web +web +finished' <<<"$status" || fail "shopctl status shows no finished load test: $status"
json=$("$SHOPCTL" status shop -n "$NS" -o json)
[ "$(jq -r '.autoscaling[0].name + " " + (.autoscaling[0].max|tostring)' <<<"$json")" = "web 3" ] || fail "status -o json: no autoscaling: $json"
pass "shopctl status shows the autoscaler (min, max, current, desired, metric) and the finished load test"

wait_for "web scaled back down to 1 replica after the load" 240 bash -c "$(declare -f kc); [ \"\$(kc -n $NS get deploy web -o jsonpath='{.spec.replicas}')\" = 1 ]"
"$SHOPCTL" status shop -n "$NS" -o json | jq -e '.autoscaling[0].desired == 1' >/dev/null || fail "status does not show the autoscaler back at 1"

# --- a finished test is replaced; the policies go with their Job ----------------------------------
uid_before=$(kc -n "$NS" get job shop-loadtest-web -o jsonpath='{.metadata.uid}')
"${lt[@]}" --duration 3s --concurrency 1 >"$out" 2>&1 || { cat "$out"; fail "a second load test after the first finished failed"; }
uid_after=$(kc -n "$NS" get job shop-loadtest-web -o jsonpath='{.metadata.uid}')
[ "$uid_before" != "$uid_after" ] || fail "the finished Job was not replaced"
owner=$(kc -n "$NS" get networkpolicy shop-loadtest-web -o jsonpath='{.metadata.ownerReferences[0].uid}')
[ "$owner" = "$uid_after" ] || fail "the load test's NetworkPolicy is not owned by the new Job ($owner, not $uid_after)"
kc -n "$NS" delete job shop-loadtest-web >/dev/null
gone() { [ -z "$(kc -n "$NS" get networkpolicy -l shopctl.io/loadtest-of=shop -o name)" ]; }
wait_for "deleting the Job removed the load test's NetworkPolicies (garbage collection)" 60 gone
[ "$(kc -n "$NS" get networkpolicy web -o name)" = networkpolicy.networking.k8s.io/web ] || fail "the app's own policy went too"

# --- a load generator that cannot start -----------------------------------------------------------
t1=$SECONDS
expect_fail "an image that cannot run is reported with its reason" "cannot start: ErrImageNeverPull" \
  "$SHOPCTL" loadtest shop web -n "$NS" --image localhost/shopctl/no-such-image:1 --image-pull-policy Never --duration 5s --interval 1s
[ $((SECONDS - t1)) -lt 60 ] || fail "the unrunnable image took $((SECONDS - t1))s to be reported"
kc -n "$NS" delete job shop-loadtest-web >/dev/null

# --- a service with versions: one Deployment (and autoscaler) per version, summed and shown each --
kc -n "$NS" apply --server-side -f - >/dev/null <<YAML
$(rn_shopapp_header shop)
  services:
$WEB
$(nginx_service api)
    versions:
    - {name: v1, replicas: 1}
    - {name: v2, replicas: 2}
YAML
op_wait_ready "$NS" shop 180
"$SHOPCTL" loadtest shop api -n "$NS" --image "$RN_IMG_LOADGEN" --image-pull-policy Never --duration 5s --concurrency 1 --interval 1s >"$out" 2>&1 || { cat "$out"; fail "the load test of a service with versions failed"; }
cat "$out"
grep -Eq 'api: 3 replicas \(3 ready\): v1 1 \(1 ready\), autoscaler [^;]*1-2[^;]*; v2 2 \(2 ready\), autoscaler .*2-4' "$out" ||
  fail "the progress lines do not show api's two versions (api-v1 1 replica, api-v2 2, each with its autoscaler)"
grep -q '^api: 3 replicas at the start, 3 at most during the test (autoscaler maximum 6)\.$' "$out" ||
  fail "the summary does not sum api's versions: $(tail -3 "$out")"
grep -Eq '\[200\][[:space:]]+[0-9]+ responses' "$out" || fail "no 200 responses from api's versions"
pass "loadtest of a service with versions: each version's Deployment and autoscaler shown, replicas summed, every response 2xx"
