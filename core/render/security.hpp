#pragma once
// Hardening primitives shared by the renderer and `shopctl harden`: the Pod Security
// "restricted" contexts, in one place so both paths always agree.
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop {

// runAsNonRoot, runAsUser/runAsGroup/fsGroup, fsGroupChangePolicy OnRootMismatch,
// seccompProfile RuntimeDefault.
Json podSecurityContext(int64_t runAsUser, int64_t runAsGroup, int64_t fsGroup);

// allowPrivilegeEscalation false, privileged false, runAsNonRoot true, capabilities drop ALL
// (add only what is listed, e.g. NET_BIND_SERVICE), readOnlyRootFilesystem as given,
// seccompProfile RuntimeDefault (so the container passes on its own, even if copied out).
Json containerSecurityContext(bool readOnlyRootFilesystem, const std::vector<std::string>& addCapabilities);

// The capabilities a container needs for its ports: NET_BIND_SERVICE when any is below 1024.
std::vector<std::string> capabilitiesForPorts(const std::vector<int>& containerPorts,
                                              std::vector<std::string> extra = {});

}  // namespace shop
