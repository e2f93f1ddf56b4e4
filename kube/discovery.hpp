#pragma once
// Which API groups and resources the server has. Rechecked on demand, so an operator can
// notice CRDs (Istio's, say) being installed or removed while it runs.
#include <map>
#include <mutex>
#include <string>

#include "kube/client.hpp"

namespace kube {

class Discovery {
 public:
  explicit Discovery(std::shared_ptr<Transport> t) : client_(std::move(t)) {}
  // True when group/version serves the resource's plural. Results are cached for maxAgeSeconds.
  bool has(const Resource& r, int maxAgeSeconds = 30);
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
