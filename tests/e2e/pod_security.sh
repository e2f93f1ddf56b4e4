#!/usr/bin/env bash
# The PodSecurity admission plugin is on: a namespace labelled enforce=restricted rejects a
# privileged pod and admits a compliant one (which then runs on a kwok node).
source "$(dirname "$0")/lib.sh"
e2e_namespace psa pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest

expect_fail "privileged pod in a restricted namespace" 'violates PodSecurity "restricted' \
  kc -n "$NS" apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
  - name: c
    image: registry.invalid/app:1.0
    securityContext:
      privileged: true
YAML

expect_fail "root pod without a seccomp profile in a restricted namespace" 'violates PodSecurity' \
  kc -n "$NS" run plain --image=registry.invalid/app:1.0 --restart=Never

kc -n "$NS" apply -f - <<'YAML' >/dev/null || fail "a compliant pod was rejected"
apiVersion: v1
kind: Pod
metadata:
  name: compliant
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: registry.invalid/app:1.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
YAML
pass "compliant pod admitted"
kc -n "$NS" wait --for=condition=Ready pod/compliant --timeout=60s >/dev/null || fail "compliant pod did not become Ready"
pass "compliant pod Ready"

# Control: the same privileged pod is admitted where no policy is enforced.
e2e_namespace psa-priv
kc -n "$NS" apply -f - <<'YAML' >/dev/null || fail "privileged pod rejected in an unlabelled namespace"
apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
  - name: c
    image: registry.invalid/app:1.0
    securityContext:
      privileged: true
YAML
pass "privileged pod admitted in a namespace without enforcement"
