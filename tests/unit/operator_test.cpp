// The operator's pure parts: the work queue's guarantees, drift detection, conditions and
// workload readiness. (Its behaviour against a cluster is proven in tests/e2e/operator/.)
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "core/apply/intent.hpp"
#include "operator/status.hpp"
#include "operator/metrics.hpp"
#include "operator/workqueue.hpp"

using namespace shop;
using namespace shop::op;
using namespace shop::apply;
using namespace std::chrono_literals;

TEST(WorkQueue, NeverHoldsAKeyTwice) {
  WorkQueue q;
  q.add("a");
  q.add("a");
  q.add("b");
  EXPECT_EQ(q.depth(), 2u);
  std::string k;
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "a");  // first in, first out
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "b");
}

TEST(WorkQueue, AKeyAddedWhileProcessingWaitsForDone) {
  WorkQueue q;
  q.add("a");
  std::string k;
  ASSERT_TRUE(q.get(k));
  q.add("a");  // changed while a worker has it
  EXPECT_EQ(q.depth(), 0u) << "must not be handed to a second worker";
  q.done("a");
  EXPECT_EQ(q.depth(), 1u) << "re-queued once the first worker is done";
}

TEST(WorkQueue, IdleOnlyWithNothingQueuedAndNothingBeingProcessed) {
  WorkQueue q;
  EXPECT_TRUE(q.idle());
  q.add("a");
  EXPECT_FALSE(q.idle()) << "queued";
  std::string k;
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_FALSE(q.idle()) << "a worker has it";
  q.done("a");
  EXPECT_TRUE(q.idle());
  q.addAfter("b", std::chrono::seconds(60));
  EXPECT_TRUE(q.idle()) << "a delayed key is not work yet";
  q.add("c", WorkQueue::Lane::FollowUp);
  EXPECT_FALSE(q.idle()) << "a follow-up is queued";
}

// Issue 14: at 300 apps "Ready" trailed the last write by 104 s on average, because a child's
// event queued its app behind every pending first apply.
TEST(WorkQueue, FollowUpsGoBeforeFirstReconcilesFifoWithinEachLane) {
  using Lane = WorkQueue::Lane;
  WorkQueue q;
  q.add("new-1");
  q.add("new-2");
  q.add("done-1", Lane::FollowUp);
  q.add("new-3");
  q.add("done-2", Lane::FollowUp);
  q.add("done-1", Lane::FollowUp);  // already queued: stays once, in its place
  q.add("new-1", Lane::FollowUp);   // queued as a first reconcile: stays where it is
  EXPECT_EQ(q.depth(), 5u);
  std::vector<std::string> order;
  std::string k;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(q.get(k));
    order.push_back(k);
    q.done(k);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"done-1", "done-2", "new-1", "new-2", "new-3"}));
  EXPECT_EQ(q.depth(), 0u);
}

TEST(WorkQueue, AKeyDirtiedByAFollowUpWhileProcessingComesBackAsOne) {
  using Lane = WorkQueue::Lane;
  WorkQueue q;
  q.add("a");
  std::string k;
  ASSERT_TRUE(q.get(k));
  q.add("b");
  q.add("a");                  // a plain add while processing...
  q.add("a", Lane::FollowUp);  // ...and a follow-up: the follow-up lane wins
  q.done("a");
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "a") << "a follow-up comes before b, a first reconcile queued earlier";
  q.done("a");
  q.add("c");
  q.addAfter("d", 1ms, Lane::FollowUp);
  std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "d") << "a delayed follow-up keeps its lane";
}

