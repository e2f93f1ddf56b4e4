#include "core/render/security.hpp"

#include <algorithm>

namespace shop {

Json podSecurityContext(int64_t runAsUser, int64_t runAsGroup, int64_t fsGroup) {
  Json sc = Json::object();
  sc["runAsNonRoot"] = true;
  sc["runAsUser"] = runAsUser;
  sc["runAsGroup"] = runAsGroup;
  sc["fsGroup"] = fsGroup;
  sc["fsGroupChangePolicy"] = "OnRootMismatch";
  sc["seccompProfile"] = {{"type", "RuntimeDefault"}};
  return sc;
}

Json containerSecurityContext(bool readOnlyRootFilesystem, const std::vector<std::string>& add) {
  Json sc = Json::object();
  sc["allowPrivilegeEscalation"] = false;
  sc["privileged"] = false;
  sc["readOnlyRootFilesystem"] = readOnlyRootFilesystem;
  sc["runAsNonRoot"] = true;
  Json caps = Json::object();
  if (!add.empty()) caps["add"] = add;
  caps["drop"] = Json::array({"ALL"});
  sc["capabilities"] = caps;
  sc["seccompProfile"] = {{"type", "RuntimeDefault"}};
  return sc;
}

std::vector<std::string> capabilitiesForPorts(const std::vector<int>& ports, std::vector<std::string> extra) {
  bool low = std::any_of(ports.begin(), ports.end(), [](int p) { return p > 0 && p < 1024; });
  if (low && std::find(extra.begin(), extra.end(), "NET_BIND_SERVICE") == extra.end())
    extra.push_back("NET_BIND_SERVICE");
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  return extra;
}

}  // namespace shop
