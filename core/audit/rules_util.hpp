#pragma once
// Helpers the rule files and `harden` share (internal to core/audit).
#include <string>
#include <vector>

#include "core/audit/inventory.hpp"
#include "core/audit/rule.hpp"

namespace shop::audit {

std::vector<Rule> workloadRules();  // probes, resources, security, images
std::vector<Rule> objectRules();    // availability, data, secrets, exposure, deprecation, network, mesh, SAs

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
const std::vector<LabelRename>& deprecatedNodeLabels();

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

}  // namespace shop::audit
