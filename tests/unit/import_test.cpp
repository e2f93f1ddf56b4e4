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
  out.result = importer::importShopApp(inv, {"sock-shop", "", ""});
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
  auto report = audit::runAudit(test::inventoryOf(toYamlStream(render(*parsed.app).objects), "imported.yaml"), {});
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

namespace {

importer::ImportResult importText(const std::string& text) {
  return importer::importShopApp(test::inventoryOf(text, "in.yaml"), {"shop", "shop", ""});
}

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: %NAME%, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: %NAME%}}
  template:
    metadata: {labels: {app: %NAME%}}
    spec:
      containers:
      - {name: main, image: "%IMAGE%", ports: [{containerPort: %PORT%}]}
)";

std::string deployment(const std::string& name, const std::string& image, int port) {
  std::string d = kDeployment;
  for (auto [k, v] : {std::pair<std::string, std::string>{"%NAME%", name}, {"%IMAGE%", image}, {"%PORT%", std::to_string(port)}})
    for (size_t at; (at = d.find(k)) != std::string::npos;) d.replace(at, k.size(), v);
  return d;
}

// A Service named NAME selecting the pods labelled app: APP.
std::string service(const std::string& name, const std::string& app, const std::string& ns = "shop",
                    const std::string& ports = "[{name: http, port: 9080}]") {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n  selector: {app: " + app +
         "}\n  ports: " + ports + "\n";
}

// A Deployment of registry.example/NAME:1.0.0 on 8080 in namespace ns, with env UPSTREAM=env when given.
std::string deploymentIn(const std::string& name, const std::string& ns, const std::string& env) {
  std::string d = deployment(name, "registry.example/" + name + ":1.0.0", 8080);
  d.replace(d.find("namespace: shop"), 15, "namespace: " + ns);
  if (!env.empty()) d.replace(d.find("}]}"), 3, "}], env: [{name: UPSTREAM, value: \"" + env + "\"}]}");
  return d;
}

const Json& component(const Json& app, const char* list, const std::string& name) {
  for (const auto& c : app["spec"][list])
    if (c["name"] == name) return c;
  throw std::runtime_error("no " + name + " in " + list);
}

}  // namespace

// A pinned tag is what the app was tested with: kept. Only floating ones get harden's pin, and a
// pin that changes the major version says so.
TEST(Import, OnlyFloatingTagsArePinnedAndAMajorChangeIsSaid) {
  auto res = importText(deployment("cache", "redis:4.0.6", 6379) + "---\n" + deployment("session", "redis:4-alpine", 6379) +
                        "---\n" + deployment("store", "redis:7.2.4", 6379));
  const std::string notes = res.notes.str();
  EXPECT_EQ(component(res.app, "databases", "cache")["version"], "4.0.6") << res.app.dump(1);
  EXPECT_EQ(component(res.app, "databases", "store")["version"], "7.2.4");
  EXPECT_EQ(notes.find("\"redis:4.0.6\" floats"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("\"redis:7.2.4\" floats"), std::string::npos) << notes;
  EXPECT_NE(notes.find("\"redis:4-alpine\" floats: pinned to redis:7.2.4-alpine"), std::string::npos) << notes;
  EXPECT_NE(notes.find("changes the major version from 4 to 7"), std::string::npos) << notes;
}

TEST(Import, TargetPortZeroMeansThePort) {
  auto res = importText(deployment("api", "registry.example/api:1.2.0", 8080) + R"(---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080, targetPort: 0}]
)");
  const Json& ports = component(res.app, "services", "api")["ports"];
  ASSERT_EQ(ports.size(), 1u) << ports.dump();
  EXPECT_EQ(ports[0]["port"], 8080);
  EXPECT_FALSE(ports[0].contains("targetPort")) << ports.dump();
}

// --help promises that nothing is dropped silently: every input object is mapped or named.
TEST(Import, EveryObjectLeftOutIsNamedWithItsReason) {
  auto res = importText(deployment("api", "registry.example/api:1.2.0", 8080) + R"(---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: api-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: api-reader}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: restricted}
spec: {privileged: false}
---
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: shop}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: api-config, namespace: shop}
data: {a: b}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: shop}
)");
  const std::string notes = res.notes.str();
  for (const char* expected : {"ServiceAccount api: left out", "ClusterRole api-reader: RBAC is not part of a ShopApp",
                               "RoleBinding api-reader: RBAC is not part of a ShopApp",
                               "PodSecurityPolicy restricted: PodSecurityPolicy was removed in Kubernetes 1.25",
                               "Service orphan: selects none of the imported workloads",
                               "ConfigMap api-config: left out", "Widget w: a Widget has no place in a ShopApp"})
    EXPECT_NE(notes.find(expected), std::string::npos) << expected << "\n" << notes;
  EXPECT_EQ(notes.find("Deployment api:"), std::string::npos) << "the mapped Deployment is not warned about\n" << notes;
  EXPECT_FALSE(res.notes.hasErrors()) << notes;
}

