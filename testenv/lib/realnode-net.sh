# The real node's host state: addresses, the bridge, iptables guard chains, sysctls, and the
# teardown that puts the machine back as it was. Sourced by testenv/realnode and testenv/up.
# shellcheck shell=bash

# rn_down runs kube-proxy --cleanup from the build cache (rn_cache_dir): callers that source only
# this file (testenv/up, the test fixtures) get it too.
# shellcheck source=realnode-build.sh
declare -F rn_cache_dir >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/realnode-build.sh"

RN_NODE_NAME=testenv-real-1
RN_BRIDGE=shopbr0
RN_NODE_IP=10.245.0.1
RN_POD_CIDR=10.245.0.0/24
RN_SERVICE_CIDR=10.96.0.0/16
RN_DNS_IP=10.96.0.10
RN_TAINT_KEY=shopctl.io/real-node
# Machine-wide state of the one real node: the owner's run dir, containerd's socket and state.
RN_GLOBAL=/run/shopctl-realnode
# Guard chains of ours (iptables-nft, as kube-proxy and kube-router use).
RN_CHAIN_EGRESS=SHOPCTL-RN-EGRESS
RN_CHAIN_INPUT=SHOPCTL-RN-INPUT
# Sysctls the node's parts change (CNI bridge, kubelet, kube-proxy, kube-router): recorded at up,
# restored at down.
RN_SYSCTLS=(
  net.ipv4.ip_forward
  net.ipv4.conf.all.forwarding
  net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables
  net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory
  vm.panic_on_oom
  kernel.panic
  kernel.panic_on_oops
  kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes
)
RN_CGROUP_ROOTS=(kubepods kubepods.slice)
RN_HOST_DIRS=(/var/lib/cni /run/containerd /var/lib/containerd /var/lib/kubelet /var/log/pods /var/log/containers /etc/cni /opt/cni /run/netns)

rn_sysctl_path() { echo "/proc/sys/${1//.//}"; }

rn_owner() { cat "$RN_GLOBAL/owner" 2>/dev/null || true; }

# rn_alive RUN: some process of RUN's real node still runs.
rn_alive() {
  local f
  for f in "$1"/pids/rn-*.pid; do
    [ -e "$f" ] || continue
    te_pid_alive "$f" && return 0
  done
  return 1
}

# rn_kill_cgroup_procs: kill every process in the kubelet's pod cgroups (the containers, whose
# shims run in their own sessions), then remove those cgroup directories, deepest first.
rn_kill_cgroups() {
  local root ctrl dir pids i
  for i in 1 2 3; do
    pids=""
    for root in "${RN_CGROUP_ROOTS[@]}"; do
      for ctrl in /sys/fs/cgroup/*/; do
        [ -d "$ctrl$root" ] || continue
        pids+=" $(find "$ctrl$root" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' ')"
      done
    done
    pids=$(tr ' ' '\n' <<<"$pids" | grep -E '^[0-9]+$' | sort -un | tr '\n' ' ' || true)
    [ -n "${pids// /}" ] || break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  done
  for root in "${RN_CGROUP_ROOTS[@]}"; do
    for ctrl in /sys/fs/cgroup/*/; do
      [ -d "$ctrl$root" ] || continue
      find "$ctrl$root" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  done
}

# rn_kill_matching PATTERN: kill processes whose command line contains PATTERN (shims, runc).
rn_kill_matching() {
  local pat=$1 p cmd
  for p in /proc/[0-9]*; do
    cmd=$( { tr "\0" " " <"$p/cmdline"; } 2>/dev/null) || continue
    case $cmd in *"$pat"*) kill -KILL "${p#/proc/}" 2>/dev/null || true ;; esac
  done
}

# rn_unmount_under DIR...: lazily unmount everything mounted below DIR, deepest first.
rn_unmount_under() {
  local d m
  for d in "$@"; do
    [ -n "$d" ] || continue
    awk -v d="$d" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  done
}

rn_iptables_delete_jump() {
  local table=$1 from=$2 rule=$3
  # shellcheck disable=SC2086
  while iptables -t "$table" -C "$from" $rule 2>/dev/null; do iptables -t "$table" -D "$from" $rule; done
}

rn_iptables_drop_chain() {
  local table=$1 chain=$2
  iptables -t "$table" -F "$chain" 2>/dev/null || true
  iptables -t "$table" -X "$chain" 2>/dev/null || true
}

