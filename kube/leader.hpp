#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
// every retryPeriod; a candidate takes the lease when it has not seen the record change for
// leaseDuration (measured on its own clock, so clock skew between machines does not matter);
// a leader that cannot renew within renewDeadline stops leading. Releasing on shutdown lets
// the next candidate take over at once.
//
// Fencing: the elector's Fence is open only while the last successful acquire or renew was
// sent less than renewDeadline ago, on the monotonic clock. The operator's transport asks it
// before sending every write (TransportOptions::writeGuard), so a leader that was frozen
// (SIGSTOP, a stalled VM) and resumes after a standby may have taken over sends no write from
// its stale cache: CLOCK_MONOTONIC keeps counting while a process is stopped. Candidates wait
// leaseDuration (> renewDeadline) after they last saw the record change, so the fence closes
// before anyone else may lead. What it cannot stop is a request already sent (or stuck in the
// kernel's socket buffer) before the freeze: the API server may receive it late.
#include <atomic>
#include <chrono>
#include <functional>
#include <limits>
#include <mutex>
#include <string>

#include "kube/client.hpp"

namespace kube {

struct LeaderOptions {
  std::string namespace_;
  std::string name;
  std::string identity;
  std::chrono::milliseconds leaseDuration{15000};
  std::chrono::milliseconds renewDeadline{10000};
  std::chrono::milliseconds retryPeriod{2000};
};

// Whether a leader may still write: only while its last successful acquire or renew was sent
// less than renewDeadline ago. Closed until the first renewed(). Thread-safe.
class Fence {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Clock = std::function<TimePoint()>;
  explicit Fence(std::chrono::milliseconds renewDeadline, Clock now = &std::chrono::steady_clock::now);
  // A successful acquire or renew whose first request was sent at `sentAt` (the Lease the
  // server holds cannot be older). One older than the newest seen is ignored.
  void renewed(TimePoint sentAt);
  // Closed until the next renewed().
  void revoke();
  // "" while writes may be sent; otherwise why not ("not the leader: lease not renewed for 4.2s").
  std::string refusal() const;
  bool mayWrite() const { return refusal().empty(); }
  // When the fence closes by itself: the last renew + renewDeadline (TimePoint::min() if closed).
  TimePoint closesAt() const;

 private:
  static constexpr TimePoint::rep kNever = std::numeric_limits<TimePoint::rep>::min();
  std::chrono::milliseconds renewDeadline_;
  Clock now_;
  std::atomic<TimePoint::rep> last_{kNever};  // sentAt of the newest renew, as ticks since the epoch
};

class LeaderElector {
 public:
  LeaderElector(Client& c, LeaderOptions o) : c_(c), o_(std::move(o)), fence_(o_.renewDeadline) {}
  // Blocks: campaigns until leading (calls onStart), renews while leading, and returns when
  // leadership is lost (after calling onStop) or stop becomes true (after calling onStop, which
  // must drain every writer, and then releasing the Lease so a standby takes over at once). The
  // Lease is not renewed while onStop drains: a drain longer than the lease lets a standby take
  // over by expiry, as it would from a crashed leader, and the fence refuses writes from
  // renewDeadline after the last renew.
  // Loss is reported as soon as the fence closes (checked every 100 ms, whatever a renew in
  // flight is doing), not at the next renew attempt: after a SIGCONT, within 100 ms.
  void run(const std::atomic<bool>& stop, const std::function<void()>& onStart, const std::function<void()>& onStop);
  bool leading() const { return leading_; }
  // The write fence: for a guard on every write but the Lease's own requests.
  const Fence& fence() const { return fence_; }
  // Validates durations the way client-go does: leaseDuration > renewDeadline > 1.2 * retryPeriod.
  static std::string validate(const LeaderOptions& o);

 private:
  bool tryAcquireOrRenew();
  void noteRenewed(std::chrono::steady_clock::time_point sentAt);
  void release();
  Client& c_;
  LeaderOptions o_;
  Fence fence_;
  std::mutex fenceMu_;  // orders a renew's renewed() against the loss's revoke()
  bool lost_ = false;   // once lost, a renew that was in flight does not reopen the fence
  std::atomic<bool> leading_{false};
  std::string observedRecord_;
  std::string lastError_;
  std::chrono::steady_clock::time_point observedAt_{};
};

}  // namespace kube
