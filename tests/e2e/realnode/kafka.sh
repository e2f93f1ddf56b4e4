#!/usr/bin/env bash
# Kafka in KRaft mode (every member a controller and a broker) from a ShopApp, through
# shop-operator, on the real node, exactly as rendered (Pod Security restricted, read-only root
# filesystem, the rendered NetworkPolicies), in an image made from Debian's JRE and Kafka's jars
# from Maven Central, run as a uid its /etc/passwd does not know. The rendered script owns the
# lifecycle (properties, storage format, java); no image launcher runs.
#   - 3 members Ready through the rendered probes; the KRaft quorum has 3 voters, one leader
#     (the metadata quorum tool inside a member); kcat through the client Service sees 3 brokers;
#   - a message produced (acks=all) through the client Service to a topic created with the
#     rendered default replication factor is consumed; its partition has 3 replicas, all in sync;
#   - the partition leader's pod deleted: the message is consumed from the others; the member comes
#     back on its own PVC with its data (not formatted again) and is in sync again;
#   - 3 -> 2 -> 3 members (the voter list changes, so every member rolls): a quorum of 2 voters
#     and 2 brokers, the message consumed and another produced with acks=all; then 3 again, member
#     2 back on its own PVC, not formatted again, caught up in the ISR, no message lost;
#   - the rendered NetworkPolicies: the dependsOn client connects; another service's pod and a pod of
#     another namespace cannot connect;
#   - the ShopApp deleted: PVCs stay; re-created, the cluster re-forms on them and the messages are
#     still there.
# Prints the figures bench/RESULTS.md records: apply to Ready, member restart, pods' memory.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-kafka
op_install
op_start op1 --namespace "$NS" --leader-elect=false  # one operator; shop-system's Lease is operator_incluster's

RN_IMG_KAFKA=localhost/shopctl/kafka:3.9
app() {
  cat <<YAML
$(rn_shopapp_header shop)
  services:
  - name: client
    image: $RN_IMG_TOOLBOX
    command: [sleep, infinity]
    replicas: 1
    autoscaling: {enabled: false}
    dependsOn: [events]
    probes:
      liveness: {exec: ["true"]}
      readiness: {exec: ["true"]}
  messaging:
  - name: events
    engine: kafka
    image: $RN_IMG_KAFKA
    imagePullPolicy: Never
    replicas: ${1:-3}
    storage: {storageClass: realnode-local, size: 256Mi}
    # Less than the defaults (500m, 1Gi requested): the node has 2 CPUs and other tests share it.
    resources: {requests: {cpu: 100m, memory: 512Mi}, limits: {cpu: "1", memory: 1Gi}}
YAML
}

