#!/usr/bin/env bash
# Manual drift on children is reverted: a deleted Service comes back, a changed image and a
# changed replica count are put back.
SHOP_OPERATOR=$1 SHOPCTL=$2
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"
since=$(now_iso)
e2e_namespace drift
op_install
op_start op --namespace "$NS" --leader-elect=false
cat <<APP | kc apply --server-side -f - >/dev/null
$(shopapp_header shop "$NS")
  services:
$(nginx_service web)
    replicas: 2
    autoscaling: {enabled: false}
    probes: {readiness: {http: {path: /}}}
APP
op_wait_ready "$NS" shop 120
kc -n "$NS" delete svc web >/dev/null
wait_for "the deleted Service was recreated" 30 kc -n "$NS" get svc web
kc -n "$NS" set image deploy/web web=nginxinc/nginx-unprivileged:1.25.0-alpine >/dev/null
wait_for "the hand-changed image was reverted" 30 jp_is "$NS" deploy/web '{.spec.template.spec.containers[0].image}' nginxinc/nginx-unprivileged:1.27.2-alpine
kc -n "$NS" scale deploy/web --replicas=5 >/dev/null
wait_for "the hand-changed replica count was reverted" 30 jp_is "$NS" deploy/web '{.spec.replicas}' 2
op_wait_ready "$NS" shop 60
op_no_forbidden "$since"