// gRPC probes and HTTP headers were dropped without a word, and render then invented TCP probes.
TEST(Import, GrpcProbesAndHttpHeadersAreCarriedOver) {
  std::string d = deployment("orders", "registry.example/orders:2.1.0", 50051);
  const std::string probes = R"(        livenessProbe: {grpc: {port: 50051}, periodSeconds: 15}
        readinessProbe: {grpc: {port: 50051, service: orders.v1.Orders}}
        startupProbe: {httpGet: {path: /started, port: 50051, host: orders.local, httpHeaders: [{name: X-Probe, value: start}]}}
)";
  // The helper writes the container in flow style: rewrite it as a block with the probes.
  const std::string flow = "      - {name: main, image: \"registry.example/orders:2.1.0\", ports: [{containerPort: 50051}]}";
  d.replace(d.find(flow), flow.size(),
            "      - name: main\n        image: registry.example/orders:2.1.0\n        ports: [{containerPort: 50051}]\n" + probes);
  auto res = importText(d);
  ASSERT_FALSE(res.notes.hasErrors()) << res.notes.str();
  const Json& p = component(res.app, "services", "orders")["probes"];
  EXPECT_EQ(p["liveness"], Json({{"grpc", {{"port", 50051}}}, {"periodSeconds", 15}})) << p.dump();
  EXPECT_EQ(p["readiness"]["grpc"]["service"], "orders.v1.Orders");
  EXPECT_EQ(p["startup"]["http"]["headers"], Json::array({{{"name", "X-Probe"}, {"value", "start"}}}));
  const std::string notes = res.notes.str();
  EXPECT_NE(notes.find("startupProbe: httpGet.host is left out"), std::string::npos) << notes;
  // And render gives them back as written.
  auto parsed = parseShopApp(res.app);
  ASSERT_TRUE(parsed.app) << parsed.diags.str();
  const RenderResult rendered = render(*parsed.app);
  const Json& c = get(rendered.objects, "Deployment", "orders")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["livenessProbe"]["grpc"], Json({{"port", 50051}}));
  EXPECT_EQ(c["readinessProbe"]["grpc"], Json({{"port", 50051}, {"service", "orders.v1.Orders"}}));
  EXPECT_EQ(c["startupProbe"]["httpGet"]["httpHeaders"][0]["name"], "X-Probe");
}

TEST(Import, AProbeWithNoKnownCheckIsNamed) {
  std::string d = deployment("web", "registry.example/web:1.0.0", 8080);
  const std::string flow = "      - {name: main, image: \"registry.example/web:1.0.0\", ports: [{containerPort: 8080}]}";
  d.replace(d.find(flow), flow.size(),
            "      - name: main\n        image: registry.example/web:1.0.0\n        ports: [{containerPort: 8080}]\n"
            "        readinessProbe: {periodSeconds: 5}");
  auto res = importText(d);
  EXPECT_NE(res.notes.str().find("readinessProbe has no httpGet, tcpSocket, grpc or exec check: left out"), std::string::npos)
      << res.notes.str();
}

// An app image with no tag or `latest` cannot be pinned by import: the ShopApp it writes still
// validates (allowLatestTag, said per image), and a pinned one leaves the setting alone.
TEST(Import, FloatingAppImagesStillGiveAValidShopApp) {
  auto res = importText(deployment("api", "example.com/api:latest", 8080) + "---\n" + deployment("ui", "example.com/ui", 3000));
  EXPECT_EQ(res.app["spec"]["security"]["allowLatestTag"], true) << res.app.dump(2);
  auto parsed = parseShopApp(res.app);
  EXPECT_TRUE(parsed.app) << parsed.diags.str();
  const std::string notes = res.notes.str();
  EXPECT_NE(notes.find("image \"example.com/api:latest\" is `latest`: spec.security.allowLatestTag is set"), std::string::npos) << notes;
  EXPECT_NE(notes.find("image \"example.com/ui\" has no tag"), std::string::npos) << notes;
  auto pinned = importText(deployment("api", "example.com/api:1.2.0", 8080));
  EXPECT_FALSE(pinned.app["spec"].contains("security")) << pinned.app.dump(2);
}

namespace {

// A Deployment whose pods carry labels {app: <app>} plus {version: <version>} when given.
std::string labelledDeployment(const std::string& name, const std::string& app, const std::string& version,
                               const std::string& image, const std::string& env = "") {
  const std::string labels = "{app: " + app + (version.empty() ? "" : ", version: " + version) + "}";
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: shop}\nspec:\n  replicas: 2\n"
         "  selector: {matchLabels: " + labels + "}\n  template:\n    metadata: {labels: " + labels + "}\n    spec:\n"
         "      containers:\n      - {name: main, image: \"" + image + "\", ports: [{containerPort: 9080}]" +
         (env.empty() ? "" : ", env: " + env) + "}\n";
}

}  // namespace

