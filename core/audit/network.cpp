// Network: exposure (Service types, Ingress TLS), NetworkPolicies, and Istio policies.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

const Rule kExposureRules[] = {
    {.id = "exposure-service-type",
     .level = Level::Medium,
     .family = "exposure",
     .title = "Service is exposed with NodePort or LoadBalancer",
     .rationale = "A NodePort opens the port on every node's address, a LoadBalancer on the internet, both in plain "
         "HTTP unless the app terminates TLS, and both bypass the Ingress where TLS, host rules and rate limits live.",
     .fix = "Use type ClusterIP and publish the entry point through an Ingress (or Gateway) with TLS.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (size_t s : inv.ofKind("Service")) {
      std::string type = str(fieldAt(inv.object(s), "spec.type"));
      if (type == "NodePort" || type == "LoadBalancer")
        res.fail(s, "spec.type", "Service type " + type + " exposes it outside the cluster");
      else
        res.pass(s);
    }
  }},
    {.id = "exposure-ingress-tls",
     .level = Level::High,
     .family = "exposure",
     .title = "Ingress serves without TLS",
     .rationale = "Sessions, passwords and card numbers cross the network in clear text.",
     .fix = "Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it).",
     .autoFix = false,
     .check = [](const Inventory& inv, Results& res) {
    for (size_t i : inv.ofKind("Ingress")) {
      const Json& tls = fieldAt(inv.object(i), "spec.tls");
      if (tls.is_array() && !tls.empty())
        res.pass(i);
      else
        res.fail(i, "spec", "Ingress has no tls section");
    }
  }},
};

}  // namespace

std::vector<Rule> exposureRules() { return {std::begin(kExposureRules), std::end(kExposureRules)}; }

namespace {

const Rule kNetworkRules[] = {
    {.id = "network-policy-missing",
     .level = Level::Medium,
     .family = "network",
     .title = "No NetworkPolicy restricts the workload's ingress and egress",
     .rationale = "Without a NetworkPolicy every pod in the cluster can reach these pods (and they can reach anything): "
         "one compromised service can talk to every database.",
     .fix = "Add a default-deny policy for the namespace and per-workload policies that allow exactly the calls "
          "the app makes (plus DNS).",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    // A pod on the node's network is not isolated by any NetworkPolicy, whatever selects it.
    if (field(inv.podSpec(w), "hostNetwork") == true)
      return failed(w.podSpecPath + ".hostNetwork", "the pods use hostNetwork: NetworkPolicies do not apply to them "
                                                    "(they share the node's network), so nothing restricts their traffic");
    bool in = false, out = false;
    inv.networkCoverage(w, in, out);
    if (in && out)
      return passed();
    else
      return failed(w.templatePath.empty() ? "metadata" : w.templatePath + ".metadata",
               std::string("no NetworkPolicy restricts ") + (!in && !out ? "ingress or egress" : !in ? "ingress" : "egress") +
                   " of these pods");
  })},
};

}  // namespace

std::vector<Rule> networkRules() { return {std::begin(kNetworkRules), std::end(kNetworkRules)}; }

