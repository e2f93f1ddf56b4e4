// kube/ against the real API server of the testenv cluster (KUBECONFIG from the fixture):
// the reflector's relist on 410 Gone, exec credential plugins, and a token file re-read after a
// 401 (service-account tokens rotate), and discovery of unavailable groups.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "kube/client.hpp"
#include "kube/config.hpp"
#include "kube/discovery.hpp"
#include "kube/reflector.hpp"

using namespace kube;

namespace {

std::string env(const char* n) {
  const char* v = std::getenv(n);
  return v ? v : "";
}

std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string kubectl(const std::string& args) {
  return sh(env("TESTENV_BIN") + "/kubectl --kubeconfig=" + env("TESTENV_KUBECONFIG") + " " + args + " 2>&1");
}

Config admin() {
  auto r = loadKubeconfig({env("TESTENV_KUBECONFIG")}, "");
  if (!r.config) throw std::runtime_error(r.error);
  return *r.config;
}

// A kubeconfig whose user is given as YAML lines.
std::string writeKubeconfig(const std::string& path, const std::string& userYaml) {
  std::ofstream f(path);
  f << "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: " << env("TESTENV_APISERVER_URL")
    << "\n    certificate-authority: " << env("TESTENV_CA_CERT") << "\nusers:\n- name: u\n  user:\n" << userYaml
    << "contexts:\n- name: c\n  context: {cluster: t, user: u}\ncurrent-context: c\n";
  return path;
}

std::string whoami(Client& c) {
  Json review = {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}};
  auto r = c.create(Resource{"authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false}, "", review);
  if (!r.ok()) return "error " + std::to_string(r.code) + " " + r.message();
  return r.body["status"]["userInfo"].value("username", "");
}

std::string serviceAccountToken(const std::string& ns) {
  kubectl("create namespace " + ns);
  kubectl("-n " + ns + " create serviceaccount probe");
  std::string token;
  for (int i = 0; i < 30 && token.size() < 100; ++i) {  // the account may not exist the first instant
    token = kubectl("-n " + ns + " create token probe --duration=10m");
    if (token.size() < 100) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return token;
}

// Runs a reflector on its own thread for as long as it is in scope.
class Running {
 public:
  explicit Running(Reflector& r) : r_(r), t_([&r] { r.run(); }) {}
  ~Running() {
    r_.stop();
    if (t_.joinable()) t_.join();
  }

 private:
  Reflector& r_;
  std::thread t_;
};

class KubeE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("TESTENV_KUBECONFIG").empty()) GTEST_SKIP() << "no testenv cluster (run through ctest)";
  }
};

}  // namespace

