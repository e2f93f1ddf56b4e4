#!/usr/bin/env bash
# shopctl's cluster errors, on the real control plane (issue 12):
#  - without the ShopApp CRD, status, apply and delete print the one shared message (what to
#    apply) and exit 3; diff says it as a note and compares the rendered objects alone; apply
#    creates nothing (no Namespace) when the CRD is missing;
#  - a server refusing connections: "cannot reach the cluster at HOST:PORT (kubeconfig context
#    "C")" and the kubectl-style hint;
#  - apply rolls back the Namespace it created when the API server refuses the ShopApp;
#  - version prints the client, the API server's gitVersion and every operator Deployment's version.
# The CRD is deleted for part 1 (every e2e test installs it itself; they run one at a time) and
# installed again on exit.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../gitops/lib.sh"
trap 'gt_install_crd >/dev/null 2>&1 || echo "FAIL [$E2E_NAME] could not install the ShopApp CRD again" >&2; gt_cleanup' EXIT
gt_app_namespace clierr
cat >"$GT_DIR/app.yaml" <<APP
$(shopapp_header shop "$APP_NS")
  services:
$(nginx_service web)
APP
CRD_MSG="shopctl: the ShopApp CRD (shopapps.shopctl.io) is not installed in this cluster; install it first:"
CRD_CMD="  kubectl apply --server-side -f crds/shopapps.shopctl.io.yaml"

# 1. No CRD.
kc delete crd shopapps.shopctl.io --ignore-not-found --timeout=120s >/dev/null
crd_gone() { ! kc get --raw /apis/shopctl.io/v1alpha1 >/dev/null 2>&1; }
wait_for "the API server no longer serves shopctl.io/v1alpha1" 60 crd_gone
for cmd in "status" "status shop -n $APP_NS" "status -A" "apply -f $GT_DIR/app.yaml" "delete shop -n $APP_NS" \
           "delete -f $GT_DIR/app.yaml --purge --yes" "loadtest shop web -n $APP_NS"; do
  # shellcheck disable=SC2086
  expect_rc "shopctl $cmd without the CRD" 3 shopctl $cmd
  grep -qxF "$CRD_MSG" <<<"$ERR" || fail "shopctl $cmd: not the shared CRD message: $ERR"
  grep -qxF "$CRD_CMD" <<<"$ERR" || fail "shopctl $cmd: does not say what to apply: $ERR"
done
kc get namespace "$APP_NS" >/dev/null 2>&1 && fail "apply created namespace $APP_NS although the CRD is missing"
pass "apply created no Namespace"
expect_rc "diff without the CRD compares the rendered objects (all to be created)" 1 shopctl diff -f "$GT_DIR/app.yaml"
grep -qF "note: ${CRD_MSG#shopctl: }" <<<"$ERR" || fail "diff does not say the CRD is missing: $ERR"
grep -qxF "$CRD_CMD" <<<"$ERR" || fail "diff does not say what to apply: $ERR"
grep -q "^+++ Deployment $APP_NS/web" <<<"$OUT" || fail "diff did not compare the rendered objects: $(head -c 600 <<<"$OUT")"

# 2. A server that refuses connections.
sed "s#server: .*#server: https://127.0.0.1:1#" "$TESTENV_KUBECONFIG" >"$GT_DIR/refused.kubeconfig"
ctx=$(kc config current-context)
for cmd in "status" "apply -f $GT_DIR/app.yaml" "diff -f $GT_DIR/app.yaml" "delete shop -n $APP_NS" "version"; do
  # shellcheck disable=SC2086
  expect_rc "shopctl $cmd, connection refused" 3 shopctl $cmd --kubeconfig "$GT_DIR/refused.kubeconfig"
  grep -qF "shopctl: cannot reach the cluster at 127.0.0.1:1 (kubeconfig context \"$ctx\"): the connection was refused" <<<"$ERR" ||
    fail "shopctl $cmd: no host:port and context: $ERR"
  grep -qF "Is the cluster running? Is this the right kubeconfig and context?" <<<"$ERR" || fail "shopctl $cmd: no hint: $ERR"
done
grep -q "^Client Version: shopctl " <<<"$OUT" || fail "version without a cluster prints the client's first: $OUT"
expect_rc "version --client needs no cluster" 0 shopctl version --client --kubeconfig "$GT_DIR/refused.kubeconfig"

# 3. The CRD again: a ShopApp the API server refuses leaves no Namespace behind.
gt_install_crd
{ cat "$GT_DIR/app.yaml"; printf '  databases:\n  - {name: db, engine: mongo}\n'; } >"$GT_DIR/refused.yaml"
expect_rc "a ShopApp the CRD's schema refuses (--validate=false)" 2 shopctl apply -f "$GT_DIR/refused.yaml" --validate=false
grep -q 'Unsupported value: "mongo"' <<<"$ERR" || fail "the API server's reason is not shown: $ERR"
grep -q "^namespace/$APP_NS deleted again (the ShopApp was not applied)$" <<<"$OUT" || fail "no rollback line: $OUT"
phase=$(kc get namespace "$APP_NS" -o jsonpath='{.status.phase}' 2>/dev/null || true)
[ -z "$phase" ] || [ "$phase" = Terminating ] || fail "namespace $APP_NS is left $phase"
pass "the Namespace apply had created is deleted again"

