#pragma once
// Reading Kubernetes manifests for `audit` and `harden`: files, directories (recursively), "-"
// for stdin; multi-document YAML, List objects and Helm's rendered output.
#include <string>
#include <vector>

#include "core/audit/inventory.hpp"
#include "core/io/diag.hpp"

namespace shop::cli {

// Every object of every input, in order. YAML errors land in diags with file:line:col.
std::vector<audit::Manifest> readManifests(const std::vector<std::string>& args, Diagnostics& diags);

}  // namespace shop::cli
