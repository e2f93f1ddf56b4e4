#include "operator/controller.hpp"

#include <malloc.h>

#include <string>

#include "core/apply/intent.hpp"
#include "core/render/meta.hpp"
#include "core/render/render.hpp"
#include "core/render/secret_value.hpp"
#include "kube/log.hpp"

namespace shop::op {

namespace res = kube::resources;

namespace {

const char* kChildSelector = "app.kubernetes.io/managed-by=shopctl";

using apply::kFieldManager;

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
// The queue key of a ShopApp object.
std::string appKey(const Json& app) { return keyOf(app["metadata"].value("namespace", ""), app["metadata"].value("name", "")); }

// Secrets are cached without their data: the operator only needs to know they exist.
void leanSecret(Json& obj) {
  kube::Reflector::stripServerFields(obj);
  obj.erase("data");
  obj.erase("stringData");
}

// Whether an earlier reconcile of the same render found this object up to date at this stamp.
bool sameStamp(const std::map<std::string, uint64_t>* verified, const std::string& key, uint64_t stamp) {
  if (!verified) return false;
  const auto it = verified->find(key);
  return it != verified->end() && it->second == stamp;
}

// The kinds whose status the app's status reads (workloads() looks them up).
bool statusRead(const std::string& kind) { return kind == "Deployment" || kind == "StatefulSet"; }

}  // namespace

Controller::Controller(std::shared_ptr<kube::Transport> t, Metrics& m, ControllerOptions o)
    : t_(t), client_(t), discovery_(t), events_(client_, "shopctl.io/shop-operator", o.identity), metrics_(m),
      o_(std::move(o)) {
  // Applies, deletes and status writes are judged by their code: the objects the API server sends
  // back (managedFields and all) are not parsed.
  client_.skipWriteBodies(true);
  metrics_.describe("controller_runtime_reconcile_total", "counter", "Total number of reconciliations per controller");
  metrics_.describe("controller_runtime_reconcile_errors_total", "counter", "Total number of reconciliation errors per controller");
  metrics_.describe("controller_runtime_terminal_reconcile_errors_total", "counter",
                    "Total number of terminal reconciliation errors per controller");
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
  metrics_.describe("shop_operator_renders_total", "counter",
                    "Reconciles by whether the app's render was made (rendered) or kept from an earlier reconcile of the "
                    "same generation (kept)");
  metrics_.describe("shop_operator_renders_kept", "gauge", "Apps whose render is kept (converging, not yet settled)");
  metrics_.describe("shop_operator_status_only_reconciles_total", "counter",
                    "Reconciles that made only the app's status: nothing but workloads' statuses had changed since a "
                    "reconcile that found nothing to write (no render, no plan)");
  metrics_.describe("shop_operator_status_deferred_total", "counter",
                    "Progress-only status writes deferred by --status-interval (folded into a later write)");
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
  if (children) {
    ro.labelSelector = kChildSelector;
    ro.indexLabel = kAppLabel;  // reconcile lists an app's children: visit only those
    // The status of an app reads only its workloads' statuses (workloads()), and the plan no
    // status at all: an autoscaler's or a disruption budget's status update wakes nothing.
    ro.quietStatusUpdates = !statusRead(r.kind);
    // A workload's status update that leaves its readiness as it was (availableReplicas, the
    // Available condition, timestamps) wakes nothing either.
    if (statusRead(r.kind)) ro.statusDigest = readinessDigest;
  }
  if (r.kind == "Secret") ro.transform = leanSecret;
  // Read at every reconcile: a workload's readiness. Packed, from its view, kept beside it so as
  // not to unpack it; as trees, from the shared tree itself (a view would be a copy at each event).
  ro.pack = children && o_.packCache;
  if (ro.pack && statusRead(r.kind)) ro.view = workloadView;
  auto inf = std::make_unique<kube::Reflector>(t_, r, ro);
  if (children) {
    inf->setHandler([this](kube::EventType t, const Json& o, bool statusOnly) { onChild(t, o, statusOnly); });
  } else {
    inf->setHandler([this](kube::EventType t, const Json& o, bool) { onShopApp(t, o); });
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
  const std::string key = appKey(obj);
  const int64_t gen = m.value("generation", int64_t{0});
  {
    std::lock_guard<std::mutex> l(genMu_);
    written_.erase(key);  // the cache holds a newer ShopApp than the one the last write was made from
    if (t == kube::EventType::Deleted) {
      seenGeneration_.erase(key);
      reconciled_.erase(key);
      statusWritten_.erase(key);
      deferred_.erase(key);
      forgetDesired(key);
    } else {
      auto it = seenGeneration_.find(key);
      // Status writes (ours included) do not change the generation: nothing to do for them.
      if (t == kube::EventType::Modified && it != seenGeneration_.end() && it->second == gen &&
          !m.contains("deletionTimestamp"))
        return;
      seenGeneration_[key] = gen;
    }
  }
  wake(key, t != kube::EventType::Deleted);
}

WorkQueue::Lane Controller::laneOf(const std::string& key) {
  std::lock_guard<std::mutex> l(genMu_);
  return reconciled_.count(key) ? WorkQueue::Lane::FollowUp : WorkQueue::Lane::Normal;
}

// A workload's status-only update (statusOnly) needs only the app's status made again; any
// other change of a child may be drift, and makes the app's next reconcile a full one.
void Controller::onChild(kube::EventType, const Json& obj, bool statusOnly) {
  const auto& m = obj["metadata"];
  if (obj.value("kind", "") == "Namespace") {
    // A namespace carries no app label: every app in it may care.
    if (auto* apps = informer("ShopApp"))
      for (const auto& a : apps->items(m.value("name", ""))) wake(appKey(*a), !statusOnly);
    return;
  }
  const auto labels = m.find("labels");
  if (labels == m.end() || !labels->is_object()) return;
  const auto app = labels->find(kAppLabel);
  if (app == labels->end() || !app->is_string()) return;
  wake(keyOf(m.value("namespace", ""), app->get<std::string>()), !statusOnly);
}

void Controller::wake(const std::string& key, bool dirty) {
  if (dirty) markDirty(key);
  queue_.add(key, laneOf(key));
}

void Controller::markDirty(const std::string& key) {
  std::lock_guard<std::mutex> l(dirtyMu_);
  dirty_.insert(key);
}

bool Controller::takeDirty(const std::string& key) {
  std::lock_guard<std::mutex> l(dirtyMu_);
  return dirty_.erase(key) > 0;
}

void Controller::enqueueAll() {
  if (auto* apps = informer("ShopApp"))
    for (const auto& a : apps->items()) {
      const std::string key = appKey(*a);
      markDirty(key);
      queue_.add(key);
    }
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

std::string Controller::writeStatus(const Json& app, const Json& status) {
  Json patch = {{"apiVersion", app.value("apiVersion", "shopctl.io/v1alpha1")},
                {"kind", "ShopApp"},
                {"metadata", {{"name", app["metadata"]["name"]}, {"namespace", app["metadata"]["namespace"]}}},
                {"status", status}};
  auto r = client_.applyStatus(res::ShopApp, app["metadata"].value("namespace", ""), app["metadata"].value("name", ""),
                               patch, kFieldManager);
  if (r.ok()) return "";
  kube::warn("status not written", {{"app", app["metadata"].value("name", "")}, {"error", r.message()}});
  return "status not written: " + r.message();
}

std::chrono::milliseconds Controller::statusWait(const std::string& key) {
  using namespace std::chrono;
  std::lock_guard<std::mutex> l(genMu_);
  const auto it = statusWritten_.find(key);
  if (o_.statusInterval.count() <= 0 || flushing_ || it == statusWritten_.end()) return milliseconds(0);
  const auto left = duration_cast<milliseconds>(it->second + o_.statusInterval - steady_clock::now());
  return left.count() > 0 ? left : milliseconds(0);
}

// The status last written for the app when the cache has not seen that write yet (null otherwise).
Json Controller::lastWritten(const std::string& key, const Json& appObj) {
  std::lock_guard<std::mutex> l(genMu_);
  const auto it = written_.find(key);
  if (it == written_.end()) return Json();
  if (it->second.fromVersion == appObj["metadata"].value("resourceVersion", "")) return it->second.status;
  written_.erase(it);  // the cache has moved on since
  return Json();
}

std::string Controller::publish(const std::string& key, const Json& old, const Json& appObj, const Json& status) {
  if (kube::logLevel() == kube::Level::Debug) {
    Json changed = Json::array();
    for (auto it = status.begin(); it != status.end(); ++it)
      if (!old.contains(it.key()) || old[it.key()] != it.value()) changed.push_back(it.key());
    kube::debug("status changed", {{"app", key}, {"fields", changed}, {"old", old.dump().substr(0, 400)},
                                   {"new", status.dump().substr(0, 400)}});
  }
  std::string err = writeStatus(appObj, status);
  if (err.empty()) {
    std::lock_guard<std::mutex> l(genMu_);
    if (seenGeneration_.count(key)) {  // not for one deleted meanwhile
      statusWritten_[key] = std::chrono::steady_clock::now();
      written_[key] = {appObj["metadata"].value("resourceVersion", ""), status};
    }
    deferred_.erase(key);
  }
  return err;
}

Result Controller::reconcile(const std::string& key) {
  const bool dirty = takeDirty(key);  // first: an event from now on makes the next reconcile full
  const size_t slash = key.find('/');
  auto* apps = informer("ShopApp");
  const Shared found = apps ? apps->find(key.substr(0, slash), key.substr(slash + 1)) : nullptr;
  // Deleted, or being deleted: garbage collection removes what it owned.
  if (!found || (*found)["metadata"].contains("deletionTimestamp")) {
    forgetDesired(key);
    return Result::done();
  }
  const Json& appObj = *found;
  const ClusterCapabilities caps{meshInformers_, monitorInformers_};
  // Nothing but workloads' statuses changed since a reconcile that found nothing to do: the
  // status is all that can differ (the plan reads no status).
  if (!dirty)
    if (const auto basis = cleanBasis(key, appObj, caps)) {
      metrics_.inc("shop_operator_status_only_reconciles_total", {});
      return finish(key, appObj, *basis->first, caps, basis->second);
    }
  const std::shared_ptr<const Desired> kept = desiredFor(key, appObj, caps);
  const Desired& desired = *kept;
  // Invalid specs that got past the CRD: say why, and wait for the next edit.
  if (!desired.app) return finishInvalid(appObj, desired.invalid);
  const std::shared_ptr<const Verified> verified = verifiedFor(key, desired);
  const Snapshot snapshot = observe(appObj, desired, caps, verified.get());
  const Plan p = plan(appObj, desired, snapshot);
  rememberCurrent(key, desired, verified.get(), p, snapshot);
  Progress progress = carryOut(key, appObj, *desired.app, p);
  // Prune only after every write succeeded: a failed one may leave objects that still need
  // what would be deleted.
  if (progress.errors.empty()) prune(appObj["metadata"].value("namespace", ""), p.prune, progress);
  // Not clean (a write, an error, a Secret to wait for): the basis kept before is gone too, so
  // that a retry reads and plans everything again.
  keepClean(key, appObj, caps, cleanPlan(p, progress) ? std::optional<Progress>(progress) : std::nullopt);
  return finish(key, appObj, desired, caps, progress);
}

std::shared_ptr<const Desired> Controller::desiredFor(const std::string& key, const Json& appObj,
                                                      const ClusterCapabilities& caps) {
  const std::string uid = appObj["metadata"].value("uid", "");
  const int64_t generation = appObj["metadata"].value("generation", int64_t{0});
  {
    std::lock_guard<std::mutex> l(renderMu_);
    const auto it = rendered_.find(key);
    if (it != rendered_.end() && it->second.full && it->second.same(uid, generation, caps)) {
      metrics_.inc("shop_operator_renders_total", {{"result", "kept"}});
      return it->second.desired;
    }
  }
  auto d = std::make_shared<const Desired>(desire(appObj, caps));
  metrics_.inc("shop_operator_renders_total", {{"result", "rendered"}});
  // An invalid spec is not kept (it renders nothing), nor an object without the identity that
  // keys the cache (the API server always sets both).
  if (d->app && !uid.empty() && generation > 0) {
    std::lock_guard<std::mutex> l(renderMu_);
    Rendered& r = rendered_[key];
    if (!(r.desired && r.full)) ++fullRenders_;
    // The same uid, generation and capabilities: a settled app rendered again keeps its clean
    // basis (the render is the same; the reconcile will judge the plan again).
    if (!r.same(uid, generation, caps)) r.clean.reset();
    r.uid = uid;
    r.generation = generation;
    r.caps = caps;
    r.desired = d;
    r.full = true;
    r.verified.reset();
    publishRendersKept();
  }
  return d;
}

std::optional<std::pair<std::shared_ptr<const Desired>, Progress>> Controller::cleanBasis(const std::string& key, const Json& appObj,
                                                                                         const ClusterCapabilities& caps) {
  const std::string uid = appObj["metadata"].value("uid", "");
  const int64_t generation = appObj["metadata"].value("generation", int64_t{0});
  std::lock_guard<std::mutex> l(renderMu_);
  const auto it = rendered_.find(key);
  if (it == rendered_.end() || !it->second.clean || !it->second.same(uid, generation, caps)) return std::nullopt;
  return std::make_pair(it->second.desired, *it->second.clean);
}

void Controller::keepClean(const std::string& key, const Json& appObj, const ClusterCapabilities& caps,
                           std::optional<Progress> progress) {
  std::lock_guard<std::mutex> l(renderMu_);
  const auto it = rendered_.find(key);
  if (it == rendered_.end() ||
      !it->second.same(appObj["metadata"].value("uid", ""), appObj["metadata"].value("generation", int64_t{0}), caps))
    return;
  it->second.clean = std::move(progress);
}

void Controller::settle(const std::string& key) {
  std::lock_guard<std::mutex> l(renderMu_);
  const auto it = rendered_.find(key);
  if (it == rendered_.end() || !it->second.full) return;
  --fullRenders_;
  // Without a clean basis nothing of it would be used again: the next reconcile renders anyway.
  if (!it->second.clean) {
    rendered_.erase(it);
  } else {
    it->second.desired = std::make_shared<const Desired>(withoutObjects(*it->second.desired));
    it->second.full = false;
    it->second.verified.reset();
  }
  publishRendersKept();
}

void Controller::forgetDesired(const std::string& key) {
  std::lock_guard<std::mutex> l(renderMu_);
  const auto it = rendered_.find(key);
  if (it == rendered_.end()) return;
  fullRenders_ -= it->second.full;
  rendered_.erase(it);
  publishRendersKept();
}

std::shared_ptr<const Controller::Verified> Controller::verifiedFor(const std::string& key, const Desired& desired) {
  std::lock_guard<std::mutex> l(renderMu_);
  const auto it = rendered_.find(key);
  if (it == rendered_.end() || it->second.desired.get() != &desired) return nullptr;
  return it->second.verified;
}

void Controller::rememberCurrent(const std::string& key, const Desired& desired, const Verified* before, const Plan& p,
                                 const Snapshot& s) {
  // Everything current was vouched for and nothing else was found: what is kept stays as it is.
  if (before && s.stamps.empty() && p.current.size() == before->size() && p.current.size() == s.verified.size()) return;
  auto now = std::make_shared<Verified>();
  for (const auto& k : p.current) {
    if (const auto st = s.stamps.find(k); st != s.stamps.end()) {
      now->emplace(k, st->second);
    } else if (before) {  // verified again (an object a GET found has no stamp, and is not kept)
      if (const auto b = before->find(k); b != before->end()) now->emplace(k, b->second);
    }
  }
  std::lock_guard<std::mutex> l(renderMu_);
  const auto it = rendered_.find(key);
  if (it != rendered_.end() && it->second.desired.get() == &desired) it->second.verified = std::move(now);
}

void Controller::publishRendersKept() { metrics_.set("shop_operator_renders_kept", {}, static_cast<double>(fullRenders_)); }

Snapshot Controller::observe(const Json& appObj, const Desired& desired, const ClusterCapabilities& caps,
                             const Verified* verified) {
  Snapshot s;
  s.caps = caps;
  const std::string ns = appObj["metadata"].value("namespace", "");
  std::vector<const kube::Resource*> kinds = childKinds();
  if (caps.mesh) kinds.insert(kinds.end(), meshKinds().begin(), meshKinds().end());
  if (caps.monitoring) kinds.push_back(&res::ServiceMonitor);
  // The app's children first: most desired objects are among them, and each is unpacked once.
  std::map<std::string, Shared> labelled;  // objectKey -> child
  for (const auto* r : kinds) {
    auto* inf = informer(r->kind);
    if (!inf) continue;
    const std::string apiVersion = r->apiVersion();
    for (const auto& [name, stamp] : inf->stamps(ns, kAppLabel, desired.app->name)) {
      std::string key = objectKey(r->kind, ns, name);
      if (sameStamp(verified, key, stamp)) {
        s.verified.insert(std::move(key));
        continue;
      }
      uint64_t now = 0;
      Shared o = inf->find(ns, name, now);
      if (!o) continue;  // deleted since
      s.stamps[key] = now;
      labelled[key] = o;
      s.children.push_back({apiVersion, r->kind, std::move(o)});
    }
  }
  for (const auto& o : desired.objects) observeObject(o, labelled, verified, s);
  observeSecrets(ns, desired, s);
  return s;
}

void Controller::observeObject(const Json& obj, const std::map<std::string, Shared>& labelled, const Verified* verified,
                               Snapshot& s) {
  const kube::Resource* r = res::forObject(obj);
  if (!r) return;  // the plan reports it
  const std::string kind = obj["kind"];
  const std::string name = obj["metadata"]["name"];
  const std::string ns = obj["metadata"].value("namespace", "");
  const std::string key = objectKey(kind, ns, name);
  if (s.verified.count(key)) return;
  if (auto it = labelled.find(key); it != labelled.end()) {
    s.live[key] = it->second;
    return;
  }
  auto* inf = informer(kind);
  uint64_t stamp = 0;
  if (auto live = inf ? inf->find(ns, name, stamp) : nullptr) {
    if (sameStamp(verified, key, stamp)) {
      s.verified.insert(key);
      return;
    }
    s.stamps[key] = stamp;
    s.live[key] = std::move(live);
    return;
  }
  // The cache holds only objects labelled as shopctl's: one it does not hold may still exist
  // (a hand-made Service, the API server's own default/kubernetes). Ask before creating.
  if (!apply::isOwnedKind(kind)) return;
  auto g = client_.get(*r, ns, name);
  if (g.ok()) s.live[key] = std::make_shared<const Json>(std::move(g.body));
  else if (!g.notFound()) s.failed[key] = {g.code, g.message()};
}

void Controller::observeSecrets(const std::string& ns, const Desired& desired, Snapshot& s) {
  std::map<std::string, std::pair<std::string, std::string>> wanted;  // secretKey -> (namespace, name)
  for (const auto& sec : desired.secrets) wanted[sec.name] = {ns, sec.name};
  for (const auto& ref : secretReferences(*desired.app, s.caps))
    if (!ref.name.empty()) wanted[secretKey(ref, ns)] = {ref.namespace_, ref.name};
  auto* cache = informer("Secret");
  for (const auto& [key, where] : wanted) {
    const auto& [secretNs, name] = where;
    if (cache && cache->contains(secretNs, name)) {
      s.secrets.insert(key);
      continue;
    }
    auto direct = client_.get(res::Secret, secretNs, name);  // the cache only sees labelled Secrets
    if (direct.ok()) s.secrets.insert(key);
    // An operator confined to its apps' namespaces (a RoleBinding each, docs/operator.md) may
    // not read Secrets elsewhere, as in Istio's namespace: a 403 there says "cannot tell", not
    // a failure.
    else if (direct.code == 403 && secretNs != ns) s.secretsForbidden.insert(key);
    else if (!direct.notFound()) s.failed[objectKey("Secret", secretNs, name)] = {direct.code, direct.message()};
  }
}

Progress Controller::carryOut(const std::string& key, const Json& appObj, const ShopApp& app, const Plan& p) {
  Progress progress;
  progress.secretsMissing = p.secretsMissing;
  progress.gatewayTls = p.gatewayTls;
  progress.gatewayTlsNamespace = p.gatewayTlsNamespace;
  progress.upToDate = p.current.size();
  if (!p.createSecrets.empty() && beingDeleted(appObj)) {
    // Credentials outlive the app (they are not owned), so none is made for an app on its way out:
    // `shopctl delete --purge` deletes them right after the ShopApp, and a reconcile woken by that
    // deletion, from a cache that had not seen the ShopApp's deletion yet, made them again.
    kube::info("not creating Secrets: the ShopApp is being deleted", {{"app", key}});
  } else {
    for (const auto& spec : p.createSecrets) createSecret(appObj, app, spec, progress);
  }
  for (const auto& problem : p.problems) progress.fail(problem.message, problem.permanent);
  for (const auto& step : p.apply) applyObject(key, step, progress);
  metrics_.inc("shop_operator_apply_skipped_total", {}, static_cast<double>(p.current.size()));
  return progress;
}

// Whether the ShopApp is gone or has a deletionTimestamp, asked of the API server itself (the
// cache may lag behind the deletion that woke this reconcile): a list by name, which the shipped
// RBAC allows (list and watch, no get). On an error, it is not.
bool Controller::beingDeleted(const Json& appObj) {
  kube::ListOptions lo;
  lo.fieldSelector = "metadata.name=" + appObj["metadata"].value("name", "");
  auto got = client_.list(res::ShopApp, appObj["metadata"].value("namespace", ""), lo);
  if (!got.ok()) return false;
  const auto& items = got.body.value("items", Json::array());
  if (items.empty()) return true;
  const std::string uid = appObj["metadata"].value("uid", "");
  return items[0]["metadata"].contains("deletionTimestamp") || items[0]["metadata"].value("uid", "") != uid;
}

// Credentials: created once with random values, never overwritten.
void Controller::createSecret(const Json& appObj, const ShopApp& app, const SecretSpec& spec, Progress& progress) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& k : spec.keys) values.push_back({k.key, secretValue(k)});
  auto r = client_.create(res::Secret, appObj["metadata"].value("namespace", ""), secretObject(app, spec, values));
  if (r.ok() || r.conflict())
    events_.record(appObj, "Normal", "SecretCreated", "Create", "created Secret " + spec.name + " with random values");
  else
    progress.fail("Secret/" + spec.name + ": " + r.message(), isPermanent(r.code));
}

void Controller::applyObject(const std::string& key, const ApplyStep& step, Progress& progress) {
  const Json& o = step.intent;
  const std::string kind = o["kind"];
  const std::string name = o["metadata"]["name"];
  // The shared Namespace (core/apply: isShared): under one manager, two apps of a namespace that
  // differ in mesh or Pod Security took turns removing each other's labels, forever.
  const bool shared = apply::isShared(kind);
  const std::string manager = shared ? apply::sharedFieldManager(key.substr(key.find('/') + 1)) : std::string(kFieldManager);
  auto result = client_.apply(*res::forObject(o), o["metadata"].value("namespace", ""), name, o, manager, !shared);
  metrics_.inc("shop_operator_applies_total", {{"kind", kind}, {"result", result.ok() ? "success" : "error"}});
  if (shared && result.conflict()) {
    progress.fail("Namespace/" + name + ": another ShopApp in this namespace wants other values for its labels (" +
                      result.message() + "); the apps of one namespace must agree on security.podSecurity and mesh",
                  true);
    return;
  }
  if (result.ok()) {
    ++progress.applied;
    switch (step.change) {
      case Change::Create: ++progress.created; break;
      case Change::Update: ++progress.updated; break;
      case Change::Revert: progress.reverted.push_back(kind + "/" + name); break;
    }
    kube::debug("applied", {{"app", key}, {"object", kind + "/" + name}, {"change", changeName(step.change)}});
  } else {
    progress.fail(kind + "/" + name + ": " + result.message(), isPermanent(result.code));
  }
}

void Controller::prune(const std::string& ns, const std::vector<PruneTarget>& targets, Progress& progress) {
  for (const auto& t : targets) {
    const kube::Resource* r = res::forKind(t.apiVersion, t.kind);
    if (!r) continue;  // observe only lists kinds it knows
    auto d = client_.remove(*r, ns, t.name, "Background", t.uid);
    if (d.ok() || d.notFound()) {
      ++progress.pruned;
      metrics_.inc("shop_operator_pruned_total", {{"kind", t.kind}});
    } else {
      progress.fail("delete " + objectKey(t.kind, ns, t.name) + ": " + d.message(), isPermanent(d.code));
    }
  }
}

// Every kind read here must be one statusRead() names: the others' status updates wake no reconcile.
Workloads Controller::workloads(const std::string& ns, const ShopApp& app) {
  Workloads w;
  auto look = [&](kube::Reflector* inf, const std::string& name, std::map<std::string, Shared>& into) {
    if (auto live = inf ? inf->view(ns, name) : nullptr) into[name] = std::move(live);  // workloadView
  };
  auto* deployments = informer("Deployment");
  auto* statefulsets = informer("StatefulSet");
  for (const auto& s : serviceWorkloads(app)) look(deployments, s.name, w.deployments);
  for (const auto& d : app.databases) look(statefulsets, d.name, w.statefulsets);
  for (const auto& d : app.messaging) look(statefulsets, d.name, w.statefulsets);
  return w;
}

Result Controller::finish(const std::string& key, const Json& appObj, const Desired& desired, const ClusterCapabilities& caps,
                          const Progress& progress) {
  const std::string ns = appObj["metadata"].value("namespace", "");
  const int64_t generation = appObj["metadata"].value("generation", int64_t{0});
  AppStatus st = appStatus(appObj, desired, caps, progress, workloads(ns, *desired.app), kube::nowRfc3339());
  if (!progress.errors.empty()) events_.record(appObj, "Warning", "ApplyFailed", "Apply", st.result.error);
  if (progress.created + progress.updated > 0)
    events_.record(appObj, "Normal", "Applied", "Apply", appliedMessage(progress, generation));
  if (!progress.reverted.empty())
    events_.record(appObj, "Warning", "DriftReverted", "Apply", revertedMessage(progress.reverted));
  if (progress.pruned > 0)
    events_.record(appObj, "Normal", "Pruned", "Prune", "deleted " + std::to_string(progress.pruned) + " object(s) no longer rendered");
  static const Json kNoStatus = Json::object();
  const auto live = appObj.find("status");
  const Json ours = lastWritten(key, appObj);
  const Json& old = !ours.is_null() ? ours : live == appObj.end() ? kNoStatus : *live;
  const StatusChange change = statusChange(old, st.status);
  bool deferred = false;
  // Progress alone (a replica more ready) is folded into the next write, at most one per
  // --status-interval: the reconcile comes back when the interval is over. A condition that
  // changes (Ready reached, an error) is written at once.
  if (change == StatusChange::Progress && !st.result.isError())
    if (const auto wait = statusWait(key); wait.count() > 0) {
      deferred = true;
      st.result.requeueWithin(wait);
      metrics_.inc("shop_operator_status_deferred_total", {});
      std::lock_guard<std::mutex> l(genMu_);
      if (seenGeneration_.count(key)) deferred_.insert(key);
    }
  const bool changed = change != StatusChange::None && !deferred;
  // Not written, the status would stay stale until some other event: retry with backoff.
  std::string err = changed ? publish(key, old, appObj, st.status) : "";
  if (!err.empty()) st.result = Result::failed(err);
  else if (changed && becameReady(old, st.status))
    events_.record(appObj, "Normal", "Ready", "Reconcile", "all " + std::to_string(st.total) + " components ready");
  // A reconcile that found nothing to do is logged at debug level: an idle operator stays quiet.
  const bool eventful = changed || progress.applied > 0 || progress.pruned > 0 || !progress.errors.empty();
  Json fields = {{"app", key}, {"generation", generation}, {"applied", progress.applied}, {"skipped", progress.upToDate},
                 {"pruned", progress.pruned}, {"ready", std::to_string(st.ready) + "/" + std::to_string(st.total)},
                 {"errors", progress.errors.size()}};
  if (!progress.reverted.empty()) fields["reverted"] = progress.reverted;
  if (!progress.errors.empty()) {  // the first, named: "Kind/name: reason: message"
    const size_t more = progress.errors.size() - 1;
    fields["error"] = progress.errors.front() + (more ? " (and " + std::to_string(more) + " more)" : "");
  }
  if (eventful) kube::info("reconciled", fields);
  else kube::debug("reconciled", fields);
  // Settled: every component ready, nothing applied or pruned, the status current (unchanged or
  // just written, not put off). Usually no event follows (Ready is written by the reconcile of
  // the last workload change), so the render's objects are dropped now; a later workload status
  // update makes the status from what is kept, any other change renders again.
  if (st.ready == st.total && !st.result.isError() && !st.result.requeue && progress.applied == 0 && progress.pruned == 0 &&
      progress.errors.empty() && !deferred)
    settle(key);
  return st.result;
}

Result Controller::finishInvalid(const Json& appObj, const Diagnostics& diags) {
  AppStatus st = invalidStatus(appObj, diags, kube::nowRfc3339());
  // An error for whoever reads the log, counted by controller_runtime_terminal_reconcile_errors_total.
  kube::error("invalid spec", {{"app", appKey(appObj)},
                               {"generation", appObj["metadata"].value("generation", int64_t{0})},
                               {"errors", st.result.error}});
  if (sameStatus(appObj.value("status", Json::object()), st.status)) return st.result;
  // A status that did not reach the API server is retried with backoff like any failure.
  if (std::string err = writeStatus(appObj, st.status); !err.empty()) return Result::failed(err);
  events_.record(appObj, "Warning", "InvalidSpec", "Validate", st.result.error);
  return st.result;
}

void Controller::worker() {
  std::string key;
  while (queue_.get(key)) {
    metrics_.inc("controller_runtime_active_workers", {{"controller", "shopapp"}}, 1);
    const auto started = std::chrono::steady_clock::now();
    Result out;
    try {
      out = reconcile(key);
    } catch (const std::exception& e) {
      kube::error("reconcile failed", {{"app", key}, {"error", e.what()}});
      metrics_.inc("controller_runtime_reconcile_panics_total", {{"controller", "shopapp"}});
      out = Result::failed(e.what());
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe("controller_runtime_reconcile_time_seconds", {{"controller", "shopapp"}}, secs);
    metrics_.inc("controller_runtime_active_workers", {{"controller", "shopapp"}}, -1);
    if (out.isError()) markDirty(key);  // a retry reads and plans everything
    account(key, out);
    ++reconcilesSinceTrim_;
    metrics_.set("workqueue_depth", {{"name", "shopapp"}, {"controller", "shopapp"}}, static_cast<double>(queue_.depth()));
  }
}

void countReconcile(Metrics& m, const Result& r) {
  const Metrics::Labels controller = {{"controller", "shopapp"}};
  m.inc("controller_runtime_reconcile_total", {{"controller", "shopapp"}, {"result", r.metricResult()}});
  if (!r.isError()) return;
  m.inc("controller_runtime_reconcile_errors_total", controller);
  if (r.terminal) m.inc("controller_runtime_terminal_reconcile_errors_total", controller);
}

// As controller-runtime's reconcileHandler: an error is retried with the key's backoff unless
// terminal (then the app waits for a change); requeueAfter comes back after that delay.
void Controller::account(const std::string& key, const Result& out) {
  countReconcile(metrics_, out);
  if (!out.isError()) {
    std::lock_guard<std::mutex> l(genMu_);
    if (seenGeneration_.count(key)) reconciled_.insert(key);  // not for an app deleted meanwhile
  }
  const bool backoff = out.isError() ? !out.terminal : out.requeueAfter.count() == 0 && out.requeue;
  if (backoff) queue_.addRateLimited(key);
  else queue_.forget(key);
  // The children this reconcile created or changed sent their events while it ran, when the app
  // was not yet a follow-up: once reconciled, it must come back as one, not behind every pending
  // first apply (at 200 apps that held Ready back up to 16 s).
  queue_.done(key, laneOf(key));
  // Waiting on something no informer sees (a Secret the user makes has no shopctl label).
  if (!out.isError() && out.requeueAfter.count() > 0) queue_.addAfter(key, out.requeueAfter, WorkQueue::Lane::FollowUp);
}

// A stop (a signal, not a lost lease: that exits at once) writes the progress each app's status
// was waiting for, each by one more reconcile with the interval off. Bounded, so a stop of an
// operator whose API server went away still ends within the pod's grace period.
void Controller::flushDeferred() {
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> l(genMu_);
    keys.assign(deferred_.begin(), deferred_.end());
  }
  if (keys.empty()) return;
  flushing_ = true;
  constexpr auto kBudget = std::chrono::seconds(10);
  const auto deadline = std::chrono::steady_clock::now() + kBudget;
  size_t failed = 0, left = 0;
  for (const auto& key : keys) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ++left;
      continue;
    }
    try {
      failed += reconcile(key).isError();
    } catch (const std::exception& e) {
      ++failed;
      kube::error("reconcile failed", {{"app", key}, {"error", e.what()}});
    }
  }
  kube::info("statuses put off by --status-interval written before stopping",
             {{"apps", keys.size()}, {"failed", failed}, {"leftAfter10s", left}});
}

