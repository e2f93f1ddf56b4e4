#pragma once
// What a reconcile decides, over plain data: what the ShopApp asks for (desire), what the
// controller saw in the cluster (Snapshot), and what to do about the difference (plan), with
// the Result a reconcile ends with. Pure: no network and no client here; the controller
// (controller.cpp) observes, carries the plan out, prunes and writes the status.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"
#include "core/render/render.hpp"

namespace shop::op {

// On a ShopApp, "true" lets it take over existing objects of its rendered names that no
// controller owns (say, those a `shopctl render | kubectl apply` made before the operator).
inline constexpr const char* kAdoptAnnotation = "shopctl.io/adopt-existing";
// How often an app waiting for Secrets it does not watch looks for them again.
inline constexpr std::chrono::milliseconds kSecretPollInterval{5000};
// How often the mesh gateway's TLS Secret is looked at again while it is not found or may not
// be read (403): neither it nor a grant is watched, and Ready does not wait for it.
inline constexpr std::chrono::milliseconds kGatewaySecretPollInterval{60000};

// How one reconcile ended: controller-runtime's reconcile.Result and its error in one value.
// An error is retried with the key's backoff, unless terminal (controller-runtime's
// TerminalError): a retry cannot fix it, so the app waits for a change.
struct Result {
  bool requeue = false;                       // queue the key again, with its backoff
  std::chrono::milliseconds requeueAfter{0};  // queue the key again after this long
  std::string error;                          // not empty: the reconcile failed
  bool terminal = false;                      // the error waits for a change, not a retry

