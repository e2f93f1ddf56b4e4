// The reconcile's decisions on plain data (operator/plan.hpp, operator/appstatus.cpp): what is
// desired, applied, refused, created, missing and pruned, and the status and Result that
// follow. No cluster: the Snapshot stands for what the controller would have observed.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/apply/intent.hpp"
#include "core/io/yaml.hpp"
#include "operator/controller.hpp"
#include "operator/metrics.hpp"
#include "operator/plan.hpp"
#include "operator/status.hpp"

using namespace shop;
using namespace shop::op;

namespace {

const char* kUid = "uid-shop";

// A ShopApp as the API server holds it, with spec (YAML lines under spec:) and annotations.
Json appObject(const std::string& spec, const std::string& annotations = "{}") {
  const std::string yaml = "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\n"
                           "metadata: {name: shop, namespace: ns, uid: " + std::string(kUid) +
                           ", generation: 3, annotations: " + annotations + "}\nspec:\n" + spec;
  auto y = loadYaml(yaml, "t.yaml");
  if (!y.ok() || y.documents.size() != 1) throw std::runtime_error("bad test YAML");
  return y.documents[0].value;
}

const char* kWebAndDb =
    "  services:\n  - {name: web, image: 'nginx:1.27', ports: [{name: http, port: 80}]}\n"
    "  databases:\n  - {name: db, engine: postgresql}\n";

const ClusterCapabilities kAll{true, true};

Desired mustDesire(const Json& app, const ClusterCapabilities& caps = kAll) {
  Desired d = desire(app, caps);
  if (!d.app) throw std::runtime_error("invalid test app:\n" + d.invalid.str());
  return d;
}

const Json* findObject(const std::vector<Json>& objs, const std::string& kind, const std::string& name) {
  for (const auto& o : objs)
    if (o.value("kind", "") == kind && o["metadata"].value("name", "") == name) return &o;
  return nullptr;
}

std::string keyOf(const Json& o) {
  return objectKey(o["kind"], o["metadata"].value("namespace", ""), o["metadata"]["name"]);
}

// An object as the cache holds it.
Shared shared(Json j) { return std::make_shared<const Json>(std::move(j)); }
// A cached child as observe lists it: with the kind it was listed as.
Child child(const Json& o) { return {o.value("apiVersion", ""), o.value("kind", ""), std::make_shared<const Json>(o)}; }
// The live object of a key, to change in place (a copy that replaces the shared one).
Json& liveOf(Snapshot& s, const std::string& key) {
  auto copy = std::make_shared<Json>(s.live.count(key) && s.live[key] ? *s.live[key] : Json());
  s.live[key] = copy;
  return *copy;
}

// The cluster after a reconcile that applied everything: each object as the operator applies
// it, every Secret present, and the owned objects cached as children.
Snapshot appliedCluster(const Desired& d) {
  Snapshot s;
  s.caps = kAll;
  for (const auto& o : d.objects) {  // desire gave each its owner and hash
    s.live[keyOf(o)] = shared(o);
    s.children.push_back(child(o));
  }
  for (const auto& sec : d.secrets) s.secrets.insert(sec.name);
  return s;
}

Json ownerRef(const std::string& kind, const std::string& name, const std::string& uid) {
  return Json::array({{{"apiVersion", "v1"}, {"kind", kind}, {"name", name}, {"uid", uid}, {"controller", true}}});
}

Json condition(const Json& status, const std::string& type) {
  for (const auto& c : status["conditions"])
    if (c["type"] == type) return c;
  return Json();
}

Json readyDeployment(int replicas) {
  return {{"metadata", {{"generation", 1}}},
          {"spec", {{"replicas", replicas}}},
          {"status", {{"observedGeneration", 1}, {"readyReplicas", replicas}, {"updatedReplicas", replicas}}}};
}

}  // namespace

TEST(Desire, MeshKindsAreLeftOutWhenTheClusterDoesNotServeThem) {
  const Json app = appObject(std::string(kWebAndDb) + "  mesh: {enabled: true}\n");
  const Desired with = mustDesire(app, {true, false});
  const Desired without = mustDesire(app, {false, false});
  size_t istio = 0;
  for (const auto& o : with.objects) istio += o["apiVersion"].get<std::string>().find("istio.io/") != std::string::npos;
  ASSERT_GT(istio, 0u);
  EXPECT_EQ(with.meshSkipped, 0u);
  EXPECT_EQ(without.meshSkipped, istio);
  EXPECT_EQ(without.objects.size() + istio, with.objects.size());
  EXPECT_EQ(with.meshObjects, istio) << "status.mesh.objects";
  EXPECT_EQ(without.meshObjects, 0u);
  for (const auto& o : without.objects)
    EXPECT_EQ(o["apiVersion"].get<std::string>().find("istio.io/"), std::string::npos) << keyOf(o);
}

TEST(Desire, TwoPartsRenderingOneObjectMakeTheSpecInvalid) {
  // The app's baseline NetworkPolicy is named <app>-baseline: so would this service's.
  const Desired d = desire(appObject("  services:\n  - {name: shop-baseline, image: 'nginx:1.27', ports: [{port: 80}]}\n"), kAll);
  ASSERT_FALSE(d.app);
  EXPECT_TRUE(d.objects.empty());
  EXPECT_NE(d.invalid.str().find("NetworkPolicy \"shop-baseline\" would be rendered twice"), std::string::npos)
      << d.invalid.str();
}

