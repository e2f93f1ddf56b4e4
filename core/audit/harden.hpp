#pragma once
// `shopctl harden`: rewrite foreign manifests so they pass the audit rules it can fix.
//
// A pure function over the object list: objects come in (with their files, for the call graph
// and for messages), corrected objects and new ones (ServiceAccounts, Secrets, headless Services,
// PDBs, HPAs, NetworkPolicies, Istio policies, an Ingress when asked) come out, each change
// explained with the id of the rule it fixes. Kinds it does not know pass through untouched.
//
// Idempotent: harden(harden(x)) == harden(x). Rules disabled in the options, or silenced on an
// object with the shopctl.io/ignore annotation, are not fixed there either.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/audit/inventory.hpp"
#include "core/io/json.hpp"

namespace shop::audit {

enum class SecretMode {
  Move,      // the plaintext value moves into a Secret (stringData): same behaviour, out of the pod spec
  Generate,  // the Secret gets a new random value instead: the old, published one is never used again
};

struct HardenOptions {
  // Image pins by repository ("mongo", "kbudde/rabbitmq-exporter", "quay.io/x/y"): a tag, or a
  // digest ("sha256:..."). They take precedence over the built-in table (profiles.hpp).
  std::map<std::string, std::string> pins;
  SecretMode secretMode = SecretMode::Move;
  uint64_t seed = 0;  // for SecretMode::Generate (the CLI draws it from std::random_device)
  bool mesh = false;  // add Istio VirtualServices/DestinationRules (also done when Istio is in use)
  std::string ingressHost;   // when set: an Ingress with TLS for each entry point
  std::string ingressClass;  // ingressClassName for it ("" leaves it to the cluster default)
  bool autoscale = true;     // HPAs for stateless Deployments (else: replicas >= minReplicas)
  int minReplicas = 2;
  int maxReplicas = 5;
  int cpuTargetPercent = 70;
  std::string storageSize = "1Gi";
  std::string storageClass;  // "" = the cluster default
  std::string monitoringNamespace = "monitoring";  // scrapers allowed in by NetworkPolicies
  // Where pods resolve names: the one egress the default-deny policy allows (as ShopApp's
  // spec.security.dns).
  std::string dnsNamespace = "kube-system";
  std::map<std::string, std::string> dnsPodLabels = {{"k8s-app", "kube-dns"}};
  std::vector<std::string> dnsCidrs;
  std::vector<ExtraCall> calls;                    // call-graph edges the manifests do not show
  std::set<std::string> disabled;                  // rule ids not to fix
};

struct Change {
  std::string ruleId;
  std::string object;   // "Deployment sock-shop/carts"
  std::string message;  // what was done
};

struct HardenResult {
  std::vector<Json> objects;
  std::vector<Change> changes;
  std::vector<std::string> warnings;  // what it could not fix, and why
};

HardenResult harden(const std::vector<Manifest>& input, const HardenOptions& options);

// The pin harden applies to an image reference (from options, then the table), or "" if none.
std::string pinFor(const ImageRef& image, const HardenOptions& options);

}  // namespace shop::audit
