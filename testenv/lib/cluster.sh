# Component control shared by testenv/up, testenv/down and testenv/ctl.
# A run directory holds everything about one cluster:
#   state            shell variables: ports, paths, versions (sourced by these helpers)
#   env              `export` lines for tests and people (see README.md)
#   kubeconfig       admin kubeconfig (user shopctl-admin, group system:masters)
#   cmd/NAME.sh      the exact command line of each component (exec'd, so pid == binary)
#   pids/NAME.pid    pid (and process group) of each running component
#   logs/NAME.log    its output
# shellcheck shell=bash

# Start order; stop order is the reverse.
TE_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

te_load_state() {
  local run=$1
  [ -f "$run/state" ] || te_die "$run is not a testenv run directory (no state file)"
  # shellcheck disable=SC1091
  source "$run/state"
}

te_known_component() {
  local c
  for c in "${TE_COMPONENTS[@]}"; do [ "$c" = "$1" ] && return 0; done
  return 1
}

# te_component_health NAME: one health probe of a component (state must be loaded).
te_component_health_args() {
  case $1 in
    etcd) echo "http://127.0.0.1:$ETCD_CLIENT_PORT/readyz" ;;
    kube-apiserver) echo "https://127.0.0.1:$APISERVER_PORT/readyz --cacert $PKI/ca.crt --cert $PKI/admin.crt --key $PKI/admin.key" ;;
    kube-controller-manager) echo "https://127.0.0.1:$KCM_PORT/healthz --cacert $PKI/ca.crt" ;;
    kube-scheduler) echo "https://127.0.0.1:$SCHEDULER_PORT/healthz --cacert $PKI/ca.crt" ;;
    kwok) echo "http://127.0.0.1:$KWOK_PORT/healthz" ;;
  esac
}

te_component_start() {
  local name=$1 run=$2
  te_pid_alive "$run/pids/$name.pid" && te_die "$name is already running (pid $(cat "$run/pids/$name.pid"))"
  echo "=== start $(date -u +%Y-%m-%dT%H:%M:%SZ) ===" >>"$run/logs/$name.log"
  te_start "$name" "$run" bash "$run/cmd/$name.sh"
}

# te_component_wait NAME RUN TIMEOUT: wait for health; on failure print the log tail and return 1.
te_component_wait() {
  local name=$1 run=$2 timeout=$3 args
  # shellcheck disable=SC2207
  args=($(te_component_health_args "$name"))
  if ! te_wait_http "$name" "${args[0]}" "$timeout" "$run/pids/$name.pid" "${args[@]:1}"; then
    te_tail_log "$name" "$run"
    return 1
  fi
}

te_component_stop() {
  local name=$1 run=$2 signal=${3:-TERM} pid
  if [ "$signal" = KILL ]; then
    pid=$(cat "$run/pids/$name.pid" 2>/dev/null) || return 0
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$run/pids/$name.pid"
  else
    te_stop_pidfile "$run/pids/$name.pid" "${TESTENV_STOP_TIMEOUT:-10}"
  fi
}

# Stop every component that has a pid file: the API clients together, then the API server, then
# etcd (so the API server has no open watches holding its shutdown), then anything else left.
te_stop_all() {
  local run=$1 c f stoppers=()
  for c in kwok kube-scheduler kube-controller-manager; do
    te_component_stop "$c" "$run" &
    stoppers+=($!)
  done
  # Wait for these stoppers only: a bare `wait` would also wait for the components themselves
  # when the caller (up) is the shell that started them.
  wait "${stoppers[@]}"
  te_component_stop kube-apiserver "$run"
  te_component_stop etcd "$run"
  for f in "$run"/pids/*.pid; do
    [ -e "$f" ] && te_stop_pidfile "$f"
  done
  return 0
}

# te_write_kubeconfig OUT SERVER CA_FILE CERT_FILE KEY_FILE USER: a self-contained kubeconfig.
te_write_kubeconfig() {
  local out=$1 server=$2 ca=$3 cert=$4 key=$5 user=$6
  umask 077
  cat >"$out" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: shopctl-testenv
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$ca")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$cert")
    client-key-data: $(base64 -w0 <"$key")
contexts:
- name: $user@shopctl-testenv
  context:
    cluster: shopctl-testenv
    user: $user
current-context: $user@shopctl-testenv
EOF
}

# te_mint_cert DIR NAME CN [ORG...]: EC P-256 client certificate signed by DIR/ca.{crt,key}.
te_mint_cert() {
  local dir=$1 name=$2 cn=$3; shift 3
  local subj="" o
  for o in "$@"; do subj+="/O=$o"; done
  subj+="/CN=$cn"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "${TESTENV_CERT_DAYS:-30}" -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
  chmod 600 "$dir/$name.key"
}
