# Helpers for the e2e shell tests. Source it first thing:
#   source "$(dirname "$0")/lib.sh"
# It loads the testenv cluster's env file (TESTENV_RUN_DIR, set by CTest), and gives:
#   e2e_namespace PREFIX [LABEL=VALUE...]   create a unique namespace -> $NS (all deleted on exit;
#                                           E2E_KEEP=1 keeps them for debugging)
#   kc ARGS...                              kubectl as the cluster admin
#   pass MSG / fail MSG                     report; fail exits 1
#   expect_fail DESC GREP_PATTERN CMD...    CMD must fail and its output match GREP_PATTERN
#   wait_for DESC TIMEOUT_S CMD...          retry CMD until it succeeds
#   shopapp_header NAME NAMESPACE           the first lines of a ShopApp, up to "spec:"
#   nginx_service NAME [IMAGE]              the test fixture service: one spec.services entry
#                                           running nginx-unprivileged (default $NGINX_IMAGE) on
#                                           8080 behind port 80, with its writable paths
#   wait_crds CRD...                        wait until each CRD is Established (60 s)
# shellcheck shell=bash
set -euo pipefail

E2E_NAME=$(basename "$0" .sh)
: "${TESTENV_RUN_DIR:?TESTENV_RUN_DIR is not set: run through ctest (fixture testenv) or export it}"
[ -f "$TESTENV_RUN_DIR/env" ] || { echo "FAIL [$E2E_NAME] no cluster: $TESTENV_RUN_DIR/env is missing (testenv_up failed?)" >&2; exit 1; }
# shellcheck disable=SC1091
source "$TESTENV_RUN_DIR/env"

kc() { "$TESTENV_BIN/kubectl" --kubeconfig="$TESTENV_KUBECONFIG" "$@"; }

# The inline test app. In a heredoc: $(shopapp_header shop "$NS"), then "  services:", then
# $(nginx_service web) followed by the service's own extra lines (indented 4).
NGINX_IMAGE=nginxinc/nginx-unprivileged:1.27.2-alpine
shopapp_header() {
  printf 'apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: %s, namespace: %s}\nspec:\n' "$1" "$2"
}
nginx_service() {
  printf '  - name: %s\n    image: %s\n    ports: [{name: http, port: 80, targetPort: 8080}]\n    writablePaths: [/tmp, /var/cache/nginx]\n' \
    "$1" "${2:-$NGINX_IMAGE}"
}

pass() { echo "ok   [$E2E_NAME] $*"; }
fail() {
  echo "FAIL [$E2E_NAME] $*" >&2
  if [ -n "${NS:-}" ]; then
    echo "----- objects and events in namespace $NS -----" >&2
    kc -n "$NS" get all,pvc -o wide >&2 2>&1 || true
    kc -n "$NS" get events --sort-by=.lastTimestamp >&2 2>&1 | tail -n 30 >&2 || true
    # Containers that restarted (on the real node; kwok runs nothing): how their last run ended
    # and the tail of what it printed, for at most three pods.
    local p
    for p in $(kc -n "$NS" get pods -o json 2>/dev/null |
      jq -r '.items[] | select(any(.status.containerStatuses[]?; .restartCount > 0)) | .metadata.name' 2>/dev/null | head -n 3); do
      echo "----- pod $p: the last run's end and log (tail) -----" >&2
      kc -n "$NS" get pod "$p" -o json 2>/dev/null |
        jq -c '.status.containerStatuses[] | {name, restartCount, lastState: .lastState.terminated}' >&2 2>&1 || true
      kc -n "$NS" logs "$p" --all-containers --previous --tail 40 >&2 2>&1 || true
    done
  fi
  exit 1
}

# expect_fail DESC PATTERN CMD...: CMD must exit non-zero with output matching PATTERN (grep -E).
expect_fail() {
  local desc=$1 pattern=$2 out rc=0; shift 2
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then
    fail "$desc: expected a rejection, but it succeeded: $out"
  fi
  if ! grep -Eq -- "$pattern" <<<"$out"; then
    fail "$desc: rejected, but not for the expected reason (/$pattern/): $out"
  fi
  pass "$desc (rejected: $(head -c 200 <<<"$out" | tr '\n' ' '))"
}

# wait_for DESC TIMEOUT CMD...: retry CMD every second until it succeeds or TIMEOUT seconds pass.
wait_for() {
  local desc=$1 timeout=$2 deadline; shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${timeout}s waiting for: $desc"
    sleep 1
  done
  pass "$desc"
}

# wait_crds NAME...: wait until each CRD reports Established=True. `kubectl wait --for
# condition=established` right after the create can fail outright ("<nil> is of the type
# <nil>, expected []interface{}") when the API server has not written .status.conditions
# yet, so poll the condition instead.
wait_crds() {
  local crd deadline=$((SECONDS + 60))
  for crd in "$@"; do
    until [ "$(kc get crd "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)" = True ]; do
      [ $SECONDS -lt $deadline ] || fail "CRD $crd is not Established after 60s"
      sleep 0.2
    done
  done
}

E2E_NAMESPACES=()
e2e_cleanup_namespaces() {
  local ns
  for ns in "${E2E_NAMESPACES[@]}"; do
    if [ "${E2E_KEEP:-0}" = 1 ]; then
      echo "E2E_KEEP=1: leaving namespace $ns" >&2
    else
      kc delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
    fi
  done
}
trap e2e_cleanup_namespaces EXIT

# e2e_namespace PREFIX [LABEL=VALUE...]: a fresh namespace ($NS) for this test, deleted on exit.
e2e_namespace() {
  local prefix=$1; shift
  NS="e2e-$prefix-$(date +%s)-$RANDOM"
  kc create namespace "$NS" >/dev/null || fail "could not create namespace $NS"
  E2E_NAMESPACES+=("$NS")
  if [ $# -gt 0 ]; then kc label namespace "$NS" "$@" >/dev/null; fi
  # Pods need the namespace's default ServiceAccount, made by kube-controller-manager.
  wait_for "default ServiceAccount in $NS" 60 kc -n "$NS" get serviceaccount default
}
