// planLoadTest: the Job and NetworkPolicies of `shopctl loadtest` (core/render/loadtest.cpp).
#include <gtest/gtest.h>

#include "core/render/loadtest.hpp"
#include "core/render/meta.hpp"
#include "core/render/render.hpp"
#include "test_util.hpp"

namespace shop {
namespace {

const char* kApp = R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: shop, namespace: prod}
spec:
  security:
    dns: {cidrs: [10.0.0.10/32]}
  gateway: {enabled: true, host: shop.example.com}
  services:
  - name: web
    image: example.com/web:1.0
    ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9000}]
    nodeSelector: {pool: edge}
    tolerations: [{key: edge, operator: Exists, effect: NoSchedule}]
    dependsOn: [db]
  - name: api
    image: example.com/api:1.0
    ports: [{port: 8080}]
    expose: {paths: [/api], port: "8080"}
  - name: worker
    image: example.com/worker:1.0
    probes: {liveness: {exec: ["true"]}, readiness: {exec: ["true"]}}
  databases:
  - name: db
    engine: redis
)";

LoadTestSpec spec(const std::string& service) {
  LoadTestSpec s;
  s.service = service;
  return s;
}

TEST(LoadTest, JobRunsHeyRestrictedWhereTheTargetRuns) {
  const ShopApp app = test::mustParse(kApp);
  LoadTestSpec s = spec("web");
  s.durationSeconds = 90;
  s.concurrency = 4;
  s.rate = 25;
  s.path = "/catalogue?size=5";
  const LoadTestPlan p = planLoadTest(app, s);
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.name, "shop-loadtest-web");
  EXPECT_EQ(p.url, "http://web.prod.svc:80/catalogue?size=5");
  EXPECT_EQ(p.job["metadata"]["namespace"], "prod");
  EXPECT_FALSE(p.job["metadata"]["labels"].contains(kAppLabel)) << "the operator would prune it";
  const Json& jspec = p.job["spec"];
  EXPECT_EQ(jspec["backoffLimit"], 0);
  EXPECT_EQ(jspec["activeDeadlineSeconds"], 390);
  EXPECT_EQ(jspec["ttlSecondsAfterFinished"], 600);
  const Json& pod = jspec["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(pod["serviceAccountName"], "default");
  EXPECT_EQ(pod["automountServiceAccountToken"], false);
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["nodeSelector"]["pool"], "edge");
  EXPECT_EQ(pod["tolerations"][0]["key"], "edge");
  const Json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], kDefaultLoadTestImage);
  EXPECT_EQ(c["command"], Json::array({"hey"}));
  EXPECT_EQ(c["args"], Json::array({"-z", "90s", "-c", "4", "-q", "25", "http://web.prod.svc:80/catalogue?size=5"}));
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"], Json::array({"ALL"}));
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
  const Json& init = pod["initContainers"][0];
  EXPECT_EQ(init["name"], "wait-for-target");
  EXPECT_EQ(init["command"].back(), p.url);
  EXPECT_EQ(init["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(jspec["template"]["metadata"]["annotations"]["sidecar.istio.io/inject"], "false");
}

TEST(LoadTest, PoliciesLetExactlyTheLoadThrough) {
  const ShopApp app = test::mustParse(kApp);
  const LoadTestPlan p = planLoadTest(app, spec("web"));
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.policies.size(), 2u);
  const Json podLabels = p.job["spec"]["template"]["metadata"]["labels"];
  // Egress of the load generator: DNS (the app's resolvers) and the target's pods on its container port.
  const Json& out = p.policies[0];
  EXPECT_EQ(out["spec"]["policyTypes"], Json::array({"Egress"}));
  for (auto it = out["spec"]["podSelector"]["matchLabels"].begin(); it != out["spec"]["podSelector"]["matchLabels"].end(); ++it)
    EXPECT_EQ(podLabels.value(it.key(), ""), it.value()) << "the egress policy does not select the load generator";
  const Json& egress = out["spec"]["egress"];
  ASSERT_EQ(egress.size(), 2u);
  EXPECT_EQ(egress[0]["to"].back()["ipBlock"]["cidr"], "10.0.0.10/32");
  EXPECT_EQ(egress[1]["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"], "web");
  EXPECT_EQ(egress[1]["ports"], Json::array({{{"protocol", "TCP"}, {"port", 8080}}}));
  // Ingress of the target: from the load generator only, on the same port.
  const Json& in = p.policies[1];
  EXPECT_EQ(in["metadata"]["name"], "shop-loadtest-web-target");
  EXPECT_EQ(in["spec"]["policyTypes"], Json::array({"Ingress"}));
  const RenderResult r = render(app);
  EXPECT_EQ(in["spec"]["podSelector"], test::get(r.objects, "Deployment", "web")["spec"]["selector"])
      << "the ingress policy must select exactly the target's pods";
  EXPECT_EQ(in["spec"]["ingress"][0]["from"][0]["podSelector"], out["spec"]["podSelector"]);
  EXPECT_EQ(in["spec"]["ingress"][0]["ports"], egress[1]["ports"]);
  // Neither belongs to the app (the operator prunes what carries its label).
  for (const auto& np : p.policies) EXPECT_FALSE(np["metadata"]["labels"].contains(kAppLabel));

  Json owned = p.policies[0];
  ownByJob(owned, {{"metadata", {{"name", "shop-loadtest-web"}, {"uid", "u-1"}}}});
  EXPECT_EQ(owned["metadata"]["ownerReferences"][0]["uid"], "u-1");
  EXPECT_EQ(owned["metadata"]["ownerReferences"][0]["kind"], "Job");
}

