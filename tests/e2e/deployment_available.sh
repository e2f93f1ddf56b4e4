#!/usr/bin/env bash
# A Deployment becomes Available: the scheduler places its pods on kwok nodes and kwok makes
# them Running and Ready; the controller-manager reports available replicas.
source "$(dirname "$0")/lib.sh"
e2e_namespace deploy

kc -n "$NS" apply -f - <<'YAML' >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: web}
      containers:
      - name: web
        image: registry.invalid/web:1.0
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
YAML

kc -n "$NS" wait --for=condition=Available deployment/web --timeout=120s >/dev/null ||
  fail "deployment/web did not become Available"
pass "deployment/web Available"

avail=$(kc -n "$NS" get deployment web -o jsonpath='{.status.availableReplicas}/{.status.readyReplicas}/{.status.replicas}')
[ "$avail" = "3/3/3" ] || fail "available/ready/replicas = $avail, expected 3/3/3"
pass "3/3 replicas available and ready"

pods=$(kc -n "$NS" get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.status.conditions[?(@.type=="Ready")].status} {.status.podIP}{"\n"}{end}')
echo "$pods"
[ "$(grep -c . <<<"$pods")" -eq 3 ] || fail "expected 3 pods"
while read -r pod node phase ready ip; do
  case " $TESTENV_NODES " in *" $node "*) ;; *) fail "pod $pod is on '$node', not a testenv node" ;; esac
  [ "$phase" = Running ] || fail "pod $pod phase $phase"
  [ "$ready" = True ] || fail "pod $pod not Ready"
  [ -n "$ip" ] || fail "pod $pod has no IP"
done <<<"$pods"
zones=$(for n in $(awk '{print $2}' <<<"$pods"); do kc get node "$n" -o jsonpath='{.metadata.labels.topology\.kubernetes\.io/zone}{"\n"}'; done | sort -u | grep -c .)
[ "$zones" -eq 2 ] || fail "pods are spread over $zones zone(s), expected 2"
pass "pods Running and Ready on kwok nodes in 2 zones"
