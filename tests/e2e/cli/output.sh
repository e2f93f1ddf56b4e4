#!/usr/bin/env bash
# shopctl's kubectl conventions on the real control plane, on a ShopApp the operator made Ready
# (issue 12):
#  - status -o name and -o jsonpath= print what kubectl get prints for the same object or list,
#    for each template below (kubectl is the reference, run side by side); -o wide's columns;
#    an unsupported template is exit 2;
#  - -v=6 logs each request (method, URL, status, duration), before or after the command; -v=8
#    adds bodies, and the data of the generated Secrets never appears (delete --purge lists them);
#  - --request-timeout: a listening socket that never answers fails in about the timeout with
#    host:port and the timeout named; against the cluster 0 and 30s work; a bad value exit 2.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../gitops/lib.sh"
gt_install_crd
gt_app_namespace cliout
gt_web_redis_app
# A second app in the same namespace (its own component names: they share the namespace).
cat >"$GT_DIR/two.yaml" <<APP
$(shopapp_header two "$APP_NS")
  services:
$(nginx_service front)
APP
gt_operator_start
expect_rc "apply --wait" 0 shopctl apply -f "$GT_DIR/app.yaml" --wait --timeout 180s
expect_rc "apply --wait (a second app)" 0 shopctl apply -f "$GT_DIR/two.yaml" --wait --timeout 180s

# 1. -o name, -o jsonpath=: the same bytes as kubectl.
same_as_kubectl() {  # DESC, then shopctl's and kubectl's arguments separated by --
  local desc=$1 s=() k=(); shift
  while [ "$1" != -- ]; do s+=("$1"); shift; done
  shift
  k=("$@")
  expect_rc "status ${s[*]}" 0 shopctl status "${s[@]}"
  local want
  want=$(kc "${k[@]}") || fail "kubectl ${k[*]} failed"
  [ "$OUT" = "$want" ] || fail "$desc: shopctl printed [$OUT], kubectl [$want]"
  pass "$desc: as kubectl ($(head -c 120 <<<"$OUT" | tr '\n\t' '|>'))"
}
same_as_kubectl "-o name, one app" shop -n "$APP_NS" -o name -- -n "$APP_NS" get shopapp shop -o name
same_as_kubectl "-o name, a list" -n "$APP_NS" -o name -- -n "$APP_NS" get shopapps -o name
for t in '{.metadata.name}' \
         '{.metadata.namespace}/{.metadata.name} generation {.metadata.generation}' \
         '{.status.conditions[?(@.type=="Ready")].status}' \
         '{.status.conditions[?(@.type!="Ready")].type}' \
         '{.status.conditions[*].type}' \
         '{.status.summary}' \
         '{.spec.services[0].name}:{.spec.databases[-1:].engine}' \
         '{.metadata.labels}{.missing.field}[{.spec.nothing}]' \
         '{range .status.conditions[*]}{.type}={.status}{"\n"}{end}' \
         '{.status.secrets[*]}'; do
  same_as_kubectl "jsonpath $t, one app" shop -n "$APP_NS" -o "jsonpath=$t" -- -n "$APP_NS" get shopapp shop -o "jsonpath=$t"
done
for t in '{.kind} {.apiVersion} {.items[*].metadata.name}' \
         '{range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\t"}{.status.summary.ready}{"\n"}{end}' \
         '{.items[?(@.metadata.name=="two")].status.summary.services}' \
         '{.items[1].kind}'; do
  same_as_kubectl "jsonpath $t, a list" -n "$APP_NS" -o "jsonpath=$t" -- -n "$APP_NS" get shopapps -o "jsonpath=$t"
done
expect_rc "-o jsonpath with recursive descent" 2 shopctl status -n "$APP_NS" -o 'jsonpath={..name}'
grep -q "recursive descent (..) is not supported" <<<"$ERR" || fail "unclear refusal: $ERR"
expect_rc "-o jsonpath out of bounds" 2 shopctl status shop -n "$APP_NS" -o 'jsonpath={.spec.services[7].name}'
grep -q "array index out of bounds: index 7, length 1" <<<"$ERR" || fail "unclear error: $ERR"

# 2. -o wide.
expect_rc "status -o wide" 0 shopctl status -n "$APP_NS" -o wide
head -1 <<<"$OUT" | grep -qE '^NAMESPACE +NAME +READY +STATUS +REASON +COMPONENTS +SERVICES +DATABASES +BROKERS +GENERATION +OBSERVED +AGE +MESSAGE$' ||
  fail "wide header: $OUT"
grep -qE "^$APP_NS +shop +True +Current +Ready +2/2 +1 +1 +0 +1 +1 +[0-9]+[smhd] +all 2 components ready$" <<<"$OUT" ||
  fail "wide row of shop: $OUT"
