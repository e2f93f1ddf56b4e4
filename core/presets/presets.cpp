#include "core/presets/presets.hpp"

#include <sstream>

namespace shop {

namespace generated {
extern const std::vector<Preset> kPresets;
}

const std::vector<Preset>& presets() { return generated::kPresets; }

const Preset* findPreset(const std::string& name) {
  for (const auto& p : presets())
    if (name == p.name) return &p;
  return nullptr;
}

std::string customizePreset(const std::string& yaml, const std::string& name, const std::string& ns) {
  std::istringstream in(yaml);
  std::string line, out;
  bool inMetadata = false, nameDone = false, nsDone = false;
  while (std::getline(in, line)) {
    if (line == "metadata:") {
      inMetadata = true;
    } else if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      if (inMetadata && !nsDone && !ns.empty()) out += "  namespace: " + ns + "\n", nsDone = true;
      inMetadata = false;
    }
    if (inMetadata && !name.empty() && !nameDone && line.rfind("  name: ", 0) == 0) {
      line = "  name: " + name;
      nameDone = true;
    } else if (inMetadata && !ns.empty() && !nsDone && line.rfind("  namespace: ", 0) == 0) {
      line = "  namespace: " + ns;
      nsDone = true;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace shop
