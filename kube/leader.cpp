#include "kube/leader.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "kube/log.hpp"

namespace kube {

Fence::Fence(std::chrono::milliseconds renewDeadline, Clock now) : renewDeadline_(renewDeadline), now_(std::move(now)) {}

void Fence::renewed(TimePoint sentAt) {
  const TimePoint::rep t = sentAt.time_since_epoch().count();
  TimePoint::rep cur = last_.load();
  while (cur < t && !last_.compare_exchange_weak(cur, t)) {  // kNever is the smallest value
  }
}

void Fence::revoke() { last_ = kNever; }

Fence::TimePoint Fence::closesAt() const {
  const TimePoint::rep t = last_.load();
  if (t == kNever) return TimePoint::min();
  return TimePoint(TimePoint::duration(t)) + renewDeadline_;
}

std::string Fence::refusal() const {
  const TimePoint::rep t = last_.load();
  if (t == kNever) return "not the leader: the lease is not held";
  const auto since = now_() - TimePoint(TimePoint::duration(t));
  if (since < renewDeadline_) return "";
  char buf[128];
  std::snprintf(buf, sizeof buf, "not the leader: lease not renewed for %.1fs (renew deadline %.1fs)",
                std::chrono::duration<double>(since).count(), std::chrono::duration<double>(renewDeadline_).count());
  return buf;
}

std::string LeaderElector::validate(const LeaderOptions& o) {
  if (o.leaseDuration <= o.renewDeadline) return "lease duration must be greater than the renew deadline";
  if (o.renewDeadline.count() <= 1.2 * o.retryPeriod.count()) return "renew deadline must be greater than 1.2 x retry period";
  if (o.identity.empty()) return "leader election needs an identity";
  return "";
}

bool LeaderElector::tryAcquireOrRenew() {
  const auto now = std::chrono::steady_clock::now();
  const std::string stamp = nowRfc3339Micro();
  const int durationSecs = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(o_.leaseDuration).count());
  Result got = c_.get(resources::Lease, o_.namespace_, o_.name);
  auto report = [&](const Result& r, const char* what) {
    // A lease that cannot be read or written (RBAC, a wrong namespace) must be visible, once.
    const std::string msg = std::string(what) + ": " + r.message();
    if (r.code != 409 && msg != lastError_) {
      lastError_ = msg;
      warn("leader election request failed", {{"lease", o_.namespace_ + "/" + o_.name}, {"code", r.code}, {"error", msg}});
    }
  };
  if (!got.ok() && !got.notFound()) report(got, "get lease");
  if (got.notFound()) {
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", o_.name}, {"namespace", o_.namespace_}}},
                  {"spec",
                   {{"holderIdentity", o_.identity},
                    {"leaseDurationSeconds", durationSecs},
                    {"acquireTime", stamp},
                    {"renewTime", stamp},
                    {"leaseTransitions", 0}}}};
    Result created = c_.create(resources::Lease, o_.namespace_, lease);
    if (!created.ok()) report(created, "create lease");
    if (created.ok()) {
      observedRecord_ = created.body["spec"].dump();
      observedAt_ = now;
      noteRenewed(now);
    }
    return created.ok();
  }
  if (!got.ok()) return false;
  Json lease = got.body;
  Json& spec = lease["spec"];
  const std::string holder = spec.value("holderIdentity", "");
  const std::string record = spec.dump();
  if (record != observedRecord_) {
    observedRecord_ = record;
    observedAt_ = now;
  }
  const int held = spec.value("leaseDurationSeconds", durationSecs);
  const bool expired = now > observedAt_ + std::chrono::seconds(held);
  if (!holder.empty() && holder != o_.identity && !expired) return false;
  if (holder != o_.identity) {
    spec["leaseTransitions"] = spec.value("leaseTransitions", 0) + 1;
    spec["acquireTime"] = stamp;
  }
  spec["holderIdentity"] = o_.identity;
  spec["leaseDurationSeconds"] = durationSecs;
  spec["renewTime"] = stamp;
  // resourceVersion in the body makes this an optimistic update: two candidates cannot both win.
  Result updated = c_.replace(resources::Lease, o_.namespace_, o_.name, lease);
  if (!updated.ok()) report(updated, "update lease");
  if (updated.ok()) {
    observedRecord_ = updated.body["spec"].dump();
    observedAt_ = now;
    noteRenewed(now);
  }
  return updated.ok();
}