TEST(Plan, AnEmptyClusterGetsEveryObjectOwnedAndHashedAndItsSecretsCreated) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot empty;
  const Plan p = plan(app, d, empty);
  ASSERT_EQ(p.apply.size(), d.objects.size());
  EXPECT_EQ(p.current.size(), 0u);
  EXPECT_TRUE(p.problems.empty());
  EXPECT_TRUE(p.prune.empty());
  for (const auto& step : p.apply) {
    EXPECT_EQ(step.change, Change::Create) << keyOf(step.intent);
    // Every object but the shared Namespace, whose labels alone decide (core/apply: isShared).
    const bool hashed = step.intent["metadata"].value("annotations", Json::object()).contains(apply::kHashAnnotation);
    EXPECT_EQ(hashed, step.intent["kind"] != "Namespace") << keyOf(step.intent);
    const bool owned = step.intent["metadata"].contains("ownerReferences");
    EXPECT_EQ(owned, apply::isOwnedKind(step.intent["kind"])) << keyOf(step.intent);
    // desire did that once: the plan applies its objects as they are.
    EXPECT_EQ(step.intent, *findObject(d.objects, step.intent["kind"], step.intent["metadata"]["name"]));
    EXPECT_EQ(apply::withOwnership(step.intent, app, owned), step.intent) << "idempotent: " << keyOf(step.intent);
  }
  ASSERT_EQ(p.createSecrets.size(), d.secrets.size());
  ASSERT_FALSE(d.secrets.empty());
  EXPECT_EQ(p.createSecrets[0].name, d.secrets[0].name);
  EXPECT_TRUE(p.secretsMissing.empty());
}

TEST(Plan, ObjectsAlreadyAsIntendedAreNotWrittenADriftedOneIsRevertedAndAChangedIntentUpdated) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s = appliedCluster(d);
  Plan p = plan(app, d, s);
  EXPECT_TRUE(p.apply.empty());
  EXPECT_EQ(p.current.size(), d.objects.size());
  EXPECT_TRUE(p.createSecrets.empty());
  EXPECT_TRUE(p.prune.empty());
  // A hand edit under an unchanged hash is still drift.
  const Json& web = *findObject(d.objects, "Deployment", "web");
  liveOf(s, keyOf(web))["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25";
  p = plan(app, d, s);
  ASSERT_EQ(p.apply.size(), 1u);
  EXPECT_EQ(keyOf(p.apply[0].intent), keyOf(web));
  EXPECT_EQ(p.apply[0].change, Change::Revert) << "the live object has the intent's hash: changed by hand";
  EXPECT_EQ(p.current.size(), d.objects.size() - 1);
  // An object whose hash is another's: the intent changed (a spec edit), an update, not drift.
  s = appliedCluster(d);
  liveOf(s, keyOf(web))["metadata"]["annotations"][apply::kHashAnnotation] = "older";
  p = plan(app, d, s);
  ASSERT_EQ(p.apply.size(), 1u);
  EXPECT_EQ(p.apply[0].change, Change::Update);
  // So is one with no hash at all (adopted, or written by an older operator).
  s = appliedCluster(d);
  liveOf(s, keyOf(web))["metadata"]["annotations"].erase(apply::kHashAnnotation);
  p = plan(app, d, s);
  ASSERT_EQ(p.apply.size(), 1u);
  EXPECT_EQ(p.apply[0].change, Change::Update);
}

// Objects the controller vouches for (Snapshot::verified: found up to date before, changed in
// nothing but their status since) are up to date without a look; every object found up to date
// is named in Plan::current, which is what the controller remembers.
TEST(Plan, VerifiedObjectsAreUpToDateUnlookedAtAndEveryUpToDateObjectIsNamed) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s = appliedCluster(d);
  Plan p = plan(app, d, s);
  ASSERT_EQ(p.current.size(), d.objects.size());
  const std::set<std::string> named(p.current.begin(), p.current.end());
  for (const auto& o : d.objects) EXPECT_TRUE(named.count(keyOf(o))) << keyOf(o);
  // Drifted: written, so not current.
  const std::string web = keyOf(*findObject(d.objects, "Deployment", "web"));
  liveOf(s, web)["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25";
  p = plan(app, d, s);
  ASSERT_EQ(p.apply.size(), 1u);
  EXPECT_EQ(p.current.size(), d.objects.size() - 1);
  EXPECT_EQ(std::count(p.current.begin(), p.current.end(), web), 0);
  // Vouched for: not read at all (neither live nor a child here), not written, current.
  s.live.erase(web);
  s.verified.insert(web);
  p = plan(app, d, s);
  EXPECT_TRUE(p.apply.empty());
  EXPECT_TRUE(p.prune.empty());
  EXPECT_EQ(p.current.size(), d.objects.size());
  EXPECT_EQ(std::count(p.current.begin(), p.current.end(), web), 1);
  // Without the voucher the same snapshot lacks the object: it is created.
  s.verified.clear();
  p = plan(app, d, s);
  ASSERT_EQ(p.apply.size(), 1u);
  EXPECT_EQ(p.apply[0].change, Change::Create);
}

// The controller makes only the status again on a workload's status update after a clean
// reconcile; that is sound only because the plan reads no status.
TEST(CleanPlan, OnlyAReconcileThatFoundNothingToDoIsCleanAndNoStatusChangesItsPlan) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s = appliedCluster(d);
  const Plan settled = plan(app, d, s);
  Progress done;
  done.upToDate = settled.current.size();
  EXPECT_TRUE(cleanPlan(settled, done));
  // Workloads reporting anything at all in their status: the same plan, still clean.
  for (const auto& o : d.objects)
    if (o["kind"] == "Deployment" || o["kind"] == "StatefulSet")
      liveOf(s, keyOf(o))["status"] = {{"observedGeneration", 7}, {"replicas", 3}, {"readyReplicas", 0},
                                       {"conditions", Json::array({{{"type", "Available"}, {"status", "False"}}})}};
  const Plan again = plan(app, d, s);
  EXPECT_TRUE(cleanPlan(again, done));
  EXPECT_EQ(again.current.size(), settled.current.size());
  // Not clean: objects to create, Secrets to create, a write that failed, a Secret to wait for,
  // a gateway Secret nothing watches.
  Snapshot empty;
  EXPECT_FALSE(cleanPlan(plan(app, d, empty), Progress{}));
  Snapshot noSecrets = appliedCluster(d);
  noSecrets.secrets.clear();
  EXPECT_FALSE(cleanPlan(plan(app, d, noSecrets), done));
  Progress failed = done;
  failed.fail("Deployment/web: conflict", false);
  EXPECT_FALSE(cleanPlan(settled, failed));
  Progress wrote = done;
  wrote.applied = 1;
  EXPECT_FALSE(cleanPlan(settled, wrote));
  Plan waiting = settled;
  waiting.secretsMissing = {"token (env TOKEN of service web)"};
  EXPECT_FALSE(cleanPlan(waiting, done));
  for (SecretCheck c : {SecretCheck::Missing, SecretCheck::Unreadable}) {
    Plan gateway = settled;
    gateway.gatewayTls = c;
    EXPECT_FALSE(cleanPlan(gateway, done));
  }
  Plan found = settled;
  found.gatewayTls = SecretCheck::Found;
  EXPECT_TRUE(cleanPlan(found, done));
}

