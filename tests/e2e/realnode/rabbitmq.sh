#!/usr/bin/env bash
# A RabbitMQ cluster (classic peer discovery from the rendered member list) from a ShopApp, through
# shop-operator, on the real node, exactly as rendered (Pod Security restricted, read-only root
# filesystem, the rendered NetworkPolicies), in an image with Debian's rabbitmq-server, run as a
# uid its /etc/passwd does not know, with a Secret made beforehand whose password has quotes,
# `$`, backquotes, a backslash, a colon and spaces:
#   - 3 members Ready through the rendered probes; one cluster of 3 running nodes seen from every
#     member (rabbitmq-diagnostics cluster_status);
#   - a message published through the client Service to a quorum queue has 3 replicas; with the
#     queue's leader pod deleted, it is consumed from the others;
#   - a client with a wrong password, or as guest, is refused; a service not in dependsOn, and a
#     pod of another namespace, cannot connect at all;
#   - no Secret value is on a process command line in the pods, nor in any log;
#   - a member pod deleted comes back and rejoins (the Erlang cookie copied again over its own);
#   - 3 -> 2 -> 3 members restarts neither member 0 nor 1 (the rendered member list does not
#     change with replicas), keeps member 2's PVC; the cluster re-forms with 3 nodes;
#   - the ShopApp deleted: PVCs and the Secret stay; re-created, the messages are still there.
# Prints the figures bench/RESULTS.md records: apply to Ready, member restart, pods' memory.
source "$(dirname "$0")/lib.sh"
SHOP_OPERATOR=${SHOPCTL_BUILD_DIR:?}/operator/shop-operator SHOPCTL=$SHOPCTL_BUILD_DIR/cli/shopctl
source "$(dirname "$0")/../operator/lib.sh"
e2e_namespace rn-rabbit
op_install
op_start op1 --namespace "$NS" --leader-elect=false  # one operator; shop-system's Lease is operator_incluster's

RN_IMG_RABBITMQ=localhost/shopctl/rabbitmq:3.10
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
    env:
    - name: AMQP_USER
      secret: {name: events-credentials, key: username}
    - name: AMQP_PASSWORD
      secret: {name: events-credentials, key: password}
    probes:
      liveness: {exec: ["true"]}
      readiness: {exec: ["true"]}
  messaging:
  - name: events
    engine: rabbitmq
    image: $RN_IMG_RABBITMQ
    imagePullPolicy: Never
    replicas: ${1:-3}
    storage: {storageClass: realnode-local, size: 256Mi}
YAML
}

# An AMQP client (pika): publish BODY to, or get one message from, the quorum queue "orders".
AMQP='
import os, sys, pika
host, action = sys.argv[1], sys.argv[2]
user = os.environ.get("USER_OVERRIDE", os.environ["AMQP_USER"])
password = os.environ.get("PASSWORD_OVERRIDE", os.environ["AMQP_PASSWORD"])
conn = pika.BlockingConnection(pika.ConnectionParameters(host=host, credentials=pika.PlainCredentials(user, password)))
ch = conn.channel()
ch.queue_declare("orders", durable=True, arguments={"x-queue-type": "quorum"})
if action == "publish":
    ch.confirm_delivery()
    ch.basic_publish("", "orders", sys.argv[3].encode(), pika.BasicProperties(delivery_mode=2))
    print("published")
else:
    _, _, body = ch.basic_get("orders", auto_ack=True)
    print(body.decode() if body else "<empty>")
