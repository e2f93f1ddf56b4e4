#!/usr/bin/env bash
# Real metrics and autoscaling: metrics-server reads the kubelet, `kubectl top pod` shows real CPU,
# and an HPA with a CPU target scales a Deployment up under load from the load-generator image and
# back down after it.
source "$(dirname "$0")/lib.sh"
e2e_namespace rn-hpa
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
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
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
        resources: {requests: {cpu: 20m, memory: 16Mi}, limits: {cpu: 200m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleUp: {stabilizationWindowSeconds: 0}
    scaleDown:
      stabilizationWindowSeconds: 15
      policies: [{type: Percent, value: 100, periodSeconds: 15}]
YAML
rn_wait_ready "$NS" app=web 90

wait_for "kubectl top pod shows a CPU figure for web" 90 bash -c "$(declare -f kc); kc -n $NS top pod -l app=web --no-headers | grep -Eq '[0-9]+m'"
pass "kubectl top pod: $(kc -n "$NS" top pod -l app=web --no-headers | head -1)"

kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: batch/v1
kind: Job
metadata: {name: load}
spec:
  backoffLimit: 0
  template:
    metadata: {labels: {app: load}}
    spec:
      restartPolicy: Never
$(rn_placement "      ")
      containers:
      - name: hey
        image: $RN_IMG_LOADGEN
        imagePullPolicy: Never
        command: [hey, -z, 75s, -c, "4", -q, "200", http://web/]
        resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {cpu: 500m, memory: 128Mi}}
YAML
t0=$SECONDS
deadline=$((SECONDS + 150)); max=1
while [ $SECONDS -lt $deadline ]; do
  n=$(kc -n "$NS" get deploy web -o jsonpath='{.spec.replicas}')
  [ "${n:-1}" -gt "$max" ] && max=$n
  [ "$max" -ge 2 ] && break
  sleep 3
done
[ "$max" -ge 2 ] || fail "the HPA did not scale web up under load: $(kc -n "$NS" describe hpa web | tail -n 15)"
pass "HPA scaled web to $max replicas $((SECONDS - t0))s after the load started ($(kc -n "$NS" get hpa web --no-headers))"
kc -n "$NS" wait --for=condition=complete job/load --timeout=150s >/dev/null || fail "the load Job did not complete"
pass "load Job finished: $(kc -n "$NS" logs job/load | grep -E 'Requests/sec' | tr -s ' ')"
wait_for "web scaled back down to 1 replica after the load" 240 bash -c "$(declare -f kc); [ \"\$(kc -n $NS get deploy web -o jsonpath='{.spec.replicas}')\" = 1 ]"