# 4. version: the client, the API server's gitVersion, the operator's (a Deployment labelled as
# the shipped one; found only when no other exists in the cluster).
want=$(kc version -o json | jq -r .serverVersion.gitVersion)
expect_rc "version -o json" 0 shopctl version -o json
[ "$(jq -r .serverVersion.gitVersion <<<"$OUT")" = "$want" ] || fail "serverVersion is not $want: $OUT"
[ "$(jq -r .clientVersion.version <<<"$OUT")" != "" ] || fail "no clientVersion: $OUT"
if [ "$(kc get deploy -A -l app.kubernetes.io/name=shop-operator -o name | wc -l)" = 0 ]; then
  [ "$(jq -c .operatorVersion <<<"$OUT")" = null ] || fail "an operator was found where none is: $OUT"
  expect_rc "version" 0 shopctl version
  grep -q "^Operator Version: not found" <<<"$OUT" || fail "no 'not found': $OUT"
  e2e_namespace cliver
  kc -n "$NS" create deployment shop-operator --image=registry.example:5000/shop-operator:9.8.7 >/dev/null
  kc -n "$NS" label deployment shop-operator app.kubernetes.io/name=shop-operator >/dev/null
  expect_rc "version with an operator Deployment" 0 shopctl version -o yaml
  grep -q "version: 9.8.7" <<<"$OUT" || fail "the image's tag is not the operator version: $OUT"
  grep -q "deployment: $NS/shop-operator" <<<"$OUT" || fail "the Deployment is not named: $OUT"
  pass "operator version from the Deployment's image"
  # A second operator (another namespace, another version): both are shown, sorted by namespace.
  NS1=$NS
  e2e_namespace cliver0
  kc -n "$NS" create deployment shop-operator --image=registry.example:5000/shop-operator:9.9.0 >/dev/null
  kc -n "$NS" label deployment shop-operator app.kubernetes.io/name=shop-operator >/dev/null
  first=$(printf '%s\n%s\n' "$NS" "$NS1" | sort | head -1)
  expect_rc "version with two operator Deployments" 0 shopctl version
  lines=$(grep "^Operator Version: " <<<"$OUT")
  want=$(for n in $(printf '%s\n%s\n' "$NS" "$NS1" | sort); do
    v=9.8.7; [ "$n" = "$NS" ] && v=9.9.0
    echo "Operator Version: $v (Deployment $n/shop-operator, image registry.example:5000/shop-operator:$v)"
  done)
  [ "$lines" = "$want" ] || fail "version does not show both operators, sorted: '$lines', want '$want'"
  expect_rc "version -o json with two operator Deployments" 0 shopctl version -o json
  [ "$(jq -r '[.operatorVersions[].namespace] | join(" ")' <<<"$OUT")" = "$(printf '%s\n%s\n' "$NS" "$NS1" | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
    fail "operatorVersions: $OUT"
  [ "$(jq -r .operatorVersion.namespace <<<"$OUT")" = "$first" ] || fail "operatorVersion is not the first of them: $OUT"
  pass "version shows every operator Deployment with its namespace and image"
else
  echo "note: an operator Deployment exists in the cluster; the not-found case is not checked" >&2
fi
expect_rc "version" 0 shopctl version
grep -q "^Server Version: $want$" <<<"$OUT" || fail "no Server Version line: $OUT"

# 5. Whom shopctl trusts for the API server: the kubeconfig's certificate-authority and nothing
#    else. The machine's CA bundle (OpenSSL's default verify paths, here SSL_CERT_FILE pointed at
#    the CA that did sign this API server) must not make a kubeconfig with another CA connect.
ca_file=$(kc config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority}')
if [ -z "$ca_file" ]; then
  ca_file="$GT_DIR/testenv-ca.crt"
  kc config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$ca_file"
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=not-this-cluster" \
  -keyout "$GT_DIR/other-ca.key" -out "$GT_DIR/other-ca.crt" 2>/dev/null || fail "openssl could not make a CA"
other=$(base64 -w0 "$GT_DIR/other-ca.crt")
kc config view --raw --flatten --minify | sed "s#certificate-authority-data: .*#certificate-authority-data: $other#; s#certificate-authority: .*#certificate-authority-data: $other#" \
  >"$GT_DIR/other-ca.kubeconfig"
grep -q "certificate-authority-data: $other" "$GT_DIR/other-ca.kubeconfig" || fail "the kubeconfig with another CA was not written"
expect_rc "status with another CA in the kubeconfig, the cluster's CA in SSL_CERT_FILE" 3 \
  env SSL_CERT_FILE="$ca_file" SSL_CERT_DIR=/nonexistent "$SHOPCTL_BIN" status -A --kubeconfig "$GT_DIR/other-ca.kubeconfig"
grep -qF "the server certificate is not signed by the kubeconfig's certificate-authority" <<<"$ERR" ||
  fail "the refusal does not say why: $ERR"
# The control: the same command with the cluster's CA in the kubeconfig connects.
sed "s#certificate-authority-data: .*#certificate-authority-data: $(base64 -w0 "$ca_file")#" "$GT_DIR/other-ca.kubeconfig" >"$GT_DIR/own-ca.kubeconfig"
expect_rc "status with the cluster's CA in the kubeconfig" 0 \
  env SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent "$SHOPCTL_BIN" status -A --kubeconfig "$GT_DIR/own-ca.kubeconfig"
pass "only the kubeconfig's CA is trusted, not the machine's bundle"
# A certificate-authority that holds no certificate is refused before any connection.
sed "s#certificate-authority-data: .*#certificate-authority-data: $(printf 'not a certificate' | base64 -w0)#" "$GT_DIR/other-ca.kubeconfig" >"$GT_DIR/bad-ca.kubeconfig"
expect_rc "status with a certificate-authority-data that is no certificate" 3 shopctl status -A --kubeconfig "$GT_DIR/bad-ca.kubeconfig"
grep -qF "certificate-authority-data holds no PEM certificate" <<<"$ERR" || fail "no clear error for a CA that is no certificate: $ERR"
