#!/usr/bin/env bash
# NetworkPolicies are enforced for real (kube-router's policy controller): a deny-all ingress
# policy blocks a connection that succeeded without it, an allow rule reopens it for the chosen
# client only, and an egress policy blocks the client's outgoing connection.
source "$(dirname "$0")/lib.sh"
e2e_namespace rn-netpol
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: server, labels: {app: server}}
spec:
$(rn_placement "  ")
  containers:
  - name: nginx
    image: $RN_IMG_NGINX
    imagePullPolicy: Never
    ports: [{containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: friend, labels: {app: client, role: friend}}
spec:
$(rn_placement "  ")
  containers:
  - {name: sh, image: $RN_IMG_TOOLBOX, imagePullPolicy: Never, command: [sleep, infinity]}
---
apiVersion: v1
kind: Pod
metadata: {name: stranger, labels: {app: client, role: stranger}}
spec:
$(rn_placement "  ")
  containers:
  - {name: sh, image: $RN_IMG_TOOLBOX, imagePullPolicy: Never, command: [sleep, infinity]}
YAML
rn_wait_ready "$NS" app=server 90
rn_wait_ready "$NS" app=client 90
SERVER=$(kc -n "$NS" get pod server -o jsonpath='{.status.podIP}')

# can POD: exit 0 when POD connects to the server within 3 s.
can() { rn_exec "$NS" "$1" nc -z -w 3 "$SERVER" 8080 >/dev/null 2>&1; }
# settle WANT POD: policies take effect within kube-router's sync; wait up to 30 s for WANT.
settle() {
  local want=$1 pod=$2 i
  for i in $(seq 1 30); do
    if can "$pod"; then [ "$want" = open ] && return 0; else [ "$want" = closed ] && return 0; fi
    sleep 1
  done
  return 1
}

can friend || fail "friend cannot reach the server without any policy"
can stranger || fail "stranger cannot reach the server without any policy"
pass "without a policy both clients connect"

kc -n "$NS" apply -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
YAML
settle closed friend || fail "deny-all ingress did not block friend"
can stranger && fail "deny-all ingress did not block stranger"
pass "deny-all ingress blocks both clients (packets really dropped)"

kc -n "$NS" apply -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-friend}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: friend}}}]
    ports: [{protocol: TCP, port: 8080}]
YAML
settle open friend || fail "allow rule did not reopen the server for friend"
can stranger && fail "the allow rule for friend also let stranger in"
pass "an allow rule reopens the server for friend only"

# A pod in another namespace is not a friend, even with the same labels.
NS1=$NS
e2e_namespace rn-netpol-other
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: outsider, labels: {app: client, role: friend}}
spec:
$(rn_placement "  ")
  containers:
  - {name: sh, image: $RN_IMG_TOOLBOX, imagePullPolicy: Never, command: [sleep, infinity]}
YAML
rn_wait_ready "$NS" app=client 90
if kc -n "$NS" exec outsider -- nc -z -w 3 "$SERVER" 8080 >/dev/null 2>&1; then
  fail "a pod of another namespace with the friend label got in"
fi
pass "a pod in another namespace with the same labels is refused"
NS=$NS1

kc -n "$NS" apply -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress}
spec:
  podSelector: {matchLabels: {role: friend}}
  policyTypes: [Egress]
YAML
settle closed friend || fail "deny-all egress did not block friend's outgoing connection"
pass "deny-all egress blocks friend's outgoing connection"
kc -n "$NS" delete networkpolicy deny-egress >/dev/null
settle open friend || fail "friend did not reconnect after the egress policy was removed"
pass "removing the egress policy restores the connection"
