#include "kube/leader.hpp"

#include <thread>

#include "kube/log.hpp"

namespace kube {

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
  }
  return updated.ok();
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
  auto sleep = [&](std::chrono::milliseconds d) {
    for (auto t = std::chrono::milliseconds(0); t < d && !stop; t += std::chrono::milliseconds(100))
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  };
  info("campaigning for leadership", {{"lease", o_.namespace_ + "/" + o_.name}, {"identity", o_.identity}});
  while (!stop) {
    if (tryAcquireOrRenew()) break;
    sleep(o_.retryPeriod);
  }
  if (stop) return;
  leading_ = true;
  info("became leader", {{"lease", o_.namespace_ + "/" + o_.name}, {"identity", o_.identity}});
  onStart();
  auto lastRenew = std::chrono::steady_clock::now();
  while (!stop) {
    sleep(o_.retryPeriod);
    if (stop) break;
    if (tryAcquireOrRenew()) {
      lastRenew = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - lastRenew > o_.renewDeadline) {
      leading_ = false;
      error("lost leadership: could not renew the lease in time", {{"lease", o_.namespace_ + "/" + o_.name}});
      onStop();
      return;
    }
  }
  // Stopped (SIGTERM): drain first, then release. Released first, a standby could lead while
  // reconciles in flight still write (66 writes came after the release when it was this way).
  onStop();
  leading_ = false;
  release();
}

}  // namespace kube
