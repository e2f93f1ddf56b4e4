# The 20 ShopApps of mixed shapes the chaos tests converge (sourced after operator/lib.sh, with
# $NS set): app0 is the Sock Shop preset; the others are one service, two services and a
# PostgreSQL database (2 replicas), or a service and a Redis, each with names of its own.
#   app_yaml I                   the YAML of app$I
#   apply_apps                   apply all $APPS of them into $NS
#   all_ready                    every app Ready at its generation
#   not_ready_apps               the names of the apps that are not
#   wait_all_ready TIMEOUT OP    until all_ready; fails if operator OP exits, or at TIMEOUT with
#                                each app's Ready message, OP's log tail and the workloads
#   workloads_ready APP          the API server says every Deployment and StatefulSet of APP has
#                                all its replicas ready at its generation (the workload
#                                controllers' and kubelet's part, not the operator's)
# shellcheck shell=bash
APPS=${APPS:-20}
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
not_ready_apps() {
  local i
  for ((i = 0; i < APPS; i++)); do op_ready "$NS" "app$i" || echo "app$i"; done
}
workloads_ready() {
  kc -n "$NS" get deploy,sts -l "app.kubernetes.io/part-of=$1" -o json | jq -e '
    .items | length > 0 and all(.[]; (.status.observedGeneration // 0) >= .metadata.generation
      and (.status.readyReplicas // 0) >= .spec.replicas)' >/dev/null
}
wait_all_ready() {
  local deadline=$((SECONDS + $1)) a
  until all_ready; do
    op_alive "$2" || { tail -n 30 "$OP_DIR/$2.log" >&2; fail "the operator exited"; }
    if [ $SECONDS -ge $deadline ]; then
      for a in $(not_ready_apps); do
        kc -n "$NS" get shopapp "$a" -o json | jq -c '{app: .metadata.name, ready: [.status.conditions[]? | select(.type == "Ready") | .message]}' >&2
      done
      tail -n 30 "$OP_DIR/$2.log" >&2
      # What the workload controllers say (the API server's view), beside what the operator said.
      kc -n "$NS" get deploy,sts >&2 || true
      fail "not every app was Ready within $1 s"
    fi
    sleep 2
  done
}