namespace {

const Rule kMeshRules[] = {
    {.id = "mesh-timeout-retries",
     .level = Level::Medium,
     .family = "mesh",
     .title = "Called HTTP service has no mesh timeout and retries (Istio)",
     .rationale = "Without a timeout a slow dependency holds its callers' threads until they exhaust; without retries "
         "a single reset connection during a rollout fails a user request.",
     .fix = "Add a VirtualService with a route timeout (15s) and 2 attempts on connect-failure,refused-stream,"
          "reset-before-request, the failures where the request never reached the server (safe for non-idempotent "
          "calls).",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    if (!inv.istioInUse()) return;
    for (size_t s : inv.ofKind("Service")) {
      if (inv.callersOf(s).empty() || !serviceIsHttp(inv, s)) continue;
      bool ok = false;
      for (size_t vs : istioPoliciesFor(inv, s, "VirtualService")) {
        const Json& http = fieldAt(inv.object(vs), "spec.http");
        if (!http.is_array()) continue;
        for (const auto& route : http)
          if (!field(route, "timeout").is_null() && field(route, "retries").is_object()) ok = true;
      }
      if (ok)
        res.pass(s);
      else
        res.fail(s, "metadata", "Service is called by other workloads but no VirtualService sets a timeout and retries");
    }
  }},
    {.id = "mesh-outlier-detection",
     .level = Level::Medium,
     .family = "mesh",
     .title = "Called service has no outlier detection (Istio)",
     .rationale = "Without outlier detection the mesh keeps sending a share of requests to a replica that fails every "
         "one of them.",
     .fix = "Add a DestinationRule with trafficPolicy.outlierDetection. Services in front of "
          "a single database pod are exempt: there is no other endpoint to send traffic to.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    if (!inv.istioInUse()) return;
    for (size_t s : inv.ofKind("Service")) {
      if (inv.callersOf(s).empty() || !hasReplicatedBackends(inv, s)) continue;
      bool ok = false;
      for (size_t dr : istioPoliciesFor(inv, s, "DestinationRule"))
        if (fieldAt(inv.object(dr), "spec.trafficPolicy.outlierDetection").is_object()) ok = true;
      if (ok)
        res.pass(s);
      else
        res.fail(s, "metadata", "Service is called by other workloads but no DestinationRule sets outlierDetection");
    }
  }},
};

}  // namespace

std::vector<Rule> meshRules() { return {std::begin(kMeshRules), std::end(kMeshRules)}; }

// Whether harden knows every call a workload makes: its image is in the image table (which
// lists the Services it calls, maybe none), it carries the shopctl.io/calls annotation, or
// --call names its calls. Otherwise it may call anything by a host name baked into its image.
bool callsKnown(const Inventory& inv, const std::vector<ExtraCall>& extra, size_t wi) {
  const Workload& w = inv.workloads()[wi];
  const Json& o = inv.object(w.object);
  if (findProfile(parseImage(w.mainImage))) return true;
  if (field(fieldAt(o, "metadata.annotations"), "shopctl.io/calls").is_string()) return true;
  for (const auto& x : extra)
    if (x.from == nameOf(o)) return true;
  return false;
}

namespace fix {

namespace {

// Every address, IPv4 and IPv6: the peers of a way in from outside the cluster.
Json anyAddress() { return Json::array({{{"ipBlock", {{"cidr", "0.0.0.0/0"}}}}, {{"ipBlock", {{"cidr", "::/0"}}}}}); }

Json targetPorts(const Json& svc, int onlyPort) {
  Json out = Json::array();
  const Json& ports = fieldAt(svc, "spec.ports");
  if (!ports.is_array()) return out;
  for (const auto& p : ports) {
    if (onlyPort && field(p, "port") != onlyPort) continue;
    Json target = field(p, "targetPort").is_null() ? field(p, "port") : p["targetPort"];
    Json entry = {{"protocol", field(p, "protocol").is_string() ? p["protocol"] : Json("TCP")}, {"port", target}};
    if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(entry);
  }
  if (out.empty() && onlyPort) return targetPorts(svc, 0);
  return out;
}

// The NetworkPolicy peer for a workload's pods, as seen from a policy in namespace policyNs. A
// peer with only a podSelector matches pods of the policy's own namespace: a workload of another
// namespace also needs a namespaceSelector naming its namespace.
Json workloadPeer(const Inventory& inv, size_t wi, const std::string& policyNs) {
  Json peer = podPeer(inv.selectorLabels(inv.workloads()[wi]));
  const std::string ns = namespaceOf(inv.object(inv.workloads()[wi].object));
  if (ns != policyNs) peer["namespaceSelector"] = {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}};
  return peer;
}

bool onNodeNetwork(const Inventory& inv, size_t wi) {
  return field(inv.podSpec(inv.workloads()[wi]), "hostNetwork") == true;
}

// The NetworkPolicy peers a workload's traffic is matched by. A pod on the node's network
// (hostNetwork) has its node's address, which no pod or namespace selector matches (the
// Kubernetes documentation leaves it to the network plugin, and the common ones treat it as
// node traffic): only an ipBlock does, and harden cannot know the nodes' addresses, so any.
Json peersOf(const Inventory& inv, size_t wi, const std::string& policyNs) {
  return onNodeNetwork(inv, wi) ? anyAddress() : Json::array({workloadPeer(inv, wi, policyNs)});
}

// NetworkPolicy peers for the pods of these workloads, each once.
Json podPeers(const Inventory& inv, const std::vector<size_t>& workloads, const std::string& policyNs) {
  Json out = Json::array();
  for (size_t wi : workloads)
    for (const auto& peer : peersOf(inv, wi, policyNs))
      if (std::find(out.begin(), out.end(), peer) == out.end()) out.push_back(peer);
  return out;
}

// The workloads of a Service's namespace whose calls are not known, other than the ones it
// serves: any of them may call it.
std::vector<size_t> unknownCallers(const Inventory& inv, const std::vector<ExtraCall>& extra, size_t s) {
  std::vector<size_t> out;
  const auto served = inv.workloadsSelectedBy(s);
  for (size_t wi = 0; wi < inv.workloads().size(); ++wi)
    if (namespaceOf(inv.object(inv.workloads()[wi].object)) == namespaceOf(inv.object(s)) &&
        std::find(served.begin(), served.end(), wi) == served.end() && !callsKnown(inv, extra, wi))
      out.push_back(wi);
  return out;
}

}  // namespace