// What the controller keeps of a settled app (the spec, the Secrets' names, the counts; not the
// objects) makes the same status as the whole render.
TEST(AppStatus, TheKeptPartOfASettledRenderMakesTheSameStatusAsTheWholeRender) {
  const Json app = appObject(std::string(kWebAndDb) + "  mesh: {enabled: true}\n  monitoring: {prometheus: serviceMonitor}\n");
  for (const ClusterCapabilities caps : {kAll, ClusterCapabilities{false, false}}) {
    const Desired whole = mustDesire(app, caps);
    const Desired kept = withoutObjects(whole);
    ASSERT_TRUE(kept.objects.empty());
    Workloads w;
    w.deployments["web"] = shared(readyDeployment(1));
    Progress p;
    p.upToDate = whole.objects.size();
    EXPECT_EQ(appStatus(app, kept, caps, p, w, "now").status, appStatus(app, whole, caps, p, w, "now").status);
  }
}

TEST(Plan, AnEngineChangeOfALiveDatabaseRefusesTheWholeApp) {
  const Json before = appObject(kWebAndDb);  // db: postgresql
  Snapshot s = appliedCluster(mustDesire(before));
  const Json after = appObject(
      "  services:\n  - {name: web, image: 'nginx:1.28', ports: [{name: http, port: 80}]}\n"
      "  databases:\n  - {name: db, engine: mariadb}\n");
  const Desired d = mustDesire(after);
  Plan p = plan(after, d, s);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_TRUE(p.problems[0].permanent);
  EXPECT_EQ(p.problems[0].message.rfind("database db: the engine is mariadb but StatefulSet/db runs postgresql; ", 0), 0u)
      << p.problems[0].message;
  EXPECT_NE(p.problems[0].message.find("add a database under a new name"), std::string::npos);
  EXPECT_TRUE(p.apply.empty()) << "not even the web image edit: nothing of this app is written";
  EXPECT_TRUE(p.prune.empty());
  EXPECT_TRUE(p.createSecrets.empty());
  // The engine put back: the edit goes through.
  p = plan(before, mustDesire(before), s);
  EXPECT_TRUE(p.problems.empty());
  // A StatefulSet whose container is not named after an engine says nothing: not refused.
  const Desired was = mustDesire(before);
  const Json& sts = *findObject(was.objects, "StatefulSet", "db");
  liveOf(s, keyOf(sts))["spec"]["template"]["spec"]["containers"][0]["name"] = "main";
  EXPECT_TRUE(plan(after, d, s).problems.empty());
}

TEST(Plan, TheSharedNamespaceIsWrittenOnlyWhenItLacksThisAppsLabels) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s = appliedCluster(d);
  const Json& ns = *findObject(d.objects, "Namespace", "ns");
  // Another app of the namespace added its labels (say istio-injection): still up to date.
  liveOf(s, keyOf(ns))["metadata"]["labels"]["istio-injection"] = "enabled";
  liveOf(s, keyOf(ns))["metadata"]["annotations"][apply::kHashAnnotation] = "another-apps-or-an-older-operators";
  EXPECT_TRUE(plan(app, d, s).apply.empty());
  // A label of this app's missing: written, as an update (the Namespace has no hash to tell drift by).
  liveOf(s, keyOf(ns))["metadata"]["labels"].erase("pod-security.kubernetes.io/enforce");
  const Plan p = plan(app, d, s);
  ASSERT_EQ(p.apply.size(), 1u);
  EXPECT_EQ(keyOf(p.apply[0].intent), keyOf(ns));
  EXPECT_EQ(p.apply[0].change, Change::Update);
  EXPECT_EQ(apply::sharedFieldManager("shop"), "shop-operator/shop");
}

TEST(Plan, EventMessagesNameWhatChanged) {
  Progress p;
  p.created = 2;
  p.updated = 1;
  EXPECT_EQ(appliedMessage(p, 4), "applied 3 object(s) (generation 4): 2 created, 1 updated");
  EXPECT_EQ(revertedMessage({"Deployment/web", "Service/web"}),
            "put back 2 object(s) changed outside the ShopApp: Deployment/web, Service/web");
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) many.push_back("Service/s" + std::to_string(i));
  const std::string m = revertedMessage(many);
  EXPECT_EQ(m.rfind("put back 12 object(s) changed outside the ShopApp: Service/s0, ", 0), 0u) << m;
  EXPECT_NE(m.find("Service/s9 and 2 more"), std::string::npos) << m;
  EXPECT_EQ(m.find("Service/s10"), std::string::npos) << m;
  EXPECT_STREQ(changeName(Change::Revert), "revert");
}

