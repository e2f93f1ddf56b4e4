#!/usr/bin/env bash
# The hardened upstream Sock Shop is accepted by the real API server in a namespace that enforces
# Pod Security "restricted", and every Deployment and StatefulSet becomes Ready (pods run on kwok
# nodes, volumes on the testenv provisioner). As a control, the upstream manifests themselves are
# flagged by the same admission check.
#
#   tests/e2e/harden-sockshop.sh [RUN_DIR] [SHOPCTL]
#
# RUN_DIR is a testenv run directory (default: $TESTENV_RUN_DIR, as CTest sets it); SHOPCTL the
# shopctl binary (default: $SHOPCTL, else build/cli/shopctl).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ $# -ge 1 ] && [ -n "$1" ]; then export TESTENV_RUN_DIR=$1; fi
SHOPCTL=${2:-${SHOPCTL:-$ROOT/build/cli/shopctl}}
UPSTREAM=${SOCKSHOP_UPSTREAM:-$ROOT/../shared/fixtures/sockshop-upstream/complete-demo.yaml}
# shellcheck source=lib.sh
source "$HERE/lib.sh"

[ -x "$SHOPCTL" ] || fail "shopctl binary not found at $SHOPCTL"
[ -f "$UPSTREAM" ] || fail "upstream Sock Shop manifest not found at $UPSTREAM"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; e2e_cleanup_namespaces' EXIT

# The upstream file hard-codes namespace sock-shop; give this run its own.
NS="e2e-harden-$(date +%s)-$RANDOM"
E2E_NAMESPACES+=("$NS")
sed "s/sock-shop/$NS/g" "$UPSTREAM" > "$WORK/upstream.yaml"
"$SHOPCTL" harden -f "$WORK/upstream.yaml" --explain > "$WORK/hardened.yaml" 2> "$WORK/explain.txt" ||
  fail "shopctl harden failed: $(tail -5 "$WORK/explain.txt")"
pass "shopctl harden: $(tail -1 "$WORK/explain.txt")"

# The Namespace object of the output carries the enforce label itself.
# Without --ingress-host the front-end keeps its NodePort (ClusterIP alone would cut its browsers
# off): that finding stays; nothing else at low or above.
"$SHOPCTL" audit -f "$WORK/hardened.yaml" --fail-on low --disable exposure-service-type >/dev/null ||
  fail "the hardened output still has findings at low or above (other than the kept NodePort)"
