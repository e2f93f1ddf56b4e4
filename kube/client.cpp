#include "kube/client.hpp"

#include "kube/leanjson.hpp"

namespace kube {

std::string Resource::path(const std::string& ns, const std::string& name) const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + plural;
  if (!name.empty()) p += "/" + name;
  return p;
}

namespace resources {
const Resource ShopApp{"shopctl.io", "v1alpha1", "shopapps", "ShopApp"};
const Resource Namespace{"", "v1", "namespaces", "Namespace", false};
const Resource ServiceAccount{"", "v1", "serviceaccounts", "ServiceAccount"};
const Resource Secret{"", "v1", "secrets", "Secret"};
const Resource ConfigMap{"", "v1", "configmaps", "ConfigMap"};
const Resource Service{"", "v1", "services", "Service"};
const Resource PersistentVolumeClaim{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"};
const Resource Pod{"", "v1", "pods", "Pod"};
const Resource CoreEvent{"", "v1", "events", "Event"};
const Resource Job{"batch", "v1", "jobs", "Job"};
const Resource Deployment{"apps", "v1", "deployments", "Deployment"};
const Resource StatefulSet{"apps", "v1", "statefulsets", "StatefulSet"};
const Resource HorizontalPodAutoscaler{"autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"};
const Resource PodDisruptionBudget{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"};
const Resource NetworkPolicy{"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"};
const Resource Ingress{"networking.k8s.io", "v1", "ingresses", "Ingress"};
const Resource Role{"rbac.authorization.k8s.io", "v1", "roles", "Role"};
const Resource RoleBinding{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"};
const Resource Lease{"coordination.k8s.io", "v1", "leases", "Lease"};
const Resource Event{"events.k8s.io", "v1", "events", "Event"};
const Resource PeerAuthentication{"security.istio.io", "v1", "peerauthentications", "PeerAuthentication"};
const Resource AuthorizationPolicy{"security.istio.io", "v1", "authorizationpolicies", "AuthorizationPolicy"};
const Resource DestinationRule{"networking.istio.io", "v1", "destinationrules", "DestinationRule"};
const Resource VirtualService{"networking.istio.io", "v1", "virtualservices", "VirtualService"};
const Resource Gateway{"networking.istio.io", "v1", "gateways", "Gateway"};
const Resource ServiceMonitor{"monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor"};

const std::vector<const Resource*>& all() {
  static const std::vector<const Resource*> v = {
      &ShopApp, &Namespace, &ServiceAccount, &Secret, &ConfigMap, &Service, &PersistentVolumeClaim, &Pod,
      &Deployment, &StatefulSet, &HorizontalPodAutoscaler, &PodDisruptionBudget, &NetworkPolicy, &Ingress, &Role,
      &RoleBinding, &Lease, &Event, &PeerAuthentication, &AuthorizationPolicy, &DestinationRule, &VirtualService,
      &Gateway, &ServiceMonitor};
  return v;
}

const Resource* forObject(const Json& obj) { return forKind(obj.value("apiVersion", ""), obj.value("kind", "")); }

const Resource* forKind(const std::string& av, const std::string& kind) {
  for (const Resource* r : all())
    if (r->apiVersion() == av && r->kind == kind) return r;
  return nullptr;
}
}  // namespace resources

std::string failureMessage(int code, const Json& body, const std::string& error, const std::string& rawBody) {
  if (code == 0) return error.empty() ? "no response" : error;
  if (body.is_object() && body.value("kind", "") == "Status") {
    std::string m = body.value("reason", "");
    if (!m.empty()) m += ": ";
    return m + body.value("message", "");
  }
  if (!rawBody.empty()) return "HTTP " + std::to_string(code) + ": " + rawBody.substr(0, 200);
  return "HTTP " + std::to_string(code);
}

std::string Result::message() const { return failureMessage(code, body, error); }

Result Client::call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& contentType, bool idempotent, Parse parse) {
  Response r = t_->request(method, path, body, contentType, idempotent);
  Result out;
  out.code = r.status;
  out.error = r.error;
  out.fenced = r.fenced;
  out.timedOut = r.timedOut;
  if (skipWriteBodies_ && method != "GET" && out.ok()) return out;
  if (!r.body.empty()) {
    out.body = parse == Parse::Lean ? parseLean(r.body) : Json::parse(r.body, nullptr, false);
    if (out.body.is_discarded()) out.body = Json();
  }
  return out;
}

Result Client::get(const Resource& r, const std::string& ns, const std::string& name) {
  return call("GET", r.path(ns, name));
}

Result Client::list(const Resource& r, const std::string& ns, const ListOptions& opts) {
  Json items = Json::array();
  std::string cont;
  Result last;
  do {
    std::string q = "?limit=" + std::to_string(opts.limit);
    if (!opts.labelSelector.empty()) q += "&labelSelector=" + urlEncode(opts.labelSelector);
    if (!opts.fieldSelector.empty()) q += "&fieldSelector=" + urlEncode(opts.fieldSelector);
    if (!cont.empty()) q += "&continue=" + urlEncode(cont);
    last = call("GET", r.path(ns) + q, "", "application/json", true, opts.lean ? Parse::Lean : Parse::Full);
    if (!last.ok()) return last;
    for (auto& it : last.body["items"]) {
      if (opts.eachItem) opts.eachItem(it);
      items.push_back(std::move(it));
    }
    last.body.erase("items");  // this page's tree, before the next one is read
    cont = last.body["metadata"].value("continue", "");
  } while (!cont.empty());
  Result out = last;
  out.body["items"] = std::move(items);
  return out;
}

Result Client::create(const Resource& r, const std::string& ns, const Json& obj) {
  return call("POST", r.path(ns), obj.dump(), "application/json", false);
}

Result Client::createDryRun(const Resource& r, const std::string& ns, const Json& obj) {
  return call("POST", r.path(ns) + "?dryRun=All&fieldValidation=Strict", obj.dump(), "application/json", false);
}

Result Client::replace(const Resource& r, const std::string& ns, const std::string& name, const Json& obj) {
  return call("PUT", r.path(ns, name), obj.dump());
}

Result Client::apply(const Resource& r, const std::string& ns, const std::string& name, const Json& obj,
                     const std::string& fieldManager, bool force, bool dryRun) {
  std::string q = "?fieldManager=" + urlEncode(fieldManager) + (force ? "&force=true" : "") +
                  (dryRun ? "&dryRun=All" : "") + "&fieldValidation=Strict";
  return call("PATCH", r.path(ns, name) + q, obj.dump(), "application/apply-patch+yaml");
}

Result Client::applyStatus(const Resource& r, const std::string& ns, const std::string& name, const Json& obj,
                           const std::string& fieldManager) {
  return call("PATCH", r.path(ns, name) + "/status?fieldManager=" + urlEncode(fieldManager) + "&force=true",
              obj.dump(), "application/apply-patch+yaml");
}

Result Client::replaceStatus(const Resource& r, const std::string& ns, const std::string& name, const Json& obj) {
  return call("PUT", r.path(ns, name) + "/status", obj.dump());
}

Result Client::mergePatch(const Resource& r, const std::string& ns, const std::string& name, const Json& patch) {
  return call("PATCH", r.path(ns, name), patch.dump(), "application/merge-patch+json");
}

Result Client::remove(const Resource& r, const std::string& ns, const std::string& name, const std::string& propagation,
                      const std::string& uid) {
  Json opts = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"propagationPolicy", propagation}};
  if (!uid.empty()) opts["preconditions"] = {{"uid", uid}};
  return call("DELETE", r.path(ns, name), opts.dump());
}

Result Client::raw(const std::string& path) { return call("GET", path); }

Result Client::podLog(const std::string& ns, const std::string& pod, const std::string& container, int tailLines) {
  std::string q;
  if (!container.empty()) q += "container=" + urlEncode(container);
  if (tailLines > 0) q += std::string(q.empty() ? "" : "&") + "tailLines=" + std::to_string(tailLines);
  Response r = t_->request("GET", resources::Pod.path(ns, pod) + "/log" + (q.empty() ? "" : "?" + q), "", "application/json", true);
  Result out;
  out.code = r.status;
  out.error = r.error;
  out.timedOut = r.timedOut;
  if (out.ok()) {
    out.body = r.body;
  } else if (!r.body.empty()) {
    out.body = Json::parse(r.body, nullptr, false);
    if (out.body.is_discarded()) out.body = Json();
  }
  return out;
}

}  // namespace kube