// A first reconcile creates the app's children; their events add the key while it runs, as a
// first reconcile still (Normal). Done, it is a follow-up: it must come back as one, before the
// first reconciles queued meanwhile, not behind them (at 200 apps that held Ready back 16 s).
TEST(WorkQueue, AKeyDirtiedDuringItsFirstReconcileComesBackAsAFollowUpWhenDoneSaysSo) {
  using Lane = WorkQueue::Lane;
  WorkQueue q;
  q.add("a");
  std::string k;
  ASSERT_TRUE(q.get(k));
  q.add("b");
  q.add("c");
  q.add("a");  // its Deployment's events, while a's first reconcile runs
  q.done("a", Lane::FollowUp);
  ASSERT_TRUE(q.get(k));
  ASSERT_EQ(k, "a") << "a, now reconciled, comes before the first reconciles b and c";
  q.add("a");  // dirty again, and done without promotion: it keeps the lane it was added in
  q.done("a");
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "b");
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "c");
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "a");
}

// With a limit of first reconciles below the workers, a worker kept from them takes a follow-up
// at once: two long first applies (Sock Shops) no longer hold every worker.
TEST(WorkQueue, AWorkerKeptFromFirstReconcilesTakesTheNextFollowUp) {
  using Lane = WorkQueue::Lane;
  WorkQueue q;
  std::future<std::string> next, after;
  struct Release {  // a failed assertion must not leave a worker blocked in get(): the futures wait for it
    WorkQueue& q;
    ~Release() { q.shutdown(); }
  } release{q};
  const auto worker = [&q] {
    std::string got;
    q.get(got);
    return got;
  };
  q.setFirstLimit(1);
  q.add("shop1");
  q.add("shop2");
  std::string k;
  ASSERT_TRUE(q.get(k));
  ASSERT_EQ(k, "shop1");
  next = std::async(std::launch::async, worker);
  EXPECT_EQ(next.wait_for(100ms), std::future_status::timeout) << "a second first reconcile started past the limit";
  q.add("app7", Lane::FollowUp);
  ASSERT_EQ(next.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(next.get(), "app7");
  after = std::async(std::launch::async, worker);
  EXPECT_EQ(after.wait_for(100ms), std::future_status::timeout);
  q.done("shop1");  // the first reconcile ends: the next one may start
  ASSERT_EQ(after.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(after.get(), "shop2");
  q.done("app7");
  q.done("shop2");
  q.setFirstLimit(0);
  q.add("x");
  q.add("y");
  ASSERT_TRUE(q.get(k));
  ASSERT_TRUE(q.get(k));
  EXPECT_EQ(k, "y") << "without a limit, first reconciles take every worker";
}

TEST(WorkQueue, NoKeyIsProcessedByTwoWorkersAtOnce) {
  WorkQueue q;
  std::atomic<int> inFlight{0}, maxInFlight{0}, processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      std::string k;
      while (q.get(k)) {
        int n = ++inFlight;
        int m = maxInFlight.load();
        while (n > m && !maxInFlight.compare_exchange_weak(m, n)) {
        }
        std::this_thread::sleep_for(1ms);
        --inFlight;
        ++processed;
        q.done(k);
      }
    });
  for (int i = 0; i < 200; ++i) q.add("same-key");
  std::this_thread::sleep_for(100ms);
  q.shutdown();
  for (auto& t : workers) t.join();
  EXPECT_EQ(maxInFlight.load(), 1);
  EXPECT_GE(processed.load(), 1);
}

TEST(WorkQueue, WorkersWaitingForOneDelayedKeyEachGetItOnceAndOutliveIt) {
  // Three workers wait for the same delayed entry; the first one due takes it and erases it while
  // the others still wait for that deadline. Each key is handed out exactly once, and under
  // ASan (sanitize_unit) a worker that re-read the erased entry's deadline is a use after free,
  // as shop-operator did in the e2e tests run sanitized.
  WorkQueue q;
  std::mutex mu;
  std::multiset<std::string> got;
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&] {
      std::string k;
      while (q.get(k)) {
        {
          std::lock_guard<std::mutex> l(mu);
          got.insert(k);
        }
        q.done(k);
      }
    });
  constexpr int kKeys = 60;
  for (int i = 0; i < kKeys; ++i) {
    q.addAfter("k" + std::to_string(i), 2ms);
    std::this_thread::sleep_for(4ms);
  }
  // The last entry is still waited for by every worker when shutdown clears the queue.
  q.addAfter("late", 1h);
  std::this_thread::sleep_for(10ms);
  q.shutdown();
  for (auto& t : workers) t.join();
  ASSERT_EQ(got.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) EXPECT_EQ(got.count("k" + std::to_string(i)), 1u) << i;
}

