#!/usr/bin/env bash
# A replicated MariaDB (engine: mariadb) from a ShopApp, through shop-operator, on the real node,
# exactly as rendered (Pod Security restricted, read-only root filesystem, the rendered
# NetworkPolicies), in an image with only Debian's mariadb-server (no entrypoint script), run as
# a uid its /etc/passwd does not know:
#   - 3 members Ready through the rendered probes; GTID replication formed (SHOW SLAVE STATUS on
#     each replica: both threads running, Using_Gtid Slave_Pos; two binlog dump threads on the
#     primary);
#   - a table made and a row written by the application user through the client Service are
#     read on every replica; replicas refuse writes;
#   - a client without the password is refused; a service not in dependsOn, and a pod of another
#     namespace, cannot connect at all;
#   - no Secret value is on a process command line in the pods, nor in any log;
#   - the primary pod deleted: it comes back with its data, the replicas follow it again;
#   - 3 -> 2 -> 3 members restarts neither member 0 nor 1, keeps member 2's PVC, and member 2
#     catches up with what was written while it was gone;
#   - the ShopApp deleted: PVCs and the Secret stay; re-created, the data is still there;
#   - every password of the Secret changed to one with quotes, `$`, backslashes, colons and
#     spaces, then the pods restarted: the new passwords work (replicas included), the old and a
#     prefix of the new are refused; no passwordless account is left (install-db makes some).
# Prints the figures bench/RESULTS.md records: apply to Ready, failover, pods' memory.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-maria
op_install
op_start op1 --namespace "$NS" --leader-elect=false  # one operator; shop-system's Lease is operator_incluster's

RN_IMG_MARIADB=localhost/shopctl/mariadb:10.11
app() {
  cat <<YAML
$(rn_shopapp_header shop)
  services:
  - name: client
    image: $RN_IMG_MARIADB
    command: [sleep, infinity]
    replicas: 1
    autoscaling: {enabled: false}
    dependsOn: [orders]
    env:
    - name: MYSQL_PWD
      secret: {name: orders-credentials, key: password}
    probes:
      liveness: {exec: ["true"]}
      readiness: {exec: ["true"]}
  databases:
  - name: orders
    engine: mariadb
    image: $RN_IMG_MARIADB
    imagePullPolicy: Never
    user: shop
    replicas: ${1:-3}
    storage: {storageClass: realnode-local, size: 512Mi}
YAML
}

