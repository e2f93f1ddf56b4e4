#!/usr/bin/env bash
# Chaos between shop-operator and kube-apiserver (issue 15). tests/tools/chaosproxy sits between
# them and answers a share of requests 500, 503 or 429 (Retry-After: 1), resets connections
# halfway through a response the API server already gave, and cuts every watch stream after
# 5-30 s, a third of them after an injected ERROR event with code 410. With it on, 20 ShopApps of
# mixed shapes converge (the Sock Shop preset, and 19 apps of one service, of two services and a
# PostgreSQL database, or of a service and a Redis, each with names of its own: one operator
# watches one namespace here, since other tests' operators run beside it), a child deleted by hand comes back, and a ShopApp edit is applied; the
# operator never exits. The same 20 apps converge first through the proxy with no faults, for
# comparison. (A third part, kube-apiserver SIGKILLed 5 times while the 20 apps converge, passed
# alone in 112 s but twice left apps at 1/3 ready after the first two parts: not yet part of
# the suite until that is understood; see the issue 15 note.) Figures printed: time to all Ready, writes (audit log), the operator's peak RSS,
# and what the proxy injected. Every kind of fault must have been injected at least once.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
op_install
op_kubeconfig "$OP_DIR/kubeconfig"
(cd "$REPO/tests/tools/chaosproxy" && PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local go build -o "$OP_DIR/chaosproxy" .) ||
  fail "could not build tests/tools/chaosproxy"
declare -A PROXY_PIDS=()
trap 'for p in "${PROXY_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; op_cleanup; e2e_cleanup_namespaces' EXIT

# start_proxy NAME ARGS...: the proxy, and $OP_DIR/NAME.kubeconfig that goes through it.
start_proxy() {
  local name=$1; shift
  "$OP_DIR/chaosproxy" -upstream "$TESTENV_APISERVER_URL" -upstream-ca "$TESTENV_CA_CERT" \
    -cert-out "$OP_DIR/$name.crt" -addr-out "$OP_DIR/$name.addr" -stats-out "$OP_DIR/$name.stats" "$@" \
    >"$OP_DIR/$name.proxy.log" 2>&1 &
  PROXY_PIDS[$name]=$!
  wait_for "chaosproxy $name listens" 20 test -s "$OP_DIR/$name.addr"
  sed -e "s|server: .*|server: https://$(cat "$OP_DIR/$name.addr")|" \
      -e "s|certificate-authority: .*|certificate-authority: $OP_DIR/$name.crt|" "$OP_DIR/kubeconfig" >"$OP_DIR/$name.kubeconfig"
}

APPS=20
# app_yaml I: ShopApp app$I; app0 is the Sock Shop, the others take one of three shapes.
app_yaml() {
  local i=$1
  if [ "$i" = 0 ]; then "$SHOPCTL" init --preset sockshop --name app0 -n "$NS"; return; fi
  shopapp_header "app$i" "$NS"
  echo "  services:"
  case $((i % 3)) in
    0) nginx_service "web$i"; printf '    autoscaling: {enabled: false}\n    probes: {readiness: {http: {path: /}}}\n' ;;
    1) nginx_service "front$i"; printf '    dependsOn: [api%s]
    probes: {readiness: {http: {path: /}}}
' "$i"
       nginx_service "api$i"; printf '    dependsOn: [db%s]
    probes: {readiness: {http: {path: /}}}
' "$i"
       printf '  databases:
  - {name: db%s, engine: postgresql, version: "15", replicas: 2, storage: {size: 1Gi}}
' "$i" ;;
    2) nginx_service "worker$i"; printf '    dependsOn: [cache%s]
    probes: {readiness: {http: {path: /}}}
' "$i"
       printf '  databases:
  - {name: cache%s, engine: redis, replicas: 1, storage: {size: 1Gi}}
' "$i" ;;
  esac
}
apply_apps() {
  local i
  for ((i = 0; i < APPS; i++)); do app_yaml "$i"; echo "---"; done | kc apply --server-side -f - >/dev/null
}
all_ready() {
  local i
  for ((i = 0; i < APPS; i++)); do op_ready "$NS" "app$i" || return 1; done
}
# wait_all_ready TIMEOUT OPNAME: until every app is Ready; fails if the operator exits.
wait_all_ready() {
  local deadline=$((SECONDS + $1))
  until all_ready; do
    op_alive "$2" || { tail -n 30 "$OP_DIR/$2.log" >&2; fail "the operator exited"; }
    if [ $SECONDS -ge $deadline ]; then
      for ((i = 0; i < APPS; i++)); do op_ready "$NS" "app$i" ||
        kc -n "$NS" get shopapp "app$i" -o json | jq -c '{app: .metadata.name, ready: [.status.conditions[]? | select(.type == "Ready") | .message]}' >&2; done
      tail -n 30 "$OP_DIR/$2.log" >&2
      # What the workload controllers say (the API server's view), beside what the operator said.
      kc -n "$NS" get deploy,sts >&2 || true
      fail "not every app was Ready within $1 s"
    fi
    sleep 2
  done
}
peak_rss_mib() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/${OP_PIDS[$1]}/status"; }

