#!/usr/bin/env bash
# Edits of the ShopApp: change an image, scale, add and remove a service and a database. The
# children follow; removed ones are pruned; the PVCs of a removed database are retained.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace edits
op_install
op_start op --namespace "$NS" --leader-elect=false
app() {  # $1: extra services YAML, $2: databases YAML, $3: web image, $4: web scaling
  cat <<APP
$(shopapp_header shop "$NS")
  services:
$(nginx_service web "$3")
    probes: {readiness: {http: {path: /}}}
$4
$1
  databases:
$2
APP
}
API='  - name: api
    image: ghcr.io/shopctl-examples/api:1.0.0
    ports: [{port: 8080}]
    dependsOn: [db]
    probes: {readiness: {http: {path: /ready}}}'
DB='  - {name: db, engine: postgresql, replicas: 2, storage: {size: 1Gi}}'
app "$API" "$DB" nginxinc/nginx-unprivileged:1.27.2-alpine "" | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 180
kc -n "$NS" get pvc data-db-0 data-db-1 >/dev/null || fail "database PVCs missing"

# 1. A new image reaches the Deployment.
app "$API" "$DB" nginxinc/nginx-unprivileged:1.27.3-alpine "" | kc apply --server-side -f - >/dev/null
wait_for "web runs the new image" 60 jp_is "$NS" deploy/web '{.spec.template.spec.containers[0].image}' nginxinc/nginx-unprivileged:1.27.3-alpine
op_wait_ready "$NS" shop 120

# 2. Fixed scale instead of an autoscaler: replicas set, the HPA pruned.
kc -n "$NS" get hpa web >/dev/null || fail "web should have its default HPA"
app "$API" "$DB" nginxinc/nginx-unprivileged:1.27.3-alpine '    replicas: 3
    autoscaling: {enabled: false}' | kc apply --server-side -f - >/dev/null
wait_for "web scaled to 3 replicas" 60 jp_is "$NS" deploy/web '{.spec.replicas}' 3
wait_for "the HPA of web was pruned" 60 absent "$NS" hpa/web
op_wait_ready "$NS" shop 120

# 3. A new service appears.
EXTRA='  - name: extra
    image: ghcr.io/shopctl-examples/extra:2.0.0
    ports: [{port: 8080}]
    probes: {readiness: {http: {path: /ready}}}'
app "$API
$EXTRA" "$DB" nginxinc/nginx-unprivileged:1.27.3-alpine '    replicas: 3
    autoscaling: {enabled: false}' | kc apply --server-side -f - >/dev/null
wait_for "service extra was created" 60 kc -n "$NS" get deploy extra
op_wait_ready "$NS" shop 120

# 4. The api service and the database go: pruned, but the database's volumes stay.
app "$EXTRA" "" nginxinc/nginx-unprivileged:1.27.3-alpine '    replicas: 3
    autoscaling: {enabled: false}' | sed 's/^  databases:$//' | kc apply --server-side -f - >/dev/null
wait_for "Deployment api was pruned" 60 absent "$NS" deploy/api svc/api
wait_for "StatefulSet db was pruned" 60 absent "$NS" sts/db
wait_for "Service db and its NetworkPolicy were pruned" 60 absent "$NS" svc/db networkpolicy/db
sleep 3
kc -n "$NS" get pvc data-db-0 data-db-1 >/dev/null || fail "the removed database's PVCs were deleted"
kc -n "$NS" get secret db-credentials >/dev/null || fail "the removed database's credentials were deleted"
pass "PVCs and credentials of the removed database are retained"
op_wait_ready "$NS" shop 120
op_no_forbidden "$since"

# Two apps in one namespace with a component of the same name: the second must not take over
# the first one's objects; it reports the conflict instead.
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header other "$NS")
  services:
$(nginx_service web)
    probes: {readiness: {http: {path: /}}}
APP
wait_for "the second app is Stalled on the conflict" 60 jp_is "$NS" shopapp/other '{.status.conditions[?(@.type=="Stalled")].status}' True
msg=$(kc -n "$NS" get shopapp other -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}')
grep -q "already controlled by ShopApp shop" <<<"$msg" || fail "the conflict is not reported: $msg"
[ "$(kc -n "$NS" get svc web -o jsonpath='{.metadata.ownerReferences[0].name}')" = shop ] || fail "the first app's Service was taken over"
pass "a second app with the same component name does not take over: $msg"
op_wait_ready "$NS" shop 60
