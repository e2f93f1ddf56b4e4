#include "operator/workqueue.hpp"

namespace shop::op {

WorkQueue::WorkQueue(std::chrono::milliseconds base, std::chrono::milliseconds max) : base_(base), max_(max) {}

void WorkQueue::enqueueLocked(const std::string& key) {
  if (shutdown_) return;
  ++adds_;
  if (processing_.count(key)) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) {
    queue_.push_back(key);
    enqueuedAt_[key] = Clock::now();
    cv_.notify_one();
  }
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  enqueueLocked(key);
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return add(key);
  std::lock_guard<std::mutex> l(mu_);
  if (shutdown_) return;
  delayed_.emplace(Clock::now() + delay, key);
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
      std::string k = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      enqueueLocked(k);
    }
    if (!queue_.empty()) {
      key = queue_.front();
      queue_.pop_front();
      queued_.erase(key);
      enqueuedAt_.erase(key);
      processing_.insert(key);
      return true;
    }
    if (shutdown_) return false;
    if (delayed_.empty()) {
      cv_.wait(l);
    } else {
      cv_.wait_until(l, delayed_.begin()->first);
    }
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  processing_.erase(key);
  if (dirty_.erase(key) && !shutdown_) {
    if (queued_.insert(key).second) {
      queue_.push_back(key);
      enqueuedAt_[key] = Clock::now();
      cv_.notify_one();
    }
  }
}

void WorkQueue::shutdown() {
  std::lock_guard<std::mutex> l(mu_);
  shutdown_ = true;
  queue_.clear();
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
  return queue_.size();
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
  if (queue_.empty()) return 0;
  auto it = enqueuedAt_.find(queue_.front());
  if (it == enqueuedAt_.end()) return 0;
  return std::chrono::duration<double>(Clock::now() - it->second).count();
}

}  // namespace shop::op