conn.close()
'
client_pod() {  # the client pod that is not on its way out
  kc -n "$NS" get pods -l app.kubernetes.io/name=client -o json |
    jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name'
}
amqp() { kc -n "$NS" exec "$(client_pod)" -- python3 -c "$AMQP" events "$@"; }
on_member() { local m=$1; shift; kc -n "$NS" exec "events-$m" -c rabbitmq -- "$@"; }
running_nodes() { on_member "$1" rabbitmq-diagnostics -q cluster_status --formatter json | jq -r '.running_nodes | length'; }
cluster_formed() {
  local n=$1 i
  for ((i = 0; i < n; i++)); do [ "$(running_nodes "$i")" = "$n" ] || return 1; done
}
queue_replicas() { on_member 0 rabbitmq-queues -q quorum_status orders --formatter json | jq -r 'length'; }
queue_leader() {
  on_member 0 rabbitmq-queues -q quorum_status orders --formatter json |
    jq -r '.[] | select(.["Raft State"] == "leader") | .["Node Name"]' | sed -E 's/^rabbit@(events-[0-9]+)\..*/\1/'
}
wait_members() {
  kc -n "$NS" rollout status sts/events --timeout="${2:-300}s" >/dev/null 2>&1 ||
    fail "StatefulSet events not rolled out: $(kc -n "$NS" get pods -o wide 2>&1; kc -n "$NS" logs events-0 --tail=30 2>&1)"
  [ "$(kc -n "$NS" get sts events -o jsonpath='{.status.readyReplicas}')" = "$1" ] || fail "StatefulSet events: not $1 ready members"
}

# --- the Secret, made beforehand with a hostile password --------------------------------------
hostile='p"a$s w'"'"'o\rd: $(id) `id` ;x'
cookie=$(openssl rand -hex 24)
user=u$(openssl rand -hex 6 | cut -c1-11)
kc -n "$NS" create secret generic events-credentials --from-literal=username="$user" \
  --from-literal=password="$hostile" --from-literal=erlang-cookie="$cookie" >/dev/null

# --- apply, Ready, the cluster ----------------------------------------------------------------
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
[ "$(kc -n "$NS" get secret events-credentials -o jsonpath='{.data.password}' | base64 -d)" = "$hostile" ] ||
  fail "the operator replaced the Secret made beforehand"
pass "3 members and a client Ready on the real node in ${ready_s}s, under Pod Security restricted with read-only root filesystems, with the Secret made beforehand"
wait_for "one cluster of 3 running nodes, seen from every member" 120 cluster_formed 3

# --- a message in a quorum queue ---------------------------------------------------------------
[ "$(amqp publish hello)" = published ] || fail "publishing through Service events failed"
[ "$(queue_replicas)" = 3 ] || fail "the quorum queue does not have 3 replicas: $(on_member 0 rabbitmq-queues -q quorum_status orders 2>&1)"
leader=$(queue_leader)
[ -n "$leader" ] || fail "the quorum queue has no leader"
kc -n "$NS" delete pod "$leader" --wait=false >/dev/null
got=""
for _ in $(seq 1 30); do got=$(amqp get 2>/dev/null || true); [ "$got" = hello ] && break; sleep 2; done
[ "$got" = hello ] || fail "with the queue's leader ($leader) gone, the message was not consumed from the others: $got"
pass "the message published through Service events is in a quorum queue of 3 replicas; with its leader $leader deleted, it is consumed from the others"
t1=$SECONDS
sleep 2
wait_members 3
restart_s=$((SECONDS - t1))
wait_for "$leader rejoined: one cluster of 3 running nodes again" 120 cluster_formed 3
pass "member pod $leader deleted: back Ready and in the cluster in ${restart_s}s"

# --- authentication -----------------------------------------------------------------------------
out=$(kc -n "$NS" exec "$(client_pod)" -- env PASSWORD_OVERRIDE='p"a$s' python3 -c "$AMQP" events get 2>&1 || true)
grep -Eq 'ACCESS_REFUSED|ProbableAuthenticationError|AuthenticationError' <<<"$out" || fail "a prefix of the password was accepted: $out"
out=$(kc -n "$NS" exec "$(client_pod)" -- env USER_OVERRIDE=guest PASSWORD_OVERRIDE=guest python3 -c "$AMQP" events get 2>&1 || true)
grep -Eq 'ACCESS_REFUSED|ProbableAuthenticationError|AuthenticationError' <<<"$out" || fail "guest was accepted from another pod: $out"
pass "the hostile password works, a prefix of it and guest/guest are refused"

