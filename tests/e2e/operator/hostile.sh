#!/usr/bin/env bash
# The hostile corpus (tests/hostile/cases, at least 80 bad or hostile ShopApps) against the API
# server and a running shop-operator (issue 15). Each case is applied as a user would: the API
# server must refuse it with the expected message, or accept it and the operator must bring it
# to the expected condition (Ready, or Stalled with the message). `shopctl validate` must refuse
# everything the API server refuses. Meanwhile a good app of the same namespace stays Ready and
# untouched (its children's resourceVersions do not move), the operator never restarts, and its
# memory stays bounded. The API server's own Service default/kubernetes is never touched.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
CASES=$REPO/tests/hostile/cases
CASE=$REPO/tests/hostile/case.py
e2e_namespace hostile
op_install
op_start op --namespace "$NS" --leader-elect=false
op_start default --namespace default --leader-elect=false
op_start system --namespace kube-system --leader-elect=false
PID=${OP_PIDS[op]}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# The good app: Ready before the corpus comes, and its children's resourceVersions noted.
{ shopapp_header good "$NS"; echo "  services:"; nginx_service web; } | kc apply --server-side -f - >/dev/null
wait_for "the good app is Ready" 120 jp_is "$NS" shopapp/good '{.status.conditions[?(@.type=="Ready")].status}' True
# Each child as KIND/NAME=SPEC HASH: its whole spec where it has one (controllers' status updates
# move the resourceVersion of a Deployment or an HPA, not its spec), else its resourceVersion;
# and the applied-hash the operator writes.
children() {
  kc -n "$NS" get deployment,service,networkpolicy,serviceaccount,poddisruptionbudget,horizontalpodautoscaler \
    -l app.kubernetes.io/instance=good -o json |
    jq -r '.items[] | "\(.kind)/\(.metadata.name)=\(if .spec then (.spec | tojson) else .metadata.resourceVersion end) \(.metadata.annotations["shopctl.io/applied-hash"] // "")"' | sort
}
before=$(children)
[ "$(wc -l <<<"$before")" -ge 3 ] || fail "the good app has too few children: $before"
k8s_before=$(kc -n default get service kubernetes -o jsonpath='{.metadata.resourceVersion} {.metadata.ownerReferences}')
rss_start=$(rss "$PID")
pass "good app Ready with $(wc -l <<<"$before") children; operator pid $PID at ${rss_start} KiB"

