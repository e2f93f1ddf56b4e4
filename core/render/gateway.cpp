// The single entry point: an Istio Gateway + VirtualService when the mesh is on, an
// Ingress when it is off.
#include <algorithm>

#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

Json httpRouteSettings(const Resilience& r);                                         // mesh.cpp
Json routeDestinations(const ShopApp& app, const Service& s, const Json& port);    // mesh.cpp

namespace {

struct Route {
  std::string prefix;
  const Service* service;
  int port;
};

std::vector<Route> routes(const ShopApp& app) {
  std::vector<Route> out;
  for (const auto& s : app.services) {
    if (!s.expose) continue;
    int port = s.ports[0].port;
    if (s.expose->port)
      for (const auto& p : s.ports)
        if (p.name == *s.expose->port || std::to_string(p.port) == *s.expose->port) port = p.port;
    for (const auto& prefix : s.expose->paths) out.push_back({prefix, &s, port});
  }
  // Longest prefix first, so "/" catches only what nothing else does.
  std::stable_sort(out.begin(), out.end(), [](const Route& a, const Route& b) {
    if (a.prefix.size() != b.prefix.size()) return a.prefix.size() > b.prefix.size();
    return a.prefix < b.prefix;
  });
  return out;
}

}  // namespace

void renderGateway(const ShopApp& app, Out& out) {
  if (!app.gateway.enabled) return;
  const auto rs = routes(app);
  if (rs.empty()) return;
  const std::string& ns = app.namespace_;
  const std::string name = app.name + "-gateway";
  const Json labels = componentLabels(app, name, "gateway");
  const auto& g = app.gateway;

  if (app.mesh.enabled) {
    Json gw = object("networking.istio.io/v1", "Gateway", name, ns, labels);
    Json servers = Json::array();
    Json http = {{"port", {{"number", 80}, {"name", "http"}, {"protocol", "HTTP"}}}, {"hosts", {g.host}}};
    if (g.tlsSecret && g.httpsRedirect) http["tls"] = {{"httpsRedirect", true}};
    servers.push_back(http);
    if (g.tlsSecret) {
      servers.push_back({{"port", {{"number", 443}, {"name", "https"}, {"protocol", "HTTPS"}}},
                         {"hosts", {g.host}},
                         {"tls", {{"mode", "SIMPLE"}, {"credentialName", *g.tlsSecret}, {"minProtocolVersion", "TLSV1_2"}}}});
    }
    Json selector = Json::object();
    for (const auto& [k, v] : g.selector) selector[k] = v;
    gw["spec"] = {{"selector", selector}, {"servers", servers}};
    out.add(gw);

    Json vs = object("networking.istio.io/v1", "VirtualService", name, ns, labels);
    Json http_ = Json::array();
    for (const auto& r : rs) {
      Json h = Json::object();
      h["name"] = r.service->name + (r.prefix == "/" ? "-root" : "-" + std::to_string(http_.size()));
      h["match"] = Json::array({{{"uri", {{"prefix", r.prefix}}}}});
      if (r.service->expose->rewrite) h["rewrite"] = {{"uri", *r.service->expose->rewrite}};
      h["route"] = routeDestinations(app, *r.service, {{"number", r.port}});
      Json settings = httpRouteSettings(r.service->resilience);
      for (auto it = settings.begin(); it != settings.end(); ++it) h[it.key()] = it.value();
      http_.push_back(h);
    }
    vs["spec"] = {{"hosts", {g.host}}, {"gateways", {name}}, {"http", http_}};
    out.add(vs);
    return;
  }

  Json ing = object("networking.k8s.io/v1", "Ingress", name, ns, labels);
  Json paths = Json::array();
  for (const auto& r : rs) {
    paths.push_back({{"path", r.prefix},
                     {"pathType", "Prefix"},
                     {"backend", {{"service", {{"name", r.service->name}, {"port", {{"number", r.port}}}}}}}});
  }
  Json rule = Json::object();
  if (g.host != "*") rule["host"] = g.host;
  rule["http"] = {{"paths", paths}};
  Json spec = {{"ingressClassName", g.ingressClassName}};
  if (g.tlsSecret) {
    Json tls = {{"secretName", *g.tlsSecret}};
    if (g.host != "*") tls["hosts"] = {g.host};
    spec["tls"] = Json::array({tls});
  }
  spec["rules"] = Json::array({rule});
  ing["spec"] = spec;
  out.add(ing);
}

}  // namespace shop::steps
