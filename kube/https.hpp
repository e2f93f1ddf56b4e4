#pragma once
// The HTTPS client under kube::Transport (cpp-httplib over OpenSSL), behind an interface that
// names neither. Two ways to get it:
//   - linked in: a program that links the object library shop-https-linked (shop-operator, the
//     tests) has it from the start;
//   - loaded: shopctl does not link it. Its offline commands (render, validate, audit, harden,
//     import, schema...) then never load libssl, libcrypto, cpp-httplib and brotli, whose
//     relocation and static initializers were a third of `shopctl --version`. The first
//     command that reaches a cluster loads the module shop-https.so (the same code, built as a
//     plugin of this build) from beside the executable's installed place.
// The module is this build's: it carries kAbi and the version, and one that does not match is
// refused with a message saying which file and why.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kube::https {

// Bumped whenever anything in this header changes shape.
inline constexpr int kAbi = 1;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = 0;            // HTTP status; 0 when no answer came
  std::string body;
  std::string retryAfter;    // the Retry-After header, if any
  std::string error;         // in words, when status is 0
  bool writeFailed = false;  // the request could not be sent (nothing reached the server)
};

struct Endpoint {
  std::string host;
  int port = 443;
  std::string certPem, keyPem;  // client certificate and key; empty for none
  std::string caPath;           // the only CA bundle trusted (no system defaults are added)
};

// One keep-alive connection. Not thread-safe, except stop().
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds read,
                        std::chrono::milliseconds write) = 0;
  virtual void keepAlive(bool on) = 0;
  virtual bool open() const = 0;  // a socket is open (kept alive from an earlier request)
  virtual Reply send(const std::string& method, const std::string& path, const Headers& headers,
                     const std::string& body, const std::string& contentType) = 0;
  // A GET whose body is handed on as it arrives: onStatus once with the status, then onData for
  // each piece. Either returning false ends it. Reply::body stays empty.
  virtual Reply stream(const std::string& path, const Headers& headers, const std::function<bool(int)>& onStatus,
                       const std::function<bool(const char*, size_t)>& onData) = 0;
  virtual void stop() = 0;  // from another thread: ends a running stream or request
};

struct Module {
  int abi = 0;                  // kAbi of the build that made it
  const char* version = "";     // SHOPCTL_VERSION of that build
  std::unique_ptr<Connection> (*connect)(const Endpoint&) = nullptr;
  // How many PEM certificates `pem` holds, by the parser the connections use.
  int (*pemCertificates)(const std::string& pem) = nullptr;
};

// The module, linked in or loaded on the first call; nullptr, with *why, when it cannot be
// loaded (then every later call answers the same).
const Module* module(std::string* why);

// Where a loading program looks for shop-https.so, in order (for messages and tests).
std::vector<std::string> modulePaths();

}  // namespace kube::https

// Defined only by shop-https-linked (weak reference elsewhere).
extern "C" const kube::https::Module* shop_https_linked_module();