WORK=$OP_DIR/cases
mkdir -p "$WORK"
declare -A OPERATOR_WANT=() CASE_NS=()
n=0 refused=0 accepted=0
for f in "$CASES"/*.yaml; do
  b=$(basename "$f" .yaml)
  n=$((n + 1))
  python3 "$CASE" expand "$f" "$NS" > "$WORK/$b.yaml"
  ns=$(python3 "$CASE" namespace "$f" "$NS")
  name=$(awk '/^metadata:/ {sub(/.*name: /, ""); sub(/,.*/, ""); print; exit}' "$WORK/$b.yaml")
  { read -r want; IFS= read -r sub; } < <(python3 "$CASE" expect "$f" api)
  { read -r vwant; IFS= read -r _; } < <(python3 "$CASE" expect "$f" validate)
  rc=0
  out=$(kc apply --server-side -f "$WORK/$b.yaml" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then
    # validate must refuse at least what the API server refuses.
    [ "$vwant" = reject ] || fail "$b: the API server refused it but validate accepts it: $(head -c 300 <<<"$out")"
    "$SHOPCTL" validate -f "$WORK/$b.yaml" >/dev/null 2>&1 && fail "$b: the API server refused it, shopctl validate passed it"
    [ "$want" = reject ] || fail "$b: the API server refused it, expected to accept: $(head -c 300 <<<"$out")"
    grep -qF -- "$sub" <<<"$out" || fail "$b: the API server's message lacks \"$sub\": $(head -c 400 <<<"$out")"
    refused=$((refused + 1))
  else
    [ "$want" = accept ] || fail "$b: the API server accepted it, expected to refuse with \"$sub\""
    OPERATOR_WANT[$b]=$name
    CASE_NS[$b]=$ns
    accepted=$((accepted + 1))
  fi
  kill -0 "$PID" 2>/dev/null || fail "the operator exited during case $b: $(tail -n 20 "$OP_DIR/op.log")"
done
[ "$n" -ge 80 ] || fail "only $n cases (at least 80)"
pass "$n cases applied: $refused refused by the API server as expected (validate refuses each), $accepted accepted"

# What the API server accepted, the operator brings to the expected condition.
outcome() {  # NS NAME WANT SUB: 0 when the app shows it
  local ns=$1 app=$2 want=$3 sub=$4 json
  json=$(kc -n "$ns" get shopapp "$app" -o json 2>/dev/null) || return 1
  case $want in
    ready) [ "$(jq -r '.status.conditions[]? | select(.type=="Ready") | .status' <<<"$json")" = True ] ;;
    stalled)
      [ "$(jq -r '.status.conditions[]? | select(.type=="Stalled") | .status' <<<"$json")" = True ] &&
        jq -r '.status.conditions[]? | select(.type=="Stalled") | .message' <<<"$json" | grep -qF -- "$sub" ;;
    *) return 1 ;;
  esac
}
until_true() {  # SECONDS CMD...: 0 once CMD succeeds within SECONDS
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 1; done
}
# HOSTILE_PRINT=1: print each accepted case's conditions (to write a new case's expectation).
if [ "${HOSTILE_PRINT:-0}" = 1 ]; then
  sleep 30
  for b in $(printf '%s\n' "${!OPERATOR_WANT[@]}" | sort); do
    echo "$b: $(kc -n "${CASE_NS[$b]}" get shopapp "${OPERATOR_WANT[$b]}" -o json | jq -c '[.status.conditions[]? | select(.status=="True") | {type, reason, message}]')"
  done
fi
for b in $(printf '%s\n' "${!OPERATOR_WANT[@]}" | sort); do
  { read -r want; IFS= read -r sub; } < <(python3 "$CASE" expect "$CASES/$b.yaml" operator)
  app=${OPERATOR_WANT[$b]} ns=${CASE_NS[$b]}
  if ! until_true 120 outcome "$ns" "$app" "$want" "$sub"; then
    fail "$b: ShopApp $ns/$app is not $want${sub:+ with \"$sub\"}: $(kc -n "$ns" get shopapp "$app" -o json | jq -c '[.status.conditions[]? | {type, status, reason, message}]')"
  fi
  pass "$b: $want${sub:+ ($sub)}"
done

# The good app and the cluster's own objects, untouched; the operator still the same process.
kill -0 "$PID" 2>/dev/null || fail "the operator exited: $(tail -n 20 "$OP_DIR/op.log")"
[ "$(op_condition "$NS" good Ready)" = True ] || fail "the good app is no longer Ready"
after=$(children)
[ "$before" = "$after" ] || fail "the good app's children changed: $(diff <(echo "$before") <(echo "$after"))"
k8s_after=$(kc -n default get service kubernetes -o jsonpath='{.metadata.resourceVersion} {.metadata.ownerReferences}')
[ "$k8s_before" = "$k8s_after" ] || fail "default/kubernetes changed: '$k8s_before' -> '$k8s_after'"
rss_end=$(rss "$PID")
echo "figures: operator RSS ${rss_start} KiB before the corpus, ${rss_end} KiB after; $n cases, $accepted reconciled"
[ "$rss_end" -le $((rss_start * 2 + 20480)) ] || fail "the operator's memory grew from ${rss_start} to ${rss_end} KiB"
pass "the good app stayed Ready and untouched ($(wc -l <<<"$after") children), default/kubernetes untouched, one operator process throughout"

for b in "${!CASE_NS[@]}"; do
  [ "${CASE_NS[$b]}" = "$NS" ] || kc -n "${CASE_NS[$b]}" delete shopapp "${OPERATOR_WANT[$b]}" --wait=false >/dev/null 2>&1 || true
done