client_pod() {  # the client pod that is not on its way out
  kc -n "$NS" get pods -l app.kubernetes.io/name=client -o json |
    jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name'
}
kcat_() { kc -n "$NS" exec "$(client_pod)" -- kcat -b events:9092 "$@" </dev/null; }
produce() { printf '%s\n' "$1" | kc -n "$NS" exec -i "$(client_pod)" -- kcat -b events:9092 -P -t orders -X acks=all -X message.timeout.ms=20000; }
consume() { kcat_ -C -t orders -o beginning -e -q 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
topic_json() { kcat_ -L -J -t orders 2>/dev/null; }
brokers() { kcat_ -L -J 2>/dev/null | jq -r '.brokers | length'; }
isr_count() { topic_json | jq -r '.topics[0].partitions[0].isrs | length'; }
replica_count() { topic_json | jq -r '.topics[0].partitions[0].replicas | length'; }
partition_leader() { topic_json | jq -r '.topics[0].partitions[0].leader'; }
in_sync() { [ "$(isr_count)" = 3 ]; }
has_brokers() { [ "$(brokers)" = "$1" ]; }
consumed() { [ "$(consume)" = "$1" ]; }
# The KRaft quorum as a member's controller sees it: the metadata quorum tool, from the image's
# jars, with a small heap beside the broker's.
quorum() {
  kc -n "$NS" exec "events-$1" -c kafka -- java -Xmx64m -XX:TieredStopAtLevel=1 -cp '/opt/kafka/libs/*' \
    org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-controller localhost:9093 describe --replication 2>/dev/null
}
quorum_formed() {  # N (3) voters: one leader, N-1 followers, seen from every member
  local n=${1:-3} i q
  for ((i = 0; i < n; i++)); do
    q=$(quorum "$i") || return 1
    [ "$(grep -cw Leader <<<"$q")" = 1 ] && [ "$(grep -cw Follower <<<"$q")" = $((n - 1)) ] || return 1
  done
}
# Whether member I started on a log directory formatted before (the storage tool says so). The log
# is read whole first: `kubectl logs | grep -q` fails under pipefail when grep stops reading early.
found_formatted() { local log; log=$(kc -n "$NS" logs "events-$1" -c kafka); grep -q "All of the log directories are already formatted" <<<"$log"; }
wait_members() {
  kc -n "$NS" rollout status sts/events --timeout="${2:-300}s" >/dev/null 2>&1 ||
    fail "StatefulSet events not rolled out: $(kc -n "$NS" get pods -o wide 2>&1; kc -n "$NS" logs events-0 --tail=30 2>&1)"
  [ "$(kc -n "$NS" get sts events -o jsonpath='{.status.readyReplicas}')" = "$1" ] || fail "StatefulSet events: not $1 ready members"
}

# --- apply, Ready, the quorum -----------------------------------------------------------------
t0=$SECONDS
app | kc apply --server-side -f - >/dev/null || fail "applying the ShopApp failed"
op_wait_ready "$NS" shop 400
ready_s=$((SECONDS - t0))
pods=$(kc -n "$NS" get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}')
[ "$(grep -c " $RN_NODE$" <<<"$pods")" = 4 ] || fail "every pod should run on the real node: $pods"
[ "$(kc get ns "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" = restricted ] ||
  fail "the namespace does not enforce Pod Security restricted"
[ "$(kc -n "$NS" get sts events -o jsonpath='{.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}')" = true ] ||
  fail "the members' root filesystem is not read-only"
if kc -n "$NS" exec events-0 -c kafka -- touch /opt/kafka/x 2>/dev/null; then fail "a member could write to its root filesystem"; fi
uid=$(kc -n "$NS" exec events-0 -c kafka -- id -u)
[ "$uid" != 0 ] || fail "the member runs as root"
if kc -n "$NS" exec events-0 -c kafka -- id -un >/dev/null 2>&1; then fail "uid $uid is known to the image; the test should prove an unknown uid works"; fi
[ "$(kc -n "$NS" get sts events -o jsonpath='{.spec.template.spec.containers[0].command}')" = '["/bin/sh","/scripts/run.sh"]' ] ||
  fail "the members do not run the rendered script"
pass "3 members and a client Ready on the real node in ${ready_s}s, under Pod Security restricted, read-only root filesystems, as uid $uid the image does not know"
wait_for "the KRaft quorum: 3 voters, one leader and two followers, seen from every member" 120 quorum_formed
wait_for "kcat through Service events sees 3 brokers" 120 has_brokers 3
names=$(kcat_ -L -J | jq -r '[.brokers[] | "\(.id)=\(.name)"] | sort | join(" ")')
want=""
for i in 0 1 2; do want+="$i=events-$i.events-headless.$NS.svc.cluster.local:9092 "; done
[ "$names" = "${want% }" ] || fail "the brokers do not advertise their node id's stable name: $names"
pass "each broker advertises its stable name with its ordinal as node id: $names"

# --- a message in a topic of 3 replicas -----------------------------------------------------------
ok=""
for _ in $(seq 1 10); do produce hello 2>/dev/null && { ok=1; break; }; sleep 3; done
[ -n "$ok" ] || fail "producing to topic orders through Service events failed: $(produce hello 2>&1)"
[ "$(consume)" = hello ] || fail "the message was not consumed: $(consume)"
[ "$(replica_count)" = 3 ] || fail "topic orders does not have 3 replicas: $(topic_json)"
wait_for "the partition's 3 replicas all in sync" 60 in_sync
pass "a message produced with acks=all through Service events is consumed; topic orders (auto-created with the rendered replication factor) has 3 replicas, all in the ISR"

# --- the partition leader's pod deleted -----------------------------------------------------------
leader=$(partition_leader)
[[ "$leader" =~ ^[0-2]$ ]] || fail "no partition leader: $(topic_json)"
pvc_uid=$(kc -n "$NS" get pvc "data-events-$leader" -o jsonpath='{.metadata.uid}')
pod_uid=$(kc -n "$NS" get pod "events-$leader" -o jsonpath='{.metadata.uid}')
kc -n "$NS" delete pod "events-$leader" --wait=false >/dev/null
t1=$SECONDS
got=""
for _ in $(seq 1 30); do got=$(consume || true); [ "$got" = hello ] && break; sleep 2; done
[ "$got" = hello ] || fail "with the partition leader (events-$leader) gone, the message was not consumed from the others: $got"
new_leader=$(partition_leader)
pass "with the partition leader events-$leader deleted, the message is consumed (leader now $new_leader)"
new_pod() { [ "$(kc -n "$NS" get pod "events-$leader" -o jsonpath='{.metadata.uid}')" != "$pod_uid" ]; }
wait_for "events-$leader re-created" 120 new_pod
rn_wait_ready "$NS" statefulset.kubernetes.io/pod-name=events-$leader 300
restart_s=$((SECONDS - t1))
wait_members 3
[ "$(kc -n "$NS" get pvc "data-events-$leader" -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "events-$leader came back on another PVC"
found_formatted "$leader" || fail "events-$leader did not find its log directory formatted: $(kc -n "$NS" logs "events-$leader" -c kafka | head -5)"
segments=$(kc -n "$NS" exec "events-$leader" -c kafka -- ls /var/lib/kafka/data/logs/orders-0)
grep -q '\.log$' <<<"$segments" || fail "events-$leader has no log segment of orders-0: $segments"
wait_for "events-$leader back in the ISR: 3 replicas in sync" 120 in_sync
wait_for "the quorum re-formed: one leader and two followers, seen from every member" 120 quorum_formed
[ "$(consume)" = hello ] || fail "after the member came back, the message is gone: $(consume)"
pass "member pod events-$leader deleted: back Ready in ${restart_s}s on its own PVC with its data (not formatted again), in sync again"

# --- 3 -> 2 -> 3 members ------------------------------------------------------------------------
# The voter list is in the members' config, so a scale rolls every member: the quorum must re-form
# with 2 voters, then 3 again, on the same PVCs, and no message may be lost.
pvc2=$(kc -n "$NS" get pvc data-events-2 -o jsonpath='{.metadata.uid}')
t2=$SECONDS
app 2 | kc apply --server-side -f - >/dev/null || fail "scaling to 2 members failed"
member2_gone() { ! kc -n "$NS" get pod events-2 >/dev/null 2>&1; }
wait_for "2 members: events-2 removed" 300 member2_gone
op_wait_ready "$NS" shop 400
wait_members 2 400
wait_for "2 members: the KRaft quorum of 2 voters, one leader, seen from both" 180 quorum_formed 2
wait_for "2 members: kcat through Service events sees 2 brokers" 120 has_brokers 2
wait_for "2 members: the first message is consumed" 60 consumed hello
ok=""
for _ in $(seq 1 10); do produce scaled 2>/dev/null && { ok=1; break; }; sleep 3; done
[ -n "$ok" ] || fail "producing with 2 members failed: $(produce scaled 2>&1)"
[ "$(consume)" = "hello scaled" ] || fail "with 2 members, the messages are not both consumed: $(consume)"
[ "$(kc -n "$NS" get pvc data-events-2 -o jsonpath='{.metadata.uid}')" = "$pvc2" ] || fail "scaling down did not keep data-events-2"
down_s=$((SECONDS - t2))
pass "3 -> 2 members in ${down_s}s: quorum of 2 voters, 2 brokers, the message consumed, a new one produced with acks=all, data-events-2 kept"
t3=$SECONDS
app 3 | kc apply --server-side -f - >/dev/null || fail "scaling back to 3 members failed"
op_wait_ready "$NS" shop 400
wait_members 3 400
wait_for "3 members again: the KRaft quorum of 3 voters" 240 quorum_formed 3
wait_for "3 members again: 3 brokers" 120 has_brokers 3
found_formatted 2 || fail "events-2 came back and formatted its log directory again"
[ "$(kc -n "$NS" get pvc data-events-2 -o jsonpath='{.metadata.uid}')" = "$pvc2" ] || fail "events-2 came back on another PVC"
wait_for "3 members again: 3 replicas in sync (events-2 caught up)" 180 in_sync
[ "$(consume)" = "hello scaled" ] || fail "after 2 -> 3, the messages are not both there: $(consume)"
up_s=$((SECONDS - t3))
pass "2 -> 3 members in ${up_s}s: events-2 back on its own PVC (not formatted again), quorum of 3 voters, 3 replicas in sync, both messages there"

# --- NetworkPolicies, enforced ----------------------------------------------------------------
rn_store_isolated "$NS" shop events 9092
pass "NetworkPolicies enforced: the dependsOn client connects; another service's pod and another namespace's pod are refused"

# --- delete and re-create the ShopApp ---------------------------------------------------------
produce kept >/dev/null || fail "producing failed"
[ "$(consume)" = "hello scaled kept" ] || fail "the third message was not consumed: $(consume)"
pvcs=$(kc -n "$NS" get pvc -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid} {end}')
kc -n "$NS" delete shopapp shop --wait=true --timeout=120s >/dev/null || fail "deleting the ShopApp failed"
no_app_pods() { [ -z "$(kc -n "$NS" get pods -l shopctl.io/app=shop -o name)" ]; }
wait_for "the ShopApp's pods are gone" 180 no_app_pods
[ "$(kc -n "$NS" get pvc -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid} {end}')" = "$pvcs" ] ||
  fail "deleting the ShopApp changed the PVCs: $(kc -n "$NS" get pvc)"
[ "$(grep -o 'data-events-' <<<"$pvcs" | wc -l)" = 3 ] || fail "not 3 PVCs: $pvcs"
app | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 400
wait_members 3
wait_for "re-created: the KRaft quorum re-formed" 180 quorum_formed
wait_for "re-created: all three messages consumed" 120 consumed "hello scaled kept"
for i in 0 1 2; do
  found_formatted "$i" || fail "re-created events-$i formatted its log directory again"
done
wait_for "re-created: 3 replicas in sync" 120 in_sync
pass "ShopApp deleted and re-created: PVCs kept, every member started on its formatted data, all three messages still there"

# --- figures ----------------------------------------------------------------------------------
echo "figures: engine kafka 3.9.0 (KRaft; Debian openjdk-17 + Maven Central jars), 3 members: apply to Ready ${ready_s}s, member pod deleted to Ready ${restart_s}s, memory $(rn_store_memory "$NS" events 3)"
op_no_forbidden "$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%S.000000Z)"
