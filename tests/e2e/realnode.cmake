# Real-node e2e tests (label realnode): a testenv cluster started with `testenv/up --real-node`,
# so pods run real processes (kubelet, containerd, runc, CNI, CoreDNS, kube-proxy, kube-router's
# NetworkPolicy controller, metrics-server). One fixture cluster for all of them; they take the
# "testenv" lock like every e2e test (one at a time: the machine has 2 cores).
set(REALNODE_RUN_DIR ${CMAKE_BINARY_DIR}/testenv-realnode-run)
set(REALNODE_ENVIRONMENT
  "TESTENV_RUN_DIR=${REALNODE_RUN_DIR}"
  "TESTENV_ROOT=${TESTENV_ROOT}"
  "KUBECONFIG=${REALNODE_RUN_DIR}/kubeconfig"
  "SHOPCTL_BUILD_DIR=${CMAKE_BINARY_DIR}"
  "PATH=/usr/local/go/bin:$ENV{PATH}")

add_test(NAME realnode_up COMMAND bash ${E2E_DIR}/realnode/fixture.sh up ${REALNODE_RUN_DIR})
set_tests_properties(realnode_up PROPERTIES FIXTURES_SETUP realnode LABELS "e2e;realnode"
  RESOURCE_LOCK testenv TIMEOUT 3600 ENVIRONMENT "${REALNODE_ENVIRONMENT}")
add_test(NAME realnode_down COMMAND bash ${E2E_DIR}/realnode/fixture.sh down ${REALNODE_RUN_DIR})
set_tests_properties(realnode_down PROPERTIES FIXTURES_CLEANUP realnode LABELS "e2e;realnode"
  RESOURCE_LOCK testenv TIMEOUT 180 ENVIRONMENT "${REALNODE_ENVIRONMENT}")

function(shop_add_realnode_test name)
  cmake_parse_arguments(RN "" "TIMEOUT" "COMMAND" ${ARGN})
  if(NOT RN_TIMEOUT)
    set(RN_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${RN_COMMAND})
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED realnode LABELS "e2e;realnode"
    RESOURCE_LOCK testenv TIMEOUT ${RN_TIMEOUT} ENVIRONMENT "${REALNODE_ENVIRONMENT}")
endfunction()

foreach(t pod_basics restricted netpol dns_services volumes_images operator_incluster)
  shop_add_realnode_test(realnode_${t} COMMAND bash ${E2E_DIR}/realnode/${t}.sh)
endforeach()
shop_add_realnode_test(realnode_hpa COMMAND bash ${E2E_DIR}/realnode/hpa.sh TIMEOUT 600)
# harden keeps a NodePort's clients outside the cluster: a client in a network namespace of its own (issue 13).
shop_add_realnode_test(realnode_nodeport COMMAND bash ${E2E_DIR}/realnode/nodeport.sh TIMEOUT 600)
# shopctl loadtest against a ShopApp through the operator: the HPA scales under it (issue 10).
shop_add_realnode_test(realnode_loadtest COMMAND bash ${E2E_DIR}/realnode/loadtest.sh TIMEOUT 900)
# Calls from outside the app (services[].ingress, databases[].ingress) admitted, and nothing else (issue 13).
shop_add_realnode_test(realnode_ingress COMMAND bash ${E2E_DIR}/realnode/ingress.sh TIMEOUT 600)
# Data stores through shop-operator, as rendered (issue 10): one test per engine.
shop_add_realnode_test(realnode_redis COMMAND bash ${E2E_DIR}/realnode/redis.sh TIMEOUT 900)
shop_add_realnode_test(realnode_postgresql COMMAND bash ${E2E_DIR}/realnode/postgresql.sh TIMEOUT 1200)
shop_add_realnode_test(realnode_mariadb COMMAND bash ${E2E_DIR}/realnode/mariadb.sh TIMEOUT 1200)
shop_add_realnode_test(realnode_rabbitmq COMMAND bash ${E2E_DIR}/realnode/rabbitmq.sh TIMEOUT 1200)
shop_add_realnode_test(realnode_kafka COMMAND bash ${E2E_DIR}/realnode/kafka.sh TIMEOUT 1200)
# The Helm chart with the image built here referenced by digest (issue 12).
shop_add_realnode_test(realnode_helm COMMAND bash ${E2E_DIR}/realnode/helm.sh TIMEOUT 900)

# Leaves nothing behind, twice, and after a crashed up: needs the machine's one real node, so it
# runs after the fixture's cluster is gone.
add_test(NAME realnode_cycle COMMAND bash ${E2E_DIR}/realnode/cycle.sh)
set_tests_properties(realnode_cycle PROPERTIES LABELS "e2e;realnode" DEPENDS realnode_down
  RESOURCE_LOCK testenv TIMEOUT 900 ENVIRONMENT "${REALNODE_ENVIRONMENT}")
