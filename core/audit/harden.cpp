#include "core/audit/harden.hpp"

#include <algorithm>

#include "core/audit/audit.hpp"
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace fix {

namespace {

constexpr const char* kManagedBy = "app.kubernetes.io/managed-by";
constexpr const char* kManagedByValue = "shopctl";

Json metadataFor(const std::string& name, const std::string& ns, const Json& labels) {
  Json md = Json::object();
  md["name"] = name;
  if (!ns.empty()) md["namespace"] = ns;
  Json l = labels.is_object() ? labels : Json::object();
  l[kManagedBy] = kManagedByValue;
  md["labels"] = l;
  return md;
}

}  // namespace

Json& at(Json& o, const std::string& dotted) {
  std::string ptr = "/" + dotted;
  std::replace(ptr.begin(), ptr.end(), '.', '/');
  return o[Json::json_pointer(ptr)];
}

bool has(const Json& o, const std::string& key) { return o.is_object() && o.contains(key) && !o[key].is_null(); }

std::string volumeNameFor(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '/') {
      if (!out.empty() && out.back() != '-') out += '-';
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "data" : out;
}

Json newObject(const std::string& apiVersion, const std::string& kind, const std::string& name, const std::string& ns,
               const Json& labels) {
  Json o = Json::object();
  o["apiVersion"] = apiVersion;
  o["kind"] = kind;
  o["metadata"] = metadataFor(name, ns, labels);
  return o;
}

HardenResult Hardener::run() {
  for (size_t i = 0; i < objs_.size(); ++i) deprecatedApi(i);
  for (size_t n : inv_.ofKind("Namespace")) namespaceLabels(n);
  for (size_t p : inv_.ofKind("PodDisruptionBudget")) pdbPolicy(p);
  for (size_t wi = 0; wi < inv_.workloads().size(); ++wi) workload(wi);
  for (size_t s : inv_.ofKind("Service")) service(s);
  namespacePolicies();
  HardenResult out;
  out.changes = std::move(changes_);
  out.warnings = std::move(warnings_);
  for (size_t i = 0; i < objs_.size(); ++i) {
    for (const auto& g : gens_)
      if (g.anchor == i && g.before) out.objects.push_back(g.object);
    out.objects.push_back(objs_[i]);
    for (const auto& g : gens_)
      if (g.anchor == i && !g.before) out.objects.push_back(g.object);
  }
  return out;
}

void Hardener::change(const char* rule, size_t obj, std::string msg) {
  changes_.push_back({rule, describe(objs_[obj]), std::move(msg)});
}

void Hardener::changeNew(const char* rule, const Json& created, std::string msg) {
  changes_.push_back({rule, describe(created), std::move(msg)});
}

bool Hardener::exists(const std::string& kind, const std::string& ns, const std::string& name) const {
  if (inv_.find(kind, ns, name)) return true;
  for (const auto& g : gens_)
    if (kindOf(g.object) == kind && namespaceOf(g.object) == ns && nameOf(g.object) == name) return true;
  return false;
}

std::string Hardener::freeName(const std::string& kind, const std::string& ns, const std::string& name) const {
  if (!exists(kind, ns, name)) return name;
  for (int i = 2;; ++i)
    if (!exists(kind, ns, name + "-" + std::to_string(i))) return name + "-" + std::to_string(i);
}

void Hardener::workload(size_t wi) {
  const Workload& w = inv_.workloads()[wi];
  size_t i = w.object;
  if (isDataStore(w.role)) dataStore(w);
  podSecurity(w);
  Json& spec = podSpec(i, w);
  pendingVolumes_.clear();
  for (const char* key : {"initContainers", "containers"}) {
    if (!spec.contains(key) || !spec[key].is_array()) continue;
    for (size_t c = 0; c < spec[key].size(); ++c) container(w, spec, key, c);
  }
  // Volumes are added after the loop: inserting into the pod spec moves its containers.
  for (auto& v : pendingVolumes_) spec["volumes"].push_back(std::move(v));
  pendingVolumes_.clear();
  nodeLabels(w);
  serviceAccount(w);
  availability(wi);
  networkPolicy(wi);
}

void Hardener::container(const Workload& w, Json& spec, const char* key, size_t index) {
  size_t i = w.object;
  Json& c = spec[key][index];
  bool init = std::string(key) == "initContainers";
  std::string who = std::string(init ? "init container " : "container ") + str(field(c, "name"));
  containerSecurity(i, c, who);
  writablePaths(w, spec, c, who);
  image(i, c, who);
  resources(w, c, who, init);
  if (!init && w.role != Role::Batch) probes(i, c, who);
  secrets(w, c, who);
}

}  // namespace fix

HardenResult harden(const std::vector<Manifest>& input, const HardenOptions& options) {
  HardenResult out = fix::Hardener(input, options).run();
  // The headless Services added for StatefulSets (avail-statefulset-service) are new call targets:
  // the NetworkPolicies of this pass were written without them, so their callers are cut off
  // until a second harden. Harden again with those Services in the input, each before its
  // StatefulSet, as this pass placed them: the result is what a second harden would give.
  std::vector<Json> added;
  for (const auto& c : out.changes)
    if (c.ruleId == "avail-statefulset-service")
      for (const auto& o : out.objects)
        if (kindOf(o) == "Service" && describe(o) == c.object) added.push_back(o);
  if (!added.empty()) {
    std::vector<Manifest> withServices;
    for (const auto& m : input) {
      const Json& o = m.object;
      if (kindOf(o) == "StatefulSet")
        for (const auto& svc : added)
          if (namespaceOf(svc) == namespaceOf(o) && nameOf(svc) == str(fieldAt(o, "spec.serviceName")))
            withServices.push_back({svc, "", nullptr, ""});
      withServices.push_back(m);
    }
    HardenResult second = fix::Hardener(withServices, options).run();
    std::vector<Change> changes;
    for (const auto& c : out.changes)
      if (c.ruleId == "avail-statefulset-service") changes.push_back(c);
    changes.insert(changes.end(), second.changes.begin(), second.changes.end());
    second.changes = std::move(changes);
    out = std::move(second);
  }
  // What harden has no fix for is said, never kept silently: every finding the audit still makes
  // on the output, of a rule without an automatic fix, at medium or above (hostNetwork, hostPID,
  // hostPath, host ports, privileged containers, an Ingress without TLS, ...).
  std::vector<Manifest> hardened;
  for (const auto& o : out.objects) hardened.push_back({o, "", nullptr, ""});
  AuditConfig config;
  config.disabled = options.disabled;
  const AuditReport report = runAudit(Inventory(std::move(hardened), options.calls), config);
  for (const auto& f : report.findings) {
    const Rule* rule = findRule(f.ruleId);
    if (!rule || rule->autoFix || levelWeight(f.level) < levelWeight(Level::Medium)) continue;
    out.warnings.push_back(f.objectRef + ": left as it is: " + f.message + " [" + f.ruleId + ", " +
                           std::string(levelName(f.level)) + "]: " + rule->fix);
  }
  return out;
}

}  // namespace shop::audit
