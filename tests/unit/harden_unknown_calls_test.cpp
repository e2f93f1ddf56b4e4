// harden on an app whose calls are invisible: its services find each other by host names baked
// into their images (no env, args or ConfigMap names them). The hardened NetworkPolicies must
// still allow every call the app makes. The NetworkPolicy evaluator of netpol_eval.hpp judges the
// hardened objects.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/audit/harden.hpp"
#include "core/importer/import.hpp"
#include "core/render/render.hpp"
#include "netpol_eval.hpp"
#include "test_util.hpp"

using namespace shop;
using namespace shop::audit;

namespace {

using namespace shop::test::netpol;

// ---- the fixture -------------------------------------------------------------------------

// web (the entry point) calls api; api calls store; worker calls api and store. Each finds the
// other by a host name compiled into its image: nothing in the YAML says so.
std::string deployment(const std::string& name, const std::string& image, const std::string& ports) {
  return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: acme}\nspec:\n" +
         "  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n" +
         "    spec:\n      containers: [{name: " + name + ", image: registry.example.com/acme/" + image + ports + "}]\n";
}
std::string service(const std::string& name, const std::string& spec) {
  return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: acme}\nspec: {selector: {app: " +
         name + "}, " + spec + "}\n";
}
const std::string kApp = "apiVersion: v1\nkind: Namespace\nmetadata: {name: acme}\n" +
                         deployment("web", "web:1.4.0", ", ports: [{containerPort: 8080}]") +
                         service("web", "type: NodePort, ports: [{port: 80, targetPort: 8080}]") +
                         deployment("api", "api:2.0.1", ", ports: [{containerPort: 9000}]") +
                         service("api", "ports: [{port: 80, targetPort: 9000}]") +
                         deployment("store", "store:3.2.0", ", ports: [{containerPort: 7000}]") +
                         service("store", "ports: [{port: 7000}]") + deployment("worker", "worker:1.0.0", "");

const Pod kWeb{"acme", {{"app", "web"}}}, kApi{"acme", {{"app", "api"}}}, kStore{"acme", {{"app", "store"}}},
    kWorker{"acme", {{"app", "worker"}}}, kStranger{"elsewhere", {{"app", "api"}}};

struct Call {
  const char* name;
  const Pod& from;
  const Pod& to;
  int port;  // the callee's container port (Service targetPort)
};
const Call kCalls[] = {
    {"web -> api", kWeb, kApi, 9000},
    {"api -> store", kApi, kStore, 7000},
    {"worker -> api", kWorker, kApi, 9000},
    {"worker -> store", kWorker, kStore, 7000},
};

std::vector<Manifest> input() {
  auto r = loadManifests(kApp, "acme.yaml");
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return r.manifests;
}

}  // namespace

TEST(HardenUnknownCalls, TheEvaluatorDeniesWhatAPolicySetDoesNotAllow) {
  // The evaluator must be able to say no, or the tests below prove nothing.
  const std::vector<Json> denyAll = {Json::parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "d", "namespace": "acme"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})")};
  for (const auto& c : kCalls) EXPECT_FALSE(allowed(denyAll, c.from, c.to, c.port)) << c.name;
  for (const auto& c : kCalls) EXPECT_TRUE(allowed({}, c.from, c.to, c.port)) << c.name << " (no policy: all allowed)";
}

TEST(HardenUnknownCalls, EveryCallIsStillAllowedAfterHarden) {
  const HardenResult out = harden(input(), {});
  ASSERT_NE(test::find(out.objects, "NetworkPolicy", "default-deny"), nullptr) << "harden wrote no default deny";
  for (const auto& c : kCalls) EXPECT_TRUE(allowed(out.objects, c.from, c.to, c.port)) << c.name;
  // Still a policy, not an open door: other namespaces cannot reach the backends.
  EXPECT_FALSE(allowed(out.objects, kStranger, kApi, 9000));
  EXPECT_FALSE(allowed(out.objects, kStranger, kStore, 7000));
  EXPECT_TRUE(allowed(out.objects, kStranger, kWeb, 8080)) << "the entry point takes traffic from the ingress controller";
}

TEST(HardenUnknownCalls, HardenSaysWhatItCouldNotSeeAndHowToTightenIt) {
  const HardenResult out = harden(input(), {});
  for (const char* name : {"web", "api", "store", "worker"}) {
    bool warned = false;
    for (const auto& w : out.warnings)
      warned |= w.find("the calls of " + std::string(name) + " are not visible") != std::string::npos &&
                w.find("--call " + std::string(name) + "=") != std::string::npos;
    EXPECT_TRUE(warned) << name;
  }
  bool explained = false;
  for (const auto& c : out.changes) explained |= c.message.find("(calls not visible)") != std::string::npos;
  EXPECT_TRUE(explained);
}

