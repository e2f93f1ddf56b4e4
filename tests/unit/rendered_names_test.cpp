// What only shows once an app is rendered (core/render/collisions.hpp): two parts of one app
// rendering objects of one kind and name, and ConfigMaps past the 1 MiB limit.
#include <gtest/gtest.h>

#include "core/render/collisions.hpp"
#include "core/render/render.hpp"
#include "test_util.hpp"

using namespace shop;

namespace {

const char* kHead =
    "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: APP, namespace: ns}\nspec:\n";

std::string app(const std::string& spec, const std::string& name = "shop") {
  std::string head = kHead;
  head.replace(head.find("APP"), 3, name);
  return head + spec;
}

std::string svc(const std::string& name, const std::string& extra = "") {
  return "  - {name: " + name + ", image: 'nginx:1.27', ports: [{name: http, port: 80}]" + extra + "}\n";
}

ParseResult parse(const std::string& yaml) {
  auto y = loadYaml(yaml, "t.yaml");
  EXPECT_TRUE(y.ok());
  return parseShopApp(y.documents.at(0));
}

}  // namespace

TEST(RenderedNames, HeadlessServiceOfADatabaseCollidesWithAService) {
  auto r = parse(app("  services:\n" + svc("web") + svc("cart-headless") +
                     "  databases:\n  - {name: cart, engine: mongodb}\n"));
  ASSERT_FALSE(r.app);
  ASSERT_EQ(r.diags.errorCount(), 1u) << r.diags.str();
  EXPECT_EQ(r.diags.items()[0].str(),
            "t.yaml:7:6: error: spec.services[1].name: Service \"cart-headless\" would be rendered twice: "
            "for database \"cart\" (spec.databases[0]) and for service \"cart-headless\" "
            "(spec.services[1]); rename one of them")
      << r.diags.str();
}

TEST(RenderedNames, AppBaselinePolicyCollidesWithAService) {
  auto r = parse(app("  services:\n" + svc("shop-baseline")));
  ASSERT_FALSE(r.app);
  EXPECT_NE(r.diags.str().find("NetworkPolicy \"shop-baseline\" would be rendered twice"), std::string::npos)
      << r.diags.str();
  EXPECT_NE(r.diags.str().find("the app \"shop\" itself"), std::string::npos) << r.diags.str();
}

TEST(RenderedNames, ServiceVolumeClaimCollidesWithAStatefulSetClaim) {
  auto r = parse(app("  services:\n" + svc("data", ", replicas: 1, storage: [{name: db-0, path: /data}]") +
                     "  databases:\n  - {name: db, engine: postgresql}\n"));
  ASSERT_FALSE(r.app);
  EXPECT_NE(r.diags.str().find("PersistentVolumeClaim \"data-db-0\" would be rendered twice"), std::string::npos)
      << r.diags.str();
}

TEST(RenderedNames, EveryCollisionIsReportedAtOnce) {
  auto r = parse(app("  services:\n" + svc("shop-baseline") + svc("cart-headless") +
                     "  databases:\n  - {name: cart, engine: mongodb}\n"));
  ASSERT_FALSE(r.app);
  EXPECT_GE(r.diags.errorCount(), 2u) << r.diags.str();
}

TEST(RenderedNames, ShippedAppsHaveNone) {
  for (const auto& [name, file] : test::kApps) {
    auto r = loadShopAppFile(file);
    ASSERT_TRUE(r.app) << r.diags.str();
    EXPECT_FALSE(checkRenderedObjects(*r.app).hasErrors()) << name;
  }
}

TEST(RenderedNames, ConfigMapPastOneMiBIsAnError) {
  std::string files = ", config: {files: [";
  for (int i = 0; i < 5; ++i)
    files += std::string(i ? "," : "") + "{path: /etc/f" + std::to_string(i) + ", content: " +
             std::string(262144, 'x') + "}";
  auto r = parse(app("  services:\n" + svc("web", files + "]}")));
  ASSERT_FALSE(r.app);
  EXPECT_NE(r.diags.str().find("spec.services[0].config.files: ConfigMap \"web-files\" would hold 1310"), std::string::npos)
      << r.diags.str().substr(0, 500);
}

