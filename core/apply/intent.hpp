#pragma once
// Apply intent: how a rendered object is applied to a cluster, shared by the operator (which
// applies it) and `shopctl diff` (which shows what applying it would change). Pure data, no
// network: ownership, the applied-hash, drift detection, and which kinds are applied, owned and
// pruned.
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop::apply {

inline constexpr const char* kFieldManager = "shop-operator";
inline constexpr const char* kHashAnnotation = "shopctl.io/applied-hash";

// True when every field of intent is in live with the same value: the object has not drifted
// from what we apply. Extra fields in live (server defaults, other managers) are fine.
// Quantities compare by value ("0.5" == "500m", "1Gi" == "1024Mi").
bool liveContains(const Json& live, const Json& intent);

// Stable hash of an object's intent (what we apply), excluding our own annotation.
std::string intentHash(const Json& obj);

// The object as the operator applies it: the renderer's object plus the controller owner
// reference (when owned) and the applied-hash annotation. Not on the Namespace (isShared): every
// ShopApp in it applies its own labels there, and their hashes would conflict.
Json withOwnership(Json obj, const Json& app, bool owned);

// The Namespace is shared by the ShopApps in it. Each applies it under a field manager of its
// own ("shop-operator/<app name>", sharedFieldManager) and without force, so one app's labels
// (istio-injection, Pod Security) are not removed by another's apply, and two apps wanting
// different values conflict rather than overwrite each other in turn. Whether the live Namespace
// holds the app's labels (liveContains) is all that decides a write.
bool isShared(const std::string& kind);
std::string sharedFieldManager(const std::string& appName);

// Quantity in base units (cores or bytes), or -1 when s is not a quantity.
double quantityValue(const std::string& s);

// A kind the operator applies, watches and (unless noted) prunes.
struct Kind {
  const char* apiVersion;
  const char* kind;
};
enum class Capability { Always, Mesh, Monitoring };
// Kinds applied whatever the cluster has installed.
const std::vector<Kind>& baseKinds();
// Kinds of an optional capability (the Istio CRDs; the Prometheus operator's ServiceMonitor).
const std::vector<Kind>& capabilityKinds(Capability c);
// Which capability an object needs (by its apiVersion).
Capability capabilityOf(const Json& obj);
// Owned kinds get a controller owner reference (garbage-collected with the ShopApp). The
// Namespace is shared and PVCs hold data: neither is owned.
bool isOwnedKind(const std::string& kind);
// Pruned when no longer rendered: owned kinds except Secrets (credentials for retained data).
bool isPrunableKind(const std::string& kind);

}  // namespace shop::apply