TEST(AppStatus, BecameReadyOnlyWhenReadyTurnsTrue) {
  const Json notReady = {{"conditions", {{{"type", "Ready"}, {"status", "False"}}}}};
  const Json ready = {{"conditions", {{{"type", "Stalled"}, {"status", "False"}}, {{"type", "Ready"}, {"status", "True"}}}}};
  EXPECT_TRUE(becameReady(notReady, ready));
  EXPECT_TRUE(becameReady(Json::object(), ready)) << "a first status that is already Ready";
  EXPECT_FALSE(becameReady(ready, ready)) << "still Ready: no second event";
  EXPECT_FALSE(becameReady(ready, notReady));
  EXPECT_FALSE(becameReady(notReady, notReady));
}

TEST(Plan, AnObjectNobodyControlsIsRefusedUnlessTheAppAdoptsIt) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s;
  const Json& svc = *findObject(d.objects, "Service", "web");
  Json handMade = svc;  // made by `kubectl apply`: same name, no owner
  handMade["metadata"].erase("ownerReferences");
  s.live[keyOf(svc)] = shared(handMade);
  const Plan p = plan(app, d, s);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_TRUE(p.problems[0].permanent);
  EXPECT_EQ(p.problems[0].message.rfind("Service/web: exists and was not created by this ShopApp", 0), 0u)
      << p.problems[0].message;
  EXPECT_NE(p.problems[0].message.find("shopctl.io/adopt-existing=true"), std::string::npos);
  EXPECT_EQ(p.apply.size(), d.objects.size() - 1);
  for (const auto& step : p.apply) EXPECT_NE(keyOf(step.intent), keyOf(svc));

  const Json adopting = appObject(kWebAndDb, "{shopctl.io/adopt-existing: 'true'}");
  const Plan taken = plan(adopting, mustDesire(adopting), s);
  EXPECT_TRUE(taken.problems.empty());
  EXPECT_EQ(taken.apply.size(), d.objects.size());
}

TEST(Plan, AnObjectAnotherOwnerControlsIsNeverTakenNorPruned) {
  // Another ShopApp in the namespace has a component of the same name.
  const Json app = appObject(kWebAndDb, "{shopctl.io/adopt-existing: 'true'}");
  const Desired d = mustDesire(app);
  Snapshot s = appliedCluster(d);
  const Json& dep = *findObject(d.objects, "Deployment", "web");
  Json theirs = dep;
  theirs["metadata"]["ownerReferences"] = ownerRef("ShopApp", "other", "uid-other");
  s.live[keyOf(dep)] = shared(theirs);
  s.children.push_back(child([&] {
    Json o = theirs;
    o["metadata"]["name"] = "their-worker";
    return o;
  }()));
  const Plan p = plan(app, d, s);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].message,
            "Deployment/web: already controlled by ShopApp other in this namespace; rename the component or move one "
            "app to another namespace");
  EXPECT_TRUE(p.problems[0].permanent);
  EXPECT_TRUE(p.apply.empty());
  EXPECT_TRUE(p.prune.empty());
}

TEST(Plan, OwnedObjectsNoLongerRenderedArePrunedButNeverSecretsOrPvcs) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s = appliedCluster(d);
  auto owned = [&](const std::string& apiVersion, const std::string& kind, const std::string& name) {
    Json o = {{"apiVersion", apiVersion}, {"kind", kind},
              {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}, {"ownerReferences", ownerRef("ShopApp", "shop", kUid)}}}};
    s.children.push_back(child(o));
  };
  owned("apps/v1", "Deployment", "queue-master");  // a service removed from the spec
  owned("v1", "Service", "queue-master");
  owned("v1", "Secret", "old-credentials");
  owned("v1", "PersistentVolumeClaim", "data-old-0");
  Json notOurs = *s.children.back().object;
  notOurs["kind"] = "ConfigMap";
  notOurs["apiVersion"] = "v1";
  notOurs["metadata"]["name"] = "foreign";
  notOurs["metadata"]["ownerReferences"] = ownerRef("ShopApp", "other", "uid-other");
  s.children.push_back(child(notOurs));
  const Plan p = plan(app, d, s);
  ASSERT_EQ(p.prune.size(), 2u);
  EXPECT_EQ(p.prune[0].kind, "Deployment");
  EXPECT_EQ(p.prune[0].apiVersion, "apps/v1");
  EXPECT_EQ(p.prune[0].name, "queue-master");
  EXPECT_EQ(p.prune[0].uid, "uid-queue-master");
  EXPECT_EQ(p.prune[1].kind, "Service");
  EXPECT_TRUE(p.apply.empty());
}

TEST(Plan, SecretsTheUserMustMakeAreMissingAndNamedWithWhoNeedsThem) {
  const Json app = appObject(
      "  services:\n  - name: api\n    image: 'nginx:1.27'\n    ports: [{port: 80}]\n"
      "    env:\n    - {name: TOKEN, secret: {name: api-token, key: token}}\n"
      "    - {name: EXTRA, secret: {name: extra, key: x, optional: true}}\n"
      "    - {name: KEY, secret: {name: present, key: k}}\n"
      "  databases:\n  - {name: db, engine: postgresql, credentials: {generate: false}}\n");
  const Desired d = mustDesire(app);
  Snapshot s;
  s.secrets.insert("present");
  const Plan p = plan(app, d, s);
  ASSERT_EQ(d.secrets.size(), 1u);
  EXPECT_TRUE(p.createSecrets.empty());
  EXPECT_EQ(p.secretsMissing, (std::vector<std::string>{d.secrets[0].name + " (credentials.generate is false)",
                                                        "api-token (env TOKEN of service api)"}));
  EXPECT_TRUE(p.problems.empty());
  // A lookup the API server failed is a problem, not a missing Secret: retried on a 5xx.
  s.failed[objectKey("Secret", "ns", "api-token")] = {503, "ServiceUnavailable: try later"};
  const Plan failed = plan(app, d, s);
  ASSERT_EQ(failed.problems.size(), 1u);
  EXPECT_EQ(failed.problems[0].message, "Secret/api-token: ServiceUnavailable: try later");
  EXPECT_FALSE(failed.problems[0].permanent);
  EXPECT_EQ(failed.secretsMissing.size(), 1u);
}

