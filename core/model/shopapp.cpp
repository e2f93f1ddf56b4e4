#include "core/model/shopapp.hpp"

namespace shop {

int Service::scrapeContainerPort() const {
  if (ports.empty()) return 0;
  if (!scrape.port) return ports[0].targetPort;
  for (const auto& p : ports)
    if (p.name == *scrape.port || std::to_string(p.port) == *scrape.port) return p.targetPort;
  for (const auto& p : ports)
    if (std::to_string(p.targetPort) == *scrape.port) return p.targetPort;
  return ports[0].targetPort;  // validation rejects anything else
}

int Service::podCeiling() const {
  if (versions.empty()) return autoscaling.enabled ? autoscaling.max : replicas;
  int n = 0;
  for (const auto& v : versions) n += v.autoscaling.enabled ? v.autoscaling.max : v.replicas;
  return n;
}

const Service* ShopApp::findService(const std::string& n) const {
  for (const auto& s : services)
    if (s.name == n) return &s;
  return nullptr;
}

const DataStore* ShopApp::findStore(const std::string& n) const {
  for (const auto& d : databases)
    if (d.name == n) return &d;
  for (const auto& d : messaging)
    if (d.name == n) return &d;
  return nullptr;
}


}  // namespace shop