// Istio's bookinfo shape: reviews-v1..v3 behind one Service reviews, which productpage calls.
TEST(Import, SeveralDeploymentsBehindOneServiceBecomeVersionsOfIt) {
  auto res = importText(
      labelledDeployment("productpage", "productpage", "", "example.com/productpage:1.0.0",
                         "[{name: REVIEWS_HOSTNAME, value: reviews}]") +
      "---\n" + service("productpage", "productpage") + "---\n" + service("reviews", "reviews") + "---\n" +
      labelledDeployment("reviews-v1", "reviews", "v1", "example.com/reviews-v1:1.0.0", "[{name: STARS, value: none}]") +
      "---\n" +
      labelledDeployment("reviews-v2", "reviews", "v2", "example.com/reviews-v2:1.0.0", "[{name: STARS, value: black}]") +
      "---\n" + labelledDeployment("reviews-canary", "reviews", "", "example.com/reviews-v1:1.0.0",
                                   "[{name: STARS, value: none}]"));
  const Json& reviews = component(res.app, "services", "reviews");
  ASSERT_TRUE(reviews.contains("versions")) << res.app.dump(2);
  const Json& vs = reviews["versions"];
  ASSERT_EQ(vs.size(), 3u) << vs.dump();
  EXPECT_EQ(vs[0], Json::parse(R"({"name":"v1"})"));  // the service's own fields
  EXPECT_EQ(reviews["image"], "example.com/reviews-v1:1.0.0");
  EXPECT_EQ(vs[1]["name"], "v2");  // from the pod label version
  EXPECT_EQ(vs[1]["image"], "example.com/reviews-v2:1.0.0");
  EXPECT_EQ(vs[1]["env"], Json::parse(R"([{"name":"STARS","value":"black"}])"));
  EXPECT_EQ(vs[2], Json::parse(R"({"name":"canary"})"));  // no label: the name minus "reviews-"
  for (const auto& s : res.app["spec"]["services"]) EXPECT_EQ(s["name"].get<std::string>().rfind("reviews-", 0), std::string::npos);
  EXPECT_EQ(component(res.app, "services", "productpage")["dependsOn"], Json::parse(R"(["reviews"])")) << res.app.dump(2);
  EXPECT_NE(res.notes.str().find("Service reviews: selects 3 Deployments: imported as service reviews"), std::string::npos)
      << res.notes.str();
  // It validates and renders one Service with a Deployment per version.
  auto parsed = parseShopApp(res.app);
  ASSERT_TRUE(parsed.app) << parsed.diags.str();
  auto objs = render(*parsed.app).objects;
  EXPECT_TRUE(find(objs, "Service", "reviews"));
  for (const char* d : {"reviews-v1", "reviews-v2", "reviews-canary"}) EXPECT_TRUE(find(objs, "Deployment", d)) << d;
  EXPECT_FALSE(find(objs, "Service", "reviews-v1"));
}

// What a version cannot carry is said, never dropped silently: a variable of the first version
// the next one lacks (every version takes its service's), a field a version cannot set (its
// resources), and Deployments behind one Service whose version names do not tell them apart.
TEST(Import, WhatAVersionCannotCarryIsSaid) {
  std::string v2 = labelledDeployment("reviews-v2", "reviews", "v2", "example.com/reviews-v2:1.0.0",
                                      "[{name: STARS, value: black}]");
  v2.replace(v2.find("ports: [{containerPort: 9080}]"), 30,
             "ports: [{containerPort: 9080}], resources: {limits: {memory: 512Mi}}");
  auto res = importText(service("reviews", "reviews") + "---\n" +
                        labelledDeployment("reviews-v1", "reviews", "v1", "example.com/reviews-v1:1.0.0",
                                           "[{name: STARS, value: none}, {name: MODE, value: strict}]") +
                        "---\n" + v2);
  const Json& reviews = component(res.app, "services", "reviews");
  ASSERT_EQ(reviews["versions"].size(), 2u) << res.app.dump(2);
  const std::string notes = res.notes.str();
  EXPECT_NE(notes.find("env MODE of the service's first version is not set in this one, but a version takes every "
                       "variable of its service: it has it too"), std::string::npos) << notes;
  const auto differs = notes.find("differs from the service's first version in ");
  ASSERT_NE(differs, std::string::npos) << notes;
  EXPECT_NE(notes.find("resources", differs), std::string::npos) << notes;
  EXPECT_NE(notes.find("which a version cannot set: the service's are used", differs), std::string::npos) << notes;
  auto parsed = parseShopApp(res.app);
  EXPECT_TRUE(parsed.app) << parsed.diags.str();

  // The same version label on both: no version names tell them apart, so two services and a warning.
  auto anon = importText(service("reviews", "reviews") + "---\n" +
                         labelledDeployment("alpha", "reviews", "v1", "example.com/reviews:1.0.0") + "---\n" +
                         labelledDeployment("beta", "reviews", "v1", "example.com/reviews:2.0.0"));
  EXPECT_NE(anon.notes.str().find("Service reviews: selects several Deployments, but they have no distinct version names"),
            std::string::npos) << anon.notes.str();
  for (const auto& s : anon.app["spec"]["services"]) EXPECT_FALSE(s.contains("versions")) << anon.app.dump(2);
  EXPECT_EQ(anon.app["spec"]["services"].size(), 2u) << anon.app.dump(2);
}