# --- NetworkPolicies, enforced ----------------------------------------------------------------
rn_store_isolated "$NS" shop events 5672
pass "NetworkPolicies enforced: the dependsOn client connects; another service's pod and another namespace's pod are refused"

# --- the Secret stays off command lines and out of logs ---------------------------------------
rn_store_secrets_hidden "$NS" shop events "$OP_DIR/op1.log"
pass "neither the password nor the Erlang cookie is on a command line in the pods, in a pod log, or in the operator's log"

# --- 3 -> 2 -> 3 ------------------------------------------------------------------------------
[ "$(amqp publish kept)" = published ] || fail "publishing failed"
pvc_uid=$(kc -n "$NS" get pvc data-events-2 -o jsonpath='{.metadata.uid}')
pod_uids() { kc -n "$NS" get pod events-0 events-1 -o jsonpath='{.items[*].metadata.uid}'; }
uids=$(pod_uids)
app 2 | kc apply --server-side -f - >/dev/null
events_pods() { [ "$(kc -n "$NS" get pods -l app.kubernetes.io/name=events -o name | wc -l)" = "$1" ]; }
wait_for "scaled to 2 members" 180 events_pods 2
wait_for "a cluster of 2 running nodes" 120 cluster_formed 2
[ "$(kc -n "$NS" get pvc data-events-2 -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "scaling down lost the PVC of member 2"
app 3 | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 400
wait_members 3
wait_for "3 members again: one cluster of 3 running nodes" 180 cluster_formed 3
[ "$(kc -n "$NS" get pvc data-events-2 -o jsonpath='{.metadata.uid}')" = "$pvc_uid" ] || fail "member 2 came back on another PVC"
[ "$(pod_uids)" = "$uids" ] || fail "scaling restarted members 0 and 1"
pass "3 -> 2 -> 3 members: members 0 and 1 never restarted, member 2 came back on its own PVC, the cluster re-formed"

# --- delete and re-create the ShopApp ---------------------------------------------------------
secret_uid=$(kc -n "$NS" get secret events-credentials -o jsonpath='{.metadata.uid}')
kc -n "$NS" delete shopapp shop --wait=true --timeout=120s >/dev/null || fail "deleting the ShopApp failed"
no_app_pods() { [ -z "$(kc -n "$NS" get pods -l shopctl.io/app=shop -o name)" ]; }
wait_for "the ShopApp's pods are gone" 180 no_app_pods
[ "$(kc -n "$NS" get pvc -o name | grep -c data-events-)" = 3 ] || fail "deleting the ShopApp removed PVCs: $(kc -n "$NS" get pvc)"
[ "$(kc -n "$NS" get secret events-credentials -o jsonpath='{.metadata.uid}')" = "$secret_uid" ] || fail "deleting the ShopApp removed the Secret"
app | kc apply --server-side -f - >/dev/null
op_wait_ready "$NS" shop 400
wait_for "re-created: one cluster of 3 running nodes" 180 cluster_formed 3
got=""
for _ in $(seq 1 20); do got=$(amqp get 2>/dev/null || true); [ "$got" = kept ] && break; sleep 2; done
[ "$got" = kept ] || fail "re-created on the kept PVCs, the message is gone: $got"
pass "ShopApp deleted and re-created: PVCs and Secret kept, the queued message is still there"

# --- figures ----------------------------------------------------------------------------------
echo "figures: engine rabbitmq 3.10 (Debian), 3 members: apply to Ready ${ready_s}s, member pod deleted to Ready ${restart_s}s, memory $(rn_store_memory "$NS" events 3)"
op_no_forbidden "$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%S.000000Z)"
