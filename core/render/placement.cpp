// Pod-level pieces every workload shares: placement (spread and anti-affinity), the
// PodDisruptionBudget, the base pod spec and ServiceAccount, scrape annotations, and the
// call-graph lookups (callersOf, roleOf, componentPorts) the network and mesh steps use.
#include "core/render/hardening.hpp"
#include "core/render/meta.hpp"
#include "core/render/security.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

void addPlacement(const ShopApp& app, const std::string& component, int maxPods, Json& podSpec) {
  if (maxPods < 2) return;
  const Json selector = selectorLabels(app, component);
  podSpec["topologySpreadConstraints"] = spreadConstraints(selector);
  podSpec["affinity"] = {{"podAntiAffinity", preferredHostAntiAffinity(selector)}};
}

Json disruptionBudget(const ShopApp& app, const std::string& component, const std::string& role,
                      const Json& budget) {
  Json pdb = object("policy/v1", "PodDisruptionBudget", component, app.namespace_,
                    componentLabels(app, component, role));
  pdb["spec"] = disruptionBudgetSpec(selectorLabels(app, component), budget);
  return pdb;
}

Json basePodSpec(const ShopApp& app, const std::string& component, const SecurityOverrides& security,
                 const std::string& priorityClassName, int terminationGracePeriodSeconds, const Placement& placement) {
  Json pod = Json::object();
  pod["serviceAccountName"] = app.security.serviceAccounts ? component : "default";
  pod["automountServiceAccountToken"] = false;
  pod["enableServiceLinks"] = false;
  pod["securityContext"] = podSecurityContext(security.runAsUser.value_or(app.security.runAsUser),
                                              security.runAsGroup.value_or(app.security.runAsGroup),
                                              security.fsGroup.value_or(app.security.fsGroup));
  if (!app.security.imagePullSecrets.empty()) {
    Json secrets = Json::array();
    for (const auto& n : app.security.imagePullSecrets) secrets.push_back({{"name", n}});
    pod["imagePullSecrets"] = secrets;
  }
  if (!priorityClassName.empty()) pod["priorityClassName"] = priorityClassName;
  pod["terminationGracePeriodSeconds"] = terminationGracePeriodSeconds;
  pod["nodeSelector"] = {{"kubernetes.io/os", "linux"}};
  for (const auto& [k, v] : placement.nodeSelector) pod["nodeSelector"][k] = v;
  if (!placement.tolerations.empty()) {
    Json tolerations = Json::array();
    for (const auto& t : placement.tolerations) {
      Json o = Json::object();
      if (!t.key.empty()) o["key"] = t.key;
      o["operator"] = t.op;
      if (!t.value.empty()) o["value"] = t.value;
      if (!t.effect.empty()) o["effect"] = t.effect;
      if (t.seconds) o["tolerationSeconds"] = *t.seconds;
      tolerations.push_back(o);
    }
    pod["tolerations"] = tolerations;
  }
  return pod;
}

std::string versionLabel(const std::string& image) {
  const std::string tag = imageTag(image);
  return tag.empty() ? "unversioned" : tag.substr(0, 63);
}

Json serviceAccount(const ShopApp& app, const std::string& component, const std::string& role) {
  Json sa = object("v1", "ServiceAccount", component, app.namespace_, componentLabels(app, component, role));
  sa["automountServiceAccountToken"] = false;
  return sa;
}

void addScrapeAnnotations(const ShopApp& app, int port, const std::string& path, Json& annotations) {
  if (app.monitoring.prometheus != "annotations") return;
  annotations["prometheus.io/scrape"] = "true";
  annotations["prometheus.io/port"] = std::to_string(port);
  annotations["prometheus.io/path"] = path;
}

std::vector<const Service*> callersOf(const ShopApp& app, const std::string& component) {
  std::vector<const Service*> out;
  for (const auto& s : app.services)
    for (const auto& d : s.dependsOn)
      if (d == component) {
        out.push_back(&s);
        break;
      }
  return out;
}

std::string roleOf(const ShopApp& app, const std::string& component) {
  if (app.findService(component)) return "service";
  const DataStore* d = app.findStore(component);
  return d && d->isBroker() ? "broker" : "database";
}

std::vector<int> componentPorts(const ShopApp& app, const std::string& component) {
  std::vector<int> ports;
  if (const Service* s = app.findService(component)) {
    for (const auto& p : s->ports) ports.push_back(p.targetPort);
  } else if (const DataStore* d = app.findStore(component)) {
    ports.push_back(d->port);
  }
  return ports;
}

const std::vector<EgressRule>& ingressOf(const ShopApp& app, const std::string& component) {
  static const std::vector<EgressRule> none;
  if (const Service* s = app.findService(component)) return s->ingress;
  if (const DataStore* d = app.findStore(component)) return d->ingress;
  return none;
}

}  // namespace shop::steps
