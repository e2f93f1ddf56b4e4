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
  // Apply order: by kind, then by name. Stable, so the output never depends on map order. The
  // keys are read once per object and sorted, then the objects are moved into that order.
  struct Key {
    int rank;
    const std::string* name;
    size_t at;
  };
  std::vector<Key> keys;
  keys.reserve(result.objects.size());
  for (size_t i = 0; i < result.objects.size(); ++i) {
    const Json& o = result.objects[i];
    keys.push_back({kindRank(o["kind"].get_ref<const std::string&>()),
                    &o["metadata"]["name"].get_ref<const std::string&>(), i});
  }
  std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.rank != b.rank ? a.rank < b.rank : *a.name < *b.name;
  });
  std::vector<Json> sorted;
  sorted.reserve(keys.size());
  for (const Key& k : keys) sorted.push_back(std::move(result.objects[k.at]));
  result.objects = std::move(sorted);
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