TEST(Plan, TheMeshGatewaysTlsSecretIsLookedForWhereIstioReadsItWithoutHoldingReady) {
  const std::string web = "  services:\n  - {name: web, image: 'nginx:1.27', ports: [{port: 80}], expose: {paths: [/]}}\n";
  const Json mesh = appObject("  mesh: {enabled: true}\n  gateway: {enabled: true, tls: {secretName: shop-tls}}\n" + web);
  const Desired d = mustDesire(mesh);
  const auto refs = secretReferences(*d.app, kAll);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].namespace_, "istio-system") << "Istio reads credentialName in the gateway pods' namespace";
  EXPECT_EQ(secretKey(refs[0], "ns"), "istio-system/shop-tls");
  EXPECT_FALSE(refs[0].required) << "the mesh's to provision: Ready does not wait for it";
  EXPECT_TRUE(secretReferences(*d.app, ClusterCapabilities{false, true}).empty()) << "no Istio, no Gateway applied: not looked for";
  Snapshot s;
  s.caps = kAll;
  const Plan missing = plan(mesh, d, s);
  EXPECT_EQ(missing.gatewayTls, SecretCheck::Missing);
  EXPECT_EQ(missing.gatewayTlsNamespace, "istio-system") << "the status names where it looked";
  EXPECT_TRUE(missing.secretsMissing.empty()) << "not SecretsMissing: GatewayTLSVerified=False says it";
  s.secretsForbidden.insert("istio-system/shop-tls");
  const Plan unreadable = plan(mesh, d, s);
  EXPECT_EQ(unreadable.gatewayTls, SecretCheck::Unreadable);
  EXPECT_TRUE(unreadable.secretsMissing.empty()) << "may not read is not missing: the app is not stalled for it";
  EXPECT_TRUE(unreadable.problems.empty());
  s.secretsForbidden.clear();
  s.secrets.insert("shop-tls");  // one of the same name in the app's namespace is not the one Istio reads
  EXPECT_EQ(plan(mesh, d, s).gatewayTls, SecretCheck::Missing);
  s.secrets.insert("istio-system/shop-tls");
  const Plan found = plan(mesh, d, s);
  EXPECT_EQ(found.gatewayTls, SecretCheck::Found);
  EXPECT_TRUE(found.secretsMissing.empty());
  // Without the mesh an Ingress reads it in the app's namespace, by its name alone.
  const Json ingress = appObject("  gateway: {enabled: true, tls: {secretName: shop-tls}}\n" + web);
  const Desired di = mustDesire(ingress);
  EXPECT_EQ(secretKey(secretReferences(*di.app, kAll).at(0), "ns"), "shop-tls");
  Snapshot si;
  EXPECT_EQ(plan(ingress, di, si).secretsMissing, (std::vector<std::string>{"shop-tls (the gateway's TLS)"}));
  si.secrets.insert("shop-tls");
  EXPECT_EQ(plan(ingress, di, si).gatewayTls, SecretCheck::Found);
  EXPECT_EQ(plan(ingress, di, si).gatewayTlsNamespace, "ns");
}

TEST(Plan, AFailedLookupIsAProblemAndTheObjectIsNotWritten) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Snapshot s;
  const Json& dep = *findObject(d.objects, "Deployment", "web");
  s.failed[keyOf(dep)] = {500, "InternalError: etcd"};
  s.failed[keyOf(*findObject(d.objects, "Service", "web"))] = {400, "BadRequest: no"};
  const Plan p = plan(app, d, s);
  ASSERT_EQ(p.problems.size(), 2u);
  bool sawTransient = false, sawPermanent = false;
  for (const auto& pr : p.problems) {
    if (pr.message == "Deployment/web: InternalError: etcd") sawTransient = !pr.permanent;
    if (pr.message == "Service/web: BadRequest: no") sawPermanent = pr.permanent;
  }
  EXPECT_TRUE(sawTransient);
  EXPECT_TRUE(sawPermanent);
  EXPECT_EQ(p.apply.size(), d.objects.size() - 2);
}

TEST(Result, EachKindIsCountedAsControllerRuntimeCountsIt) {
  EXPECT_STREQ(Result::done().metricResult(), "success");
  EXPECT_STREQ(Result::after(kSecretPollInterval).metricResult(), "requeue_after");
  Result again;
  again.requeue = true;
  EXPECT_STREQ(again.metricResult(), "requeue");
  EXPECT_STREQ(Result::failed("x").metricResult(), "error");
  const Result terminal = Result::terminalError("y");
  EXPECT_STREQ(terminal.metricResult(), "error");
  EXPECT_TRUE(terminal.terminal);
  EXPECT_FALSE(Result::failed("x").terminal);
  EXPECT_STREQ(Result::failed("").metricResult(), "error");
  // An error wins over a requeue asked alongside it.
  Result both = Result::failed("z");
  both.requeueAfter = kSecretPollInterval;
  EXPECT_STREQ(both.metricResult(), "error");
  EXPECT_TRUE(isPermanent(422));
  EXPECT_FALSE(isPermanent(403));
  EXPECT_FALSE(isPermanent(409));
  EXPECT_FALSE(isPermanent(500));
}

