#!/usr/bin/env bash
# An engine change of a live database is refused whole (issue 15): switching engine: postgresql
# to mariadb on a running app would switch its Service, NetworkPolicy and scripts while the old
# pods keep the data, cut off. The operator writes nothing of the app, says Stalled with what to
# do instead, and goes on once the engine is put back.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace engine
op_install
op_start op --namespace "$NS" --leader-elect=false
app() {
  cat <<APP
$(shopapp_header shop "$NS")
  services:
$(nginx_service web "${2:-$NGINX_IMAGE}")
    autoscaling: {enabled: false}
    dependsOn: [db]
    probes: {readiness: {http: {path: /}}}
  databases:
  - {name: db, engine: $1, replicas: 1, storage: {size: 1Gi}}
APP
}
app postgresql | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 120
scripts_rv=$(kc -n "$NS" get configmap db-scripts -o jsonpath='{.metadata.resourceVersion}')
svc_rv=$(kc -n "$NS" get service db -o jsonpath='{.metadata.resourceVersion}')
# The engine changes, and so does the web image: neither may be written.
app mariadb nginxinc/nginx-unprivileged:1.25.0-alpine | kc apply --server-side -f - >/dev/null
stalled() {
  kc -n "$NS" get shopapp shop -o json |
    jq -e '.status.conditions[] | select(.type == "Stalled" and .status == "True") | .message |
           test("database db: the engine is mariadb but StatefulSet/db runs postgresql")' >/dev/null
}
wait_for "Stalled names the refused engine change" 60 stalled
msg=$(kc -n "$NS" get shopapp shop -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}')
grep -q "add a database under a new name" <<<"$msg" || fail "the message does not say what to do instead: $msg"
sleep 3
[ "$(kc -n "$NS" get sts db -o jsonpath='{.spec.template.spec.containers[0].name}')" = postgresql ] || fail "the StatefulSet was changed"
[ "$(kc -n "$NS" get configmap db-scripts -o jsonpath='{.metadata.resourceVersion}')" = "$scripts_rv" ] || fail "the scripts were rewritten"
[ "$(kc -n "$NS" get service db -o jsonpath='{.metadata.resourceVersion}')" = "$svc_rv" ] || fail "the Service was rewritten"
jp_is "$NS" deploy/web '{.spec.template.spec.containers[0].image}' "$NGINX_IMAGE" || fail "the web image edit went through: the app was half-applied"
pass "nothing of the app was written: StatefulSet, scripts, Service and the web Deployment as they were"
# Put back, the other edit goes through.
app postgresql nginxinc/nginx-unprivileged:1.25.0-alpine | kc apply --server-side -f - >/dev/null
wait_for "with the engine put back, the web image edit is applied" 60 \
  jp_is "$NS" deploy/web '{.spec.template.spec.containers[0].image}' nginxinc/nginx-unprivileged:1.25.0-alpine
op_wait_ready "$NS" shop 120
op_no_forbidden "$since"
