#include "core/apply/intent.hpp"

#include <cmath>

#include "core/model/quantity.hpp"
#include "core/render/meta.hpp"

namespace shop::apply {

double quantityValue(const std::string& q) {
  // The model's hand-written parser: length-bounded, no regex (one over a huge input could
  // exhaust the stack).
  const auto v = parseQuantity(q);
  return v ? *v : -1;
}

static bool scalarEqual(const Json& live, const Json& intent) {
  if (live == intent) return true;
  if (live.is_number() && intent.is_number()) return live.get<double>() == intent.get<double>();
  if (live.is_string() && intent.is_string()) {
    const double a = quantityValue(live.get<std::string>());
    const double b = quantityValue(intent.get<std::string>());
    return a >= 0 && b >= 0 && std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
  }
  // int-or-string fields come back as given, but numbers written as strings compare by value.
  if (live.is_string() && intent.is_number()) return live.get<std::string>() == intent.dump();
  if (live.is_number() && intent.is_string()) return live.dump() == intent.get<std::string>();
  return false;
}

bool liveContains(const Json& live, const Json& intent) {
  if (intent.is_object()) {
    if (!live.is_object()) return intent.empty() && live.is_null();
    for (auto it = intent.begin(); it != intent.end(); ++it) {
      auto l = live.find(it.key());
      if (l == live.end()) {
        // An empty object or list we asked for may be left out by the server.
        if ((it->is_object() || it->is_array()) && it->empty()) continue;
        return false;
      }
      if (!liveContains(*l, *it)) return false;
    }
    return true;
  }
  if (intent.is_array()) {
    if (!live.is_array() || live.size() != intent.size()) return false;
    for (size_t i = 0; i < intent.size(); ++i)
      if (!liveContains(live[i], intent[i])) return false;
    return true;
  }
  return scalarEqual(live, intent);
}

std::string intentHash(const Json& obj) {
  Json copy = obj;
  if (copy.contains("metadata") && copy["metadata"].contains("annotations")) {
    copy["metadata"]["annotations"].erase(kHashAnnotation);
    if (copy["metadata"]["annotations"].empty()) copy["metadata"].erase("annotations");
  }
  return stableHash(copy.dump());
}

Json withOwnership(Json obj, const Json& app, bool owned) {
  auto& meta = obj["metadata"];
  if (owned) {
    meta["ownerReferences"] = Json::array({{{"apiVersion", app.value("apiVersion", "shopctl.io/v1alpha1")},
                                            {"kind", "ShopApp"},
                                            {"name", app["metadata"].value("name", "")},
                                            {"uid", app["metadata"].value("uid", "")},
                                            {"controller", true},
                                            {"blockOwnerDeletion", true}}});
  }
  if (isShared(obj.value("kind", ""))) return obj;
  const std::string h = intentHash(obj);
  meta["annotations"][kHashAnnotation] = h;
  return obj;
}

bool isShared(const std::string& kind) { return kind == "Namespace"; }

std::string sharedFieldManager(const std::string& appName) { return std::string(kFieldManager) + "/" + appName; }

const std::vector<Kind>& baseKinds() {
  static const std::vector<Kind> v = {
      {"v1", "Namespace"},
      {"v1", "ServiceAccount"},
      {"v1", "Secret"},
      {"v1", "ConfigMap"},
      {"v1", "Service"},
      {"v1", "PersistentVolumeClaim"},
      {"apps/v1", "Deployment"},
      {"apps/v1", "StatefulSet"},
      {"autoscaling/v2", "HorizontalPodAutoscaler"},
      {"policy/v1", "PodDisruptionBudget"},
      {"networking.k8s.io/v1", "NetworkPolicy"},
      {"networking.k8s.io/v1", "Ingress"}};
  return v;
}

const std::vector<Kind>& capabilityKinds(Capability c) {
  static const std::vector<Kind> mesh = {{"security.istio.io/v1", "PeerAuthentication"},
                                         {"security.istio.io/v1", "AuthorizationPolicy"},
                                         {"networking.istio.io/v1", "DestinationRule"},
                                         {"networking.istio.io/v1", "VirtualService"},
                                         {"networking.istio.io/v1", "Gateway"}};
  static const std::vector<Kind> monitoring = {{"monitoring.coreos.com/v1", "ServiceMonitor"}};
  static const std::vector<Kind> none;
  switch (c) {
    case Capability::Mesh: return mesh;
    case Capability::Monitoring: return monitoring;
    case Capability::Always: break;
  }
  return none;
}

Capability capabilityOf(const Json& obj) {
  const std::string av = obj.value("apiVersion", "");
  if (av.find("istio.io/") != std::string::npos) return Capability::Mesh;
  if (av.rfind("monitoring.coreos.com/", 0) == 0) return Capability::Monitoring;
  return Capability::Always;
}

bool isOwnedKind(const std::string& kind) { return kind != "Namespace" && kind != "PersistentVolumeClaim"; }

bool isPrunableKind(const std::string& kind) { return isOwnedKind(kind) && kind != "Secret"; }

}  // namespace shop::apply
