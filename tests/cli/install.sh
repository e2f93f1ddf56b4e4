#!/usr/bin/env bash
# `cmake --install` and the release tarball (issue 12): the installed tree is exactly the
# expected one, the installed binaries run from there, every man page renders, the installed
# bash completion completes, shopctl loads its HTTPS module from the installed place (and only
# for commands that reach a cluster), and `make dist`'s tarball holds the same tree.
#
#   tests/cli/install.sh BUILD_DIR
set -uo pipefail
BUILD=${1:?usage: install.sh BUILD_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }

ROOT=$WORK/root
DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr/local >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; echo "FAIL cmake --install" >&2; exit 1; }
P=$ROOT/usr/local
LIBDIR=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
LIBDIR=${LIBDIR:-lib}
cmds=$("$BUILD/cli/shopctl" --help | sed -n '/^Subcommands:/,$p' | grep -E '^  [a-z]+ ' | awk '{print $1}')
[ "$(wc -w <<<"$cmds")" -ge 10 ] || bad "could not read the commands from shopctl --help: $cmds"
{
  printf '%s\n' bin/shopctl bin/shop-operator bin/kubectl-shop bin/kubectl_complete-shop "$LIBDIR/shopctl/shop-https.so"
  printf '%s\n' share/man/man1/shopctl.1 share/man/man1/shop-operator.1
  for c in $cmds; do echo "share/man/man1/shopctl-$c.1"; done
  printf '%s\n' share/bash-completion/completions/shopctl share/zsh/site-functions/_shopctl \
    share/fish/vendor_completions.d/shopctl.fish share/shopctl/crds/shopapps.shopctl.io.yaml
  (cd "$(dirname "$0")/../../manifests/operator" && ls ./*.yaml | sed 's#^\./#share/shopctl/operator/#')
} | sort >"$WORK/want"
(cd "$P" && find . \( -type f -o -type l \) | sed 's#^\./##' | sort) >"$WORK/got"
if diff -u "$WORK/want" "$WORK/got" >"$WORK/tree.diff"; then ok "the installed tree is the expected $(wc -l <"$WORK/want") files"
else bad "the installed tree differs (- expected, + installed): $(cat "$WORK/tree.diff")"; fi

# The binaries, run from the installed place.
v=$("$P/bin/shopctl" --version) && grep -q '^shopctl [0-9]' <<<"$v" && ok "installed shopctl --version: $v" || bad "installed shopctl --version: $v"
v=$("$P/bin/shop-operator" --version) && grep -q '^shop-operator [0-9]' <<<"$v" && ok "installed shop-operator --version: $v" || bad "installed shop-operator --version: $v"
[ "$(readlink "$P/bin/kubectl-shop")" = shopctl ] && [ "$(readlink "$P/bin/kubectl_complete-shop")" = shopctl ] &&
  ok "kubectl-shop and kubectl_complete-shop link to shopctl" || bad "the plugin links: $(ls -l "$P/bin")"
# (Output captured first: grep -q stops reading early, and under pipefail the writer's SIGPIPE
# would fail the check.)
help=$("$P/bin/kubectl-shop" --help 2>&1)
grep -q 'kubectl shop' <<<"$help" && ok "kubectl-shop names itself kubectl shop" || bad "kubectl-shop --help does not say kubectl shop"

# The HTTPS client (cpp-httplib, OpenSSL) is not linked into shopctl but loaded by the commands
# that reach a cluster (kube/https.hpp); shop-operator links it.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
n=$(needed "$P/bin/shopctl")
if [ -n "$n" ] && ! grep -Eq 'libssl|libcrypto|httplib|brotli' <<<"$n"; then ok "shopctl links no TLS library: $n"
else bad "shopctl's shared libraries: '$n'"; fi
n=$(needed "$P/$LIBDIR/shopctl/shop-https.so")
grep -q libcrypto <<<"$n" && grep -q httplib <<<"$n" && ok "shop-https.so links $n" || bad "shop-https.so's shared libraries: '$n'"
grep -q httplib <<<"$(needed "$P/bin/shop-operator")" && ok "shop-operator links the HTTPS client itself" ||
  bad "shop-operator's shared libraries: $(needed "$P/bin/shop-operator")"
# A kubeconfig whose CA is no certificate: only the module's OpenSSL can say so. Run through the
# kubectl-shop link too (the module is found from the link's target).
cat >"$WORK/kubeconfig" <<'KC'
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: bm90IGEgY2VydA==}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
KC
for b in shopctl kubectl-shop; do
  out=$("$P/bin/$b" status --kubeconfig "$WORK/kubeconfig" 2>&1); rc=$?
  [ "$rc" -ne 0 ] && grep -q 'certificate-authority-data holds no PEM certificate' <<<"$out" &&
    ok "installed $b loads its HTTPS module (the CA is checked by OpenSSL)" || bad "installed $b status (rc $rc): $out"
done
# A shopctl copied alone: offline commands work, a cluster command says what is missing.
mkdir -p "$WORK/lone" && cp "$P/bin/shopctl" "$WORK/lone/"
src=$(cd "$(dirname "$0")/../.." && pwd)
"$WORK/lone/shopctl" render -f "$src/manifests/sockshop/shopapp.yaml" --generate-secrets >"$WORK/lone.yaml" 2>&1 &&
  [ "$(grep -c '^kind:' "$WORK/lone.yaml")" -gt 100 ] && ok "a shopctl without its module still renders" ||
  bad "a lone shopctl's render: $(head -c 300 "$WORK/lone.yaml")"
out=$("$WORK/lone/shopctl" status --kubeconfig "$WORK/kubeconfig" 2>&1); rc=$?
[ "$rc" -ne 0 ] && grep -q "HTTPS module shop-https.so is missing (looked for $WORK/lone/" <<<"$out" &&
  ok "a shopctl without its module names what is missing and where it looked" || bad "a lone shopctl's status (rc $rc): $out"
# A module from another build is refused, not called.
printf 'not an ELF file\n' >"$WORK/lone/shop-https.so"
out=$("$WORK/lone/shopctl" status --kubeconfig "$WORK/kubeconfig" 2>&1); rc=$?
[ "$rc" -ne 0 ] && grep -q "cannot load shopctl's HTTPS module $WORK/lone/shop-https.so" <<<"$out" &&
  ok "a broken module is reported with its path" || bad "a lone shopctl with a broken module (rc $rc): $out"

# Every man page renders without a groff error, with its own name in NAME.
for f in "$P"/share/man/man1/*.1; do
  page=$(basename "$f" .1)
  if ! out=$(groff -man -Tutf8 "$f" 2>"$WORK/groff.err") || grep -qi error "$WORK/groff.err"; then
    bad "man page $page does not render: $(head -c 300 "$WORK/groff.err")"; continue
  fi
  text=$(MANWIDTH=200 man -l "$f" 2>/dev/null)
  name=$(sed -n '/^NAME/{n;p;q}' <<<"$text" | sed 's/^ *//')
  [[ $name == "$page - "?* ]] || { bad "man page $page: NAME line is '$name'"; continue; }
done
n=$(ls "$P"/share/man/man1/*.1 | wc -l)
[ "$failed" -eq 0 ] && ok "all $n man pages render, each NAME is its page" || true
page=$(MANWIDTH=200 man -l "$P/share/man/man1/shopctl-render.1" 2>/dev/null)
grep -q -- '--generate-secrets' <<<"$page" &&
  ok "shopctl-render(1) documents render's options" || bad "shopctl-render(1) lacks --generate-secrets"

# The installed bash completion, with the installed shopctl on PATH.
got=$(PATH="$P/bin:$PATH" bash -c '
  source "$1" || exit 1
  fn=$(complete -p shopctl | sed -E "s/.*-F ([^ ]+).*/\1/")
  COMP_LINE="shopctl ren" COMP_POINT=11 COMP_WORDS=(shopctl ren) COMP_CWORD=1 COMPREPLY=()
  "$fn" shopctl ren shopctl
  printf "%s\n" "${COMPREPLY[@]}"' _ "$P/share/bash-completion/completions/shopctl" 2>&1)
[ "$got" = render ] && ok "the installed bash completion completes 'shopctl ren' to render" || bad "installed bash completion: '$got'"
zsh -n "$P/share/zsh/site-functions/_shopctl" 2>/dev/null && ok "the zsh completion parses" || bad "the zsh completion does not parse"
fish -n "$P/share/fish/vendor_completions.d/shopctl.fish" 2>/dev/null && ok "the fish completion parses" || bad "the fish completion does not parse"

# The release tarball holds the same tree under one top directory.
if (cd "$BUILD" && cpack --config CPackConfig.cmake -B "$WORK/dist" >"$WORK/cpack.log" 2>&1); then
  tgz=$(ls "$WORK"/dist/shopctl-*-Linux-*.tar.gz 2>/dev/null | head -1)
  if [ -z "$tgz" ]; then bad "cpack wrote no shopctl-*-Linux-*.tar.gz: $(ls "$WORK/dist")"
  else
    top=$(basename "$tgz" .tar.gz)
    tar tzf "$tgz" | grep -v '/$' | sed "s#^$top/##" | sort >"$WORK/tar"
    if diff -u "$WORK/want" "$WORK/tar" >"$WORK/tar.diff"; then ok "$(basename "$tgz") holds the same $(wc -l <"$WORK/tar") files under $top/"
    else bad "the tarball differs from the expected tree: $(cat "$WORK/tar.diff")"; fi
  fi
else
  bad "cpack failed: $(tail -n 20 "$WORK/cpack.log")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
