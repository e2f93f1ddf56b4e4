# The real node's volume provisioner (StorageClass realnode-local, provisioner
# testenv.shopctl.io/realnode-local): run by testenv/realnode up as
#   bash realnode-provisioner.sh KUBECONFIG KUBECTL VOLUME_DIR NODE
# Once a second it
#   - makes a directory and a `local` PersistentVolume, pre-bound to the claim, for every Pending
#     claim of the class that the scheduler placed on NODE (WaitForFirstConsumer); the kubelet
#     applies the pod's fsGroup to local volumes, so a non-root database can write its data dir;
#   - deletes the directory and the PV of every Released volume it made (reclaimPolicy Delete).
# shellcheck shell=bash
set -uo pipefail
KCFG=$1 KUBECTL=$2 VOLS=$3 NODE=$4
CLASS=realnode-local
PROV=testenv.shopctl.io/realnode-local
k() { "$KUBECTL" --kubeconfig="$KCFG" "$@"; }
log() { printf '%s provisioner: %s\n' "$(date +%H:%M:%S)" "$*"; }
mkdir -p "$VOLS"
log "watching claims of StorageClass $CLASS for node $NODE (volumes in $VOLS)"
while :; do
  k get pvc -A -o json 2>/dev/null | jq -r --arg c "$CLASS" --arg n "$NODE" '.items[]
      | select(.spec.storageClassName == $c and .status.phase == "Pending"
               and (.metadata.annotations["volume.kubernetes.io/selected-node"] // "") == $n
               and (.spec.volumeName // "") == "")
      | [.metadata.namespace, .metadata.name, .metadata.uid, .spec.resources.requests.storage,
         (.spec.accessModes | join(",")), (.spec.volumeMode // "Filesystem")] | @tsv' |
    while IFS=$'\t' read -r ns name uid size modes vmode; do
      pv="pvc-$uid"
      k get pv "$pv" >/dev/null 2>&1 && continue
      mkdir -p "$VOLS/$pv" && chmod 0755 "$VOLS/$pv"
      modes_json=$(jq -cn --arg m "$modes" '$m | split(",")')
      if k create -f - >/dev/null 2>&1 <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $pv
  annotations: {pv.kubernetes.io/provisioned-by: $PROV}
spec:
  capacity: {storage: "$size"}
  accessModes: $modes_json
  volumeMode: $vmode
  persistentVolumeReclaimPolicy: Delete
  storageClassName: $CLASS
  claimRef: {namespace: "$ns", name: "$name", uid: "$uid"}
  local: {path: "$VOLS/$pv"}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: ["$NODE"]}
YAML
      then log "provisioned $pv ($size) for $ns/$name"
      else log "could not create $pv for $ns/$name"; fi
    done
  k get pv -o json 2>/dev/null | jq -r --arg p "$PROV" '.items[]
      | select((.metadata.annotations["pv.kubernetes.io/provisioned-by"] // "") == $p
               and (.status.phase == "Released" or .status.phase == "Failed")
               and .spec.persistentVolumeReclaimPolicy == "Delete")
      | [.metadata.name, .spec.local.path] | @tsv' |
    while IFS=$'\t' read -r pv path; do
      case $path in "$VOLS"/pvc-*) rm -rf -- "$path" ;; esac
      k delete pv "$pv" --wait=false >/dev/null 2>&1 && log "deleted $pv and its directory"
    done
  sleep 1
done
