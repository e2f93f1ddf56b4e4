#pragma once
// Pure pieces of reconciliation, unit-tested on plain data.
#include <map>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop::op {

inline constexpr const char* kFieldManager = "shop-operator";
inline constexpr const char* kHashAnnotation = "shopctl.io/applied-hash";

// True when every field of intent is in live with the same value: the object has not drifted
// from what we apply. Extra fields in live (server defaults, other managers) are fine.
// Quantities compare by value ("0.5" == "500m", "1Gi" == "1024Mi").
bool liveContains(const Json& live, const Json& intent);

// Stable hash of an object's intent (what we apply), excluding our own annotation.
std::string intentHash(const Json& obj);

// The object as the operator applies it: the renderer's object plus the controller owner
// reference (when owned) and the applied-hash annotation.
Json withOwnership(Json obj, const Json& app, bool owned);

// metav1.Condition handling: set a condition, keeping lastTransitionTime unless the status
// changes. Returns true when anything changed.
bool setCondition(Json& conditions, const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, int64_t generation, const std::string& now);

// Readiness of a live Deployment or StatefulSet: current generation observed, and ready and
// updated replicas reaching the desired count.
struct WorkloadState {
  bool exists = false;
  bool ready = false;
  int desired = 0;
  int readyReplicas = 0;
  std::string message;
};
// minReplicas: the floor the app asks for (an autoscaler's minimum), which a Deployment
// created without spec.replicas only reaches once the autoscaler has acted.
WorkloadState workloadState(const Json* live, int minReplicas = 0);

// Compare two status objects ignoring condition timestamps and key order.
bool sameStatus(const Json& a, const Json& b);

// Quantity in base units (cores or bytes), or -1 when s is not a quantity.
double quantityValue(const std::string& s);

}  // namespace shop::op
