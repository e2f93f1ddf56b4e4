#pragma once
// Existing manifests -> a ShopApp. Workloads become services; workloads running a known
// database or broker image become databases and messaging; Services give ports; Ingresses and
// NodePort/LoadBalancer Services give exposure; the call graph the audit inventory finds
// (hostnames in env, args and config) gives dependsOn. What a ShopApp cannot express is
// listed as a warning, never dropped silently.
#include <map>
#include <string>

#include "core/audit/inventory.hpp"
#include "core/io/diag.hpp"
#include "core/io/json.hpp"

namespace shop::importer {

struct ImportOptions {
  std::string name;       // metadata.name (default: the namespace of the workloads, or "imported")
  std::string namespace_; // metadata.namespace (default: sourceNamespace, else the workloads' namespace)
  // Import only the objects of this namespace (and those naming none); the workloads of other
  // namespaces stay where they are, calls to their Services become egress rules, and their calls to
  // the imported services ingress rules.
  std::string sourceNamespace;
};

// The namespaces the input's workloads name (metadata.namespace, not empty), with how many
// workloads each. A ShopApp lives in one namespace: with more than one here, importing them all
// would move some and break the host names that name their namespace (api.back.svc), so the
// command asks which one to import (ImportOptions::sourceNamespace).
std::map<std::string, size_t> workloadNamespaces(const audit::Inventory& inv);

// Where a part of the ShopApp came from: the input object (an index into the inventory's
// manifests) and the field of it, for the ShopApp field path `path` and everything below it.
struct Origin {
  std::string path;   // "spec.services[2]", "spec.services[2].probes", "spec.gateway"
  size_t object = 0;
  std::string field;  // "" for the object itself, or e.g. "spec.template.spec.containers[0]"
};

struct ImportResult {
  Json app;                     // the ShopApp document
  Diagnostics notes;            // warnings: everything not carried over, and why
  std::vector<Origin> origins;  // where each service, version, store, route and the gateway came from
};

ImportResult importShopApp(const audit::Inventory& inv, const ImportOptions& opts);

// Points diagnostics about the imported ShopApp (parse and validation errors, by field path) at
// the input they came from: the file and line of the object (or field) of the longest origin
// whose path the diagnostic's path starts with, and its message names that object. Diagnostics
// no origin covers (or whose input was not read from a file) are left as they are.
void locateInInput(const audit::Inventory& inv, const ImportResult& imported, Diagnostics& diags);

}  // namespace shop::importer
