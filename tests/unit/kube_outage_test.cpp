// kube::OutageLog (kube/outage.hpp): how the reflectors of a process report an API server outage.
// Logs go to stderr, captured here; the clock is passed in.
#include <gtest/gtest.h>

#include <string>

#include "kube/log.hpp"
#include "kube/outage.hpp"

namespace {

using Clock = kube::OutageLog::Clock;
using namespace std::chrono_literals;

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Capture {
  Capture() {
    kube::setLogLevel(kube::Level::Info);
    kube::setLogText(false);
    testing::internal::CaptureStderr();
  }
  std::string take() { return testing::internal::GetCapturedStderr(); }
};

}  // namespace

TEST(OutageLog, AnOutageIsOneWarningAndOneLineWhenItEnds) {
  kube::OutageLog log;
  const auto t0 = Clock::now();
  Capture c;
  // 16 watches fail in the first 3 s, some twice.
  for (int i = 0; i < 16; ++i) log.failed("watch failed", "kind" + std::to_string(i), 0, "connection refused", t0 + i * 100ms);
  for (int i = 0; i < 8; ++i) log.failed("list failed", "kind" + std::to_string(i), 503, "ServiceUnavailable", t0 + 2s);
  EXPECT_TRUE(log.down());
  // A watch opened before the outage ends with its 200 now: not the end of it.
  log.succeeded(t0 - 10s, t0 + 2500ms);
  EXPECT_TRUE(log.down());
  // A list sent since it began works: the end.
  log.succeeded(t0 + 3s, t0 + 3200ms);
  EXPECT_FALSE(log.down());
  const std::string out = c.take();
  EXPECT_EQ(count(out, "\"level\":\"warn\""), 1) << out;
  EXPECT_EQ(count(out, "watch failed"), 1) << out;
  EXPECT_EQ(count(out, "list failed"), 0) << "debug only: " << out;
  EXPECT_EQ(count(out, "API server answering again"), 1) << out;
  EXPECT_NE(out.find("\"failedRequests\":24"), std::string::npos) << out;
  EXPECT_NE(out.find("\"resources\":16"), std::string::npos) << out;
  EXPECT_NE(out.find("\"seconds\":3.2"), std::string::npos) << out;
}

TEST(OutageLog, ALongOutageWarnsOnceAMinuteAndTheNextOutageWarnsAgain) {
  kube::OutageLog log;
  const auto t0 = Clock::now();
  Capture c;
  for (int s = 0; s <= 150; s += 5) log.failed("watch failed", "pods", 0, "connection refused", t0 + std::chrono::seconds(s));
  log.succeeded(t0 + 151s, t0 + 152s);
  log.failed("watch failed", "pods", 0, "connection refused", t0 + 200s);
  const std::string out = c.take();
  // At 0, 60 and 120 s, then the new outage at 200 s.
  EXPECT_EQ(count(out, "\"level\":\"warn\""), 4) << out;
  EXPECT_NE(out.find("\"failedRequests\":13"), std::string::npos) << "the warning at 60 s counts: " << out;
  EXPECT_EQ(count(out, "API server answering again"), 1) << out;
}

TEST(OutageLog, SuccessWithoutAnOutageSaysNothing) {
  kube::OutageLog log;
  Capture c;
  log.succeeded(Clock::now());
  EXPECT_EQ(c.take(), "");
  EXPECT_FALSE(log.down());
}
