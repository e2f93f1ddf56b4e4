#pragma once
// The controller's queue of keys ("namespace/name"), with client-go's guarantees:
//  - a key is never queued twice: adding a queued key does nothing;
//  - a key is never handed to two workers: adding a key being processed marks it dirty, and it
//    is queued again only when its worker calls done();
//  - failures back off per key, exponentially (base .. max), until forget();
//  - first in, first out within a lane, so an old key is never starved by new ones of its lane.
// Two lanes: follow-ups (an app already reconciled by this process whose children changed, was
// edited, or asked to be looked at again) are handed out before first reconciles, so a status
// update waits for no pending first apply. A key is in one lane at a time; a key added again
// while queued stays where it is; one added while processing comes back in the follow-up lane
// if any of those adds was a follow-up, or if done() is told it is one now (its first reconcile
// just succeeded: the events that reconcile caused were added while it was still a first one).
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

  enum class Lane { Normal, FollowUp };
  void add(const std::string& key, Lane lane = Lane::Normal);
  void addAfter(const std::string& key, std::chrono::milliseconds delay, Lane lane = Lane::Normal);
  // Backs off: base * 2^failures, capped at max.
  void addRateLimited(const std::string& key);
  void forget(const std::string& key);
  int failures(const std::string& key);

  // At most n first reconciles (Lane::Normal keys) processed at once; 0: no limit. With n below
  // the number of workers, a follow-up (a status to report) never waits for a worker that long
  // first applies hold: at 200 apps, two Sock Shops' first applies held both for 6 s.
  void setFirstLimit(size_t n);

  // Blocks for the next key; false once shut down and drained of ready keys.
  bool get(std::string& key);
  // A key added while it was processed comes back now, in the follow-up lane if any of those
  // adds was a follow-up or if atLeast is FollowUp.
  void done(const std::string& key, Lane atLeast = Lane::Normal);
  // Stops handing out keys; get() returns false. Keys being processed may still call done().
  void shutdown();
  bool shuttingDown();

  size_t depth();
  // Nothing queued and no key with a worker (keys waiting out a delay do not count).
  bool idle();
  uint64_t adds();
  uint64_t retries();
  // Seconds the oldest queued key has waited (0 if none).
  double oldestWaitSeconds();

 private:
  void enqueueLocked(const std::string& key, Lane lane);
  void pushLocked(const std::string& key, Lane lane);
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;     // Lane::Normal
  std::deque<std::string> followUps_;  // Lane::FollowUp, handed out first
  std::set<std::string> queued_;       // in queue_ or followUps_
  std::set<std::string> processing_;   // handed to a worker
  std::set<std::string> processingFirst_;  // those of them taken from queue_ (Lane::Normal)
  size_t firstLimit_ = 0;
  std::map<std::string, Lane> dirty_;  // added while processing, and the lane to come back in
  std::multimap<Clock::time_point, std::pair<std::string, Lane>> delayed_;
  std::map<std::string, int> failures_;
  std::map<std::string, Clock::time_point> enqueuedAt_;
  std::chrono::milliseconds base_, max_;
  bool shutdown_ = false;
  uint64_t adds_ = 0, retries_ = 0;
};

}  // namespace shop::op