// details-v1 behind Service details: callers use "details", so the service is named so, unless
// the Deployment's own name is a Service too, or a second Service selects it.
TEST(Import, OneDeploymentOfAnotherNameTakesTheServiceName) {
  auto res = importText(labelledDeployment("details-v1", "details", "v1", "example.com/details:1.0.0") + "---\n" +
                        service("details", "details"));
  ASSERT_EQ(res.app["spec"]["services"].size(), 1u);
  EXPECT_EQ(res.app["spec"]["services"][0]["name"], "details") << res.app.dump(2);
  EXPECT_FALSE(res.app["spec"]["services"][0].contains("versions"));
  EXPECT_NE(res.notes.str().find("imported as service details, the name of the Service its callers use"), std::string::npos)
      << res.notes.str();

  auto own = importText(labelledDeployment("details-v1", "details", "v1", "example.com/details:1.0.0") + "---\n" +
                        service("details", "details") + "---\n" + service("details-v1", "details"));
  EXPECT_EQ(own.app["spec"]["services"][0]["name"], "details-v1") << own.app.dump(2);

  auto two = importText(labelledDeployment("web-v1", "web", "", "example.com/web:1.0.0") + "---\n" +
                        service("web", "web") + "---\n" + service("web-admin", "web"));
  EXPECT_EQ(two.app["spec"]["services"][0]["name"], "web-v1") << two.app.dump(2);
}

// A Deployment with no port and no probe (a queue worker) is imported as a worker that runs
// without probes, none invented, and the ShopApp validates; one with a single exec probe uses it
// for both. Rendered, neither gets a Service or a probe it did not have.
TEST(Import, APortlessWorkerGetsNoInventedProbeAndValidates) {
  std::string worker = deployment("worker", "registry.example/worker:1.0.0", 0);
  const std::string flow = "      - {name: main, image: \"registry.example/worker:1.0.0\", ports: [{containerPort: 0}]}";
  worker.replace(worker.find(flow), flow.size(), "      - {name: main, image: \"registry.example/worker:1.0.0\"}");
  std::string pinger = deployment("pinger", "registry.example/pinger:1.0.0", 0);
  const std::string flow2 = "      - {name: main, image: \"registry.example/pinger:1.0.0\", ports: [{containerPort: 0}]}";
  pinger.replace(pinger.find(flow2), flow2.size(),
                 "      - name: main\n        image: registry.example/pinger:1.0.0\n"
                 "        livenessProbe: {exec: {command: [/bin/alive]}, periodSeconds: 30}\n");
  auto res = importText(worker + "---\n" + pinger);
  EXPECT_EQ(component(res.app, "services", "worker")["probes"], Json({{"none", true}})) << res.app.dump(1);
  const Json& p = component(res.app, "services", "pinger")["probes"];
  EXPECT_EQ(p["readiness"], p["liveness"]) << p.dump();
  EXPECT_EQ(p["liveness"]["exec"], Json::array({"/bin/alive"}));
  const std::string notes = res.notes.str();
  EXPECT_NE(notes.find("Deployment worker: declares no port and no probe: imported as a worker with probes.none: true"),
            std::string::npos) << notes;
  EXPECT_NE(notes.find("Deployment pinger: declares no port and only a livenessProbe: its readiness probe is the same check"),
            std::string::npos) << notes;
  auto parsed = parseShopApp(res.app);
  ASSERT_TRUE(parsed.app) << parsed.diags.str();
  const RenderResult rendered = render(*parsed.app);
  const Json& c = get(rendered.objects, "Deployment", "worker")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_FALSE(c.contains("livenessProbe") || c.contains("readinessProbe")) << c.dump();
  EXPECT_EQ(find(rendered.objects, "Service", "worker"), nullptr);
  EXPECT_EQ(find(rendered.objects, "Service", "pinger"), nullptr);
}

