#!/usr/bin/env bash
# A busy bind address: a second shop-operator on the same metrics/probe ports exits 3 with a
# clear error instead of silently sharing them (cpp-httplib's SO_REUSEPORT); the first keeps serving.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
e2e_namespace bind
op_install
op_kubeconfig "$OP_DIR/kubeconfig"
MP=$(free_port) PP=$(free_port)
run_op() {  # NAME: one operator on the shared ports, no leader election
  "$SHOP_OPERATOR" --kubeconfig "$OP_DIR/kubeconfig" --namespace "$NS" --leader-elect=false --log-format text \
    --metrics-bind-address "127.0.0.1:$MP" --health-probe-bind-address "127.0.0.1:$PP" >"$OP_DIR/$1.log" 2>&1 &
  OP_PIDS[$1]=$!
}
run_op a
wait_for "operator a serves /healthz" 30 curl -sf "http://127.0.0.1:$PP/healthz"
run_op b
rc=0
wait_for "operator b exits" 30 bash -c "! kill -0 ${OP_PIDS[b]} 2>/dev/null"
wait "${OP_PIDS[b]}" || rc=$?
unset "OP_PIDS[b]"
[ "$rc" = 3 ] || fail "second operator on a busy address exited $rc, want 3: $(cat "$OP_DIR/b.log")"
pass "second operator on 127.0.0.1:$MP exits 3"
grep -q "cannot listen" "$OP_DIR/b.log" && grep -q "127.0.0.1:$MP" "$OP_DIR/b.log" && grep -qi "in use" "$OP_DIR/b.log" ||
  fail "error does not name the address and the cause: $(cat "$OP_DIR/b.log")"
pass "its log names the address and says it is in use"
op_alive a || fail "the first operator died"
curl -sf "http://127.0.0.1:$MP/metrics" >/dev/null && curl -sf "http://127.0.0.1:$PP/healthz" >/dev/null || fail "first operator's /metrics no longer answers"
pass "the first operator keeps serving /metrics and /healthz"
op_stop a TERM
