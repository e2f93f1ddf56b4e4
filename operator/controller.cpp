#include "operator/controller.hpp"

#include <random>

#include "core/model/parse.hpp"
#include "core/render/meta.hpp"
#include "core/render/collisions.hpp"
#include "core/render/render.hpp"
#include "kube/log.hpp"
#include "core/apply/intent.hpp"
#include "operator/status.hpp"

namespace shop::op {

namespace res = kube::resources;

namespace {

const char* kChildSelector = "app.kubernetes.io/managed-by=shopctl";
// On a ShopApp, "true" lets it take over existing objects of its rendered names that no
// controller owns (say, those a `shopctl render | kubectl apply` made before the operator).
const char* kAdoptAnnotation = "shopctl.io/adopt-existing";
// How often an app waiting for Secrets it does not watch looks for them again.
constexpr std::chrono::milliseconds kPollInterval{5000};

using apply::kFieldManager;
using apply::kHashAnnotation;

std::vector<const kube::Resource*> resourcesOf(const std::vector<apply::Kind>& kinds) {
  std::vector<const kube::Resource*> out;
  for (const auto& k : kinds)
    if (const auto* r = res::forKind(k.apiVersion, k.kind)) out.push_back(r);
  return out;
}
// Kinds the operator applies and watches, besides the optional mesh and monitoring kinds.
const std::vector<const kube::Resource*>& childKinds() {
  static const std::vector<const kube::Resource*> v = resourcesOf(apply::baseKinds());
  return v;
}
const std::vector<const kube::Resource*>& meshKinds() {
  static const std::vector<const kube::Resource*> v = resourcesOf(apply::capabilityKinds(apply::Capability::Mesh));
  return v;
}

std::string keyOf(const std::string& ns, const std::string& name) { return ns + "/" + name; }

// Secrets are cached without their data: the operator only needs to know they exist.
void leanSecret(Json& obj) {
  kube::Reflector::stripServerFields(obj);
  obj.erase("data");
  obj.erase("stringData");
}

std::string randomValue(size_t n) {
  static const char* alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::uniform_int_distribution<int> pick(0, 61);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alnum[pick(rd)];
  return s;
}

// Errors a retry cannot fix. 403 is not one of them: a missing RBAC rule gets fixed, and the
// app should follow without waiting for its next edit (retries back off exponentially).
bool isPermanent(int code) { return code >= 400 && code < 500 && code != 409 && code != 429 && code != 401 && code != 403; }

}  // namespace

Controller::Controller(std::shared_ptr<kube::Transport> t, Metrics& m, ControllerOptions o)
    : t_(t), client_(t), discovery_(t), events_(client_, "shopctl.io/shop-operator", o.identity), metrics_(m),
      o_(std::move(o)) {
  metrics_.describe("controller_runtime_reconcile_total", "counter", "Total number of reconciliations per controller");
  metrics_.describe("controller_runtime_reconcile_errors_total", "counter", "Total number of reconciliation errors per controller");
  metrics_.describe("controller_runtime_reconcile_panics_total", "counter", "Total number of reconciliation panics per controller");
  metrics_.describe("controller_runtime_reconcile_time_seconds", "histogram", "Length of time per reconciliation per controller",
                    {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
  metrics_.describe("controller_runtime_max_concurrent_reconciles", "gauge", "Maximum number of concurrent reconciles per controller");
  metrics_.describe("controller_runtime_active_workers", "gauge", "Number of currently used workers per controller");
  metrics_.describe("workqueue_depth", "gauge", "Current depth of workqueue");
  metrics_.describe("workqueue_adds_total", "counter", "Total number of adds handled by workqueue");
  metrics_.describe("workqueue_retries_total", "counter", "Total number of retries handled by workqueue");
  metrics_.describe("workqueue_longest_running_processor_seconds", "gauge", "Seconds the oldest queued item has waited");
  metrics_.describe("shop_operator_applies_total", "counter", "Server-side applies by kind and result");
  metrics_.describe("shop_operator_apply_skipped_total", "counter", "Objects already as intended, so not written");
  metrics_.describe("shop_operator_pruned_total", "counter", "Owned objects deleted because they are no longer rendered");
  metrics_.describe("shop_operator_informer_synced", "gauge", "1 when an informer's cache is synced");
  metrics_.set("controller_runtime_max_concurrent_reconciles", {{"controller", "shopapp"}}, o_.workers);
}

Controller::~Controller() {
  std::lock_guard<std::mutex> l(infMu_);
  for (auto& [k, inf] : informers_) inf->stop();
  for (auto& [k, th] : informerThreads_)
    if (th.joinable()) th.join();
}

kube::Reflector* Controller::informer(const std::string& kind) {
  std::lock_guard<std::mutex> l(infMu_);
  auto it = informers_.find(kind);
  return it == informers_.end() ? nullptr : it->second.get();
}

void Controller::startInformer(const kube::Resource& r, bool children) {
  kube::ReflectorOptions ro;
  ro.namespace_ = r.namespaced ? o_.watchNamespace : "";
  if (children) ro.labelSelector = kChildSelector;
  if (r.kind == "Secret") ro.transform = leanSecret;
  auto inf = std::make_unique<kube::Reflector>(t_, r, ro);
  if (children) {
    inf->setHandler([this](kube::EventType t, const Json& o) { onChild(t, o); });
  } else {
    inf->setHandler([this](kube::EventType t, const Json& o) { onShopApp(t, o); });
  }
  kube::Reflector* raw = inf.get();
  std::lock_guard<std::mutex> l(infMu_);
  informers_[r.kind] = std::move(inf);
  informerThreads_[r.kind] = std::thread([raw] { raw->run(); });
}

void Controller::stopInformer(const std::string& kind) {
  std::unique_ptr<kube::Reflector> inf;
  std::thread th;
  {
    std::lock_guard<std::mutex> l(infMu_);
    auto it = informers_.find(kind);
    if (it == informers_.end()) return;
    inf = std::move(it->second);
    informers_.erase(it);
    th = std::move(informerThreads_[kind]);
    informerThreads_.erase(kind);
  }
  inf->stop();
  if (th.joinable()) th.join();
}

void Controller::onShopApp(kube::EventType t, const Json& obj) {
  const auto& m = obj["metadata"];
  const std::string key = keyOf(m.value("namespace", ""), m.value("name", ""));
  const int64_t gen = m.value("generation", int64_t{0});
  {
    std::lock_guard<std::mutex> l(genMu_);
    if (t == kube::EventType::Deleted) {
      seenGeneration_.erase(key);
    } else {
      auto it = seenGeneration_.find(key);
      // Status writes (ours included) do not change the generation: nothing to do for them.
      if (t == kube::EventType::Modified && it != seenGeneration_.end() && it->second == gen &&
          !m.contains("deletionTimestamp"))
        return;
      seenGeneration_[key] = gen;
    }
  }
  queue_.add(key);
}

void Controller::onChild(kube::EventType, const Json& obj) {
  const auto& m = obj["metadata"];
  if (obj.value("kind", "") == "Namespace") {
    // A namespace carries no app label: every app in it may care.
    if (auto* apps = informer("ShopApp"))
      for (const auto& a : apps->list(m.value("name", ""))) queue_.add(keyOf(a["metadata"].value("namespace", ""), a["metadata"].value("name", "")));
    return;
  }
  const auto labels = m.value("labels", Json::object());
  if (!labels.contains(kAppLabel)) return;
  queue_.add(keyOf(m.value("namespace", ""), labels[kAppLabel].get<std::string>()));
}

void Controller::enqueueAll() {
  if (auto* apps = informer("ShopApp"))
    for (const auto& a : apps->list()) queue_.add(keyOf(a["metadata"].value("namespace", ""), a["metadata"].value("name", "")));
}

bool Controller::checkCapabilities(const std::atomic<bool>& stop) {
  bool known = true;
  std::optional<bool> mesh = true;
  for (const auto* r : meshKinds()) {
    const std::optional<bool> has = discovery_.lookup(*r, 0);
    if (!has) mesh.reset();
    else if (mesh) mesh = *mesh && *has;
  }
  if (!mesh) {
    known = false;
  } else if (*mesh && !meshInformers_) {
    kube::info("Istio CRDs found: watching mesh objects");
    for (const auto* r : meshKinds()) startInformer(*r, true);
    meshInformers_ = true;
    for (int i = 0; i < 300 && !stop; ++i) {
      bool all = true;
      for (const auto* r : meshKinds()) all = all && informer(r->kind) && informer(r->kind)->synced();
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    enqueueAll();
  } else if (!*mesh && meshInformers_) {
    kube::warn("Istio CRDs are gone: mesh objects are no longer rendered");
    for (const auto* r : meshKinds()) stopInformer(r->kind);
    meshInformers_ = false;
    enqueueAll();
  }
  const std::optional<bool> monitor = discovery_.lookup(res::ServiceMonitor, 0);
  if (!monitor) {
    known = false;
  } else if (*monitor != monitorInformers_) {
    if (*monitor) startInformer(res::ServiceMonitor, true);
    else stopInformer("ServiceMonitor");
    monitorInformers_ = *monitor;
    enqueueAll();
  }
  return known;
}

void Controller::watchCapabilities(const std::atomic<bool>& stop) {
  auto last = std::chrono::steady_clock::now();  // run() made the first check
  while (!stop) {
    if (std::chrono::steady_clock::now() - last >= o_.discoveryInterval) try {
      last = std::chrono::steady_clock::now();
      checkCapabilities(stop);
    } catch (const std::exception& e) {
      kube::error("capability check failed", {{"error", e.what()}});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool Controller::writeStatus(const Json& app, const Json& status) {
  Json patch = {{"apiVersion", app.value("apiVersion", "shopctl.io/v1alpha1")},
                {"kind", "ShopApp"},
                {"metadata", {{"name", app["metadata"]["name"]}, {"namespace", app["metadata"]["namespace"]}}},
                {"status", status}};
  setSummaryStatus(patch["status"]);
  auto r = client_.applyStatus(res::ShopApp, app["metadata"].value("namespace", ""), app["metadata"].value("name", ""),
                               patch, kFieldManager);
  if (!r.ok()) kube::warn("status not written", {{"app", app["metadata"].value("name", "")}, {"error", r.message()}});
  return r.ok();
}

Outcome Controller::reconcile(const std::string& key) {
  const size_t slash = key.find('/');
  const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
  auto* apps = informer("ShopApp");
  auto found = apps ? apps->get(ns, name) : std::nullopt;
  if (!found) return Outcome::Done;  // deleted: garbage collection removes what it owned
  const Json& appObj = *found;
  if (appObj["metadata"].contains("deletionTimestamp")) return Outcome::Done;
  const int64_t generation = appObj["metadata"].value("generation", int64_t{0});
  const std::string uid = appObj["metadata"].value("uid", "");
  const std::string now = kube::nowRfc3339();
  const Json oldStatus = appObj.value("status", Json::object());
  Json status = oldStatus;
  status["observedGeneration"] = generation;
  // A value, not a reference into status: ordered_json stores keys in a vector, so adding
  // keys to status would leave a reference dangling.
  Json conds = status.value("conditions", Json::array());

  // Invalid specs that got past the CRD: say why, and wait for the next edit.
  auto invalidSpec = [&](const Diagnostics& diags) {
    const std::string msg = invalidSpecMessage(diags);
    setCondition(conds, "Ready", "False", "InvalidSpec", msg, generation, now);
    setCondition(conds, "Reconciling", "False", "InvalidSpec", "waiting for a corrected spec", generation, now);
    setCondition(conds, "Stalled", "True", "InvalidSpec", msg, generation, now);
    status["conditions"] = conds;
    if (!sameStatus(oldStatus, status)) {
      // A status that did not reach the API server is retried with backoff like any failure.
      if (!writeStatus(appObj, status)) return Outcome::Error;
      events_.record(appObj, "Warning", "InvalidSpec", "Validate", msg);
    }
    return Outcome::Done;
  };
  ParseOptions po;
  po.defaultNamespace = ns;
  po.checkRendered = false;  // checked below on the one render
  ParseResult parsed = parseShopApp(appObj, po);
  if (!parsed.app) return invalidSpec(parsed.diags);
  ShopApp app = *parsed.app;
  RenderResult rendered = render(app);
  // Two parts rendering one object would overwrite each other on every reconcile.
  if (Diagnostics clash = checkRenderedObjects(app, rendered.objects); clash.hasErrors()) return invalidSpec(clash);

  // Optional capabilities: the mesh kinds need Istio's CRDs, ServiceMonitor the Prometheus
  // operator's. Without them those objects are left out, and the status says so.
  const bool mesh = meshInformers_;
  const bool monitor = monitorInformers_;
  std::vector<Json> desired;
  size_t meshSkipped = 0, monitorSkipped = 0;
  for (auto& o : rendered.objects) {
    const apply::Capability cap = apply::capabilityOf(o);
    if (cap == apply::Capability::Mesh && !mesh) {
      ++meshSkipped;
      continue;
    }
    if (cap == apply::Capability::Monitoring && !monitor) {
      ++monitorSkipped;
      continue;
    }
    desired.push_back(std::move(o));
  }

  std::vector<std::string> errors;
  bool transient = false;
  auto fail = [&](const std::string& what, const kube::Result& r) {
    errors.push_back(what + ": " + r.message());
    if (!isPermanent(r.code)) transient = true;
  };

  // Credentials: create what is missing, never touch what exists.
  std::vector<std::string> missingSecrets, secretNames;
  auto* secrets = informer("Secret");
  for (const auto& s : rendered.secrets) {
    secretNames.push_back(s.name);
    if (secrets && secrets->get(ns, s.name)) continue;
    auto direct = client_.get(res::Secret, ns, s.name);  // the cache only sees labelled Secrets
    if (direct.ok()) continue;
    if (!s.generate) {
      missingSecrets.push_back(s.name + " (credentials.generate is false)");
      continue;
    }
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& k : s.keys)
      values.push_back({k.key, k.kind == SecretKeySpec::Token ? "u" + randomValue(11) : randomValue(k.kind == SecretKeySpec::Keyfile ? 64 : 32)});
    auto r = client_.create(res::Secret, ns, secretObject(app, s, values));
    if (r.ok() || r.conflict()) {
      events_.record(appObj, "Normal", "SecretCreated", "Create", "created Secret " + s.name + " with random values");
    } else {
      fail("Secret/" + s.name, r);
    }
  }

  // Secrets the spec names (env[].secret, the Ingress's TLS Secret): pods would not start, or
  // TLS would not be served, without them, so the app is not Ready until they exist.
  {
    std::set<std::string> own(secretNames.begin(), secretNames.end()), asked;
    auto need = [&](const std::string& secret, const std::string& by) {
      if (secret.empty() || own.count(secret) || !asked.insert(secret).second) return;
      if (secrets && secrets->get(ns, secret)) return;
      auto direct = client_.get(res::Secret, ns, secret);
      if (direct.ok()) return;
      if (direct.notFound()) missingSecrets.push_back(secret + " (" + by + ")");
      else fail("Secret/" + secret, direct);
    };
    auto envRefs = [&](const std::vector<EnvVar>& env, const std::string& where) {
      for (const auto& e : env)
        if (e.secret && !e.secret->optional) need(e.secret->name, "env " + e.name + " of " + where);
    };
    for (const auto& sv : app.services) envRefs(sv.env, "service " + sv.name);
    for (const auto& d : app.databases) envRefs(d.env, "database " + d.name);
    for (const auto& d : app.messaging) envRefs(d.env, "broker " + d.name);
    if (app.gateway.enabled && !app.mesh.enabled && app.gateway.tlsSecret)
      need(*app.gateway.tlsSecret, "the gateway's TLS");
  }

  // Apply what is missing or drifted.
  const bool adoptExisting =
      appObj["metadata"].value("annotations", Json::object()).value(kAdoptAnnotation, "") == "true";
  std::set<std::string> desiredKeys;
  size_t applied = 0, skipped = 0;
  for (const auto& o : desired) {
    const std::string kind = o["kind"];
    const std::string oname = o["metadata"]["name"];
    const std::string ons = o["metadata"].value("namespace", "");
    desiredKeys.insert(kind + "/" + ons + "/" + oname);
    const kube::Resource* r = res::forObject(o);
    if (!r) {
      errors.push_back(kind + "/" + oname + ": the operator does not know this kind");
      continue;
    }
    // The Namespace is shared; PVCs hold data: neither is owned, so neither is ever collected.
    const bool owned = apply::isOwnedKind(kind);
    Json intent = apply::withOwnership(o, appObj, owned);
    auto* inf = informer(kind);
    auto live = inf ? inf->get(ons, oname) : std::nullopt;
    // The cache holds only objects labelled as shopctl's: one it does not hold may still exist
    // (a hand-made Service, the API server's own default/kubernetes). Ask before creating.
    if (!live && owned) {
      auto g = client_.get(*r, ons, oname);
      if (g.ok()) {
        live = g.body;
      } else if (!g.notFound()) {
        fail(kind + "/" + oname, g);
        continue;
      }
    }
    // Never take over an object this app did not create: another controller's (another
    // ShopApp with a component of the same name, say), or one nobody controls, unless the app
    // opts in to adopting those. Report it and leave it alone (it is never pruned either).
    if (live && owned) {
      const Json none = Json::array();
      std::string otherOwner;
      bool ours = false;
      for (const auto& ref : (*live)["metadata"].value("ownerReferences", none)) {
        if (!ref.value("controller", false)) continue;
        if (ref.value("uid", "") == uid) ours = true;
        else otherOwner = ref.value("kind", "") + " " + ref.value("name", "");
      }
      if (!otherOwner.empty()) {
        errors.push_back(kind + "/" + oname + ": already controlled by " + otherOwner +
                         " in this namespace; rename the component or move one app to another namespace");
        continue;
      }
      if (!ours && !adoptExisting) {
        errors.push_back(kind + "/" + oname + ": exists and was not created by this ShopApp; rename the component, "
                         "delete the object, or annotate the ShopApp " + std::string(kAdoptAnnotation) +
                         "=true to take it over");
        continue;
      }
    }
    if (live && live->contains("metadata") &&
        (*live)["metadata"].value("annotations", Json::object()).value(kHashAnnotation, "") ==
            intent["metadata"]["annotations"][kHashAnnotation] &&
        apply::liveContains(*live, intent)) {
      ++skipped;
      continue;
    }
    auto result = client_.apply(*r, ons, oname, intent, kFieldManager, true);
    metrics_.inc("shop_operator_applies_total", {{"kind", kind}, {"result", result.ok() ? "success" : "error"}});
    if (result.ok()) {
      ++applied;
      kube::debug("applied", {{"app", key}, {"object", kind + "/" + oname}, {"drift", live.has_value()}});
    } else {
      fail(kind + "/" + oname, result);
    }
  }
  metrics_.inc("shop_operator_apply_skipped_total", {}, static_cast<double>(skipped));

  // Prune what this app owns and no longer renders. Never PVCs (data), never Secrets
  // (credentials for retained data), never anything another owner controls.
  size_t pruned = 0;
  if (errors.empty()) {
    std::vector<const kube::Resource*> kinds = childKinds();
    if (mesh) kinds.insert(kinds.end(), meshKinds().begin(), meshKinds().end());
    if (monitor) kinds.push_back(&res::ServiceMonitor);
    for (const auto* r : kinds) {
      if (!apply::isPrunableKind(r->kind)) continue;
      auto* inf = informer(r->kind);
      if (!inf) continue;
      for (const auto& o : inf->list(ns, kAppLabel, app.name)) {
        bool ours = false;
        for (const auto& ref : o["metadata"].value("ownerReferences", Json::array()))
          ours |= ref.value("uid", "") == uid && ref.value("controller", false);
        const std::string k = r->kind + "/" + ns + "/" + o["metadata"].value("name", "");
        if (!ours || desiredKeys.count(k)) continue;
        auto d = client_.remove(*r, ns, o["metadata"].value("name", ""), "Background", o["metadata"].value("uid", ""));
        if (d.ok() || d.notFound()) {
          ++pruned;
          metrics_.inc("shop_operator_pruned_total", {{"kind", r->kind}});
        } else {
          fail("delete " + k, d);
        }
      }
    }
  }

  // Status from the live workloads.
  auto* deployments = informer("Deployment");
  auto* statefulsets = informer("StatefulSet");
  Json components = Json::array();
  int readyCount = 0, total = 0;
  std::string notReady;
  auto component = [&](const std::string& cname, const char* kind, kube::Reflector* inf, const char* workload, int floor) {
    auto live = inf ? inf->get(ns, cname) : std::nullopt;
    WorkloadState st = workloadState(live ? &*live : nullptr, floor);
    ++total;
    readyCount += st.ready;
    if (!st.ready && notReady.size() < 300) notReady += (notReady.empty() ? "" : ", ") + cname + " (" + st.message + ")";
    components.push_back({{"name", cname}, {"kind", kind}, {"workload", std::string(workload) + "/" + cname},
                          {"desiredReplicas", st.desired}, {"readyReplicas", st.readyReplicas}, {"ready", st.ready},
                          {"message", st.message}});
  };
  for (const auto& w : serviceWorkloads(app)) component(w.name, "service", deployments, "Deployment", w.floor);
  for (const auto& d : app.databases) component(d.name, "database", statefulsets, "StatefulSet", d.replicas);
  for (const auto& d : app.messaging) component(d.name, "broker", statefulsets, "StatefulSet", d.replicas);
  status["components"] = components;
  status["summary"] = {{"services", app.services.size()},
                       {"databases", app.databases.size()},
                       {"brokers", app.messaging.size()},
                       {"ready", std::to_string(readyCount) + "/" + std::to_string(total)}};
  status["secrets"] = secretNames;
  if (app.mesh.enabled) {
    status["mesh"] = {{"available", mesh}, {"objects", mesh ? static_cast<int>(desired.size()) : 0}};
    status["mesh"]["objects"] = 0;
    for (const auto& o : desired)
      if (o.value("apiVersion", "").find("istio.io/") != std::string::npos) status["mesh"]["objects"] = status["mesh"]["objects"].get<int>() + 1;
    setCondition(conds, "MeshAvailable", mesh ? "True" : "False", mesh ? "IstioInstalled" : "IstioNotInstalled",
                 mesh ? "Istio CRDs are installed; mesh policies are applied"
                      : "Istio CRDs are not installed: " + std::to_string(meshSkipped) +
                            " mesh objects are not applied; they will be when Istio is installed",
                 generation, now);
  } else {
    status.erase("mesh");
    if (conds.is_array()) {
      Json kept = Json::array();
      for (const auto& c : conds)
        if (c.value("type", "") != "MeshAvailable") kept.push_back(c);
      conds = kept;
    }
  }
  if (app.monitoring.prometheus != "serviceMonitor" && conds.is_array()) {
    Json kept = Json::array();
    for (const auto& c : conds)
      if (c.value("type", "") != "MonitoringAvailable") kept.push_back(c);
    conds = kept;
  }
  if (app.monitoring.prometheus == "serviceMonitor") {
    setCondition(conds, "MonitoringAvailable", monitor ? "True" : "False",
                 monitor ? "ServiceMonitorInstalled" : "ServiceMonitorNotInstalled",
                 monitor ? "ServiceMonitors are applied"
                         : "the ServiceMonitor CRD (monitoring.coreos.com) is not installed: " + std::to_string(monitorSkipped) +
                               " ServiceMonitors are not applied; they will be when it is installed",
                 generation, now);
  }

  Outcome outcome = Outcome::Done;
  if (!errors.empty()) {
    std::string msg = errors[0];
    if (errors.size() > 1) msg += " (and " + std::to_string(errors.size() - 1) + " more)";
    if (transient) {
      setCondition(conds, "Ready", "False", "ApplyFailed", msg, generation, now);
      setCondition(conds, "Reconciling", "True", "Retrying", msg, generation, now);
      setCondition(conds, "Stalled", "False", "Retrying", "retrying with backoff", generation, now);
      outcome = Outcome::Error;
    } else {
      setCondition(conds, "Ready", "False", "ApplyFailed", msg, generation, now);
      setCondition(conds, "Reconciling", "False", "ApplyFailed", "waiting for a change", generation, now);
      setCondition(conds, "Stalled", "True", "ApplyFailed", msg, generation, now);
    }
    events_.record(appObj, "Warning", "ApplyFailed", "Apply", msg);
  } else if (!missingSecrets.empty()) {
    outcome = Outcome::RequeueAfter;  // the Secrets are not watched: look again in a while
    std::string msg = "create the Secret(s) ";
    for (size_t i = 0; i < missingSecrets.size(); ++i) msg += (i ? ", " : "") + missingSecrets[i];
    setCondition(conds, "Ready", "False", "SecretsMissing", msg, generation, now);
    setCondition(conds, "Reconciling", "False", "SecretsMissing", msg, generation, now);
    setCondition(conds, "Stalled", "True", "SecretsMissing", msg, generation, now);
  } else if (readyCount < total) {
    const std::string msg = std::to_string(readyCount) + "/" + std::to_string(total) + " components ready; waiting for " + notReady;
    setCondition(conds, "Ready", "False", "ComponentsNotReady", msg, generation, now);
    setCondition(conds, "Reconciling", "True", "Progressing", msg, generation, now);
    setCondition(conds, "Stalled", "False", "Progressing", "making progress", generation, now);
  } else {
    const std::string msg = "all " + std::to_string(total) + " components ready";
    setCondition(conds, "Ready", "True", "Ready", msg, generation, now);
    setCondition(conds, "Reconciling", "False", "Ready", msg, generation, now);
    setCondition(conds, "Stalled", "False", "Ready", msg, generation, now);
  }
  if (applied > 0)
    events_.record(appObj, "Normal", "Applied", "Apply",
                   "applied " + std::to_string(applied) + " object(s) (generation " + std::to_string(generation) + ")");
  if (pruned > 0) events_.record(appObj, "Normal", "Pruned", "Prune", "deleted " + std::to_string(pruned) + " object(s) no longer rendered");
  status["conditions"] = conds;
  if (!sameStatus(oldStatus, status)) {
    if (kube::logLevel() == kube::Level::Debug) {
      Json changed = Json::array();
      for (auto it = status.begin(); it != status.end(); ++it)
        if (!oldStatus.contains(it.key()) || oldStatus[it.key()] != it.value()) changed.push_back(it.key());
      kube::debug("status changed", {{"app", key}, {"fields", changed}, {"old", oldStatus.dump().substr(0, 400)},
                                     {"new", status.dump().substr(0, 400)}});
    }
    // Not written, the status would stay stale until some other event: retry with backoff.
    if (!writeStatus(appObj, status)) outcome = Outcome::Error;
  }
  kube::info("reconciled", {{"app", key}, {"generation", generation}, {"applied", applied}, {"skipped", skipped},
                            {"pruned", pruned}, {"ready", std::to_string(readyCount) + "/" + std::to_string(total)},
                            {"errors", errors.size()}});
  return outcome;
}

void Controller::worker() {
  std::string key;
  while (queue_.get(key)) {
    metrics_.inc("controller_runtime_active_workers", {{"controller", "shopapp"}}, 1);
    const auto started = std::chrono::steady_clock::now();
    Outcome out = Outcome::Error;
    try {
      out = reconcile(key);
    } catch (const std::exception& e) {
      kube::error("reconcile failed", {{"app", key}, {"error", e.what()}});
      metrics_.inc("controller_runtime_reconcile_panics_total", {{"controller", "shopapp"}});
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe("controller_runtime_reconcile_time_seconds", {{"controller", "shopapp"}}, secs);
    metrics_.inc("controller_runtime_active_workers", {{"controller", "shopapp"}}, -1);
    const char* result = out == Outcome::Error                                       ? "error"
                         : out == Outcome::Requeue || out == Outcome::RequeueAfter ? "requeue"
                                                                                    : "success";
    metrics_.inc("controller_runtime_reconcile_total", {{"controller", "shopapp"}, {"result", result}});
    if (out == Outcome::Error) {
      metrics_.inc("controller_runtime_reconcile_errors_total", {{"controller", "shopapp"}});
      queue_.addRateLimited(key);
    } else {
      queue_.forget(key);
    }
    queue_.done(key);
    // Waiting on something no informer sees (a Secret the user makes has no shopctl label).
    if (out == Outcome::RequeueAfter) queue_.addAfter(key, kPollInterval);
    metrics_.set("workqueue_depth", {{"name", "shopapp"}, {"controller", "shopapp"}}, static_cast<double>(queue_.depth()));
  }
}

void Controller::run(const std::atomic<bool>& stop) {
  startInformer(res::ShopApp, false);
  for (const auto* r : childKinds()) startInformer(*r, true);
  // Which optional kinds the cluster serves, before the first reconcile: a reconcile that ran
  // before discovery answered would report the mesh unavailable, then available, for nothing.
  // An API server that cannot say (5xx, unreachable) is asked again; absence is only a 404.
  for (int attempt = 0; !stop; ++attempt) {
    bool known = false;
    try {
      known = checkCapabilities(stop);
    } catch (const std::exception& e) {
      kube::error("capability check failed", {{"error", e.what()}});
    }
    if (known) break;
    if (attempt % 10 == 0) kube::warn("discovery cannot say yet whether Istio or ServiceMonitor CRDs are installed; asking again");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(200 * (attempt + 1), 2000)));
  }
  std::thread caps([this, &stop] { watchCapabilities(stop); });
  // Wait for the caches (the mesh ones too, when Istio is installed), so the first reconciles
  // see the cluster as it is.
  while (!stop) {
    bool all = true;
    {
      std::lock_guard<std::mutex> l(infMu_);
      for (auto& [k, inf] : informers_) {
        metrics_.set("shop_operator_informer_synced", {{"kind", k}}, inf->synced() ? 1 : 0);
        all = all && inf->synced();
      }
    }
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!stop) {
    synced_ = true;
    kube::info("caches synced; starting workers", {{"workers", o_.workers}});
  }
  std::vector<std::thread> workers;
  for (int i = 0; i < o_.workers && !stop; ++i) workers.emplace_back([this] { worker(); });
  auto lastResync = std::chrono::steady_clock::now();
  while (!stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    metrics_.set("workqueue_depth", {{"name", "shopapp"}, {"controller", "shopapp"}}, static_cast<double>(queue_.depth()));
    metrics_.set("workqueue_adds_total", {{"name", "shopapp"}, {"controller", "shopapp"}}, static_cast<double>(queue_.adds()));
    metrics_.set("workqueue_retries_total", {{"name", "shopapp"}, {"controller", "shopapp"}}, static_cast<double>(queue_.retries()));
    metrics_.set("workqueue_longest_running_processor_seconds", {{"name", "shopapp"}, {"controller", "shopapp"}},
                 queue_.oldestWaitSeconds());
    if (std::chrono::steady_clock::now() - lastResync > o_.resync) {
      lastResync = std::chrono::steady_clock::now();
      enqueueAll();  // a local resync: reconciles see the cache, and write nothing if nothing drifted
    }
  }
  // Drain: stop handing out keys; reconciles in flight finish.
  queue_.shutdown();
  for (auto& w : workers) w.join();
  caps.join();
  std::vector<std::string> kinds;
  {
    std::lock_guard<std::mutex> l(infMu_);
    for (auto& [k, inf] : informers_) kinds.push_back(k);
  }
  for (const auto& k : kinds) stopInformer(k);
  kube::info("controller stopped");
}

}  // namespace shop::op
