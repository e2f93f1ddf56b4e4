#pragma once
// The inside of `shopctl harden` (internal to core/audit): one Hardener walks the objects in a
// fixed order of stages, and each rule family adds its fixes as Hardener methods defined in the
// family's own file, beside the rule checks they answer (probes.cpp, resources.cpp, security.cpp,
// images.cpp, availability.cpp, data.cpp, network.cpp, deprecation.cpp). The shared context is
// the Hardener's state: the Inventory of the input, the objects being rewritten, the objects
// added so far, and the changes and warnings to report.
//
// Stages (harden.cpp): every object (deprecated APIs), Namespaces, PodDisruptionBudgets, each
// workload (data store shape, pod security, each container: security, writable paths, image,
// resources, probes, credentials; then node labels, ServiceAccount, availability,
// NetworkPolicy), Services (exposure, Ingress, mesh), and the namespaces' default-deny policies.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/audit/harden.hpp"
#include "core/audit/profiles.hpp"
#include "core/audit/rule.hpp"
#include "core/audit/rules_util.hpp"
#include "core/render/hardening.hpp"
#include "core/render/security.hpp"

namespace shop::audit::fix {

// o at a dotted path ("spec.template.spec"), created when absent.
Json& at(Json& o, const std::string& dotted);
bool has(const Json& o, const std::string& key);
// A volume name for a path: "/var/lib/mysql" -> "var-lib-mysql".
std::string volumeNameFor(const std::string& path);
// A new object labelled app.kubernetes.io/managed-by: shopctl.
Json newObject(const std::string& apiVersion, const std::string& kind, const std::string& name, const std::string& ns,
               const Json& labels);

// An object harden adds, placed before or after the input object it belongs to.
struct Generated {
  size_t anchor;
  bool before;
  Json object;
};

class Hardener {
 public:
  Hardener(const std::vector<Manifest>& input, const HardenOptions& opts) : inv_(input, opts.calls), opts_(opts) {
    for (const auto& m : input) objs_.push_back(m.object);
  }
  HardenResult run();

 private:
  // ---- the shared context (harden.cpp)
  bool want(size_t obj, const char* rule) const { return !opts_.disabled.count(rule) && !ignoredOn(inv_, obj, rule); }
  void change(const char* rule, size_t obj, std::string msg);
  void changeNew(const char* rule, const Json& created, std::string msg);
  void warn(size_t obj, const std::string& msg) { warnings_.push_back(describe(objs_[obj]) + ": " + msg); }
  bool exists(const std::string& kind, const std::string& ns, const std::string& name) const;
  std::string freeName(const std::string& kind, const std::string& ns, const std::string& name) const;
  void add(size_t anchor, bool before, Json o) { gens_.push_back({anchor, before, std::move(o)}); }
  Json& podSpec(size_t i, const Workload& w) { return at(objs_[i], w.podSpecPath); }
  void workload(size_t wi);
  void container(const Workload& w, Json& spec, const char* key, size_t index);

  // ---- probes.cpp
  Json probePort(const Json& c, int port) const;
  Json buildProbe(const ProbeSpec& p, const Json& c, ProbeUse use) const;
  void probes(size_t i, Json& c, const std::string& who);

  // ---- resources.cpp
  void resources(const Workload& w, Json& c, const std::string& who, bool init);

  // ---- security.cpp
  void namespaceLabels(size_t n);
  void podSecurity(const Workload& w);
  void containerSecurity(size_t i, Json& c, const std::string& who);
  void writablePaths(const Workload& w, Json& spec, Json& c, const std::string& who);
  bool boundByRbac(const std::string& ns, const std::string& sa) const;
  void serviceAccount(const Workload& w);

  // ---- images.cpp
  void image(size_t i, Json& c, const std::string& who);

  // ---- availability.cpp
  void pdbPolicy(size_t p);
  void availability(size_t wi);
  void statefulSetService(size_t wi);

  // ---- data.cpp
  // The container holding the data: the first one whose image is a database or broker.
  std::optional<size_t> dataContainer(const Json& spec) const;
  std::vector<std::string> dataPathsOf(const Json& ctr) const;
  void dataStore(const Workload& w);
  std::string headlessServiceFor(const Workload& w);
  void toStatefulSet(const Workload& w);
  bool hasClaim(const Workload& w);
  void claimDataVolume(const Workload& w, size_t dataContainer, const std::vector<std::string>& paths, bool wasSts);
  void secrets(const Workload& w, Json& c, const std::string& who);
  std::string secretNameFor(const Workload& w);
  std::string uniqueKey(const Workload& w, const std::string& key, const std::string& container);
  Json& secretObject(const Workload& w);

  // ---- network.cpp
  void service(size_t s);
  bool hasIngress(size_t s) const;
  // Whether Service s is reached from outside the cluster in the output: a NodePort or
  // LoadBalancer that harden leaves so (it turns one into ClusterIP only with --ingress-host).
  bool staysExposed(size_t s) const;
  void addIngress(size_t s);
  void meshPolicies(size_t s, const std::string& ns, const std::string& name);
  Json policyIngress(const Workload& w, std::vector<std::string>& why);
  Json policyEgress(size_t wi, std::vector<std::string>& why);
  void networkPolicy(size_t wi);
  void namespacePolicies();

  // ---- deprecation.cpp
  void deprecatedApi(size_t i);
  void nodeLabels(const Workload& w);

  Inventory inv_;
  const HardenOptions& opts_;
  std::vector<Json> objs_;
  std::vector<Generated> gens_;
  std::vector<Change> changes_;
  std::vector<std::string> warnings_;
  std::map<size_t, std::string> secretNames_;
  std::map<size_t, std::set<std::string>> secretKeys_;
  std::set<std::string> policyNamespaces_;
  std::vector<Json> pendingVolumes_;
};

}  // namespace shop::audit::fix
