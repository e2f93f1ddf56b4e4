// shop-operator: keeps each ShopApp's cluster objects equal to what shopctl renders.
#include <httplib.h>
#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include "kube/client.hpp"
#include "kube/leader.hpp"
#include "kube/log.hpp"
#include "operator/controller.hpp"
#include "operator/metrics.hpp"

namespace {

std::atomic<bool> gStop{false};

void onSignal(int) { gStop = true; }

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string randomSuffix() {
  std::random_device rd;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return buf;
}

bool splitAddress(const std::string& addr, std::string& host, int& port) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  host = addr.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  try {
    port = std::stoi(addr.substr(colon + 1));
  } catch (...) {
    return false;
  }
  return port >= 0 && port < 65536;
}


// The command line, with the defaults docs/operator.md lists.
struct Flags {
  std::string kubeconfig, context, watchNs, metricsAddr = "127.0.0.1:8080", probeAddr = ":8081";
  std::string leNamespace, leName = "shop-operator", logLevel = "info", logFormat = "json", identity;
  bool leaderElect = true;
  int workers = 4, burst = 100;
  double qps = 0, leaseDuration = 15, renewDeadline = 10, retryPeriod = 2;
  int resync = 600;
  double statusInterval = 2;
  std::string cacheFormat = "trees";
};

void addFlags(CLI::App& app, Flags& f) {
  app.add_option("--kubeconfig", f.kubeconfig, "Path to a kubeconfig; default $KUBECONFIG, ~/.kube/config, then in-cluster");
  app.add_option("--context", f.context, "kubeconfig context to use (default: the current context)");
  app.add_option("--namespace", f.watchNs, "Watch only this namespace (default: all namespaces)");
  app.add_option("--workers", f.workers, "Concurrent reconciles; first reconciles (apps this process has not reconciled yet) use at most N-1 of them, so a status never waits behind them")->check(CLI::Range(1, 64));
  app.add_option("--kube-api-qps", f.qps, "Client-side request rate limit; 0 disables it (API Priority and Fairness applies)");
  app.add_option("--kube-api-burst", f.burst, "Burst for the client-side rate limit");
  app.add_option("--metrics-bind-address", f.metricsAddr, "Where /metrics is served; \"0\" disables it");
  app.add_option("--health-probe-bind-address", f.probeAddr, "Where /healthz and /readyz are served; \"0\" disables them");
  app.add_option("--leader-elect", f.leaderElect, "Elect a leader with a Lease; only the leader writes")->default_str("true");
  app.add_option("--leader-election-namespace", f.leNamespace, "Namespace of the Lease (default: the operator's namespace)");
  app.add_option("--leader-election-id", f.leName, "Name of the Lease");
  app.add_option("--leader-election-identity", f.identity, "This process's identity (default: hostname_random)");
  app.add_option("--lease-duration", f.leaseDuration, "Seconds a non-leader waits before taking an unrenewed lease");
  app.add_option("--renew-deadline", f.renewDeadline, "Seconds the leader keeps trying to renew before giving up");
  app.add_option("--retry-period", f.retryPeriod, "Seconds between lease attempts");
  app.add_option("--status-interval", f.statusInterval,
                 "Seconds between two status writes of one app that differ only in progress (replicas ready, messages); "
                 "a change of condition (Ready, an error, a new generation) is written at once. 0 writes every change")
      ->check(CLI::Range(0.0, 60.0));
  app.add_option("--cache-format", f.cacheFormat,
                 "How the cache holds the apps' children: trees (parsed, the least CPU) or packed (MessagePack, "
                 "about half the memory per cached object; each reconcile that plans unpacks the app's children)")
      ->check(CLI::IsMember({"trees", "packed"}));
  app.add_option("--resync-period", f.resync, "Seconds between full local resyncs (no writes unless something drifted)");
  app.add_option("--log-level", f.logLevel, "debug, info, warn or error")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log-format", f.logFormat, "json (one object per line) or text")->check(CLI::IsMember({"json", "text"}));
}

// glibc gives each thread that allocates an arena of its own (up to 8 per core), each keeping
// what its thread freed. The operator's ~20 threads mostly wait on sockets: two arenas are
// plenty. Measured with bench/operator-scale.sh (bench/RESULTS.md, issue 14): 1.2 MiB less with
// no app, 3 MiB less after a restart with 50 apps (one run each on a loaded machine). Called
// first thing, before any thread starts; MALLOC_ARENA_MAX in the environment still wins.
void limitMallocArenas() {
#ifdef __GLIBC__
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
#endif
}

