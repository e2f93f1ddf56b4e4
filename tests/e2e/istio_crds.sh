#!/usr/bin/env bash
# With the Istio CRDs from istio.io/api installed, the API server validates Istio objects by
# their real schemas (OpenAPI types, required fields, CEL rules) and strict field validation.
source "$(dirname "$0")/lib.sh"
[ "$TESTENV_ISTIO" = 1 ] || fail "this cluster was started with --no-istio"
for crd in virtualservices destinationrules gateways peerauthentications authorizationpolicies; do
  g=networking.istio.io
  case $crd in peerauthentications|authorizationpolicies) g=security.istio.io ;; esac
  kc get crd "$crd.$g" >/dev/null || fail "CRD $crd.$g is not installed"
done
pass "Istio CRDs installed"
e2e_namespace istio

apply() { kc -n "$NS" apply --server-side --field-manager=e2e --validate=strict -f - ; }

apply <<'YAML' >/dev/null || fail "a valid VirtualService was rejected"
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: good
spec:
  hosts: [front-end]
  http:
  - timeout: 5s
    route:
    - destination: {host: front-end, port: {number: 80}}
      weight: 100
YAML
pass "valid VirtualService accepted"

expect_fail "VirtualService with a non-integer weight" 'weight(: expected numeric| in body must be of type integer)' apply <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bad-weight
spec:
  hosts: [front-end]
  http:
  - route:
    - destination: {host: front-end}
      weight: heavy
YAML

expect_fail "VirtualService route without a destination" 'destination.*Required value|Required value.*destination' apply <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bad-route
spec:
  hosts: [front-end]
  http:
  - route:
    - weight: 100
YAML

expect_fail "VirtualService with a timeout below 1ms (CEL rule)" 'must be a valid duration greater than 1ms' apply <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bad-timeout
spec:
  hosts: [front-end]
  http:
  - timeout: 500us
    route:
    - destination: {host: front-end}
YAML

expect_fail "VirtualService with an unknown field (strict validation)" 'unknown field|field not declared in schema' apply <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bad-field
spec:
  hosts: [front-end]
  retriez: 3
  http:
  - route:
    - destination: {host: front-end}
YAML

expect_fail "DestinationRule with an unknown load balancer" 'simple.*Unsupported value|Unsupported value' apply <<'YAML'
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bad-lb
spec:
  host: front-end
  trafficPolicy:
    loadBalancer:
      simple: FASTEST
YAML


# Strict field validation on a plain create/update too (kubectl --validate=strict sends
# fieldValidation=Strict): an unknown field is an error, not a warning.
expect_fail "VirtualService create with an unknown field (fieldValidation=Strict)" 'unknown field "spec.retriez"|strict decoding error' \
  kc -n "$NS" create --validate=strict -f - <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bad-field-create
spec:
  hosts: [front-end]
  retriez: 3
YAML

for n in bad-weight bad-route bad-timeout bad-field bad-field-create; do
  ! kc -n "$NS" get virtualservice "$n" >/dev/null 2>&1 || fail "rejected VirtualService $n exists"
done
pass "no rejected object was stored"