// Two NodePort Services are two entry points: the first takes /, the next its own prefix (and a
// warning), so the gateway's routes do not collide and the ShopApp validates.
TEST(Import, ASecondNodePortEntryPointTakesItsOwnPath) {
  auto res = importText(deployment("vote", "registry.example/vote:1.0.0", 80) + "---\n" +
                        deployment("result", "registry.example/result:1.0.0", 80) + R"(---
apiVersion: v1
kind: Service
metadata: {name: vote, namespace: shop}
spec: {type: NodePort, selector: {app: vote}, ports: [{port: 5000, targetPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: result, namespace: shop}
spec: {type: NodePort, selector: {app: result}, ports: [{port: 5001, targetPort: 80}]}
)");
  EXPECT_EQ(component(res.app, "services", "vote")["expose"]["paths"], Json::array({"/"})) << res.app.dump(1);
  EXPECT_EQ(component(res.app, "services", "result")["expose"]["paths"], Json::array({"/result"}));
  EXPECT_NE(res.notes.str().find("Service result: a second entry point (type NodePort), but the gateway has one host and "
                                 "already routes / to another service: routed under /result instead"),
            std::string::npos) << res.notes.str();
  auto parsed = parseShopApp(res.app);
  EXPECT_TRUE(parsed.app) << parsed.diags.str();
}

// An error about the imported ShopApp names the input file, the line of the object (or container)
// it came from and that object, not "<imported>" with no line.
TEST(Import, ErrorsAboutTheImportedAppPointAtTheInput) {
  const std::string text = deployment("api", "registry.example/api:1.0.0", 8080) + "---\n" +  // lines 1-11, 12
                           deployment("web", "registry.example/web:1.0.0", 80) + R"(---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: entry, namespace: shop}
spec:
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
)";
  const audit::Inventory inv = test::inventoryOf(text, "in.yaml");
  const auto res = importer::importShopApp(inv, {"shop", "shop", ""});
  Diagnostics diags;
  diags.error("spec.services[1].probes.liveness", "a probe error");
  diags.error("spec.services[0]", "a service error");
  diags.error("spec.services[1].expose.paths", "a route error");
  diags.error("spec.gateway.host", "a gateway error");
  diags.error("spec.services[10].image", "no such service");
  diags.error("metadata.name", "an app error");
  importer::locateInInput(inv, res, diags);
  const auto& d = diags.items();
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0].str(), "in.yaml:23:9: error: spec.services[1].probes.liveness: a probe error (imported from Deployment web)");
  EXPECT_EQ(d[1].str(), "in.yaml:1:1: error: spec.services[0]: a service error (imported from Deployment api)");
  EXPECT_EQ(d[2].str(), "in.yaml:30:1: error: spec.services[1].expose.paths: a route error (imported from Ingress entry)");
  EXPECT_EQ(d[3].str(), "in.yaml:30:1: error: spec.gateway.host: a gateway error (imported from Ingress entry)");
  EXPECT_EQ(d[4].str(), "error: spec.services[10].image: no such service");
  EXPECT_EQ(d[5].str(), "error: metadata.name: an app error");
}

// A probe on a container port name the Service calls otherwise (container "web", Service port
// "http" targeting it) is checked on the container port's number: the ShopApp's port names are the
// Service's, and the name alone would not validate.
TEST(Import, AProbeOnAContainerPortNameKeepsItsPort) {
  auto res = importText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: main
        image: example.com/api:1.0.0
        ports: [{name: web, containerPort: 8080}, {name: admin, containerPort: 9090}]
        readinessProbe: {httpGet: {path: /ready, port: web}}
        livenessProbe: {tcpSocket: {port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: web}]
)");
  const Json& p = component(res.app, "services", "api")["probes"];
  EXPECT_EQ(p["readiness"]["http"]["port"], 8080) << p.dump();
  EXPECT_EQ(p["liveness"]["tcp"]["port"], "http");  // a name of the service's ports stays a name
  auto parsed = parseShopApp(res.app);
  ASSERT_TRUE(parsed.app) << parsed.diags.str();
  const RenderResult rendered = render(*parsed.app);
  const Json& c = get(rendered.objects, "Deployment", "api")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"], 8080);
  EXPECT_EQ(c["livenessProbe"]["tcpSocket"]["port"], 8080);
}

