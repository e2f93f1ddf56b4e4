#include "kube/discovery.hpp"

namespace kube {

std::optional<bool> Discovery::lookup(const Resource& r, int maxAgeSeconds) {
  const std::string gv = r.apiVersion();
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = cache_.find(gv);
    if (it != cache_.end() && now - it->second.at < std::chrono::seconds(maxAgeSeconds))
      return it->second.present && it->second.plurals.count(r.plural);
  }
  Result res = client_.raw(r.group.empty() ? "/api/" + r.version : "/apis/" + gv);
  Entry e;
  e.at = now;
  if (res.ok()) {
    e.present = true;
    for (const auto& item : res.body.value("resources", Json::array())) e.plurals[item.value("name", "")] = true;
  } else if (res.code != 404) {
    // Unknown (server unreachable): keep what we knew rather than flapping.
    std::lock_guard<std::mutex> l(mu_);
    auto it = cache_.find(gv);
    if (it != cache_.end()) return it->second.present && it->second.plurals.count(r.plural);
    return std::nullopt;
  }
  std::lock_guard<std::mutex> l(mu_);
  cache_[gv] = e;
  return e.present && e.plurals.count(r.plural);
}

void Discovery::invalidate() {
  std::lock_guard<std::mutex> l(mu_);
  cache_.clear();
}

}  // namespace kube