  static Result done() { return {}; }
  static Result after(std::chrono::milliseconds d);
  // Come back within d: sets requeueAfter to d unless it is already set and sooner.
  void requeueWithin(std::chrono::milliseconds d);
  static Result failed(std::string why);
  static Result terminalError(std::string why);
  bool isError() const { return !error.empty(); }
  // The `result` label of controller_runtime_reconcile_total, chosen as controller-runtime
  // does: error, then requeue_after, then requeue, else success.
  const char* metricResult() const;
};

// Errors a retry cannot fix. 403 is not one of them: a missing RBAC rule gets fixed, and the
// app should follow without waiting for its next edit (retries back off exponentially).
bool isPermanent(int code);

// The optional kinds the cluster serves (from discovery): the mesh kinds need Istio's CRDs,
// ServiceMonitor the Prometheus operator's.
struct ClusterCapabilities {
  bool mesh = false;
  bool monitoring = false;
};

// What the ShopApp asks for.
struct Desired {
  std::optional<ShopApp> app;       // unset: the spec is invalid, and `invalid` says why
  Diagnostics invalid;
  std::vector<Json> objects;        // the render, in apply order, less the kinds not served, each
                                    // with its owner reference (owned kinds) and applied-hash
  std::vector<SecretSpec> secrets;  // Secrets the app needs (created when absent, if generate)
  size_t meshSkipped = 0;           // rendered mesh objects left out (no Istio CRDs)
  size_t monitorSkipped = 0;        // rendered ServiceMonitors left out (no CRD)
  size_t meshObjects = 0;           // of objects, Istio's (status.mesh.objects)
};

// Parses and validates the ShopApp (a ShopApp object as the API server holds it), renders it
// once, refuses a render where two parts make one object, leaves out the kinds the cluster
// does not serve, and gives each object what the operator applies with it (apply::withOwnership).
// A function of the ShopApp's uid, generation and spec and of caps alone: the controller keeps
// it while the app converges (Controller::desiredFor).
Desired desire(const Json& appObj, const ClusterCapabilities& caps);

// A Desired less its objects: what the controller keeps of a settled app, which is all its
// status is made of (appStatus reads the spec, the Secrets' names and the counts).
Desired withoutObjects(const Desired& d);

// A Secret the spec names without rendering it (env[].secret that is not optional, the
// gateway's TLS Secret): pods would not start, or TLS would not be served, without it.
// `required`: the app is not Ready without it (SecretsMissing). The mesh gateway's is not: it
// lives in the gateway pods' namespace, the mesh's to provision (often for many apps), and every
// workload of the app runs without it; GatewayTLSVerified reports it instead.
struct SecretRef {
  std::string name;
  std::string by;          // who needs it: "env TOKEN of service api"
  std::string namespace_;  // where its reader looks: the app's namespace, or (Istio) the gateway pods'
  bool gatewayTls = false;
  bool required = true;
};
// The mesh gateway's TLS Secret only when the cluster serves Istio's kinds (the Gateway is
// applied then).
std::vector<SecretRef> secretReferences(const ShopApp& app, const ClusterCapabilities& caps);
// How a Snapshot names a Secret: its name in the app's namespace, "namespace/name" in another.
std::string secretKey(const SecretRef& ref, const std::string& appNamespace);

// What the lookup of one Secret found.
enum class SecretCheck { None, Found, Missing, Unreadable };

// "Kind/namespace/name": how objects are named in a Snapshot.
std::string objectKey(const std::string& kind, const std::string& ns, const std::string& name);

// A lookup the API server answered with neither the object nor a 404.
struct LookupError {
  int code = 0;  // HTTP status, 0 on a transport error
  std::string message;
};

// An object as the controller's cache hands it out (kube::Cached): unpacked for this reconcile and
// never changed, shared by the Snapshot and whoever else reads it.
using Shared = std::shared_ptr<const Json>;

// A cached object labelled for the app, with the kind it was listed as.
struct Child {
  std::string apiVersion, kind;
  Shared object;
};

// What the controller saw in the cluster for one app, before writing anything.
struct Snapshot {
  ClusterCapabilities caps;
  // Desired objects that exist, from the cache or (owned kinds the cache does not hold) a GET.
  std::map<std::string, Shared> live;  // objectKey -> live object
  // Of the Secrets the app needs or names, those that exist: by name in the app's namespace,
  // as "namespace/name" in another (secretKey).
  std::set<std::string> secrets;
  // Secrets in another namespace the operator may not read (403): unknown, not missing.
  std::set<std::string> secretsForbidden;
  // Lookups that failed, of desired objects and of Secrets.
  std::map<std::string, LookupError> failed;  // objectKey -> why
  // Cached objects of the watched kinds labelled shopctl.io/app=<app> in its namespace, each
  // with its kind: the candidates for pruning. Less those in `verified`.
  std::vector<Child> children;
  // Desired objects the controller found holding this same intent before and that changed in
  // nothing but their status since (kube::Reflector::Stamped): up to date without a look, so
  // neither in `live` nor in `children` (a desired object is never a candidate for pruning).
  std::set<std::string> verified;  // objectKeys
  // The cache's stamps of the objects in `live` and `children` read from it (not those a GET
  // fetched), for the controller to remember which it found up to date (Plan::current).
  std::map<std::string, uint64_t> stamps;  // objectKey -> stamp
};

// Something in the plan that cannot be written: reported (ApplyFailed), never written.
struct Problem {
  std::string message;     // "Service/web: exists and was not created by this ShopApp; ..."
  bool permanent = false;  // true: a retry cannot fix it (Stalled)
};

// Why an object is written. Update: the intent changed (its applied-hash differs, or the live
// object has none). Revert: the live object carries the intent's hash yet no longer holds the
// intent, so someone changed it outside the ShopApp (drift); the operator puts it back and says so.
enum class Change { Create, Update, Revert };

struct ApplyStep {
  Json intent;  // the rendered object with owner reference and applied-hash
  Change change = Change::Create;
};

struct PruneTarget {
  std::string apiVersion, kind, name;  // in the app's namespace
  std::string uid;                     // the delete's precondition: never a newer namesake
};

struct Plan {
  std::vector<ApplyStep> apply;             // missing or drifted objects, in apply order
  std::vector<std::string> current;         // objectKeys of the objects the cluster already holds
                                            // as intended (Snapshot::verified among them)
  std::vector<SecretSpec> createSecrets;    // missing, with credentials.generate true
  std::vector<std::string> secretsMissing;  // "name (who needs it)": the user must make them
  SecretCheck gatewayTls = SecretCheck::None;  // the gateway's TLS Secret, when it has one
  std::string gatewayTlsNamespace;              // where it was looked for (SecretRef::namespace_)
  std::vector<PruneTarget> prune;           // only when every write of the reconcile succeeded
  std::vector<Problem> problems;            // objects refused or not looked up
};

// Decides what a reconcile writes. Objects this ShopApp did not create are refused (unless it
// is annotated adopt-existing and nobody controls them); objects whose applied-hash matches
// and whose live fields still hold the intent are left alone; owned objects no longer rendered
// are pruned (never Secrets, PVCs or the Namespace, never what another owner controls).
Plan plan(const Json& appObj, const Desired& desired, const Snapshot& snapshot);

}  // namespace shop::op