// What a ShopApp has no place for is named, never dropped: a hostPort (the way in from outside
// becomes a gateway route), hostNetwork, a replica of another database. A database's server
// flags carry over into args.
TEST(Import, HostPortsHostNetworkAndADatabasesCommandLineAreNamed) {
  auto res = importText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
      - {name: web, image: "example.com/web:1.0.0", ports: [{containerPort: 8080, hostPort: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache-replica, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: cache-replica}}
  template:
    metadata: {labels: {app: cache-replica}}
    spec:
      containers:
      - {name: redis, image: "redis:7.2.4", args: [--replicaof, cache, "6379", --maxmemory, 64mb], ports: [{containerPort: 6379}]}
)");
  const std::string notes = res.notes.str();
  for (const char* want :
       {"Deployment web: hostNetwork is left out: the ShopApp's pods have their own network addresses",
        "Deployment web: hostPort 80 (container port 8080) is left out: clients outside the cluster reach it through "
        "the gateway (spec.gateway, TLS) now",
        "Deployment cache-replica: runs as a replica of cache (--replicaof), which is not a database of the app: a ShopApp "
        "database replicates itself"})
    EXPECT_NE(notes.find(want), std::string::npos) << want << "\nin:\n" << notes;
  EXPECT_EQ(notes.find("command and args"), std::string::npos) << notes;
  EXPECT_EQ(component(res.app, "databases", "cache-replica")["args"], Json::array({"--maxmemory", "64mb"}));
  EXPECT_EQ(component(res.app, "services", "web")["expose"]["paths"], Json::array({"/"})) << res.app.dump(1);
  EXPECT_EQ(res.app["spec"]["gateway"]["enabled"], true);
  EXPECT_TRUE(parseShopApp(res.app).app.has_value());
}

// A service that reads its database's password from the Secret key the database's official image
// read (MYSQL_ROOT_PASSWORD <- mysql-root/password) follows it to the key of the Secret the operator
// generates (mysql-credentials/root-password): the rendered database never has the old password.
// Keys nobody moved stay as they were.
TEST(Import, AServiceFollowsItsDatabasesCredentialToTheGeneratedSecret) {
  auto res = importText(R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mysql, namespace: blog}
spec:
  serviceName: mysql
  selector: {matchLabels: {app: mysql}}
  template:
    metadata: {labels: {app: mysql}}
    spec:
      containers:
      - name: mysql
        image: mysql:8.0.36
        env:
        - name: MYSQL_ROOT_PASSWORD
          valueFrom: {secretKeyRef: {name: mysql-root, key: password}}
        ports: [{containerPort: 3306}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: blog, namespace: blog}
spec:
  selector: {matchLabels: {app: blog}}
  template:
    metadata: {labels: {app: blog}}
    spec:
      containers:
      - name: blog
        image: example.com/blog:1.0.0
        env:
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: mysql-root, key: password}}
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: mysql-root, key: token}}
        ports: [{containerPort: 8080}]
)");
  const Json env = component(res.app, "services", "blog")["env"];
  ASSERT_EQ(env.size(), 2u) << res.app.dump(1);
  EXPECT_EQ(env[0]["secret"], (Json{{"name", "mysql-credentials"}, {"key", "root-password"}}));
  EXPECT_EQ(env[1]["secret"], (Json{{"name", "mysql-root"}, {"key", "token"}}));
  EXPECT_NE(res.notes.str().find("Deployment blog: env DB_PASSWORD read key password of Secret mysql-root, as its data "
                                 "store did: it now reads key root-password of Secret mysql-credentials"),
            std::string::npos)
      << res.notes.str();
  EXPECT_TRUE(parseShopApp(res.app).app.has_value());
}

// A ShopApp lives in one namespace. With a source namespace, only its workloads (and objects
// naming no namespace) are imported; the others stay, and calls to their Services become egress.
TEST(Import, ASourceNamespaceImportsItsWorkloadsAndCallsTheOthersByEgress) {
  // "api" exists in both namespaces: the one of the source namespace is the app's.
  const std::string text = deploymentIn("web", "front", "http://api.back.svc:80") + "---\n" + service("web", "web", "front", "[{port: 80, targetPort: 8080}]") + "---\n" +
                           deploymentIn("api", "front", "") + "---\n" + service("api", "api", "front", "[{port: 80, targetPort: 8080}]") + "---\n" +
                           deploymentIn("api", "back", "") + "---\n" + service("api", "api", "back", "[{port: 80, targetPort: 8080}]") + "---\n" +
                           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {a: b}\n";
  const audit::Inventory inv = test::inventoryOf(text, "in.yaml");
  EXPECT_EQ(importer::workloadNamespaces(inv), (std::map<std::string, size_t>{{"back", 1}, {"front", 2}}));

  const auto res = importer::importShopApp(inv, {"", "", "front"});
  EXPECT_EQ(res.app["metadata"]["namespace"], "front") << "the source namespace is the ShopApp's by default";
  EXPECT_EQ(res.app["metadata"]["name"], "front");
  ASSERT_EQ(res.app["spec"]["services"].size(), 2u) << res.app.dump(1);
  const Json& web = component(res.app, "services", "web");
  // (web's dependsOn also lists front's api: a call found in env does not count as "known", so web
  // may call any component of its app; that conservative rule is the same without namespaces.)
  ASSERT_TRUE(web.contains("egress")) << web.dump();
  EXPECT_EQ(web["egress"], Json::parse(R"([{"namespace": "back", "podLabels": {"app": "api"}, "ports": [{"port": 8080}]}])"));
  const std::string notes = res.notes.str();
  EXPECT_NE(notes.find("namespace back: 2 object(s) not imported (--source-namespace front)"), std::string::npos) << notes;
  EXPECT_NE(notes.find("ConfigMap shared"), std::string::npos) << "an object naming no namespace is in scope: " << notes;
  EXPECT_EQ(notes.find("Deployment api: imported as"), std::string::npos) << "no renaming for a name only another namespace also uses: " << notes;

  // -n still names where the ShopApp goes.
  const auto moved = importer::importShopApp(inv, {"shop", "prod", "front"});
  EXPECT_EQ(moved.app["metadata"]["namespace"], "prod");
  EXPECT_EQ(moved.app["metadata"]["name"], "shop");
}

