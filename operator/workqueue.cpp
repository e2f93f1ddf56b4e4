#include "operator/workqueue.hpp"

#include <algorithm>

namespace shop::op {

WorkQueue::WorkQueue(std::chrono::milliseconds base, std::chrono::milliseconds max) : base_(base), max_(max) {}

void WorkQueue::pushLocked(const std::string& key, Lane lane) {
  if (!queued_.insert(key).second) return;
  (lane == Lane::FollowUp ? followUps_ : queue_).push_back(key);
  enqueuedAt_[key] = Clock::now();
  cv_.notify_one();
}

void WorkQueue::enqueueLocked(const std::string& key, Lane lane) {
  if (shutdown_) return;
  ++adds_;
  if (processing_.count(key)) {
    auto [it, fresh] = dirty_.emplace(key, lane);
    if (!fresh && lane == Lane::FollowUp) it->second = lane;
    return;
  }
  pushLocked(key, lane);
}

void WorkQueue::add(const std::string& key, Lane lane) {
  std::lock_guard<std::mutex> l(mu_);
  enqueueLocked(key, lane);
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay, Lane lane) {
  if (delay.count() <= 0) return add(key, lane);
  std::lock_guard<std::mutex> l(mu_);
  if (shutdown_) return;
  delayed_.emplace(Clock::now() + delay, std::make_pair(key, lane));
  cv_.notify_all();
}

void WorkQueue::addRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> l(mu_);
    const int n = failures_[key]++;
    ++retries_;
    const double d = static_cast<double>(base_.count()) * static_cast<double>(1ULL << std::min(n, 40));
    delay = std::chrono::milliseconds(static_cast<long long>(std::min<double>(d, static_cast<double>(max_.count()))));
  }
  addAfter(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  failures_.erase(key);
}

int WorkQueue::failures(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

bool WorkQueue::get(std::string& key) {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    // Move due delayed keys into the queue.
    const auto now = Clock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      auto [k, lane] = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      enqueueLocked(k, lane);
    }
    const bool firstAllowed = !queue_.empty() && (firstLimit_ == 0 || processingFirst_.size() < firstLimit_);
    if (!followUps_.empty() || firstAllowed) {
      const bool first = followUps_.empty();
      auto& from = first ? queue_ : followUps_;
      key = from.front();
      from.pop_front();
      queued_.erase(key);
      enqueuedAt_.erase(key);
      processing_.insert(key);
      if (first) processingFirst_.insert(key);
      return true;
    }
    if (shutdown_) return false;
    if (delayed_.empty()) {
      cv_.wait(l);
    } else {
      // A copy: wait_until reads its deadline again after re-locking, by which time another
      // worker (or shutdown) may have erased that entry (a heap-use-after-free ASan found).
      const Clock::time_point due = delayed_.begin()->first;
      cv_.wait_until(l, due);
    }
  }
}

void WorkQueue::setFirstLimit(size_t n) {
  std::lock_guard<std::mutex> l(mu_);
  firstLimit_ = n;
  cv_.notify_all();
}

void WorkQueue::done(const std::string& key, Lane atLeast) {
  std::lock_guard<std::mutex> l(mu_);
  processing_.erase(key);
  // A worker may wait for a first reconcile to finish before it may start the next one.
  if (processingFirst_.erase(key) && !queue_.empty()) cv_.notify_all();
  auto it = dirty_.find(key);
  if (it == dirty_.end()) return;
  const Lane lane = atLeast == Lane::FollowUp ? Lane::FollowUp : it->second;
  dirty_.erase(it);
  if (!shutdown_) pushLocked(key, lane);
}

void WorkQueue::shutdown() {
  std::lock_guard<std::mutex> l(mu_);
  shutdown_ = true;
  queue_.clear();
  followUps_.clear();
  queued_.clear();
  delayed_.clear();
  cv_.notify_all();
}

bool WorkQueue::shuttingDown() {
  std::lock_guard<std::mutex> l(mu_);
  return shutdown_;
}

size_t WorkQueue::depth() {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size() + followUps_.size();
}

bool WorkQueue::idle() {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.empty() && followUps_.empty() && processing_.empty();
}

uint64_t WorkQueue::adds() {
  std::lock_guard<std::mutex> l(mu_);
  return adds_;
}

uint64_t WorkQueue::retries() {
  std::lock_guard<std::mutex> l(mu_);
  return retries_;
}

double WorkQueue::oldestWaitSeconds() {
  std::lock_guard<std::mutex> l(mu_);
  double oldest = 0;
  for (const auto* q : {&queue_, &followUps_}) {
    if (q->empty()) continue;
    auto it = enqueuedAt_.find(q->front());
    if (it != enqueuedAt_.end()) oldest = std::max(oldest, std::chrono::duration<double>(Clock::now() - it->second).count());
  }
  return oldest;
}

}  // namespace shop::op