TEST(HardenUnknownCalls, NamedCallsNarrowThePoliciesToThem) {
  // Everyone's calls named but store's: the named workloads get exact policies; store, whose
  // calls are still unknown, keeps its way to every Service of the namespace.
  HardenOptions opts;
  opts.calls = {{"web", "api"}, {"api", "store"}, {"worker", "api"}, {"worker", "store"}};
  const HardenResult out = harden(input(), opts);
  for (const auto& c : kCalls) EXPECT_TRUE(allowed(out.objects, c.from, c.to, c.port)) << c.name;
  EXPECT_FALSE(allowed(out.objects, kWeb, kStore, 7000)) << "web does not call store";
  EXPECT_FALSE(allowed(out.objects, kApi, kWeb, 8080)) << "api does not call web";
  EXPECT_FALSE(allowed(out.objects, kWorker, kWeb, 8080)) << "worker does not call web";
  EXPECT_TRUE(allowed(out.objects, kStore, kApi, 9000)) << "store's calls are unknown: not cut off";
  size_t unknown = 0;
  for (const auto& w : out.warnings) unknown += w.find("are not visible") != std::string::npos;
  EXPECT_EQ(unknown, 1u) << "only store's calls are unknown";
}

// The same app through `shopctl import`: the rendered NetworkPolicies of the imported ShopApp
// must keep every call too (they used to cut them all: no dependsOn, default deny).
TEST(ImportUnknownCalls, TheImportedAppsRenderedPoliciesKeepEveryCall) {
  // worker has no ports: a ShopApp needs its probes, so the input gives them.
  std::string text = kApp;
  const std::string plainWorker = deployment("worker", "worker:1.0.0", "");
  text.replace(text.find(plainWorker), plainWorker.size(),
               deployment("worker", "worker:1.0.0",
                          ", livenessProbe: {exec: {command: [/bin/alive]}}, readinessProbe: {exec: {command: [/bin/ready]}}"));
  auto loaded = loadManifests(text, "acme.yaml");
  ASSERT_FALSE(loaded.diags.hasErrors()) << loaded.diags.str();
  const importer::ImportResult imported = importer::importShopApp(Inventory(loaded.manifests), {"acme", "", ""});
  auto parsed = parseShopApp(imported.app);
  ASSERT_TRUE(parsed.app) << parsed.diags.str() << imported.app.dump(2);
  const RenderResult rendered = render(*parsed.app);
  ASSERT_NE(test::find(rendered.objects, "NetworkPolicy", "acme-baseline"), nullptr) << "no default deny rendered";
  auto pod = [&](const std::string& name) {
    return Pod{"acme", test::get(rendered.objects, "Deployment", name)["spec"]["template"]["metadata"]["labels"]};
  };
  const Pod web = pod("web"), api = pod("api"), store = pod("store"), worker = pod("worker");
  EXPECT_TRUE(allowed(rendered.objects, web, api, 9000)) << "web -> api";
  EXPECT_TRUE(allowed(rendered.objects, api, store, 7000)) << "api -> store";
  EXPECT_TRUE(allowed(rendered.objects, worker, api, 9000)) << "worker -> api";
  EXPECT_TRUE(allowed(rendered.objects, worker, store, 7000)) << "worker -> store";
  // Still policies: a pod of another namespace with the same labels is refused.
  EXPECT_FALSE(allowed(rendered.objects, Pod{"elsewhere", api.labels}, store, 7000));
  // And it is said, with how to narrow it.
  const std::string notes = imported.notes.str();
  for (const char* name : {"web", "api", "store", "worker"})
    EXPECT_NE(notes.find("the calls of " + std::string(name) + " are not visible in the manifests"), std::string::npos)
        << name << "\n" << notes;
}

// Calls named with the shopctl.io/calls annotation are known: dependsOn is exactly them.
TEST(ImportUnknownCalls, NamedCallsAreTheDependsOn) {
  std::string text = kApp;
  for (const char* name : {"web", "api", "store", "worker"}) {
    const std::string from = "metadata: {name: " + std::string(name) + ", namespace: acme}\nspec:\n  selector";
    const std::string calls = std::string(name) == "web" ? "api" : std::string(name) == "api" ? "store" :
                              std::string(name) == "worker" ? "api,store" : "";
    text.replace(text.find(from), from.size(),
                 "metadata: {name: " + std::string(name) + ", namespace: acme, annotations: {shopctl.io/calls: \"" + calls +
                     "\"}}\nspec:\n  selector");
  }
  auto loaded = loadManifests(text, "acme.yaml");
  ASSERT_FALSE(loaded.diags.hasErrors()) << loaded.diags.str();
  const importer::ImportResult imported = importer::importShopApp(Inventory(loaded.manifests), {"acme", "", ""});
  for (const auto& s : imported.app["spec"]["services"]) {
    const std::string name = s["name"];
    const Json want = name == "web" ? Json::array({"api"}) : name == "api" ? Json::array({"store"}) :
                      name == "worker" ? Json::array({"api", "store"}) : Json();
    EXPECT_EQ(s.value("dependsOn", Json()), want) << name;
  }
  EXPECT_EQ(imported.notes.str().find("are not visible"), std::string::npos) << imported.notes.str();
}