// The other way round: importing back, front's web (left out) calls back's api, which is imported:
// api admits web's pods by label from front, on the container port behind the Service port called,
// so importing the namespaces one ShopApp each cuts no call between them.
TEST(Import, CallsFromANamespaceLeftOutBecomeIngressRules) {
  const std::string text = deploymentIn("web", "front", "http://api.back.svc:80") + "---\n" + service("web", "web", "front", "[{port: 80, targetPort: 8080}]") + "---\n" +
                           deploymentIn("admin", "front", "api.back.svc.cluster.local") + "---\n" +
                           deploymentIn("api", "back", "") + "---\n" + service("api", "api", "back", "[{port: 80, targetPort: 8080}, {name: grpc, port: 9090}]");
  const audit::Inventory inv = test::inventoryOf(text, "in.yaml");
  const auto res = importer::importShopApp(inv, {"", "", "back"});
  ASSERT_EQ(res.app["spec"]["services"].size(), 1u) << res.app.dump(1);
  const Json& api = component(res.app, "services", "api");
  ASSERT_TRUE(api.contains("ingress")) << api.dump();
  // web dialled port 80 (container port 8080); admin named no port, so it may reach every one.
  EXPECT_EQ(api["ingress"], Json::parse(R"([{"namespace": "front", "podLabels": {"app": "web"}, "ports": [{"port": 8080}]},
                                           {"namespace": "front", "podLabels": {"app": "admin"}}])")) << api.dump(1);
  const std::string notes = res.notes.str();
  EXPECT_NE(notes.find("Deployment web: calls Service api but is not imported: ingress from outside the app keeps the call "
                       "(its pods, by label, in namespace front)"), std::string::npos) << notes;
  // What it wrote validates, and renders the rule.
  auto parsed = parseShopApp(res.app);
  ASSERT_TRUE(parsed.app.has_value()) << parsed.diags.str();
  EXPECT_EQ(parsed.app->services[0].ingress.size(), 2u);
}

// Found by manifests-fuzz: an Ingress whose rules, paths or names have other JSON types is read
// field by field; what does not fit is no route, and nothing throws.
TEST(Import, AnIngressOfOddShapesIsNoRouteAndNoCrash) {
  const std::string base = deployment("web", "registry.example/web:1.0.0", 8080) + "---\n" + service("web", "web", "shop", "[{port: 80, targetPort: 8080}]") + R"(---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: in, namespace: shop}
spec:
)";
  for (const std::string spec : {"  rules: [[1, 2]]\n", "  rules: [{host: 7, http: {paths: [3, [4]]}}]\n",
                                 "  rules: [{http: {paths: {path: /}}}]\n", "  tls: [5, {secretName: 6}]\n",
                                 "  rules: [{http: {paths: [{path: 9, backend: {service: web}}]}}]\n"}) {
    importer::ImportResult res;
    ASSERT_NO_THROW(res = importText(base + spec)) << spec;
    ASSERT_TRUE(res.app.contains("spec")) << spec;
    EXPECT_FALSE(component(res.app, "services", "web").contains("expose")) << spec << res.app.dump();
  }
  // A well-formed path still routes.
  const auto ok = importText(base + "  rules: [{http: {paths: [{path: /shop, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n");
  EXPECT_EQ(component(ok.app, "services", "web")["expose"]["paths"], Json::array({"/shop"})) << ok.app.dump();
}

// A broker takes its settings from env: its command line is named as left out, and the warning
// points at spec.messaging[].env (a broker has no args).
TEST(Import, ABrokersCommandLineIsNamedAndPointsAtEnv) {
  auto res = importText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: queue, namespace: shop}
spec:
  selector: {matchLabels: {app: queue}}
  template:
    metadata: {labels: {app: queue}}
    spec:
      containers:
      - {name: rabbit, image: "rabbitmq:3.13.7-management", command: [rabbitmq-server], ports: [{containerPort: 5672}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - {name: worker, image: "example.com/worker:1.0.0", env: [{name: AMQP_HOST, value: queue}]}
)");
  EXPECT_NE(res.notes.str().find("Deployment queue: command and args (\"rabbitmq-server\") are left out: the operator "
                                 "starts the broker itself; give its settings in spec.messaging[].env"),
            std::string::npos)
      << res.notes.str();
  EXPECT_FALSE(component(res.app, "messaging", "queue").contains("args"));
  auto parsed = parseShopApp(res.app);
  EXPECT_TRUE(parsed.app.has_value()) << parsed.diags.str() << res.app.dump(1);
}

