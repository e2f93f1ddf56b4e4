#!/usr/bin/env bash
# kube-apiserver SIGKILLed 5 times while 20 ShopApps converge (issue 15), each time restarted by
# testenv/ctl at once (outages of a few seconds, 3-8 s apart). The operator is never restarted and
# never exits; afterwards every rendered object of every app is there, once, holding what was
# rendered, and every app becomes Ready.
#
# Who is waited for is told apart: an app whose workloads the API server shows all ready must be
# Ready within 60 s, else the operator missed an event. (kwok nodes do not set a pod Ready again
# once the node lifecycle controller marked it NotReady; testenv/up gives that controller a grace
# period long enough for these outages.)
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/apps.sh"
since=$(now_iso)
op_install
e2e_namespace chaos-kill
op_start kill --namespace "$NS" --leader-elect=false
mkdir "$OP_DIR/apps"
for ((i = 0; i < APPS; i++)); do app_yaml "$i" >"$OP_DIR/apps/app$i.yaml"; done
"$SHOPCTL" render -f "$OP_DIR/apps" -o json 2>/dev/null |
  jq '{items: [.items[] | select(.kind == "Deployment" or .kind == "StatefulSet" or .kind == "Service")]}' >"$OP_DIR/rendered.json" ||
  fail "could not render the 20 apps"
want=$(jq '.items | length' "$OP_DIR/rendered.json")
[ "$want" -gt "$APPS" ] || fail "rendered only $want workloads and Services for $APPS apps"
t=$SECONDS
kc apply --server-side -f "$OP_DIR/apps" >/dev/null
for k in 1 2 3 4 5; do
  sleep $((3 + RANDOM % 6))
  bash "$TESTENV_CTL" restart-apiserver --run-dir "$TESTENV_RUN_DIR" --kill >/dev/null || fail "could not restart kube-apiserver ($k)"
  op_alive kill || { tail -n 30 "$OP_DIR/kill.log" >&2; fail "the operator exited after kill $k"; }
done
last_kill=$SECONDS
pass "kube-apiserver SIGKILLed and restarted 5 times during convergence; the operator kept running"

live_has_all() {
  kc -n "$NS" get deploy,sts,svc -o json >"$OP_DIR/live.json" &&
    python3 "$(dirname "$0")/contains.py" "$OP_DIR/rendered.json" "$OP_DIR/live.json"
}
wait_for "every rendered Deployment, StatefulSet and Service of the 20 apps is there, as rendered" 300 live_has_all
have=$(jq '.items | length' "$OP_DIR/live.json")
[ "$have" = "$want" ] || fail "$have workloads and Services live for $want rendered: duplicates or strays"
pass "no duplicates: $have workloads and Services live, as rendered"

# Readiness. first_seen[app]: when its workloads were first seen all ready while it was not Ready.
declare -A first_seen=()
deadline=$((SECONDS + 600))
until all_ready; do
  op_alive kill || { tail -n 30 "$OP_DIR/kill.log" >&2; fail "the operator exited"; }
  if [ $SECONDS -ge $deadline ]; then
    # Containers ready but the pod not: the node lifecycle controller marked it (see above).
    kc -n "$NS" get pods -o json | jq -r '.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "False")
      and any(.status.conditions[]?; .type == "ContainersReady" and .status == "True")) | "pod \(.metadata.name): containers ready, pod marked not Ready"' >&2
    wait_all_ready 0 kill
  fi
  for a in $(not_ready_apps); do
    if workloads_ready "$a"; then
      : "${first_seen[$a]:=$SECONDS}"
      if [ $((SECONDS - first_seen[$a])) -ge 60 ]; then
        kc -n "$NS" get shopapp "$a" -o json | jq -c '{app: .metadata.name, gen: .metadata.generation, status}' >&2
        tail -n 40 "$OP_DIR/kill.log" >&2
        fail "$a: its workloads have been ready for 60 s and the operator still does not say Ready (a missed event)"
      fi
    else
      unset "first_seen[$a]"
    fi
  done
  sleep 2
done
secs=$((SECONDS - t))
op_alive kill || fail "the operator is not running"
grep -qE "watch failed|list failed|relisting" "$OP_DIR/kill.log" ||
  fail "the operator log shows no failed watch, failed list or relist: did the outages reach it?"
echo "FIGURES chaos_kill: apps=$APPS kills=5 ready_s=$secs writes=$(op_writes_since "$since")"
pass "all $APPS apps Ready ${secs}s after the first apply, through 5 API server kills, with one operator process"
op_no_forbidden "$since"
op_stop kill || fail "the operator did not exit cleanly on SIGTERM"
