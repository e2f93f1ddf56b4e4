# Start the real node of a testenv cluster: run by `testenv/realnode up` (bash realnode-up.sh RUN TIMEOUT).
# shellcheck shell=bash
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$HERE/common.sh"
# shellcheck source=cluster.sh
source "$HERE/cluster.sh"
# shellcheck source=realnode-build.sh
source "$HERE/realnode-build.sh"
# shellcheck source=realnode-net.sh
source "$HERE/realnode-net.sh"

RUN=$1 TIMEOUT=${2:-180}
RN=$RUN/realnode
T0=$SECONDS
[ -f "$RUN/state" ] || te_die "$RUN has no testenv cluster (run testenv/up --real-node first)"
# shellcheck disable=SC1091
source "$RUN/state"
[ "${REAL_NODE:-0}" = 1 ] || te_die "the cluster in $RUN was not started with --real-node (its API server does not listen for pods)"
[ "$(id -u)" -eq 0 ] || te_die "the real node needs root (network namespaces, iptables, cgroups, mounts)"

for tool in runc iptables ipset ip conntrack mount; do
  command -v "$tool" >/dev/null || te_die "$tool is missing (bash scripts/install-deps.sh installs it)"
done
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] && [ -x /usr/lib/cni/portmap ] ||
  te_die "the CNI plugins are missing in /usr/lib/cni (apt package containernetworking-plugins)"

# --- one real node per machine ------------------------------------------------------------------
rn_clean_stale "$RUN" || te_die "one real node per machine"
mkdir -p "$RN_GLOBAL"
echo "$RUN" >"$RN_GLOBAL/owner"

FAILED=""
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    te_log "realnode up failed (exit $rc)${FAILED:+ at $FAILED}; stopping what it started"
    [ -n "$FAILED" ] && [ -f "$RUN/logs/rn-$FAILED.log" ] && te_tail_log "rn-$FAILED" "$RUN"
    rn_down "$RUN" || true
  fi
}
trap on_exit EXIT

CACHE_RN=$(rn_build) || te_die "building the real node's binaries failed"
NB=$CACHE_RN/bin
KUBECTL=("$BIN/kubectl" --kubeconfig="$RUN/kubeconfig")
mkdir -p "$RN"/{pki,config,cni/net.d,cni/ipam,kubelet,containerd-root,volumes} "$RN_GLOBAL/containerd"
rn_sysctls_save "$RN/sysctls.before"
# Machine directories the node's parts may create outside the run dir (removed at down if new).
for d in "${RN_HOST_DIRS[@]}"; do [ -e "$d" ] || echo "$d"; done >"$RN/hostdirs.new"

# --- network: the bridge, the guards, forwarding --------------------------------------------------
te_log "real node: bridge $RN_BRIDGE $RN_NODE_IP (pods $RN_POD_CIDR), egress guard, sysctls"
ip link add "$RN_BRIDGE" type bridge 2>/dev/null || true
ip addr replace "$RN_NODE_IP/24" dev "$RN_BRIDGE"
ip link set "$RN_BRIDGE" up
echo 1 >/proc/sys/net/ipv4/ip_forward
# Pod-to-pod traffic on the bridge must cross iptables (Service DNAT, NetworkPolicy).
echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
rn_guard_up "$APISERVER_PORT"

# --- identities -------------------------------------------------------------------------------------
P=$RN/pki
cp "$PKI/ca.crt" "$P/ca.crt"
te_mint_cert "$PKI" "rn-kubelet" "system:node:$RN_NODE_NAME" system:nodes
te_mint_cert "$PKI" "rn-kube-proxy" system:kube-proxy
te_mint_cert "$PKI" "rn-coredns" shopctl:coredns
te_mint_cert "$PKI" "rn-kube-router" shopctl:kube-router
te_mint_cert "$PKI" "rn-metrics-server" shopctl:metrics-server
# rn_serving NAME CN SANS: a serving certificate signed by the cluster CA.
rn_serving() {
  local name=$1 cn=$2 sans=$3
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
    -keyout "$P/$name.key" -out "$P/$name.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$sans" >"$P/$name.ext"
  openssl x509 -req -in "$P/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "${TESTENV_CERT_DAYS:-30}" -sha256 -extfile "$P/$name.ext" -out "$P/$name.crt" 2>/dev/null
  rm -f "$P/$name.csr" "$P/$name.ext"
  chmod 600 "$P/$name.key"
}
rn_serving kubelet-serving "$RN_NODE_NAME" "DNS:$RN_NODE_NAME,IP:$RN_NODE_IP"
rn_serving metrics-server-serving metrics-server "DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.cluster.local,IP:$RN_NODE_IP"
for c in kubelet kube-proxy coredns kube-router metrics-server; do
  te_write_kubeconfig "$RN/config/$c.kubeconfig" "$APISERVER_URL" "$PKI/ca.crt" "$PKI/rn-$c.crt" "$PKI/rn-$c.key" "rn-$c"
done

# te_write_kubeconfig leaves umask 077 behind: the node's parts must not inherit it (containerd
# would make every snapshot's root 0700, and no non-root container could read its own /usr/lib).
umask 022