void Hardener::service(size_t s) {
  const Json& orig = inv_.object(s);
  std::string ns = namespaceOf(orig), name = nameOf(orig);
  bool entry = inv_.isEntryPoint(s);
  Json& o = objs_[s];
  std::string type = str(fieldAt(o, "spec.type"));
  if ((type == "NodePort" || type == "LoadBalancer") && want(s, "exposure-service-type")) {
    if (staysExposed(s)) {
      // ClusterIP with no Ingress in front would cut off every client outside the cluster.
      warn(s, "type " + type + " kept: as ClusterIP it would cut off every client outside the cluster; "
              "harden --ingress-host HOST publishes it through an Ingress with TLS and then makes it ClusterIP");
    } else {
      Json& spec = o["spec"];
      std::string released;
      if (spec.contains("ports") && spec["ports"].is_array())
        for (auto& p : spec["ports"]) {
          if (p.contains("nodePort")) {
            released += (released.empty() ? "" : ", ") + p["nodePort"].dump();
            p.erase("nodePort");
          }
        }
      for (const char* k : {"externalTrafficPolicy", "loadBalancerIP", "loadBalancerSourceRanges",
                            "allocateLoadBalancerNodePorts", "healthCheckNodePort", "loadBalancerClass"})
        spec.erase(k);
      spec["type"] = "ClusterIP";
      change("exposure-service-type", s,
             "type " + type + " -> ClusterIP" + (released.empty() ? "" : " (node port " + released + " released)") +
                 "; published through the Ingress below");
    }
  }
  if (entry && !opts_.ingressHost.empty() && !hasIngress(s)) addIngress(s);
  if ((opts_.mesh || inv_.istioInUse()) && !inv_.callersOf(s).empty()) meshPolicies(s, ns, name);
}

bool Hardener::staysExposed(size_t s) const {
  const std::string type = str(fieldAt(inv_.object(s), "spec.type"));
  if (type != "NodePort" && type != "LoadBalancer") return false;
  return opts_.ingressHost.empty() || !want(s, "exposure-service-type");
}

bool Hardener::hasIngress(size_t s) const {
  for (size_t i : inv_.ofKind("Ingress")) {
    if (namespaceOf(inv_.object(i)) != namespaceOf(inv_.object(s))) continue;
    if (inv_.object(i).dump().find("\"" + nameOf(inv_.object(s)) + "\"") != std::string::npos) return true;
  }
  return false;
}