TEST(WorkQueue, FailuresBackOffExponentiallyUntilForgotten) {
  // Each failure doubles the delay before the key comes back: 10, 20, 40, 80 ms. Only lower
  // bounds are asserted (a key is never handed out before its delay), so a slow machine cannot
  // fail this; a constant or linear backoff fails the later rounds (80 ms > 4 x 10 ms).
  WorkQueue q(10ms, 1000ms);
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    const auto start = std::chrono::steady_clock::now();
    q.addRateLimited("a");
    EXPECT_EQ(q.failures("a"), round + 1);
    EXPECT_EQ(q.depth(), 0u) << "nothing is ready before its delay";
    std::string k;
    ASSERT_TRUE(q.get(k));
    EXPECT_EQ(k, "a");
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(10 << round));
    q.done(k);
  }
  EXPECT_EQ(q.retries(), 4u);
  q.forget("a");
  EXPECT_EQ(q.failures("a"), 0);
  // Forgotten: counting starts again.
  q.addRateLimited("a");
  EXPECT_EQ(q.failures("a"), 1);
}

TEST(WorkQueue, ShutdownReleasesWaitingWorkers) {
  WorkQueue q;
  std::thread t([&] {
    std::string k;
    EXPECT_FALSE(q.get(k));
  });
  std::this_thread::sleep_for(20ms);
  q.shutdown();
  t.join();
}

TEST(Drift, LiveHoldingEverythingIntendedIsNotDrift) {
  Json intent = Json::parse(R"({"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"a","image":"x:1",
    "resources":{"limits":{"cpu":"0.5","memory":"1Gi"}}}]}}}})");
  Json live = Json::parse(R"({"metadata":{"uid":"u"},"spec":{"replicas":2,"progressDeadlineSeconds":600,"template":{"spec":{
    "containers":[{"name":"a","image":"x:1","terminationMessagePath":"/dev/termination-log",
    "resources":{"limits":{"cpu":"500m","memory":"1024Mi"}}}]}}},"status":{"readyReplicas":2}})");
  EXPECT_TRUE(liveContains(live, intent)) << "server defaults and canonical quantities are not drift";
  live["spec"]["template"]["spec"]["containers"][0]["image"] = "x:2";
  EXPECT_FALSE(liveContains(live, intent)) << "a changed image is drift";
  live["spec"]["template"]["spec"]["containers"][0]["image"] = "x:1";
  live["spec"]["template"]["spec"]["containers"].push_back({{"name", "injected"}});
  EXPECT_FALSE(liveContains(live, intent)) << "a different container list is drift";
  EXPECT_FALSE(liveContains(Json::object(), intent)) << "a missing object is drift";
}

TEST(Drift, TheHashCoversTheIntentButNotItself) {
  Json app = {{"apiVersion", "shopctl.io/v1alpha1"}, {"kind", "ShopApp"}, {"metadata", {{"name", "s"}, {"uid", "u1"}}}};
  Json o = {{"kind", "Service"}, {"metadata", {{"name", "x"}}}, {"spec", {{"type", "ClusterIP"}}}};
  Json a = withOwnership(o, app, true);
  Json b = withOwnership(o, app, true);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["metadata"]["ownerReferences"][0]["uid"], "u1");
  EXPECT_EQ(a["metadata"]["ownerReferences"][0]["controller"], true);
  o["spec"]["type"] = "NodePort";
  EXPECT_NE(withOwnership(o, app, true)["metadata"]["annotations"][kHashAnnotation], a["metadata"]["annotations"][kHashAnnotation]);
  EXPECT_FALSE(withOwnership(o, app, false)["metadata"].contains("ownerReferences"));
}

