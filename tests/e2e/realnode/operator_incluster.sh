#!/usr/bin/env bash
# shop-operator in-cluster, as users install it: the image built here from this repository's
# binary, the shipped manifests/operator (ServiceAccount token, in-cluster config, least-privilege
# RBAC, probes, NetworkPolicy, two replicas with leader election), on the real node. It reconciles
# a ShopApp to Ready; its metrics answer to the monitoring namespace only (the shipped
# NetworkPolicy, enforced); the standby takes over when the leader's pod is deleted.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
kc apply --server-side -f "$ROOT/crds/" >/dev/null || fail "installing the CRD failed"
wait_crds shopapps.shopctl.io

OVL=$(mktemp -d)
trap 'rm -rf "$OVL"; kc delete namespace shop-system monitoring --wait=false >/dev/null 2>&1 || true; e2e_cleanup_namespaces' EXIT
cat >"$OVL/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- $(realpath --relative-to="$OVL" "$ROOT/manifests/operator")
images:
- {name: shop-operator, newName: ${RN_IMG_OPERATOR%:*}, newTag: ${RN_IMG_OPERATOR##*:}}
patches:
- target: {kind: Deployment, name: shop-operator}
  patch: |
    - op: add
      path: /spec/template/spec/tolerations
      value: [{key: $TESTENV_REAL_NODE_TAINT, operator: Exists, effect: NoSchedule}]
    - op: add
      path: /spec/template/spec/nodeSelector/kubernetes.io~1hostname
      value: $RN_NODE
    - op: replace
      path: /spec/template/spec/containers/0/imagePullPolicy
      value: Never
YAML
kc apply -k "$OVL" >/dev/null || fail "kubectl apply -k of manifests/operator (image $RN_IMG_OPERATOR) failed"
kc -n shop-system rollout status deploy/shop-operator --timeout=120s >/dev/null ||
  fail "shop-operator did not roll out: $(kc -n shop-system get pods -o wide; kc -n shop-system logs -l app.kubernetes.io/name=shop-operator --tail=20 --prefix 2>&1)"
pods=$(kc -n shop-system get pods -l app.kubernetes.io/name=shop-operator -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}')
[ "$(grep -c " $RN_NODE$" <<<"$pods")" = 2 ] || fail "both replicas should run on the real node: $pods"
pass "2 shop-operator replicas Ready on the real node (liveness and readiness probes pass)"

holder() { kc -n shop-system get lease shop-operator -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
# One of these pods (an identity left by an operator that ran outside the cluster expires first).
holder_is_a_pod() { local h; h=$(holder); [ -n "$h" ] && kc -n shop-system get pod "${h%_*}" >/dev/null 2>&1; }
wait_for "one replica holds the Lease" 90 holder_is_a_pod
leader=$(holder)
pass "leader: $leader"

e2e_namespace rn-op
kc apply -f - >/dev/null <<YAML
apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: shop, namespace: $NS}
spec:
  services:
  - name: web
    image: nginxinc/nginx-unprivileged:1.27.2-alpine
    ports: [{name: http, port: 80, targetPort: 8080}]
    writablePaths: [/tmp, /var/cache/nginx]
    probes: {readiness: {http: {path: /}}}
YAML
kc -n "$NS" wait --for=condition=Ready shopapp/shop --timeout=120s >/dev/null ||
  fail "the in-cluster operator did not make the ShopApp Ready: $(kc -n "$NS" get shopapp shop -o jsonpath='{.status.conditions}'; kc -n shop-system logs -l app.kubernetes.io/name=shop-operator --tail=20 --prefix 2>&1)"
kc -n "$NS" get deploy web >/dev/null || fail "no Deployment web"
pass "the in-cluster operator reconciled the ShopApp to Ready (in-cluster config, ServiceAccount token, shipped RBAC)"

# Metrics: reachable from the monitoring namespace, refused from elsewhere (NetworkPolicy).
kc create namespace monitoring >/dev/null 2>&1 || true
for n in monitoring "$NS"; do rn_toolbox_pod scraper "$n" "app: scraper"; done
rn_wait_ready monitoring app=scraper 90
rn_wait_ready "$NS" app=scraper 90
# The leader's identity is POD_RANDOM (hostname_suffix): its metrics carry the reconcile counters.
leader_pod=${leader%_*}
lip=$(kc -n shop-system get pod "$leader_pod" -o jsonpath='{.status.podIP}') || fail "no pod $leader_pod for leader $leader"
m=$(kc -n monitoring exec scraper -- curl -sf --max-time 5 "http://$lip:8080/metrics") || fail "metrics not reachable from the monitoring namespace"
grep -q '^controller_runtime_reconcile_total' <<<"$m" || fail "no controller_runtime_reconcile_total in the metrics"
pass "metrics answer to the monitoring namespace ($(grep -c '^[a-z]' <<<"$m") samples)"
if kc -n "$NS" exec scraper -- curl -sf --max-time 3 "http://$lip:8080/metrics" >/dev/null 2>&1; then
  fail "metrics reachable from namespace $NS despite the shipped NetworkPolicy"
fi
pass "metrics refused from another namespace (the shipped NetworkPolicy, enforced)"

# Failover: delete the leader's pod; the standby takes the Lease and keeps reconciling.
kc -n shop-system delete pod "$leader_pod" --wait=false >/dev/null
wait_for "another replica takes the Lease" 60 bash -c "$(declare -f kc holder); h=\$(holder); [ -n \"\$h\" ] && [ \"\$h\" != '$leader' ]"
kc -n "$NS" patch shopapp shop --type=merge -p '{"spec":{"services":[{"name":"web","image":"nginxinc/nginx-unprivileged:1.27.3-alpine","ports":[{"name":"http","port":80,"targetPort":8080}],"writablePaths":["/tmp","/var/cache/nginx"],"probes":{"readiness":{"http":{"path":"/"}}}}]}}' >/dev/null
wait_for "the new leader applies a ShopApp edit" 90 bash -c "$(declare -f kc); kc -n $NS get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}' | grep -q 1.27.3"
