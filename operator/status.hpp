#pragma once
// Pure pieces of the ShopApp status: conditions and workload readiness, unit-tested on plain data.
#include <map>
#include <string>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"

namespace shop::op {

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

// The InvalidSpec condition's message: every error as "path: message", joined by "; ", in the
// order found, cut at a whole error once past maxBytes, then "(and N more)". A condition message
// is at most 32 KiB; 2 KiB keeps `kubectl describe` readable and still holds a typical list whole.
std::string invalidSpecMessage(const Diagnostics& diags, size_t maxBytes = 2048);

// The Deployments of the app's services, each with the floor of ready replicas it aims for
// (its autoscaler's min, or its replicas): one per service, or one per version of a service
// with versions (<service>-<version>), in spec order.
struct ServiceWorkload {
  std::string name;
  int floor = 0;
};
std::vector<ServiceWorkload> serviceWorkloads(const ShopApp& app);

// status.summary.status: the ShopApp's kstatus (Current, InProgress or Failed), derived from its
// Ready, Reconciling and Stalled conditions by core/diff/kstatus (the rules Flux and
// `shopctl status` apply), for the STATUS printer column of `kubectl get shopapp`. The operator
// calls it once, on every status it writes (Controller::writeStatus).
void setSummaryStatus(Json& status);

// Whether writing `next` would leave the `live` status as it is, ignoring condition timestamps
// and key order. `next` is taken as written: with setSummaryStatus() applied, so a live status
// without summary.status (an older operator's) is written once more.
bool sameStatus(const Json& live, const Json& next);

}  // namespace shop::op