void LeaderElector::noteRenewed(std::chrono::steady_clock::time_point sentAt) {
  // `sentAt` is when this attempt began, before its GET: the Lease the server now holds was
  // written no earlier, so the fence never outlives what other candidates count from.
  std::lock_guard<std::mutex> l(fenceMu_);
  if (!lost_) fence_.renewed(sentAt);
}

void LeaderElector::release() {
  Result got = c_.get(resources::Lease, o_.namespace_, o_.name);
  if (!got.ok() || got.body["spec"].value("holderIdentity", "") != o_.identity) return;
  Json lease = got.body;
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = nowRfc3339Micro();
  Result r = c_.replace(resources::Lease, o_.namespace_, o_.name, lease);
  info("released leadership", {{"lease", o_.namespace_ + "/" + o_.name}, {"ok", r.ok()}});
}

void LeaderElector::run(const std::atomic<bool>& stop, const std::function<void()>& onStart,
                        const std::function<void()>& onStop) {
  // Waits d in 100 ms steps, or until quit() is true.
  auto pause = [](std::chrono::milliseconds d, const std::function<bool()>& quit) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!quit() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), until - std::chrono::steady_clock::now()));
  };
  info("campaigning for leadership", {{"lease", o_.namespace_ + "/" + o_.name}, {"identity", o_.identity}});
  while (!stop) {
    if (tryAcquireOrRenew()) break;
    pause(o_.retryPeriod, [&] { return stop.load(); });
  }
  if (stop) return;
  leading_ = true;
  info("became leader", {{"lease", o_.namespace_ + "/" + o_.name}, {"identity", o_.identity}});
  onStart();
  // Renewals run on their own thread: a renew can block in the transport (timeouts, retries)
  // for longer than the renew deadline, and loss must not wait for it.
  std::atomic<bool> done{false};
  std::thread renewer([&] {
    while (!stop && !done) {
      pause(o_.retryPeriod, [&] { return stop || done; });
      if (stop || done) break;
      tryAcquireOrRenew();
    }
  });
  bool lost = false;
  std::string lostWhy;
  while (!stop && !lost) {
    {
      std::lock_guard<std::mutex> l(fenceMu_);
      if (std::string why = fence_.refusal(); !why.empty()) {
        lost = lost_ = true;
        lostWhy = why;
        fence_.revoke();
      }
    }
    if (!lost) {
      // Wake when the fence closes, or in 100 ms to see a stop or a renew.
      const Fence::TimePoint at = fence_.closesAt();
      const auto left = at == Fence::TimePoint::min() ? std::chrono::steady_clock::duration::zero()
                                                      : at - std::chrono::steady_clock::now();
      std::this_thread::sleep_for(std::clamp<std::chrono::steady_clock::duration>(
          left, std::chrono::milliseconds(1), std::chrono::milliseconds(100)));
    }
  }
  if (lost) {
    leading_ = false;
    done = true;
    error("lost leadership: could not renew the lease in time", {{"lease", o_.namespace_ + "/" + o_.name}, {"reason", lostWhy}});
    onStop();
    renewer.join();
    return;
  }
  // Stopped (SIGTERM): drain first, then release. Released first, a standby could lead while
  // reconciles in flight still write (66 writes came after the release when it was this way).
  // The renewer sees `stop` and makes no new attempt; the fence closes renewDeadline after the
  // last renew, so a drain that outlasts it writes nothing more.
  onStop();
  renewer.join();
  leading_ = false;
  release();
}

}  // namespace kube
