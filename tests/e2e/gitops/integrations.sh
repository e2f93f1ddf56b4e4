#!/usr/bin/env bash
# manifests/integrations against the real Argo CD and Flux APIs:
#  - Argo CD v3.5.7's install.yaml (from its Go module, through the Go module proxy like
#    testenv's sources) built with kubectl's kustomize together with cmp-plugin.yaml,
#    repo-server-patch.yaml and argocd-cm-patch.yaml, applied to the API server: the patched
#    argocd-repo-server has the shopctl sidecar next to the stock container, mounting the stock
#    var-files and plugins volumes, and rolls out (pods admitted, and Ready on testenv's nodes);
#    argocd-cm carries the health check; the Applications pass the Application CRD's schema;
#  - Flux's GitRepository and Kustomization CRDs (source-controller and kustomize-controller
#    v1.9.6): the Flux files pass their schemas (server-side dry run).
# Nothing of Argo CD or Flux runs: their controllers' images are not available here.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
ARGO=v3.5.7 FLUX=v1.9.6
INT=$REPO/manifests/integrations
export PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local GOFLAGS=-mod=mod
module_dir() {
  local dir
  dir=$(cd "$GT_DIR" && go mod download -json "$1" | jq -r .Dir) || fail "cannot download $1 from the Go module proxy"
  [ -d "$dir" ] || fail "no directory for $1"
  echo "$dir"
}
ARGO_DIR=$(module_dir github.com/argoproj/argo-cd/v3@$ARGO)
KC_DIR=$(module_dir github.com/fluxcd/kustomize-controller@$FLUX)
SC_DIR=$(module_dir github.com/fluxcd/source-controller@$FLUX)
pass "Argo CD $ARGO and Flux $FLUX sources from the module proxy"

cleanup_integrations() {
  [ -f "$GT_DIR/argocd-built.yaml" ] && kc delete -f "$GT_DIR/argocd-built.yaml" --ignore-not-found --wait=false >/dev/null 2>&1
  kc delete namespace argocd flux-system --ignore-not-found --wait=false >/dev/null 2>&1
  kc delete -f "$KC_DIR/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml" \
    -f "$SC_DIR/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml" --ignore-not-found --wait=false >/dev/null 2>&1
  gt_cleanup
}
trap cleanup_integrations EXIT

