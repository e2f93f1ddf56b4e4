// shopctl import: the upstream Sock Shop -> a ShopApp -> rendered again: the same services,
// images, ports and environment, now hardened; what could not be carried over is a warning.
#include <gtest/gtest.h>

#include <set>

#include "core/audit/audit.hpp"
#include "core/importer/import.hpp"
#include "core/render/render.hpp"
#include "test_util.hpp"

using namespace shop;

using namespace shop::test;

namespace {

const char* kUpstream = SHOP_SOURCE_DIR "/../shared/fixtures/sockshop-upstream/complete-demo.yaml";

struct Imported {
  std::vector<audit::Manifest> upstream;
  importer::ImportResult result;
};

Imported importUpstream() {
  const std::string text = test::readFile(kUpstream);
  if (text.empty()) throw std::runtime_error(std::string("missing fixture ") + kUpstream);
  auto loaded = audit::loadManifests(text, "complete-demo.yaml");
  Imported out;
  out.upstream = loaded.manifests;
  audit::Inventory inv(std::move(loaded.manifests));
  out.result = importer::importShopApp(inv, {"sock-shop", ""});
  return out;
}

}  // namespace

TEST(Import, UpstreamSockShopRoundTripsWithTheSameServicesImagesPortsAndEnv) {
  auto imp = importUpstream();
  auto parsed = parseShopApp(imp.result.app);
  ASSERT_TRUE(parsed.app) << parsed.diags.str() << imp.result.app.dump(2);
  const auto objects = render(*parsed.app).objects;
  const std::set<std::string> stores = {"carts-db", "orders-db", "user-db", "catalogue-db", "session-db", "rabbitmq"};
  int services = 0;
  for (const auto& m : imp.upstream) {
    const Json& o = m.object;
    if (o["kind"] != "Deployment") continue;
    const std::string name = o["metadata"]["name"];
    SCOPED_TRACE(name);
    const Json& up = o["spec"]["template"]["spec"]["containers"][0];
    if (stores.count(name)) {
      const Json* sts = find(objects, "StatefulSet", name);
      ASSERT_NE(sts, nullptr) << "a database run as a Deployment becomes a StatefulSet";
      EXPECT_FALSE((*sts)["spec"]["volumeClaimTemplates"].empty());
      continue;
    }
    ++services;
    const Json* d = find(objects, "Deployment", name);
    ASSERT_NE(d, nullptr);
    const Json& c = (*d)["spec"]["template"]["spec"]["containers"][0];
    EXPECT_EQ(c["image"], up["image"]);
    std::set<int> upPorts, ports;
    for (const auto& p : up.value("ports", Json::array())) upPorts.insert(p["containerPort"].get<int>());
    for (const auto& p : c.value("ports", Json::array())) ports.insert(p["containerPort"].get<int>());
    EXPECT_EQ(ports, upPorts);
    for (const auto& e : up.value("env", Json::array())) {
      bool same = false;
      for (const auto& r : c.value("env", Json::array())) same |= r["name"] == e["name"] && r.value("value", "") == e.value("value", "");
      EXPECT_TRUE(same) << "env " << e["name"] << " was not carried over";
    }
    const Json* svc = find(objects, "Service", name);
    ASSERT_NE(svc, nullptr);
    EXPECT_EQ((*svc)["spec"]["type"], "ClusterIP");
  }
  EXPECT_EQ(services, 8);
  // The front-end, a NodePort upstream, is now reached through the gateway with TLS.
  const Json* ing = find(objects, "Ingress", "sock-shop-gateway");
  ASSERT_NE(ing, nullptr);
  EXPECT_EQ((*ing)["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"], "front-end");
  EXPECT_FALSE((*ing)["spec"]["tls"].empty());
  // The call graph the manifests show becomes dependsOn, and so NetworkPolicies.
  const Json* np = find(objects, "NetworkPolicy", "orders");
  ASSERT_NE(np, nullptr);
  EXPECT_GE((*np)["spec"]["egress"].size(), 3u);
}

TEST(Import, TheImportedAppIsHardened) {
  auto imp = importUpstream();
  auto parsed = parseShopApp(imp.result.app);
  ASSERT_TRUE(parsed.app);
  auto loaded = audit::loadManifests(toYamlStream(render(*parsed.app).objects), "imported.yaml");
  audit::Inventory inv(std::move(loaded.manifests));
  auto report = audit::runAudit(inv, {});
  std::string list;
  for (const auto& f : report.findings)
    if (f.level == audit::Level::Critical || f.level == audit::Level::High) list += f.ruleId + " " + f.objectRef + "\n";
  EXPECT_EQ(list, "") << "critical or high findings in the rendered import";
  EXPECT_GE(report.summary.score, 95);
}

TEST(Import, WhatCannotBeExpressedIsAWarningNotASilentLoss) {
  auto imp = importUpstream();
  const std::string notes = imp.result.notes.str();
  EXPECT_NE(notes.find("sidecar container \"rabbitmq-exporter\""), std::string::npos) << notes;
  EXPECT_NE(notes.find("Deployment carts-db: image \"mongo\" floats: pinned to mongo:4.4.29"), std::string::npos);
  EXPECT_NE(notes.find("MYSQL_ROOT_PASSWORD"), std::string::npos);
  EXPECT_NE(notes.find("type NodePort becomes a route through the gateway"), std::string::npos);
  // The Sock Shop's nodeSelector beta.kubernetes.io/os: linux is the deprecated label of the
  // kubernetes.io/os: linux every rendered pod selects: said, and not carried over twice.
  EXPECT_NE(notes.find("nodeSelector beta.kubernetes.io/os becomes kubernetes.io/os"), std::string::npos) << notes;
  for (const auto& s : imp.result.app["spec"]["services"]) EXPECT_FALSE(s.contains("nodeSelector")) << s.dump();
  EXPECT_FALSE(imp.result.notes.hasErrors());
  // And no plaintext password survives into the ShopApp.
  EXPECT_EQ(imp.result.app.dump().find("fake_password"), std::string::npos);
}
