// Versioned services (services[].versions): one Deployment per version behind the one Service,
// one autoscaler per Deployment, one PDB across them, and with the mesh on, a subset per
// version and routes by weight.
#include <gtest/gtest.h>

#include "core/render/render.hpp"
#include "operator/status.hpp"
#include "test_util.hpp"

using namespace shop;
using namespace shop::test;

namespace {

std::string app(bool mesh, const std::string& versions, const std::string& extra = "") {
  return std::string(R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: shop, namespace: shop}
spec:
  mesh: {enabled: )") +
         (mesh ? "true" : "false") + R"(}
  gateway: {enabled: true}
  services:
  - name: front
    image: example.com/front:1.0.0
    ports: [{name: http, port: 80, targetPort: 8080}]
    expose: {paths: ["/"]}
    dependsOn: [reviews]
  - name: reviews
    image: example.com/reviews:1.0.0
    ports: [{name: http, port: 9080}]
    env: [{name: COLOR, value: none}, {name: MODE, value: fast}]
    labels: {team: books}
)" + extra + versions;
}

const char* kWeighted = R"(    versions:
    - {name: v1, weight: 90}
    - name: v2
      image: example.com/reviews:2.0.0
      replicas: 3
      weight: 10
      env: [{name: COLOR, value: red}, {name: EXTRA, value: "1"}]
      labels: {track: canary}
      podAnnotations: {example.com/note: canary}
)";

const char* kUnweighted = R"(    versions:
    - {name: v1}
    - {name: v2, image: example.com/reviews:2.0.0}
)";

std::vector<Json> renderYaml(const std::string& yaml) { return render(mustParse(yaml)).objects; }

std::vector<std::string> names(const std::vector<Json>& objs, const std::string& kind) {
  std::vector<std::string> out;
  for (const Json* o : all(objs, kind)) out.push_back(objectName(*o));
  return out;
}

std::string env(const Json& c, const std::string& name) {
  for (const auto& e : c["env"])
    if (e["name"] == name) return e.value("value", "");
  return "<absent>";
}

}  // namespace

TEST(Versions, OneDeploymentPerVersionBehindOneService) {
  auto objs = renderYaml(app(false, kWeighted));
  EXPECT_EQ(names(objs, "Deployment"), (std::vector<std::string>{"front", "reviews-v1", "reviews-v2"}));
  EXPECT_EQ(names(objs, "Service"), (std::vector<std::string>{"front", "reviews"}));
  const Json& svc = get(objs, "Service", "reviews");
  EXPECT_FALSE(svc["spec"]["selector"].contains("version")) << "the Service must select every version";
  for (const char* v : {"v1", "v2"}) {
    SCOPED_TRACE(v);
    const Json& d = get(objs, "Deployment", std::string("reviews-") + v);
    const Json& sel = d["spec"]["selector"]["matchLabels"];
    EXPECT_EQ(sel.value("version", ""), v);
    const Json& podLabels = d["spec"]["template"]["metadata"]["labels"];
    EXPECT_EQ(podLabels.value("version", ""), v);
    EXPECT_EQ(podLabels.value("team", ""), "books");  // the service's labels stay
    // The Service's selector matches the version's pods; the pods of one version never match
    // another version's Deployment selector.
    for (auto it = svc["spec"]["selector"].begin(); it != svc["spec"]["selector"].end(); ++it)
      EXPECT_EQ(podLabels.value(it.key(), ""), it.value());
    for (auto it = sel.begin(); it != sel.end(); ++it) EXPECT_EQ(podLabels.value(it.key(), ""), it.value());
    EXPECT_EQ(container(d)["name"], "reviews");
  }
  const Json& v1 = get(objs, "Deployment", "reviews-v1");
  const Json& v2 = get(objs, "Deployment", "reviews-v2");
  EXPECT_EQ(container(v1)["image"], "example.com/reviews:1.0.0");  // the service's
  EXPECT_EQ(container(v2)["image"], "example.com/reviews:2.0.0");
  EXPECT_EQ(v2["spec"]["template"]["metadata"]["labels"].value("app.kubernetes.io/version", ""), "2.0.0");
  EXPECT_EQ(v2["spec"]["template"]["metadata"]["labels"].value("track", ""), "canary");
  EXPECT_FALSE(v1["spec"]["template"]["metadata"]["labels"].contains("track"));
  EXPECT_EQ(v2["spec"]["template"]["metadata"]["annotations"].value("example.com/note", ""), "canary");
  // env: the version's value wins, by name; the service's others stay; new ones are added.
  EXPECT_EQ(env(container(v1), "COLOR"), "none");
  EXPECT_EQ(env(container(v2), "COLOR"), "red");
  EXPECT_EQ(env(container(v2), "MODE"), "fast");
  EXPECT_EQ(env(container(v2), "EXTRA"), "1");
  EXPECT_EQ(env(container(v1), "EXTRA"), "<absent>");
}