# mariadb inside member $1 through its socket, as root.
on_member() {
  local m=$1; shift
  kc -n "$NS" exec "orders-$m" -c mariadb -- sh -c 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --no-defaults --socket=/var/run/mysqld/mysqld.sock -u root -N -B -D shop "$@"' sh "$@"
}
client_pod() {  # the client pod that is not on its way out
  kc -n "$NS" get pods -l app.kubernetes.io/name=client -o json |
    jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name'
}
# The client through Service orders as the application user (password in MYSQL_PWD).
on_client() { kc -n "$NS" exec "$(client_pod)" -- mariadb --no-defaults -h "${HOST:-orders}" -u shop -N -B -D shop "$@"; }
replication_formed() {
  local n=$1 i st
  [ "$(on_member 0 -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")" = "$((n - 1))" ] || return 1
  for ((i = 1; i < n; i++)); do
    st=$(kc -n "$NS" exec "orders-$i" -c mariadb -- sh -c 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --no-defaults --socket=/var/run/mysqld/mysqld.sock -u root -E -e "SHOW SLAVE STATUS"')
    grep -q 'Slave_IO_Running: Yes' <<<"$st" && grep -q 'Slave_SQL_Running: Yes' <<<"$st" && grep -q 'Using_Gtid: Slave_Pos' <<<"$st" || return 1
  done
}
row_everywhere() {
  local key=$1 want=$2 n=$3 i
  for ((i = 0; i < n; i++)); do
    [ "$(on_member "$i" -e "SELECT v FROM greetings WHERE k = '$key'")" = "$want" ] || return 1
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
uid=$(kc -n "$NS" exec orders-0 -c mariadb -- id -u)
if kc -n "$NS" exec orders-0 -c mariadb -- getent passwd "$uid" >/dev/null 2>&1; then
  fail "uid $uid has an entry in the image's /etc/passwd: the test no longer shows that an unknown uid works"
fi
pass "3 members and a client Ready on the real node in ${ready_s}s, under Pod Security restricted with read-only root filesystems, as uid $uid that the image does not know"
wait_for "GTID replication formed: 2 replicas running, using the GTID position" 120 replication_formed 3

# --- data through the primary Service ---------------------------------------------------------
on_client -e "CREATE TABLE greetings (k VARCHAR(64) PRIMARY KEY, v TEXT)" >/dev/null ||
  fail "the application user cannot create a table in its database"
on_client -e "INSERT INTO greetings VALUES ('greeting', 'hello')" >/dev/null || fail "INSERT through Service orders failed"
wait_for "the row written through Service orders is read on every member" 30 row_everywhere greeting hello 3
out=$(kc -n "$NS" exec "$(client_pod)" -- env -u MYSQL_PWD mariadb --no-defaults -h orders -u shop -e 'SELECT 1' 2>&1 || true)
grep -q 'Access denied' <<<"$out" || fail "a client without the password was not refused: $out"
out=$(kc -n "$NS" exec "$(client_pod)" -- env -u MYSQL_PWD mariadb --no-defaults -h orders -u root -e 'SELECT 1' 2>&1 || true)
grep -q 'Access denied' <<<"$out" || fail "root without a password was not refused: $out"
pass "a client without the password is refused (Access denied), root too"
out=$(HOST=orders-1.orders-headless on_client -e "INSERT INTO greetings VALUES ('x', 'y')" 2>&1 || true)
grep -q 'read-only' <<<"$out" || fail "a replica accepted a write: $out"
pass "replicas refuse the application's writes (--read-only)"

# --- NetworkPolicies, enforced ----------------------------------------------------------------
orders_ip=$(kc -n "$NS" get svc orders -o jsonpath='{.spec.clusterIP}')
[ "$(HOST=$orders_ip on_client -e 'SELECT 1')" = 1 ] || fail "the client (dependsOn: [orders]) cannot reach the Service address"
rn_store_isolated "$NS" shop orders 3306
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
[ "$(on_member 0 -e "SELECT v FROM greetings WHERE k = 'greeting'")" = hello ] || fail "member 0 came back without its data"
wait_for "after the primary's restart the replicas follow it again" 120 replication_formed 3
on_client -e "INSERT INTO greetings VALUES ('after-failover', 'yes')" >/dev/null || fail "INSERT after the primary's restart failed"
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
on_client -e "INSERT INTO greetings VALUES ('during-scale', 'yes')" >/dev/null || fail "INSERT with 2 members failed"
app 3 | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 240
wait_members 3
wait_for "3 members again, replication formed" 120 replication_formed 3
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
wait_for "re-created: replication formed" 120 replication_formed 3
row_everywhere greeting hello 3 || fail "re-created on the kept PVCs, the data is gone"
pass "ShopApp deleted and re-created: PVCs and Secret kept, the data is still there"

# --- hostile passwords, changed in the Secret -------------------------------------------------
old=$(kc -n "$NS" get secret orders-credentials -o jsonpath='{.data.password}' | base64 -d)
hostile='p"a$s w'"'"'o\rd: $(id) `id` ;x'
kc -n "$NS" patch secret orders-credentials --type merge -p "$(jq -n --arg p "$hostile" \
  '{stringData: {password: ($p + "-app"), "root-password": ($p + "-root"), "replication-password": ("r:" + $p)}}')" >/dev/null
kc -n "$NS" delete pod -l shopctl.io/app=shop --wait=false >/dev/null
sleep 3
wait_members 3 400
kc -n "$NS" rollout status deploy/client --timeout=120s >/dev/null || fail "the client did not come back"
wait_for "with the new replication password: replication formed" 120 replication_formed 3
[ "$(on_client -e "SELECT v FROM greetings WHERE k = 'greeting'")" = hello ] || fail "the client cannot read with the new password"
out=$(kc -n "$NS" exec "$(client_pod)" -- env MYSQL_PWD="$old" mariadb --no-defaults -h orders -u shop -e 'SELECT 1' 2>&1 || true)
grep -q 'Access denied' <<<"$out" || fail "the old password still works: $out"
out=$(kc -n "$NS" exec "$(client_pod)" -- env MYSQL_PWD='p"a$s' mariadb --no-defaults -h orders -u shop -e 'SELECT 1' 2>&1 || true)
grep -q 'Access denied' <<<"$out" || fail "a prefix of the new password was accepted: $out"
root=$(kc -n "$NS" exec "$(client_pod)" -- env MYSQL_PWD="$hostile-root" mariadb --no-defaults -h orders -u root -N -B -e 'SELECT CURRENT_USER()' 2>&1 || true)
[ "$root" = 'root@%' ] || fail "root's new password does not work over TCP: $root"
wait_for "root's new password reached the replicas through the binary log" 60 on_member 2 -e 'SELECT 1'
open=$(on_member 0 -e "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '%')) OR (User <> 'mariadb.sys' AND authentication_string = '' AND plugin IN ('mysql_native_password', ''))")
[ -z "$open" ] || fail "accounts without a password are left: $open"
pass "every password changed to one with quotes, \$, backquotes, a backslash, a colon and spaces: the new ones work after a restart, the old one and a prefix do not; no account is left without a password"

# --- figures ----------------------------------------------------------------------------------
echo "figures: engine mariadb 10.11 (Debian), 3 members: apply to Ready ${ready_s}s, primary pod deleted to Ready ${failover_s}s, memory $(rn_store_memory "$NS" orders 3)"
op_no_forbidden "$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%S.000000Z)"