TEST_F(KubeE2E, ReflectorRelistsWhenItsResourceVersionHasExpired) {
  auto t = std::make_shared<Transport>(admin());
  Client c(t);
  const std::string ns = "kube-e2e-410-" + std::to_string(::getpid());
  ASSERT_TRUE(c.create(resources::Namespace, "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}).ok());
  ASSERT_TRUE(c.create(resources::ConfigMap, ns,
                       {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "one"}, {"namespace", ns}}}})
                  .ok());
  // A restarted API server's watch cache starts at the current revision: resuming a watch from
  // an older resourceVersion is answered with 410 Gone, the case every reflector must survive.
  const std::string restart = sh("bash " + env("TESTENV_CTL") + " restart-apiserver --run-dir " + env("TESTENV_RUN_DIR") + " 2>&1");
  ASSERT_NE(restart.find("healthy"), std::string::npos) << restart;
  auto fresh = std::make_shared<Transport>(admin());
  ReflectorOptions o;
  o.namespace_ = ns;
  o.resumeFrom = "1";
  Reflector r(fresh, resources::ConfigMap, o);
  Running running(r);
  Client c2(fresh);
  for (int i = 0; i < 300 && !r.synced(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(r.synced()) << "no relist after 410";
  EXPECT_GE(r.relists(), 1u);
  EXPECT_TRUE(r.find(ns, "one")) << "the relist must fill the cache";
  // and it keeps watching from the fresh resourceVersion
  auto two = c.create(resources::ConfigMap, ns,
                      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "two"}, {"namespace", ns}}}});
  ASSERT_TRUE(two.ok()) << "a client whose kept-alive connection died with the old API server: " << two.message();
  for (int i = 0; i < 100 && !r.find(ns, "two"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(r.find(ns, "two")) << "the watch after the relist delivers new objects";
  c2.remove(resources::Namespace, "", ns);
}

// A status write of our own on a disruption budget (status.disruptedPods), as a controller would
// make one; tried again when the disruption controller wrote the status meanwhile (409).
static bool writeDisruptedPods(Client& c, const std::string& ns, const std::string& name) {
  for (int i = 0; i < 10; ++i) {
    auto live = c.get(resources::PodDisruptionBudget, ns, name);
    if (!live.ok()) return false;
    live.body["status"]["disruptedPods"] = {{"web-0", "2026-01-01T00:00:00Z"}};
    if (c.replaceStatus(resources::PodDisruptionBudget, ns, name, live.body).ok()) return true;
  }
  return false;
}

// The cache holds each object packed and unpacks it for each reader: what find() and items()
// hand out is the object the API server serves (but for managedFields), key order and number types
// included; an event replaces the packed object, and what a reader holds stays as it was.
TEST_F(KubeE2E, ReflectorHandsOutTheServersObjectsAndNeverChangesOneHandedOut) {
  auto t = std::make_shared<Transport>(admin());
  Client c(t);
  const std::string ns = "kube-e2e-shared-" + std::to_string(::getpid());
  ASSERT_TRUE(c.create(resources::Namespace, "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}).ok());
  ASSERT_TRUE(c.create(resources::ConfigMap, ns,
                       {{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", {{"name", "one"}, {"namespace", ns}, {"labels", {{"app", "a"}}}}},
                        {"data", {{"k", "1"}, {"unicode", "\u00e9\u00fc \U0001F600"}, {"empty", ""}}}})
                  .ok());
  // Numbers of every kind, nested arrays and empty containers: a Deployment as served.
  Json deploy = Json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "d", "labels": {"app": "a"}, "annotations": {"x": "y"}},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "d"}},
      "template": {"metadata": {"labels": {"app": "d"}}, "spec": {
        "terminationGracePeriodSeconds": 9007199254740993, "securityContext": {},
        "containers": [{"name": "c", "image": "x", "args": ["a", "b"], "resources": {"limits": {"cpu": "0.5"}},
                        "securityContext": {"runAsUser": 0}}]}}}})");
  ASSERT_TRUE(c.create(resources::Deployment, ns, deploy).ok());
  ReflectorOptions o;
  o.namespace_ = ns;
  o.indexLabel = "app";
  Reflector r(t, resources::ConfigMap, o);
  // Beside each packed Deployment, a view of its name and replicas; ConfigMaps also held as trees.
  ReflectorOptions withView = o, trees = o;
  withView.view = [](const Json& d) { return Json{{"name", d["metadata"]["name"]}, {"replicas", d["spec"]["replicas"]}}; };
  trees.pack = false;
  Reflector deployments(t, resources::Deployment, withView), unpacked(t, resources::ConfigMap, trees);
  Running running(r), runningDeployments(deployments), runningUnpacked(unpacked);
  for (int i = 0; i < 300 && !(r.synced() && deployments.synced() && unpacked.synced()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(r.synced() && deployments.synced() && unpacked.synced());
  ASSERT_TRUE(deployments.view(ns, "d"));
  EXPECT_EQ(deployments.view(ns, "d")->dump(), R"({"name":"d","replicas":2})");
  EXPECT_EQ(deployments.view(ns, "d").get(), deployments.view(ns, "d").get()) << "a view is shared, not copied";
  EXPECT_FALSE(deployments.view(ns, "none"));
  ASSERT_TRUE(unpacked.find(ns, "one"));
  EXPECT_EQ(unpacked.find(ns, "one").get(), unpacked.find(ns, "one").get()) << "a tree is shared, not copied";
  EXPECT_EQ(unpacked.find(ns, "one")->dump(), r.find(ns, "one")->dump()) << "packed or not, the same object";
  // As a GET serves it, apiVersion and kind aside (a list's items lack them; the reflector puts
  // them first), and the same of a cached object: in key order, number types included.
  auto bare = [](Json o) {
    const std::string typeMeta = o.value("apiVersion", "") + " " + o.value("kind", "");
    o.erase("apiVersion");
    o.erase("kind");
    return typeMeta + " " + o.dump();
  };
  auto served = [&](const Resource& res, const std::string& name) {
    Json live = c.get(res, ns, name).body;
    Reflector::stripServerFields(live);
    return bare(live);
  };
  const Cached first = r.find(ns, "one");
  ASSERT_TRUE(first);
  EXPECT_EQ(bare(*first), served(resources::ConfigMap, "one")) << "the served object, in its key order";
  EXPECT_TRUE(r.contains(ns, "one"));
  const Cached d = deployments.find(ns, "d");
  ASSERT_TRUE(d);
  EXPECT_EQ(bare(*d), served(resources::Deployment, "d"));
  EXPECT_EQ((*d)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].get<int64_t>(), 9007199254740993) << "beyond a double";
  const auto listed = r.items(ns, "app", "a");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(*listed[0], *first) << "through the index: the same object";
  // Without a label, every ConfigMap of the namespace: "one", and the kube-root-ca.crt that the
  // controller-manager's root CA publisher adds to each namespace when it gets to it.
  std::set<std::string> names;
  for (const Cached& item : r.items(ns)) names.insert((*item)["metadata"].value("name", ""));
  names.erase("kube-root-ca.crt");
  EXPECT_EQ(names, std::set<std::string>{"one"});
  EXPECT_EQ(r.items(ns, "other", "a").size(), 0u) << "a label the index does not hold is filtered";
  EXPECT_TRUE(r.items(ns, "app", "b").empty());
  EXPECT_FALSE(r.find(ns, "two"));
  EXPECT_FALSE(r.contains(ns, "two"));
  ASSERT_TRUE(c.mergePatch(resources::ConfigMap, ns, "one", {{"data", {{"k", "2"}}}}).ok());
  Cached next;
  for (int i = 0; i < 100; ++i) {
    next = r.find(ns, "one");
    if (next && (*next)["data"]["k"] == "2") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(next);
  ASSERT_EQ((*next)["data"]["k"], "2") << "the watch did not deliver the patch";
  EXPECT_EQ(bare(*next), served(resources::ConfigMap, "one")) << "an event's object, as served";
  EXPECT_EQ((*first)["data"]["k"], "1") << "an object handed out is never changed";
  EXPECT_EQ(r.items(ns, "app", "a").at(0)->dump(), next->dump()) << "items() hands out the current one";
  ASSERT_TRUE(c.remove(resources::ConfigMap, ns, "one").ok());
  for (int i = 0; i < 100 && r.find(ns, "one"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(r.find(ns, "one"));
  EXPECT_TRUE(r.items(ns, "app", "a").empty()) << "gone from the index too";
  EXPECT_EQ((*next)["data"]["k"], "2") << "held by its reader after the deletion";
  c.remove(resources::Namespace, "", ns);
}

// quietStatusUpdates: the disruption controller's status writes reach the cache but not the
// handler; a change of the object itself reaches both. A second reflector without the option,
// watching the same PodDisruptionBudget, shows those status writes do arrive. (Not a Deployment:
// its controller also writes an annotation, a change of the object, besides the status.)
TEST_F(KubeE2E, AQuietReflectorCachesStatusUpdatesWithoutCallingItsHandler) {
  auto t = std::make_shared<Transport>(admin());
  Client c(t);
  const std::string ns = "kube-e2e-quiet-" + std::to_string(::getpid());
  ASSERT_TRUE(c.create(resources::Namespace, "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}).ok());
  struct Seen {
    std::mutex mu;
    int added = 0, modified = 0;
    int statusOnly = 0, changed = 0;  // of modified: as the handler was told
  } quietSeen, loudSeen;
  auto count = [](Seen& s) {
    return [&s](EventType type, const Json&, bool statusOnly) {
      std::lock_guard<std::mutex> l(s.mu);
      if (type == EventType::Added) ++s.added;
      else if (type == EventType::Modified) ++s.modified, ++(statusOnly ? s.statusOnly : s.changed);
    };
  };
  auto told = [](Seen& s) {
    std::lock_guard<std::mutex> l(s.mu);
    return std::make_pair(s.statusOnly, s.changed);
  };
  auto seen = [](Seen& s) {
    std::lock_guard<std::mutex> l(s.mu);
    return std::make_pair(s.added, s.modified);
  };
  ReflectorOptions o;
  o.namespace_ = ns;
  o.quietStatusUpdates = true;
  Reflector quiet(t, resources::PodDisruptionBudget, o);
  quiet.setHandler(count(quietSeen));
  o.quietStatusUpdates = false;
  Reflector loud(t, resources::PodDisruptionBudget, o);
  loud.setHandler(count(loudSeen));
  Running runningQuiet(quiet), runningLoud(loud);
  for (int i = 0; i < 300 && !(quiet.synced() && loud.synced()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(quiet.synced() && loud.synced());
  Json budget = Json::parse(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web"},
    "spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}}})");
  budget["metadata"]["namespace"] = ns;
  ASSERT_TRUE(c.create(resources::PodDisruptionBudget, ns, budget).ok());
  // The disruption controller writes the status (observedGeneration, conditions) on its own.
  auto observed = [&](const Reflector& r) {
    const Cached d = r.find(ns, "web");
    return d && (*d)["status"].value("observedGeneration", int64_t{0}) >= 1;
  };
  for (int i = 0; i < 300 && !(observed(quiet) && observed(loud)); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(observed(quiet)) << "the quiet reflector's cache must hold the status";
  ASSERT_TRUE(observed(loud));
  EXPECT_EQ(seen(loudSeen).first, 1);
  EXPECT_GE(seen(loudSeen).second, 1) << "the status write arrived as a Modified event";
  EXPECT_EQ(seen(quietSeen), std::make_pair(1, 0)) << "the status write must not call the quiet handler";
  EXPECT_GE(quiet.quieted(), 1u);
  EXPECT_GE(told(loudSeen).first, 1) << "the loud handler must be told the status write changed only the status";
  EXPECT_EQ(told(loudSeen).second, 0);
  // A change of the object itself is not quiet.
  ASSERT_TRUE(c.mergePatch(resources::PodDisruptionBudget, ns, "web", {{"metadata", {{"labels", {{"tier", "front"}}}}}}).ok());
  for (int i = 0; i < 100 && seen(quietSeen).second == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(seen(quietSeen).second, 1) << "a label change must call the handler";
  EXPECT_EQ(told(quietSeen), std::make_pair(0, 1)) << "and not as a status-only change";
  for (int i = 0; i < 100 && told(loudSeen).second == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(told(loudSeen).second, 1) << "the loud handler hears the label change, not as a status-only change";
  c.remove(resources::Namespace, "", ns);
}

// statusDigest: a status-only update is heard only when it changes the digest. Here the digest is
// the budget's status.disruptedPods, which the disruption controller's own writes leave alone; a
// status write that sets it is heard, as status-only. Trees and packed alike.
TEST_F(KubeE2E, AStatusUpdateThatLeavesTheDigestAsItWasCallsNoHandler) {
  auto t = std::make_shared<Transport>(admin());
  Client c(t);
  for (const bool pack : {false, true}) {
    SCOPED_TRACE(pack ? "packed" : "trees");
    const std::string ns = std::string("kube-e2e-digest-") + (pack ? "p-" : "t-") + std::to_string(::getpid());
    ASSERT_TRUE(c.create(resources::Namespace, "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}).ok());
    std::mutex mu;
    int added = 0, statusOnly = 0, changed = 0;
    ReflectorOptions o;
    o.namespace_ = ns;
    o.pack = pack;
    o.statusDigest = [](const Json& b) {
      const auto st = b.find("status");
      return std::hash<std::string>{}(st == b.end() ? "" : st->value("disruptedPods", Json::object()).dump());
    };
    Reflector r(t, resources::PodDisruptionBudget, o);
    r.setHandler([&](EventType type, const Json&, bool only) {
      std::lock_guard<std::mutex> l(mu);
      if (type == EventType::Added) ++added;
      else if (type == EventType::Modified) ++(only ? statusOnly : changed);
    });
    auto heard = [&] {
      std::lock_guard<std::mutex> l(mu);
      return std::make_tuple(added, statusOnly, changed);
    };
    Running running(r);
    for (int i = 0; i < 300 && !r.synced(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(r.synced());
    Json budget = Json::parse(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web"},
      "spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}}})");
    budget["metadata"]["namespace"] = ns;
    ASSERT_TRUE(c.create(resources::PodDisruptionBudget, ns, budget).ok());
    auto observed = [&] {
      const Cached d = r.find(ns, "web");
      return d && (*d)["status"].value("observedGeneration", int64_t{0}) >= 1;
    };
    for (int i = 0; i < 300 && !observed(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(observed()) << "the cache must hold the disruption controller's status";
    EXPECT_EQ(heard(), std::make_tuple(1, 0, 0)) << "its status write leaves the digest as it was";
    EXPECT_GE(r.quieted(), 1u);
    // A status write that changes the digest is heard, as status-only.
    ASSERT_TRUE(writeDisruptedPods(c, ns, "web"));
    for (int i = 0; i < 100 && std::get<1>(heard()) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_GE(std::get<1>(heard()), 1) << "a status write that changes the digest must call the handler";
    EXPECT_EQ(std::get<2>(heard()), 0) << "as a status-only change";
    c.remove(resources::Namespace, "", ns);
  }
}

// The operator skips the drift check of an object whose stamp it has seen before (issue 14):
// sound only if every change but the status's gives a new stamp, packed or not.
TEST_F(KubeE2E, AStampChangesWithAnObjectsContentsAndNeverWithItsStatusAlone) {
  auto t = std::make_shared<Transport>(admin());
  Client c(t);
  for (const bool pack : {false, true}) {
    SCOPED_TRACE(pack ? "packed" : "trees");
    const std::string ns = "kube-e2e-stamp-" + std::to_string(::getpid()) + (pack ? "-p" : "-t");
    ASSERT_TRUE(c.create(resources::Namespace, "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}).ok());
    ReflectorOptions o;
    o.namespace_ = ns;
    o.pack = pack;
    o.indexLabel = "app";
    Reflector r(t, resources::PodDisruptionBudget, o);
    Running running(r);
    for (int i = 0; i < 300 && !r.synced(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(r.synced());
    auto budget = [&](const std::string& name, const std::string& app) {
      Json b = Json::parse(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{},
        "spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}}})");
      b["metadata"] = {{"name", name}, {"namespace", ns}, {"labels", {{"app", app}}}};
      return b;
    };
    ASSERT_TRUE(c.create(resources::PodDisruptionBudget, ns, budget("web", "shop")).ok());
    ASSERT_TRUE(c.create(resources::PodDisruptionBudget, ns, budget("other", "else")).ok());
    // Each read gives the object and its stamp together.
    auto read = [&](const std::string& name) {
      uint64_t stamp = 0;
      const Cached obj = r.find(ns, name, stamp);
      return std::make_pair(obj, stamp);
    };
    auto waitFor = [&](const std::string& name, const std::function<bool(const Json&)>& cond) {
      for (int i = 0; i < 300; ++i) {
        if (auto [obj, stamp] = read(name); obj && cond(*obj)) return std::make_pair(obj, stamp);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      return std::make_pair(Cached(), uint64_t{0});
    };
    // The disruption controller writes the status on its own.
    auto [first, s1] = waitFor("web", [](const Json& b) { return b["status"].value("observedGeneration", int64_t{0}) >= 1; });
    ASSERT_TRUE(first) << "the budget's status never came";
    ASSERT_NE(s1, 0u);
    // (The controller may write web's status before "other" is even created: wait for it too.)
    const auto other = waitFor("other", [](const Json&) { return true; });
    ASSERT_TRUE(other.first) << "the second budget never reached the cache";
    EXPECT_NE(other.second, s1) << "two objects never share a stamp";
    const auto labelled = r.stamps(ns, "app", "shop");
    ASSERT_EQ(labelled.size(), 1u);
    EXPECT_EQ(labelled[0].name, "web");
    EXPECT_EQ(labelled[0].stamp, s1);
    EXPECT_EQ(r.stamps(ns).size(), 2u);
    // A status write: another resourceVersion, the same stamp.
    const std::string rv1 = (*first)["metadata"].value("resourceVersion", "");
    ASSERT_TRUE(writeDisruptedPods(c, ns, "web"));
    auto [statusOnly, s2] = waitFor("web", [&](const Json& b) { return b["metadata"].value("resourceVersion", "") != rv1; });
    ASSERT_TRUE(statusOnly) << "the status write never reached the cache";
    EXPECT_EQ(s2, s1) << "a status-only change keeps the stamp";
    // A label: a new stamp.
    ASSERT_TRUE(c.mergePatch(resources::PodDisruptionBudget, ns, "web", {{"metadata", {{"labels", {{"tier", "front"}}}}}}).ok());
    auto [relabelled, s3] = waitFor("web", [](const Json& b) { return b["metadata"]["labels"].contains("tier"); });
    ASSERT_TRUE(relabelled);
    EXPECT_NE(s3, s1) << "a label change makes a new stamp";
    // The spec: a new stamp.
    ASSERT_TRUE(c.mergePatch(resources::PodDisruptionBudget, ns, "web", {{"spec", {{"maxUnavailable", 2}}}}).ok());
    auto [respecced, s4] = waitFor("web", [](const Json& b) { return b["spec"].value("maxUnavailable", 0) == 2; });
    ASSERT_TRUE(respecced);
    EXPECT_NE(s4, s3) << "a spec change makes a new stamp";
    // Deleted and made again with the same contents: a new stamp.
    ASSERT_TRUE(c.remove(resources::PodDisruptionBudget, ns, "web").ok());
    for (int i = 0; i < 300 && read("web").first; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_FALSE(read("web").first);
    ASSERT_TRUE(c.create(resources::PodDisruptionBudget, ns, budget("web", "shop")).ok());
    auto [again, s5] = waitFor("web", [](const Json&) { return true; });
    ASSERT_TRUE(again);
    EXPECT_NE(s5, s4);
    EXPECT_NE(s5, s1) << "a new object never has an old object's stamp";
    c.remove(resources::Namespace, "", ns);
  }
}

TEST_F(KubeE2E, ExecCredentialPluginsAuthenticate) {
  const std::string ns = "kube-e2e-exec-" + std::to_string(::getpid());
  const std::string token = serviceAccountToken(ns);
  ASSERT_GT(token.size(), 100u) << token;
  const std::string dir = ::testing::TempDir();
  const std::string plugin = dir + "/plugin.sh";
  std::ofstream(plugin) << "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                           "\"status\":{\"token\":\"" << token << "\"}}'\n";
  sh("chmod +x " + plugin);
  auto cfg = loadKubeconfig({writeKubeconfig(dir + "/exec.kubeconfig",
                                             "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " +
                                                 plugin + "\n")},
                            "");
  ASSERT_TRUE(cfg.config) << cfg.error;
  Client c(std::make_shared<Transport>(*cfg.config));
  EXPECT_EQ(whoami(c), "system:serviceaccount:" + ns + ":probe");
  kubectl("delete namespace " + ns + " --wait=false");
}

TEST_F(KubeE2E, ATokenFileIsReadAgainAfterA401) {
  const std::string ns = "kube-e2e-token-" + std::to_string(::getpid());
  const std::string token = serviceAccountToken(ns);
  ASSERT_GT(token.size(), 100u) << token;
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/token";
  std::ofstream(file) << "not-a-valid-token\n";
  auto cfg = loadKubeconfig({writeKubeconfig(dir + "/token.kubeconfig", "    tokenFile: " + file + "\n")}, "");
  ASSERT_TRUE(cfg.config) << cfg.error;
  Client c(std::make_shared<Transport>(*cfg.config));
  EXPECT_NE(whoami(c), "system:serviceaccount:" + ns + ":probe") << "an invalid token must not authenticate";
  std::ofstream(file, std::ios::trunc) << token << "\n";  // the kubelet rotates the projected token
  EXPECT_EQ(whoami(c), "system:serviceaccount:" + ns + ":probe") << "the new token was not read after the 401";
  kubectl("delete namespace " + ns + " --wait=false");
}

TEST_F(KubeE2E, TlsVerificationCannotBeSkipped) {
  const std::string dir = ::testing::TempDir();
  std::ofstream f(dir + "/insecure.kubeconfig");
  f << "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: " << env("TESTENV_APISERVER_URL")
    << "\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user: {token: x}\n"
       "contexts:\n- name: c\n  context: {cluster: t, user: u}\ncurrent-context: c\n";
  f.close();
  auto cfg = loadKubeconfig({dir + "/insecure.kubeconfig"}, "");
  EXPECT_FALSE(cfg.config);
  EXPECT_NE(cfg.error.find("insecure-skip-tls-verify"), std::string::npos) << cfg.error;
}

// Discovery tells "the server says this group is not served" (404) from "the server could not say"
// (an aggregated API whose backend is missing answers 503): only the first is absence. The
// operator waits for an answer before its first reconcile rather than taking a 503 for "no Istio".
TEST_F(KubeE2E, DiscoveryTellsAnUnavailableGroupFromAnAbsentOne) {
  auto t = std::make_shared<Transport>(admin());
  Client c(t);
  const std::string group = "unavailable" + std::to_string(::getpid()) + ".e2e.shopctl.io";
  const Resource apiservices{"apiregistration.k8s.io", "v1", "apiservices", "APIService", false};
  Json svc = {{"apiVersion", "apiregistration.k8s.io/v1"},
              {"kind", "APIService"},
              {"metadata", {{"name", "v1." + group}}},
              {"spec",
               {{"group", group},
                {"version", "v1"},
                {"groupPriorityMinimum", 1000},
                {"versionPriority", 15},
                {"insecureSkipTLSVerify", true},
                {"service", {{"namespace", "default"}, {"name", "no-such-service"}, {"port", 443}}}}}};
  auto made = c.create(apiservices, "", svc);
  ASSERT_TRUE(made.ok()) << made.message();
  struct Remover {
    Client& c;
    const Resource& r;
    std::string name;
    ~Remover() { c.remove(r, "", name); }
  } remover{c, apiservices, "v1." + group};
  // The aggregator serves the group once it has read the APIService: 503 from then on.
  Result raw;
  for (int i = 0; i < 100; ++i) {
    raw = c.raw("/apis/" + group + "/v1");
    if (raw.code == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(raw.code, 503) << "the aggregator did not answer 503 for a backend-less APIService: " << raw.message();

  Discovery d(t);
  const Resource unavailable{group, "v1", "things", "Thing", true};
  const Resource absent{"absent" + std::to_string(::getpid()) + ".e2e.shopctl.io", "v1", "things", "Thing", true};
  EXPECT_FALSE(d.lookup(unavailable, 0).has_value()) << "a 503 is not an answer";
  EXPECT_FALSE(d.has(unavailable, 0)) << "has() of an unknown is false";
  ASSERT_TRUE(d.lookup(absent, 0).has_value()) << "a 404 is an answer";
  EXPECT_FALSE(*d.lookup(absent, 0));
  ASSERT_TRUE(d.lookup(resources::Deployment, 0).has_value());
  EXPECT_TRUE(*d.lookup(resources::Deployment, 0));
  const Resource notAPlural{"apps", "v1", "widgets", "Widget", true};
  EXPECT_EQ(d.lookup(notAPlural, 0), std::optional<bool>(false)) << "a served group without the plural";
}
