#include "kube/transport.hpp"
#include "kube/watch.hpp"

#include <sys/mman.h>
#include <unistd.h>
#include <csignal>
#include <mutex>
#include <random>
#include <thread>

#include "kube/log.hpp"

namespace kube {

// ---- rate limit -----------------------------------------------------------------------

RateLimiter::RateLimiter(double qps, int burst)
    : qps_(qps), burst_(burst > 0 ? burst : 1), tokens_(burst_), last_(std::chrono::steady_clock::now()) {}

void RateLimiter::wait() {
  if (qps_ <= 0) return;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
    last_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return;
    }
    auto need = std::chrono::duration<double>((1 - tokens_) / qps_);
    lock.unlock();
    std::this_thread::sleep_for(need);
    lock.lock();
  }
}

void StreamHandle::stop() {
  stopped_ = true;
  std::lock_guard<std::mutex> l(mu_);
  if (conn_) conn_->stop();
}

// ---- helpers ---------------------------------------------------------------------------

std::string urlEncode(const std::string& s) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string pathTemplate(const std::string& full) {
  // Metric labels must not carry names: keep the shape of the path only.
  const std::string path = full.substr(0, full.find('?'));
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) return path;
  size_t resource = parts[0] == "api" ? 2 : 3;  // api/v1/<r> or apis/<g>/<v>/<r>
  if (parts.size() > resource + 2 && parts[resource] == "namespaces") {
    parts[resource + 1] = "{ns}";
    resource += 2;
  }
  if (parts.size() > resource + 1) parts[resource + 1] = "{name}";
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out;
}

namespace {

// The kubeconfig's CA bundle as a file only this process can name (/proc/self/fd/N), for
// cpp-httplib's CA path. Given a CA store instead, cpp-httplib also loads the system's default
// verify paths into it: every public CA on the machine (~140 certificates, ~1 MiB of OpenSSL
// objects per connection) would then be trusted to speak for the API server.
int caFile(const std::string& pem) {
  int fd = ::memfd_create("shopctl-kube-ca", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  return fd;
}

std::chrono::milliseconds jitter(std::chrono::milliseconds base) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> d(1.0, 2.0);
  return std::chrono::milliseconds(static_cast<long long>(base.count() * d(rng)));
}

}  // namespace

struct Transport::Pooled {
  std::unique_ptr<https::Connection> client;
  std::string credKey;  // which credentials it was built with
};

Transport::Transport(Config cfg, TransportOptions opts)
    : cfg_(std::move(cfg)), opts_(std::move(opts)), creds_(cfg_), limiter_(opts_.qps, opts_.burst) {
  // A keep-alive connection the server has closed (an API server restart) raises SIGPIPE on the
  // next TLS write, and OpenSSL cannot ask for MSG_NOSIGNAL: without this, any program using
  // the client (shopctl, the operator) would die instead of seeing a retryable error.
  static std::once_flag ignorePipe;
  std::call_once(ignorePipe, [] { ::signal(SIGPIPE, SIG_IGN); });
  caFd_ = caFile(cfg_.caPem);
  std::string rest = cfg_.server.substr(8);  // after https://
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest[0] == '[') {  // [ipv6]:port
    size_t close = rest.find(']');
    host_ = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port_ = std::stoi(rest.substr(close + 2));
  } else {
    size_t colon = rest.rfind(':');
    host_ = rest.substr(0, colon);
    if (colon != std::string::npos) port_ = std::stoi(rest.substr(colon + 1));
  }
}

Transport::~Transport() {
  if (caFd_ >= 0) ::close(caFd_);
}

// Only after https::module() answered (request() and stream() ask first).
std::unique_ptr<Transport::Pooled> Transport::connect() {
  auto cur = creds_.get();
  auto p = std::make_unique<Pooled>();
  p->credKey = cur.certPem + "|" + cur.keyPem;
  https::Endpoint at{host_, port_, cur.certPem, cur.keyPem,
                     // Only the kubeconfig's CA. Without the file (memfd refused), a path that
                     // cannot exist: no certificate loads, so the handshake fails, which is safe.
                     caFd_ >= 0 ? "/proc/self/fd/" + std::to_string(caFd_) : "/nonexistent/shopctl-kube-ca"};
  p->client = https::module(nullptr)->connect(at);
  arm(*p->client, std::chrono::steady_clock::time_point::max());
  return p;
}