# --- cluster objects the node's parts need ---------------------------------------------------------
te_log "real node: RBAC, kube-dns Service, metrics APIService, StorageClass realnode-local"
MS_PORT=$(te_free_ports 1)
DNS_HEALTH_PORT=$(te_free_ports 1)
sed -e "s/@NODE_IP@/$RN_NODE_IP/g" -e "s/@DNS_IP@/$RN_DNS_IP/g" -e "s/@MS_PORT@/$MS_PORT/g" \
  -e "s|@CA_BUNDLE@|$(base64 -w0 <"$PKI/ca.crt")|g" -e "s/@NODE_NAME@/$RN_NODE_NAME/g" \
  "$HERE/realnode-objects.yaml" >"$RN/config/objects.yaml"
"${KUBECTL[@]}" apply --server-side --field-manager=testenv -f "$RN/config/objects.yaml" >"$RUN/logs/rn-setup.log" 2>&1 || {
  FAILED=setup; te_die "applying the real node's cluster objects failed"; }

# --- containerd -------------------------------------------------------------------------------------
cat >"$RN/config/containerd.toml" <<EOF
# containerd for the testenv real node (written by testenv/realnode up).
version = 3
root = '$RN/containerd-root'
state = '$RN_GLOBAL/containerd/state'

[grpc]
  address = '$RN_GLOBAL/containerd/containerd.sock'

[ttrpc]
  address = '$RN_GLOBAL/containerd/containerd-ttrpc.sock'

