// shopctl harden on the upstream Sock Shop: idempotent, audits clean for every rule it claims
// to fix, and the specific corrections the issue asks for.
#include <gtest/gtest.h>

#include "test_util.hpp"

#include <map>
#include <set>

#include "core/audit/audit.hpp"
#include "core/audit/harden.hpp"
#include "core/io/yaml.hpp"
#include "netpol_eval.hpp"

using namespace shop;
using namespace shop::audit;

using namespace shop::test;

namespace {

const char* kUpstream = SHOP_SOURCE_DIR "/../shared/fixtures/sockshop-upstream/complete-demo.yaml";

std::vector<Manifest> upstream() {
  auto y = loadYamlFile(kUpstream);
  EXPECT_TRUE(y.ok());
  std::vector<Manifest> ms;
  Diagnostics d;
  addDocuments(y.documents, ms, d);
  return ms;
}

// Output objects as input again, through YAML text (what a second `shopctl harden` run reads).
std::vector<Manifest> reread(const std::vector<Json>& objects) {
  auto r = loadManifests(toYamlStream(objects), "hardened.yaml");
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return r.manifests;
}

HardenOptions meshOptions() {
  HardenOptions o;
  o.mesh = true;
  o.ingressHost = "shop.example.test";
  return o;
}

}  // namespace

TEST(HardenSockShop, IsIdempotent) {
  HardenOptions opts;
  auto once = harden(upstream(), opts);
  auto twice = harden(reread(once.objects), opts);
  EXPECT_EQ(toYamlStream(twice.objects), toYamlStream(once.objects));
  EXPECT_TRUE(twice.changes.empty()) << twice.changes.size() << " changes, first: "
                                     << (twice.changes.empty() ? "" : twice.changes[0].ruleId + " " + twice.changes[0].message);
}

TEST(HardenSockShop, IsIdempotentWithMeshIngressAndGeneratedSecrets) {
  HardenOptions opts = meshOptions();
  opts.secretMode = SecretMode::Generate;
  opts.seed = 42;
  auto once = harden(upstream(), opts);
  auto twice = harden(reread(once.objects), opts);
  EXPECT_EQ(toYamlStream(twice.objects), toYamlStream(once.objects));
  EXPECT_TRUE(twice.changes.empty());
  // and deterministic for a given seed
  EXPECT_EQ(toYamlStream(harden(upstream(), opts).objects), toYamlStream(once.objects));
}

TEST(HardenSockShop, OutputAuditsCleanForEveryAutoFixRule) {
  for (const HardenOptions& opts : {HardenOptions{}, meshOptions()}) {
    auto out = harden(upstream(), opts);
    Inventory inv(reread(out.objects));
    if (opts.mesh) {
      EXPECT_TRUE(inv.istioInUse());
    }
    auto report = runAudit(inv, {});
    std::set<std::string> left;
    for (const auto& f : report.findings) {
      const Rule* r = findRule(f.ruleId);
      ASSERT_NE(r, nullptr);
      if (f.ruleId != "exposure-service-type" || !opts.ingressHost.empty()) {
        EXPECT_FALSE(r->autoFix) << f.ruleId << " " << f.objectRef << ": " << f.message;
      }
      left.insert(f.ruleId);
    }
    // what stays is the advice harden cannot act on: single-instance databases; and without an
    // Ingress host, the front-end's NodePort, kept so that its browsers are not cut off
    if (opts.ingressHost.empty()) {
      EXPECT_EQ(left, (std::set<std::string>{"data-single-instance", "exposure-service-type"}));
    } else {
      EXPECT_EQ(left, (std::set<std::string>{"data-single-instance"}));
      EXPECT_EQ(report.summary.score, 100);
    }
  }
}

TEST(HardenSockShop, EveryChangeNamesARule) {
  auto out = harden(upstream(), {});
  ASSERT_FALSE(out.changes.empty());
  std::set<std::string> rules;
  for (const auto& c : out.changes) {
    const Rule* r = findRule(c.ruleId);
    ASSERT_NE(r, nullptr) << c.ruleId;
    EXPECT_TRUE(r->autoFix) << c.ruleId;
    EXPECT_FALSE(c.object.empty());
    EXPECT_FALSE(c.message.empty());
    rules.insert(c.ruleId);
  }
  // every rule the upstream violates and harden can fix shows up in the explanation
  // (but the NodePort, which harden keeps without an Ingress host: FrontEndStaysANodePort...)
  auto before = runAudit(Inventory(upstream()), {});
  for (const auto& f : before.findings)
    if (findRule(f.ruleId)->autoFix && f.ruleId != "exposure-service-type") {
      EXPECT_TRUE(rules.count(f.ruleId)) << f.ruleId;
    }
}