// A burst of reconciles (a start, many apps converging) frees most of what it allocated: renders,
// plans, request bodies. glibc keeps freed pages in its arenas, so the process would stay as large
// as the burst made it. Once the queue has been empty and no reconcile has run for a second, those
// pages go back to the system (malloc_trim), at most every 10 s and only after new work.
void Controller::giveBackHeap(std::chrono::steady_clock::time_point& idleSince,
                              std::chrono::steady_clock::time_point& lastTrim) {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  if (!queue_.idle()) {
    idleSince = {};
    return;
  }
  if (idleSince == steady_clock::time_point{}) idleSince = now;
  if (now - idleSince < seconds(1) || now - lastTrim < seconds(10) || reconcilesSinceTrim_ == 0) return;
  reconcilesSinceTrim_ = 0;
  lastTrim = now;
  malloc_trim(0);
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
  // One worker is kept from first reconciles, so a status follow-up never waits behind them.
  queue_.setFirstLimit(o_.workers > 1 ? static_cast<size_t>(o_.workers - 1) : 0);
  std::vector<std::thread> workers;
  for (int i = 0; i < o_.workers && !stop; ++i) workers.emplace_back([this] { worker(); });
  auto lastResync = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point idleSince{}, lastTrim{};
  while (!stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    giveBackHeap(idleSince, lastTrim);
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
  // Drain: stop handing out keys; reconciles in flight finish; then the status writes put off
  // by --status-interval are made.
  queue_.shutdown();
  for (auto& w : workers) w.join();
  caps.join();
  if (synced_) flushDeferred();
  std::vector<std::string> kinds;
  {
    std::lock_guard<std::mutex> l(infMu_);
    for (auto& [k, inf] : informers_) kinds.push_back(k);
  }
  for (const auto& k : kinds) stopInformer(k);
  kube::info("controller stopped");
}

}  // namespace shop::op
