#pragma once
// The ShopApp controller: watches ShopApps and every kind it owns, and reconciles each app:
// render with the shared renderer, server-side apply what is missing or has drifted (nothing
// else: an unchanged app causes no writes), prune what it owns that is no longer rendered,
// create missing credentials (never overwriting one), and write kstatus-compatible status.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/io/json.hpp"
#include "kube/client.hpp"
#include "kube/discovery.hpp"
#include "kube/events.hpp"
#include "kube/reflector.hpp"
#include "operator/metrics.hpp"
#include "operator/plan.hpp"
#include "operator/status.hpp"
#include "operator/workqueue.hpp"

namespace shop::op {

struct ControllerOptions {
  std::string watchNamespace;  // "" watches all namespaces
  int workers = 4;
  std::string identity = "shop-operator";
  std::chrono::seconds resync{600};
  std::chrono::seconds discoveryInterval{15};
  // A status that changes only in progress (progressOnly) is written at most this often per
  // app; the reconcile comes back when the interval is over. 0 writes every change at once.
  std::chrono::milliseconds statusInterval{2000};
  // Children cached packed (kube::ReflectorOptions::pack): about half the memory per cached
  // object, for the CPU of unpacking an app's children at each reconcile that plans (--cache-format).
  bool packCache = false;
};

// Counts one reconcile's Result as controller-runtime does: controller_runtime_reconcile_total
// by result, and errors in controller_runtime_reconcile_errors_total, terminal ones also in
// controller_runtime_terminal_reconcile_errors_total.
void countReconcile(Metrics& m, const Result& r);

class Controller {
 public:
  Controller(std::shared_ptr<kube::Transport> t, Metrics& m, ControllerOptions o);
  ~Controller();

  // Starts the informers, waits until they are synced, then runs workers until stop is set.
  // On stop: no new work starts, work in flight finishes, informers stop.
  void run(const std::atomic<bool>& stop);
  bool synced() const { return synced_; }
  // One reconcile of "namespace/name" (public for tests): desire -> observe -> plan -> carry
  // out -> prune -> finish. The decisions are plan.hpp's; this class only observes and writes.
  Result reconcile(const std::string& key);

 private:
  kube::Reflector* informer(const std::string& kind);
  void startInformer(const kube::Resource& r, bool children);
  void stopInformer(const std::string& kind);
  void onShopApp(kube::EventType t, const Json& obj);
  void onChild(kube::EventType t, const Json& obj, bool statusOnly);
  void watchCapabilities(const std::atomic<bool>& stop);
  // One look at the optional capabilities (Istio's CRDs, ServiceMonitor): start or stop their
  // informers. False when discovery could not answer for one of them (nothing changed then).
  bool checkCapabilities(const std::atomic<bool>& stop);
  void worker();
  // Counts a reconcile's Result and queues its key again as the Result says.
  void account(const std::string& key, const Result& out);
  void enqueueAll();

  // The phases of a reconcile with effects (reads or writes), in order.
  // What of the app's kept render was found up to date (Plan::current), and at which stamp of
  // each object (kube::Reflector::Stamped): objectKey -> stamp.
  using Verified = std::map<std::string, uint64_t>;
  // `verified`: what an earlier reconcile of this same render found up to date (null: none).
  // Objects still at those stamps are neither unpacked nor compared (Snapshot::verified).
  Snapshot observe(const Json& appObj, const Desired& desired, const ClusterCapabilities& caps, const Verified* verified);
  // One desired object as live: among the app's labelled children, else the cache, else (owned
  // kinds) a GET.
  void observeObject(const Json& obj, const std::map<std::string, Shared>& labelled, const Verified* verified, Snapshot& s);
  // The app's Verified for the render `desired` (null when it keeps another, or none), and
  // keeping a new one after a plan of it.
  std::shared_ptr<const Verified> verifiedFor(const std::string& key, const Desired& desired);
  void rememberCurrent(const std::string& key, const Desired& desired, const Verified* before, const Plan& p, const Snapshot& s);
  void observeSecrets(const std::string& ns, const Desired& desired, Snapshot& s);
  Progress carryOut(const std::string& key, const Json& appObj, const ShopApp& app, const Plan& p);
  void createSecret(const Json& appObj, const ShopApp& app, const SecretSpec& spec, Progress& progress);
  bool beingDeleted(const Json& appObj);
  void applyObject(const std::string& key, const ApplyStep& step, Progress& progress);
  void prune(const std::string& ns, const std::vector<PruneTarget>& targets, Progress& progress);
  Workloads workloads(const std::string& ns, const ShopApp& app);
  Result finish(const std::string& key, const Json& appObj, const Desired& desired, const ClusterCapabilities& caps,
                const Progress& progress);
  Result finishInvalid(const Json& appObj, const Diagnostics& diags);
  // Writes a status that differs from `old`, the app's (the caller compared them with
  // sameStatus). Returns the error when the API server did not take it, "" otherwise.
  std::string publish(const std::string& key, const Json& old, const Json& appObj, const Json& status);
  Json lastWritten(const std::string& key, const Json& appObj);
  std::string writeStatus(const Json& app, const Json& status);
  // How long a progress-only status of `key` still has to wait (0: write it now).
  std::chrono::milliseconds statusWait(const std::string& key);

