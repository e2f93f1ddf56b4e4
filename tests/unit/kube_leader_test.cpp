// kube/leader's write fence: open only while the last renew of the Lease was sent less than the
// renew deadline ago (on an injected clock here), and a transport guarded by it sends no write
// while it is closed. Requests are observed with TransportOptions::onRequest, which the
// transport calls after every attempt it makes; the server address is a closed local port, so
// an attempt fails at once with a connection error and nothing answers as an API server.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kube/client.hpp"
#include "kube/events.hpp"
#include "kube/leader.hpp"

namespace {

using namespace std::chrono_literals;
using TimePoint = kube::Fence::TimePoint;

struct FakeClock {
  TimePoint now = TimePoint(1000h);
  kube::Fence::Clock fn() {
    return [this] { return now; };
  }
};

TEST(Fence, ClosedUntilTheFirstRenew) {
  FakeClock clock;
  kube::Fence f(10s, clock.fn());
  EXPECT_FALSE(f.mayWrite());
  EXPECT_EQ(f.refusal(), "not the leader: the lease is not held");
  EXPECT_EQ(f.closesAt(), TimePoint::min());
}

TEST(Fence, OpenWithinTheRenewDeadlineClosedAfter) {
  FakeClock clock;
  kube::Fence f(10s, clock.fn());
  const TimePoint sent = clock.now;
  clock.now += 200ms;  // the renew's answer came back
  f.renewed(sent);
  EXPECT_TRUE(f.mayWrite());
  EXPECT_EQ(f.refusal(), "");
  EXPECT_EQ(f.closesAt(), sent + 10s);
  clock.now = sent + 9999ms;
  EXPECT_TRUE(f.mayWrite());
  clock.now = sent + 10s;  // counted from when the renew was sent, not answered
  EXPECT_FALSE(f.mayWrite());
  EXPECT_EQ(f.refusal(), "not the leader: lease not renewed for 10.0s (renew deadline 10.0s)");
  // Frozen (SIGSTOP) for 30 s: the monotonic clock kept counting.
  clock.now = sent + 30s;
  EXPECT_EQ(f.refusal(), "not the leader: lease not renewed for 30.0s (renew deadline 10.0s)");
}

TEST(Fence, ALaterRenewReopensIt) {
  FakeClock clock;
  kube::Fence f(4s, clock.fn());
  f.renewed(clock.now);
  clock.now += 5s;
  EXPECT_FALSE(f.mayWrite());
  f.renewed(clock.now);
  EXPECT_TRUE(f.mayWrite());
  clock.now += 3s;
  EXPECT_TRUE(f.mayWrite());
}

TEST(Fence, AnOlderRenewDoesNotMoveItBack) {
  FakeClock clock;
  kube::Fence f(4s, clock.fn());
  const TimePoint newer = clock.now;
  f.renewed(newer);
  f.renewed(newer - 3s);  // a slower attempt that started earlier and was answered later
  EXPECT_EQ(f.closesAt(), newer + 4s);
  clock.now += 2s;
  EXPECT_TRUE(f.mayWrite());
}

TEST(Fence, RevokedUntilTheNextRenew) {
  FakeClock clock;
  kube::Fence f(4s, clock.fn());
  f.renewed(clock.now);
  f.revoke();
  EXPECT_FALSE(f.mayWrite());
  EXPECT_EQ(f.refusal(), "not the leader: the lease is not held");
  f.renewed(clock.now);
  EXPECT_TRUE(f.mayWrite());
}

TEST(Fence, AnElectorIsFencedBeforeItLeads) {
  kube::Config cfg;
  cfg.server = "https://127.0.0.1:1";
  kube::Client c(std::make_shared<kube::Transport>(cfg));
  kube::LeaderOptions o;
  o.identity = "me";
  kube::LeaderElector e(c, o);
  EXPECT_FALSE(e.fence().mayWrite());
}

// A local TCP port nothing listens on: bound, then closed.
int closedPort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (s >= 0) ::close(s);
    return 1;
  }
  ::close(s);
  return ntohs(a.sin_port);
}

