#!/usr/bin/env bash
# A StatefulSet with volumeClaimTemplates (RWO and RWX, up to 10Gi, default StorageClass)
# gets its PVCs Bound and its pods Ready; deleting the claims deletes their volumes.
source "$(dirname "$0")/lib.sh"
e2e_namespace sts

kc -n "$NS" apply -f - <<'YAML' >/dev/null
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {app: db}
  ports:
  - port: 27017
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: registry.invalid/db:1.0
        volumeMounts:
        - {name: data, mountPath: /data}
        - {name: shared, mountPath: /shared}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 10Gi}
  - metadata:
      name: shared
    spec:
      accessModes: [ReadWriteMany]
      resources:
        requests: {storage: 1Gi}
YAML

pvcs_bound() {
  local phases
  phases=$(kc -n "$NS" get pvc -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}')
  [ "$(grep -c '^Bound$' <<<"$phases")" -eq 4 ]
}
wait_for "4 PVCs Bound" 120 pvcs_bound

kc -n "$NS" get pvc -o wide
while read -r name sc modes size vol; do
  [ "$sc" = "$TESTENV_STORAGE_CLASS" ] || fail "pvc $name has storageClassName '$sc' (default class not applied)"
  [ -n "$vol" ] || fail "pvc $name has no volume"
  pv=$(kc get pv "$vol" -o jsonpath='{.status.phase} {.spec.claimRef.namespace}/{.spec.claimRef.name} {.spec.capacity.storage} {.spec.hostPath.path}')
  read -r phase claim cap path <<<"$pv"
  [ "$phase" = Bound ] || fail "pv $vol is $phase"
  [ "$claim" = "$NS/$name" ] || fail "pv $vol is claimed by $claim, not $NS/$name"
  [ "$cap" = "$size" ] || fail "pv $vol capacity $cap != request $size"
  [ -n "$path" ] || fail "pv $vol is not a hostPath volume"
  case "$name" in
    data-*) [ "$modes" = '["ReadWriteOnce"]' ] || fail "pvc $name access modes $modes" ;;
    shared-*) [ "$modes" = '["ReadWriteMany"]' ] || fail "pvc $name access modes $modes" ;;
  esac
done < <(kc -n "$NS" get pvc -o jsonpath='{range .items[*]}{.metadata.name} {.spec.storageClassName} {.status.accessModes} {.spec.resources.requests.storage} {.spec.volumeName}{"\n"}{end}')
pass "PVCs bound to hostPath PVs of the default class with the requested size and modes"

sts_ready() { [ "$(kc -n "$NS" get statefulset db -o jsonpath='{.status.readyReplicas}')" = 2 ]; }
wait_for "statefulset/db 2/2 Ready" 120 sts_ready
for p in db-0 db-1; do
  r=$(kc -n "$NS" get pod "$p" -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="Ready")].status}')
  [ "$r" = "Running True" ] || fail "pod $p: $r"
done
pass "pods db-0, db-1 Running and Ready"

# Volume lifecycle: deleting the StatefulSet and its claims releases and deletes the PVs.
vols=$(kc -n "$NS" get pvc -o jsonpath='{.items[*].spec.volumeName}')
kc -n "$NS" delete statefulset db --wait=true --timeout=60s >/dev/null
kc -n "$NS" delete pvc --all --wait=true --timeout=90s >/dev/null || fail "PVCs were not deleted"
pvs_gone() { for v in $vols; do ! kc get pv "$v" >/dev/null 2>&1 || return 1; done; }
wait_for "PVs of deleted claims deleted (reclaimPolicy Delete)" 90 pvs_gone