# rn_guard_up APISERVER_PORT: the egress guard and the API server's input filter.
rn_guard_up() {
  local port=$1
  rn_guard_down "$port"
  iptables -t raw -N "$RN_CHAIN_EGRESS"
  iptables -t raw -A "$RN_CHAIN_EGRESS" -d "$RN_POD_CIDR" -j RETURN
  iptables -t raw -A "$RN_CHAIN_EGRESS" -d "$RN_SERVICE_CIDR" -j RETURN
  iptables -t raw -A "$RN_CHAIN_EGRESS" -d "$RN_NODE_IP/32" -j RETURN
  iptables -t raw -A "$RN_CHAIN_EGRESS" -j DROP
  iptables -t raw -I PREROUTING 1 -i "$RN_BRIDGE" -s "$RN_POD_CIDR" -j "$RN_CHAIN_EGRESS"
  # The API server listens on every address (pods reach it on the bridge address): accept it only
  # from loopback and the bridge.
  iptables -t filter -N "$RN_CHAIN_INPUT"
  iptables -t filter -A "$RN_CHAIN_INPUT" -i lo -j RETURN
  iptables -t filter -A "$RN_CHAIN_INPUT" -i "$RN_BRIDGE" -j RETURN
  iptables -t filter -A "$RN_CHAIN_INPUT" -j DROP
  iptables -t filter -I INPUT 1 -p tcp --dport "$port" -j "$RN_CHAIN_INPUT"
}

rn_guard_down() {
  local port=${1:-}
  rn_iptables_delete_jump raw PREROUTING "-i $RN_BRIDGE -s $RN_POD_CIDR -j $RN_CHAIN_EGRESS"
  rn_iptables_drop_chain raw "$RN_CHAIN_EGRESS"
  if [ -n "$port" ]; then
    rn_iptables_delete_jump filter INPUT "-p tcp --dport $port -j $RN_CHAIN_INPUT"
  fi
  # Any other jump to our input chain (an earlier run's port).
  { iptables -t filter -S INPUT 2>/dev/null | grep -- "-j $RN_CHAIN_INPUT" | sed 's/^-A /-D /' |
    while read -r r; do eval "iptables -t filter $r" 2>/dev/null || true; done; } || true
  rn_iptables_drop_chain filter "$RN_CHAIN_INPUT"
}

# rn_remove_kube_chains: the KUBE-* chains and ipsets kube-proxy and kube-router leave behind
# when they are killed rather than cleaned up.
rn_remove_kube_chains() {
  local table chain
  for table in filter nat mangle raw; do
    iptables -t "$table" -S 2>/dev/null | awk '$1 == "-A" && $0 ~ /-j KUBE-/ && $2 !~ /^KUBE-/' | sed 's/^-A /-D /' |
      while read -r r; do eval "iptables -t $table $r" 2>/dev/null || true; done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  if command -v ipset >/dev/null; then
    for s in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-|inet6:KUBE-)' || true); do
      ipset destroy "$s" 2>/dev/null || true
    done
  fi
}

rn_sysctls_save() {
  local f=$1 k p
  : >"$f"
  for k in "${RN_SYSCTLS[@]}"; do
    p=$(rn_sysctl_path "$k")
    [ -r "$p" ] && echo "$k=$(cat "$p")" >>"$f"
  done
}

rn_sysctls_restore() {
  local f=$1 k v
  [ -f "$f" ] || return 0
  while IFS='=' read -r k v; do
    [ -n "$k" ] || continue
    echo "$v" >"$(rn_sysctl_path "$k")" 2>/dev/null || te_log "could not restore $k=$v"
  done <"$f"
}

# rn_clean_stale RUN: put the machine back after an earlier real node (of any run dir) that did not
# stop cleanly (a crash, a killed shell, a machine whose /run outlived the processes). Fails, and
# touches nothing, when another run dir's real node still runs.
rn_clean_stale() {
  local run=$1 owner
  owner=$(rn_owner)
  [ -n "$owner" ] || return 0
  if [ "$owner" != "$run" ] && [ -d "$owner" ] && rn_alive "$owner"; then
    te_log "a real node already runs for $owner (one per machine): bash testenv/realnode down --run-dir $owner"
    return 1
  fi
  te_log "cleaning up after an earlier real node of $owner that did not stop cleanly"
  rn_down "$owner"
}