TEST(HardenSockShop, PlaintextPasswordMovesToASecret) {
  auto out = harden(upstream(), {});
  const Json* db = find(out.objects, "StatefulSet", "catalogue-db");
  ASSERT_NE(db, nullptr);
  const Json& env = container(*db)["env"];
  ASSERT_EQ(env[0]["name"], "MYSQL_ROOT_PASSWORD");
  EXPECT_FALSE(env[0].contains("value"));
  EXPECT_EQ(env[0]["valueFrom"]["secretKeyRef"], (Json{{"name", "catalogue-db-credentials"}, {"key", "MYSQL_ROOT_PASSWORD"}}));
  EXPECT_EQ(env[1], (Json{{"name", "MYSQL_DATABASE"}, {"value", "socksdb"}}));  // not a credential
  const Json* secret = find(out.objects, "Secret", "catalogue-db-credentials");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ((*secret)["stringData"]["MYSQL_ROOT_PASSWORD"], "fake_password");  // --secret-mode move keeps the value
  EXPECT_EQ((*secret)["metadata"]["annotations"]["shopctl.io/secret-mode"], "move");
  // nowhere else in the output
  std::string yaml = toYamlStream(out.objects);
  EXPECT_EQ(yaml.find("fake_password"), yaml.rfind("fake_password"));
}

TEST(HardenSockShop, GenerateModeWritesARandomValue) {
  HardenOptions opts;
  opts.secretMode = SecretMode::Generate;
  opts.seed = 7;
  auto a = harden(upstream(), opts);
  const Json* secret = find(a.objects, "Secret", "catalogue-db-credentials");
  ASSERT_NE(secret, nullptr);
  std::string value = (*secret)["stringData"]["MYSQL_ROOT_PASSWORD"];
  EXPECT_EQ(value.size(), 24u);
  EXPECT_NE(value, "fake_password");
  EXPECT_EQ(toYamlStream(a.objects).find("fake_password"), std::string::npos);
  opts.seed = 8;
  auto b = harden(upstream(), opts);
  EXPECT_NE((*find(b.objects, "Secret", "catalogue-db-credentials"))["stringData"]["MYSQL_ROOT_PASSWORD"], value);
}