TEST(Conditions, TransitionTimeMovesOnlyWhenTheStatusFlips) {
  Json conds = Json::array();
  EXPECT_TRUE(setCondition(conds, "Ready", "False", "Progressing", "1/2", 1, "t1"));
  EXPECT_FALSE(setCondition(conds, "Ready", "False", "Progressing", "1/2", 1, "t2")) << "no change, no write";
  EXPECT_TRUE(setCondition(conds, "Ready", "False", "Progressing", "2/3", 1, "t3"));
  EXPECT_EQ(conds[0]["lastTransitionTime"], "t1");
  EXPECT_TRUE(setCondition(conds, "Ready", "True", "Ready", "all ready", 2, "t4"));
  EXPECT_EQ(conds[0]["lastTransitionTime"], "t4");
  EXPECT_EQ(conds[0]["observedGeneration"], 2);
}

TEST(Conditions, StatusComparisonIgnoresKeyOrderAndTimestamps) {
  Json a = Json::parse(R"({"b":1,"a":{"y":2,"x":1},"conditions":[{"type":"Ready","lastTransitionTime":"t1"}]})");
  Json b = Json::parse(R"({"a":{"x":1,"y":2},"b":1,"conditions":[{"lastTransitionTime":"t2","type":"Ready"}]})");
  EXPECT_TRUE(sameStatus(a, b));
  b["b"] = 2;
  EXPECT_FALSE(sameStatus(a, b));
}

namespace {
// A status with Ready, Reconciling and Stalled as the operator sets them.
Json withConditions(const char* ready, const char* reconciling, const char* stalled) {
  Json conds = Json::array();
  setCondition(conds, "Ready", ready, "R", "ready message", 1, "t");
  setCondition(conds, "Reconciling", reconciling, "R", "", 1, "t");
  setCondition(conds, "Stalled", stalled, "R", "", 1, "t");
  return {{"observedGeneration", 1}, {"summary", {{"services", 2}, {"ready", "1/2"}}}, {"conditions", conds}};
}
}  // namespace

TEST(SummaryStatus, KstatusOfTheConditions) {
  const struct {
    const char *ready, *reconciling, *stalled, *want;
  } cases[] = {{"True", "False", "False", "Current"},
               {"False", "True", "False", "InProgress"},
               {"False", "False", "True", "Failed"},
               {"False", "False", "False", "InProgress"},
               {"Unknown", "False", "False", "InProgress"}};
  for (const auto& c : cases) {
    Json st = withConditions(c.ready, c.reconciling, c.stalled);
    setSummaryStatus(st);
    EXPECT_EQ(st["summary"]["status"], c.want) << c.ready << "/" << c.reconciling << "/" << c.stalled;
    EXPECT_EQ(st["summary"]["ready"], "1/2") << "the rest of the summary is kept";
  }
  Json bare = Json::object();
  setSummaryStatus(bare);
  EXPECT_EQ(bare["summary"]["status"], "Current") << "no conditions yet: kstatus's default";
}

TEST(Readiness, AWorkloadIsReadyAtItsFloorWithCurrentGeneration) {
  Json d = Json::parse(R"({"metadata":{"generation":3},"spec":{"replicas":1},
    "status":{"observedGeneration":3,"readyReplicas":1,"updatedReplicas":1}})");
  EXPECT_TRUE(workloadState(&d).ready);
  EXPECT_FALSE(workloadState(&d, 2).ready) << "an autoscaler's floor of 2 is not reached by 1 pod";
  d["status"]["observedGeneration"] = 2;
  EXPECT_FALSE(workloadState(&d).ready) << "a change the controller has not seen yet";
  EXPECT_FALSE(workloadState(nullptr).exists);
}

