#!/usr/bin/env bash
# RBAC is real: a ServiceAccount (with a token from the TokenRequest API) and a certificate user
# minted by testenv/lib/mint-user, each bound to a narrow Role, can do what the Role grants and
# are denied everything else.
source "$(dirname "$0")/lib.sh"
e2e_namespace rbac
OTHER_NS=$NS
e2e_namespace rbac

kc -n "$NS" apply -f - <<'YAML' >/dev/null
apiVersion: v1
kind: ServiceAccount
metadata:
  name: narrow
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: configmap-reader
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: narrow-reads-configmaps
subjects:
- kind: ServiceAccount
  name: narrow
- kind: User
  name: e2e-narrow-user
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: configmap-reader
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {a: "1"}
YAML

# 1) The ServiceAccount, authenticating with a real bound token signed by the cluster.
TOKEN=$(kc -n "$NS" create token narrow --duration=10m) || fail "TokenRequest failed"
sa() { "$TESTENV_BIN/kubectl" --server="$TESTENV_APISERVER_URL" --certificate-authority="$TESTENV_CA_CERT" \
  --token="$TOKEN" --kubeconfig=/dev/null "$@"; }

who=$(sa auth whoami -o jsonpath='{.status.userInfo.username}') || fail "whoami with the SA token failed"
[ "$who" = "system:serviceaccount:$NS:narrow" ] || fail "token authenticates as '$who'"
pass "token authenticates as $who"

sa -n "$NS" get configmap settings >/dev/null || fail "SA cannot get a configmap the Role grants"
sa -n "$NS" get configmaps >/dev/null || fail "SA cannot list configmaps"
pass "SA may get/list configmaps in $NS"
expect_fail "SA creates a configmap (verb not granted)" 'Forbidden|forbidden' \
  sa -n "$NS" create configmap nope --from-literal=a=b
expect_fail "SA reads secrets (resource not granted)" 'Forbidden|forbidden' sa -n "$NS" get secrets
expect_fail "SA lists configmaps in another namespace" 'Forbidden|forbidden' sa -n "$OTHER_NS" get configmaps
expect_fail "SA lists nodes (cluster scope)" 'Forbidden|forbidden' sa get nodes
expect_fail "SA deletes the configmap" 'Forbidden|forbidden' sa -n "$NS" delete configmap settings

# 2) A certificate user minted from the cluster CA, as the operator tests will do.
KCFG=$("$TESTENV_MINT_USER" --run-dir "$TESTENV_RUN_DIR" --user e2e-narrow-user --group e2e-testers \
  --out "$TESTENV_RUN_DIR/users/e2e-rbac-$NS.kubeconfig") || fail "mint-user failed"
u() { "$TESTENV_BIN/kubectl" --kubeconfig="$KCFG" "$@"; }
info=$(u auth whoami -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}')
grep -q '^e2e-narrow-user ' <<<"$info" || fail "minted kubeconfig authenticates as: $info"
grep -q 'e2e-testers' <<<"$info" || fail "minted user lacks its group: $info"
pass "minted user: $info"
u -n "$NS" get configmap settings >/dev/null || fail "minted user cannot read the configmap"
expect_fail "minted user patches the configmap" 'Forbidden|forbidden' \
  u -n "$NS" patch configmap settings -p '{"data":{"a":"2"}}'
[ "$(u auth can-i create deployments -n "$NS" 2>/dev/null || true)" = no ] || fail "can-i create deployments is not 'no'"
pass "can-i agrees: no"
rm -f "$KCFG" "$KCFG.crt" "$KCFG.key"

# 3) The audit log saw the denied write, attributed to the ServiceAccount.
grep -q "\"username\":\"system:serviceaccount:$NS:narrow\"" "$TESTENV_AUDIT_LOG" ||
  fail "audit log has no events for system:serviceaccount:$NS:narrow"
denied=$(grep "\"username\":\"system:serviceaccount:$NS:narrow\"" "$TESTENV_AUDIT_LOG" | grep '"verb":"create"' |
  grep -c '"code":403' || true)
[ "$denied" -ge 1 ] || fail "audit log lacks the forbidden create of the SA"
pass "audit log records the SA's forbidden create with code 403"
