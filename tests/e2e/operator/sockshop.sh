#!/usr/bin/env bash
# From `kubectl apply` of the Sock Shop ShopApp to every child created and Ready=True, with the
# operator running as its own service account (the shipped RBAC); the live children hold
# exactly what `shopctl render` prints; the status is kstatus-compatible.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace sockshop
op_install
op_start op --namespace "$NS" --leader-elect=false
op_app_from_preset sockshop shop >"$OP_DIR/shop.yaml"
kc apply --server-side -f "$OP_DIR/shop.yaml" >/dev/null
op_wait_ready "$NS" shop 240

# Every rendered object is live and unchanged.
"$SHOPCTL" render -f "$OP_DIR/shop.yaml" -o json 2>/dev/null >"$OP_DIR/rendered.json"
kinds=$(jq -r '[.items[].kind] | unique | map(select(. != "Namespace")) | join(",")' "$OP_DIR/rendered.json" |
  sed 's/HorizontalPodAutoscaler/horizontalpodautoscalers.autoscaling/; s/PodDisruptionBudget/poddisruptionbudgets.policy/;
       s/NetworkPolicy/networkpolicies.networking.k8s.io/; s/PeerAuthentication/peerauthentications.security.istio.io/;
       s/AuthorizationPolicy/authorizationpolicies.security.istio.io/; s/DestinationRule/destinationrules.networking.istio.io/;
       s/VirtualService/virtualservices.networking.istio.io/; s/Gateway/gateways.networking.istio.io/')
kc -n "$NS" get "$kinds" -o json >"$OP_DIR/live.json"
jq '{items: [.items[] | select(.kind != "Namespace")]}' "$OP_DIR/rendered.json" >"$OP_DIR/rendered-ns.json"
python3 "$(dirname "$0")/contains.py" "$OP_DIR/rendered-ns.json" "$OP_DIR/live.json" || fail "live children differ from shopctl render"
pass "every rendered object is live and holds what shopctl render prints"

# Status: components, summary, kstatus conditions.
status=$(kc -n "$NS" get shopapp shop -o json)
[ "$(jq -r '.status.summary.ready' <<<"$status")" = "14/14" ] || fail "summary.ready is $(jq -r '.status.summary.ready' <<<"$status")"
[ "$(jq '[.status.components[] | select(.ready)] | length' <<<"$status")" = 14 ] || fail "not all components ready"
[ "$(jq -r '.status.conditions[] | select(.type=="Reconciling") | .status' <<<"$status")" = False ] || fail "Reconciling is not False"
[ "$(jq -r '.status.conditions[] | select(.type=="Stalled") | .status' <<<"$status")" = False ] || fail "Stalled is not False"
[ "$(jq -r '.status.conditions[] | select(.type=="MeshAvailable") | .status' <<<"$status")" = True ] || fail "MeshAvailable is not True"
[ "$(jq -r '.status.summary.status' <<<"$status")" = Current ] || fail "summary.status is $(jq -r '.status.summary.status' <<<"$status")"
pass "status: 14/14 components, Ready=True, Reconciling=False, Stalled=False, MeshAvailable=True, summary.status Current"

# Credentials were created once, with random values, and are not owned (they outlive the app).
for s in carts-db-credentials rabbitmq-credentials; do
  kc -n "$NS" get secret "$s" -o json | jq -e '(.metadata.ownerReferences // []) | length == 0' >/dev/null ||
    fail "Secret $s missing or owned"
done
pass "database and broker credentials exist and are not owned by the app"
op_no_forbidden "$since"
