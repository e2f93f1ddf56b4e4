#!/usr/bin/env bash
# The ShopApp CRD teaches its fields (issue 12, discoverability): installed on the real API
# server, `kubectl explain` shows the descriptions generated from docs/shopapp.md, for an object
# (spec.services.resilience), a nested leaf, a field of spec.defaults (described through its
# schema-same twin) and status; and the OpenAPI v3 document the API server publishes for the
# group has a description on every field of spec and status.
source "$(dirname "$0")/../lib.sh"
REPO=$(cd "$TESTENV_ROOT/.." && pwd)
kc apply --server-side --force-conflicts -f "$REPO/crds/shopapps.shopctl.io.yaml" >/dev/null
wait_crds shopapps.shopctl.io
# Established comes a moment before the API server publishes the type's OpenAPI, which explain reads.
wait_for "kubectl explain knows the ShopApp" 60 kc explain shopapp.spec

# explain FIELD PHRASE...: `kubectl explain shopapp.FIELD` shows each phrase (whitespace folded:
# kubectl wraps long descriptions).
explain() {
  local field=$1 out flat; shift
  out=$(kc explain "shopapp.$field" 2>&1) || fail "kubectl explain shopapp.$field failed: $out"
  flat=$(tr -s ' \n\t' '   ' <<<"$out")
  for phrase in "$@"; do
    grep -qF -- "$phrase" <<<"$flat" || fail "kubectl explain shopapp.$field lacks \"$phrase\": $out"
  done
  pass "kubectl explain shopapp.$field teaches it ($# phrases)"
  [ -z "${SHOW:-}" ] || sed 's/^/     | /' <<<"$out"
}
explain spec.services.resilience \
  "Istio traffic policy for calls to this service." "Rendered only when the mesh is on" \
  "timeout" "retries" "outlierDetection"
SHOW=1 explain spec.services.resilience.retries.attempts \
  "Renders: route retries.attempts (0 disables retries)" "Default when the mesh renders it: 2" "Bounds: 0 – 100"
explain spec.services.resilience.timeout "Renders: route timeout" "Type: duration"
explain spec.defaults.resilience.outlierDetection.maxEjectionPercent "Default when the mesh renders it: 50" "Bounds: 0 – 100"
explain spec.databases.resources.requests.cpu "Renders: container resources"
explain spec.services.probes.readiness.http.port "Renders: httpGet.port" "Type: port reference"
explain status.summary.status "kstatus: Current, InProgress or Failed"

# Every field of spec and status, as the API server serves it.
doc=$(kc get --raw /openapi/v3/apis/shopctl.io/v1alpha1) || fail "no OpenAPI v3 document for shopctl.io/v1alpha1"
counts=$(jq -r '.components.schemas["io.shopctl.v1alpha1.ShopApp"].properties | [.spec, .status] |
  [.[] | .. | objects | select(has("properties")) | .properties[]] |
  "\(length) \(map(select(has("description") | not)) | length)"' <<<"$doc") || fail "cannot read the published schema"
read -r total undescribed <<<"$counts"
[ "$total" -gt 400 ] || fail "the published schema has only $total fields under spec and status"
[ "$undescribed" -eq 0 ] || fail "$undescribed of $total published fields have no description"
pass "the API server publishes a description for all $total fields of spec and status"
