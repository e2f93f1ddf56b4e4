#!/usr/bin/env bash
# Invalid ShopApps: rejected by the API server (schema and CEL), or, when they pass the CRD but
# not the model's validation, surfaced as Stalled with a message naming the field. The operator
# neither crashes nor retries in a loop; a corrected spec becomes Ready.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace invalid
op_install
op_start op --namespace "$NS" --leader-elect=false
base() {
  cat <<APP
$(shopapp_header "$1" "$NS")
  services:
$(nginx_service web "$2")
$3
APP
}
# Rejected by the API server, with the CRD's messages.
expect_fail "min > max is rejected by CEL" "min must not be larger than max" \
  kc apply --server-side -f <(base a nginxinc/nginx-unprivileged:1.27.2-alpine '    autoscaling: {min: 5, max: 2}')
expect_fail "a latest tag is rejected by CEL" "pin every service image" \
  kc apply --server-side -f <(base b nginxinc/nginx-unprivileged:latest '')
expect_fail "an unknown engine is rejected by the schema" "Unsupported value: \"mongo\"" \
  kc apply --server-side -f <(base c nginxinc/nginx-unprivileged:1.27.2-alpine '  databases:
  - {name: db, engine: mongo}')
expect_fail "a dependency on nothing is rejected by CEL" "every dependsOn entry" \
  kc apply --server-side -f <(base d nginxinc/nginx-unprivileged:1.27.2-alpine '    dependsOn: [nothing]')
expect_fail "weights on some versions only are rejected by CEL" "give a weight to every version or to none" \
  kc apply --server-side -f <(base e nginxinc/nginx-unprivileged:1.27.2-alpine '    versions: [{name: v1, weight: 100}, {name: v2}]')
expect_fail "weights not adding up to 100 are rejected by CEL" "the weights of the versions must add up to 100" \
  kc apply --server-side -f <(base f nginxinc/nginx-unprivileged:1.27.2-alpine '    versions: [{name: v1, weight: 80}, {name: v2, weight: 10}]')
expect_fail "a duplicate version name is rejected by the schema (the list is a map keyed by name)" "duplicate entries for key \\[name=\"v1\"\\]" \
  kc apply --server-side -f <(base g nginxinc/nginx-unprivileged:1.27.2-alpine '    versions: [{name: v1}, {name: v1}]')
expect_fail "a readService on mongodb is rejected by CEL" "mongodb clients find the members themselves" \
  kc apply --server-side --dry-run=server -f <(base h nginxinc/nginx-unprivileged:1.27.2-alpine '    dependsOn: [db]
  databases:
  - {name: db, engine: mongodb, readService: db-read}')
expect_fail "a readService under the database's own name is rejected by CEL" "readService is the client Service's own name" \
  kc apply --server-side --dry-run=server -f <(base i nginxinc/nginx-unprivileged:1.27.2-alpine '    dependsOn: [db]
  databases:
  - {name: db, engine: redis, readService: db}')
out=$(base j nginxinc/nginx-unprivileged:1.27.2-alpine '    dependsOn: [db]
  databases:
  - {name: db, engine: postgresql, readService: db-read}' | kc apply --server-side --dry-run=server -f - 2>&1) ||
  fail "a postgresql readService was rejected: $out"
pass "a postgresql readService passes the CRD's CEL rules: $out"
# gateway.namespace: "*" (any namespace, what import writes) is for an Ingress, not with the mesh;
# anything else must be a namespace name.
expect_fail "gateway.namespace * with the mesh is rejected by CEL" "is for an Ingress's controller" \
  kc apply --server-side --dry-run=server -f <(base k nginxinc/nginx-unprivileged:1.27.2-alpine '    expose: {paths: [/]}
  mesh: {enabled: true}
  gateway: {enabled: true, namespace: "*"}')
expect_fail "a gateway.namespace that is not a namespace name is rejected by the schema" "should match" \
  kc apply --server-side --dry-run=server -f <(base l nginxinc/nginx-unprivileged:1.27.2-alpine '    expose: {paths: [/]}
  gateway: {enabled: true, namespace: Ingress_Nginx}')
out=$(base m nginxinc/nginx-unprivileged:1.27.2-alpine '    expose: {paths: [/]}
  gateway: {enabled: true, namespace: "*"}' | kc apply --server-side --dry-run=server -f - 2>&1) ||
  fail "gateway.namespace * without the mesh was rejected: $out"
pass "gateway.namespace * without the mesh passes the CRD: $out"
# The canary example passes the CRD (its weights add up to 100), in the server's dry run.
out=$(sed "s/^  namespace: canary$/  namespace: $NS/" "$(dirname "$0")/../../../manifests/examples/canary.yaml" |
  kc apply --server-side --dry-run=server -f - 2>&1) || fail "the canary example was rejected: $out"
pass "the canary example passes the CRD's CEL rules: $out"
# A worker (a service without ports) may run without probes, said with probes.none; without it,
# beside ports or beside a probe, the CRD refuses it as the parser does.
worker() {
  shopapp_header "$1" "$NS"
  printf '  services:\n  - name: %s\n    image: example.com/worker:1.0.0\n%s\n' "$1" "$2"
}
out=$(worker w1 '    probes: {none: true}' | kc apply --server-side --dry-run=server -f - 2>&1) ||
  fail "a worker with probes.none was rejected: $out"
pass "a worker with probes.none passes the CRD's CEL rules: $out"
expect_fail "a worker with no probes is rejected by CEL" "a service without ports gets no default probe" \
  kc apply --server-side --dry-run=server -f <(worker w2 '    replicas: 1')
expect_fail "probes.none beside ports is rejected by CEL" "only a service without ports may set probes.none" \
  kc apply --server-side --dry-run=server -f <(worker w3 $'    ports: [{port: 80}]\n    probes: {none: true}')
expect_fail "probes.none beside a probe is rejected by CEL" "none runs the service without probes" \
  kc apply --server-side --dry-run=server -f <(worker w4 '    probes: {none: true, liveness: {exec: [/bin/alive]}}')
# Every ShopApp import writes from the corpus passes the CRD too (workers with probes.none, routes
# of several entry points), in the server's dry run.
# An app over several namespaces is imported once per namespace its import.source-namespace lists
# (its ingress rules then admit the other namespaces' calls).
for app in "$(dirname "$0")"/../../corpus/*/app.yaml; do
  name=$(basename "$(dirname "$app")")
  sources=$(grep -v '^#' "$(dirname "$app")/import.source-namespace" 2>/dev/null || true)
  while read -r source_ns; do
    out=$("$SHOPCTL" import -f "$app" --name "$name" -n "$NS" ${source_ns:+--source-namespace "$source_ns"} 2>/dev/null |
      kc apply --server-side --dry-run=server -f - 2>&1) ||
      fail "the ShopApp imported from corpus app $name${source_ns:+ (--source-namespace $source_ns)} was rejected: $out"
    pass "corpus app $name${source_ns:+ (--source-namespace $source_ns)}, imported, passes the CRD: $out"
  done <<<"$sources"
done

# Passes the CRD, fails the model: a probe on a port name the service does not have.
base shop nginxinc/nginx-unprivileged:1.27.2-alpine '    probes: {readiness: {http: {path: /, port: admin}}}' |
  kc apply --server-side -f - >/dev/null
wait_for "the app is Stalled" 60 jp_is "$NS" shopapp/shop '{.status.conditions[?(@.type=="Stalled")].status}' True
msg=$(kc -n "$NS" get shopapp shop -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}')
grep -q 'spec.services\[0\].probes.readiness: port "admin"' <<<"$msg" || fail "the Stalled message does not name the field: $msg"
pass "Stalled names the field: $msg"
[ "$(op_condition "$NS" shop Ready)" = False ] || fail "Ready should be False"
# kubectl get's STATUS and MESSAGE columns (the CRD's printer columns) say the same.
row=$(kc -n "$NS" get shopapp shop --no-headers -o custom-columns=S:.status.summary.status)
[ "$row" = Failed ] || fail "summary.status (the STATUS column) is '$row', not Failed"
table=$(kc -n "$NS" get shopapp shop)  # (not piped into head: with pipefail, kubectl's SIGPIPE would fail it)
grep -qE '^NAME +READY +STATUS +SERVICES +COMPONENTS +AGE +MESSAGE$' <<<"$table" || fail "no STATUS and MESSAGE columns: $table"
grep -qE '^shop +False +Failed +.*spec.services\[0\].probes.readiness: port "admin"' <<<"$table" || fail "the row lacks Failed and the message: $table"
pass "kubectl get shopapp: STATUS Failed, MESSAGE names the field"
[ "$(kc -n "$NS" get deploy -o name | wc -l)" = 0 ] || fail "an invalid app must not create children"
sleep 5
op_alive op || fail "the operator exited"
[ "$(op_writes_since "$since")" -le 3 ] || fail "the operator keeps writing for an invalid app: $(op_writes_since "$since") writes"
pass "no retry storm: the operator waits for the next edit"
grep -qE '^[^ ]+ error invalid spec app='"$NS"'/shop .*spec.services\[0\].probes.readiness: port "admin"' "$OP_DIR/op.log" ||
  { grep ' invalid spec ' "$OP_DIR/op.log" >&2; fail "the invalid spec is not an error line of the operator's log"; }
pass "the invalid spec is logged as an error, naming the field"

base shop nginxinc/nginx-unprivileged:1.27.2-alpine '    probes: {readiness: {http: {path: /, port: http}}}' |
  kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 60
[ "$(op_condition "$NS" shop Stalled)" = False ] || fail "Stalled should be False after the fix"

# Passes the CRD and every field check, but two parts render one object: a service named
# cart-headless beside a database cart (whose headless Service has that name). Applied, the two
# would overwrite each other on every reconcile.
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header clash "$NS")
  services:
$(nginx_service cart-headless)
    probes: {readiness: {http: {path: /}}}
  databases:
  - {name: cart, engine: redis, replicas: 1}
APP
wait_for "an app whose parts render one object twice is Stalled" 60 jp_is "$NS" shopapp/clash '{.status.conditions[?(@.type=="Stalled")].reason}' InvalidSpec
msg=$(kc -n "$NS" get shopapp clash -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}')
grep -q 'Service "cart-headless" would be rendered twice: for database "cart"' <<<"$msg" || fail "the collision is not named: $msg"
[ "$(kc -n "$NS" get sts,deploy -l shopctl.io/app=clash -o name | wc -l)" = 0 ] || fail "a colliding app must not create children"
pass "rendered-name collision: $msg"

# A Secret the spec references but nobody made: the pods could not start, so the app is not Ready
# (on kwok the pods would be "ready" anyway: only the operator can tell).
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header refs "$NS")
  services:
$(nginx_service api)
    probes: {readiness: {http: {path: /}}}
    env:
    - {name: TOKEN, secret: {name: api-token, key: token}}
APP
wait_for "an app referencing a missing Secret is Stalled" 60 jp_is "$NS" shopapp/refs '{.status.conditions[?(@.type=="Stalled")].reason}' SecretsMissing
msg=$(kc -n "$NS" get shopapp refs -o jsonpath='{.status.conditions[?(@.type=="Stalled")].message}')
grep -q 'create the Secret(s) api-token (env TOKEN of service api)' <<<"$msg" || fail "the missing Secret is not named: $msg"
[ "$(op_condition "$NS" refs Ready)" = False ] || fail "Ready should be False while api-token is missing"
pass "missing referenced Secret: $msg"
kc -n "$NS" create secret generic api-token --from-literal=token=t0k3n >/dev/null
op_wait_ready "$NS" refs 90
op_no_forbidden "$since"
