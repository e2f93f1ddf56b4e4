// The audit on the real upstream Sock Shop (complete-demo.yaml at microservices-demo 9dff06fa):
// the findings the issue names, pinned by rule, count and object.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/audit/audit.hpp"
#include "core/io/yaml.hpp"

using namespace shop;
using namespace shop::audit;

namespace {

const char* kUpstream = SHOP_SOURCE_DIR "/../shared/fixtures/sockshop-upstream/complete-demo.yaml";

Inventory loadUpstream() {
  auto y = loadYamlFile(kUpstream);
  EXPECT_TRUE(y.ok()) << (y.error ? y.error->str() : "");
  std::vector<Manifest> ms;
  Diagnostics d;
  addDocuments(y.documents, ms, d);
  EXPECT_FALSE(d.hasErrors()) << d.str();
  return Inventory(std::move(ms));
}

struct Upstream : ::testing::Test {
  static void SetUpTestSuite() {
    inv = new Inventory(loadUpstream());
    report = new AuditReport(runAudit(*inv, {}));
  }
  static void TearDownTestSuite() {
    delete report;
    delete inv;
  }
  static std::vector<Finding> of(const std::string& rule) {
    std::vector<Finding> out;
    for (const auto& f : report->findings)
      if (f.ruleId == rule) out.push_back(f);
    return out;
  }
  // The objects (and for container rules the containers named in the message) of a rule's findings.
  static std::multiset<std::string> objects(const std::string& rule) {
    std::multiset<std::string> out;
    for (const auto& f : of(rule)) out.insert(f.objectRef);
    return out;
  }
  static std::set<std::string> containers(const std::string& rule) {
    std::set<std::string> out;
    for (const auto& f : of(rule)) {
      auto a = f.message.find('"');
      auto b = f.message.find('"', a + 1);
      if (a != std::string::npos && b != std::string::npos) out.insert(f.message.substr(a + 1, b - a - 1));
    }
    return out;
  }
  static Inventory* inv;
  static AuditReport* report;
};
Inventory* Upstream::inv = nullptr;
AuditReport* Upstream::report = nullptr;

const std::set<std::string> kUnprobed = {"carts",    "orders",       "shipping",   "queue-master",
                                         "carts-db", "orders-db",    "user-db",    "catalogue-db",
                                         "session-db", "rabbitmq",   "rabbitmq-exporter"};
const std::set<std::string> kNoResources = {"carts-db", "orders-db", "user-db", "catalogue-db",
                                            "session-db", "rabbitmq", "rabbitmq-exporter"};

}  // namespace

TEST_F(Upstream, ReadsAllObjects) {
  EXPECT_EQ(inv->manifests().size(), 29u);  // 1 Namespace, 14 Deployments, 14 Services
  EXPECT_EQ(inv->workloads().size(), 14u);
  size_t containersTotal = 0;
  for (const auto& w : inv->workloads()) containersTotal += inv->containers(w, true).size();
  EXPECT_EQ(containersTotal, 15u);
}

TEST_F(Upstream, ElevenOfFifteenContainersHaveNoProbes) {
  EXPECT_EQ(of("probe-readiness-missing").size(), 11u);
  EXPECT_EQ(of("probe-liveness-missing").size(), 11u);
  EXPECT_EQ(containers("probe-readiness-missing"), kUnprobed);
  EXPECT_EQ(containers("probe-liveness-missing"), kUnprobed);
  // the four with probes use the same check for both
  EXPECT_EQ(containers("probe-identical"), (std::set<std::string>{"front-end", "catalogue", "payment", "user"}));
}

TEST_F(Upstream, DatabasesAndRabbitmqHaveNoRequestsOrLimits) {
  EXPECT_EQ(of("resources-requests-missing").size(), 7u);
  EXPECT_EQ(containers("resources-requests-missing"), kNoResources);
  EXPECT_EQ(of("resources-limits-missing").size(), 7u);
  EXPECT_EQ(containers("resources-limits-missing"), kNoResources);
}

