#!/usr/bin/env bash
# Installs everything shopctl needs to build and test on a fresh Debian 12 machine.
# Idempotent and non-interactive: packages already present are not touched, and
# `apt-get update` runs only when something is missing.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev nlohmann-json3-dev libcpp-httplib-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format openssl lua5.4 curl ca-certificates jq
  # scripts/gen-schema.py (the CRD and JSON Schema from their sources) and tests/schema/.
  python3 python3-yaml python3-jsonschema
  # `shopctl completion zsh|fish` is tested in the shells themselves (tests/cli/completion.sh).
  zsh fish
  # The real node of testenv/ (testenv/realnode): runc, the CNI plugins, iptables and ipset for
  # kube-proxy and kube-router, conntrack, iproute2 for the bridge.
  runc containernetworking-plugins iptables ipset conntrack iproute2 util-linux
  # Its images (testenv/images): root filesystems from Debian packages, made OCI archives.
  mmdebstrap umoci skopeo
  # The Kafka image's jars, resolved from Maven Central (Kafka has no Debian package).
  maven
  # fuzz/: libFuzzer targets built with clang, AddressSanitizer and UndefinedBehaviorSanitizer.
  clang-14 libclang-rt-14-dev
  # Man pages made from --help at build time (packaging/gen-man.sh).
  help2man
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The local control plane (testenv/) is built from Go modules; it needs Go >= 1.26.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if command -v go >/dev/null 2>&1; then
  gov=$(go env GOVERSION | sed 's/^go//')
  major=${gov%%.*}; rest=${gov#*.}; minor=${rest%%.*}
  if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 26 ]; }; then
    echo "install-deps: Go $gov is too old for testenv (its modules declare go 1.26)" >&2
    exit 3
  fi
else
  echo "install-deps: Go is not installed; testenv/ needs Go >= 1.26 (install it to /usr/local/go)" >&2
  exit 3
fi
echo "install-deps: ok"
