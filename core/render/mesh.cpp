// Istio: mTLS for the app's pods, AuthorizationPolicies that allow exactly the dependsOn
// edges, and per-service VirtualService (timeouts, retries, faults) and DestinationRule
// (connection pool, outlier detection) for every service something calls.
#include "core/render/hardening.hpp"
#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

namespace {

std::string host(const ShopApp& app, const std::string& name) {
  return name + "." + app.namespace_ + ".svc.cluster.local";
}

std::string principal(const std::string& ns, const std::string& sa) {
  return "cluster.local/ns/" + ns + "/sa/" + sa;
}

// What a service gets when its ShopApp says nothing: the shared mesh defaults (hardening.hpp).
Resilience withDefaults(const Resilience& r) {
  Resilience out = r;
  if (!out.timeout) out.timeout = kMesh.timeout;
  if (!out.retries) out.retries = Retries{kMesh.attempts, std::nullopt, std::string(kMesh.retryOn)};
  if (!out.outlierDetection)
    out.outlierDetection = OutlierDetection{kMesh.consecutive5xxErrors, std::nullopt, std::string(kMesh.interval),
                                            std::string(kMesh.baseEjectionTime), kMesh.maxEjectionPercent, std::nullopt};
  return out;
}

}  // namespace

// Route settings shared by the mesh VirtualService and the gateway's routes.
Json httpRouteSettings(const Resilience& raw) {
  const Resilience r = withDefaults(raw);
  Json j = Json::object();
  if (r.timeout) j["timeout"] = *r.timeout;
  if (r.retries) {
    Json rt = {{"attempts", r.retries->attempts}};
    if (r.retries->attempts > 0) {
      if (r.retries->perTryTimeout) rt["perTryTimeout"] = *r.retries->perTryTimeout;
      if (r.retries->retryOn) rt["retryOn"] = *r.retries->retryOn;
    }
    j["retries"] = rt;
  }
  if (r.faults) {
    Json f = Json::object();
    if (r.faults->delay)
      f["delay"] = {{"fixedDelay", r.faults->delay->fixedDelay}, {"percentage", {{"value", r.faults->delay->percentage}}}};
    if (r.faults->abort)
      f["abort"] = {{"httpStatus", r.faults->abort->httpStatus}, {"percentage", {{"value", r.faults->abort->percentage}}}};
    j["fault"] = f;
  }
  return j;
}

// Where a route to service s sends requests: its host; when its versions carry weights, the
// subset of each version with a weight above 0, with that weight. (Without weights, as Istio
// does by default: the host's endpoints, every version's pods alike.) port: a destination port
// ({number: N}) or null.
Json routeDestinations(const ShopApp& app, const Service& s, const Json& port) {
  auto destination = [&](const ServiceVersion* v) {
    Json d = {{"host", host(app, s.name)}};
    if (v) d["subset"] = v->name;
    if (!port.is_null()) d["port"] = port;
    return d;
  };
  if (!s.weighted()) return Json::array({{{"destination", destination(nullptr)}}});
  Json route = Json::array();
  for (const auto& v : s.versions)
    if (*v.weight > 0) route.push_back({{"destination", destination(&v)}, {"weight", *v.weight}});
  return route;
}

