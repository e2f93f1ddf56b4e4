// One set of hardening defaults: `render` and `harden` emit identical fragments for the same
// intent. The ShopApp below is rendered; its Deployment and Service, stripped of everything the
// hardening defaults add, are handed to `harden` as a foreign manifest; the fragments harden
// adds back must equal the renderer's, value for value.
#include <gtest/gtest.h>

#include "core/audit/harden.hpp"
#include "core/render/render.hpp"
#include "test_util.hpp"

using namespace shop;
using namespace shop::audit;

using namespace shop::test;

namespace {

const char* kApp = R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: shop, namespace: shop}
spec:
  mesh: {enabled: true}
  services:
  - name: web
    image: weaveworksdemos/front-end:0.3.12
    ports: [{port: 8079}]
    dependsOn: [carts]
  - name: carts
    image: weaveworksdemos/carts:0.4.8
    ports: [{port: 80}]
    probes:
      readiness: {http: {path: /health}}
    autoscaling: {min: 2, max: 5, cpu: 70}
)";

struct Fixture {
  std::vector<Json> rendered;
  HardenResult hardened;
};

Json strippedForHarden(Json o) {
  if (test::objectKind(o) != "Deployment") return o;
  Json& pod = o["spec"]["template"]["spec"];
  pod.erase("topologySpreadConstraints");
  pod.erase("affinity");
  for (auto& c : pod["containers"]) {
    c.erase("readinessProbe");
    c.erase("livenessProbe");
    c.erase("startupProbe");
  }
  return o;
}

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.rendered = render(test::mustParse(kApp)).objects;
    std::vector<Manifest> input;
    for (const auto& o : out.rendered) {
      const std::string kind = test::objectKind(o);
      if (kind == "Deployment" || kind == "Service") input.push_back({strippedForHarden(o), "rendered.yaml", nullptr, ""});
    }
    HardenOptions opts;
    opts.mesh = true;
    opts.calls = {{"web", "carts"}};
    out.hardened = harden(input, opts);
    return out;
  }();
  return f;
}

const Json& rendered(const std::string& kind, const std::string& name) {
  const Json* o = test::find(fixture().rendered, kind, name);
  if (!o) throw std::runtime_error("render made no " + kind + " " + name);
  return *o;
}

const Json& hardened(const std::string& kind, const std::string& name) {
  const Json* o = test::find(fixture().hardened.objects, kind, name);
  if (!o) throw std::runtime_error("harden made no " + kind + " " + name);
  return *o;
}

}  // namespace

TEST(HardeningDefaults, ProbesAreTheSame) {
  const Json& r = container(rendered("Deployment", "carts"));
  const Json& h = container(hardened("Deployment", "carts"));
  EXPECT_EQ(h["readinessProbe"], r["readinessProbe"]);
  EXPECT_EQ(h["livenessProbe"], r["livenessProbe"]);
  EXPECT_EQ(r["readinessProbe"]["timeoutSeconds"], 3);
  EXPECT_EQ(r["livenessProbe"]["periodSeconds"], 20);
}

TEST(HardeningDefaults, SpreadAndAntiAffinityAreTheSame) {
  const Json& r = rendered("Deployment", "carts")["spec"]["template"]["spec"];
  const Json& h = hardened("Deployment", "carts")["spec"]["template"]["spec"];
  EXPECT_EQ(h["topologySpreadConstraints"], r["topologySpreadConstraints"]);
  EXPECT_EQ(h["affinity"], r["affinity"]);
  EXPECT_EQ(r["topologySpreadConstraints"].size(), 2u);
}

TEST(HardeningDefaults, DisruptionBudgetIsTheSame) {
  EXPECT_EQ(hardened("PodDisruptionBudget", "carts")["spec"], rendered("PodDisruptionBudget", "carts")["spec"]);
}

TEST(HardeningDefaults, AutoscalerIsTheSame) {
  EXPECT_EQ(hardened("HorizontalPodAutoscaler", "carts")["spec"], rendered("HorizontalPodAutoscaler", "carts")["spec"]);
}

TEST(HardeningDefaults, MeshRouteAndOutlierDetectionAreTheSame) {
  const Json& rvs = rendered("VirtualService", "carts")["spec"];
  const Json& hvs = hardened("VirtualService", "carts")["spec"];
  EXPECT_EQ(hvs, rvs);
  EXPECT_EQ(rvs["http"][0]["retries"]["attempts"], 2);
  EXPECT_EQ(hardened("DestinationRule", "carts")["spec"]["trafficPolicy"]["outlierDetection"],
            rendered("DestinationRule", "carts")["spec"]["trafficPolicy"]["outlierDetection"]);
}

TEST(HardeningDefaults, DnsEgressIsTheSame) {
  const Json& r = rendered("NetworkPolicy", "shop-baseline")["spec"]["egress"][0];
  const Json& h = hardened("NetworkPolicy", "default-deny")["spec"]["egress"][0];
  EXPECT_EQ(h, r);
  EXPECT_EQ(r["ports"][0]["port"], 53);
}