TEST(LoadTest, PortChoice) {
  const ShopApp app = test::mustParse(kApp);
  LoadTestSpec s = spec("web");
  s.port = "admin";
  EXPECT_EQ(planLoadTest(app, s).url, "http://web.prod.svc:9000/");
  s.port = "80";
  EXPECT_EQ(planLoadTest(app, s).url, "http://web.prod.svc:80/");
  s.port = "81";
  EXPECT_EQ(planLoadTest(app, s).error, "service \"web\" has no port \"81\" (its ports: http=80, admin=9000)");
  EXPECT_EQ(planLoadTest(app, spec("api")).url, "http://api.prod.svc:8080/") << "the exposed port";
}

TEST(LoadTest, RefusesWhatCannotBeLoadTested) {
  const ShopApp app = test::mustParse(kApp);
  EXPECT_EQ(planLoadTest(app, spec("wbe")).error, "ShopApp shop has no service \"wbe\" (did you mean \"web\"?)");
  EXPECT_EQ(planLoadTest(app, spec("zzzzzz")).error, "ShopApp shop has no service \"zzzzzz\"; its services: web, api, worker");
  EXPECT_NE(planLoadTest(app, spec("db")).error.find("is a data store"), std::string::npos);
  EXPECT_NE(planLoadTest(app, spec("worker")).error.find("has no ports"), std::string::npos);
  auto bad = [&](auto change) {
    LoadTestSpec s = spec("web");
    change(s);
    return planLoadTest(app, s).error;
  };
  EXPECT_NE(bad([](LoadTestSpec& s) { s.durationSeconds = 0; }), "");
  EXPECT_NE(bad([](LoadTestSpec& s) { s.concurrency = 0; }), "");
  EXPECT_NE(bad([](LoadTestSpec& s) { s.rate = -1; }), "");
  EXPECT_NE(bad([](LoadTestSpec& s) { s.path = "catalogue"; }), "");
  EXPECT_NE(bad([](LoadTestSpec& s) { s.path = "/a b"; }), "");
  EXPECT_NE(bad([](LoadTestSpec& s) { s.method = "get"; }), "");
  EXPECT_EQ(bad([](LoadTestSpec& s) { s.method = "POST"; }), "");
}

TEST(LoadTest, LongNamesStayValidAndDistinct) {
  std::string yaml = kApp;
  const std::string longSvc(40, 'a');
  yaml.replace(yaml.find("name: worker"), 12, "name: " + longSvc + "\n    ports: [{port: 80}]");
  yaml.replace(yaml.find("    probes: {liveness"), 70, "");
  yaml.replace(yaml.find("name: shop,"), 11, "name: " + std::string(40, 's') + ",");
  const ShopApp app = test::mustParse(yaml);
  const LoadTestPlan p = planLoadTest(app, spec(longSvc));
  ASSERT_EQ(p.error, "");
  EXPECT_LE(p.name.size(), 63u);
  EXPECT_NE(p.name.back(), '-');
  for (const auto& np : p.policies) EXPECT_LE(np["metadata"]["name"].get<std::string>().size(), 63u);
  EXPECT_NE(p.policies[0]["metadata"]["name"], p.policies[1]["metadata"]["name"]);
}

TEST(LoadTest, NoPoliciesWhenTheAppRendersNone) {
  std::string yaml = kApp;
  yaml.replace(yaml.find("  security:\n"), 12, "  security:\n    networkPolicies: false\n");
  const LoadTestPlan p = planLoadTest(test::mustParse(yaml), spec("web"));
  ASSERT_EQ(p.error, "");
  EXPECT_TRUE(p.policies.empty());
}

}  // namespace
}  // namespace shop