kc apply --server-side --field-manager=e2e --validate=strict -f - >/dev/null <<YAML || fail "namespace apply failed"
$(awk -v RS='\n---\n' '/\nkind: Namespace\n/ || /^apiVersion: v1\nkind: Namespace\n/' "$WORK/hardened.yaml")
YAML
enforce=$(kc get namespace "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')
[ "$enforce" = restricted ] || fail "namespace $NS enforces '$enforce', expected restricted"
pass "namespace $NS enforces Pod Security restricted"
wait_for "default ServiceAccount in $NS" 60 kc -n "$NS" get serviceaccount default

# Apply everything; a PodSecurity warning on any workload is a failure, because in an enforcing
# namespace its pods would be rejected.
out=$(kc apply --server-side --field-manager=e2e --validate=strict -f "$WORK/hardened.yaml" 2>&1) ||
  fail "server-side apply of the hardened Sock Shop failed: $out"
if grep -q "violate PodSecurity" <<<"$out"; then fail "PodSecurity warnings: $(grep -m3 'violate PodSecurity' <<<"$out")"; fi
pass "API server accepted $(grep -c . <<<"$out") objects (server-side, strict validation, no PodSecurity warning)"
fe=$(kc -n "$NS" get service front-end -o jsonpath='{.spec.type} {.spec.ports[0].nodePort}')
[ "$fe" = "NodePort 30001" ] || fail "front-end Service is '$fe', expected its NodePort 30001 kept"
pass "front-end keeps NodePort 30001 (no --ingress-host)"

ready() {
  local kind=$1 name=$2 want got
  want=$(kc -n "$NS" get "$kind" "$name" -o jsonpath='{.spec.replicas}')
  got=$(kc -n "$NS" get "$kind" "$name" -o jsonpath='{.status.readyReplicas}')
  [ -n "$want" ] && [ "${got:-0}" -ge 1 ] && [ "${got:-0}" -ge "$want" ]
}
count=0
for kind in deployment statefulset; do
  for name in $(kc -n "$NS" get "$kind" -o jsonpath='{.items[*].metadata.name}'); do
    wait_for "$kind/$name Ready" 240 ready "$kind" "$name"
    count=$((count + 1))
  done
done
[ "$count" -eq 14 ] || fail "expected 14 workloads (8 Deployments, 6 StatefulSets), found $count"
deploys=$(kc -n "$NS" get deployment -o name | wc -l)
stss=$(kc -n "$NS" get statefulset -o name | wc -l)
[ "$deploys" -eq 8 ] && [ "$stss" -eq 6 ] || fail "found $deploys Deployments and $stss StatefulSets, expected 8 and 6"
pvcs=$(kc -n "$NS" get pvc -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -c '^Bound$' || true)
[ "$pvcs" -eq 6 ] || fail "expected 6 Bound PVCs (one per database/broker), found $pvcs"
pass "8 Deployments and 6 StatefulSets Ready, 6 PVCs Bound"

# HPAs own the replica count of the stateless services: the HPA controller raises each one to
# its minReplicas (2) even before any metric is available.
scaled() {
  local name=$1 n
  n=$(kc -n "$NS" get deployment "$name" -o jsonpath='{.status.readyReplicas}')
  [ "${n:-0}" -ge 2 ]
}
for name in front-end catalogue carts orders payment shipping queue-master user; do
  wait_for "deployment/$name scaled by its HPA to >= 2 ready replicas" 120 scaled "$name"
done

# Control: the same upstream Deployment, not hardened, is flagged by PodSecurity.
NS2="e2e-harden-control-$(date +%s)-$RANDOM"
E2E_NAMESPACES+=("$NS2")
kc create namespace "$NS2" >/dev/null
kc label namespace "$NS2" pod-security.kubernetes.io/enforce=restricted >/dev/null
sed "s/sock-shop/$NS2/g" "$UPSTREAM" | awk -v RS='\n---\n' -v ORS='\n---\n' '/name: carts-db\n/ && /kind: Deployment/' > "$WORK/control.yaml"
out=$(kc apply --server-side --field-manager=e2e -f "$WORK/control.yaml" 2>&1) || true
grep -q 'violate PodSecurity "restricted' <<<"$out" || fail "upstream carts-db was not flagged by PodSecurity: $out"
pass "control: upstream carts-db flagged ($(grep -o 'allowPrivilegeEscalation != false' <<<"$out" | head -1))"

# With --mesh istio and --ingress-host the extra objects (VirtualServices, DestinationRules, the
# Ingress) pass the API server's validation too, Istio's CRD schemas included.
NS3="e2e-harden-mesh-$(date +%s)-$RANDOM"
E2E_NAMESPACES+=("$NS3")
sed "s/sock-shop/$NS3/g" "$UPSTREAM" > "$WORK/mesh-upstream.yaml"
"$SHOPCTL" harden -f "$WORK/mesh-upstream.yaml" --mesh istio --ingress-host shop.example.test > "$WORK/mesh.yaml" 2>/dev/null ||
  fail "shopctl harden --mesh istio failed"
vs=$(grep -c '^kind: VirtualService$' "$WORK/mesh.yaml" || true)
dr=$(grep -c '^kind: DestinationRule$' "$WORK/mesh.yaml" || true)
[ "$vs" -ge 1 ] && [ "$dr" -ge 1 ] || fail "expected VirtualServices and DestinationRules, got $vs and $dr"
out=$(kc apply --server-side --field-manager=e2e --validate=strict -f "$WORK/mesh.yaml" 2>&1) ||
  fail "the API server rejected the hardened Sock Shop with Istio policies: $out"
pass "API server accepted $vs VirtualServices, $dr DestinationRules and the Ingress (strict validation)"
