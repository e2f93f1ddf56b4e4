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

# 5. Versions: extra runs v1 and a canary v2 behind its one Service. Each version is its own
# Deployment and HPA; the unversioned Deployment goes; status has a component per version.
versions() {  # $@: the versions' YAML lines
  echo "$EXTRA"
  echo "    versions:"
  for v in "$@"; do echo "    - $v"; done
}
app "$(versions '{name: v1}' '{name: v2, image: ghcr.io/shopctl-examples/extra:2.1.0}')" "" \
  nginxinc/nginx-unprivileged:1.27.3-alpine '    replicas: 3
    autoscaling: {enabled: false}' | sed 's/^  databases:$//' | kc apply --server-side -f - >/dev/null
wait_for "version v2 has its Deployment" 60 jp_is "$NS" deploy/extra-v2 '{.spec.template.spec.containers[0].image}' ghcr.io/shopctl-examples/extra:2.1.0
wait_for "version v2 has its HPA" 60 kc -n "$NS" get hpa extra-v2
wait_for "the unversioned Deployment extra was pruned" 60 absent "$NS" deploy/extra hpa/extra
[ "$(kc -n "$NS" get deploy extra-v2 -o jsonpath='{.spec.selector.matchLabels.version}')" = v2 ] || fail "extra-v2 does not select version v2"
[ -z "$(kc -n "$NS" get svc extra -o jsonpath='{.spec.selector.version}')" ] || fail "Service extra must select every version"
op_wait_ready "$NS" shop 120
comps=$(kc -n "$NS" get shopapp shop -o jsonpath='{.status.components[*].name}')
grep -qw extra-v1 <<<"$comps" && grep -qw extra-v2 <<<"$comps" || fail "status has no component per version: $comps"
pass "a component per version in status: $comps"

# 6. v2 goes: its Deployment and HPA are pruned, v1 stays.
app "$(versions '{name: v1}')" "" nginxinc/nginx-unprivileged:1.27.3-alpine '    replicas: 3
    autoscaling: {enabled: false}' | sed 's/^  databases:$//' | kc apply --server-side -f - >/dev/null
wait_for "the Deployment and HPA of the removed version v2 were pruned" 60 absent "$NS" deploy/extra-v2 hpa/extra-v2
kc -n "$NS" get deploy extra-v1 >/dev/null || fail "version v1 must stay"
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
