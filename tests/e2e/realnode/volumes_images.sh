#!/usr/bin/env bash
# The real node's StorageClass realnode-local: a non-root pod with an fsGroup writes its volume;
# deleting the claim deletes the volume and its directory. And the database images built from
# Debian packages start their engine as a non-root user with a read-only root filesystem.
source "$(dirname "$0")/lib.sh"
e2e_namespace rn-vol pod-security.kubernetes.io/enforce=restricted
RESTRICTED_POD='securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: {type: RuntimeDefault}}'
RESTRICTED_CTR='securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}'
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: $TESTENV_REAL_STORAGE_CLASS
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, labels: {app: writer}}
spec:
$(rn_placement "  ")
  $RESTRICTED_POD
  containers:
  - name: sh
    image: $RN_IMG_TOOLBOX
    imagePullPolicy: Never
    command: [sh, -c, 'echo hello > /data/file && sleep infinity']
    $RESTRICTED_CTR
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
YAML
rn_wait_ready "$NS" app=writer 120
got=$(rn_exec "$NS" writer cat /data/file)
[ "$got" = hello ] || fail "read back '$got' from the volume"
pv=$(kc -n "$NS" get pvc data -o jsonpath='{.spec.volumeName}')
path=$(kc get pv "$pv" -o jsonpath='{.spec.local.path}')
[ -d "$path" ] || fail "PV $pv has no directory $path on the node"
grp=$(stat -c %g "$path")
[ "$grp" = 65532 ] || fail "the volume directory's group is $grp, not the pod's fsGroup 65532"
pass "uid 65532 wrote its realnode-local volume ($pv at $path, group set to the fsGroup by the kubelet)"
kc -n "$NS" delete pod writer --wait=true >/dev/null
kc -n "$NS" delete pvc data --wait=true >/dev/null
wait_for "PV $pv deleted with its claim" 60 bash -c "! $TESTENV_BIN/kubectl --kubeconfig=$TESTENV_KUBECONFIG get pv $pv"
[ ! -e "$path" ] || fail "the volume directory $path is still there"
pass "deleting the claim deleted the PV and its directory"

# engine_version NAME IMAGE CMD EXPECT: the engine's binary runs as uid 65532, read-only root.
engine_version() {
  local name=$1 image=$2 cmd=$3 expect=$4 out
  kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $name, labels: {app: engines}}
spec:
  restartPolicy: Never
$(rn_placement "  ")
  $RESTRICTED_POD
  containers:
  - name: c
    image: $image
    imagePullPolicy: Never
    command: [sh, -c, '$cmd']
    $RESTRICTED_CTR
    env: [{name: HOME, value: /tmp}]
    volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes: [{name: tmp, emptyDir: {}}]
YAML
  kc -n "$NS" wait --for=jsonpath='{.status.phase}'=Succeeded "pod/$name" --timeout=120s >/dev/null ||
    fail "$name did not run to completion: $(kc -n "$NS" logs "$name" 2>&1 | tail -5)"
  out=$(kc -n "$NS" logs "$name")
  grep -Eq "$expect" <<<"$out" || fail "$name printed '$out', expected /$expect/"
  pass "$image runs its engine as uid 65532 with a read-only root: $(head -1 <<<"$out")"
}
engine_version postgresql localhost/shopctl/postgresql:15 'postgres --version' 'PostgreSQL\) 15\.'
engine_version redis localhost/shopctl/redis:7.0 'redis-server --version' 'v=7\.0\.'
engine_version mariadb localhost/shopctl/mariadb:10.11 'mariadbd --version' 'Ver 10\.11\.'
engine_version rabbitmq localhost/shopctl/rabbitmq:3.10 'dpkg-query -W -f="rabbitmq-server \${Version}\n" rabbitmq-server && erl -noshell -eval "io:format(\"erlang ~s~n\", [erlang:system_info(otp_release)]), halt()."' 'rabbitmq-server 3\.10\..*'
engine_version kafka localhost/shopctl/kafka:3.9 'java -cp "/opt/kafka/libs/*" kafka.Kafka --version 2>/dev/null && java -version 2>&1 | head -1' '^3\.9\.0'
