#!/usr/bin/env bash
# A replicated Redis from a ShopApp, through shop-operator, on the real node, exactly as
# rendered (Pod Security restricted, read-only root filesystem, the rendered NetworkPolicies):
#   - 3 members Ready through the rendered probes; replication formed (INFO replication);
#   - a key written through the primary Service is read on every replica, and through the
#     readers' Service (readService), whose endpoints are every member, replicas answering;
#   - a client without the password is refused; a service not in dependsOn, and a pod of another
#     namespace, cannot connect at all;
#   - the password is on no process command line in the pods, nor in any log;
#   - the primary pod deleted: it comes back with its data and the replicas follow it again;
#   - 3 -> 2 -> 3 members restarts neither member 0 nor 1 and keeps the PVC of the removed member;
#   - the ShopApp deleted: PVCs and the Secret stay; re-created, the data is still there;
#   - a password with quotes, `$`, backslashes and spaces works (no shell or config injection).
# Prints the figures bench/RESULTS.md records: apply to Ready, failover, pods' memory.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-redis
op_install
op_start op1 --namespace "$NS" --leader-elect=false  # one operator; shop-system's Lease is operator_incluster's

RN_IMG_REDIS=localhost/shopctl/redis:7.0
app() {
  cat <<YAML
$(rn_shopapp_header kv)
  services:
  - name: client
    image: $RN_IMG_REDIS
    command: [sleep, infinity]
    replicas: 1
    autoscaling: {enabled: false}
    dependsOn: [cache]
    env:
    - name: REDISCLI_AUTH
      secret: {name: cache-credentials, key: password}
    probes:
      liveness: {exec: ["true"]}
      readiness: {exec: ["true"]}
  databases:
  - name: cache
    engine: redis
    image: $RN_IMG_REDIS
    imagePullPolicy: Never
    replicas: ${1:-3}
    readService: cache-read
    storage: {storageClass: realnode-local, size: 64Mi}
YAML
}

member() { echo "cache-$1"; }
# redis-cli inside member $1 against itself, authenticated through the environment.
on_member() {
  local m=$1; shift
  kc -n "$NS" exec "$(member "$m")" -c redis -- sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli "$@"' sh "$@"
}
client_pod() {  # the client pod that is not on its way out
  kc -n "$NS" get pods -l app.kubernetes.io/name=client -o json |
    jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name'
}
on_client() { kc -n "$NS" exec "$(client_pod)" -- redis-cli -h cache "$@"; }
replication_formed() {
  local n=$1 i
  [ "$(on_member 0 info replication | tr -d '\r' | sed -n 's/^connected_slaves://p')" = "$((n - 1))" ] || return 1
  for ((i = 1; i < n; i++)); do
    on_member "$i" info replication | tr -d '\r' | grep -qx 'master_link_status:up' || return 1
  done
}
key_everywhere() {
  local key=$1 want=$2 n=$3 i
  for ((i = 0; i < n; i++)); do [ "$(on_member "$i" get "$key" | tr -d '\r')" = "$want" ] || return 1; done
}
wait_members() {
  kc -n "$NS" rollout status sts/cache --timeout="${2:-240}s" >/dev/null 2>&1 ||
    fail "StatefulSet cache not rolled out: $(kc -n "$NS" get pods -o wide 2>&1; kc -n "$NS" describe pods -l app.kubernetes.io/name=cache 2>&1 | tail -n 30)"
  [ "$(kc -n "$NS" get sts cache -o jsonpath='{.status.readyReplicas}')" = "$1" ] || fail "StatefulSet cache: not $1 ready members"
}

