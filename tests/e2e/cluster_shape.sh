#!/usr/bin/env bash
# The cluster has what tests rely on: 3 Ready kwok nodes over 2 zones without taints, a default
# StorageClass, all control plane components healthy, and an audit log recording users.
source "$(dirname "$0")/lib.sh"

nodes=$(kc get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.labels.topology\.kubernetes\.io/zone} {.metadata.labels.kubernetes\.io/hostname} {.status.conditions[?(@.type=="Ready")].status} {.spec.taints}{"\n"}{end}')
echo "$nodes"
[ "$(grep -c . <<<"$nodes")" -eq 3 ] || fail "expected 3 nodes, got: $nodes"
while read -r name zone host ready taints; do
  [ "$ready" = True ] || fail "node $name is not Ready"
  [ "$host" = "$name" ] || fail "node $name has kubernetes.io/hostname=$host"
  [ -n "$zone" ] || fail "node $name has no zone label"
  [ -z "$taints" ] || fail "node $name has taints: $taints"
done <<<"$nodes"
zones=$(awk '{print $2}' <<<"$nodes" | sort -u | grep -c .)
[ "$zones" -eq 2 ] || fail "expected 2 zones, got $zones"
pass "3 Ready untainted nodes in 2 zones"

default_sc=$(kc get storageclass -o jsonpath='{range .items[?(@.metadata.annotations.storageclass\.kubernetes\.io/is-default-class=="true")]}{.metadata.name}{"\n"}{end}')
[ "$default_sc" = "$TESTENV_STORAGE_CLASS" ] || fail "default StorageClass is '$default_sc', expected $TESTENV_STORAGE_CLASS"
pass "default StorageClass $default_sc"

"$TESTENV_CTL" status --run-dir "$TESTENV_RUN_DIR" || fail "a component is unhealthy"
pass "all components healthy"

for c in "$TESTENV_CA_CERT" "$TESTENV_CA_KEY" "$TESTENV_ADMIN_CERT" "$TESTENV_ADMIN_KEY" "$TESTENV_KUBECONFIG"; do
  [ -s "$c" ] || fail "env names $c, which is missing"
done
kc get --raw /api >/dev/null
grep -q '"username":"shopctl-admin"' "$TESTENV_AUDIT_LOG" || fail "audit log $TESTENV_AUDIT_LOG has no events of shopctl-admin"
grep -q '"username":"system:kube-controller-manager"\|"username":"system:serviceaccount:kube-system:' "$TESTENV_AUDIT_LOG" ||
  fail "audit log has no controller-manager events"
pass "audit log records requests with their user"