// A rolling update's surge: the new pods are ready while an old one still runs (status.replicas
// counts it, updatedReplicas does not). Not ready until it is gone, as `kubectl rollout status`.
TEST(Readiness, ARolloutIsNotOverWhileOldReplicasArePendingTermination) {
  Json d = Json::parse(R"({"metadata":{"generation":2},"spec":{"replicas":2},
    "status":{"observedGeneration":2,"replicas":3,"readyReplicas":3,"updatedReplicas":2}})");
  EXPECT_FALSE(workloadState(&d).ready);
  EXPECT_EQ(workloadState(&d).message, "1 old replica(s) pending termination");
  d["status"]["replicas"] = 2;
  d["status"]["readyReplicas"] = 2;
  EXPECT_TRUE(workloadState(&d).ready);
  EXPECT_EQ(workloadState(&d).message, "2/2 replicas ready");
  d["status"]["replicas"] = 5;  // scaled up by its autoscaler: all of them new
  d["status"]["readyReplicas"] = 5;
  d["status"]["updatedReplicas"] = 5;
  EXPECT_TRUE(workloadState(&d).ready);
}

TEST(Readiness, AWorkloadThatCannotCreateItsPodsSaysWhy) {
  Json d = Json::parse(R"({"metadata":{"generation":1},"spec":{"replicas":2},
    "status":{"observedGeneration":1,"conditions":[
      {"type":"Available","status":"False","reason":"MinimumReplicasUnavailable","message":"no"},
      {"type":"ReplicaFailure","status":"True","reason":"FailedCreate",
       "message":"pods \"web-1\" is forbidden: violates PodSecurity \"restricted:latest\""}]}})");
  EXPECT_EQ(workloadState(&d).message,
            "0/2 replicas ready; FailedCreate: pods \"web-1\" is forbidden: violates PodSecurity \"restricted:latest\"");
  d["status"]["conditions"][1]["status"] = "False";  // resolved: the condition stays, False
  EXPECT_EQ(workloadState(&d).message, "0/2 replicas ready");
  d["status"]["conditions"].push_back(
      {{"type", "Progressing"}, {"status", "False"}, {"reason", "ProgressDeadlineExceeded"}, {"message", std::string(400, 'x')}});
  const std::string m = workloadState(&d).message;
  EXPECT_EQ(m.rfind("0/2 replicas ready; ProgressDeadlineExceeded: xxx", 0), 0u) << m;
  EXPECT_EQ(m.size(), std::string("0/2 replicas ready; ProgressDeadlineExceeded: ").size() + 300 + 3) << "cut at 300 bytes";
  d["status"] = {{"observedGeneration", 1}, {"readyReplicas", 2}, {"updatedReplicas", 2},
                 {"conditions", {{{"type", "ReplicaFailure"}, {"status", "True"}, {"reason", "FailedCreate"}}}}};
  EXPECT_EQ(workloadState(&d).message, "2/2 replicas ready") << "a ready workload is not blocked";
}

// The cache hands status the workloadView of a workload, not the workload: the same readiness.
TEST(Readiness, AWorkloadsViewHasTheSameReadinessAsTheWorkload) {
  const Json base = Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"shop","generation":4,"labels":{"a":"b"},"annotations":{"x":"y"}},
    "spec":{"replicas":3,"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}},
    "status":{"observedGeneration":4,"replicas":4,"readyReplicas":3,"updatedReplicas":3,"availableReplicas":3,
      "conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded","message":"slow",
                     "lastUpdateTime":"2026-12-07T00:00:00Z","lastTransitionTime":"2026-12-07T00:00:00Z"}]}})");
  std::vector<Json> variants = {base};
  auto variant = [&](const std::function<void(Json&)>& edit) {
    Json o = base;
    edit(o);
    variants.push_back(o);
  };
  variant([](Json& o) { o["status"]["replicas"] = 3; });
  variant([](Json& o) { o["status"]["observedGeneration"] = 3; });
  variant([](Json& o) { o["spec"].erase("replicas"); });
  variant([](Json& o) { o.erase("status"); });
  variant([](Json& o) { o["status"]["conditions"][0]["type"] = "ReplicaFailure"; o["status"]["conditions"][0]["status"] = "True"; });
  variant([](Json& o) { o["status"]["readyReplicas"] = 0; });
  for (const auto& d : variants)
    for (int floor : {0, 2, 5}) {
      const Json view = workloadView(d);
      const WorkloadState a = workloadState(&d, floor), b = workloadState(&view, floor);
      EXPECT_EQ(a.ready, b.ready) << d.dump();
      EXPECT_EQ(a.desired, b.desired) << d.dump();
      EXPECT_EQ(a.readyReplicas, b.readyReplicas) << d.dump();
      EXPECT_EQ(a.message, b.message) << d.dump();
    }
  const Json view = workloadView(base);
  EXPECT_FALSE(view["spec"].contains("template")) << view.dump();
  EXPECT_FALSE(view["status"]["conditions"][0].contains("lastUpdateTime")) << view.dump();
  EXPECT_LT(view.dump().size(), base.dump().size() / 2);
}