TEST(AppStatus, EachOutcomeHasItsConditionsAndResult) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Workloads all;
  all.deployments["web"] = shared(readyDeployment(5));
  all.statefulsets["db"] = shared(readyDeployment(3));
  struct Case {
    const char* name;
    Progress progress;
    Workloads workloads;
    const char* ready;  // Ready's reason
    const char* stalled;
    const char* metric;
    bool terminal;
  };
  Progress transient, permanent, missing;
  transient.fail("Deployment/web: InternalError", false);
  transient.fail("Service/web: BadRequest", true);
  permanent.fail("Service/web: exists and was not created by this ShopApp", true);
  missing.secretsMissing = {"db-credentials (credentials.generate is false)"};
  const std::vector<Case> cases = {
      {"transient", transient, all, "ApplyFailed", "False", "error", false},
      {"permanent", permanent, all, "ApplyFailed", "True", "error", true},
      {"secrets missing", missing, all, "SecretsMissing", "True", "requeue_after", false},
      {"not ready", Progress{}, Workloads{}, "ComponentsNotReady", "False", "success", false},
      {"ready", Progress{}, all, "Ready", "False", "success", false},
  };
  for (const auto& c : cases) {
    const AppStatus a = appStatus(app, d, kAll, c.progress, c.workloads, "2026-01-01T00:00:00Z");
    EXPECT_EQ(condition(a.status, "Ready")["reason"], c.ready) << c.name;
    EXPECT_EQ(condition(a.status, "Ready")["status"], std::string(c.ready) == "Ready" ? "True" : "False") << c.name;
    EXPECT_EQ(condition(a.status, "Stalled")["status"], c.stalled) << c.name;
    EXPECT_EQ(condition(a.status, "Ready")["observedGeneration"], 3) << c.name;
    EXPECT_EQ(a.status["observedGeneration"], 3) << c.name;
    EXPECT_STREQ(a.result.metricResult(), c.metric) << c.name;
    EXPECT_EQ(a.result.terminal, c.terminal) << c.name;
  }
  const AppStatus t = appStatus(app, d, kAll, transient, all, "now");
  EXPECT_EQ(t.result.error, "Deployment/web: InternalError (and 1 more)");
  EXPECT_EQ(condition(t.status, "Reconciling")["status"], "True");
  const AppStatus m = appStatus(app, d, kAll, missing, all, "now");
  EXPECT_EQ(m.result.requeueAfter, kSecretPollInterval);
  EXPECT_EQ(condition(m.status, "Ready")["message"], "create the Secret(s) db-credentials (credentials.generate is false)");
}

TEST(AppStatus, SummaryStatusIsInEveryBuiltStatusSoAnOlderOperatorsIsRewrittenOnce) {
  Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Workloads all;
  all.deployments["web"] = shared(readyDeployment(5));
  all.statefulsets["db"] = shared(readyDeployment(3));
  const AppStatus first = appStatus(app, d, kAll, Progress{}, all, "t1");
  EXPECT_EQ(first.status["summary"]["status"], "Current");
  EXPECT_EQ(first.status["summary"]["ready"], "2/2") << "the rest of the summary is kept";
  Json older = first.status;  // an older operator's status: the same, without summary.status
  older["summary"].erase("status");
  app["status"] = older;
  const AppStatus next = appStatus(app, d, kAll, Progress{}, all, "t2");
  EXPECT_FALSE(sameStatus(older, next.status)) << "summary.status is missing in the cluster: write it";
  app["status"] = next.status;  // now written
  const AppStatus again = appStatus(app, d, kAll, Progress{}, all, "t3");
  EXPECT_TRUE(sameStatus(next.status, again.status)) << "no change: no write";
  Json stale = next.status;
  stale["summary"]["status"] = "InProgress";  // the conditions moved on, the field did not
  EXPECT_FALSE(sameStatus(stale, again.status));
  const AppStatus notReady = appStatus(app, d, kAll, Progress{}, Workloads{}, "t4");
  EXPECT_EQ(notReady.status["summary"]["status"], "InProgress");
  Diagnostics diags;
  diags.error("spec.services[0].image", "bad");
  EXPECT_EQ(invalidStatus(app, diags, "t5").status["summary"]["status"], "Failed")
      << "over a live status that said Current";
}

TEST(AppStatus, ComponentsSummaryAndSecretsComeFromTheWorkloads) {
  const Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Workloads w;
  w.deployments["web"] = shared(readyDeployment(5));
  const AppStatus a = appStatus(app, d, kAll, Progress{}, w, "now");
  EXPECT_EQ(a.ready, 1);
  EXPECT_EQ(a.total, 2);
  EXPECT_EQ(a.status["summary"]["ready"], "1/2");
  ASSERT_EQ(a.status["components"].size(), 2u);
  EXPECT_EQ(a.status["components"][0]["workload"], "Deployment/web");
  EXPECT_EQ(a.status["components"][0]["ready"], true);
  EXPECT_EQ(a.status["components"][1]["workload"], "StatefulSet/db");
  EXPECT_EQ(a.status["components"][1]["message"], "not created yet");
  EXPECT_EQ(condition(a.status, "Ready")["message"], "1/2 components ready; waiting for db (not created yet)");
  ASSERT_EQ(a.status["secrets"].size(), d.secrets.size());
  EXPECT_EQ(a.status["secrets"][0], d.secrets[0].name);
  EXPECT_FALSE(a.status.contains("mesh"));
}