void Transport::arm(https::Connection& c, std::chrono::steady_clock::time_point deadline) {
  using std::chrono::milliseconds;
  milliseconds connect = opts_.connectTimeout, io = opts_.timeout;
  if (deadline != std::chrono::steady_clock::time_point::max()) {
    // At least 1 ms: a timeout of 0 would not wait at all.
    const auto left = std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(
                                                    deadline - std::chrono::steady_clock::now()));
    connect = std::min(connect, left);
    io = std::min(io, left);
  }
  c.timeouts(connect, io, io);
}

std::unique_ptr<Transport::Pooled> Transport::acquire() {
  auto cur = creds_.get();
  const std::string key = cur.certPem + "|" + cur.keyPem;
  {
    std::lock_guard<std::mutex> l(poolMu_);
    while (!pool_.empty()) {
      auto p = std::move(pool_.back());
      pool_.pop_back();
      if (p->credKey == key) return p;
    }
  }
  return connect();
}

void Transport::release(std::unique_ptr<Pooled> c) {
  std::lock_guard<std::mutex> l(poolMu_);
  if (pool_.size() < 8) pool_.push_back(std::move(c));
}

https::Headers Transport::headers() {
  https::Headers h = {{"User-Agent", opts_.userAgent}, {"Accept", "application/json"}};
  auto cur = creds_.get();
  if (!cur.token.empty()) h.emplace_back("Authorization", "Bearer " + cur.token);
  return h;
}