TEST(HardenSockShop, ImagesArePinnedFromTheTableOrFlags) {
  auto out = harden(upstream(), {});
  EXPECT_EQ(container(*find(out.objects, "StatefulSet", "carts-db"))["image"], "mongo:4.4.29");
  EXPECT_EQ(container(*find(out.objects, "StatefulSet", "orders-db"))["image"], "mongo:4.4.29");
  EXPECT_EQ(container(*find(out.objects, "StatefulSet", "session-db"))["image"], "redis:7.2.4-alpine");
  const Json* rabbit = find(out.objects, "StatefulSet", "rabbitmq");
  EXPECT_EQ(container(*rabbit, 1)["image"], "kbudde/rabbitmq-exporter:v0.29.0");
  EXPECT_EQ(container(*rabbit, 0)["image"], "rabbitmq:3.6.8-management");  // already pinned
  for (const auto* kind : {"Deployment", "StatefulSet"})
    for (const Json* w : all(out.objects, kind))
      for (const auto& c : (*w)["spec"]["template"]["spec"]["containers"]) EXPECT_EQ(c["imagePullPolicy"], "Always");
  HardenOptions opts;
  opts.pins["mongo"] = "5.0.11";
  opts.pins["redis"] = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  auto pinned = harden(upstream(), opts);
  EXPECT_EQ(container(*find(pinned.objects, "StatefulSet", "carts-db"))["image"], "mongo:5.0.11");
  EXPECT_EQ(container(*find(pinned.objects, "StatefulSet", "session-db"))["image"],
            "redis:alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

TEST(HardenSockShop, RestrictedSecurityContexts) {
  auto out = harden(upstream(), {});
  size_t containers = 0;
  for (const auto* kind : {"Deployment", "StatefulSet"})
    for (const Json* w : all(out.objects, kind)) {
      const Json& pod = (*w)["spec"]["template"]["spec"];
      EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
      EXPECT_GE(pod["securityContext"]["runAsUser"].get<int>(), 10000);
      EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
      EXPECT_EQ(pod["nodeSelector"], (Json{{"kubernetes.io/os", "linux"}}));
      EXPECT_EQ(pod["automountServiceAccountToken"], false);
      EXPECT_EQ(pod["serviceAccountName"], (*w)["metadata"]["name"]);
      for (const auto& c : pod["containers"]) {
        ++containers;
        const Json& sc = c["securityContext"];
        EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
        EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
        EXPECT_EQ(sc["capabilities"]["drop"], Json::array({"ALL"}));
        bool lowPort = false;
        for (const auto& p : c["ports"]) lowPort |= p["containerPort"].get<int>() < 1024;
        if (lowPort) {
          EXPECT_EQ(sc["capabilities"]["add"], Json::array({"NET_BIND_SERVICE"})) << c["name"];
        } else {
          EXPECT_FALSE(sc["capabilities"].contains("add")) << c["name"];
        }
        bool tmp = false;
        for (const auto& m : c["volumeMounts"]) tmp |= m["mountPath"] == "/tmp";
        EXPECT_TRUE(tmp) << c["name"] << " has no writable /tmp";
        for (const char* k : {"requests", "limits"})
          for (const char* r : {"cpu", "memory", "ephemeral-storage"}) EXPECT_TRUE(c["resources"][k].contains(r)) << c["name"];
      }
    }
  EXPECT_EQ(containers, 15u);
  const Json* ns = find(out.objects, "Namespace", "sock-shop");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ((*ns)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted");
}

TEST(HardenSockShop, DatabasesBecomeStatefulSetsWithVolumes) {
  auto out = harden(upstream(), {});
  EXPECT_EQ(all(out.objects, "Deployment").size(), 8u);
  EXPECT_EQ(all(out.objects, "StatefulSet").size(), 6u);
  const std::map<std::string, std::string> dataDirs = {
      {"carts-db", "/data/db"},         {"orders-db", "/data/db"}, {"user-db", "/data/db-users"},
      {"catalogue-db", "/var/lib/mysql"}, {"session-db", "/data"},  {"rabbitmq", "/var/lib/rabbitmq"}};
  for (const auto& [name, dir] : dataDirs) {
    const Json* s = find(out.objects, "StatefulSet", name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ((*s)["spec"]["serviceName"], name + "-headless");
    EXPECT_EQ((*s)["spec"]["replicas"], 1);  // a single-instance store is never scaled blindly
    EXPECT_EQ((*s)["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"], "1Gi");
    EXPECT_EQ((*s)["spec"]["persistentVolumeClaimRetentionPolicy"], (Json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}}));
    EXPECT_FALSE((*s)["spec"].contains("strategy"));
    bool mounted = false;
    for (const auto& m : container(*s)["volumeMounts"]) mounted |= m["name"] == "data" && m["mountPath"] == dir;
    EXPECT_TRUE(mounted) << name;
    const Json* headless = find(out.objects, "Service", name + "-headless");
    ASSERT_NE(headless, nullptr);
    EXPECT_EQ((*headless)["spec"]["clusterIP"], "None");
    EXPECT_EQ(find(out.objects, "PodDisruptionBudget", name), nullptr) << "no budget for a single instance";
  }
}

TEST(HardenSockShop, StatelessServicesGetHpaPdbAndSpread) {
  auto out = harden(upstream(), {});
  for (const Json* d : all(out.objects, "Deployment")) {
    std::string name = (*d)["metadata"]["name"];
    EXPECT_FALSE((*d)["spec"].contains("replicas")) << name;  // the HPA owns it
    const Json* hpa = find(out.objects, "HorizontalPodAutoscaler", name);
    ASSERT_NE(hpa, nullptr) << name;
    EXPECT_EQ((*hpa)["spec"]["minReplicas"], 2);
    EXPECT_EQ((*hpa)["spec"]["scaleTargetRef"]["name"], name);
    const Json* pdb = find(out.objects, "PodDisruptionBudget", name);
    ASSERT_NE(pdb, nullptr) << name;
    EXPECT_EQ((*pdb)["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
    EXPECT_EQ((*pdb)["spec"]["maxUnavailable"], 1);
    const Json& pod = (*d)["spec"]["template"]["spec"];
    EXPECT_EQ(pod["topologySpreadConstraints"].size(), 2u);
    EXPECT_TRUE(pod["affinity"]["podAntiAffinity"].is_object());
  }
  HardenOptions noHpa;
  noHpa.autoscale = false;
  auto fixed = harden(upstream(), noHpa);
  EXPECT_TRUE(all(fixed.objects, "HorizontalPodAutoscaler").empty());
  EXPECT_EQ((*find(fixed.objects, "Deployment", "carts"))["spec"]["replicas"], 2);
}

TEST(HardenSockShop, ProbesAddedAndLivenessDiffersFromReadiness) {
  auto out = harden(upstream(), {});
  const Json& carts = container(*find(out.objects, "Deployment", "carts"));
  EXPECT_EQ(carts["readinessProbe"]["httpGet"], (Json{{"path", "/health"}, {"port", 80}, {"scheme", "HTTP"}}));
  EXPECT_EQ(carts["livenessProbe"]["tcpSocket"], (Json{{"port", 80}}));
  EXPECT_EQ(carts["startupProbe"]["failureThreshold"], 30);
  // the upstream's identical probes: liveness becomes a TCP check, timing kept
  const Json& fe = container(*find(out.objects, "Deployment", "front-end"));
  EXPECT_EQ(fe["readinessProbe"]["httpGet"]["path"], "/");
  EXPECT_EQ(fe["livenessProbe"]["tcpSocket"]["port"], 8079);
  EXPECT_EQ(fe["livenessProbe"]["initialDelaySeconds"], 300);
  const Json& mongo = container(*find(out.objects, "StatefulSet", "carts-db"));
  EXPECT_EQ(mongo["readinessProbe"]["exec"]["command"][0], "mongo");
  EXPECT_EQ(mongo["livenessProbe"]["tcpSocket"]["port"], 27017);
}

// The front-end's browsers come from outside the cluster through node port 30001: harden keeps it
// (ClusterIP with nothing in front would take the shop down for all of them) and its policy lets
// any address in; with --ingress-host it becomes ClusterIP behind the Ingress harden writes.
TEST(HardenSockShop, FrontEndStaysANodePortUntilAnIngressPublishesIt) {
  auto out = harden(upstream(), {});
  const Json* fe = find(out.objects, "Service", "front-end");
  ASSERT_NE(fe, nullptr);
  EXPECT_EQ((*fe)["spec"]["type"], "NodePort");
  EXPECT_EQ((*fe)["spec"]["ports"][0]["nodePort"], 30001);
  EXPECT_TRUE(all(out.objects, "Ingress").empty());  // only when asked
  bool warned = false;
  for (const auto& w : out.warnings) warned |= w.find("type NodePort kept") != std::string::npos;
  EXPECT_TRUE(warned);
  const Json* deploy = find(out.objects, "Deployment", "front-end");
  ASSERT_NE(deploy, nullptr);
  const netpol::Pod pod{"sock-shop", (*deploy)["spec"]["template"]["metadata"]["labels"]};
  EXPECT_TRUE(netpol::externalAllowed(out.objects, pod, netpol::Target{8079, "TCP"}, "203.0.113.7"));
  EXPECT_FALSE(netpol::externalAllowed(out.objects, pod, netpol::Target{8080, "TCP"}, "203.0.113.7"));

  auto withIngress = harden(upstream(), meshOptions());
  fe = find(withIngress.objects, "Service", "front-end");
  EXPECT_EQ((*fe)["spec"]["type"], "ClusterIP");
  EXPECT_FALSE((*fe)["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE(netpol::externalAllowed(withIngress.objects, pod, netpol::Target{8079, "TCP"}, "203.0.113.7"));
  const Json* ing = find(withIngress.objects, "Ingress", "front-end");
  ASSERT_NE(ing, nullptr);
  EXPECT_EQ((*ing)["spec"]["tls"][0]["hosts"][0], "shop.example.test");
  EXPECT_EQ((*ing)["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"], "front-end");
}

// The default-deny policy's one egress goes where the cluster resolves names: kube-system's
// kube-dns pods by default, others and resolver addresses when asked (as spec.security.dns).
TEST(HardenSockShop, DefaultDenyLetsDnsOutWhereTheClusterResolves) {
  HardenOptions opts;
  opts.dnsNamespace = "openshift-dns";
  opts.dnsPodLabels = {{"dns.operator.openshift.io/daemonset-dns", "default"}};
  opts.dnsCidrs = {"169.254.20.10/32"};
  auto out = harden(upstream(), opts);
  const Json* deny = find(out.objects, "NetworkPolicy", "default-deny");
  ASSERT_NE(deny, nullptr);
  EXPECT_EQ((*deny)["spec"]["egress"][0]["to"],
            Json::parse(R"([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "openshift-dns"}},
                             "podSelector": {"matchLabels": {"dns.operator.openshift.io/daemonset-dns": "default"}}},
                            {"ipBlock": {"cidr": "169.254.20.10/32"}}])"));
  const auto plain = harden(upstream(), {});
  const Json* byDefault = find(plain.objects, "NetworkPolicy", "default-deny");
  ASSERT_NE(byDefault, nullptr);
  EXPECT_EQ((*byDefault)["spec"]["egress"][0]["to"][0]["podSelector"]["matchLabels"], (Json{{"k8s-app", "kube-dns"}}));
  EXPECT_EQ((*byDefault)["spec"]["egress"][0]["to"].size(), 1u);
}

TEST(HardenSockShop, NetworkPoliciesFollowTheCallGraph) {
  auto out = harden(upstream(), {});
  const Json* deny = find(out.objects, "NetworkPolicy", "default-deny");
  ASSERT_NE(deny, nullptr);
  EXPECT_EQ((*deny)["spec"]["podSelector"], Json::object());
  EXPECT_EQ((*deny)["spec"]["egress"][0]["ports"][0]["port"], 53);
  // carts-db accepts carts only, on 27017
  const Json* db = find(out.objects, "NetworkPolicy", "carts-db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ((*db)["spec"]["ingress"], Json::parse(R"([{"from":[{"podSelector":{"matchLabels":{"name":"carts"}}}],
                                                     "ports":[{"protocol":"TCP","port":27017}]}])"));
  // orders may call carts, user, payment, shipping and orders-db
  const Json* orders = find(out.objects, "NetworkPolicy", "orders");
  std::set<std::string> callees;
  for (const auto& rule : (*orders)["spec"]["egress"]) callees.insert(rule["to"][0]["podSelector"]["matchLabels"]["name"]);
  EXPECT_EQ(callees, (std::set<std::string>{"carts", "user", "payment", "shipping", "orders-db"}));
  // the entry point is reachable from other namespaces (the ingress controller), on its pod port
  const Json* fe = find(out.objects, "NetworkPolicy", "front-end");
  bool open = false;
  for (const auto& rule : (*fe)["spec"]["ingress"])
    open |= rule["from"][0].contains("namespaceSelector") && rule["from"][0]["namespaceSelector"].empty() &&
            rule["ports"][0]["port"] == 8079;
  EXPECT_TRUE(open);
  // shipping's ZIPKIN points at namespace jaeger
  bool jaeger = false;
  for (const auto& rule : (*find(out.objects, "NetworkPolicy", "shipping"))["spec"]["egress"])
    jaeger |= rule["to"][0].contains("namespaceSelector") &&
              rule["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == "jaeger";
  EXPECT_TRUE(jaeger);
}

TEST(HardenSockShop, MeshPoliciesForCalledServices) {
  auto out = harden(upstream(), meshOptions());
  const Json* vs = find(out.objects, "VirtualService", "carts");
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ((*vs)["spec"]["http"][0]["timeout"], "15s");
  EXPECT_EQ((*vs)["spec"]["http"][0]["retries"], Json({{"attempts", 2}, {"retryOn", "connect-failure,refused-stream,reset-before-request"}}));
  EXPECT_EQ(find(out.objects, "VirtualService", "carts-db"), nullptr);  // MongoDB is not HTTP
  EXPECT_EQ(find(out.objects, "DestinationRule", "carts-db"), nullptr);  // one pod: nothing to eject to
  EXPECT_NE(find(out.objects, "DestinationRule", "carts"), nullptr);
  EXPECT_EQ(find(out.objects, "VirtualService", "front-end"), nullptr);  // nobody calls it
  EXPECT_EQ(all(out.objects, "VirtualService").size(), 6u);
  EXPECT_EQ(all(out.objects, "DestinationRule").size(), 6u);
}