// A workload's status update wakes its app only when readinessDigest changes: every field the
// readiness reads changes it, the others do not, and equal digests give equal states at any floor.
TEST(Readiness, TheReadinessDigestChangesWithWhatTheReadinessReadsAndNothingElse) {
  const Json base = Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"shop","generation":2,"resourceVersion":"10"},
    "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}},
    "status":{"observedGeneration":2,"replicas":2,"readyReplicas":1,"updatedReplicas":2,"availableReplicas":1,
      "unavailableReplicas":1,"conditions":[
        {"type":"Available","status":"False","reason":"MinimumReplicasUnavailable","message":"a",
         "lastUpdateTime":"2026-12-07T00:00:00Z"},
        {"type":"Progressing","status":"True","reason":"ReplicaSetUpdated","message":"b"}]}})");
  auto edited = [&](const std::function<void(Json&)>& edit) {
    Json o = base;
    edit(o);
    return o;
  };
  // What the readiness reads: each one a new digest.
  const std::vector<Json> read = {
      edited([](Json& o) { o["metadata"]["generation"] = 3; }),
      edited([](Json& o) { o["spec"]["replicas"] = 3; }),
      edited([](Json& o) { o["spec"].erase("replicas"); }),
      edited([](Json& o) { o["status"]["observedGeneration"] = 1; }),
      edited([](Json& o) { o["status"]["replicas"] = 3; }),
      edited([](Json& o) { o["status"]["readyReplicas"] = 2; }),
      edited([](Json& o) { o["status"]["updatedReplicas"] = 1; }),
      edited([](Json& o) { o["status"]["conditions"][1]["status"] = "False"; }),
      edited([](Json& o) {
        o["status"]["conditions"].push_back({{"type", "ReplicaFailure"}, {"status", "True"}, {"reason", "FailedCreate"}});
      }),
      edited([](Json& o) {
        o["status"]["conditions"][1] = {{"type", "Progressing"}, {"status", "False"}, {"reason", "ProgressDeadlineExceeded"}};
      }),
      edited([](Json& o) { o.erase("status"); }),
  };
  std::set<uint64_t> digests = {readinessDigest(base)};
  for (const auto& o : read) EXPECT_TRUE(digests.insert(readinessDigest(o)).second) << o.dump();
  // A blocking condition's message is read too.
  const Json blocked = read[9];
  EXPECT_NE(readinessDigest(blocked), readinessDigest(edited([&](Json& o) {
              o = blocked;
              o["status"]["conditions"][1]["message"] = "slow";
            })));
  // What it does not read: the same digest.
  const std::vector<Json> unread = {
      edited([](Json& o) { o["status"]["availableReplicas"] = 2; }),
      edited([](Json& o) { o["status"].erase("unavailableReplicas"); }),
      edited([](Json& o) { o["status"]["terminatingReplicas"] = 0; }),
      edited([](Json& o) { o["metadata"]["resourceVersion"] = "11"; }),
      edited([](Json& o) {
        o["status"]["conditions"][0] = {{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"}};
      }),
      edited([](Json& o) { o["status"]["conditions"][1]["reason"] = "NewReplicaSetAvailable"; }),
      edited([](Json& o) { o["status"]["conditions"][1]["message"] = "c"; }),
      edited([](Json& o) { o["status"]["conditions"][0]["lastUpdateTime"] = "2026-12-07T00:00:01Z"; }),
  };
  for (const auto& o : unread) EXPECT_EQ(readinessDigest(o), readinessDigest(base)) << o.dump();
  // Equal digests, equal states, whatever the floor.
  std::vector<Json> all = read;
  all.insert(all.end(), unread.begin(), unread.end());
  all.push_back(base);
  for (const auto& a : all)
    for (const auto& b : all) {
      if (readinessDigest(a) != readinessDigest(b)) continue;
      for (int floor : {0, 2, 5}) {
        EXPECT_EQ(workloadState(&a, floor).message, workloadState(&b, floor).message) << a.dump() << b.dump();
        EXPECT_EQ(workloadState(&a, floor).ready, workloadState(&b, floor).ready);
      }
    }
}
TEST(Metrics, RendersThePrometheusTextFormat) {
  Metrics m;
  m.describe("controller_runtime_reconcile_total", "counter", "Total reconciles");
  m.describe("controller_runtime_reconcile_time_seconds", "histogram", "Time", {0.1, 1});
  m.inc("controller_runtime_reconcile_total", {{"controller", "shopapp"}, {"result", "success"}});
  m.observe("controller_runtime_reconcile_time_seconds", {{"controller", "shopapp"}}, 0.5);
  const std::string text = m.render();
  EXPECT_NE(text.find("# TYPE controller_runtime_reconcile_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("controller_runtime_reconcile_total{controller=\"shopapp\",result=\"success\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("controller_runtime_reconcile_time_seconds_bucket{controller=\"shopapp\",le=\"0.10000000000000001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("controller_runtime_reconcile_time_seconds_bucket{controller=\"shopapp\",le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("controller_runtime_reconcile_time_seconds_count{controller=\"shopapp\"} 1\n"), std::string::npos);
}

TEST(InvalidSpecMessage, ListsEveryErrorInOrderAndSkipsWarnings) {
  Diagnostics d;
  d.error("spec.services[0].replicas", "must be at least 0");
  d.warning("spec.gateway", "a warning is not a reason the spec is invalid");
  d.error("spec.services[1].dependsOn[0]", "\"catalogue\" is not a service");
  d.error("spec.services[2].autoscaling.min", "min (5) is larger than max (2)");
  d.error("spec.services[3].name", "is required");
  EXPECT_EQ(invalidSpecMessage(d),
            "spec.services[0].replicas: must be at least 0; "
            "spec.services[1].dependsOn[0]: \"catalogue\" is not a service; "
            "spec.services[2].autoscaling.min: min (5) is larger than max (2); "
            "spec.services[3].name: is required");
}

TEST(InvalidSpecMessage, CutsAtAWholeErrorAndCountsTheRest) {
  Diagnostics d;
  for (int i = 0; i < 100; ++i) d.error("spec.services[" + std::to_string(i) + "].image", "is required");
  const std::string msg = invalidSpecMessage(d, 200);
  EXPECT_LE(msg.size(), 200u + std::string(" (and 100 more)").size());
  // Each shown error is whole: the last one before the count ends with its message.
  const size_t more = msg.find(" (and ");
  ASSERT_NE(more, std::string::npos) << msg;
  EXPECT_EQ(msg.substr(more - 11, 11), "is required");
  const size_t shown = static_cast<size_t>(std::count(msg.begin(), msg.end(), ';')) + 1;
  EXPECT_EQ(msg.substr(more), " (and " + std::to_string(100 - shown) + " more)");
  // One error longer than the budget is still shown, whole.
  Diagnostics big;
  big.error("spec", std::string(300, 'x'));
  EXPECT_EQ(invalidSpecMessage(big, 200), "spec: " + std::string(300, 'x'));
}
