#include "cli/manifest_input.hpp"

#include "cli/common.hpp"

namespace shop::cli {

std::vector<audit::Manifest> readManifests(const std::vector<std::string>& args, Diagnostics& diags) {
  std::vector<audit::Manifest> out;
  for (const auto& f : expandInputs(args, diags)) {
    auto y = loadYamlFile(f);
    if (!y.ok()) {
      diags.add(*y.error);
      continue;
    }
    audit::addDocuments(y.documents, out, diags);
  }
  return out;
}

}  // namespace shop::cli
