#pragma once
// Helpers the rule files and `harden` share (internal to core/audit).
#include <functional>
#include <string>
#include <vector>

#include "core/audit/inventory.hpp"
#include "core/audit/rule.hpp"

namespace shop::audit {

// The catalog's rows, one function per family, each defined in its family's file beside the
// family's fixes (probes.cpp, resources.cpp, security.cpp, images.cpp, availability.cpp,
// data.cpp, network.cpp, deprecation.cpp).
std::vector<Rule> probeRules();
std::vector<Rule> resourceRules();
std::vector<Rule> securityRules();
std::vector<Rule> imageRules();
std::vector<Rule> availabilityRules();
std::vector<Rule> dataRules();
std::vector<Rule> secretRules();
std::vector<Rule> exposureRules();
std::vector<Rule> deprecationRules();
std::vector<Rule> networkRules();
std::vector<Rule> meshRules();
std::vector<Rule> serviceAccountRules();

// The container's Json.
const Json& containerJson(const Inventory& inv, const Workload& w, const ContainerRef& c);

// The container's value of a securityContext field, else the pod's (runAsNonRoot, runAsUser,
// runAsGroup, seccompProfile exist at both levels).
const Json& effectiveSecurity(const Inventory& inv, const Workload& w, const Json& container, const std::string& key);

// Names and values that hold credentials.
bool sensitiveName(const std::string& name);
bool credentialValue(const std::string& value);
// An env var whose literal value is a credential (by name or by shape).
bool plaintextCredentialEnv(const Json& env);

// Probe handlers equal in the sense that kube-score's pod-probes-identical uses (same httpGet
// path and port, same tcpSocket port, same exec command).
bool probesIdentical(const Json& a, const Json& b);

// Well-known node labels that were deprecated, with their replacement.
struct LabelRename {
  const char* from;
  const char* to;
};
// The rename of a deprecated node label key, or nullptr for any other key.
const LabelRename* deprecatedNodeLabel(const std::string& key);

// apiVersion/kind pairs the API server no longer serves, with their replacement apiVersion.
// `automatic` is false where the object's shape changed beyond what harden converts.
struct ApiRename {
  const char* apiVersion;
  const char* kind;
  const char* replacement;  // "" when there is none
  const char* removedIn;
  bool automatic;
};
const ApiRename* removedApi(const std::string& apiVersion, const std::string& kind);

// Whether a Service speaks HTTP (so Istio retries and timeouts apply): not a data store's Service,
// not a well-known database port, not a port named tcp-*/mongo/mysql/redis.
bool serviceIsHttp(const Inventory& inv, size_t service);
// A VirtualService or DestinationRule in the objects that applies to a Service.
std::vector<size_t> istioPoliciesFor(const Inventory& inv, size_t service, const std::string& kind);

// True when outlier detection can do something for a Service: some workload behind it is a
// stateless service or runs 2 or more replicas (a single database pod has nowhere to fail over to).
bool hasReplicatedBackends(const Inventory& inv, size_t service);

// The ServiceAccount a pod uses ("default" when unset).
std::string serviceAccountOf(const Json& podSpec);

// ---- walks the checks share ----------------------------------------------------------------

// f(workload, container ref, container Json) for every container (init containers too when withInit).
template <class F>
void eachContainer(const Inventory& inv, bool withInit, F f) {
  for (const auto& w : inv.workloads())
    for (const auto& c : inv.containers(w, withInit)) f(w, c, containerJson(inv, w, c));
}

// What a check made of one subject: not its business (skipped), fine (passed), or findings.
struct Verdict {
  bool checked = true;
  std::vector<std::pair<std::string, std::string>> failures;  // path, message
  Verdict& fail(std::string path, std::string message) {
    failures.emplace_back(std::move(path), std::move(message));
    return *this;
  }
};
inline Verdict passed() { return {}; }
inline Verdict skipped() { return {false, {}}; }
inline Verdict failed(std::string path, std::string message) { return Verdict{}.fail(std::move(path), std::move(message)); }
// Records a verdict on an object: a pass, or each of its findings.
void failEach(Results& res, size_t object, const Verdict& v);

using Check = std::function<void(const Inventory&, Results&)>;
// A check that judges every container on its own: each verdict is a pass or a finding on the
// container's workload.
Check failEachContainer(bool withInit,
                        std::function<Verdict(const Inventory&, const Workload&, const ContainerRef&, const Json&)> judge);
// The same for every workload (its pod spec is inv.podSpec(w)).
Check failEachWorkload(std::function<Verdict(const Inventory&, const Workload&)> judge);

// "container \"web\"" or "init container \"seed\"", for messages.
std::string cname(const ContainerRef& c);
// Deployments, StatefulSets, ReplicaSets and ReplicationControllers: what replicas apply to.
bool scalable(const Workload& w);
// Whether every call a workload makes is known: its image is in the image table (which lists the
// Services it calls, maybe none), it carries the shopctl.io/calls annotation, or `extra` (harden
// --call) names its calls. Otherwise it may call anything by a host name baked into its image.
bool callsKnown(const Inventory& inv, const std::vector<ExtraCall>& extra, size_t workload);

}  // namespace shop::audit
