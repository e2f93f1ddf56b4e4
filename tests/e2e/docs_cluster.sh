#!/usr/bin/env bash
# The docs' cluster commands (issue 12): the blocks marked <!-- doctest cluster --> in README.md,
# docs/operator.md, docs/gitops.md and docs/shopapp.md (and the offline blocks before them, which
# make their files; kubectl is on PATH here only) run against
# testenv with shop-operator running, through tests/docs/doctest.py --cluster. A cluster command
# must exit 0 (or 1 where its comment says exit 1): `apply --wait` must see the app Ready,
# `delete --wait` must see it gone.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/operator/lib.sh"
# The docs' apps live in namespaces of their own (shop; sock-shop and hello from apps/): remove
# them afterwards, whatever happened, so that later tests see the cluster as before.
cleanup_docs() {
  for ns in shop sock-shop hello; do
    kc -n "$ns" delete shopapps --all --wait=false >/dev/null 2>&1 || true
    kc delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  done
}
trap 'cleanup_docs; op_cleanup; e2e_cleanup_namespaces' EXIT
for ns in shop sock-shop hello; do
  if kc get namespace "$ns" >/dev/null 2>&1; then
    wait_for "namespace $ns from an earlier run is gone" 120 bash -c "! '$TESTENV_BIN/kubectl' --kubeconfig='$TESTENV_KUBECONFIG' get namespace $ns"
  fi
done
op_install
op_start op --leader-elect=false
rc=0
out=$(PATH="$TESTENV_BIN:$PATH" KUBECONFIG="$TESTENV_KUBECONFIG" \
  python3 "$REPO/tests/docs/doctest.py" --shopctl "$SHOPCTL" --cluster README.md docs/operator.md docs/gitops.md docs/shopapp.md 2>&1) || rc=$?
echo "$out"
[ $rc = 0 ] || fail "a command of the docs failed against the cluster (operator log tail: $(op_log op | tail -5))"
grep -q '^ok   README.md:[0-9]*: shopctl apply -f shop.yaml --wait' <<<"$out" || fail "the README's apply --wait did not run"
grep -q '^ok   docs/operator.md:[0-9]*: kubectl wait --for=condition=Established' <<<"$out" || fail "operator.md's CRD upgrade did not run"
grep -q '^ok   docs/shopapp.md:[0-9]*: kubectl explain shopapp.spec.services.resilience' <<<"$out" || fail "shopapp.md's kubectl explain did not run"
grep -q '^ok   docs/gitops.md:[0-9]*: kubectl kustomize deploy/hello/overlays/prod | shopctl diff' <<<"$out" || fail "gitops.md's overlay diff did not run"
pass "the docs' cluster commands ran as written: $(tail -1 <<<"$out")"