void Hardener::addIngress(size_t s) {
  const Json& svc = inv_.object(s);
  std::string ns = namespaceOf(svc), name = nameOf(svc);
  const Json& ports = fieldAt(svc, "spec.ports");
  if (!ports.is_array() || ports.empty()) return;
  Json ing = newObject("networking.k8s.io/v1", "Ingress", freeName("Ingress", ns, name), ns, fieldAt(svc, "metadata.labels"));
  Json spec = Json::object();
  if (!opts_.ingressClass.empty()) spec["ingressClassName"] = opts_.ingressClass;
  spec["tls"] = Json::array({{{"hosts", Json::array({opts_.ingressHost})}, {"secretName", name + "-tls"}}});
  spec["rules"] = Json::array(
      {{{"host", opts_.ingressHost},
        {"http",
         {{"paths", Json::array({{{"path", "/"},
                                  {"pathType", "Prefix"},
                                  {"backend", {{"service", {{"name", name}, {"port", {{"number", ports[0]["port"]}}}}}}}}})}}}}});
  ing["spec"] = spec;
  changeNew("exposure-ingress-tls", ing,
            "added for " + opts_.ingressHost + " with TLS from Secret " + name + "-tls (provide the certificate, e.g. with cert-manager)");
  add(s, false, std::move(ing));
}

void Hardener::meshPolicies(size_t s, const std::string& ns, const std::string& name) {
  std::string host = ns.empty() ? name : name + "." + ns + ".svc.cluster.local";
  bool http = serviceIsHttp(inv_, s);
  const Json& labels = fieldAt(inv_.object(s), "metadata.labels");
  if (http && want(s, "mesh-timeout-retries")) {
    bool ok = false;
    for (size_t vs : istioPoliciesFor(inv_, s, "VirtualService")) {
      const Json& routes = fieldAt(inv_.object(vs), "spec.http");
      if (routes.is_array())
        for (const auto& r : routes) ok |= !field(r, "timeout").is_null() && field(r, "retries").is_object();
      if (!ok) warn(vs, "has no route timeout and retries; not changed (edit it, or remove it to let harden add one)");
      ok = true;  // never add a second VirtualService for the same host
    }
    if (!ok) {
      Json vs = newObject("networking.istio.io/v1", "VirtualService", freeName("VirtualService", ns, name), ns, labels);
      const Json route = meshHttpRoute(host, {{"timeout", kMesh.timeout}, {"retries", meshRetries()}});
      vs["spec"] = {{"hosts", Json::array({host})}, {"http", Json::array({route})}};
      changeNew("mesh-timeout-retries", vs,
                std::string("added: timeout ") + kMesh.timeout + ", " + std::to_string(kMesh.attempts) + " attempts on " +
                    kMesh.retryOn);
      add(s, false, std::move(vs));
    }
  }
  if (want(s, "mesh-outlier-detection") && hasReplicatedBackends(inv_, s)) {
    auto existing = istioPoliciesFor(inv_, s, "DestinationRule");
    bool ok = false;
    for (size_t dr : existing) ok |= fieldAt(inv_.object(dr), "spec.trafficPolicy.outlierDetection").is_object();
    if (!ok && !existing.empty()) {
      Json& tp = at(objs_[existing[0]], "spec.trafficPolicy");
      if (!tp.is_object()) tp = Json::object();
      tp["outlierDetection"] = meshOutlierDetection();
      change("mesh-outlier-detection", existing[0], "added trafficPolicy.outlierDetection");
    } else if (!ok) {
      Json dr = newObject("networking.istio.io/v1", "DestinationRule", freeName("DestinationRule", ns, name), ns, labels);
      dr["spec"] = {{"host", host}, {"trafficPolicy", {{"outlierDetection", meshOutlierDetection()}}}};
      changeNew("mesh-outlier-detection", dr, "added: outlier detection (5 consecutive 5xx, eject 30s, at most 50%)");
      add(s, false, std::move(dr));
    }
  }
}