[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = 'localhost/shopctl/pause:3.10'

[plugins.'io.containerd.cri.v1.runtime']
  # Root here lacks CAP_SYS_RESOURCE, so the kubelet's negative oom_score_adj cannot be set.
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = 'runc'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = 'io.containerd.runc.v2'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = '$(command -v runc)'
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ['/usr/lib/cni']
    conf_dir = '$RN/cni/net.d'
    max_conf_num = 1
EOF
cat >"$RN/cni/net.d/10-shopnet.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "shopnet",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$RN_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$RN/cni/ipam",
        "ranges": [[{"subnet": "$RN_POD_CIDR", "gateway": "$RN_NODE_IP", "rangeStart": "10.245.0.10"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF

start_and_wait() {
  local name=$1 check=$2; shift 2
  local deadline=$((SECONDS + TIMEOUT)) t=$SECONDS
  FAILED=$name
  te_start "rn-$name" "$RUN" "$@"
  until eval "$check" >/dev/null 2>&1; do
    te_pid_alive "$RUN/pids/rn-$name.pid" || te_die "$name exited at start"
    [ $SECONDS -lt $deadline ] || te_die "$name did not become ready within ${TIMEOUT}s"
    sleep 0.3
  done
  te_log "real node: $name ready ($((SECONDS - t))s)"
  FAILED=""
}
CTR=("$NB/ctr" --address "$RN_GLOBAL/containerd/containerd.sock")
PATH="$NB:$PATH" start_and_wait containerd '"${CTR[@]}" version' \
  env PATH="$NB:$PATH" "$NB/containerd" --config "$RN/config/containerd.toml" --log-level warn

# --- images -----------------------------------------------------------------------------------------
te_log "real node: images (testenv/images build + import into containerd)"
FAILED=images
bash "$TE_ROOT/images" build >"$RUN/logs/rn-images.log" 2>&1 || { te_tail_log rn-images "$RUN"; te_die "building the images failed"; }
bash "$TE_ROOT/images" import --containerd-socket "$RN_GLOBAL/containerd/containerd.sock" --ctr "$NB/ctr" \
  >>"$RUN/logs/rn-images.log" 2>&1 || { te_tail_log rn-images "$RUN"; te_die "importing the images failed"; }
FAILED=""

# --- kubelet ----------------------------------------------------------------------------------------
cat >"$RN/config/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $RN_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $P/kubelet-serving.crt
tlsPrivateKeyFile: $P/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $P/ca.crt}
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$RN_GLOBAL/containerd/containerd.sock
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDomain: cluster.local
clusterDNS: [$RN_DNS_IP]
registerWithTaints:
- {key: $RN_TAINT_KEY, value: "true", effect: NoSchedule}
maxPods: 40
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: 200Mi, nodefs.available: 1%, imagefs.available: 1%}
evictionPressureTransitionPeriod: 10s
nodeStatusUpdateFrequency: 5s
nodeStatusReportFrequency: 10s
syncFrequency: 10s
fileCheckFrequency: 0s
protectKernelDefaults: false
resolvConf: /etc/resolv.conf
podLogsDir: $RN/pod-logs
EOF
start_and_wait kubelet 'curl -sf --max-time 2 http://127.0.0.1:10248/healthz' \
  "$NB/kubelet" --config="$RN/config/kubelet.yaml" --kubeconfig="$RN/config/kubelet.kubeconfig" \
  --root-dir="$RN/kubelet" --hostname-override="$RN_NODE_NAME" --node-ip="$RN_NODE_IP" \
  --node-labels="$RN_TAINT_KEY=true,topology.kubernetes.io/region=testenv,topology.kubernetes.io/zone=zone-real,type=real" --v=1

# --- kube-proxy -------------------------------------------------------------------------------------
PROXY_PORTS=$(te_free_ports 2)
read -r PROXY_HEALTH PROXY_METRICS <<<"$PROXY_PORTS"
cat >"$RN/config/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $RN/config/kube-proxy.kubeconfig}
hostnameOverride: $RN_NODE_NAME
mode: iptables
clusterCIDR: $RN_POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$PROXY_HEALTH
metricsBindAddress: 127.0.0.1:$PROXY_METRICS
# 0: leave the machine's conntrack sysctls as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
start_and_wait kube-proxy "curl -s --max-time 2 http://127.0.0.1:$PROXY_HEALTH/healthz" \
  "$NB/kube-proxy" --config="$RN/config/kube-proxy.yaml" --v=1

# --- CoreDNS ----------------------------------------------------------------------------------------
cat >"$RN/config/Corefile" <<EOF
.:53 {
    bind $RN_NODE_IP
    errors
    health 127.0.0.1:$DNS_HEALTH_PORT
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $RN/config/coredns.kubeconfig rn-coredns@shopctl-testenv
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
EOF
start_and_wait coredns "curl -sf --max-time 2 http://127.0.0.1:$DNS_HEALTH_PORT/health" \
  "$NB/coredns" -conf "$RN/config/Corefile"

# --- kube-router: the network policy controller only -------------------------------------------------
KR_HEALTH=$(te_free_ports 1)
start_and_wait kube-router "curl -sf --max-time 2 http://127.0.0.1:$KR_HEALTH/healthz" \
  "$NB/kube-router" --kubeconfig="$RN/config/kube-router.kubeconfig" --hostname-override="$RN_NODE_NAME" \
  --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
  --enable-ipv4=true --enable-ipv6=false --health-port="$KR_HEALTH" --metrics-port=0 \
  --service-cluster-ip-range="$RN_SERVICE_CIDR" --iptables-sync-period=30s -v=1

# --- metrics-server ---------------------------------------------------------------------------------
start_and_wait metrics-server "curl -sk --max-time 2 https://$RN_NODE_IP:$MS_PORT/livez" \
  "$NB/metrics-server" --bind-address="$RN_NODE_IP" --secure-port="$MS_PORT" \
  --tls-cert-file="$P/metrics-server-serving.crt" --tls-private-key-file="$P/metrics-server-serving.key" \
  --kubeconfig="$RN/config/metrics-server.kubeconfig" \
  --authentication-kubeconfig="$RN/config/metrics-server.kubeconfig" \
  --authorization-kubeconfig="$RN/config/metrics-server.kubeconfig" \
  --kubelet-preferred-address-types=InternalIP --kubelet-certificate-authority="$P/ca.crt" \
  --node-selector="$RN_TAINT_KEY=true" --metric-resolution=15s --kubelet-request-timeout=5s --v=1

# --- volumes ----------------------------------------------------------------------------------------
start_and_wait provisioner "true" \
  bash "$HERE/realnode-provisioner.sh" "$RUN/kubeconfig" "$BIN/kubectl" "$RN/volumes" "$RN_NODE_NAME"

# --- the node is Ready ------------------------------------------------------------------------------
FAILED=kubelet
"${KUBECTL[@]}" wait --for=condition=Ready "node/$RN_NODE_NAME" --timeout="${TIMEOUT}s" >>"$RUN/logs/rn-setup.log" 2>&1 ||
  te_die "node $RN_NODE_NAME did not become Ready"
deadline=$((SECONDS + TIMEOUT))
until "${KUBECTL[@]}" get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null | grep -q True; do
  FAILED=metrics-server
  [ $SECONDS -lt $deadline ] || te_die "APIService v1beta1.metrics.k8s.io did not become Available"
  sleep 1
done
FAILED=""

{
  echo "REAL_NODE_NAME=$RN_NODE_NAME"
  echo "REAL_NODE_IP=$RN_NODE_IP"
  echo "REAL_NODE_CONTAINERD=$RN_GLOBAL/containerd/containerd.sock"
  echo "REAL_NODE_BIN=$NB"
} >"$RN/state"
{
  printf 'export TESTENV_REAL_NODE=%q\n' "$RN_NODE_NAME"
  printf 'export TESTENV_REAL_NODE_IP=%q\n' "$RN_NODE_IP"
  printf 'export TESTENV_REAL_NODE_TAINT=%q\n' "$RN_TAINT_KEY"
  printf 'export TESTENV_REAL_STORAGE_CLASS=%q\n' realnode-local
  printf 'export TESTENV_REAL_POD_CIDR=%q\n' "$RN_POD_CIDR"
  printf 'export TESTENV_CTR=%q\n' "$NB/ctr --address $RN_GLOBAL/containerd/containerd.sock -n k8s.io"
} >>"$RUN/env"
trap - EXIT
te_log "real node $RN_NODE_NAME Ready in $((SECONDS - T0))s"
