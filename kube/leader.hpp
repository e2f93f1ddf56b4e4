#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
// every retryPeriod; a candidate takes the lease when it has not seen the record change for
// leaseDuration (measured on its own clock, so clock skew between machines does not matter);
// a leader that cannot renew within renewDeadline stops leading. Releasing on shutdown lets
// the next candidate take over at once. There is no fencing: only the leader should write.
#include <atomic>
#include <chrono>
#include <functional>
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

class LeaderElector {
 public:
  LeaderElector(Client& c, LeaderOptions o) : c_(c), o_(std::move(o)) {}
  // Blocks: campaigns until leading (calls onStart), renews while leading, and returns when
  // leadership is lost (after calling onStop) or stop becomes true (after calling onStop, which
  // must drain every writer, and then releasing the Lease so a standby takes over at once). The
  // Lease is not renewed while onStop drains: a drain longer than the lease lets a standby take
  // over by expiry, as it would from a crashed leader.
  void run(const std::atomic<bool>& stop, const std::function<void()>& onStart, const std::function<void()>& onStop);
  bool leading() const { return leading_; }
  // Validates durations the way client-go does: leaseDuration > renewDeadline > 1.2 * retryPeriod.
  static std::string validate(const LeaderOptions& o);

 private:
  bool tryAcquireOrRenew();
  void release();
  Client& c_;
  LeaderOptions o_;
  std::atomic<bool> leading_{false};
  std::string observedRecord_;
  std::string lastError_;
  std::chrono::steady_clock::time_point observedAt_{};
};

}  // namespace kube
