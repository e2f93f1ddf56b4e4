// Prometheus: pod annotations are added by the workload steps; ServiceMonitors here.
#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

void renderMonitoring(const ShopApp& app, Out& out) {
  if (app.monitoring.prometheus != "serviceMonitor") return;
  for (const auto& s : app.services) {
    if (!s.scrape.enabled || s.ports.empty()) continue;
    std::string port = s.ports[0].name;
    if (s.scrape.port)
      for (const auto& p : s.ports)
        if (p.name == *s.scrape.port || std::to_string(p.port) == *s.scrape.port) port = p.name;
    Json sm = object("monitoring.coreos.com/v1", "ServiceMonitor", s.name, app.namespace_,
                     componentLabels(app, s.name, "service"));
    sm["spec"] = {{"selector", {{"matchLabels", selectorLabels(app, s.name)}}},
                  {"endpoints", Json::array({{{"port", port}, {"path", s.scrape.path}, {"interval", app.monitoring.interval}}})}};
    out.add(sm);
  }
}

}  // namespace shop::steps