TEST(Versions, AnAutoscalerPerVersionAndOneBudgetForAll) {
  auto objs = renderYaml(app(false, kWeighted));
  EXPECT_EQ(names(objs, "HorizontalPodAutoscaler"), (std::vector<std::string>{"front", "reviews-v1", "reviews-v2"}));
  const Json& h1 = get(objs, "HorizontalPodAutoscaler", "reviews-v1");
  const Json& h2 = get(objs, "HorizontalPodAutoscaler", "reviews-v2");
  EXPECT_EQ(h1["spec"]["scaleTargetRef"]["name"], "reviews-v1");
  EXPECT_EQ(h2["spec"]["scaleTargetRef"]["name"], "reviews-v2");
  // Derived from each version's replicas (the service's 2, v2's own 3).
  EXPECT_EQ(h1["spec"]["minReplicas"], 2);
  EXPECT_EQ(h2["spec"]["minReplicas"], 3);
  EXPECT_EQ(h2["spec"]["maxReplicas"], 6);
  EXPECT_EQ(names(objs, "PodDisruptionBudget"), (std::vector<std::string>{"front", "reviews"}));
  const Json& pdb = get(objs, "PodDisruptionBudget", "reviews");
  EXPECT_FALSE(pdb["spec"]["selector"]["matchLabels"].contains("version"));
  EXPECT_EQ(pdb["spec"]["selector"]["matchLabels"], get(objs, "Service", "reviews")["spec"]["selector"]);
  // Per-service objects stay one per service.
  EXPECT_EQ(names(objs, "ServiceAccount"), (std::vector<std::string>{"front", "reviews"}));
  const Json& np = get(objs, "NetworkPolicy", "reviews");
  EXPECT_FALSE(np["spec"]["podSelector"]["matchLabels"].contains("version"));

  // An autoscaler the service names applies to each version as written.
  auto given = renderYaml(app(false, kWeighted, "    autoscaling: {min: 1, max: 5}\n"));
  for (const char* n : {"reviews-v1", "reviews-v2"}) {
    const Json& h = get(given, "HorizontalPodAutoscaler", n);
    EXPECT_EQ(h["spec"]["minReplicas"], 1) << n;
    EXPECT_EQ(h["spec"]["maxReplicas"], 5) << n;
    EXPECT_EQ(h["spec"]["metrics"].size(), 1u) << n;  // cpu 80 by default
  }
  // A version at 0 replicas has no autoscaler, and its Deployment says 0.
  auto off = renderYaml(app(false, "    versions: [{name: v1}, {name: v2, replicas: 0}]\n"));
  EXPECT_FALSE(find(off, "HorizontalPodAutoscaler", "reviews-v2"));
  EXPECT_EQ(get(off, "Deployment", "reviews-v2")["spec"]["replicas"], 0);
}

