#pragma once
// One account of API server trouble for all the reflectors of a process (kube/reflector.cpp). The
// first failed list or watch of an outage is a warning; the rest of the outage are debug lines,
// with one more warning a minute while it lasts; the first list or watch sent since the outage
// began that works ends it with one info line (how long, how many failures, on how many
// resources). Before, each failed watch of each resource was a warning: 237 of the 471 lines the
// operator logged in a 95 s run through 5 API server restarts (tests/e2e/operator/chaos_kill.sh).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

namespace kube {

class OutageLog {
 public:
  using Clock = std::chrono::steady_clock;
  static OutageLog& process();

  // A list or watch of `resource` failed (code 0: no answer; `error` in words).
  void failed(const char* what, const std::string& resource, int code, const std::string& error,
              Clock::time_point now = Clock::now());
  // A list or watch sent at `sent` worked. A watch opened before the outage ends with its
  // headers' 200 when the server goes away: no sign it is back, so only a request sent since
  // the outage began ends it.
  void succeeded(Clock::time_point sent, Clock::time_point now = Clock::now());
  bool down() const { return down_; }

 private:
  std::mutex mu_;
  std::atomic<bool> down_{false};
  uint64_t failures_ = 0;
  std::set<std::string> resources_;
  Clock::time_point since_, lastWarn_;
};

}  // namespace kube
