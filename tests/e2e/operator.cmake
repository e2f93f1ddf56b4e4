# The operator's proofs on the real control plane (issue 4), and the hardened upstream Sock Shop
# under Pod Security restricted (issue 5). Included by tests/e2e/CMakeLists.txt.
if(TARGET shop-operator AND TARGET shopctl)
  foreach(t sockshop edits drift quiet invalid leader faults mesh bind adopt status_retry blocked engine hostile status_interval gateway_tls)
    shop_add_e2e_test(e2e_operator_${t}
      COMMAND bash ${E2E_DIR}/operator/${t}.sh $<TARGET_FILE:shop-operator> $<TARGET_FILE:shopctl>
      TIMEOUT 600)
  endforeach()
  # 20 apps twice (without, then with faults): longer than the others.
  shop_add_e2e_test(e2e_operator_chaos
    COMMAND bash ${E2E_DIR}/operator/chaos.sh $<TARGET_FILE:shop-operator> $<TARGET_FILE:shopctl>
    TIMEOUT 1500)
  # 20 apps converging through 5 SIGKILLs of kube-apiserver.
  shop_add_e2e_test(e2e_operator_chaos_kill
    COMMAND bash ${E2E_DIR}/operator/chaos_kill.sh $<TARGET_FILE:shop-operator> $<TARGET_FILE:shopctl>
    TIMEOUT 1200)
  # Four operator tests again with the shop-operator of the sanitized build (ASan, LSan, UBSan;
  # any report fails the test, tests/e2e/operator/sanitized.sh). sanitize_unit builds it in
  # sanitize-build, so these wait for that test (DEPENDS) and carry its label too: `make e2e`
  # leaves them out, `make test` and CI run them. Four, not all, for CI's time (they come last,
  # after sanitize_unit's 17-minute build): the ones that stress what the sanitizers see best,
  # concurrency and teardown: edits (many reconciles of one app), leader (freeze, SIGTERM drain,
  # exit), hostile (89 bad specs) and chaos_kill (20 apps through 5 API server kills).
  # `SHOP_SANITIZED_E2E=all` (cmake -D) runs every other operator test the same way.
  set(SHOP_SANITIZED_E2E "edits;leader;hostile;chaos_kill" CACHE STRING
      "operator e2e tests run again with the sanitized shop-operator ('all' for every one)")
  set(_sanitized ${SHOP_SANITIZED_E2E})
  if(_sanitized STREQUAL "all")
    set(_sanitized edits drift leader mesh bind adopt status_retry blocked engine hostile chaos chaos_kill faults sockshop invalid quiet status_interval gateway_tls)
  endif()
  if(NOT SHOP_SANITIZE)
    foreach(t ${_sanitized})
      shop_add_e2e_test(e2e_sanitized_operator_${t}
        COMMAND bash ${E2E_DIR}/operator/sanitized.sh ${CMAKE_BINARY_DIR}/sanitize-build ${t} $<TARGET_FILE:shopctl>
        TIMEOUT 1500)
      set_tests_properties(e2e_sanitized_operator_${t} PROPERTIES DEPENDS sanitize_unit LABELS "e2e;sanitize")
    endforeach()
  endif()
endif()
if(TARGET shopctl)
  shop_add_e2e_test(e2e_harden_sockshop
    COMMAND bash ${E2E_DIR}/harden-sockshop.sh ${TESTENV_RUN_DIR} $<TARGET_FILE:shopctl>
    TIMEOUT 600)
endif()