// A client over a transport guarded by a fence on a fake clock, recording every attempt.
class GuardedClient : public ::testing::Test {
 protected:
  GuardedClient() : fence_(4s, clock_.fn()) {
    kube::Config cfg;
    cfg.server = "https://127.0.0.1:" + std::to_string(closedPort());
    kube::TransportOptions o;
    o.maxRetries = 0;
    o.timeout = 2s;
    o.onRequest = [this](const std::string& method, const std::string& path, int, double) {
      std::lock_guard<std::mutex> l(mu_);
      sent_.push_back(method + " " + path);
    };
    o.writeGuard = [this] { return fence_.refusal(); };
    client_ = std::make_unique<kube::Client>(std::make_shared<kube::Transport>(cfg, o));
  }
  std::vector<std::string> sent() {
    std::lock_guard<std::mutex> l(mu_);
    return sent_;
  }
  static kube::Json configMap() {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "cm"}, {"namespace", "ns"}}}};
  }
  void expectRefused(const kube::Result& r, const std::string& what) {
    EXPECT_FALSE(r.ok()) << what;
    EXPECT_TRUE(r.fenced) << what;
    EXPECT_EQ(r.code, 0) << what;
    EXPECT_EQ(r.message(), "not the leader: lease not renewed for 30.0s (renew deadline 4.0s)") << what;
  }

  FakeClock clock_;
  kube::Fence fence_;
  std::unique_ptr<kube::Client> client_;
  std::mutex mu_;
  std::vector<std::string> sent_;
};

TEST_F(GuardedClient, SendsWritesWhileTheLeaseIsFresh) {
  fence_.renewed(clock_.now);
  clock_.now += 1s;
  const auto r = client_->create(kube::resources::ConfigMap, "ns", configMap());
  EXPECT_FALSE(r.fenced);  // sent: the closed port refused the connection
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(sent(), std::vector<std::string>{"POST /api/v1/namespaces/{ns}/configmaps"});
}

TEST_F(GuardedClient, RefusesEveryWriteUnsentOnceTheRenewDeadlinePassed) {
  fence_.renewed(clock_.now);
  clock_.now += 30s;
  namespace res = kube::resources;
  expectRefused(client_->create(res::ConfigMap, "ns", configMap()), "create");
  expectRefused(client_->replace(res::ConfigMap, "ns", "cm", configMap()), "replace");
  expectRefused(client_->apply(res::ConfigMap, "ns", "cm", configMap(), "shopctl"), "apply");
  expectRefused(client_->mergePatch(res::ConfigMap, "ns", "cm", {{"data", {{"a", "b"}}}}), "merge patch");
  expectRefused(client_->remove(res::ConfigMap, "ns", "cm"), "delete");
  expectRefused(client_->applyStatus(res::ShopApp, "ns", "shop", {{"status", kube::Json::object()}}, "shopctl"),
                "status apply");
  expectRefused(client_->replaceStatus(res::ShopApp, "ns", "shop", {{"status", kube::Json::object()}}), "status replace");
  kube::EventRecorder events(*client_, "shopctl.io/shop-operator", "me");
  events.record(configMap(), "Normal", "Applied", "Apply", "note");
  EXPECT_TRUE(sent().empty()) << sent().front();
  // Reads are not fenced.
  const auto got = client_->get(res::ConfigMap, "ns", "cm");
  EXPECT_FALSE(got.fenced);
  EXPECT_EQ(sent(), std::vector<std::string>{"GET /api/v1/namespaces/{ns}/configmaps/{name}"});
}

TEST_F(GuardedClient, WritesAgainAfterARenew) {
  fence_.renewed(clock_.now);
  clock_.now += 30s;
  expectRefused(client_->remove(kube::resources::ConfigMap, "ns", "cm"), "delete");
  fence_.renewed(clock_.now);
  EXPECT_FALSE(client_->remove(kube::resources::ConfigMap, "ns", "cm").fenced);
  EXPECT_EQ(sent(), std::vector<std::string>{"DELETE /api/v1/namespaces/{ns}/configmaps/{name}"});
}

}  // namespace
