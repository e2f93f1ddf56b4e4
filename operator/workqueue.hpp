#pragma once
// The controller's queue of keys ("namespace/name"), with client-go's guarantees:
//  - a key is never queued twice: adding a queued key does nothing;
//  - a key is never handed to two workers: adding a key being processed marks it dirty, and it
//    is queued again only when its worker calls done();
//  - failures back off per key, exponentially (base .. max), until forget();
//  - first in, first out, so an old key is never starved by new ones.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace shop::op {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WorkQueue(std::chrono::milliseconds base = std::chrono::milliseconds(5),
                     std::chrono::milliseconds max = std::chrono::seconds(1000));

  void add(const std::string& key);
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  // Backs off: base * 2^failures, capped at max.
  void addRateLimited(const std::string& key);
  void forget(const std::string& key);
  int failures(const std::string& key);

  // Blocks for the next key; false once shut down and drained of ready keys.
  bool get(std::string& key);
  void done(const std::string& key);
  // Stops handing out keys; get() returns false. Keys being processed may still call done().
  void shutdown();
  bool shuttingDown();

  size_t depth();
  uint64_t adds();
  uint64_t retries();
  // Seconds the oldest queued key has waited (0 if none).
  double oldestWaitSeconds();

 private:
  void enqueueLocked(const std::string& key);
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;      // in queue_
  std::set<std::string> processing_;  // handed to a worker
  std::set<std::string> dirty_;       // added while processing
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, int> failures_;
  std::map<std::string, Clock::time_point> enqueuedAt_;
  std::chrono::milliseconds base_, max_;
  bool shutdown_ = false;
  uint64_t adds_ = 0, retries_ = 0;
};

}  // namespace shop::op