// Ingress of a workload's policy: its callers, ingress controllers for entry points, scrapers.
Json Hardener::policyIngress(const Workload& w, std::vector<std::string>& why) {
  Json ingress = Json::array();
  for (size_t s : inv_.servicesSelecting(w)) {
    const Json& svc = inv_.object(s);
    Json ports = targetPorts(svc, 0);
    if (ports.empty()) continue;
    Json from = Json::array();
    std::string names;
    for (size_t caller : inv_.callersOf(s)) {
      for (const auto& peer : peersOf(inv_, caller, namespaceOf(svc)))
        if (std::find(from.begin(), from.end(), peer) == from.end()) from.push_back(peer);
      names += (names.empty() ? "" : ", ") + nameOf(inv_.object(inv_.workloads()[caller].object)) +
               (onNodeNetwork(inv_, caller) ? " (on the node's network: any address)" : "");
    }
    // Workloads whose calls harden cannot see may call it too: cutting them off would break the app.
    for (size_t caller : unknownCallers(inv_, opts_.calls, s)) {
      bool added = false;
      for (const auto& peer : peersOf(inv_, caller, namespaceOf(svc)))
        if (std::find(from.begin(), from.end(), peer) == from.end()) {
          from.push_back(peer);
          added = true;
        }
      if (added)
        names += (names.empty() ? "" : ", ") + nameOf(inv_.object(inv_.workloads()[caller].object)) + " (calls not visible)";
    }
    if (from.empty() && !inv_.isEntryPoint(s))
      warn(w.object, "no workload calls Service " + nameOf(svc) +
                         " as far as the manifests show, so its NetworkPolicy lets no pod reach it; if something does, "
                         "name the call (harden --call FROM=" + nameOf(svc) + ", or the shopctl.io/calls annotation)");
    if (!from.empty()) {
      ingress.push_back({{"from", from}, {"ports", ports}});
      why.push_back("from " + names + " to Service " + nameOf(svc));
    }
    if (inv_.isEntryPoint(s)) {
      ingress.push_back({{"from", Json::array({{{"namespaceSelector", Json::object()}}})}, {"ports", ports}});
      why.push_back("from any namespace (ingress controller) to entry point " + nameOf(svc));
    }
    // A NodePort or LoadBalancer Service is reached from outside the cluster: its clients are
    // addresses, not pods, and no pod or namespace selector admits them (with
    // externalTrafficPolicy: Local they keep their own address; otherwise they arrive from
    // another node's address). Cut off, the app would be down for everyone outside.
    if (staysExposed(s)) {
      ingress.push_back({{"from", anyAddress()}, {"ports", ports}});
      why.push_back("from anywhere to " + str(fieldAt(svc, "spec.type")) + " Service " + nameOf(svc) +
                    ", the way in from outside the cluster");
    }
    const Json& ann = fieldAt(svc, "metadata.annotations");
    if (field(ann, "prometheus.io/scrape") == "true" && !opts_.monitoringNamespace.empty()) {
      Json scrape = ports;
      std::string port = str(field(ann, "prometheus.io/port"));
      if (!port.empty() && std::all_of(port.begin(), port.end(), ::isdigit))
        scrape = Json::array({{{"protocol", "TCP"}, {"port", std::stoi(port)}}});
      ingress.push_back({{"from", Json::array({namespacePeer(opts_.monitoringNamespace)})}, {"ports", scrape}});
      why.push_back("scrapes from namespace " + opts_.monitoringNamespace);
    }
  }
  // A hostPort is the pods' way in from outside the cluster (clients dial the node's address):
  // a policy that only lets the app's callers in would cut them off, so it stays open to all.
  const Json& containers = field(inv_.podSpec(w), "containers");
  for (size_t c = 0; containers.is_array() && c < containers.size(); ++c) {
    const Json& cports = field(containers[c], "ports");
    for (size_t p = 0; cports.is_array() && p < cports.size(); ++p) {
      const Json& host = field(cports[p], "hostPort");
      const Json& target = field(cports[p], "containerPort");
      if (!host.is_number_integer() || host.get<int>() <= 0 || !target.is_number_integer()) continue;
      const std::string protocol = field(cports[p], "protocol").is_string() ? str(field(cports[p], "protocol")) : "TCP";
      ingress.push_back({{"from", anyAddress()}, {"ports", Json::array({{{"protocol", protocol}, {"port", target}}})}});
      why.push_back("from anywhere to host port " + std::to_string(host.get<int>()) + " (container port " +
                    std::to_string(target.get<int>()) + "), the way in from outside the cluster");
    }
  }
  return ingress;
}

