#pragma once
// Existing manifests -> a ShopApp. Workloads become services; workloads running a known
// database or broker image become databases and messaging; Services give ports; Ingresses and
// NodePort/LoadBalancer Services give exposure; the call graph the audit inventory finds
// (hostnames in env, args and config) gives dependsOn. What a ShopApp cannot express is
// listed as a warning, never dropped silently.
#include <string>

#include "core/audit/inventory.hpp"
#include "core/io/diag.hpp"
#include "core/io/json.hpp"

namespace shop::importer {

struct ImportOptions {
  std::string name;       // metadata.name (default: the namespace of the workloads, or "imported")
  std::string namespace_; // metadata.namespace (default: the workloads' namespace)
};

struct ImportResult {
  Json app;           // the ShopApp document
  Diagnostics notes;  // warnings: everything not carried over, and why
};

ImportResult importShopApp(const audit::Inventory& inv, const ImportOptions& opts);

}  // namespace shop::importer