TEST(Versions, MeshSubsetsAndWeightedRoutes) {
  auto objs = renderYaml(app(true, kWeighted));
  const Json& dr = get(objs, "DestinationRule", "reviews");
  ASSERT_TRUE(dr["spec"].contains("subsets"));
  EXPECT_EQ(dr["spec"]["subsets"], Json::parse(R"([{"name":"v1","labels":{"version":"v1"}},
                                                   {"name":"v2","labels":{"version":"v2"}}])"));
  EXPECT_FALSE(get(objs, "DestinationRule", "front")["spec"].contains("subsets"));
  const Json& vs = get(objs, "VirtualService", "reviews");
  const Json& route = vs["spec"]["http"][0]["route"];
  ASSERT_EQ(route.size(), 2u);
  const std::string host = "reviews.shop.svc.cluster.local";
  EXPECT_EQ(route[0], Json::parse(R"({"destination":{"host":")" + host + R"(","subset":"v1"},"weight":90})"));
  EXPECT_EQ(route[1], Json::parse(R"({"destination":{"host":")" + host + R"(","subset":"v2"},"weight":10})"));
  EXPECT_TRUE(vs["spec"]["http"][0].contains("timeout"));  // the route settings stay

  // An exposed service with weights: the gateway's route splits too.
  auto exposed = renderYaml(app(true, kWeighted, "    expose: {paths: [/reviews]}\n"));
  const Json& gw = get(exposed, "VirtualService", "shop-gateway");
  const Json* reviewsRoute = nullptr;
  for (const auto& h : gw["spec"]["http"])
    if (h["match"][0]["uri"]["prefix"] == "/reviews") reviewsRoute = &h["route"];
  ASSERT_TRUE(reviewsRoute);
  ASSERT_EQ(reviewsRoute->size(), 2u);
  EXPECT_EQ((*reviewsRoute)[0]["destination"]["subset"], "v1");
  EXPECT_EQ((*reviewsRoute)[0]["destination"]["port"]["number"], 9080);
  EXPECT_EQ((*reviewsRoute)[1]["weight"], 10);

  // A version at weight 0 takes no route (its subset stays).
  auto zero = renderYaml(app(true, "    versions: [{name: v1, weight: 100}, {name: v2, weight: 0}]\n"));
  EXPECT_EQ(get(zero, "VirtualService", "reviews")["spec"]["http"][0]["route"].size(), 1u);
  EXPECT_EQ(get(zero, "DestinationRule", "reviews")["spec"]["subsets"].size(), 2u);
}

TEST(Versions, WithoutWeightsTheRouteGoesToTheHostAsIstioDoes) {
  auto objs = renderYaml(app(true, kUnweighted));
  EXPECT_EQ(get(objs, "DestinationRule", "reviews")["spec"]["subsets"].size(), 2u);
  const Json& route = get(objs, "VirtualService", "reviews")["spec"]["http"][0]["route"];
  EXPECT_EQ(route, Json::parse(R"([{"destination":{"host":"reviews.shop.svc.cluster.local"}}])"));
  // Mesh off: no Istio objects; the Service spreads requests over every version's pods.
  auto plain = renderYaml(app(false, kWeighted));
  EXPECT_FALSE(has(plain, "VirtualService"));
  EXPECT_FALSE(has(plain, "DestinationRule"));
}

TEST(Versions, NothingChangesWithoutVersions) {
  // The same app with one version of the same name renders other objects; without versions
  // it renders what it always did: one Deployment named as the service, no version label.
  auto objs = renderYaml(app(true, ""));
  EXPECT_EQ(names(objs, "Deployment"), (std::vector<std::string>{"front", "reviews"}));
  const Json& d = get(objs, "Deployment", "reviews");
  EXPECT_FALSE(d["spec"]["selector"]["matchLabels"].contains("version"));
  EXPECT_FALSE(d["spec"]["template"]["metadata"]["labels"].contains("version"));
  EXPECT_FALSE(get(objs, "DestinationRule", "reviews")["spec"].contains("subsets"));
  EXPECT_EQ(get(objs, "VirtualService", "reviews")["spec"]["http"][0]["route"].size(), 1u);
}

