#pragma once
// kstatus: the status of a custom resource as sigs.k8s.io/cli-utils computes it (pkg/kstatus,
// Compute()), which Flux health checks and `kubectl wait`-style tools rely on. The generic
// rules only (a ShopApp has no type-specific rule):
//   1. metadata.deletionTimestamp set                          -> Terminating
//   2. metadata.generation and status.observedGeneration both
//      present and different                                   -> InProgress (LatestGenerationNotObserved)
//   3. the first condition, in order, that is Reconciling=True -> InProgress,
//      or Stalled=True                                         -> Failed
//   4. a Ready condition: True -> Current; False or Unknown    -> InProgress
//   5. otherwise                                               -> Current
#include <string>

#include "core/io/json.hpp"

namespace shop::diff {

enum class KStatus { InProgress, Failed, Current, Terminating };

struct KStatusResult {
  KStatus status = KStatus::Current;
  std::string reason;   // the deciding condition's reason, or kstatus's own
  std::string message;
};

KStatusResult kstatus(const Json& obj);
const char* kstatusName(KStatus s);  // "InProgress", "Failed", "Current", "Terminating"

}  // namespace shop::diff
