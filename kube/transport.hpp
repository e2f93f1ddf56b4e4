#pragma once
// HTTPS to the API server: verified TLS (always), client certificates or bearer tokens,
// keep-alive connections reused from a pool, a client-side rate limit that can be set or
// disabled, retries of idempotent requests on connection errors and on 429/5xx (honouring
// Retry-After), and a fresh read of rotating credentials after a 401.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kube/config.hpp"
#include "kube/https.hpp"

namespace kube {

// Response::error of the two transport failures a caller tells apart (the others are worded too,
// for people: "TLS handshake failed ...", "connection lost while reading the answer").
inline constexpr const char* kErrConnectionRefused = "connection refused or host unreachable";
inline constexpr const char* kErrConnectionTimedOut = "connection timed out";

struct Response {
  int status = 0;           // HTTP status; 0 when the request never got an answer
  std::string body;
  std::string error;        // transport error, when status is 0
  std::string retryAfter;   // Retry-After header, if any
  bool writeFailed = false; // the request could not be sent (nothing reached the server)
  bool fenced = false;      // refused by TransportOptions::writeGuard: never sent
  bool timedOut = false;    // no answer within TransportOptions::requestTimeout (error says so)
  bool ok() const { return status >= 200 && status < 300; }
};

// One attempt of a request as sent and answered, for request logs (TransportOptions::onExchange).
struct Exchange {
  std::string method;
  std::string url;          // https://host:port/path?query
  std::string requestBody;
  std::string contentType;  // of the request body
  int status = 0;           // 0: no answer (error says why)
  std::string responseBody;
  std::string error;
  double seconds = 0;
};

struct TransportOptions {
  double qps = 0;          // client-side limit; <= 0 disables it (API Priority and Fairness governs)
  int burst = 100;
  std::chrono::milliseconds timeout{30000};  // each wait to send or receive data
  std::chrono::milliseconds connectTimeout{10000};
  // The most one request may take, connecting, retries and waits between them included (0: no
  // such limit, only the timeouts above). The timeouts of each attempt are cut to what is left;
  // an attempt that runs out of it is answered with status 0 and `timedOut`.
  std::chrono::milliseconds requestTimeout{0};
  int maxRetries = 4;
  std::string userAgent = "shopctl";
  // Called after every request: verb, resource path template, HTTP code (0 on errors), seconds.
  std::function<void(const std::string&, const std::string&, int, double)> onRequest;
  // Called after every attempt of request() with what was sent and received (shopctl -v).
  std::function<void(const Exchange&)> onExchange;
  // Asked right before every attempt to send a write (any method but GET, retries included):
  // "" lets it go; anything else is why not, and the request is not sent but answered with
  // status 0, that error and `fenced`. The operator's leader fence (kube/leader.hpp); the
  // Lease's own requests go through a transport without it.
  std::function<std::string()> writeGuard;
  // Send no write that is not a dry run: a request other than GET without dryRun=All in its
  // query is answered with status 0, `fenced` and an error saying so (shopctl apply --dry-run=server).
  bool dryRunOnly = false;
};

class RateLimiter {
 public:
  RateLimiter(double qps, int burst);
  void wait();  // blocks until a token is available

 private:
  double qps_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
  std::mutex mu_;
};

// Lets another thread abort a running stream().
class StreamHandle {
 public:
  void stop();
  bool stopped() const { return stopped_; }

 private:
  friend class Transport;
  std::mutex mu_;
  https::Connection* conn_ = nullptr;
  std::atomic<bool> stopped_{false};
};

class Transport {
 public:
  Transport(Config cfg, TransportOptions opts = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // method: GET, POST, PUT, PATCH, DELETE. `idempotent` requests are retried.
  Response request(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& contentType = "application/json", bool idempotent = true);

  // A long GET whose body arrives line by line (watches). onLine returns false to stop.
  // Ends when the server closes, nothing arrives for idleTimeout, or handle.stop() is called.
  Response stream(const std::string& path, const std::function<bool(std::string_view)>& onLine,
                  std::chrono::seconds idleTimeout, StreamHandle* handle);

  const Config& config() const { return cfg_; }
  std::string credentialError() { return creds_.error(); }

 private:
  struct Pooled;
  std::unique_ptr<Pooled> acquire();
  void release(std::unique_ptr<Pooled> c);
  std::unique_ptr<Pooled> connect();
  https::Headers headers();
  // Sets the timeouts of a connection for the next attempt: the configured ones, cut to what is
  // left before `deadline` when there is a request timeout.
  void arm(https::Connection& c, std::chrono::steady_clock::time_point deadline);

  Config cfg_;
  TransportOptions opts_;
  Credentials creds_;
  RateLimiter limiter_;
  std::string host_;
  int port_ = 443;
  int caFd_ = -1;  // the kubeconfig's CA bundle, the only one trusted (see connect())
  std::mutex poolMu_;
  std::vector<std::unique_ptr<Pooled>> pool_;
};

// "/apis/apps/v1/namespaces/x/deployments/y?x=1" -> "/apis/apps/v1/namespaces/{ns}/deployments/{name}"
std::string pathTemplate(const std::string& path);
std::string urlEncode(const std::string& s);

}  // namespace kube