// A floating mongo is pinned to 4.4.29, which no longer knows --smallfiles: the flag is left out
// (mongod would refuse to start), the others carry over.
TEST(Import, AFlagThePinnedVersionRemovedIsLeftOut) {
  auto res = importText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: carts-db, namespace: shop}
spec:
  selector: {matchLabels: {app: carts-db}}
  template:
    metadata: {labels: {app: carts-db}}
    spec:
      containers:
      - {name: mongo, image: mongo, args: [--smallfiles, --wiredTigerCacheSizeGB, "1"], ports: [{containerPort: 27017}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: carts, namespace: shop}
spec:
  selector: {matchLabels: {app: carts}}
  template:
    metadata: {labels: {app: carts}}
    spec:
      containers:
      - {name: carts, image: "example.com/carts:1.0.0", env: [{name: DB, value: "carts-db:27017"}]}
)");
  EXPECT_NE(res.notes.str().find("Deployment carts-db: \"--smallfiles\" is left out: mongodb 4.2 removed it, and "
                                 "version 4.4.29 would refuse to start with it"),
            std::string::npos)
      << res.notes.str();
  EXPECT_EQ(component(res.app, "databases", "carts-db")["args"], Json::array({"--wiredTigerCacheSizeGB", "1"}));
  EXPECT_EQ(component(res.app, "databases", "carts-db")["version"], "4.4.29");
}

// Redis followers (--replicaof the leader's Service) become members of the leader's database:
// one database with every pod as a member, the followers' Service kept as its readService, the
// callers of either Service depending on it, and the origins of later databases moved up.
TEST(Import, FollowersBecomeMembersOfTheLeadersDatabase) {
  auto res = importText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: kv-replica, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: kv-replica}}
  template:
    metadata: {labels: {app: kv-replica}}
    spec:
      containers:
      - {name: redis, image: "redis:7.2.4", args: [--replicaof, kv.shop.svc.cluster.local, "6379"], ports: [{containerPort: 6379}]}
---
apiVersion: v1
kind: Service
metadata: {name: kv-read, namespace: shop}
spec: {selector: {app: kv-replica}, ports: [{port: 6379}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: kv, namespace: shop}
spec:
  selector: {matchLabels: {app: kv}}
  template:
    metadata: {labels: {app: kv}}
    spec:
      containers:
      - {name: redis, image: "redis:7.2.4", ports: [{containerPort: 6379}]}
---
apiVersion: v1
kind: Service
metadata: {name: kv, namespace: shop}
spec: {selector: {app: kv}, ports: [{port: 6379}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: orders-db, namespace: shop}
spec:
  selector: {matchLabels: {app: orders-db}}
  template:
    metadata: {labels: {app: orders-db}}
    spec:
      containers:
      - {name: pg, image: "postgres:16.4", ports: [{containerPort: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: orders-db, namespace: shop}
spec: {selector: {app: orders-db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "example.com/web:1.0.0"
        env: [{name: READS, value: "kv-read:6379"}, {name: DB, value: "orders-db:5432"}]
)");
  const Json& dbs = res.app["spec"]["databases"];
  ASSERT_EQ(dbs.size(), 2u) << res.app.dump(1);
  EXPECT_EQ(dbs[0]["name"], "kv");
  EXPECT_EQ(dbs[0]["replicas"], 3);
  EXPECT_EQ(dbs[0]["readService"], "kv-read");
  EXPECT_FALSE(dbs[0].contains("args"));
  EXPECT_EQ(dbs[1]["name"], "orders-db");
  EXPECT_EQ(component(res.app, "services", "web")["dependsOn"], Json::array({"kv", "orders-db"}));
  EXPECT_NE(res.notes.str().find("Deployment kv-replica: runs as a replica of kv.shop.svc.cluster.local (--replicaof): its "
                                 "2 pod(s) become members of database kv (3 in all)"),
            std::string::npos)
      << res.notes.str();
  // The origins name the input object of each remaining entry.
  std::map<std::string, std::string> origin;
  for (const auto& o : res.origins) origin[o.path] = o.object < 7 ? std::to_string(o.object) : "";
  EXPECT_EQ(origin["spec.databases[0]"], "2") << "kv's Deployment";
  EXPECT_EQ(origin["spec.databases[1]"], "4") << "orders-db's StatefulSet";
  EXPECT_FALSE(origin.count("spec.databases[2]"));
  auto parsed = parseShopApp(res.app);
  EXPECT_TRUE(parsed.app.has_value()) << parsed.diags.str();
}
