# GitOps e2e tests (tests/e2e/gitops/): shopctl diff against the cluster and a directory, the
# kustomize layout applied with kubectl, apply --wait and status, and the Argo CD health check
# and kstatus rules on statuses the operator writes, the Argo CD and Flux files against their real
# APIs (integrations). Each starts its own shop-operator when it needs one.
foreach(t diff kustomize apply_wait health integrations)
  shop_add_e2e_test(e2e_gitops_${t}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gitops/${t}.sh $<TARGET_FILE:shopctl> $<TARGET_FILE:shop-operator>
    TIMEOUT 600)
endforeach()