void renderMesh(const ShopApp& app, Out& out) {
  if (!app.mesh.enabled) return;
  const std::string& ns = app.namespace_;

  // Brokers are reached on every member: a member that fails its connections is ejected.
  // (Primary/replica databases are reached on one pod only: there is nothing to eject to.)
  for (const auto& d : app.messaging) {
    Json dr = object("networking.istio.io/v1", "DestinationRule", d.name, ns, componentLabels(app, d.name, "broker"));
    dr["spec"] = {{"host", host(app, d.name)},
                  {"trafficPolicy",
                   {{"outlierDetection", meshOutlierDetection(34)},
                    {"tls", {{"mode", "ISTIO_MUTUAL"}}}}}};
    out.add(dr);
  }

  Json pa = object("security.istio.io/v1", "PeerAuthentication", app.name, ns, appLabels(app));
  pa["spec"] = {{"selector", {{"matchLabels", {{kAppLabel, app.name}}}}}, {"mtls", {{"mode", app.mesh.mtls}}}};
  out.add(pa);

  std::vector<std::string> components;
  for (const auto& s : app.services) components.push_back(s.name);
  for (const auto& d : app.databases) components.push_back(d.name);
  for (const auto& d : app.messaging) components.push_back(d.name);

  if (app.mesh.authorizationPolicies) {
    for (const auto& name : components) {
      Json principals = Json::array();
      for (const Service* caller : callersOf(app, name))
        principals.push_back(principal(ns, app.security.serviceAccounts ? caller->name : "default"));
      const Service* svc = app.findService(name);
      if (svc && svc->expose && app.gateway.enabled)
        principals.push_back(principal(app.gateway.namespace_, app.gateway.serviceAccount));
      if (app.findStore(name)) principals.push_back(principal(ns, app.security.serviceAccounts ? name : "default"));
      Json ap = object("security.istio.io/v1", "AuthorizationPolicy", name, ns, componentLabels(app, name, roleOf(app, name)));
      Json spec = {{"selector", {{"matchLabels", selectorLabels(app, name)}}}, {"action", "ALLOW"}};
      // An ALLOW policy with no rules allows nothing: a component nobody calls is closed.
      Json rules = Json::array();
      if (!principals.empty()) rules.push_back({{"from", Json::array({{{"source", {{"principals", principals}}}}})}});
      // Callers outside the app (ingress): by their namespace (the mesh identity has no pod
      // labels; the NetworkPolicy narrows to them) or by address, on the ports given.
      for (const auto& in : ingressOf(app, name)) {
        Json source = in.namespace_.empty() ? Json{{"ipBlocks", in.cidrs}} : Json{{"namespaces", Json::array({in.namespace_})}};
        Json rule = {{"from", Json::array({{{"source", source}}})}};
        if (!in.ports.empty()) {
          Json ports = Json::array();
          for (const auto& p : in.ports) ports.push_back(std::to_string(p.port));
          rule["to"] = Json::array({{{"operation", {{"ports", ports}}}}});
        }
        rules.push_back(rule);
      }
      if (!rules.empty()) spec["rules"] = rules;
      ap["spec"] = spec;
      out.add(ap);
    }
  }

  for (const auto& s : app.services) {
    if (s.ports.empty()) continue;
    const Resilience r = withDefaults(s.resilience);
    // Connection pools and outlier detection apply to every client of the service, the
    // gateway included: every service that serves gets a DestinationRule. The in-mesh route
    // (timeouts, retries, faults) matters only when something in the mesh calls it.
    // Weighted versions need the route too, whoever calls.
    const bool routed = !callersOf(app, s.name).empty() || s.resilience.timeout || s.resilience.retries ||
                        s.resilience.faults || s.weighted();
    Json dr = object("networking.istio.io/v1", "DestinationRule", s.name, ns, componentLabels(app, s.name, "service"));
    Json tp = Json::object();
    if (r.connectionPool) {
      Json tcp = Json::object(), http = Json::object();
      const auto& cp = *r.connectionPool;
      if (cp.maxConnections) tcp["maxConnections"] = *cp.maxConnections;
      if (cp.connectTimeout) tcp["connectTimeout"] = *cp.connectTimeout;
      if (cp.http1MaxPendingRequests) http["http1MaxPendingRequests"] = *cp.http1MaxPendingRequests;
      if (cp.http2MaxRequests) http["http2MaxRequests"] = *cp.http2MaxRequests;
      if (cp.maxRequestsPerConnection) http["maxRequestsPerConnection"] = *cp.maxRequestsPerConnection;
      if (cp.maxRetries) http["maxRetries"] = *cp.maxRetries;
      Json pool = Json::object();
      if (!tcp.empty()) pool["tcp"] = tcp;
      if (!http.empty()) pool["http"] = http;
      if (!pool.empty()) tp["connectionPool"] = pool;
    }
    if (r.outlierDetection) {
      const auto& o = *r.outlierDetection;
      Json od = Json::object();
      if (o.consecutive5xxErrors) od["consecutive5xxErrors"] = *o.consecutive5xxErrors;
      if (o.consecutiveGatewayErrors) od["consecutiveGatewayErrors"] = *o.consecutiveGatewayErrors;
      if (o.interval) od["interval"] = *o.interval;
      if (o.baseEjectionTime) od["baseEjectionTime"] = *o.baseEjectionTime;
      if (o.maxEjectionPercent) od["maxEjectionPercent"] = *o.maxEjectionPercent;
      if (o.minHealthPercent) od["minHealthPercent"] = *o.minHealthPercent;
      tp["outlierDetection"] = od;
    }
    tp["tls"] = {{"mode", "ISTIO_MUTUAL"}};
    dr["spec"] = {{"host", host(app, s.name)}, {"trafficPolicy", tp}};
    if (!s.versions.empty()) {
      Json subsets = Json::array();
      for (const auto& v : s.versions) subsets.push_back({{"name", v.name}, {"labels", {{kVersionLabel, v.name}}}});
      dr["spec"]["subsets"] = subsets;
    }
    out.add(dr);
    if (!routed) continue;

    Json vs = object("networking.istio.io/v1", "VirtualService", s.name, ns, componentLabels(app, s.name, "service"));
    Json http = meshHttpRoute(host(app, s.name), httpRouteSettings(s.resilience));
    if (s.weighted()) http["route"] = routeDestinations(app, s, Json());
    vs["spec"] = {{"hosts", {host(app, s.name)}}, {"http", Json::array({http})}};
    out.add(vs);
  }
}

}  // namespace shop::steps
