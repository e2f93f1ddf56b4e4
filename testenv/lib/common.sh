# Shared helpers for the testenv/ scripts. Source it; it defines functions and a few variables.
# shellcheck shell=bash

TE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

te_log() { printf '[testenv %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
te_die() { printf '[testenv] ERROR: %s\n' "$*" >&2; exit 1; }

# The Go toolchain: /usr/local/go/bin if go is not on PATH; never switch toolchains by download.
te_go_env() {
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null 2>&1 || te_die "Go is not installed (testenv needs Go >= 1.26 at /usr/local/go)"
  export PATH GOTOOLCHAIN=local CGO_ENABLED=0
}

# Cache directory of the built binaries, keyed by the pinned versions.
te_cache_dir() {
  # shellcheck source=../versions.env
  source "$TE_ROOT/versions.env"
  local base=${XDG_CACHE_HOME:-$HOME/.cache}/shopctl/testenv
  # The inputs' hash is part of the name: two checkouts with different module files (branches,
  # worktrees) never rebuild over each other's binaries.
  echo "$base/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION-istio-$ISTIO_API_VERSION-$(te_inputs_hash)"
}

# Bump when testenv/build changes what it produces (flags, files), so caches are rebuilt.
TE_RECIPE=1

# Hash of everything that decides what `build` produces; stored in the cache dir when it completes.
te_inputs_hash() {
  # The control plane's modules only (the real node's modules are hashed by testenv/realnode).
  local m mods=(etcd istio k8s kwok)
  (cd "$TE_ROOT" && {
    echo "recipe $TE_RECIPE"
    cat versions.env
    for m in "${mods[@]}"; do cat "go/$m/go.mod"; done
    for m in "${mods[@]}"; do cat "go/$m/go.sum"; done
  } | sha256sum | cut -c1-16)
}

# TCP ports in use on this machine in any state (listening or connected), IPv4 and IPv6, read
# from /proc: no extra tools needed.
te_used_ports() {
  local f
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    awk 'NR > 1 { n = split($2, a, ":"); print a[n] }' "$f" |
      while read -r h; do echo $((16#$h)); done
  done | sort -un
}

# te_free_ports N: print N distinct free loopback ports, picked at random below the kernel's
# ephemeral range (so an outgoing connection cannot be holding one when a component binds it).
te_free_ports() {
  local n=$1 used picked=() p tries=0 lo=10000 hi=32767 eph_lo
  if read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null && [ "$eph_lo" -gt $((lo + 1000)) ]; then
    hi=$((eph_lo - 1))
  fi
  used=" $(te_used_ports | tr '\n' ' ') "
  while [ "${#picked[@]}" -lt "$n" ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 10000 ] || te_die "could not find $n free ports in $lo-$hi"
    p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
    case "$used" in *" $p "*) continue ;; esac
    # Also refuse ports something accepts connections on (covers sockets we cannot see in /proc).
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    used="$used$p "
    picked+=("$p")
  done
  echo "${picked[@]}"
}

# te_wait_http NAME URL TIMEOUT_S [PIDFILE] [CURL ARGS...]: poll until URL answers 200 "ok".
te_wait_http() {
  local name=$1 url=$2 timeout=$3 pidfile=$4; shift 4
  local deadline=$((SECONDS + timeout)) out
  while [ $SECONDS -lt $deadline ]; do
    if [ -n "$pidfile" ] && ! te_pid_alive "$pidfile"; then
      te_log "$name exited before becoming healthy"
      return 1
    fi
    out=$(curl -sS --max-time 3 --noproxy '*' "$@" "$url" 2>/dev/null) && [ "$out" = ok ] && return 0
    sleep 0.3
  done
  te_log "$name did not become healthy within ${timeout}s ($url: ${out:-no answer})"
  return 1
}

te_pid_alive() {
  local pid state
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A killed process whose parent died stays a zombie until init reaps it: dead all the same.
  state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$pid/stat" 2>/dev/null)
  [ "$state" != Z ] && [ "$state" != X ]
}

# te_stop_pidfile PIDFILE [TIMEOUT_S]: TERM the process group started for it, KILL after a timeout.
te_stop_pidfile() {
  local pidfile=$1 timeout=${2:-15} pid i
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    # Each component was started with setsid, so its pid is also its process group id.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      te_log "$(basename "$pidfile" .pid) still running ${timeout}s after TERM; sending KILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$pidfile"
}

# te_start NAME RUN_DIR CMD...: start CMD in its own session, log to RUN_DIR/logs/NAME.log,
# pid in RUN_DIR/pids/NAME.pid.
te_start() {
  local name=$1 run=$2; shift 2
  mkdir -p "$run/logs" "$run/pids"
  setsid nohup "$@" >>"$run/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$run/pids/$name.pid"
}

te_tail_log() {
  local name=$1 run=$2
  echo "----- last 40 lines of $run/logs/$name.log -----" >&2
  tail -n 40 "$run/logs/$name.log" >&2 2>/dev/null || echo "(no log)" >&2
  echo "----- end of $name log -----" >&2
}
