# shopctl as a user of a real cluster meets it (issue 12): what it says when the cluster cannot be
# reached or lacks the ShopApp CRD (cluster_errors; it deletes the CRD and installs it again),
# and `shopctl delete` with the operator's owner references, --purge and --wait (delete);
# `apply --dry-run=client|server` creating nothing (dry_run); `status -o name|wide|jsonpath=`
# against kubectl's output, -v request logs and --request-timeout (output).
# `kubectl shop` under the real kubectl (plugin); apply/diff of several ShopApps (multi_apply).
# explain: the installed CRD's descriptions through `kubectl explain` and the published OpenAPI.
# Included by tests/e2e/CMakeLists.txt.
if(TARGET shopctl AND TARGET shop-operator)
  foreach(t cluster_errors delete dry_run output plugin multi_apply)
    shop_add_e2e_test(e2e_cli_${t}
      COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/${t}.sh $<TARGET_FILE:shopctl> $<TARGET_FILE:shop-operator>
      TIMEOUT 600)
  endforeach()
endif()
shop_add_e2e_test(e2e_cli_explain COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/explain.sh TIMEOUT 300)