void setUpProcess(const Flags& f) {
  kube::Level lvl;
  kube::parseLogLevel(f.logLevel, lvl);
  kube::setLogLevel(lvl);
  kube::setLogText(f.logFormat == "text");
  signal(SIGTERM, onSignal);
  signal(SIGINT, onSignal);
  signal(SIGPIPE, SIG_IGN);
}

void describeMetrics(shop::op::Metrics& metrics) {
  metrics.describe("rest_client_requests_total", "counter", "Number of HTTP requests, partitioned by status code, method, and host");
  metrics.describe("rest_client_request_duration_seconds", "histogram", "Request latency in seconds, by verb and URL",
                   {0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60});
  metrics.describe("leader_election_master_status", "gauge", "1 if this process is the leader");
}

// An API transport, counting every request in the rest_client_* metrics. writeGuard, when set,
// refuses writes unsent (the leader fence).
std::shared_ptr<kube::Transport> transportFor(const kube::Config& cfg, const Flags& f, shop::op::Metrics& metrics,
                                              std::function<std::string()> writeGuard = {}) {
  kube::TransportOptions topts;
  topts.writeGuard = std::move(writeGuard);
  topts.qps = f.qps;
  topts.burst = f.burst;
  // The identity in the User-Agent lets an audit log tell replicas apart.
  topts.userAgent = std::string("shop-operator/" SHOPCTL_VERSION " ") + f.identity;
  const std::string host = cfg.server.substr(8);
  topts.onRequest = [&metrics, host](const std::string& method, const std::string& path, int code, double secs) {
    metrics.inc("rest_client_requests_total", {{"code", code ? std::to_string(code) : "<error>"}, {"host", host}, {"method", method}});
    if (method != "WATCH") metrics.observe("rest_client_request_duration_seconds", {{"url", path}, {"verb", method}}, secs);
  };
  return std::make_shared<kube::Transport>(cfg, topts);
}

// /metrics, /healthz and /readyz, each address served by its own thread until stop().
class Endpoints {
 public:
  Endpoints(shop::op::Metrics& metrics, std::string leaseName, const std::atomic<bool>& leading,
            const shop::op::Controller& controller)
      : metrics_(metrics), leaseName_(std::move(leaseName)), leading_(leading), controller_(controller) {}
  ~Endpoints() { stop(); }

  // False when the address is malformed or cannot be bound. "0" or "" serves nothing.
  bool serve(const std::string& addr, bool metricsServer) {
    if (addr == "0" || addr.empty()) return true;
    std::string h;
    int p = 0;
    if (!splitAddress(addr, h, p)) {
      kube::error("bad bind address", {{"address", addr}});
      return false;
    }
    auto srv = std::make_unique<httplib::Server>();
    // cpp-httplib sets SO_REUSEPORT, which lets a second shop-operator bind the same port and
    // answer half the scrapes and probes; SO_REUSEADDR alone makes a busy address fail to bind.
    srv->set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    route(*srv, metricsServer);
    errno = 0;
    if (!srv->bind_to_port(h.c_str(), p)) {
      const int err = errno;
      kube::error("cannot listen", {{"address", addr}, {"error", err ? std::strerror(err) : "bind failed"}});
      return false;
    }
    httplib::Server* raw = srv.get();
    servers_.push_back(std::move(srv));
    threads_.emplace_back([raw] { raw->listen_after_bind(); });
    kube::info("serving", {{"address", addr}, {"endpoints", metricsServer ? "/metrics,/healthz,/readyz" : "/healthz,/readyz"}});
    return true;
  }

  void stop() {
    for (auto& s : servers_) s->stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    servers_.clear();
    threads_.clear();
  }

 private:
  void route(httplib::Server& srv, bool metricsServer) {
    if (metricsServer) {
      srv.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        metrics_.set("leader_election_master_status", {{"name", leaseName_}}, leading_ ? 1 : 0);
        res.set_content(metrics_.render(), "text/plain; version=0.0.4");
      });
    }
    srv.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    srv.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      // A standby is ready (it can take over); a leader is ready once its caches are synced.
      const bool ok = !leading_ || controller_.synced();
      res.status = ok ? 200 : 503;
      res.set_content(ok ? "ok\n" : "informers not synced\n", "text/plain");
    });
  }

  shop::op::Metrics& metrics_;
  const std::string leaseName_;
  const std::atomic<bool>& leading_;
  const shop::op::Controller& controller_;
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
};

