// NetworkPolicies: deny everything for the app's pods, then allow exactly the dependsOn
// edges, the calls to and from outside the app the services name (egress, ingress), gateway
// ingress, scraping, replication between members of a data store, DNS, and the mesh control
// plane.
#include <set>

#include "core/render/hardening.hpp"
#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

namespace {

Json portsJson(const std::vector<int>& ports) {
  Json arr = Json::array();
  std::set<int> seen;
  for (int p : ports)
    if (seen.insert(p).second) arr.push_back({{"protocol", "TCP"}, {"port", p}});
  return arr;
}

Json podPeer(const ShopApp& app, const std::string& component) { return shop::podPeer(selectorLabels(app, component)); }

// The peers of an egress or ingress rule: its addresses, or the pods of another namespace.
Json peersOf(const EgressRule& rule) {
  Json peers = Json::array();
  for (const auto& c : rule.cidrs) peers.push_back({{"ipBlock", {{"cidr", c}}}});
  if (!rule.namespace_.empty()) {
    Json peer = namespacePeer(rule.namespace_);
    if (!rule.podLabels.empty()) peer["podSelector"] = {{"matchLabels", Json(rule.podLabels)}};
    peers.push_back(peer);
  }
  return peers;
}

Json rulePorts(const EgressRule& rule) {
  Json ports = Json::array();
  for (const auto& p : rule.ports) ports.push_back({{"protocol", p.protocol}, {"port", p.port}});
  return ports;
}

std::vector<std::string> componentsOf(const ShopApp& app) {
  std::vector<std::string> out;
  for (const auto& s : app.services) out.push_back(s.name);
  for (const auto& d : app.databases) out.push_back(d.name);
  for (const auto& d : app.messaging) out.push_back(d.name);
  return out;
}

}  // namespace

void renderNetworkPolicies(const ShopApp& app, Out& out) {
  if (!app.security.networkPolicies) return;
  const std::string& ns = app.namespace_;

  // Baseline: every pod of the app is isolated both ways; only DNS leaves.
  Json base = object("networking.k8s.io/v1", "NetworkPolicy", app.name + "-baseline", ns, appLabels(app));
  base["spec"] = {
      {"podSelector", {{"matchLabels", {{kAppLabel, app.name}}}}},
      {"policyTypes", {"Ingress", "Egress"}},
      {"egress", Json::array({dnsEgressRule(app.security.dns.namespace_, Json(app.security.dns.podLabels), app.security.dns.cidrs)})},
  };
  out.add(base);

  for (const auto& name : componentsOf(app)) {
    const std::string role = roleOf(app, name);
    const std::vector<int> ports = componentPorts(app, name);
    Json ingress = Json::array();
    Json egress = Json::array();

    // Callers reach this component on its ports.
    Json from = Json::array();
    for (const Service* caller : callersOf(app, name)) from.push_back(podPeer(app, caller->name));
    if (!from.empty() && !ports.empty()) ingress.push_back({{"from", from}, {"ports", portsJson(ports)}});

    const Service* svc = app.findService(name);
    const DataStore* store = app.findStore(name);
    // Who calls it from outside the app, as the ShopApp says: on the ports given, or on all of its own.
    for (const auto& rule : ingressOf(app, name))
      ingress.push_back({{"from", peersOf(rule)}, {"ports", rule.ports.empty() ? portsJson(ports) : rulePorts(rule)}});
    if (svc && svc->expose && app.gateway.enabled) {
      std::vector<int> exposed;
      for (const auto& p : svc->ports) exposed.push_back(p.targetPort);
      // gateway.namespace "*": the ingress controller may run in any namespace.
      const Json from = app.gateway.namespace_ == "*" ? Json{{"namespaceSelector", Json::object()}} : namespacePeer(app.gateway.namespace_);
      ingress.push_back({{"from", Json::array({from})}, {"ports", portsJson(exposed)}});
    }
    // Members of a replicated store talk to each other on every port they use.
    if (store) {
      std::vector<int> peerPorts = {store->port};
      // epmd, inter-node distribution, and the CLI tools' distribution port (25672 + 10000).
      if (store->engine == Engine::RabbitMQ) peerPorts = {store->port, 4369, 25672, 35672};
      if (store->engine == Engine::Kafka) peerPorts = {store->port, 9093};
      if (store->engine == Engine::Redis) peerPorts = {store->port};
      ingress.push_back({{"from", Json::array({podPeer(app, name)})}, {"ports", portsJson(peerPorts)}});
      egress.push_back({{"to", Json::array({podPeer(app, name)})}, {"ports", portsJson(peerPorts)}});
    }
    // Scraping.
    if (app.monitoring.prometheus != "none") {
      std::vector<int> scrape;
      if (svc && svc->scrape.enabled && !svc->ports.empty()) scrape.push_back(svc->scrapeContainerPort());
      if (store && store->engine == Engine::RabbitMQ) scrape.push_back(15692);
      if (app.mesh.enabled) scrape.push_back(15020);
      if (!scrape.empty())
        ingress.push_back({{"from", Json::array({namespacePeer(app.monitoring.namespace_)})}, {"ports", portsJson(scrape)}});
    }
    // Dependencies.
    if (svc) {
      for (const auto& dep : svc->dependsOn) {
        auto depPorts = componentPorts(app, dep);
        if (!depPorts.empty()) egress.push_back({{"to", Json::array({podPeer(app, dep)})}, {"ports", portsJson(depPorts)}});
      }
      // What it calls outside the app, as the ShopApp says.
      for (const auto& rule : svc->egress) egress.push_back({{"to", peersOf(rule)}, {"ports", rulePorts(rule)}});
    }
    if (app.mesh.enabled) {
      egress.push_back({{"to", Json::array({namespacePeer(app.mesh.controlPlaneNamespace)})},
                        {"ports", portsJson({15012, 15014, 15017})}});
    }

    Json np = object("networking.k8s.io/v1", "NetworkPolicy", name, ns, componentLabels(app, name, role));
    Json spec = Json::object();
    spec["podSelector"] = {{"matchLabels", selectorLabels(app, name)}};
    spec["policyTypes"] = {"Ingress", "Egress"};
    spec["ingress"] = ingress;
    spec["egress"] = egress;
    np["spec"] = spec;
    out.add(np);
  }
}

}  // namespace shop::steps