[ "$(wc -l <<<"$OUT")" = 3 ] || fail "wide: expected a header and 2 rows: $OUT"
expect_rc "status shop -o wide" 0 shopctl status shop -n "$APP_NS" -o wide
[ "$(wc -l <<<"$OUT")" = 2 ] || fail "wide with a name: expected a header and 1 row: $OUT"
grep -qE "^$APP_NS +shop +True +Current +Ready " <<<"$OUT" || fail "wide with a name: $OUT"
pass "-o wide: the columns and rows"

# 3. -v.
for args in "-v=6 status shop -n $APP_NS -o name" "status shop -n $APP_NS -o name --v 6"; do
  # shellcheck disable=SC2086
  expect_rc "shopctl $args" 0 shopctl $args
  [ "$OUT" = "shopapp.shopctl.io/shop" ] || fail "stdout changed with -v: $OUT"
  grep -qE "^I[0-9]{4} [0-9:.]+ shopctl\] GET https://127\.0\.0\.1:[0-9]+/apis/shopctl\.io/v1alpha1/namespaces/$APP_NS/shopapps/shop 200 OK in [0-9]+ milliseconds$" <<<"$ERR" ||
    fail "no request line: $ERR"
done
expect_rc "status without -v logs nothing" 0 shopctl status shop -n "$APP_NS" -o name
[ -z "$ERR" ] || fail "output on stderr without -v: $ERR"
values=$(kc -n "$APP_NS" get secrets -l shopctl.io/app=shop -o jsonpath='{range .items[*]}{.data.*}{" "}{end}')
[ -n "${values// /}" ] || fail "the app has no generated Secret data to look for"
expect_rc "delete --purge --yes -v=8" 0 shopctl delete shop -n "$APP_NS" --purge --yes -v=8
grep -qE "shopctl\] GET https://[^ ]+/api/v1/namespaces/$APP_NS/secrets\?[^ ]* 200 OK" <<<"$ERR" || fail "the Secrets were not listed: $ERR"
grep -q "Response Body: " <<<"$ERR" || fail "-v=8 shows no bodies: $(head -c 2000 <<<"$ERR")"
grep -q '"<redacted>"' <<<"$ERR" || fail "no redacted Secret data in the log"
checked=0
for v in $values; do
  grep -qF -- "$v" <<<"$ERR" && fail "a Secret's data value is in the -v=8 log"
  plain=$(base64 -d <<<"$v" 2>/dev/null || true)
  # Long (generated) values only: a short one such as a user name may occur in the log for other reasons.
  if [ "${#plain}" -ge 12 ]; then
    grep -qF -- "$plain" <<<"$ERR" && fail "a Secret's decoded value is in the -v=8 log"
    checked=$((checked + 1))
  fi
done
[ "$checked" -gt 0 ] || fail "no generated value to look for"
pass "-v=8: bodies logged, the Secrets' data redacted"

# 4. --request-timeout.
expect_rc "--request-timeout=30s" 0 shopctl status two -n "$APP_NS" -o name --request-timeout=30s
expect_rc "--request-timeout 0 before the command" 0 shopctl --request-timeout 0 status two -n "$APP_NS" -o name
expect_rc "a bad --request-timeout" 2 shopctl status --request-timeout=1x
grep -q -- '--request-timeout: "1x" is not a duration' <<<"$ERR" || fail "the flag is not named: $ERR"
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(120)' >"$GT_DIR/port" &
silent=$!
trap 'kill $silent 2>/dev/null; gt_cleanup' EXIT
wait_for "the silent socket listens" 10 test -s "$GT_DIR/port"
port=$(cat "$GT_DIR/port")
sed "s#server: .*#server: https://127.0.0.1:$port#" "$TESTENV_KUBECONFIG" >"$GT_DIR/silent.kubeconfig"
ctx=$(kc config current-context)
start=$(date +%s%N)
expect_rc "status against a socket that never answers, --request-timeout=2s" 3 \
  shopctl status --kubeconfig "$GT_DIR/silent.kubeconfig" --request-timeout=2s
took_ms=$((($(date +%s%N) - start) / 1000000))
grep -qF "shopctl: the API server at 127.0.0.1:$port (kubeconfig context \"$ctx\") did not answer within 2s (--request-timeout=2s)" <<<"$ERR" ||
  fail "no clear timeout error: $ERR"
[ "$took_ms" -ge 1900 ] && [ "$took_ms" -lt 8000 ] || fail "took ${took_ms} ms, not about 2s"
pass "timed out after ${took_ms} ms"