// Campaigns for the Lease and runs the controller while leading. Exit code: 0 after a signal,
// 1 after losing leadership.
int runElected(kube::LeaderElector& elector, shop::op::Controller& controller, std::atomic<bool>& leading) {
  std::atomic<bool> controllerStop{false};
  std::thread ctl;
  bool lost = false;
  elector.run(
      gStop,
      [&] {
        leading = true;
        ctl = std::thread([&] { controller.run(controllerStop); });
      },
      [&] {
        leading = false;
        lost = !gStop;
        if (lost) {
          // Another process may be leading already: stop writing at once, without draining
          // (as controller-runtime does), and let the Deployment restart us as a candidate.
          // Writes still in flight on the workers are refused by the fence meanwhile.
          kube::error("exiting after losing leadership");
          std::fflush(nullptr);
          std::_Exit(1);
        }
        controllerStop = true;
        if (ctl.joinable()) ctl.join();
      });
  return 0;
}

// The Lease settings from the flags, or the reason they are invalid (client-go's rules).
std::string leaderOptions(const Flags& f, kube::LeaderOptions& lo) {
  lo.namespace_ = f.leNamespace;
  lo.name = f.leName;
  lo.identity = f.identity;
  lo.leaseDuration = std::chrono::milliseconds(static_cast<long long>(f.leaseDuration * 1000));
  lo.renewDeadline = std::chrono::milliseconds(static_cast<long long>(f.renewDeadline * 1000));
  lo.retryPeriod = std::chrono::milliseconds(static_cast<long long>(f.retryPeriod * 1000));
  return kube::LeaderElector::validate(lo);
}

}  // namespace

int main(int argc, char** argv) {
  limitMallocArenas();
  CLI::App app{
      "shop-operator keeps every ShopApp's Kubernetes objects equal to what `shopctl render` prints.\n\n"
      "Examples:\n"
      "  shop-operator                                   # in a cluster: service-account credentials\n"
      "  shop-operator --kubeconfig ~/.kube/config --leader-elect=false --log-format text\n",
      "shop-operator"};
  app.set_version_flag("--version", "shop-operator " SHOPCTL_VERSION, "Print the version and exit");
  Flags f;
  addFlags(app, f);
  CLI11_PARSE(app, argc, argv);
  setUpProcess(f);

  auto cfg = kube::loadConfig(f.kubeconfig, f.context);
  if (!cfg.config) {
    kube::error("cannot configure the API client", {{"error", cfg.error}});
    return 2;
  }
  if (f.identity.empty()) f.identity = hostname() + "_" + randomSuffix();
  if (f.leNamespace.empty()) f.leNamespace = cfg.config->namespace_;

  shop::op::Metrics metrics;
  describeMetrics(metrics);
  // Leader election, checked before any request. The Lease has a transport of its own: its
  // requests bypass the write guard (they are how leadership is kept) and do not queue behind
  // the controller's in the client-side rate limit.
  std::unique_ptr<kube::Client> leaseClient;
  std::unique_ptr<kube::LeaderElector> elector;
  std::function<std::string()> fence;
  if (f.leaderElect) {
    kube::LeaderOptions lo;
    if (auto err = leaderOptions(f, lo); !err.empty()) {
      kube::error("invalid leader election settings", {{"error", err}});
      return 2;
    }
    leaseClient = std::make_unique<kube::Client>(transportFor(*cfg.config, f, metrics));
    elector = std::make_unique<kube::LeaderElector>(*leaseClient, lo);
    // Fencing: every write of the controller (applies, deletes, creates, status, Events) is
    // refused unsent unless the Lease was renewed within the renew deadline.
    fence = [e = elector.get()] { return e->fence().refusal(); };
  }
  auto transport = transportFor(*cfg.config, f, metrics, fence);
  kube::info("starting", {{"version", SHOPCTL_VERSION}, {"server", cfg.config->server}, {"identity", f.identity},
                          {"namespace", f.watchNs.empty() ? "(all)" : f.watchNs}, {"leaderElect", f.leaderElect}});

  shop::op::ControllerOptions copts;
  copts.watchNamespace = f.watchNs;
  copts.workers = f.workers;
  copts.identity = f.identity;
  copts.resync = std::chrono::seconds(f.resync);
  copts.statusInterval = std::chrono::milliseconds(static_cast<long>(f.statusInterval * 1000));
  copts.packCache = f.cacheFormat == "packed";
  auto controller = std::make_unique<shop::op::Controller>(transport, metrics, copts);
  std::atomic<bool> leading{!f.leaderElect};

  Endpoints endpoints(metrics, f.leName, leading, *controller);
  const bool ok = f.metricsAddr == f.probeAddr
                      ? endpoints.serve(f.metricsAddr, true)
                      : endpoints.serve(f.metricsAddr, true) && endpoints.serve(f.probeAddr, false);
  int code = 3;
  if (ok && elector) {
    code = runElected(*elector, *controller, leading);
  } else if (ok) {
    controller->run(gStop);
    code = 0;
  }
  endpoints.stop();
  kube::info("stopped", {{"exitCode", code}});
  return code;
}