TEST(Versions, ValidateWarnsAboutWeightsWithoutTheMesh) {
  auto loaded = loadYaml(app(false, kWeighted), "t.yaml");
  ASSERT_TRUE(loaded.ok());
  auto res = parseShopApp(loaded.documents[0]);
  ASSERT_TRUE(res.app) << res.diags.str();
  EXPECT_NE(res.diags.str().find("spec.services[1].versions: weights need the Istio mesh"), std::string::npos)
      << res.diags.str();
  auto meshed = parseShopApp(loadYaml(app(true, kWeighted), "t.yaml").documents[0]);
  EXPECT_EQ(meshed.diags.str().find("weights need"), std::string::npos) << meshed.diags.str();
}

TEST(Versions, TheOperatorReportsAComponentPerVersion) {
  ShopApp a = mustParse(app(false, kWeighted));
  auto ws = op::serviceWorkloads(a);
  ASSERT_EQ(ws.size(), 3u);
  EXPECT_EQ(ws[0].name, "front");
  EXPECT_EQ(ws[1].name, "reviews-v1");
  EXPECT_EQ(ws[1].floor, 2);
  EXPECT_EQ(ws[2].name, "reviews-v2");
  EXPECT_EQ(ws[2].floor, 3);
}

TEST(Versions, AVersionDeploymentThatCollidesWithAServiceIsRefused) {
  auto loaded = loadYaml(app(false, kUnweighted) + R"(  - name: reviews-v1
    image: example.com/other:1.0.0
    ports: [{port: 80}]
)",
                         "t.yaml");
  auto res = parseShopApp(loaded.documents[0]);
  EXPECT_FALSE(res.app);
  EXPECT_NE(res.diags.str().find("Deployment \"reviews-v1\" would be rendered twice"), std::string::npos)
      << res.diags.str();
}

TEST(Versions, CombinationsAVersionCannotHaveAreErrorsAtTheirPath) {
  auto errors = [](const std::string& yaml) {
    auto loaded = loadYaml(yaml, "t.yaml");
    auto res = parseShopApp(loaded.documents.at(0));
    EXPECT_FALSE(res.app) << yaml;
    return res.diags.str();
  };
  // shopctl sets the label version on a version's pods: neither the service nor a version may.
  std::string e = errors(app(false, "    versions: [{name: v1, labels: {version: one}}]\n"));
  EXPECT_NE(e.find("spec.services[1].versions[0].labels.version: is set by shopctl"), std::string::npos) << e;
  e = errors(app(false, "    versions: [{name: v1}]\n").replace(app(false, "").find("labels: {team: books}"),
                                                                 std::string("labels: {team: books}").size(),
                                                                 "labels: {version: x}"));
  EXPECT_NE(e.find("spec.services[1].labels.version: a service with versions"), std::string::npos) << e;
  // One claim of a single-node volume cannot serve the pods of two versions.
  e = errors(app(false, "    versions: [{name: v1, replicas: 1}, {name: v2, replicas: 1}]\n",
                 "    replicas: 1\n    storage: [{name: data, path: /data}]\n"));
  EXPECT_NE(e.find("spec.services[1].storage[0].accessMode: a ReadWriteOnce volume cannot be shared by the pods of 2 versions"),
            std::string::npos)
      << e;
  // At most 8, and not an empty list.
  std::string nine = "    versions:\n";
  for (int i = 1; i <= 9; ++i) nine += "    - {name: v" + std::to_string(i) + "}\n";
  e = errors(app(false, nine));
  EXPECT_NE(e.find("spec.services[1].versions: at most 8 versions"), std::string::npos) << e;
  e = errors(app(false, "    versions: []\n"));
  EXPECT_NE(e.find("spec.services[1].versions: list at least one version"), std::string::npos) << e;
  // A version's own image is checked like the service's.
  e = errors(app(false, "    versions: [{name: v1, image: example.com/reviews:latest}]\n"));
  EXPECT_NE(e.find("spec.services[1].versions[0].image: image tag \"latest\" is not allowed"), std::string::npos) << e;
}
