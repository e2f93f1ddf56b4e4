#pragma once
// The objects an audit or a harden run looks at, read from YAML, with the cross-object views the
// rules need: which Services select which workloads, which PDBs, HPAs and NetworkPolicies cover
// them, and who calls whom.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/audit/k8s.hpp"
#include "core/audit/profiles.hpp"
#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/io/yaml.hpp"

namespace shop::audit {

// One Kubernetes object and where it was read from.
struct Manifest {
  Json object;
  std::string file;                       // "" for objects made in memory
  std::shared_ptr<const SourceMap> map;   // the YAML document's positions (may be null)
  std::string prefix;                     // the object's path in its document: "" or "items[3]"
  // Where a field of this object stands in its file (nearest known ancestor).
  Position locate(const std::string& path) const;
};

struct LoadResult {
  std::vector<Manifest> manifests;
  Diagnostics diags;  // errors carry file:line:col
};

// Reads a stream of YAML documents (kubectl's multi-document files, Helm's rendered output).
// A `List` (kind List or any *List with items) is expanded into its items. Documents that are not
// objects, or objects without apiVersion and kind, are errors; unknown kinds are kept as they are.
LoadResult loadManifests(const std::string& text, const std::string& file);
// The same for already parsed documents (loadYamlFile's).
void addDocuments(std::vector<YamlDocument>& docs, std::vector<Manifest>& out, Diagnostics& diags);

struct ContainerRef {
  size_t index = 0;
  bool init = false;
  std::string path;  // "spec.template.spec.containers[1]"
  std::string name;
};

// An object that runs pods.
struct Workload {
  size_t object = 0;        // index into Inventory::manifests()
  std::string kind;
  std::string podSpecPath;  // "spec.template.spec", "spec.jobTemplate.spec.template.spec", "spec"
  std::string templatePath; // path of the pod template ("" for a bare Pod)
  Role role = Role::Stateless;
  std::string mainImage;    // image of the first container
};

// The pod-spec path of a kind that runs pods, or "" for any other kind.
std::string podSpecPathFor(const std::string& kind);

// An edge of the call graph: workload `from` talks to Service `toService` (same namespace) or,
// when the Service is not among the objects, to `toNamespace` (another namespace).
struct CallEdge {
  size_t from = 0;                 // workload index
  std::optional<size_t> toService; // manifest index of the Service
  std::string toNamespace;         // cross-namespace target when toService is unset
  std::string toName;              // the Service name as written
  int port = 0;                    // port named in the reference (0: unknown)
  std::string evidence;            // "env mongo=user-db:27017", "annotation shopctl.io/calls", ...
};

// Extra edges given by the caller (harden --call FROM=TO), by workload and Service name.
struct ExtraCall {
  std::string from;
  std::string to;
};

class Inventory {
 public:
  explicit Inventory(std::vector<Manifest> manifests, std::vector<ExtraCall> extraCalls = {});

  const std::vector<Manifest>& manifests() const { return manifests_; }
  const Json& object(size_t i) const { return manifests_[i].object; }
  const std::vector<Workload>& workloads() const { return workloads_; }

  const Json& podSpec(const Workload& w) const;
  const Json& podTemplateLabels(const Workload& w) const;  // null for a bare Pod's missing labels
  // The workload's selector labels as a plain map (matchLabels; a bare Pod's own labels).
  Json selectorLabels(const Workload& w) const;
  std::vector<ContainerRef> containers(const Workload& w, bool withInit) const;

  // Objects of a kind (index list), e.g. ofKind("Service").
  std::vector<size_t> ofKind(const std::string& kind) const;
  std::optional<size_t> find(const std::string& kind, const std::string& ns, const std::string& name) const;

  std::vector<size_t> servicesSelecting(const Workload& w) const;
  std::vector<size_t> workloadsSelectedBy(size_t service) const;
  std::vector<size_t> pdbsFor(const Workload& w) const;
  std::vector<size_t> hpasFor(const Workload& w) const;
  // NetworkPolicies selecting the workload's pods that restrict ingress / egress.
  void networkCoverage(const Workload& w, bool& ingress, bool& egress) const;
  // True when the objects show Istio: istio.io kinds, injection labels or annotations.
  bool istioInUse() const;
  // The workload's effective HPA minimum (the replicas an HPA keeps), or its spec.replicas
  // (1 when unset); for DaemonSets, Jobs and Pods: nullopt.
  std::optional<int64_t> effectiveReplicas(const Workload& w) const;

  const std::vector<CallEdge>& calls() const { return calls_; }
  // Workloads calling a Service (by call graph).
  std::vector<size_t> callersOf(size_t service) const;
  // Entry points: Services of type NodePort/LoadBalancer and Services an Ingress targets.
  bool isEntryPoint(size_t service) const;

 private:
  void indexWorkloads();
  void buildCallGraph(const std::vector<ExtraCall>& extra);
  // Every text of a container where a host name may be written, passed to scan(text, bare,
  // evidence): env values (and the ConfigMap keys they name), envFrom ConfigMaps, command, args.
  using TextScan = std::function<void(const std::string&, bool, const std::string&)>;
  void scanContainerTexts(const Json& container, const std::string& ns, const TextScan& scan) const;
  void scanConfigMap(const std::string& ns, const std::string& name, const std::string& how, const TextScan& scan) const;
  void addEdge(CallEdge e);

  std::vector<Manifest> manifests_;
  std::vector<Workload> workloads_;
  std::vector<CallEdge> calls_;
};

// The Service hostnames a text refers to, as (name, namespace or "", port or 0): "user-db:27017",
// "http://carts/x", "tcp(catalogue-db:3306)", "zipkin.jaeger.svc.cluster.local", and the DNS
// names of StatefulSet pods: "postgres-0.postgres.db.svc.cluster.local" is Service postgres of
// namespace db ("mongo-0.mongo" is given as name mongo-0, ns mongo: the caller, which knows the
// namespaces and Services, reads it as pod mongo-0 of Service mongo). A bare word
// counts only when `bareIsHost` (the whole value of a variable named like *_HOST or *_URL).
struct HostRef {
  std::string name;
  std::string ns;
  int port = 0;
  bool svcForm = false;  // written as name.ns.svc[.cluster.local]: surely a cluster Service
  std::string pod;       // written as a StatefulSet pod's name: pod.name.ns.svc[.cluster.local]
};
std::vector<HostRef> findHostRefs(const std::string& text, bool bareIsHost);

}  // namespace shop::audit
