// The app's Namespace, with its Pod Security level and mesh injection.
#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

void renderNamespace(const ShopApp& app, Out& out) {
  // Only labels every app in the namespace agrees on: two ShopApps sharing a namespace must
  // not fight over a label value.
  Json labels = Json::object();
  labels["app.kubernetes.io/managed-by"] = kManagedBy;
  labels["kubernetes.io/metadata.name"] = app.namespace_;
  const std::string& level = app.security.podSecurity;
  labels["pod-security.kubernetes.io/enforce"] = level;
  labels["pod-security.kubernetes.io/enforce-version"] = "latest";
  // Warn and audit at "restricted" even when enforcing less, so drift shows up.
  labels["pod-security.kubernetes.io/warn"] = "restricted";
  labels["pod-security.kubernetes.io/warn-version"] = "latest";
  labels["pod-security.kubernetes.io/audit"] = "restricted";
  labels["pod-security.kubernetes.io/audit-version"] = "latest";
  if (app.mesh.enabled) labels["istio-injection"] = "enabled";
  out.add(object("v1", "Namespace", app.namespace_, "", labels));
}

}  // namespace shop::steps