// Egress of a workload's policy: the Services and namespaces it calls.
Json Hardener::policyEgress(size_t wi, std::vector<std::string>& why) {
  std::map<std::string, Json> egressByTarget;
  for (const auto& e : inv_.calls()) {
    if (e.from != wi) continue;
    if (e.toService) {
      const Json& svc = inv_.object(*e.toService);
      auto callees = inv_.workloadsSelectedBy(*e.toService);
      if (callees.empty()) continue;
      Json rule = {{"to", podPeers(inv_, callees, namespaceOf(inv_.object(inv_.workloads()[wi].object)))},
                   {"ports", targetPorts(svc, 0)}};
      // Keyed by name in the workload's namespace, by namespace/name across namespaces.
      const std::string ownNs = namespaceOf(inv_.object(inv_.workloads()[wi].object));
      const std::string key = namespaceOf(svc) == ownNs ? nameOf(svc) : namespaceOf(svc) + "/" + nameOf(svc);
      const bool nodeNetwork = std::any_of(callees.begin(), callees.end(), [&](size_t c) { return onNodeNetwork(inv_, c); });
      if (!egressByTarget.count(key))
        why.push_back("to Service " + key + " (" + e.evidence + ")" +
                      (nodeNetwork ? ", any address on its ports: its pods are on the node's network" : ""));
      egressByTarget[key] = rule;
    } else {
      Json rule = {{"to", Json::array({namespacePeer(e.toNamespace)})}};
      std::string key = "ns/" + e.toNamespace;
      if (!egressByTarget.count(key)) why.push_back("to namespace " + e.toNamespace + " (" + e.evidence + ")");
      egressByTarget[key] = rule;
    }
  }
  // A workload whose calls harden cannot see may call any Service of its namespace.
  const Workload& self = inv_.workloads()[wi];
  if (!callsKnown(inv_, opts_.calls, wi)) {
    const std::string ns = namespaceOf(inv_.object(self.object)), me = nameOf(inv_.object(self.object));
    for (size_t s : inv_.ofKind("Service")) {
      const Json& svc = inv_.object(s);
      const auto callees = inv_.workloadsSelectedBy(s);
      if (namespaceOf(svc) != ns || egressByTarget.count(nameOf(svc)) || callees.empty() ||
          std::find(callees.begin(), callees.end(), wi) != callees.end() || targetPorts(svc, 0).empty())
        continue;
      why.push_back("to Service " + nameOf(svc) + " (the calls of " + me + " are not visible)");
      egressByTarget[nameOf(svc)] = {{"to", podPeers(inv_, callees, ns)}, {"ports", targetPorts(svc, 0)}};
    }
    warn(self.object, "the calls of " + me +
                          " are not visible in the manifests (a host name baked into its image?), so its NetworkPolicy "
                          "lets it reach every Service of namespace " + ns +
                          " and they accept it; name its calls to allow only those (harden --call " + me +
                          "=SERVICE,..., or the shopctl.io/calls annotation)");
  }
  Json egress = Json::array();
  for (auto& [k, v] : egressByTarget) egress.push_back(v);
  return egress;
}

