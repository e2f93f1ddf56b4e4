// Defaulting: what the user left out.
#include "core/model/parse_detail.hpp"


namespace shop::parse_detail {

namespace {

void defaultResources(Resources& r, const char* cpuReq, const char* memReq, const char* cpuLim,
                      const char* memLim) {
  if (!r.requests.cpu) r.requests.cpu = cpuReq;
  if (!r.requests.memory) r.requests.memory = memReq;
  if (!r.limits.cpu) r.limits.cpu = cpuLim;
  if (!r.limits.memory) r.limits.memory = r.requests.memory && !r.limits.memory ? memLim : memLim;
  if (!r.requests.ephemeralStorage) r.requests.ephemeralStorage = "64Mi";
  if (!r.limits.ephemeralStorage) r.limits.ephemeralStorage = "1Gi";
}

}  // namespace

void applyDefaults(ShopApp& app) {
  for (auto& s : app.services) defaultResources(s.resources, "100m", "128Mi", "500m", "512Mi");
  for (auto* stores : {&app.databases, &app.messaging})
    for (auto& d : *stores) {
      const bool jvm = d.engine == Engine::Kafka;
      defaultResources(d.resources, jvm ? "500m" : "250m", jvm ? "1Gi" : "256Mi", jvm ? "2" : "1", jvm ? "2Gi" : "1Gi");
    }
}

}  // namespace shop::parse_detail
