#include "core/audit/rule.hpp"

#include <algorithm>
#include <cctype>
#include "core/util/match.hpp"

#include "core/audit/rules_util.hpp"

namespace shop::audit {

const char* levelName(Level l) {
  switch (l) {
    case Level::Critical: return "critical";
    case Level::High: return "high";
    case Level::Medium: return "medium";
    case Level::Low: return "low";
    case Level::Info: return "info";
  }
  return "info";
}

bool parseLevel(const std::string& s, Level& out) {
  for (Level l : kAllLevels) {
    if (s == levelName(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

static bool listHas(const std::string& list, const std::string& id) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item == id || item == "all") return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

bool ignoredOn(const Inventory& inv, size_t object, const std::string& ruleId) {
  const Json& o = inv.object(object);
  if (listHas(str(field(fieldAt(o, "metadata.annotations"), kIgnoreAnnotation)), ruleId)) return true;
  std::string tpl = podSpecPathFor(kindOf(o));
  if (!tpl.empty() && tpl != "spec") {
    tpl = tpl.substr(0, tpl.size() - 5);
    if (listHas(str(field(fieldAt(o, tpl + ".metadata.annotations"), kIgnoreAnnotation)), ruleId)) return true;
  }
  return false;
}

void Results::pass(size_t object) {
  if (!ignoredOn(inv_, object, id_)) ++checked_;
}

void Results::fail(size_t object, std::string path, std::string message) {
  if (ignoredOn(inv_, object, id_)) {
    ++suppressed_;
    return;
  }
  ++checked_;
  Finding f;
  f.ruleId = id_;
  f.level = level_;
  f.object = object;
  f.path = std::move(path);
  f.message = std::move(message);
  findings_.push_back(std::move(f));
}

const std::vector<Rule>& ruleCatalog() {
  static const std::vector<Rule> catalog = [] {
    std::vector<Rule> all;
    for (auto family : {probeRules, resourceRules, securityRules, imageRules, availabilityRules, dataRules, secretRules,
                        exposureRules, deprecationRules, networkRules, meshRules, serviceAccountRules}) {
      auto rules = family();
      all.insert(all.end(), std::make_move_iterator(rules.begin()), std::make_move_iterator(rules.end()));
    }
    return all;
  }();
  return catalog;
}

const Rule* findRule(const std::string& id) {
  for (const auto& r : ruleCatalog())
    if (r.id == id) return &r;
  return nullptr;
}

// ---- helpers shared by the rules and harden ------------------------------------------------

void failEach(Results& res, size_t object, const Verdict& v) {
  if (!v.checked) return;
  if (v.failures.empty()) res.pass(object);
  for (const auto& [path, message] : v.failures) res.fail(object, path, message);
}

Check failEachContainer(bool withInit,
                        std::function<Verdict(const Inventory&, const Workload&, const ContainerRef&, const Json&)> judge) {
  return [withInit, judge = std::move(judge)](const Inventory& inv, Results& res) {
    eachContainer(inv, withInit, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      failEach(res, w.object, judge(inv, w, c, ctr));
    });
  };
}

Check failEachWorkload(std::function<Verdict(const Inventory&, const Workload&)> judge) {
  return [judge = std::move(judge)](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) failEach(res, w.object, judge(inv, w));
  };
}

std::string cname(const ContainerRef& c) {
  return std::string(c.init ? "init container \"" : "container \"") + c.name + "\"";
}

bool scalable(const Workload& w) {
  return w.kind == "Deployment" || w.kind == "StatefulSet" || w.kind == "ReplicaSet" || w.kind == "ReplicationController";
}

const Json& containerJson(const Inventory& inv, const Workload& w, const ContainerRef& c) {
  return field(inv.podSpec(w), c.init ? "initContainers" : "containers")[c.index];
}

const Json& effectiveSecurity(const Inventory& inv, const Workload& w, const Json& container, const std::string& key) {
  const Json& own = fieldAt(container, "securityContext." + key);
  if (!own.is_null()) return own;
  return fieldAt(inv.podSpec(w), "securityContext." + key);
}

static std::string upper(const std::string& s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool sensitiveName(const std::string& name) {
  std::string n = upper(name);
  for (const char* suffix : {"_FILE", "_PATH", "_DIR", "_ENABLED", "_REF", "_NAME", "_KEY_ID", "_USER", "_USERNAME"})
    if (n.ends_with(suffix)) return false;
  for (const char* k : {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESS_KEY",
                        "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY"})
    if (n.find(k) != std::string::npos) return true;
  return false;
}

bool credentialValue(const std::string& value) {
  // scheme://user:password@host, user:password@tcp(host) (Go MySQL DSN), PEM private keys.
  if (value.find("PRIVATE KEY-----") != std::string::npos) return true;
  return match::containsUrlPassword(value) || match::containsDsnPassword(value);
}

bool plaintextCredentialEnv(const Json& env) {
  const Json& v = field(env, "value");
  if (!v.is_string()) return false;
  std::string value = v.get<std::string>();
  if (value.empty() || value == "true" || value == "false" || value.starts_with("$(")) return false;
  return sensitiveName(str(field(env, "name"))) || credentialValue(value);
}

bool probesIdentical(const Json& a, const Json& b) {
  if (field(a, "httpGet").is_object() && field(b, "httpGet").is_object())
    return fieldAt(a, "httpGet.path") == fieldAt(b, "httpGet.path") && fieldAt(a, "httpGet.port") == fieldAt(b, "httpGet.port");
  if (field(a, "tcpSocket").is_object() && field(b, "tcpSocket").is_object())
    return fieldAt(a, "tcpSocket.port") == fieldAt(b, "tcpSocket.port");
  if (field(a, "exec").is_object() && field(b, "exec").is_object())
    return fieldAt(a, "exec.command") == fieldAt(b, "exec.command");
  if (field(a, "grpc").is_object() && field(b, "grpc").is_object()) return field(a, "grpc") == field(b, "grpc");
  return false;
}

const LabelRename* deprecatedNodeLabel(const std::string& key) {
  static const std::vector<LabelRename> t = {
      {"beta.kubernetes.io/os", "kubernetes.io/os"},
      {"beta.kubernetes.io/arch", "kubernetes.io/arch"},
      {"beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type"},
      {"failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone"},
      {"failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region"},
  };
  for (const auto& l : t)
    if (key == l.from) return &l;
  return nullptr;
}

const ApiRename* removedApi(const std::string& apiVersion, const std::string& kind) {
  static const std::vector<ApiRename> t = {
      {"extensions/v1beta1", "Deployment", "apps/v1", "1.16", true},
      {"extensions/v1beta1", "DaemonSet", "apps/v1", "1.16", true},
      {"extensions/v1beta1", "ReplicaSet", "apps/v1", "1.16", true},
      {"extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1", "1.16", true},
      {"extensions/v1beta1", "Ingress", "networking.k8s.io/v1", "1.22", true},
      {"extensions/v1beta1", "PodSecurityPolicy", "", "1.25", false},
      {"apps/v1beta1", "Deployment", "apps/v1", "1.16", true},
      {"apps/v1beta1", "StatefulSet", "apps/v1", "1.16", true},
      {"apps/v1beta2", "Deployment", "apps/v1", "1.16", true},
      {"apps/v1beta2", "StatefulSet", "apps/v1", "1.16", true},
      {"apps/v1beta2", "DaemonSet", "apps/v1", "1.16", true},
      {"apps/v1beta2", "ReplicaSet", "apps/v1", "1.16", true},
      {"networking.k8s.io/v1beta1", "Ingress", "networking.k8s.io/v1", "1.22", true},
      {"networking.k8s.io/v1beta1", "IngressClass", "networking.k8s.io/v1", "1.22", true},
      {"policy/v1beta1", "PodDisruptionBudget", "policy/v1", "1.25", true},
      {"policy/v1beta1", "PodSecurityPolicy", "", "1.25", false},
      {"batch/v1beta1", "CronJob", "batch/v1", "1.25", true},
      {"batch/v2alpha1", "CronJob", "batch/v1", "1.21", true},
      {"autoscaling/v2beta1", "HorizontalPodAutoscaler", "autoscaling/v2", "1.25", true},
      {"autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2", "1.26", true},
      {"rbac.authorization.k8s.io/v1beta1", "Role", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1beta1", "ClusterRole", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1beta1", "RoleBinding", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1alpha1", "Role", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1alpha1", "ClusterRole", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1alpha1", "RoleBinding", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"rbac.authorization.k8s.io/v1alpha1", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "1.22", true},
      {"scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1", "1.22", true},
      {"scheduling.k8s.io/v1alpha1", "PriorityClass", "scheduling.k8s.io/v1", "1.22", true},
      {"storage.k8s.io/v1beta1", "StorageClass", "storage.k8s.io/v1", "1.22", true},
      {"storage.k8s.io/v1beta1", "CSIDriver", "storage.k8s.io/v1", "1.22", true},
      {"storage.k8s.io/v1beta1", "CSINode", "storage.k8s.io/v1", "1.22", true},
      {"storage.k8s.io/v1beta1", "VolumeAttachment", "storage.k8s.io/v1", "1.22", true},
      {"storage.k8s.io/v1beta1", "CSIStorageCapacity", "storage.k8s.io/v1", "1.27", true},
      {"coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1", "1.22", true},
      {"node.k8s.io/v1beta1", "RuntimeClass", "node.k8s.io/v1", "1.25", true},
      {"discovery.k8s.io/v1beta1", "EndpointSlice", "discovery.k8s.io/v1", "1.25", false},
      {"events.k8s.io/v1beta1", "Event", "events.k8s.io/v1", "1.25", false},
      {"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "apiextensions.k8s.io/v1", "1.22", false},
      {"admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "1.22", false},
      {"admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "1.22", false},
      {"certificates.k8s.io/v1beta1", "CertificateSigningRequest", "certificates.k8s.io/v1", "1.22", false},
  };
  for (const auto& a : t)
    if (apiVersion == a.apiVersion && kind == a.kind) return &a;
  return nullptr;
}

bool serviceIsHttp(const Inventory& inv, size_t service) {
  for (size_t wi : inv.workloadsSelectedBy(service))
    if (isDataStore(inv.workloads()[wi].role)) return false;
  const Json& ports = fieldAt(inv.object(service), "spec.ports");
  if (!ports.is_array() || ports.empty()) return false;
  for (const auto& p : ports) {
    std::string name = str(field(p, "name"));
    std::string app = str(field(p, "appProtocol"));
    int port = field(p, "port").is_number_integer() ? field(p, "port").get<int>() : 0;
    if (app == "http" || app == "http2" || app == "grpc" || app == "kubernetes.io/h2c") return true;
    if (name.starts_with("tcp") || name.starts_with("mongo") || name.starts_with("mysql") || name.starts_with("redis") ||
        name.starts_with("amqp") || !dataPathForPort(port).empty())
      continue;
    return true;
  }
  return false;
}

std::vector<size_t> istioPoliciesFor(const Inventory& inv, size_t service, const std::string& kind) {
  std::vector<size_t> out;
  const Json& svc = inv.object(service);
  std::string name = nameOf(svc), ns = namespaceOf(svc);
  auto matches = [&](const std::string& host, const std::string& policyNs) {
    if (host == name) return policyNs == ns;
    std::string q = name + "." + (ns.empty() ? policyNs : ns);
    return host == q || host == q + ".svc" || host == q + ".svc.cluster.local";
  };
  for (size_t i : inv.ofKind(kind)) {
    const Json& o = inv.object(i);
    if (!apiGroup(str(field(o, "apiVersion"))).ends_with("istio.io")) continue;
    if (kind == "DestinationRule") {
      if (matches(str(fieldAt(o, "spec.host")), namespaceOf(o))) out.push_back(i);
    } else {
      const Json& hosts = fieldAt(o, "spec.hosts");
      if (!hosts.is_array()) continue;
      for (const auto& h : hosts)
        if (matches(str(h), namespaceOf(o))) {
          out.push_back(i);
          break;
        }
    }
  }
  return out;
}

bool hasReplicatedBackends(const Inventory& inv, size_t service) {
  for (size_t wi : inv.workloadsSelectedBy(service)) {
    const Workload& w = inv.workloads()[wi];
    if (w.role == Role::Stateless || inv.effectiveReplicas(w).value_or(1) >= 2) return true;
  }
  return false;
}

std::string serviceAccountOf(const Json& podSpec) {
  std::string sa = str(field(podSpec, "serviceAccountName"));
  if (sa.empty()) sa = str(field(podSpec, "serviceAccount"));
  return sa.empty() ? "default" : sa;
}

}  // namespace shop::audit
