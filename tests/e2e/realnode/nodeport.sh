#!/usr/bin/env bash
# harden keeps an app's clients outside the cluster (issue 13). A plain app (nginx behind a
# NodePort Service), hardened by `shopctl harden` with no --ingress-host and applied exactly as
# harden wrote it, still answers a client outside the cluster through the node port: a network
# namespace of this machine with an address of its own. The Service asks for
# externalTrafficPolicy: Local, so the client keeps its own address up to the pod, as it does on
# any cluster where the node that takes the connection runs the pod (with Cluster, a client of
# another node arrives from that node's address: not a pod either). Control: with the policy
# harden wrote before (only pods of any namespace let in), the same client is cut off, and a pod
# of another namespace is let in either way.
source "$(dirname "$0")/lib.sh"
# shellcheck source=../../../testenv/lib/realnode-net.sh
source "$(dirname "$0")/../../../testenv/lib/realnode-net.sh"
SHOPCTL=${SHOPCTL_BUILD_DIR:?}/cli/shopctl
e2e_namespace rn-nodeport

# The client outside the cluster: netns EXT_NS, address EXT_IP, reaching the node through a veth
# pair whose host end is HOST_IP. The real node's egress guard drops pod traffic to addresses off
# the pod, service and node ranges: one rule lets the pods answer this client (still this machine).
EXT_NS=shopctl-ext-$$ VETH_HOST=shx$$ VETH_EXT=shy$$ HOST_IP=10.246.0.1 EXT_IP=10.246.0.2
ext_down() {
  ip netns del "$EXT_NS" 2>/dev/null || true
  ip link del "$VETH_HOST" 2>/dev/null || true
  while iptables -t raw -D "$RN_CHAIN_EGRESS" -d "$EXT_IP/32" -j RETURN 2>/dev/null; do :; done
}
WORK=$(mktemp -d)
trap 'ext_down; rm -rf "$WORK"; e2e_cleanup_namespaces' EXIT
ip netns add "$EXT_NS"
ip link add "$VETH_HOST" type veth peer name "$VETH_EXT"
ip link set "$VETH_EXT" netns "$EXT_NS"
ip addr add "$HOST_IP/30" dev "$VETH_HOST"
ip link set "$VETH_HOST" up
ip -n "$EXT_NS" addr add "$EXT_IP/30" dev "$VETH_EXT"
ip -n "$EXT_NS" link set "$VETH_EXT" up
ip -n "$EXT_NS" link set lo up
ip -n "$EXT_NS" route add default via "$HOST_IP"
iptables -t raw -I "$RN_CHAIN_EGRESS" 1 -d "$EXT_IP/32" -j RETURN

cat >"$WORK/app.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $NS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
$(rn_placement "      ")
      containers:
      - name: nginx
        image: $RN_IMG_NGINX
        imagePullPolicy: Never
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
YAML
"$SHOPCTL" harden -f "$WORK/app.yaml" --dns-cidr "$TESTENV_REAL_NODE_IP/32" --explain >"$WORK/hardened.yaml" 2>"$WORK/explain.txt" ||
  fail "shopctl harden failed: $(tail -5 "$WORK/explain.txt")"
grep -q "type NodePort kept" "$WORK/explain.txt" || fail "harden did not say it kept the NodePort: $(cat "$WORK/explain.txt")"
grep -q "imagePullPolicy Never kept" "$WORK/explain.txt" || fail "harden did not keep imagePullPolicy Never"
pass "shopctl harden: $(tail -1 "$WORK/explain.txt"), NodePort and imagePullPolicy Never kept"

kc apply --server-side --field-manager=e2e -f "$WORK/hardened.yaml" >/dev/null || fail "applying the hardened app failed"
rn_wait_ready "$NS" app=web 180
pods=$(kc -n "$NS" get pods -l app=web -o jsonpath='{.items[*].metadata.name}')
pass "the hardened app runs: pods $pods Ready (Pod Security restricted, read-only root)"
PORT=$(kc -n "$NS" get service web -o jsonpath='{.spec.ports[0].nodePort}')
[ -n "$PORT" ] || fail "Service web has no node port"

# outside: exit 0 when the client outside the cluster gets an answer from the node port within 3 s.
outside() { ip netns exec "$EXT_NS" curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$TESTENV_REAL_NODE_IP:$PORT/" | grep -q '^[1-5]'; }
# settle WANT: policies take effect within kube-router's sync; wait up to 30 s for WANT.
settle() {
  local want=$1 i
  for i in $(seq 1 30); do
    if outside; then [ "$want" = open ] && return 0; else [ "$want" = closed ] && return 0; fi
    sleep 1
  done
  return 1
}
settle open || fail "a client outside the cluster ($EXT_IP) gets no answer from node port $PORT of the hardened app"
pass "a client outside the cluster ($EXT_IP) is answered through node port $PORT, with harden's NetworkPolicies in force"

# Control: the policy as harden wrote it before (its ipBlock rule left out) cuts that client off.
kc -n "$NS" get networkpolicy web -o json |
  jq 'del(.metadata.resourceVersion, .metadata.uid, .metadata.creationTimestamp, .metadata.managedFields, .metadata.generation)
      | .spec.ingress |= map(select(([.from[]? | has("ipBlock")] | any) | not))' >"$WORK/old-policy.json"
jq -e '.spec.ingress | length > 0' "$WORK/old-policy.json" >/dev/null || fail "the old policy has no ingress rule left"
kc replace -f "$WORK/old-policy.json" >/dev/null || fail "replacing the policy failed"
settle closed || fail "with only pods of any namespace let in, the client outside the cluster still got through: the control proves nothing"
pass "control: with the old policy (pods of any namespace only) the client outside the cluster is cut off"

kc apply --server-side --field-manager=e2e --force-conflicts -f "$WORK/hardened.yaml" >/dev/null || fail "re-applying failed"
settle open || fail "the client outside the cluster was not let in again after harden's policy came back"
pass "harden's policy back: the client outside the cluster is answered again"