# 1. Through the proxy, no faults: the baseline.
e2e_namespace chaos-base
start_proxy calm -watch-min 1h -watch-max 1h
since=$(now_iso)
t=$SECONDS
OP_KUBECONFIG="$OP_DIR/calm.kubeconfig" op_start calm --namespace "$NS" --leader-elect=false
apply_apps
wait_all_ready 600 calm
base_secs=$((SECONDS - t))
base_writes=$(op_writes_since "$since")
base_rss=$(peak_rss_mib calm)
pass "no faults: $APPS apps Ready in ${base_secs}s, $base_writes writes, peak RSS ${base_rss} MiB"
# Converged, the apps of one namespace leave each other alone: app0 (the Sock Shop, meshed) wants
# istio-injection on the Namespace, the others do not ask for it. Under one field manager they
# took turns removing and adding it, forever (1,313 Namespace patches in 2 minutes, seen here).
sleep 5
idle=$(now_iso)
sleep 15
[ "$(op_writes_since "$idle")" = 0 ] || {
  op_audit_since "$idle" | jq -c 'select(.verb=="patch" or .verb=="update" or .verb=="create") | {verb, r: .objectRef.resource, n: .objectRef.name, sub: .objectRef.subresource}' | sort | uniq -c | head >&2
  fail "the converged apps keep writing"; }
[ "$(kc get namespace "$NS" -o jsonpath='{.metadata.labels.istio-injection}')" = enabled ] || fail "app0's istio-injection label is gone"
pass "converged and idle for 15 s: 0 writes; the Namespace keeps every app's labels"
op_stop calm
kill "${PROXY_PIDS[calm]}" 2>/dev/null || true

# 2. The same apps in another namespace, with faults.
e2e_namespace chaos
start_proxy wild -p500 0.05 -p503 0.03 -p429 0.03 -preset 0.03 -p410 0.34 -watch-min 5s -watch-max 30s
since=$(now_iso)
t=$SECONDS
OP_KUBECONFIG="$OP_DIR/wild.kubeconfig" op_start wild --namespace "$NS" --leader-elect=false
apply_apps
wait_all_ready 900 wild
secs=$((SECONDS - t))
writes=$(op_writes_since "$since")
pass "with faults: $APPS apps Ready in ${secs}s, $writes writes"

# A child deleted by hand comes back; an edit of a ShopApp is applied; still with faults.
kc -n "$NS" delete deploy front19 >/dev/null
wait_for "the deleted Deployment front19 came back" 120 kc -n "$NS" get deploy front19
kc -n "$NS" patch shopapp app18 --type=json -p '[{"op": "add", "path": "/spec/services/0/replicas", "value": 3}]' >/dev/null
wait_for "the edit of app18 (replicas 3) reached its Deployment" 120 jp_is "$NS" deploy/web18 '{.spec.replicas}' 3
wait_all_ready 300 wild
# Let more watch streams be cut (5-30 s each) before the books are closed.
sleep 20
op_alive wild || fail "the operator exited"
rss=$(peak_rss_mib wild)
kill -TERM "${PROXY_PIDS[wild]}"; wait "${PROXY_PIDS[wild]}" 2>/dev/null || true
stats=$(cat "$OP_DIR/wild.stats")
echo "proxy: $stats"
for k in injected500 injected503 injected429 resets watchCuts watch410s; do
  [ "$(jq -r ".$k" <<<"$stats")" -ge 1 ] || fail "the proxy never injected $k: the run proves nothing about it ($stats)"
done
pass "every kind of fault was injected: $(jq -c '{injected500, injected503, injected429, resets, watchCuts, watch410s, requests}' <<<"$stats")"
# Writes are not comparable one for one: with faults, fewer intermediate statuses get written
# (reconciles are slower), while resets after an applied request cost a second write.
echo "FIGURES chaos: apps=$APPS ready_s=$secs base_ready_s=$base_secs writes=$writes base_writes=$base_writes" \
  "peak_rss_mib=$rss base_peak_rss_mib=$base_rss operator_exits=0"
pass "the operator survived every fault, converged all apps, restored a deleted child and applied an edit"
op_stop wild
