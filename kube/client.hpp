#pragma once
// A small dynamic client: any resource by group/version/plural, JSON in and out.
// Server-side apply with a field manager, the /status subresource, deletes with a
// propagation policy, paginated lists. Errors are values (Result), never exceptions.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/io/json.hpp"

#include "kube/transport.hpp"

namespace kube {

using Json = shop::Json;

struct Resource {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string kind;
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // The collection path (name empty) or an object path.
  std::string path(const std::string& ns, const std::string& name = "") const;
};

// The resources shopctl works with.
namespace resources {
extern const Resource ShopApp, Namespace, ServiceAccount, Secret, ConfigMap, Service, PersistentVolumeClaim, Deployment,
    StatefulSet, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, Ingress, Role, RoleBinding, Lease, Event,
    CoreEvent, Pod, Job, PeerAuthentication, AuthorizationPolicy, DestinationRule, VirtualService, Gateway, ServiceMonitor;
// The resource of an object's apiVersion + kind, if known.
const Resource* forObject(const Json& obj);
const Resource* forKind(const std::string& apiVersion, const std::string& kind);
const std::vector<const Resource*>& all();
}  // namespace resources

// What went wrong with a response, for a log line or a condition: "<reason>: <message>" from a
// Kubernetes Status body, the transport error when there was no response, else "HTTP <code>"
// (and the first 200 bytes of a body that is not a Status).
std::string failureMessage(int code, const Json& body, const std::string& error, const std::string& rawBody = "");

struct Result {
  int code = 0;  // HTTP status, 0 on transport errors
  Json body;     // the object, list or Status
  std::string error;
  bool fenced = false;  // a write the transport's write guard refused: not sent (code 0, error says why)
  bool timedOut = false;  // no answer within the transport's request timeout (code 0)

  bool ok() const { return code >= 200 && code < 300; }
  bool notFound() const { return code == 404; }
  bool conflict() const { return code == 409; }
  bool gone() const { return code == 410; }
  // "<reason>: <message>" from a Status body, or the transport error.
  std::string message() const;
};

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  int limit = 500;
  // Applied to each item as its page arrives, before the next page is asked for: a reflector
  // packs each item there and leaves null in its place, so a list of thousands of objects never
  // holds them all as trees at once.
  std::function<void(Json&)> eachItem;
  // Parses each page with parseLean (kube/leanjson.hpp): containers at their exact size and
  // metadata.managedFields left out, as a cache wants them.
  bool lean = false;
};

class Client {
 public:
  explicit Client(std::shared_ptr<Transport> t) : t_(std::move(t)) {}

  Result get(const Resource& r, const std::string& ns, const std::string& name);
  // All pages of a list, as one List object (items + metadata.resourceVersion).
  Result list(const Resource& r, const std::string& ns, const ListOptions& opts = {});
  Result create(const Resource& r, const std::string& ns, const Json& obj);
  // A create the API server checks in full (admission, schema, CEL rules, fieldValidation=Strict)
  // and stores nothing of (dryRun=All).
  Result createDryRun(const Resource& r, const std::string& ns, const Json& obj);
  Result replace(const Resource& r, const std::string& ns, const std::string& name, const Json& obj);
  // Server-side apply (application/apply-patch+yaml; JSON is YAML).
  Result apply(const Resource& r, const std::string& ns, const std::string& name, const Json& obj,
               const std::string& fieldManager, bool force = true, bool dryRun = false);
  Result applyStatus(const Resource& r, const std::string& ns, const std::string& name, const Json& obj,
                     const std::string& fieldManager);
  Result replaceStatus(const Resource& r, const std::string& ns, const std::string& name, const Json& obj);
  Result mergePatch(const Resource& r, const std::string& ns, const std::string& name, const Json& patch);
  // propagation: Background | Foreground | Orphan. A uid precondition guards against
  // deleting a newer object of the same name.
  Result remove(const Resource& r, const std::string& ns, const std::string& name,
                const std::string& propagation = "Background", const std::string& uid = "");
  // GET of any path (discovery).
  Result raw(const std::string& path);
  // A container's log as text (body is a JSON string; a Status object on errors). tailLines 0: all.
  Result podLog(const std::string& ns, const std::string& pod, const std::string& container = "", int tailLines = 0);

  Transport& transport() { return *t_; }
  std::shared_ptr<Transport> transportPtr() { return t_; }

  // When on, a successful write (anything but GET) leaves Result::body null instead of parsing
  // the object the API server sends back (managedFields and all): for a caller that reads only
  // the code and, on failure, the Status. Off by default.
  void skipWriteBodies(bool on) { skipWriteBodies_ = on; }

 private:
  enum class Parse { Full, Lean };
  Result call(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& contentType = "application/json", bool idempotent = true, Parse parse = Parse::Full);
  std::shared_ptr<Transport> t_;
  bool skipWriteBodies_ = false;
};

}  // namespace kube