# --- apply, Ready, replication ----------------------------------------------------------------
t0=$SECONDS
app | kc apply --server-side -f - >/dev/null || fail "applying the ShopApp failed"
op_wait_ready "$NS" kv 300
ready_s=$((SECONDS - t0))
pods=$(kc -n "$NS" get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}')
[ "$(grep -c " $RN_NODE$" <<<"$pods")" = 4 ] || fail "every pod should run on the real node: $pods"
[ "$(kc get ns "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" = restricted ] ||
  fail "the namespace does not enforce Pod Security restricted"
[ "$(kc -n "$NS" get sts cache -o jsonpath='{.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}')" = true ] ||
  fail "the members' root filesystem is not read-only"
pass "3 members and a client Ready on the real node in ${ready_s}s, under Pod Security restricted with read-only root filesystems"
wait_for "replication formed: member 0 has 2 replicas, both linked" 60 replication_formed 3

# --- data through the primary Service ---------------------------------------------------------
[ "$(on_client set greeting hello | tr -d '\r')" = OK ] || fail "SET through Service cache failed"
wait_for "the key written through Service cache is read on every member" 20 key_everywhere greeting hello 3
# The readers' Service: every member behind it, and replicas answer reads through it.
endpoints() { kc -n "$NS" get endpoints "$1" -o json | jq '[.subsets[]?.addresses[]?] | length'; }
[ "$(endpoints cache-read)" = 3 ] && [ "$(endpoints cache)" = 1 ] ||
  fail "Service cache-read should have the 3 members as endpoints and cache the primary alone: $(endpoints cache-read), $(endpoints cache)"
roles=""
for _ in $(seq 1 12); do
  out=$(kc -n "$NS" exec "$(client_pod)" -- sh -c 'redis-cli -h cache-read get greeting; redis-cli -h cache-read role | head -n 1' | tr -d '\r')
  [ "$(head -n 1 <<<"$out")" = hello ] || fail "a read through Service cache-read failed: $out"
  roles="$roles $(tail -n 1 <<<"$out")"
done
grep -q slave <<<"$roles" || fail "no read through Service cache-read reached a replica in 12 connections: roles$roles"
pass "Service cache-read (readService) has all 3 members as endpoints; 12 reads through it return the key, replicas among the members answering (roles:$(tr ' ' '\n' <<<"$roles" | grep -v '^$' | sort | uniq -c | tr -s ' \n' ' '))"
out=$(kc -n "$NS" exec "$(client_pod)" -- env -u REDISCLI_AUTH redis-cli -h cache get greeting 2>&1 | tr -d '\r')
grep -q NOAUTH <<<"$out" || fail "a client without the password was not refused: $out"
pass "a client without the password is refused (NOAUTH)"
out=$(on_member 1 set greeting overwritten 2>&1 | tr -d '\r')
grep -q READONLY <<<"$out" || fail "a replica accepted a write: $out"
pass "replicas refuse writes (READONLY)"

# --- NetworkPolicies, enforced ----------------------------------------------------------------
cache_ip=$(kc -n "$NS" get svc cache -o jsonpath='{.spec.clusterIP}')
kc -n "$NS" exec "$(client_pod)" -- redis-cli -h "$cache_ip" ping >/dev/null 2>&1 ||
  fail "the client (dependsOn: [cache]) cannot reach the Service address"
rn_store_isolated "$NS" kv cache 6379
pass "NetworkPolicies enforced: the dependsOn client connects; another service's pod and another namespace's pod are refused"

# --- the password stays off command lines and out of logs --------------------------------------
rn_store_secrets_hidden "$NS" kv cache "$OP_DIR/op1.log"
pass "the password is on no command line in the pods (running processes and the probes' commands), in no pod log, not in the operator's log"

# --- failover: the primary pod deleted --------------------------------------------------------
t1=$SECONDS
kc -n "$NS" delete pod cache-0 --wait=false >/dev/null
sleep 2
wait_members 3
failover_s=$((SECONDS - t1))
[ "$(on_member 0 get greeting | tr -d '\r')" = hello ] || fail "member 0 came back without its data"
wait_for "after the primary's restart the replicas follow it again" 90 replication_formed 3
pass "primary pod deleted: back Ready with its data in ${failover_s}s"

# --- 3 -> 2 -> 3 ------------------------------------------------------------------------------
pvc_uid=$(kc -n "$NS" get pvc data-cache-2 -o jsonpath='{.metadata.uid}')
pod_uids() { kc -n "$NS" get pod cache-0 cache-1 -o jsonpath='{.items[*].metadata.uid}'; }
uids=$(pod_uids)
app 2 | kc apply --server-side -f - >/dev/null
cache_pods() { [ "$(kc -n "$NS" get pods -l app.kubernetes.io/name=cache -o name | wc -l)" = "$1" ]; }
wait_for "scaled to 2 members" 120 cache_pods 2
[ "$(kc -n "$NS" get pvc data-cache-2 -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "scaling down lost the PVC of member 2"
[ "$(on_client set during-scale yes | tr -d '\r')" = OK ] || fail "SET with 2 members failed"
app 3 | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" kv 180
wait_members 3
wait_for "3 members again, replication formed" 60 replication_formed 3
wait_for "member 2 serves the old and the new keys" 20 key_everywhere during-scale yes 3
[ "$(kc -n "$NS" get pvc data-cache-2 -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "member 2 came back on another PVC"
[ "$(pod_uids)" = "$uids" ] || fail "scaling restarted members 0 and 1 (the primary included)"
pass "3 -> 2 -> 3 members: members 0 and 1 never restarted, member 2 came back on its own PVC, replication re-formed"

# --- delete and re-create the ShopApp ---------------------------------------------------------
secret_uid=$(kc -n "$NS" get secret cache-credentials -o jsonpath='{.metadata.uid}')
kc -n "$NS" delete shopapp kv --wait=true --timeout=120s >/dev/null || fail "deleting the ShopApp failed"
no_app_pods() { [ -z "$(kc -n "$NS" get pods -l shopctl.io/app=kv -o name)" ]; }
wait_for "the ShopApp's pods are gone" 120 no_app_pods
[ "$(kc -n "$NS" get pvc -o name | grep -c data-cache-)" = 3 ] || fail "deleting the ShopApp removed PVCs: $(kc -n "$NS" get pvc)"
[ "$(kc -n "$NS" get secret cache-credentials -o jsonpath='{.metadata.uid}')" = "$secret_uid" ] || fail "deleting the ShopApp removed the Secret"
app | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" kv 300
wait_for "re-created: replication formed" 60 replication_formed 3
key_everywhere greeting hello 3 || fail "re-created on the kept PVCs, the data is gone"
pass "ShopApp deleted and re-created: PVCs and Secret kept, the data is still there"

# --- a hostile password -----------------------------------------------------------------------
hostile='p"a$s w'"'"'o\rd $(id) `id` ;x'
kc -n "$NS" patch secret cache-credentials --type merge -p "$(jq -n --arg p "$hostile" '{stringData: {password: $p}}')" >/dev/null
kc -n "$NS" delete pod -l shopctl.io/app=kv --wait=false >/dev/null
sleep 3
wait_members 3 300
kc -n "$NS" rollout status deploy/client --timeout=120s >/dev/null || fail "the client did not come back"
wait_for "with the hostile password: replication formed" 90 replication_formed 3
[ "$(on_client get greeting | tr -d '\r')" = hello ] || fail "the client cannot read with the hostile password"
out=$(kc -n "$NS" exec "$(client_pod)" -- env REDISCLI_AUTH='p"a$s' redis-cli -h cache get greeting 2>&1 | tr -d '\r')
grep -Eq 'WRONGPASS|NOAUTH|invalid' <<<"$out" || fail "a prefix of the password was accepted: $out"
pass "a password with quotes, \$, backquotes, a backslash and spaces works, and only the whole of it"

# --- figures ----------------------------------------------------------------------------------
echo "figures: engine redis 7.0 (Debian), 3 members: apply to Ready ${ready_s}s, primary pod deleted to Ready ${failover_s}s, memory $(rn_store_memory "$NS" cache 3)"
op_no_forbidden "$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%S.000000Z)"
