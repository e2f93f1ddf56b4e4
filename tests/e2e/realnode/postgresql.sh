#!/usr/bin/env bash
# A replicated PostgreSQL from a ShopApp, through shop-operator, on the real node, exactly as
# rendered (Pod Security restricted, read-only root filesystem, the rendered NetworkPolicies),
# in an image with only Debian's postgresql-15 (no entrypoint script), run as a uid its
# /etc/passwd does not know:
#   - 3 members Ready through the rendered probes; streaming replication formed
#     (pg_stat_replication on the primary, pg_stat_wal_receiver on each standby); the
#     database's args (-c max_connections=150) in force on every member;
#   - the application user owns its database: a table made and a row written through the
#     client Service are read on every standby; standbys refuse writes;
#   - a client without the password is refused; a service not in dependsOn, and a pod of another
#     namespace, cannot connect at all;
#   - no Secret value is on a process command line in the pods, nor in any log;
#   - the primary pod deleted: it comes back with its data, the standbys follow it again;
#   - 3 -> 2 -> 3 members restarts neither member 0 nor 1, keeps member 2's PVC, and member 2
#     catches up with what was written while it was gone;
#   - the ShopApp deleted: PVCs and the Secret stay; re-created, the data is still there;
#   - every password of the Secret changed to one with quotes, `$`, backslashes, colons and
#     spaces, then the pods restarted: the new passwords work (standbys included), the old and a
#     prefix of the new are refused.
# Prints the figures bench/RESULTS.md records: apply to Ready, failover, pods' memory.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-pg
op_install
op_start op1 --namespace "$NS" --leader-elect=false  # one operator; shop-system's Lease is operator_incluster's

RN_IMG_PG=localhost/shopctl/postgresql:15
app() {
  cat <<YAML
$(rn_shopapp_header shop)
  services:
  - name: client
    image: $RN_IMG_PG
    command: [sleep, infinity]
    replicas: 1
    autoscaling: {enabled: false}
    dependsOn: [orders]
    env:
    - {name: PGHOST, value: orders}
    - {name: PGUSER, value: shop}
    - {name: PGDATABASE, value: shop}
    - name: PGPASSWORD
      secret: {name: orders-credentials, key: password}
    probes:
      liveness: {exec: ["true"]}
      readiness: {exec: ["true"]}
  databases:
  - name: orders
    engine: postgresql
    image: $RN_IMG_PG
    imagePullPolicy: Never
    user: shop
    args: [-c, max_connections=150]
    replicas: ${1:-3}
    storage: {storageClass: realnode-local, size: 512Mi}
YAML
}