TEST(AppStatus, OnlyProgressWithinOneConditionMayWaitForTheStatusInterval) {
  Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Workloads none, webStarting, webReady, both;
  Json starting = readyDeployment(5);
  starting["status"]["readyReplicas"] = 2;
  webStarting.deployments["web"] = shared(starting);
  webReady.deployments["web"] = shared(readyDeployment(5));
  both = webReady;
  both.statefulsets["db"] = shared(readyDeployment(3));
  const auto at = [&](const Workloads& w, const Progress& p = Progress{}) {
    return appStatus(app, d, kAll, p, w, "t").status;
  };
  const Json s0 = at(none), s1 = at(webStarting), s2 = at(webReady), s3 = at(both);
  // Replicas becoming ready, a component becoming ready: Reconciling throughout, only counts
  // and messages move.
  EXPECT_TRUE(progressOnly(s0, s1));
  EXPECT_TRUE(progressOnly(s1, s2)) << "web ready, db not yet: still 'not ready', one count more";
  // Ready reached or lost is written at once.
  EXPECT_FALSE(progressOnly(s2, s3));
  EXPECT_FALSE(progressOnly(s3, s2));
  // No change is not progress (nothing to write at all).
  EXPECT_FALSE(progressOnly(s1, s1));
  // A first status, an error, missing Secrets, a new generation: at once.
  EXPECT_FALSE(progressOnly(Json::object(), s1));
  Progress failed;
  failed.fail("Deployment/web: InternalError", false);
  EXPECT_FALSE(progressOnly(s1, at(webStarting, failed)));
  Progress missing;
  missing.secretsMissing = {"db-credentials"};
  EXPECT_FALSE(progressOnly(s1, at(webStarting, missing)));
  Json edited = app;
  edited["metadata"]["generation"] = 4;
  EXPECT_FALSE(progressOnly(s1, appStatus(edited, d, kAll, Progress{}, webReady, "t").status));
  // A component added by an edit changes the list's shape: at once.
  Json withCache = appObject(std::string(kWebAndDb) + "  - {name: cache, engine: redis}\n");
  EXPECT_FALSE(progressOnly(s1, appStatus(withCache, mustDesire(withCache), kAll, Progress{}, webReady, "t").status));
}