# rn_down RUN: stop the real node of RUN and put the machine back as `up` found it. Works after a
# crashed or half-done `up` (every step tolerates what is already gone).
rn_down() {
  local run=$1 rn=$1/realnode name port="" owner
  owner=$(rn_owner)
  if [ -n "$owner" ] && [ "$owner" != "$run" ] && [ -d "$owner" ] && rn_alive "$owner"; then
    te_log "the machine's real node belongs to $owner, not $run: leaving it alone"
    # Still stop this run's own processes, if any.
  fi
  [ -f "$run/state" ] && port=$(sed -n 's/^APISERVER_PORT=//p' "$run/state")
  # The kubelet first (it would restart containers), then everything else by pid.
  for name in kubelet kube-proxy kube-router coredns metrics-server provisioner; do
    te_stop_pidfile "$run/pids/rn-$name.pid" 10
  done
  rn_kill_cgroups
  rn_kill_matching "$RN_GLOBAL/containerd/containerd.sock"
  te_stop_pidfile "$run/pids/rn-containerd.pid" 10
  rn_kill_matching "$RN_GLOBAL/containerd/containerd.sock"
  rn_unmount_under "$rn" "$RN_GLOBAL"
  # Network namespaces containerd made for pods (under its state dir, unmounted above).
  if [ -x "$rn/bin/kube-proxy" ] || [ -x "$(rn_cache_dir)/bin/kube-proxy" ]; then
    "$(rn_cache_dir)/bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  fi
  rn_remove_kube_chains
  rn_guard_down "$port"
  if ip link show "$RN_BRIDGE" >/dev/null 2>&1; then ip link delete "$RN_BRIDGE" 2>/dev/null || true; fi
  # veths whose peer was in a pod namespace vanish with it; any left on the bridge go with it too.
  if [ -f "$rn/sysctls.before" ]; then rn_sysctls_restore "$rn/sysctls.before"; fi
  if [ -f "$rn/hostdirs.new" ]; then
    while read -r d; do
      case $d in /var/lib/cni|/run/containerd|/var/lib/containerd|/var/lib/kubelet|/var/log/pods|/var/log/containers|/etc/cni|/opt/cni|/run/netns)
        rn_unmount_under "$d"; rm -rf -- "$d" ;; esac
    done <"$rn/hostdirs.new"
  fi
  if [ "$(rn_owner)" = "$run" ]; then rm -rf "$RN_GLOBAL"; fi
  if [ -d "$rn" ]; then
    rn_unmount_under "$rn"
    rm -rf "$rn"
  fi
  return 0
}

rn_status() {
  local run=$1 name f
  echo "real node of $run (machine owner: $(rn_owner || echo none))"
  for f in "$run"/pids/rn-*.pid; do
    [ -e "$f" ] || { echo "  no real node processes"; break; }
    name=$(basename "$f" .pid); name=${name#rn-}
    if te_pid_alive "$f"; then printf '  %-16s running (pid %s)\n' "$name" "$(cat "$f")"
    else printf '  %-16s NOT running\n' "$name"; fi
  done
  if [ -f "$run/env" ]; then
    # shellcheck disable=SC1091
    (source "$run/env" && kubectl get node "$RN_NODE_NAME" -o wide 2>/dev/null) || true
  fi
}

# rn_snapshot: the machine state a real node touches, one line per item, for the
# leaves-nothing-behind check (tests/e2e/realnode).
rn_snapshot() {
  local k t errexit=0
  # Every probe tolerates absence (this runs under set -e -o pipefail in the tests).
  case $- in *e*) errexit=1 ;; esac
  set +e
  for k in "${RN_SYSCTLS[@]}"; do echo "sysctl $k=$(cat "$(rn_sysctl_path "$k")" 2>/dev/null)"; done
  for t in filter nat mangle raw; do iptables -t "$t" -S 2>/dev/null | sed "s/^/iptables $t /"; done
  ipset list -n 2>/dev/null | sed 's/^/ipset /'
  ip -o link show | awk -F': ' '{ print "link " $2 }' | sed 's/@.*//'
  ip -o -4 addr show | awk '{ print "addr " $2 " " $4 }'
  ip netns list 2>/dev/null | sed 's/^/netns /'
  awk '{ print "mount " $2 }' /proc/mounts | grep -E 'shopctl|realnode|kubelet|containerd' || true
  for k in "${RN_CGROUP_ROOTS[@]}"; do
    for t in /sys/fs/cgroup/*/"$k"; do [ -d "$t" ] && echo "cgroup $t"; done
  done
  for k in containerd kubelet kube-proxy kube-router coredns metrics-server containerd-shim; do
    pgrep -x "$k" >/dev/null 2>&1 && echo "process $k"
  done
  [ -e "$RN_GLOBAL" ] && echo "dir $RN_GLOBAL"
  for k in "${RN_HOST_DIRS[@]}"; do [ -e "$k" ] && echo "dir $k"; done
  [ "$errexit" = 1 ] && set -e
  return 0
}
