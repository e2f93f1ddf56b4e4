#include "cli/manifest_input.hpp"

#include "cli/common.hpp"

namespace shop::cli {

std::vector<audit::Manifest> readManifests(const std::vector<std::string>& args, Diagnostics& diags) {
  std::vector<audit::Manifest> out;
  const auto files = expandInputs(args, diags);
  for (const auto& f : files) {
    auto y = loadYamlFile(f);
    if (!y.ok()) {
      diags.add(*y.error);
      continue;
    }
    audit::addDocuments(y.documents, out, diags);
  }
  // No objects at all is an input error: `helm template ... | shopctl audit -f -` must not pass
  // when the template step printed nothing.
  if (out.empty() && !diags.hasErrors()) diags.add({Severity::Error, describeInputs(args), {}, "", noObjectsMessage(files)});
  return out;
}

}  // namespace shop::cli
