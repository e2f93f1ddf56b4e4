#!/usr/bin/env bash
# A pod with the full Pod Security `restricted` context starts on the real node, in a namespace
# that enforces `restricted`, and from inside it: seccomp mode 2, no effective capabilities,
# no_new_privs set, the root filesystem read-only.
source "$(dirname "$0")/lib.sh"
e2e_namespace rn-restricted pod-security.kubernetes.io/enforce=restricted
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: locked, labels: {app: locked}}
spec:
$(rn_placement "  ")
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: sh
    image: $RN_IMG_TOOLBOX
    imagePullPolicy: Never
    command: [sleep, infinity]
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 32Mi}}
YAML
rn_wait_ready "$NS" app=locked 90
pass "restricted pod admitted and Ready"
status=$(rn_exec "$NS" locked cat /proc/self/status)
grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$status" || fail "seccomp is not in filter mode: $(grep Seccomp <<<"$status")"
pass "Seccomp: 2 (filter)"
grep -Eq '^CapEff:[[:space:]]+0+$' <<<"$status" || fail "effective capabilities present: $(grep CapEff <<<"$status")"
grep -Eq '^CapPrm:[[:space:]]+0+$' <<<"$status" || fail "permitted capabilities present: $(grep CapPrm <<<"$status")"
pass "CapEff and CapPrm are 0"
grep -Eq '^NoNewPrivs:[[:space:]]+1$' <<<"$status" || fail "no_new_privs not set: $(grep NoNewPrivs <<<"$status")"
pass "NoNewPrivs: 1"
uid=$(rn_exec "$NS" locked id -u)
[ "$uid" = 65532 ] || fail "runs as uid $uid"
pass "runs as uid 65532"
# /tmp of the image is world-writable (1777): only a read-only root stops the write.
if rn_exec "$NS" locked sh -c 'echo x > /tmp/probe' 2>/dev/null; then fail "wrote to /tmp on the root filesystem"; fi
out=$(rn_exec "$NS" locked sh -c 'echo x > /tmp/probe' 2>&1) || true
grep -qi 'read-only' <<<"$out" || fail "write to /tmp (mode 1777) failed, but not as read-only: $out"
rn_exec "$NS" locked awk '$2 == "/" { print $4 }' /proc/mounts | grep -Eq '^ro(,|$)' || fail "/ is not mounted ro"
pass "root filesystem mounted ro: a write to the world-writable /tmp is refused (read-only file system)"

# The same pod as root is refused by Pod Security admission (the real node changes nothing there).
out=$(kc -n "$NS" run rooty --image="$RN_IMG_TOOLBOX" --restart=Never --overrides='{"spec":{"securityContext":{"runAsUser":0}}}' -- true 2>&1) &&
  fail "a root pod was admitted in a restricted namespace: $out"
grep -q 'violates PodSecurity "restricted' <<<"$out" || fail "root pod refused for another reason: $out"
pass "root pod refused by PodSecurity restricted"
