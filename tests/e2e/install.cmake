# The operator's install (issue 12) on the real control plane: the one-file install
# (manifests/install.yaml) and the Helm chart (charts/shop-operator). Included by
# tests/e2e/CMakeLists.txt.
shop_add_e2e_test(e2e_install_onefile COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install/onefile.sh TIMEOUT 300)
shop_add_e2e_test(e2e_install_helm COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install/helm.sh TIMEOUT 900)
shop_add_e2e_test(e2e_install_crd_upgrade COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install/crd_upgrade.sh $<TARGET_FILE:shop-operator> $<TARGET_FILE:shopctl> TIMEOUT 600)
