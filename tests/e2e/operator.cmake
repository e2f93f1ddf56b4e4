# The operator's proofs on the real control plane (issue 4), and the hardened upstream Sock Shop
# under Pod Security restricted (issue 5). Included by tests/e2e/CMakeLists.txt.
if(TARGET shop-operator AND TARGET shopctl)
  foreach(t sockshop edits drift quiet invalid leader faults mesh bind adopt status_retry blocked engine hostile)
    shop_add_e2e_test(e2e_operator_${t}
      COMMAND bash ${E2E_DIR}/operator/${t}.sh $<TARGET_FILE:shop-operator> $<TARGET_FILE:shopctl>
      TIMEOUT 600)
  endforeach()
  # 20 apps twice (without, then with faults): longer than the others.
  shop_add_e2e_test(e2e_operator_chaos
    COMMAND bash ${E2E_DIR}/operator/chaos.sh $<TARGET_FILE:shop-operator> $<TARGET_FILE:shopctl>
    TIMEOUT 1500)
endif()
if(TARGET shopctl)
  shop_add_e2e_test(e2e_harden_sockshop
    COMMAND bash ${E2E_DIR}/harden-sockshop.sh ${TESTENV_RUN_DIR} $<TARGET_FILE:shopctl>
    TIMEOUT 600)
endif()
