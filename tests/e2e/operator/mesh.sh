#!/usr/bin/env bash
# Istio is optional: without its CRDs the operator renders no mesh objects and says so in a
# condition; when the CRDs come back it creates them, without a restart.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
[ -f "${TESTENV_ISTIO_CRDS:-}" ] || fail "no Istio CRDs file in the testenv"
restore() { kc apply --server-side --force-conflicts -f "$TESTENV_ISTIO_CRDS" >/dev/null 2>&1 || true; }
trap 'restore; op_cleanup; e2e_cleanup_namespaces' EXIT
e2e_namespace mesh
op_install
op_start op --namespace "$NS" --leader-elect=false
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$NS")
  mesh: {enabled: true}
  services:
$(nginx_service web)
    dependsOn: [api]
    probes: {readiness: {http: {path: /}}}
  - name: api
    image: ghcr.io/shopctl-examples/api:1.0.0
    ports: [{port: 8080}]
    probes: {readiness: {http: {path: /ready}}}
APP
op_wait_ready "$NS" shop 60
[ "$(op_condition "$NS" shop MeshAvailable)" = True ] || fail "MeshAvailable should be True"
kc -n "$NS" get virtualservice api >/dev/null || fail "no VirtualService for api"
pass "with Istio: mesh objects applied, MeshAvailable=True"

kc delete --wait=true -f "$TESTENV_ISTIO_CRDS" >/dev/null
wait_for "MeshAvailable=False after the Istio CRDs are deleted" 60 jp_is "$NS" shopapp/shop '{.status.conditions[?(@.type=="MeshAvailable")].status}' False
[ "$(op_condition "$NS" shop Ready)" = True ] || fail "the app should stay Ready without the mesh"
pass "without Istio: $(kc -n "$NS" get shopapp shop -o jsonpath='{.status.conditions[?(@.type=="MeshAvailable")].message}')"

restore
wait_crds virtualservices.networking.istio.io
wait_for "mesh objects are created again, without a restart" 90 kc -n "$NS" get virtualservice api
wait_for "MeshAvailable=True again" 60 jp_is "$NS" shopapp/shop '{.status.conditions[?(@.type=="MeshAvailable")].status}' True
[ "$(grep -c 'starting version' "$OP_DIR/op.log")" = 1 ] || fail "the operator restarted"
op_no_forbidden "$since"
