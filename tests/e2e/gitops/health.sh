#!/usr/bin/env bash
# The statuses shop-operator really writes, captured from the cluster, judged by:
#  - the Argo CD health check (manifests/integrations/argocd/health.lua), run by Debian's Lua 5.4
#    in Argo CD's sandbox (tests/e2e/gitops/argocd_health.lua);
#  - kstatus, as Flux computes it: the real library (sigs.k8s.io/cli-utils v0.37.2
#    status.Compute(), built from tests/e2e/gitops/kstatus with the Go toolchain testenv uses),
#    the same rules written out in jq below, and shopctl's own kstatus (status -o json).
# Five states: Ready; Progressing (pods cannot be created: an unknown PriorityClass); Stalled (a
# spec the CRD accepts but the operator rejects); a generation the operator has not observed
# yet; and a ShopApp being deleted.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
command -v lua5.4 >/dev/null || fail "lua5.4 is missing (scripts/install-deps.sh installs it)"
HEALTH=$REPO/manifests/integrations/argocd/health.lua
HARNESS=$(dirname "$0")/argocd_health.lua
# The real kstatus library, built once per machine (the Go build cache makes later builds a link).
KSTATUS_BIN=$GT_DIR/kstatus
(cd "$(dirname "$0")/kstatus" && PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
  go build -trimpath -o "$KSTATUS_BIN" .) || fail "cannot build the kstatus helper (Go and the module proxy are needed, as for testenv)"
gt_install_crd
gt_app_namespace ghealth
app() {  # NAME EXTRA-SERVICE-FIELDS
  cat <<APP
$(shopapp_header "$1" "$APP_NS")
  services:
$(nginx_service "$1")
$2
APP
}

# The kstatus rules for a custom resource, independent of shopctl's C++ (core/diff/kstatus.cpp).
KSTATUS='
  if (.metadata.deletionTimestamp // "") != "" then "Terminating"
  elif .metadata.generation != null and .status.observedGeneration != null
       and .metadata.generation != .status.observedGeneration then "InProgress"
  else
    ([.status.conditions[]? | select((.type == "Reconciling" or .type == "Stalled") and .status == "True")] | first) as $c
    | if $c != null then (if $c.type == "Reconciling" then "InProgress" else "Failed" end)
      else ([.status.conditions[]? | select(.type == "Ready")] | first) as $r
        | if $r == null or $r.status == "True" then "Current"
          elif $r.status == "False" or $r.status == "Unknown" then "InProgress"
          else "Current" end
      end
  end'
# JSON -> a Lua table literal ("return {...}"), the way Argo CD hands the object to the script.
TOLUA='def lua: if type == "object" then "{" + ([to_entries[] | "[" + (.key | tojson) + "]=" + (.value | lua)] | join(",")) + "}"
  elif type == "array" then "{" + (map(lua) | join(",")) + "}"
  elif type == "null" then "nil"
  elif type == "string" then tojson | gsub("\\\\u(?<h>[0-9a-fA-F]{4})"; "\\u{\(.h)}")
  else tojson end; "return " + lua'

# judge STATE NAME WANT_HEALTH WANT_KSTATUS: capture the live ShopApp and check all three verdicts.
judge() {
  local state=$1 name=$2 want_health=$3 want_kstatus=$4 health kst mine real
  gt_capture "$name" "$GT_DIR/$state.json"
  mine=$(shopctl status "$name" -n "$APP_NS" -o json | jq -r .kstatus.status)
  jq -r "$TOLUA" "$GT_DIR/$state.json" >"$GT_DIR/$state.lua"
  health=$(lua5.4 "$HARNESS" "$HEALTH" "$GT_DIR/$state.lua") || fail "$state: health.lua failed"
  kst=$(jq -r "$KSTATUS" "$GT_DIR/$state.json")
  real=$("$KSTATUS_BIN" "$GT_DIR/$state.json" | cut -f2) || fail "$state: the kstatus library failed"
  [ "${health%%$'\t'*}" = "$want_health" ] ||
    fail "$state: Argo CD health is '$health', expected $want_health; status: $(jq -c .status "$GT_DIR/$state.json")"
  [ "$kst" = "$want_kstatus" ] || fail "$state: kstatus is $kst, expected $want_kstatus; status: $(jq -c .status "$GT_DIR/$state.json")"
  [ "$real" = "$want_kstatus" ] || fail "$state: cli-utils kstatus says $real, expected $want_kstatus"
  [ "$mine" = "$want_kstatus" ] || fail "$state: shopctl status says $mine, kstatus says $want_kstatus"
  pass "$state: Argo CD ${health/$'\t'/ (}), kstatus $real (cli-utils) = $kst (rules) = $mine (shopctl status)"
}

gt_operator_start

# Ready.
app ok "" >"$GT_DIR/ok.yaml"
shopctl apply -f "$GT_DIR/ok.yaml" --wait --timeout 120s >/dev/null || fail "ok did not become Ready"
judge ready ok Healthy Current

# Progressing: the ReplicaSet cannot create pods (no such PriorityClass), the operator keeps
# reporting Reconciling=True with the component that is not ready.
app slow "    priorityClassName: e2e-no-such-class" >"$GT_DIR/slow.yaml"
shopctl apply -f "$GT_DIR/slow.yaml" >/dev/null
gt_wait_observed slow 60
wait_for "slow is Reconciling" 60 gt_condition_is slow Reconciling True
sleep 2
gt_condition_is slow Reconciling True || fail "slow stopped reconciling"
judge progressing slow Progressing InProgress

# Stalled: the CRD accepts a probe on a port name the service does not have; the operator does not.
app bad "    probes: {readiness: {http: {path: /, port: admin}}}" >"$GT_DIR/bad.yaml"
shopctl apply -f "$GT_DIR/bad.yaml" --validate=false >/dev/null
wait_for "bad is Stalled" 60 gt_condition_is bad Stalled True
judge stalled bad Degraded Failed
grep -q 'InvalidSpec: spec.services\[0\].probes.readiness' <<<"$(lua5.4 "$HARNESS" "$HEALTH" "$GT_DIR/stalled.lua")" ||
  fail "the Degraded message should carry the reason and the field"

# Terminating: a finalizer holds the deletion.
kc -n "$APP_NS" patch shopapp slow --type merge -p '{"metadata":{"finalizers":["e2e.shopctl.io/hold"]}}' >/dev/null
kc -n "$APP_NS" delete shopapp slow --wait=false >/dev/null
judge terminating slow Progressing Terminating
kc -n "$APP_NS" patch shopapp slow --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null

# A generation the operator has not observed (it is stopped): whatever the old conditions say.
gt_operator_stop
sed 's/1.27.2-alpine/1.27.3-alpine/' "$GT_DIR/ok.yaml" >"$GT_DIR/ok2.yaml"
shopctl apply -f "$GT_DIR/ok2.yaml" >/dev/null
[ "$(jq -r '.status.conditions[] | select(.type == "Ready") | .status' <(kc -n "$APP_NS" get shopapp ok -o json))" = True ] ||
  fail "the old Ready=True should still be there"
judge unobserved ok Progressing InProgress

# The same verdicts from the statuses' own words: health messages are the operator's.
grep -q "all 1 components ready" <<<"$(lua5.4 "$HARNESS" "$HEALTH" "$GT_DIR/ready.lua")" || fail "Healthy message"
grep -q "generation 2 (status is for generation 1)" <<<"$(lua5.4 "$HARNESS" "$HEALTH" "$GT_DIR/unobserved.lua")" ||
  fail "unobserved message"