void Hardener::networkPolicy(size_t wi) {
  const Workload& w = inv_.workloads()[wi];
  size_t i = w.object;
  if (!want(i, "network-policy-missing")) return;
  const Json& o = inv_.object(i);
  std::string ns = namespaceOf(o);
  if (field(inv_.podSpec(w), "hostNetwork") == true) {
    warn(i, "no NetworkPolicy added: the pods use hostNetwork, and a NetworkPolicy has no effect on a pod that "
            "shares the node's network; drop hostNetwork (reach the pods through a Service) to isolate them");
    return;
  }
  const Json& labels = inv_.podTemplateLabels(w);
  // Already covered by a policy written for these pods (not just a namespace-wide one)?
  for (size_t n : inv_.ofKind("NetworkPolicy")) {
    const Json& np = inv_.object(n);
    const Json& sel = fieldAt(np, "spec.podSelector");
    if (namespaceOf(np) != ns || !sel.is_object() || sel.empty()) continue;
    if (labelSelectorMatches(sel, labels)) return;
  }
  Json selector = inv_.selectorLabels(w);
  std::vector<std::string> why;
  Json ingress = policyIngress(w, why);
  Json egress = policyEgress(wi, why);
  if (ingress.empty() && egress.empty()) return;  // the namespace's default deny says it all
  std::string name = freeName("NetworkPolicy", ns, nameOf(o));
  Json np = newObject("networking.k8s.io/v1", "NetworkPolicy", name, ns, selector);
  Json spec = Json::object();
  spec["podSelector"] = {{"matchLabels", selector}};
  spec["policyTypes"] = Json::array({"Ingress", "Egress"});
  if (!ingress.empty()) spec["ingress"] = ingress;
  if (!egress.empty()) spec["egress"] = egress;
  np["spec"] = spec;
  std::string msg = "added: allows ";
  for (size_t k = 0; k < why.size(); ++k) msg += (k ? "; " : "") + why[k];
  changeNew("network-policy-missing", np, msg);
  add(i, false, std::move(np));
  policyNamespaces_.insert(ns);
}

void Hardener::namespacePolicies() {
  std::set<std::string> namespaces;
  for (const auto& w : inv_.workloads())
    if (want(w.object, "network-policy-missing") && field(inv_.podSpec(w), "hostNetwork") != true)
      namespaces.insert(namespaceOf(inv_.object(w.object)));
  for (const auto& ns : namespaces) {
    bool denied = false;
    for (size_t n : inv_.ofKind("NetworkPolicy")) {
      const Json& np = inv_.object(n);
      const Json& sel = fieldAt(np, "spec.podSelector");
      const Json& types = fieldAt(np, "spec.policyTypes");
      if (namespaceOf(np) != ns || !(sel.is_object() && sel.empty()) || !types.is_array()) continue;
      bool in = std::find(types.begin(), types.end(), Json("Ingress")) != types.end();
      bool out = std::find(types.begin(), types.end(), Json("Egress")) != types.end();
      if (in && out && !fieldAt(np, "spec.ingress").is_array()) denied = true;
    }
    if (denied) continue;
    // After the Namespace object, else before the namespace's first workload.
    size_t anchor = 0;
    bool before = true;
    if (auto n = inv_.find("Namespace", "", ns)) {
      anchor = *n;
      before = false;
    } else {
      for (const auto& w : inv_.workloads())
        if (namespaceOf(inv_.object(w.object)) == ns) {
          anchor = w.object;
          break;
        }
    }
    Json np = newObject("networking.k8s.io/v1", "NetworkPolicy", freeName("NetworkPolicy", ns, "default-deny"), ns, Json::object());
    np["spec"] = {{"podSelector", Json::object()},
                  {"policyTypes", Json::array({"Ingress", "Egress"})},
                  {"egress", Json::array({dnsEgressRule(opts_.dnsNamespace, Json(opts_.dnsPodLabels), opts_.dnsCidrs)})}};
    std::string dnsTo = "DNS to " + opts_.dnsNamespace;
    for (const auto& c : opts_.dnsCidrs) dnsTo += " and " + c;
    changeNew("network-policy-missing", np,
              "added: denies all traffic in the namespace except " + dnsTo + "; the per-workload policies open the calls the app makes");
    add(anchor, before, std::move(np));
  }
}

}  // namespace fix

}  // namespace shop::audit
