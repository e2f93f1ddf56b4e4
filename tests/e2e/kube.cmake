# kube/ against the real API server (relist on 410, exec plugins, token rotation, TLS).
if(TARGET shop-kube)
  add_executable(shop-kube-e2e ${E2E_DIR}/kube/kube_e2e_test.cpp)
  target_link_libraries(shop-kube-e2e PRIVATE shop-kube shop-https-linked GTest::gtest GTest::gtest_main)
  shop_add_e2e_test(e2e_kube_client COMMAND bash -c "set -a && . ${TESTENV_RUN_DIR}/env && exec $<TARGET_FILE:shop-kube-e2e>" TIMEOUT 300)
endif()
