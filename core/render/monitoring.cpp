// Prometheus: pod annotations are added by the workload steps; ServiceMonitors here.
#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

void renderMonitoring(const ShopApp& app, Out& out) {
  if (app.monitoring.prometheus != "serviceMonitor") return;
  for (const auto& s : app.services) {
    if (!s.scrape.enabled || s.ports.empty()) continue;
    // Scrape the container port metrics.port names: by the Service port's name when the
    // Service has one for it, else by the container port number itself.
    const int target = s.scrapeContainerPort();
    Json endpoint = Json::object();
    for (const auto& p : s.ports)
      if (p.targetPort == target && !endpoint.contains("port")) endpoint["port"] = p.name;
    if (!endpoint.contains("port")) endpoint["targetPort"] = target;
    endpoint["path"] = s.scrape.path;
    endpoint["interval"] = app.monitoring.interval;
    Json sm = object("monitoring.coreos.com/v1", "ServiceMonitor", s.name, app.namespace_,
                     componentLabels(app, s.name, "service"));
    sm["spec"] = {{"selector", {{"matchLabels", selectorLabels(app, s.name)}}}, {"endpoints", Json::array({endpoint})}};
    out.add(sm);
  }
}

}  // namespace shop::steps