TEST_F(Upstream, UntaggedAndFloatingImages) {
  EXPECT_EQ(containers("image-untagged"), (std::set<std::string>{"carts-db", "orders-db", "rabbitmq-exporter"}));
  EXPECT_EQ(of("image-untagged").size(), 3u);
  auto floating = of("image-floating-tag");
  ASSERT_EQ(floating.size(), 1u);
  EXPECT_EQ(floating[0].objectRef, "Deployment sock-shop/session-db");
  EXPECT_NE(floating[0].message.find("redis:alpine"), std::string::npos);
  EXPECT_TRUE(of("image-latest").empty());
}

TEST_F(Upstream, LowerCaseAllCapabilityDrops) {
  auto drops = of("sec-capabilities-drop-all");
  EXPECT_EQ(drops.size(), 15u);  // every container
  size_t lower = std::count_if(drops.begin(), drops.end(), [](const Finding& f) {
    return f.message.find("drops \"all\"") != std::string::npos;
  });
  EXPECT_EQ(lower, 12u);  // the 12 that have a securityContext spell it `all`
  // and the finding points at the list item itself
  const Finding& f = drops[0];
  EXPECT_EQ(f.objectRef, "Deployment sock-shop/carts");
  EXPECT_EQ(f.path, "spec.template.spec.containers[0].securityContext.capabilities.drop[0]");
  EXPECT_EQ(f.pos.line, 44);
}

TEST_F(Upstream, MissingPodSecurityContextSeccompAndPrivilegeEscalation) {
  EXPECT_EQ(of("sec-pod-security-context").size(), 14u);
  EXPECT_EQ(of("sec-seccomp").size(), 15u);
  auto ape = of("sec-privilege-escalation");
  EXPECT_EQ(ape.size(), 15u);
  for (const auto& f : ape) EXPECT_NE(f.message.find("unset"), std::string::npos) << f.message;
  EXPECT_EQ(containers("sec-run-as-non-root"),
            (std::set<std::string>{"carts-db", "orders-db", "user-db", "catalogue-db", "session-db", "rabbitmq",
                                   "rabbitmq-exporter", "queue-master"}));
  EXPECT_EQ(containers("sec-capabilities-add"),
            (std::set<std::string>{"carts-db", "orders-db", "user-db", "session-db", "rabbitmq"}));
}

TEST_F(Upstream, PlaintextMysqlRootPassword) {
  auto f = of("secret-env-plaintext");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].objectRef, "Deployment sock-shop/catalogue-db");
  EXPECT_NE(f[0].message.find("MYSQL_ROOT_PASSWORD"), std::string::npos);
  EXPECT_EQ(f[0].path, "spec.template.spec.containers[0].env[0].value");
  EXPECT_EQ(f[0].file, kUpstream);
  EXPECT_EQ(f[0].pos.line, 227);
}

TEST_F(Upstream, NodePortFrontEnd) {
  auto f = of("exposure-service-type");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].objectRef, "Service sock-shop/front-end");
  EXPECT_NE(f[0].message.find("NodePort"), std::string::npos);
}

TEST_F(Upstream, DeprecatedBetaOsNodeSelectorOnEveryWorkload) {
  auto f = of("deprecated-node-label");
  EXPECT_EQ(f.size(), 14u);
  for (const auto& x : f) EXPECT_NE(x.message.find("beta.kubernetes.io/os"), std::string::npos);
  EXPECT_EQ(f[0].path, "spec.template.spec.nodeSelector[\"beta.kubernetes.io/os\"]");
}

