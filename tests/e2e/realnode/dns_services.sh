#!/usr/bin/env bash
# Cluster DNS (CoreDNS) and Services (kube-proxy) on the real node: a ClusterIP Service and a
# headless Service resolve by name and connect; the `kubernetes` Service reaches the API server.
source "$(dirname "$0")/lib.sh"
e2e_namespace rn-dns
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
$(rn_placement "      ")
      containers:
      - name: nginx
        image: $RN_IMG_NGINX
        imagePullPolicy: Never
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
$(rn_placement "  ")
  containers:
  - {name: sh, image: $RN_IMG_TOOLBOX, imagePullPolicy: Never, command: [sleep, infinity]}
YAML
rn_wait_ready "$NS" app=web 90
rn_wait_ready "$NS" app=client 90

cluster_ip=$(kc -n "$NS" get svc web -o jsonpath='{.spec.clusterIP}')
got=$(rn_exec "$NS" client dig +short +search web) || fail "dig web failed"
[ "$got" = "$cluster_ip" ] || fail "web resolved to '$got', want $cluster_ip"
pass "web resolves through CoreDNS to its ClusterIP $cluster_ip"
fq=$(rn_exec "$NS" client dig +short "web.$NS.svc.cluster.local")
[ "$fq" = "$cluster_ip" ] || fail "the full name resolved to '$fq'"
pass "web.$NS.svc.cluster.local resolves too"

pods=$(kc -n "$NS" get pods -l app=web -o jsonpath='{.items[*].status.podIP}' | tr ' ' '\n' | sort)
hl=$(rn_exec "$NS" client dig +short +search web-headless | sort)
[ "$hl" = "$pods" ] || fail "headless web-headless resolved to '$hl', want the pod IPs '$pods'"
pass "headless Service resolves to both pod IPs"

rn_exec "$NS" client curl -sf --max-time 5 http://web/ >/dev/null || fail "curl http://web/ (ClusterIP through kube-proxy) failed"
pass "HTTP through the ClusterIP Service (kube-proxy iptables rules)"
rn_exec "$NS" client curl -sf --max-time 5 http://web-headless:8080/ >/dev/null || fail "curl to the headless Service failed"
pass "HTTP to the headless Service name"

# The API server from a pod: the kubernetes Service has endpoints and the CA verifies.
code=$(rn_exec "$NS" client sh -c 'curl -s -o /dev/null -w "%{http_code}" --max-time 5 \
  --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt \
  -H "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" \
  https://kubernetes.default.svc/version') || true
[ "$code" = 200 ] || fail "GET https://kubernetes.default.svc/version from a pod answered '$code'"
pass "a pod reaches the API server through the kubernetes Service (TLS verified, token accepted)"

# Nothing leaves the machine: a pod cannot reach an address outside the pod and service ranges.
if rn_exec "$NS" client nc -z -w 2 192.0.2.1 80 >/dev/null 2>&1; then fail "a pod reached 192.0.2.1:80 outside the cluster"; fi
pass "a pod cannot reach an address outside the pod and service ranges"
