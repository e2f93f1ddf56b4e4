#!/usr/bin/env bash
# The cluster runs the pinned Kubernetes release: kube-apiserver and kubectl report the version
# stamped at build time (testenv/versions.env), not v0.0.0-master.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PINNED=$(sed -n 's/^K8S_VERSION=//p' "$ROOT/testenv/versions.env")
[ -n "$PINNED" ] || fail "no K8S_VERSION in testenv/versions.env"

server=$(kc get --raw /version)
git_version=$(sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' <<<"$server")
[ "$git_version" = "$PINNED" ] || fail "server /version gitVersion is '$git_version', expected $PINNED: $server"
pass "server reports $git_version"

minor=${PINNED#v1.}; minor=${minor%%.*}
grep -Eq "\"minor\": *\"$minor\"" <<<"$server" || fail "server /version minor is not $minor: $server"
grep -Eq '"gitTreeState": *"clean"' <<<"$server" || fail "server /version gitTreeState is not clean: $server"
pass "server major/minor/treeState stamped"

out=$(kc version)
grep -q "Client Version: $PINNED" <<<"$out" || fail "kubectl client version is not $PINNED: $out"
grep -q "Server Version: $PINNED" <<<"$out" || fail "kubectl sees no server version $PINNED: $out"
pass "kubectl version: $(tr '\n' ' ' <<<"$out")"

for b in kube-apiserver kube-controller-manager kube-scheduler; do
  v=$("$TESTENV_BIN/$b" --version)
  [ "$v" = "Kubernetes $PINNED" ] || fail "$b --version says '$v'"
done
pass "kube-apiserver, kube-controller-manager, kube-scheduler --version = Kubernetes $PINNED"
