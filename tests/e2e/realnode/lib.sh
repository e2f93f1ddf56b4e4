# Helpers for the real-node e2e tests (fixture realnode: a testenv cluster started with
# `testenv/up --real-node`). Source it first thing; it sources ../lib.sh.
#   RN_NODE, RN_IMG_*                 the node's name and the images testenv/images built
#   rn_placement [INDENT]             nodeSelector + toleration YAML that puts a pod on the real node
#   rn_wait_ready NS SELECTOR [T]     wait until every pod matching SELECTOR is Ready
#   rn_exec NS POD CMD...             kubectl exec
#   rn_toolbox_pod NAME NS LABELS     a toolbox pod on the real node that Pod Security restricted
#                                     admits (LABELS: YAML flow pairs, e.g. "app: client")
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
: "${TESTENV_REAL_NODE:?this test needs the real node: run it through ctest (fixture realnode)}"
RN_NODE=$TESTENV_REAL_NODE
RN_IMG_NGINX=localhost/shopctl/nginx:1.22
RN_IMG_TOOLBOX=localhost/shopctl/toolbox:1
RN_IMG_LOADGEN=localhost/shopctl/loadgen:1
RN_IMG_OPERATOR=localhost/shopctl/shop-operator:dev

rn_placement() {
  local pad=${1:-      }
  cat <<YAML
${pad}nodeSelector: {kubernetes.io/hostname: $RN_NODE}
${pad}tolerations: [{key: $TESTENV_REAL_NODE_TAINT, operator: Exists, effect: NoSchedule}]
YAML
}

rn_wait_ready() {
  local ns=$1 sel=$2 t=${3:-120}
  kc -n "$ns" wait --for=condition=Ready pod -l "$sel" --timeout="${t}s" >/dev/null 2>&1 ||
    fail "pods $sel in $ns not Ready within ${t}s: $(kc -n "$ns" get pods -l "$sel" -o wide 2>&1; kc -n "$ns" describe pods -l "$sel" 2>&1 | tail -n 25)"
}

rn_exec() { local ns=$1 pod=$2; shift 2; kc -n "$ns" exec "$pod" -- "$@"; }

rn_toolbox_pod() {
  kc -n "$2" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {$3}}
spec:
$(rn_placement "  ")
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: sh
    image: $RN_IMG_TOOLBOX
    imagePullPolicy: Never
    command: [sleep, infinity]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
YAML
}