Response Transport::request(const std::string& method, const std::string& path, const std::string& body,
                            const std::string& contentType, bool idempotent) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = opts_.requestTimeout.count() > 0 ? Clock::now() + opts_.requestTimeout : Clock::time_point::max();
  const auto timedOut = [&](Response& r) {
    r.timedOut = true;
    r.error = "no answer within the request timeout (" + std::to_string(opts_.requestTimeout.count()) + "ms)";
  };
  Response res;
  if (opts_.dryRunOnly && method != "GET") {
    const auto q = path.find('?');
    if (q == std::string::npos || path.find("dryRun=All", q) == std::string::npos) {
      res.fenced = true;
      res.error = "not sent: " + method + " " + pathTemplate(path) + " is not a dry run, and this client sends only dry runs";
      warn("write not sent", {{"method", method}, {"path", pathTemplate(path)}, {"reason", "dry run only"}});
      return res;
    }
  }
  if (std::string why; !https::module(&why)) {
    res.error = why;
    return res;
  }
  bool reauthed = false;
  for (int attempt = 0;; ++attempt) {
    limiter_.wait();
    auto started = Clock::now();
    if (started >= deadline) {  // the rate limit's wait used up the time left
      if (res.status == 0) timedOut(res);
      return res;
    }
    auto c = acquire();
    // Last thing before each attempt: a write that waited (for a token, a Retry-After, a
    // connection) while this process lost the lease is not sent.
    if (method != "GET" && opts_.writeGuard) {
      if (std::string why = opts_.writeGuard(); !why.empty()) {
        release(std::move(c));
        Response refused;
        refused.error = why;
        refused.fenced = true;
        warn("write not sent", {{"method", method}, {"path", pathTemplate(path)}, {"reason", why}});
        return refused;
      }
    }
    const bool reused = c->client->open();
    auto sendOnce = [&](https::Connection& cl) {
      arm(cl, deadline);
      const auto t0 = Clock::now();
      https::Reply got = cl.send(method, path, headers(), body, contentType);
      Response r;
      r.status = got.status;
      r.body = std::move(got.body);
      r.error = std::move(got.error);
      r.retryAfter = std::move(got.retryAfter);
      r.writeFailed = got.writeFailed;
      // No answer by the deadline: the attempt ran out of the request timeout (its timeouts were
      // cut to it), whatever httplib calls the error (Read, Connection, SSLConnection...).
      if (r.status == 0 && deadline != Clock::time_point::max() && Clock::now() + std::chrono::milliseconds(20) >= deadline)
        timedOut(r);
      if (opts_.onExchange) {
        Exchange x{method, "https://" + (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" +
                               std::to_string(port_) + path,
                   body, contentType, r.status, r.body, r.error,
                   std::chrono::duration<double>(Clock::now() - t0).count()};
        opts_.onExchange(x);
      }
      return r;
    };
    res = sendOnce(*c->client);
    if (res.status == 0 && res.writeFailed && reused && !res.timedOut) {
      // A kept-alive connection the server closed meanwhile: the request never left, so it is
      // safe to send it once more, on a new connection, whatever its method.
      c = connect();
      res = sendOnce(*c->client);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - started).count();
    if (opts_.onRequest) opts_.onRequest(method, pathTemplate(path), res.status, secs);
    if (res.status != 0) release(std::move(c));  // a broken connection is not reused
    if (res.status == 401 && !reauthed) {
      reauthed = true;
      creds_.invalidate();  // bound service-account tokens rotate; read them again
      continue;
    }
    // A 500 is retried too, Retry-After or not: an API server answers it for a passing fault
    // (etcd leader change, a webhook timing out); a reconcile that failed whole on one would
    // redo every apply. What keeps failing comes back after maxRetries, with its message.
    const bool transient = res.status == 0 || res.status == 429 || res.status == 500 || res.status == 502 ||
                           res.status == 503 || res.status == 504;
    if (!transient || attempt >= opts_.maxRetries || res.timedOut) return res;
    // A request that was sent but not answered may have been applied: only idempotent
    // requests (and any request the server explicitly asks to retry) are sent again.
    if (!idempotent && res.status != 429 && res.status != 503) return res;
    std::chrono::milliseconds wait = jitter(std::chrono::milliseconds(200 << attempt));
    if (!res.retryAfter.empty() && std::all_of(res.retryAfter.begin(), res.retryAfter.end(), ::isdigit))
      wait = std::chrono::milliseconds(std::min(30, std::stoi(res.retryAfter)) * 1000);
    // A retry that could not start before the deadline is not waited for: the last answer stands.
    if (deadline != Clock::time_point::max() && Clock::now() + wait >= deadline) return res;
    debug("retrying request", {{"method", method}, {"path", pathTemplate(path)}, {"status", res.status},
                               {"error", res.error}, {"waitMs", wait.count()}});
    std::this_thread::sleep_for(wait);
  }
}

Response Transport::stream(const std::string& path, const std::function<bool(std::string_view)>& onLine,
                           std::chrono::seconds idleTimeout, StreamHandle* handle) {
  if (std::string why; !https::module(&why)) return Response{0, "", why, ""};
  limiter_.wait();
  auto p = connect();
  p->client->timeouts(opts_.connectTimeout, idleTimeout, opts_.timeout);
  p->client->keepAlive(false);
  if (handle) {
    std::lock_guard<std::mutex> l(handle->mu_);
    if (handle->stopped_) return Response{0, "", "stopped", ""};
    handle->conn_ = p->client.get();
  }
  Response out;
  LineFramer lines;
  auto started = std::chrono::steady_clock::now();
  https::Reply r = p->client->stream(
      path, headers(),
      [&](int status) {
        out.status = status;
        return true;
      },
      [&](const char* data, size_t len) {
        if (out.status != 200) {
          out.body.append(data, len);
          return true;
        }
        return lines.feed(data, len, onLine);
      });
  if (handle) {
    std::lock_guard<std::mutex> l(handle->mu_);
    handle->conn_ = nullptr;
  }
  if (out.status == 0) out.error = std::move(r.error);
  if (out.status == 401) creds_.invalidate();
  if (opts_.onRequest)
    opts_.onRequest("WATCH", pathTemplate(path), out.status,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return out;
}

}  // namespace kube
