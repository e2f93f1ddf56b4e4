#!/usr/bin/env bash
# Manual drift on children is reverted: a deleted Service comes back, a changed image and a
# changed replica count are put back. The operator says so: a DriftReverted event and its log
# line name the object put back; the app's becoming Ready is an event too. The drift comes after
# reconciles that made only the status (a replaced pod's readiness, a status-only update of the
# Deployment): those must not leave the next change of a child unseen.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace drift
op_install
MP=$(free_port)
# With the children cached packed (--cache-format packed): the drift check reads them unpacked;
# every other operator test runs with the default, trees.
OP_METRICS_ADDR="127.0.0.1:$MP" op_start op --namespace "$NS" --leader-elect=false --cache-format packed
status_only() { curl -sf "http://127.0.0.1:$MP/metrics" | awk '$1 == "shop_operator_status_only_reconciles_total" {print $2}'; }
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$NS")
  services:
$(nginx_service web)
    replicas: 2
    autoscaling: {enabled: false}
    probes: {readiness: {http: {path: /}}}
APP
op_wait_ready "$NS" shop 120
# A pod replaced: the Deployment's readiness drops and comes back in status-only updates, which
# make the app's status again without a render or a plan.
before=$(status_only)
kc -n "$NS" delete "$(kc -n "$NS" get pods -o name | head -1)" --wait=false >/dev/null
grew() { local n; n=$(status_only); [ -n "$n" ] && [ "$n" -gt "${before:-0}" ]; }
wait_for "the replaced pod's readiness reached the status in status-only reconciles" 60 grew
op_wait_ready "$NS" shop 60
kc -n "$NS" delete svc web >/dev/null
wait_for "the deleted Service was recreated" 30 kc -n "$NS" get svc web
kc -n "$NS" set image deploy/web web=nginxinc/nginx-unprivileged:1.25.0-alpine >/dev/null
wait_for "the hand-changed image was reverted" 30 jp_is "$NS" deploy/web '{.spec.template.spec.containers[0].image}' nginxinc/nginx-unprivileged:1.27.2-alpine
kc -n "$NS" scale deploy/web --replicas=5 >/dev/null
wait_for "the hand-changed replica count was reverted" 30 jp_is "$NS" deploy/web '{.spec.replicas}' 2
op_wait_ready "$NS" shop 60
# events.k8s.io/v1 Events regarding the ShopApp: reason and note.
app_events() {
  kc -n "$NS" get events.events.k8s.io -o json |
    jq -r '.items[] | select(.regarding.kind == "ShopApp" and .regarding.name == "shop") | "\(.reason)\t\(.type)\t\(.note)"'
}
drift_event() { app_events | grep -qP '^DriftReverted\tWarning\tput back 1 object\(s\) changed outside the ShopApp: Deployment/web$'; }
wait_for "a DriftReverted event names Deployment/web" 30 drift_event
app_events | grep -qP '^Ready\tNormal\tall 1 components ready$' || { app_events >&2; fail "no Ready event"; }
app_events | grep -qP '^Applied\tNormal\tapplied [0-9]+ object\(s\) \(generation 1\): [0-9]+ created, 0 updated$' ||
  { app_events >&2; fail "no Applied event counting the created objects"; }
pass "events: Applied (created), DriftReverted naming Deployment/web, Ready"
grep -qE '^[^ ]+ info reconciled .*reverted=\["Deployment/web"\]' "$OP_DIR/op.log" ||
  { grep ' reconciled ' "$OP_DIR/op.log" >&2; fail "no reconciled log line naming the reverted Deployment/web"; }
pass "the reconciled log line names the object put back"
op_no_forbidden "$since"
