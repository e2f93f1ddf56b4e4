#!/usr/bin/env bash
# A pod on the real node runs a real process: tcpSocket, httpGet and exec probes pass, and
# kubectl logs, exec and port-forward reach it.
source "$(dirname "$0")/lib.sh"
e2e_namespace rn-basics
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
$(rn_placement "  ")
  containers:
  - name: nginx
    image: $RN_IMG_NGINX
    imagePullPolicy: Never
    ports: [{containerPort: 8080}]
    startupProbe: {tcpSocket: {port: 8080}, periodSeconds: 1, failureThreshold: 30}
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 2}
    livenessProbe: {exec: {command: [cat, /etc/hostname]}, periodSeconds: 5}
    resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 200m, memory: 64Mi}}
YAML
rn_wait_ready "$NS" app=web 90
pass "pod Ready through its tcpSocket (startup), httpGet (readiness) and exec (liveness) probes"

node=$(kc -n "$NS" get pod web -o jsonpath='{.spec.nodeName}')
[ "$node" = "$RN_NODE" ] || fail "pod ran on $node, not the real node"
ip=$(kc -n "$NS" get pod web -o jsonpath='{.status.podIP}')
case $ip in 10.245.0.*) pass "pod on $node with IP $ip from the node's bridge range" ;; *) fail "unexpected pod IP $ip" ;; esac

# The process really runs: PID 1 inside is nginx, and the host sees it as a process too.
cmd=$(rn_exec "$NS" web cat /proc/1/cmdline | tr '\0' ' ')
grep -q nginx <<<"$cmd" || fail "PID 1 in the container is not nginx: $cmd"
pass "kubectl exec: PID 1 is '$cmd'"
pgrep -f "nginx: master process" >/dev/null || fail "no nginx master process on the host"
pass "the host's process table shows the container's nginx"

# Straight to the pod IP from the host (the node's bridge route).
body=$(curl -sS --max-time 5 "http://$ip:8080/") || fail "curl to the pod IP failed"
[ -n "$body" ] || fail "empty answer from the pod"
pass "HTTP from the host to $ip:8080 answered"

# Logs: the access log line of the request above.
wait_for "kubectl logs shows the request" 20 bash -c "$(declare -f kc); kc -n $NS logs web | grep -q 'GET / '"

# port-forward through the API server and the kubelet (authenticated with the API server's client certificate).
port=$((20000 + RANDOM % 10000))
kc -n "$NS" port-forward pod/web "$port:8080" >"/tmp/pf-$NS.log" 2>&1 &
pf=$!
trap 'kill $pf 2>/dev/null || true; e2e_cleanup_namespaces' EXIT
ok=0
for _ in $(seq 1 30); do
  if curl -sf --max-time 2 "http://127.0.0.1:$port/" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.5
done
[ "$ok" = 1 ] || fail "port-forward to web:8080 did not answer: $(cat "/tmp/pf-$NS.log")"
pass "kubectl port-forward reaches the pod"
kill $pf 2>/dev/null || true
rm -f "/tmp/pf-$NS.log"

# The kubelet's API is not anonymous.
code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "https://$TESTENV_REAL_NODE_IP:10250/pods") || true
[ "$code" = 401 ] || fail "anonymous request to the kubelet API answered $code (want 401)"
pass "anonymous kubelet API request refused (401)"
