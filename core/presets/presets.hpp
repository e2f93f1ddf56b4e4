#pragma once
// Starter apps for `shopctl init`, built into the binary from manifests/ (one source of truth).
#include <string>
#include <vector>

namespace shop {

struct Preset {
  const char* name;
  const char* description;
  const char* yaml;
};

const std::vector<Preset>& presets();
const Preset* findPreset(const std::string& name);

// The preset's text with metadata.name and metadata.namespace replaced (empty: unchanged).
// Comments and layout are kept.
std::string customizePreset(const std::string& yaml, const std::string& name, const std::string& ns);

}  // namespace shop