# psql inside member $1 through its own socket (trusted there), as the superuser.
on_member() {
  local m=$1; shift
  kc -n "$NS" exec "orders-$m" -c postgresql -- psql -X -At -h /var/run/postgresql -U postgres -d shop "$@"
}
client_pod() {  # the client pod that is not on its way out
  kc -n "$NS" get pods -l app.kubernetes.io/name=client -o json |
    jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name'
}
on_client() { kc -n "$NS" exec "$(client_pod)" -- psql -X -At -v ON_ERROR_STOP=1 "$@"; }
replication_formed() {
  local n=$1 i
  [ "$(on_member 0 -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = "$((n - 1))" ] || return 1
  for ((i = 1; i < n; i++)); do
    [ "$(on_member "$i" -c 'SELECT status FROM pg_stat_wal_receiver')" = streaming ] || return 1
  done
}
row_everywhere() {
  local key=$1 want=$2 n=$3 i
  for ((i = 0; i < n; i++)); do
    [ "$(on_member "$i" -c "SELECT v FROM greetings WHERE k = '$key'")" = "$want" ] || return 1
  done
}
wait_members() {
  kc -n "$NS" rollout status sts/orders --timeout="${2:-300}s" >/dev/null 2>&1 ||
    fail "StatefulSet orders not rolled out: $(kc -n "$NS" get pods -o wide 2>&1; kc -n "$NS" logs orders-0 --tail=30 2>&1)"
  [ "$(kc -n "$NS" get sts orders -o jsonpath='{.status.readyReplicas}')" = "$1" ] || fail "StatefulSet orders: not $1 ready members"
}

# --- apply, Ready, replication ----------------------------------------------------------------
t0=$SECONDS
app | kc apply --server-side -f - >/dev/null || fail "applying the ShopApp failed"
op_wait_ready "$NS" shop 400
ready_s=$((SECONDS - t0))
pods=$(kc -n "$NS" get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}')
[ "$(grep -c " $RN_NODE$" <<<"$pods")" = 4 ] || fail "every pod should run on the real node: $pods"
[ "$(kc get ns "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" = restricted ] ||
  fail "the namespace does not enforce Pod Security restricted"
[ "$(kc -n "$NS" get sts orders -o jsonpath='{.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}')" = true ] ||
  fail "the members' root filesystem is not read-only"
uid=$(kc -n "$NS" exec orders-0 -c postgresql -- id -u)
if kc -n "$NS" exec orders-0 -c postgresql -- getent passwd "$uid" >/dev/null 2>&1; then
  fail "uid $uid has an entry in the image's /etc/passwd: the test no longer shows that an unknown uid works"
fi
pass "3 members and a client Ready on the real node in ${ready_s}s, under Pod Security restricted with read-only root filesystems, as uid $uid that the image does not know"
wait_for "streaming replication formed: 2 standbys streaming from member 0" 90 replication_formed 3
for i in 0 1 2; do
  [ "$(on_member "$i" -c 'SHOW max_connections')" = 150 ] || fail "member $i: max_connections is not the 150 of the ShopApp's args"
done
pass "the ShopApp's args reach postgres on the primary and the standbys (max_connections 150)"

# --- data through the primary Service ---------------------------------------------------------
on_client -c "CREATE TABLE greetings (k text PRIMARY KEY, v text)" >/dev/null ||
  fail "the application user cannot create a table in its database"
on_client -c "INSERT INTO greetings VALUES ('greeting', 'hello')" >/dev/null || fail "INSERT through Service orders failed"
[ "$(on_member 0 -c "SELECT tableowner FROM pg_tables WHERE tablename = 'greetings'")" = shop ] ||
  fail "the table is not owned by the application user"
wait_for "the row written through Service orders is read on every member" 30 row_everywhere greeting hello 3
out=$(kc -n "$NS" exec "$(client_pod)" -- env -u PGPASSWORD psql -X -At -c 'SELECT 1' 2>&1 || true)
grep -Eq 'no password supplied|password authentication failed' <<<"$out" || fail "a client without the password was not refused: $out"
pass "a client without the password is refused ($(tr -d "\n" <<<"$out" | grep -Eo "no password supplied|password authentication failed" | head -n 1))"
out=$(on_member 1 -c "INSERT INTO greetings VALUES ('x', 'y')" 2>&1 || true)
grep -q 'read-only transaction' <<<"$out" || fail "a standby accepted a write: $out"
pass "standbys refuse writes (read-only transaction)"

# --- NetworkPolicies, enforced ----------------------------------------------------------------
orders_ip=$(kc -n "$NS" get svc orders -o jsonpath='{.spec.clusterIP}')
[ "$(on_client -h "$orders_ip" -c 'SELECT 1')" = 1 ] || fail "the client (dependsOn: [orders]) cannot reach the Service address"
rn_store_isolated "$NS" shop orders 5432
pass "NetworkPolicies enforced: the dependsOn client connects; another service's pod and another namespace's pod are refused"

# --- the passwords stay off command lines and out of logs ------------------------------------
rn_store_secrets_hidden "$NS" shop orders "$OP_DIR/op1.log"
pass "no password of the Secret is on a command line in the pods (running processes and the probes' commands), in a pod log, or in the operator's log"

# --- failover: the primary pod deleted --------------------------------------------------------
t1=$SECONDS
kc -n "$NS" delete pod orders-0 --wait=false >/dev/null
sleep 2
wait_members 3
failover_s=$((SECONDS - t1))
[ "$(on_member 0 -c "SELECT v FROM greetings WHERE k = 'greeting'")" = hello ] || fail "member 0 came back without its data"
wait_for "after the primary's restart the standbys stream from it again" 120 replication_formed 3
on_client -c "INSERT INTO greetings VALUES ('after-failover', 'yes')" >/dev/null || fail "INSERT after the primary's restart failed"
wait_for "a row written after the primary's restart reaches every member" 30 row_everywhere after-failover yes 3
pass "primary pod deleted: back Ready with its data in ${failover_s}s"

# --- 3 -> 2 -> 3 ------------------------------------------------------------------------------
pvc_uid=$(kc -n "$NS" get pvc data-orders-2 -o jsonpath='{.metadata.uid}')
pod_uids() { kc -n "$NS" get pod orders-0 orders-1 -o jsonpath='{.items[*].metadata.uid}'; }
uids=$(pod_uids)
app 2 | kc apply --server-side -f - >/dev/null
orders_pods() { [ "$(kc -n "$NS" get pods -l app.kubernetes.io/name=orders -o name | wc -l)" = "$1" ]; }
wait_for "scaled to 2 members" 120 orders_pods 2
[ "$(kc -n "$NS" get pvc data-orders-2 -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "scaling down lost the PVC of member 2"
on_client -c "INSERT INTO greetings VALUES ('during-scale', 'yes')" >/dev/null || fail "INSERT with 2 members failed"
app 3 | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 240
wait_members 3
wait_for "3 members again, streaming replication formed" 90 replication_formed 3
wait_for "member 2 has the row written while it was gone" 30 row_everywhere during-scale yes 3
[ "$(kc -n "$NS" get pvc data-orders-2 -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "member 2 came back on another PVC"
[ "$(pod_uids)" = "$uids" ] || fail "scaling restarted members 0 and 1 (the primary included)"
pass "3 -> 2 -> 3 members: members 0 and 1 never restarted, member 2 came back on its own PVC and caught up"

# --- delete and re-create the ShopApp ---------------------------------------------------------
secret_uid=$(kc -n "$NS" get secret orders-credentials -o jsonpath='{.metadata.uid}')
kc -n "$NS" delete shopapp shop --wait=true --timeout=120s >/dev/null || fail "deleting the ShopApp failed"
no_app_pods() { [ -z "$(kc -n "$NS" get pods -l shopctl.io/app=shop -o name)" ]; }
wait_for "the ShopApp's pods are gone" 120 no_app_pods
[ "$(kc -n "$NS" get pvc -o name | grep -c data-orders-)" = 3 ] || fail "deleting the ShopApp removed PVCs: $(kc -n "$NS" get pvc)"
[ "$(kc -n "$NS" get secret orders-credentials -o jsonpath='{.metadata.uid}')" = "$secret_uid" ] || fail "deleting the ShopApp removed the Secret"
app | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 400
wait_for "re-created: streaming replication formed" 90 replication_formed 3
row_everywhere greeting hello 3 || fail "re-created on the kept PVCs, the data is gone"
pass "ShopApp deleted and re-created: PVCs and Secret kept, the data is still there"

# --- hostile passwords, changed in the Secret -------------------------------------------------
old=$(kc -n "$NS" get secret orders-credentials -o jsonpath='{.data.password}' | base64 -d)
hostile='p"a$s w'"'"'o\rd: $(id) `id` ;x'
kc -n "$NS" patch secret orders-credentials --type merge -p "$(jq -n --arg p "$hostile" \
  '{stringData: {password: ($p + "-app"), "postgres-password": ($p + "-su"), "replication-password": ("r:" + $p)}}')" >/dev/null
kc -n "$NS" delete pod -l shopctl.io/app=shop --wait=false >/dev/null
sleep 3
wait_members 3 400
kc -n "$NS" rollout status deploy/client --timeout=120s >/dev/null || fail "the client did not come back"
wait_for "with the new replication password: streaming replication formed" 120 replication_formed 3
[ "$(on_client -c "SELECT v FROM greetings WHERE k = 'greeting'")" = hello ] || fail "the client cannot read with the new password"
out=$(kc -n "$NS" exec "$(client_pod)" -- env PGPASSWORD="$old" psql -X -At -c 'SELECT 1' 2>&1 || true)
grep -q 'password authentication failed' <<<"$out" || fail "the old password still works: $out"
out=$(kc -n "$NS" exec "$(client_pod)" -- env PGPASSWORD='p"a$s' psql -X -At -c 'SELECT 1' 2>&1 || true)
grep -q 'password authentication failed' <<<"$out" || fail "a prefix of the new password was accepted: $out"
su=$(kc -n "$NS" exec "$(client_pod)" -- env PGPASSWORD="$hostile-su" psql -X -At -U postgres -c 'SELECT current_user' 2>&1 || true)
[ "$su" = postgres ] || fail "the superuser's new password does not work over TCP: $su"
pass "every password changed to one with quotes, \$, backquotes, a backslash, a colon and spaces: the new ones work after a restart, the old one and a prefix do not"

# --- figures ----------------------------------------------------------------------------------
echo "figures: engine postgresql 15 (Debian), 3 members: apply to Ready ${ready_s}s, primary pod deleted to Ready ${failover_s}s, memory $(rn_store_memory "$NS" orders 3)"
op_no_forbidden "$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%S.000000Z)"
