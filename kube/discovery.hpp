#pragma once
// Which API groups and resources the server has. Rechecked on demand, so an operator can
// notice CRDs (Istio's, say) being installed or removed while it runs.
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kube/client.hpp"

namespace kube {

class Discovery {
 public:
  explicit Discovery(std::shared_ptr<Transport> t) : client_(std::move(t)) {}
  // True when group/version serves the resource's plural. Results are cached for maxAgeSeconds.
  // An answer the server could not give (unreachable, 5xx) keeps the last known one; with none,
  // has() says false and lookup() says nothing: absence is only what a 404 or a resource list says.
  bool has(const Resource& r, int maxAgeSeconds = 30) { return lookup(r, maxAgeSeconds).value_or(false); }
  std::optional<bool> lookup(const Resource& r, int maxAgeSeconds = 30);
  void invalidate();

 private:
  Client client_;
  std::mutex mu_;
  struct Entry {
    bool present = false;
    std::map<std::string, bool> plurals;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Entry> cache_;  // group/version -> resources
};

}  // namespace kube