  std::shared_ptr<kube::Transport> t_;
  kube::Client client_;
  kube::Discovery discovery_;
  kube::EventRecorder events_;
  Metrics& metrics_;
  ControllerOptions o_;
  WorkQueue queue_;

  std::mutex infMu_;
  std::map<std::string, std::unique_ptr<kube::Reflector>> informers_;
  std::map<std::string, std::thread> informerThreads_;
  std::atomic<bool> meshInformers_{false};
  std::atomic<bool> monitorInformers_{false};

  std::mutex genMu_;
  std::map<std::string, int64_t> seenGeneration_;
  // Apps this process has reconciled without error: their events are follow-ups (status,
  // drift, edits) and go before first reconciles (WorkQueue::Lane::FollowUp).
  std::set<std::string> reconciled_;
  WorkQueue::Lane laneOf(const std::string& key);
  // When each app's status was last written, for --status-interval.
  std::map<std::string, std::chrono::steady_clock::time_point> statusWritten_;
  // Apps whose progress-only status write was put off and has not been written since: a stop
  // writes them (flushDeferred) rather than leaving their counts stale until the next process.
  std::set<std::string> deferred_;
  // The status this process last wrote for an app, until the app's next event reaches the cache:
  // keyed by app, with the resourceVersion of the cached ShopApp the write was made from. A
  // reconcile that reads the ShopApp still at that resourceVersion compares its status with this
  // one, not with the older status the cache holds (which would count the progress it had
  // written as a change of more than progress, and write again at once, --status-interval or not).
  struct Written {
    std::string fromVersion;
    Json status;
  };
  std::map<std::string, Written> written_;
  std::atomic<bool> flushing_{false};  // statusWait waits for nothing: the process is stopping
  void flushDeferred();

  // The Desired of each app that has not settled, so that the reconciles its children's events
  // bring while it converges neither parse, render nor hash it again. Kept for one uid,
  // generation and set of capabilities (desire is a function of those and the spec, which the
  // generation numbers). Once the app settles (all components ready, nothing written) its
  // objects are dropped (`full` false), so an idle operator holds no render: what stays is the
  // parsed spec and the Secrets' names, which its status is made of.
  //
  // `clean`: the Progress of the last reconcile that read everything and found nothing to write,
  // nothing to delete and nothing to look at again (cleanPlan). While nothing but workloads'
  // statuses changes after it (the dirty_ set is empty for the app), a reconcile only makes the
  // status again from that Progress and the cached workloads: no render, no observe, no plan.
  struct Rendered {
    std::string uid;
    int64_t generation = 0;
    ClusterCapabilities caps;
    std::shared_ptr<const Desired> desired;
    bool full = true;
    std::optional<Progress> clean;
    // Of `desired`'s objects, those the last reconcile of it found up to date (only while full).
    std::shared_ptr<const Verified> verified;
    bool same(const std::string& u, int64_t g, const ClusterCapabilities& c) const {
      return uid == u && generation == g && caps.mesh == c.mesh && caps.monitoring == c.monitoring;
    }
  };
  std::mutex renderMu_;
  std::map<std::string, Rendered> rendered_;
  size_t fullRenders_ = 0;  // of rendered_, those with their objects (shop_operator_renders_kept)
  std::shared_ptr<const Desired> desiredFor(const std::string& key, const Json& appObj, const ClusterCapabilities& caps);
  // The kept status basis of an app whose last full reconcile was clean, for this uid,
  // generation and capabilities; null otherwise.
  std::optional<std::pair<std::shared_ptr<const Desired>, Progress>> cleanBasis(const std::string& key, const Json& appObj,
                                                                                const ClusterCapabilities& caps);
  // Keeps the clean basis (a Progress), or drops it (nullopt), for the app's kept render.
  void keepClean(const std::string& key, const Json& appObj, const ClusterCapabilities& caps, std::optional<Progress> progress);
  void settle(const std::string& key);  // drops the render's objects, keeps the rest
  void forgetDesired(const std::string& key);
  void publishRendersKept();  // sets shop_operator_renders_kept from fullRenders_; under renderMu_
  // Apps for which something besides a workload's status changed since their last reconcile
  // began (an edit, a child's spec, labels or deletion, a relist, a resync, a capability): their
  // next reconcile reads and plans everything. Taken (cleared) as a reconcile begins, so an
  // event during it makes the next one full again.
  std::mutex dirtyMu_;
  std::set<std::string> dirty_;
  void markDirty(const std::string& key);
  // Queues an app for an event: dirty unless only a workload's status changed (onChild).
  void wake(const std::string& key, bool dirty);
  bool takeDirty(const std::string& key);
  std::atomic<bool> synced_{false};
  // Reconciles finished since the heap was last given back (giveBackHeap).
  std::atomic<uint64_t> reconcilesSinceTrim_{0};
  // Once the work is done, returns the heap that convergence freed to the system.
  void giveBackHeap(std::chrono::steady_clock::time_point& idleSince, std::chrono::steady_clock::time_point& lastTrim);
};

}  // namespace shop::op