# The namespaces have fixed names (the files name them): let an earlier run's deletion finish.
for ns in argocd flux-system; do
  if [ -n "$(kc get namespace "$ns" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
    kc wait --for=delete "namespace/$ns" --timeout=180s >/dev/null || fail "namespace $ns is still terminating"
  fi
done

# --- Argo CD ---------------------------------------------------------------------------------
mkdir -p "$GT_DIR/argocd"
cp "$ARGO_DIR/manifests/install.yaml" "$INT/argocd/cmp-plugin.yaml" "$INT/argocd/repo-server-patch.yaml" \
  "$INT/argocd/argocd-cm-patch.yaml" "$GT_DIR/argocd/"
cat >"$GT_DIR/argocd/kustomization.yaml" <<'K'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: argocd
resources: [install.yaml, cmp-plugin.yaml]
patches:
- path: repo-server-patch.yaml
- path: argocd-cm-patch.yaml
K
kc kustomize "$GT_DIR/argocd" >"$GT_DIR/argocd-built.yaml" 2>"$GT_DIR/kustomize.err" ||
  fail "kustomize cannot apply the patches to Argo CD's install.yaml: $(cat "$GT_DIR/kustomize.err")"
jq_built() { kc create --dry-run=client -f "$GT_DIR/argocd-built.yaml" -o json 2>/dev/null | jq -s "${@:2}" "$1"; }
repo_server='.[] | if .kind == "List" then .items[] else . end | select(.kind == "Deployment" and .metadata.name == "argocd-repo-server")'
[ "$(jq_built "[$repo_server | .spec.template.spec.containers[].name] | sort | join(\" \")" -r)" = "argocd-repo-server shopctl-cmp" ] ||
  fail "the repo server should run its own container and shopctl-cmp: $(jq_built "[$repo_server | .spec.template.spec.containers[].name]" -c)"
for v in var-files plugins shopctl-cmp-plugin shopctl-cmp-tmp; do
  jq_built "[$repo_server | .spec.template.spec.volumes[].name] | index(\"$v\") != null" -e >/dev/null ||
    fail "volume $v is missing from the patched repo server"
done
pass "the patch adds the sidecar to Argo CD's own repo server, whose var-files and plugins volumes it mounts"

# Pod Security warns (does not enforce: that is Argo CD's choice) about pod templates below
# `restricted`; the sidecar must not be among them.
kc create namespace argocd --dry-run=client -o yaml | kc apply --server-side -f - >/dev/null
kc label namespace argocd --overwrite pod-security.kubernetes.io/warn=restricted >/dev/null
kc apply --server-side --force-conflicts -f "$GT_DIR/argocd-built.yaml" >"$GT_DIR/argocd-apply.out" 2>"$GT_DIR/argocd-apply.err" ||
  fail "Argo CD with the shopctl plugin does not apply: $(tail -5 "$GT_DIR/argocd-apply.err")"
pass "Argo CD $ARGO with the shopctl plugin applied ($(wc -l <"$GT_DIR/argocd-apply.out") objects)"
! grep -i "shopctl-cmp" "$GT_DIR/argocd-apply.err" || fail "Pod Security restricted warns about the sidecar"
grep -q 'argocd-repo-server' "$GT_DIR/argocd-apply.out" || fail "no repo server applied"
pass "Pod Security restricted has no warning about the sidecar ($(grep -c 'would violate' "$GT_DIR/argocd-apply.err" || true) warnings about Argo CD's own pods)"
kc -n argocd rollout status deployment/argocd-repo-server --timeout=120s >/dev/null ||
  fail "the patched repo server does not roll out: $(kc -n argocd get events --sort-by=.lastTimestamp | tail -5)"
pod=$(kc -n argocd get pods -l app.kubernetes.io/name=argocd-repo-server -o json)
[ "$(jq -r '[.items[] | select(.status.phase == "Running") | .spec.containers[].name] | unique | join(" ")' <<<"$pod")" = \
  "argocd-repo-server shopctl-cmp" ] || fail "repo server pods: $(jq -c '[.items[] | {phase: .status.phase, c: [.spec.containers[].name]}]' <<<"$pod")"
pass "the patched repo server rolled out: its pods run argocd-repo-server and shopctl-cmp"
health=$(kc -n argocd get configmap argocd-cm -o jsonpath='{.data.resource\.customizations\.health\.shopctl\.io_ShopApp}')
[ "$health" = "$(cat "$INT/argocd/health.lua")" ] || fail "argocd-cm does not carry health.lua"
kc -n argocd get configmap shopctl-cmp-plugin >/dev/null || fail "no plugin ConfigMap"
pass "argocd-cm carries the ShopApp health check next to Argo CD's own settings"
for f in application-shopapp application-rendered application-cmp; do
  kc apply --server-side --dry-run=server -f "$INT/argocd/$f.yaml" >/dev/null 2>"$GT_DIR/err" ||
    fail "$f.yaml fails Argo CD's Application schema: $(cat "$GT_DIR/err")"
done
pass "the three Applications pass the Application CRD of Argo CD $ARGO"

# --- Flux ------------------------------------------------------------------------------------
kc apply --server-side -f "$KC_DIR/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml" \
  -f "$SC_DIR/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml" >/dev/null
wait_crds kustomizations.kustomize.toolkit.fluxcd.io gitrepositories.source.toolkit.fluxcd.io
kc create namespace flux-system --dry-run=client -o yaml | kc apply --server-side -f - >/dev/null
for f in gitrepository kustomization-operator kustomization-rendered; do
  kc apply --server-side --dry-run=server -f "$INT/flux/$f.yaml" >/dev/null 2>"$GT_DIR/err" ||
    fail "$f.yaml fails Flux's schema: $(cat "$GT_DIR/err")"
done
pass "the Flux files pass the GitRepository and Kustomization CRDs of Flux $FLUX"
