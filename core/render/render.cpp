#include "core/render/render.hpp"

#include <algorithm>

#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop {

int kindRank(const std::string& kind) {
  static const std::vector<std::string> order = {
      "Namespace", "ServiceAccount", "Secret", "ConfigMap", "Role", "RoleBinding", "PersistentVolumeClaim",
      "Service", "Deployment", "StatefulSet", "HorizontalPodAutoscaler", "PodDisruptionBudget",
      "NetworkPolicy", "PeerAuthentication", "AuthorizationPolicy", "DestinationRule", "Gateway",
      "VirtualService", "Ingress", "ServiceMonitor"};
  auto it = std::find(order.begin(), order.end(), kind);
  return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

RenderResult render(const ShopApp& app) {
  RenderResult result;
  steps::Out out{result.objects, result.secrets};
  steps::renderNamespace(app, out);
  for (const auto& d : app.databases) steps::renderDataStore(app, d, out);
  for (const auto& d : app.messaging) steps::renderDataStore(app, d, out);
  for (const auto& s : app.services) {
    steps::renderService(app, s, out);
    steps::renderAutoscaling(app, s, out);
  }
  steps::renderNetworkPolicies(app, out);
  steps::renderMesh(app, out);
  steps::renderGateway(app, out);
  steps::renderMonitoring(app, out);
  // Apply order: by kind, then by name. Stable, so the output never depends on map order.
  std::stable_sort(result.objects.begin(), result.objects.end(), [](const Json& a, const Json& b) {
    const int ra = kindRank(a["kind"].get<std::string>()), rb = kindRank(b["kind"].get<std::string>());
    if (ra != rb) return ra < rb;
    return a["metadata"]["name"].get<std::string>() < b["metadata"]["name"].get<std::string>();
  });
  std::sort(result.secrets.begin(), result.secrets.end(),
            [](const SecretSpec& a, const SecretSpec& b) { return a.name < b.name; });
  return result;
}

Json secretObject(const ShopApp& app, const SecretSpec& spec,
                  const std::vector<std::pair<std::string, std::string>>& values) {
  Json s = object("v1", "Secret", spec.name, app.namespace_, componentLabels(app, spec.owner, "credentials"));
  s["type"] = "Opaque";
  Json data = Json::object();
  for (const auto& [k, v] : values) data[k] = v;
  s["stringData"] = data;
  return s;
}

}  // namespace shop