// The live status comes back from the API server with its keys sorted and its conditions' times
// set; ours is built in another order. Compared in place, without a JSON round trip.
TEST(AppStatus, StatusesCompareAsTheApiServerStoresThem) {
  Json app = appObject(kWebAndDb);
  const Desired d = mustDesire(app);
  Workloads w;
  Json starting = readyDeployment(5);
  starting["status"]["readyReplicas"] = 2;
  w.deployments["web"] = shared(starting);
  const Json ours = appStatus(app, d, kAll, Progress{}, w, "t1").status;
  // The same status, every object's keys in reverse order, times moved on.
  std::function<Json(const Json&)> reversed = [&](const Json& j) -> Json {
    if (j.is_array()) {
      Json out = Json::array();
      for (const auto& e : j) out.push_back(reversed(e));
      return out;
    }
    if (!j.is_object()) return j;
    std::vector<std::pair<std::string, Json>> items;
    for (auto it = j.begin(); it != j.end(); ++it) items.emplace_back(it.key(), reversed(*it));
    Json out = Json::object();
    for (auto it = items.rbegin(); it != items.rend(); ++it) out[it->first] = it->second;
    return out;
  };
  Json live = reversed(ours);
  ASSERT_NE(live.dump(), ours.dump()) << "the test needs another key order";
  for (auto& c : live["conditions"]) c["lastTransitionTime"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(sameStatus(live, ours));
  EXPECT_EQ(statusChange(live, ours), StatusChange::None);
  // A count: progress. A condition's status, a component's workload, a key more: not only progress.
  Json counted = live;
  counted["components"][0]["readyReplicas"] = 3;
  EXPECT_FALSE(sameStatus(counted, ours));
  EXPECT_EQ(statusChange(counted, ours), StatusChange::Progress);
  Json flipped = live;
  flipped["conditions"][0]["status"] = flipped["conditions"][0]["status"] == "True" ? "False" : "True";
  EXPECT_EQ(statusChange(flipped, ours), StatusChange::Other);
  Json renamed = live;
  renamed["components"][0]["workload"] = "Deployment/other";
  EXPECT_EQ(statusChange(renamed, ours), StatusChange::Other);
  Json more = live;
  more["summary"]["extra"] = 1;
  EXPECT_EQ(statusChange(more, ours), StatusChange::Other);
  Json fewer = live;
  fewer["components"][0].erase("readyReplicas");
  EXPECT_EQ(statusChange(fewer, ours), StatusChange::Progress) << "a count masked is masked whether present or not";
  fewer["components"][0].erase("workload");
  EXPECT_EQ(statusChange(fewer, ours), StatusChange::Other);
  // Numbers compare by value, as the API server's JSON does not keep 2 and 2.0 apart.
  Json asFloat = live;
  asFloat["observedGeneration"] = asFloat["observedGeneration"].get<double>();
  EXPECT_TRUE(sameStatus(asFloat, ours));
}

TEST(AppStatus, GatewayTlsVerifiedSaysFoundMissingOrUnknownAndTheMeshGatewaysDoesNotHoldReady) {
  const Json app = appObject("  mesh: {enabled: true}\n  gateway: {enabled: true, tls: {secretName: shop-tls}}\n"
                             "  services:\n  - {name: web, image: 'nginx:1.27', ports: [{port: 80}], expose: {paths: [/]}}\n");
  const Desired d = mustDesire(app);
  Workloads all;
  all.deployments["web"] = shared(readyDeployment(2));
  Progress p;
  p.gatewayTls = SecretCheck::Unreadable;
  p.gatewayTlsNamespace = "istio-system";
  const AppStatus unknown = appStatus(app, d, kAll, p, all, "t");
  EXPECT_EQ(condition(unknown.status, "GatewayTLSVerified")["status"], "Unknown");
  EXPECT_EQ(condition(unknown.status, "GatewayTLSVerified")["reason"], "SecretNotReadable");
  EXPECT_NE(condition(unknown.status, "GatewayTLSVerified")["message"].get<std::string>().find("Role in istio-system granting get on secrets named shop-tls"),
            std::string::npos);
  EXPECT_EQ(condition(unknown.status, "Ready")["status"], "True") << "the operator cannot tell: it does not hold Ready for it";
  EXPECT_EQ(unknown.result.requeueAfter, kGatewaySecretPollInterval) << "a grant is not watched: look again";
  p.gatewayTls = SecretCheck::Missing;
  const AppStatus missing = appStatus(app, d, kAll, p, all, "t");
  EXPECT_EQ(condition(missing.status, "GatewayTLSVerified")["status"], "False");
  EXPECT_EQ(condition(missing.status, "GatewayTLSVerified")["message"],
            "Secret istio-system/shop-tls does not exist: the gateway serves no HTTPS until it does, and it redirects "
            "HTTP to HTTPS; Ready does not wait for it; looked at again every 60 s");
  EXPECT_EQ(condition(missing.status, "Ready")["status"], "True") << "every workload runs: the mesh owns the Secret";
  EXPECT_EQ(missing.result.requeueAfter, kGatewaySecretPollInterval) << "not watched: look again";
  Progress found;
  found.gatewayTls = SecretCheck::Found;
  found.gatewayTlsNamespace = "istio-system";
  const AppStatus ok = appStatus(app, d, kAll, found, all, "t");
  EXPECT_EQ(condition(ok.status, "GatewayTLSVerified")["status"], "True");
  EXPECT_EQ(ok.result.requeueAfter.count(), 0);
  // An app without TLS has no such condition; one that loses TLS loses it.
  Json plain = appObject("  services:\n  - {name: web, image: 'nginx:1.27', ports: [{port: 80}]}\n");
  plain["status"] = ok.status;
  EXPECT_TRUE(condition(appStatus(plain, mustDesire(plain), kAll, Progress{}, all, "t").status, "GatewayTLSVerified").is_null());
}

TEST(AppStatus, MeshUnavailableSaysHowManyObjectsWait) {
  const Json app = appObject(std::string(kWebAndDb) + "  mesh: {enabled: true}\n");
  const Desired d = mustDesire(app, {false, false});
  const AppStatus a = appStatus(app, d, {false, false}, Progress{}, Workloads{}, "now");
  EXPECT_EQ(a.status["mesh"], (Json{{"available", false}, {"objects", 0}}));
  const Json mesh = condition(a.status, "MeshAvailable");
  EXPECT_EQ(mesh["status"], "False");
  EXPECT_EQ(mesh["message"], "Istio CRDs are not installed: " + std::to_string(d.meshSkipped) +
                                 " mesh objects are not applied; they will be when Istio is installed");
  const Desired served = mustDesire(app, kAll);
  const AppStatus on = appStatus(app, served, kAll, Progress{}, Workloads{}, "now");
  EXPECT_EQ(on.status["mesh"]["objects"], static_cast<int>(d.meshSkipped));
  EXPECT_EQ(condition(on.status, "MeshAvailable")["status"], "True");
}

TEST(AppStatus, AnInvalidSpecIsStalledAndATerminalError) {
  Json app = appObject(kWebAndDb);
  Diagnostics diags;
  for (int i = 0; i < 5; ++i) diags.error("spec.services[" + std::to_string(i) + "].image", "bad");
  diags.warning("spec.x", "only a warning");
  const AppStatus a = invalidStatus(app, diags, "now");
  // Every error (invalidSpecMessage), not the warning.
  const std::string msg =
      "spec.services[0].image: bad; spec.services[1].image: bad; spec.services[2].image: bad; "
      "spec.services[3].image: bad; spec.services[4].image: bad";
  EXPECT_EQ(a.result.error, msg);
  EXPECT_TRUE(a.result.terminal);
  EXPECT_EQ(condition(a.status, "Stalled")["status"], "True");
  EXPECT_EQ(condition(a.status, "Stalled")["reason"], "InvalidSpec");
  EXPECT_EQ(condition(a.status, "Reconciling")["message"], "waiting for a corrected spec");
  EXPECT_EQ(condition(a.status, "Ready")["message"], msg);
}

TEST(Result, RequeueWithinKeepsTheSoonerDelay) {
  using std::chrono::milliseconds;
  Result r = Result::done();
  r.requeueWithin(milliseconds(60000));
  EXPECT_EQ(r.requeueAfter, milliseconds(60000)) << "none set: this one";
  r.requeueWithin(milliseconds(1500));
  EXPECT_EQ(r.requeueAfter, milliseconds(1500)) << "sooner: taken";
  r.requeueWithin(milliseconds(5000));
  EXPECT_EQ(r.requeueAfter, milliseconds(1500)) << "later: the sooner one stays";
}

TEST(Result, StalledOutcomesAreCountedAsErrorsAndTerminal) {
  Metrics m;
  const Json app = appObject(kWebAndDb);
  Progress permanent, missing;
  permanent.fail("Service/web: exists and was not created by this ShopApp", true);
  missing.secretsMissing = {"api-token (env TOKEN of service api)"};
  const Desired d = mustDesire(app);
  Diagnostics invalid;
  invalid.error("spec.services[0].image", "no tag");
  countReconcile(m, invalidStatus(app, invalid, "now").result);
  countReconcile(m, appStatus(app, d, kAll, permanent, Workloads{}, "now").result);
  countReconcile(m, Result::failed("Deployment/web: InternalError"));
  countReconcile(m, appStatus(app, d, kAll, missing, Workloads{}, "now").result);
  countReconcile(m, appStatus(app, d, kAll, Progress{}, Workloads{}, "now").result);
  auto total = [&](const char* result) {
    return m.value("controller_runtime_reconcile_total", {{"controller", "shopapp"}, {"result", result}});
  };
  EXPECT_EQ(total("error"), 3);
  EXPECT_EQ(total("requeue_after"), 1);
  EXPECT_EQ(total("requeue"), 0);
  EXPECT_EQ(total("success"), 1);
  EXPECT_EQ(m.value("controller_runtime_reconcile_errors_total", {{"controller", "shopapp"}}), 3);
  EXPECT_EQ(m.value("controller_runtime_terminal_reconcile_errors_total", {{"controller", "shopapp"}}), 2);
}
