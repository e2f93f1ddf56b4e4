#pragma once
// Pure pieces of the ShopApp status: conditions, workload readiness, and the whole status a
// reconcile writes (appstatus.cpp), unit-tested on plain data.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"
#include "operator/plan.hpp"

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
// What workloadState reads of a Deployment or StatefulSet, and nothing else: metadata.generation,
// spec.replicas, status's replica counts and observedGeneration, and the type, status, reason and
// message of its conditions. The cache keeps it beside each packed workload (kube::ReflectorOptions::view),
// so that a status update's reconcile reads the readiness without unpacking the workload.
Json workloadView(const Json& live);
// A digest of what workloadState reads of the workload: its view, of whose conditions only those
// that block progress (ReplicaFailure=True, Progressing=False). Equal digests, equal states, at
// any floor; so a status update that leaves it unchanged (availableReplicas, an Available
// condition, a timestamp) needs no reconcile (kube::ReflectorOptions::statusDigest).
uint64_t readinessDigest(const Json& live);

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
// `shopctl status` apply), for the STATUS printer column of `kubectl get shopapp`. appStatus()
// and invalidStatus(), which build every status the operator writes, end with it.
void setSummaryStatus(Json& status);

// Whether writing `next` would leave the `live` status as it is, ignoring condition timestamps
// and key order. A plain comparison: a live status without summary.status (an older
// operator's) differs from every status appStatus()/invalidStatus() build, so it is written once.
bool sameStatus(const Json& live, const Json& next);

// How `next` differs from `live`. Progress: only in replica counts and messages of components,
// summary.ready and condition messages, with every condition's status and reason,
// observedGeneration and everything else as they were. Such a write can wait a little and be
// folded into the next (the controller's --status-interval); any other change (Ready reached or
// lost, an error, a new generation) cannot. Each comparison is made once.
enum class StatusChange { None, Progress, Other };
StatusChange statusChange(const Json& live, const Json& next);
// statusChange(live, next) == StatusChange::Progress.
bool progressOnly(const Json& live, const Json& next);

// What carrying out a plan gave: the plan's problems and the writes that failed, in order.
struct Progress {
  std::vector<std::string> errors;
  bool transient = false;                   // one of the errors may pass on a retry
  std::vector<std::string> secretsMissing;  // the plan's
  SecretCheck gatewayTls = SecretCheck::None;  // the plan's
  std::string gatewayTlsNamespace;              // the plan's
  size_t applied = 0, upToDate = 0, pruned = 0;
  size_t created = 0, updated = 0;    // of applied: missing objects made, changed intents written
  std::vector<std::string> reverted;  // of applied: "Kind/name" of objects put back after drift

  void fail(std::string message, bool permanent);
};

// Whether a reconcile that carried out `p` with this outcome left nothing to do while the app's
// children change only in status: nothing was to be written, created or deleted, no object was
// refused or unread, no Secret is missing, no write failed, and the gateway's TLS Secret (which
// nothing watches) was found or is not needed. Such a reconcile's Progress is the basis the
// controller makes the status from on the workloads' status updates that follow.
bool cleanPlan(const Plan& p, const Progress& progress);

// The words events and logs use for a plan's changes: "create", "update", "revert".
const char* changeName(Change c);

// The Applied event's message: "applied N object(s) (generation G): C created, U updated"
// (N = created + updated; objects put back after drift have their own event).
std::string appliedMessage(const Progress& p, int64_t generation);

// The DriftReverted event's message, naming the objects: "put back 2 object(s) changed outside
// the ShopApp: Deployment/web, Service/web" (at most 10 names, then "and N more").
std::string revertedMessage(const std::vector<std::string>& reverted);

// Whether `next` has Ready=True where `old` had not: the moment the Ready event is sent.
bool becameReady(const Json& old, const Json& next);

// The workloads of the app's components as observed (cache), by name: services run as
// Deployments, databases and brokers as StatefulSets. A name absent is not created yet.
// Each shared from the cache (not copied): the workload, or its workloadView when packed.
struct Workloads {
  std::map<std::string, Shared> deployments;
  std::map<std::string, Shared> statefulsets;
};

struct AppStatus {
  Json status;    // the ShopApp's whole status: the old one with what this reconcile knows
  Result result;  // how the reconcile ends, matching the conditions
  int ready = 0, total = 0;  // components
};

// The status of an app that was desired and planned (appObj: the ShopApp as the cache holds
// it; now: RFC 3339, for conditions that change). Conditions by precedence: a failed write or
// refused object (ApplyFailed: retried when transient, else Stalled and a terminal error),
// Secrets missing (Stalled; looked for again after kSecretPollInterval), components not ready
// (Progressing), else Ready.
AppStatus appStatus(const Json& appObj, const Desired& desired, const ClusterCapabilities& caps, const Progress& progress,
                    const Workloads& workloads, const std::string& now);
// The status of a ShopApp whose spec is invalid (InvalidSpec: Stalled, a terminal error).
AppStatus invalidStatus(const Json& appObj, const Diagnostics& diags, const std::string& now);

}  // namespace shop::op
