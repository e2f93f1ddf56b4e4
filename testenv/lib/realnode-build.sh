# Build (or find cached) the real node's binaries. Sourced by testenv/realnode.
# shellcheck shell=bash
#
#   kubelet, kube-proxy         k8s.io/kubernetes (the control plane's wrapper module go/k8s)
#   containerd, shim, ctr       github.com/containerd/containerd/v2 (go/containerd)
#   coredns                     github.com/coredns/coredns (go/coredns)
#   kube-router                 github.com/cloudnativelabs/kube-router/v2 (go/kube-router)
#   metrics-server              sigs.k8s.io/metrics-server (go/metrics-server)
#
# into ${XDG_CACHE_HOME:-$HOME/.cache}/shopctl/realnode/<versions>/bin. The directory is complete
# when its .complete holds the hash of the inputs; otherwise it is rebuilt into a temporary
# directory and renamed into place (an interrupted build never leaves a half cache).

RN_MODULES=(k8s containerd coredns kube-router metrics-server)
RN_BINS=(kubelet kube-proxy containerd containerd-shim-runc-v2 ctr coredns kube-router metrics-server)
# Bump when the recipe below changes what it produces.
RN_RECIPE=1

rn_cache_dir() {
  source "$TE_ROOT/versions.env"
  source "$TE_ROOT/node-versions.env"
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/shopctl/realnode/k8s-$K8S_VERSION-containerd-$CONTAINERD_VERSION-coredns-$COREDNS_VERSION-kuberouter-$KUBE_ROUTER_VERSION-ms-$METRICS_SERVER_VERSION-$(rn_inputs_hash)"
}

rn_inputs_hash() {
  local m
  (cd "$TE_ROOT" && {
    echo "recipe $RN_RECIPE"
    cat versions.env node-versions.env
    for m in "${RN_MODULES[@]}"; do cat "go/$m/go.mod" "go/$m/go.sum"; done
  } | sha256sum | cut -c1-16)
}

rn_is_complete() {
  local cache=$1 hash=$2 b
  [ "$(cat "$cache/.complete" 2>/dev/null)" = "$hash" ] || return 1
  for b in "${RN_BINS[@]}"; do [ -x "$cache/bin/$b" ] || return 1; done
}

# rn_build [--print]: print the cache directory; build it first unless --print.
rn_build() {
  local cache hash start tmp ld k major minor build_date
  cache=$(rn_cache_dir)
  hash=$(rn_inputs_hash)
  if rn_is_complete "$cache" "$hash"; then echo "$cache"; return 0; fi
  if [ "${1:-}" = --print ]; then te_log "real node binaries not built yet: $cache"; return 1; fi
  te_go_env
  source "$TE_ROOT/versions.env"
  source "$TE_ROOT/node-versions.env"
  mkdir -p "$(dirname "$cache")"
  exec 8>"$cache.lock"
  if ! flock -n 8; then te_log "another real node build is running; waiting for it"; flock 8; fi
  if rn_is_complete "$cache" "$hash"; then echo "$cache"; return 0; fi
  start=$SECONDS
  tmp="$cache.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/bin"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  export GOFLAGS="-mod=readonly -buildvcs=false"
  local gobuild=(nice -n 10 go build -p "${TESTENV_BUILD_JOBS:-2}" -trimpath)
  step() { te_log "[realnode build $((SECONDS - start))s] $*"; }

  k=${K8S_VERSION#v}; major=${k%%.*}; minor=${k#*.}; minor=${minor%%.*}
  build_date=$(cd "$TE_ROOT/go/k8s" && go list -m -json k8s.io/kubernetes | sed -n 's|^[[:space:]]*"Time": "\(.*\)",*$|\1|p')
  ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}"
  done
  step "compiling kubelet and kube-proxy $K8S_VERSION (module go/k8s)"
  (cd "$TE_ROOT/go/k8s" && go mod download && "${gobuild[@]}" -ldflags "$ld" -o "$tmp/bin/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)

  step "compiling containerd $CONTAINERD_VERSION, containerd-shim-runc-v2, ctr"
  (cd "$TE_ROOT/go/containerd" && go mod download && "${gobuild[@]}" -tags "no_btrfs netgo osusergo" \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" -o "$tmp/bin/" \
    github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
    github.com/containerd/containerd/v2/cmd/ctr)

  step "compiling coredns $COREDNS_VERSION"
  (cd "$TE_ROOT/go/coredns" && go mod download && "${gobuild[@]}" -ldflags "-s -w" -o "$tmp/bin/coredns" github.com/coredns/coredns)

  step "compiling kube-router $KUBE_ROUTER_VERSION (only its network policy controller is used)"
  (cd "$TE_ROOT/go/kube-router" && go mod download && "${gobuild[@]}" \
    -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
    -o "$tmp/bin/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)

  step "compiling metrics-server $METRICS_SERVER_VERSION"
  (cd "$TE_ROOT/go/metrics-server" && go mod download && "${gobuild[@]}" -ldflags "-s -w" \
    -o "$tmp/bin/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server)

  step "checking versions"
  "$tmp/bin/kubelet" --version | grep -qx "Kubernetes $K8S_VERSION" || te_die "kubelet is not stamped $K8S_VERSION"
  {
    echo "kubernetes=$K8S_VERSION"
    echo "containerd=$CONTAINERD_VERSION"
    echo "coredns=$COREDNS_VERSION"
    echo "kube-router=$KUBE_ROUTER_VERSION"
    echo "metrics-server=$METRICS_SERVER_VERSION"
    echo "go=$(go env GOVERSION)"
    echo "build_seconds=$((SECONDS - start))"
  } >"$tmp/versions"
  echo "$hash" >"$tmp/.complete"
  rm -rf "$cache"
  mv "$tmp" "$cache"
  trap - EXIT
  step "done: $cache"
  echo "$cache"
}