TEST_F(Upstream, SingleReplicasWithoutPdbOrHpa) {
  const std::multiset<std::string> stateless = {
      "Deployment sock-shop/carts",  "Deployment sock-shop/catalogue",    "Deployment sock-shop/front-end",
      "Deployment sock-shop/orders", "Deployment sock-shop/payment",      "Deployment sock-shop/queue-master",
      "Deployment sock-shop/shipping", "Deployment sock-shop/user"};
  EXPECT_EQ(objects("avail-single-replica"), stateless);
  EXPECT_EQ(objects("avail-no-pdb"), stateless);
  EXPECT_EQ(objects("avail-no-hpa"), stateless);
}

TEST_F(Upstream, DatabasesAsDeploymentsWithoutPersistentStorage) {
  const std::multiset<std::string> stores = {
      "Deployment sock-shop/carts-db",   "Deployment sock-shop/catalogue-db", "Deployment sock-shop/orders-db",
      "Deployment sock-shop/rabbitmq",   "Deployment sock-shop/session-db",   "Deployment sock-shop/user-db"};
  EXPECT_EQ(objects("data-database-deployment"), stores);
  EXPECT_EQ(objects("data-no-persistent-volume"), stores);
}

TEST_F(Upstream, NoNetworkPolicyAndDefaultServiceAccounts) {
  EXPECT_EQ(of("network-policy-missing").size(), 14u);
  EXPECT_EQ(of("sa-default").size(), 14u);
  EXPECT_EQ(of("sa-token-automount").size(), 14u);
  EXPECT_EQ(of("sec-namespace-pod-security").size(), 1u);
}

TEST_F(Upstream, NoFalsePositives) {
  // Istio is not in use, nothing is privileged or shares host namespaces, APIs are current.
  for (const char* rule : {"mesh-timeout-retries", "mesh-outlier-detection", "sec-privileged", "sec-host-namespaces",
                           "sec-host-path", "sec-host-port", "deprecated-api-version", "secret-args-plaintext",
                           "secret-configmap-plaintext", "exposure-ingress-tls", "avail-hpa-replicas-conflict"})
    EXPECT_TRUE(of(rule).empty()) << rule;
  EXPECT_FALSE(inv->istioInUse());
}

TEST_F(Upstream, SummaryAndScore) {
  const auto& s = report->summary;
  size_t sum = 0;
  for (const auto& [l, n] : s.counts) sum += n;
  EXPECT_EQ(sum, report->findings.size());
  EXPECT_EQ(s.counts.at(Level::Critical), 1u);  // the plaintext password
  EXPECT_GT(s.score, 0);
  EXPECT_LT(s.score, 100);
  EXPECT_EQ(s.objects, 29u);
}

TEST_F(Upstream, CallGraphFromConfigAndKnownImages) {
  auto edge = [&](const std::string& from, const std::string& to) -> const CallEdge* {
    for (const auto& e : inv->calls()) {
      const auto& w = inv->workloads()[e.from];
      std::string target = e.toService ? nameOf(inv->object(*e.toService)) : "ns/" + e.toNamespace;
      if (nameOf(inv->object(w.object)) == from && target == to) return &e;
    }
    return nullptr;
  };
  // from the env var `mongo=user-db:27017`
  const CallEdge* u = edge("user", "user-db");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->evidence, "env mongo=user-db:27017");
  EXPECT_EQ(u->port, 27017);
  // from ZIPKIN=zipkin.jaeger.svc.cluster.local: another namespace
  ASSERT_NE(edge("shipping", "ns/jaeger"), nullptr);
  // from the image table (the front-end's hard-coded Service names)
  for (const char* to : {"catalogue", "carts", "orders", "user", "session-db"}) EXPECT_NE(edge("front-end", to), nullptr) << to;
  for (const char* to : {"carts", "user", "payment", "shipping", "orders-db"}) EXPECT_NE(edge("orders", to), nullptr) << to;
  EXPECT_NE(edge("queue-master", "rabbitmq"), nullptr);
  // nothing calls front-end; JAVA_OPTS words are not hosts
  for (size_t s : inv->ofKind("Service"))
    if (nameOf(inv->object(s)) == "front-end") {
      EXPECT_TRUE(inv->callersOf(s).empty());
    }
}
