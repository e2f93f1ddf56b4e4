#include "core/audit/inventory.hpp"

#include <algorithm>
#include <cctype>

#include "core/audit/shape.hpp"
#include "core/util/match.hpp"

namespace shop::audit {

Position Manifest::locate(const std::string& path) const {
  if (!map) return {};
  std::string full = prefix;
  if (!path.empty()) full = full.empty() ? path : (path[0] == '[' ? full + path : full + "." + path);
  return map->lookup(full);
}

static bool isListKind(const Json& obj) {
  std::string kind = kindOf(obj);
  return kind.size() >= 4 && kind.ends_with("List") && field(obj, "items").is_array();
}

void addDocuments(std::vector<YamlDocument>& docs, std::vector<Manifest>& out, Diagnostics& diags) {
  for (auto& doc : docs) {
    auto map = std::make_shared<const SourceMap>(std::move(doc.map));
    auto bad = [&](const std::string& path, const std::string& msg) {
      Diagnostic d{Severity::Error, doc.file, map->lookup(path), path, msg};
      if (!d.pos.known()) d.pos = doc.start;
      diags.add(d);
    };
    auto take = [&](Json obj, const std::string& prefix) {
      if (!obj.is_object()) {
        bad(prefix, "expected a Kubernetes object (a mapping with apiVersion and kind)");
        return;
      }
      if (!field(obj, "apiVersion").is_string() || !field(obj, "kind").is_string()) {
        bad(prefix, "object has no apiVersion or kind");
        return;
      }
      if (!shapeOk(obj, prefix, bad)) return;  // wrong types: input errors, never analysed
      out.push_back(Manifest{std::move(obj), doc.file, map, prefix});
    };
    if (isListKind(doc.value)) {
      size_t i = 0;
      for (auto& item : doc.value["items"]) {
        take(std::move(item), indexPath("items", i));
        ++i;
      }
    } else {
      take(std::move(doc.value), "");
    }
  }
}

LoadResult loadManifests(const std::string& text, const std::string& file) {
  LoadResult r;
  auto y = loadYaml(text, file);
  if (!y.ok()) {
    r.diags.add(*y.error);
    return r;
  }
  addDocuments(y.documents, r.manifests, r.diags);
  return r;
}

std::string podSpecPathFor(const std::string& kind) {
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet" ||
      kind == "ReplicationController" || kind == "Job")
    return "spec.template.spec";
  if (kind == "CronJob") return "spec.jobTemplate.spec.template.spec";
  if (kind == "Pod") return "spec";
  return "";
}

Inventory::Inventory(std::vector<Manifest> manifests, std::vector<ExtraCall> extraCalls)
    : manifests_(std::move(manifests)) {
  indexWorkloads();
  buildCallGraph(extraCalls);
}

void Inventory::indexWorkloads() {
  for (size_t i = 0; i < manifests_.size(); ++i) {
    const Json& o = manifests_[i].object;
    std::string kind = kindOf(o);
    std::string path = podSpecPathFor(kind);
    if (path.empty() || !fieldAt(o, path).is_object()) continue;
    Workload w;
    w.object = i;
    w.kind = kind;
    w.podSpecPath = path;
    w.templatePath = kind == "Pod" ? "" : path.substr(0, path.size() - 5);  // drop ".spec"
    const Json& containers = field(fieldAt(o, path), "containers");
    std::vector<int> ports;
    if (containers.is_array() && !containers.empty()) {
      w.mainImage = str(field(containers[0], "image"));
      for (const auto& c : containers) {
        auto p = containerPorts(c);
        ports.insert(ports.end(), p.begin(), p.end());
      }
    }
    if (kind == "Job" || kind == "CronJob") {
      w.role = Role::Batch;
    } else if (kind == "DaemonSet") {
      w.role = Role::NodeAgent;
    } else {
      // The role of the pod is that of its first container that is not stateless.
      w.role = Role::Stateless;
      if (containers.is_array()) {
        for (const auto& c : containers) {
          Role r = guessRole(parseImage(str(field(c, "image"))), containerPorts(c), nameOf(o));
          if (isDataStore(r)) {
            w.role = r;
            break;
          }
        }
      }
    }
    workloads_.push_back(w);
  }
}

const Json& Inventory::podSpec(const Workload& w) const { return fieldAt(object(w.object), w.podSpecPath); }

const Json& Inventory::podTemplateLabels(const Workload& w) const {
  const Json& o = object(w.object);
  return w.templatePath.empty() ? fieldAt(o, "metadata.labels") : fieldAt(o, w.templatePath + ".metadata.labels");
}

Json Inventory::selectorLabels(const Workload& w) const {
  const Json& o = object(w.object);
  std::string sel = w.kind == "CronJob" ? "spec.jobTemplate.spec.selector.matchLabels" : "spec.selector.matchLabels";
  const Json& ml = fieldAt(o, sel);
  if (ml.is_object() && !ml.empty()) return ml;
  if (w.kind == "ReplicationController" && field(o["spec"], "selector").is_object()) return o["spec"]["selector"];
  const Json& labels = podTemplateLabels(w);
  return labels.is_object() ? labels : Json::object();
}

std::vector<ContainerRef> Inventory::containers(const Workload& w, bool withInit) const {
  std::vector<ContainerRef> out;
  const Json& spec = podSpec(w);
  auto add = [&](const char* key, bool init) {
    const Json& list = field(spec, key);
    if (!list.is_array()) return;
    for (size_t i = 0; i < list.size(); ++i) {
      out.push_back({i, init, indexPath(w.podSpecPath + "." + key, i), str(field(list[i], "name"))});
    }
  };
  if (withInit) add("initContainers", true);
  add("containers", false);
  return out;
}

std::vector<size_t> Inventory::ofKind(const std::string& kind) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < manifests_.size(); ++i)
    if (kindOf(manifests_[i].object) == kind) out.push_back(i);
  return out;
}

std::optional<size_t> Inventory::find(const std::string& kind, const std::string& ns, const std::string& name) const {
  for (size_t i = 0; i < manifests_.size(); ++i) {
    const Json& o = manifests_[i].object;
    if (kindOf(o) == kind && namespaceOf(o) == ns && nameOf(o) == name) return i;
  }
  return std::nullopt;
}

std::vector<size_t> Inventory::servicesSelecting(const Workload& w) const {
  std::vector<size_t> out;
  const Json& labels = podTemplateLabels(w);
  std::string ns = namespaceOf(object(w.object));
  for (size_t s : ofKind("Service")) {
    if (namespaceOf(object(s)) != ns) continue;
    if (mapSelectorMatches(fieldAt(object(s), "spec.selector"), labels)) out.push_back(s);
  }
  return out;
}

std::vector<size_t> Inventory::workloadsSelectedBy(size_t service) const {
  std::vector<size_t> out;
  const Json& sel = fieldAt(object(service), "spec.selector");
  std::string ns = namespaceOf(object(service));
  for (size_t i = 0; i < workloads_.size(); ++i) {
    const auto& w = workloads_[i];
    if (namespaceOf(object(w.object)) != ns) continue;
    if (mapSelectorMatches(sel, podTemplateLabels(w))) out.push_back(i);
  }
  return out;
}

std::vector<size_t> Inventory::pdbsFor(const Workload& w) const {
  std::vector<size_t> out;
  const Json& labels = podTemplateLabels(w);
  std::string ns = namespaceOf(object(w.object));
  for (size_t p : ofKind("PodDisruptionBudget")) {
    if (namespaceOf(object(p)) != ns) continue;
    if (labelSelectorMatches(fieldAt(object(p), "spec.selector"), labels)) out.push_back(p);
  }
  return out;
}

std::vector<size_t> Inventory::hpasFor(const Workload& w) const {
  std::vector<size_t> out;
  const Json& o = object(w.object);
  for (size_t h : ofKind("HorizontalPodAutoscaler")) {
    const Json& ref = fieldAt(object(h), "spec.scaleTargetRef");
    if (namespaceOf(object(h)) == namespaceOf(o) && str(field(ref, "kind")) == w.kind &&
        str(field(ref, "name")) == nameOf(o))
      out.push_back(h);
  }
  return out;
}

void Inventory::networkCoverage(const Workload& w, bool& ingress, bool& egress) const {
  ingress = egress = false;
  const Json& labels = podTemplateLabels(w);
  std::string ns = namespaceOf(object(w.object));
  for (size_t n : ofKind("NetworkPolicy")) {
    const Json& np = object(n);
    if (namespaceOf(np) != ns) continue;
    const Json& sel = fieldAt(np, "spec.podSelector");
    if (!labelSelectorMatches(sel.is_null() ? Json::object() : sel, labels)) continue;
    const Json& types = fieldAt(np, "spec.policyTypes");
    if (types.is_array() && !types.empty()) {
      for (const auto& t : types) {
        if (t == "Ingress") ingress = true;
        if (t == "Egress") egress = true;
      }
    } else {
      ingress = true;
      if (fieldAt(np, "spec.egress").is_array()) egress = true;
    }
  }
}

bool Inventory::istioInUse() const {
  for (const auto& m : manifests_) {
    const Json& o = m.object;
    std::string group = apiGroup(str(field(o, "apiVersion")));
    if (group.ends_with("istio.io")) return true;
    const Json& labels = fieldAt(o, "metadata.labels");
    if (kindOf(o) == "Namespace" &&
        (field(labels, "istio-injection") == "enabled" || field(labels, "istio.io/rev").is_string()))
      return true;
  }
  for (const auto& w : workloads_) {
    const Json& o = object(w.object);
    std::string base = w.templatePath.empty() ? "metadata" : w.templatePath + ".metadata";
    if (field(fieldAt(o, base + ".annotations"), "sidecar.istio.io/inject") == "true") return true;
    if (field(fieldAt(o, base + ".labels"), "sidecar.istio.io/inject") == "true") return true;
  }
  return false;
}

std::optional<int64_t> Inventory::effectiveReplicas(const Workload& w) const {
  if (w.kind != "Deployment" && w.kind != "StatefulSet" && w.kind != "ReplicaSet" && w.kind != "ReplicationController")
    return std::nullopt;
  auto hpas = hpasFor(w);
  if (!hpas.empty()) {
    const Json& min = fieldAt(object(hpas[0]), "spec.minReplicas");
    return min.is_number_integer() ? min.get<int64_t>() : 1;
  }
  const Json& r = fieldAt(object(w.object), "spec.replicas");
  return r.is_number_integer() ? r.get<int64_t>() : 1;
}

// ---- call graph ----------------------------------------------------------------------------

std::vector<HostRef> findHostRefs(const std::string& text, bool bareIsHost) {
  std::vector<HostRef> out;
  // Userinfo in URLs (scheme://user:pass@host) is not a host.
  std::vector<std::pair<size_t, size_t>> skip;
  for (size_t p = text.find("://"); p != std::string::npos; p = text.find("://", p + 3)) {
    size_t start = p + 3;
    size_t end = text.find_first_of("/?# \t\n", start);
    if (end == std::string::npos) end = text.size();
    size_t at = text.find('@', start);
    if (at != std::string::npos && at < end) skip.emplace_back(start, at);
  }
  auto wordChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  // Both lists run left to right and the userinfo spans do not overlap: one walk serves.
  size_t nextSkip = 0;
  for (auto [b, e] : match::dnsSubdomainRuns(text)) {
    if (b > 0 && (wordChar(text[b - 1]) || text[b - 1] == '.')) continue;
    if (e < text.size() && (wordChar(text[e]) || text[e] == '(')) continue;  // "tcp(" is not a host
    while (nextSkip < skip.size() && skip[nextSkip].second <= b) ++nextSkip;
    if (nextSkip < skip.size() && b >= skip[nextSkip].first) continue;
    std::string token = text.substr(b, e - b);
    int port = 0;
    bool hostContext = false;
    if (e + 1 < text.size() && text[e] == ':' && std::isdigit(static_cast<unsigned char>(text[e + 1]))) {
      size_t q = e + 1;
      while (q < text.size() && std::isdigit(static_cast<unsigned char>(text[q]))) ++q;
      if (q == text.size() || !wordChar(text[q])) {
        port = std::stoi(text.substr(e + 1, std::min<size_t>(q - e - 1, 6)));
        hostContext = true;
      }
    }
    if (b >= 3 && text.compare(b - 3, 3, "://") == 0) hostContext = true;
    if (b >= 1 && text[b - 1] == '@') hostContext = true;
    if (b >= 4 && text.compare(b - 4, 4, "tcp(") == 0) hostContext = true;
    if (token.find(".svc") != std::string::npos) hostContext = true;
    if (bareIsHost && b == 0 && e == text.size()) hostContext = true;
    if (!hostContext) continue;
    // name, name.ns, name.ns.svc, name.ns.svc.cluster.local
    std::vector<std::string> labels;
    size_t s = 0;
    while (true) {
      size_t d = token.find('.', s);
      labels.push_back(token.substr(s, d == std::string::npos ? std::string::npos : d - s));
      if (d == std::string::npos) break;
      s = d + 1;
    }
    HostRef ref{labels[0], "", port, false, ""};
    if (labels.size() == 2) {
      ref.ns = labels[1];  // name.ns, or a StatefulSet pod's pod.name (resolved by the caller)
    } else if (labels.size() >= 4 && labels[2] != "svc" && labels[3] == "svc") {
      // pod.name.ns.svc[.cluster.local]: a StatefulSet pod's DNS name, a call to Service name
      ref = HostRef{labels[1], labels[2], port, true, labels[0]};
    } else if (labels.size() >= 3) {
      if (labels[2] != "svc") continue;  // some other domain
      ref.ns = labels[1];
      ref.svcForm = true;
    }
    out.push_back(ref);
  }
  return out;
}

static bool hostishName(const std::string& envName) {
  std::string n;
  for (char c : envName) n += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* k : {"HOST", "ADDR", "URL", "URI", "SERVER", "ENDPOINT", "SERVICE", "BROKER", "DSN"})
    if (n.find(k) != std::string::npos) return true;
  return false;
}

// The non-empty items of "a, b,c", trimmed.
static std::vector<std::string> commaList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void Inventory::addEdge(CallEdge e) {
  for (const auto& c : calls_) {
    if (c.from == e.from && c.toService == e.toService && c.toNamespace == e.toNamespace && c.toName == e.toName) return;
  }
  calls_.push_back(std::move(e));
}

void Inventory::scanConfigMap(const std::string& ns, const std::string& name, const std::string& how,
                              const TextScan& scan) const {
  auto cm = find("ConfigMap", ns, name);
  if (!cm) return;
  const Json& data = field(object(*cm), "data");
  if (!data.is_object()) return;
  for (const auto& [k, v] : data.items()) scan(str(v), hostishName(k), how + " ConfigMap " + name + " key " + k);
}

void Inventory::scanContainerTexts(const Json& cj, const std::string& ns, const TextScan& scan) const {
  for (const auto& e : fieldArr(cj, "env")) {
    std::string name = str(field(e, "name"));
    if (field(e, "value").is_string()) {
      scan(str(field(e, "value")), hostishName(name), "env " + name + "=" + str(field(e, "value")));
    }
    const Json& cmRef = fieldAt(e, "valueFrom.configMapKeyRef");
    if (cmRef.is_object()) {
      auto cm = find("ConfigMap", ns, str(field(cmRef, "name")));
      if (cm) {
        const Json& v = fieldAt(object(*cm), "data." + str(field(cmRef, "key")));
        scan(str(v), hostishName(name), "env " + name + " from ConfigMap " + str(field(cmRef, "name")));
      }
    }
  }
  for (const auto& ef : fieldArr(cj, "envFrom")) {
    if (fieldAt(ef, "configMapRef.name").is_string()) scanConfigMap(ns, str(fieldAt(ef, "configMapRef.name")), "envFrom", scan);
  }
  for (const char* key : {"command", "args"}) {
    const Json& list = field(cj, key);
    if (!list.is_array()) continue;
    for (const auto& a : list) {
      if (a.is_string()) scan(str(a), false, std::string(key) + " " + str(a));
    }
  }
}

void Inventory::buildCallGraph(const std::vector<ExtraCall>& extra) {
  // Services by namespace and name.
  std::map<std::pair<std::string, std::string>, size_t> services;
  std::set<std::string> namespaces;
  for (size_t s : ofKind("Service")) services[{namespaceOf(object(s)), nameOf(object(s))}] = s;
  for (size_t n : ofKind("Namespace")) namespaces.insert(nameOf(object(n)));
  for (const auto& m : manifests_) namespaces.insert(namespaceOf(m.object));

  for (size_t wi = 0; wi < workloads_.size(); ++wi) {
    const Workload& w = workloads_[wi];
    const Json& o = object(w.object);
    std::string ns = namespaceOf(o);
    auto link = [&](const HostRef& ref, const std::string& evidence) {
      std::string targetNs = ref.ns.empty() ? ns : ref.ns;
      auto it = services.find({targetNs, ref.name});
      // "pod.name" with no namespace `name` but a Service `name` here: a StatefulSet pod's DNS
      // name (mongo-0.mongo), a call to that Service.
      if (it == services.end() && !ref.svcForm && !ref.ns.empty() && !namespaces.count(ref.ns))
        it = services.find({ns, ref.ns});
      if (it != services.end()) {
        // A workload calling its own Service is not an edge.
        auto selected = workloadsSelectedBy(it->second);
        if (std::find(selected.begin(), selected.end(), wi) != selected.end()) return;
        addEdge({wi, it->second, "", ref.name, ref.port, evidence});
      } else if (!ref.ns.empty() && ref.ns != ns && (ref.svcForm || namespaces.count(ref.ns))) {
        // "name.other" may as well be a domain (example.com): only .svc names and known namespaces count
        addEdge({wi, std::nullopt, ref.ns, ref.name, ref.port, evidence});
      }
    };
    auto scan = [&](const std::string& text, bool bare, const std::string& evidence) {
      for (const auto& ref : findHostRefs(text, bare)) link(ref, evidence);
    };
    const Json& spec = podSpec(w);
    for (const auto& c : containers(w, true))
      scanContainerTexts(field(spec, c.init ? "initContainers" : "containers")[c.index], ns, scan);
    for (const auto& v : fieldArr(spec, "volumes")) {
      if (fieldAt(v, "configMap.name").is_string()) scanConfigMap(ns, str(fieldAt(v, "configMap.name")), "volume", scan);
    }
    // Explicit edges: the annotation on the workload, then the image table.
    const Json& ann = fieldAt(o, "metadata.annotations");
    for (const auto& name : commaList(str(field(ann, "shopctl.io/calls"))))
      for (const auto& r : findHostRefs(name, true)) link(r, "annotation shopctl.io/calls");
    for (const auto& c : containers(w, false)) {
      const Json& cj = field(spec, "containers")[c.index];
      if (const auto* p = findProfile(parseImage(str(field(cj, "image"))))) {
        for (const auto& callee : p->calls) link(HostRef{callee, "", 0, false, ""}, "known calls of image " + p->repository);
      }
    }
    for (const auto& x : extra) {
      if (x.from == nameOf(o)) link(HostRef{x.to, "", 0, false, ""}, "--call " + x.from + "=" + x.to);
    }
  }
}

std::vector<size_t> Inventory::callersOf(size_t service) const {
  std::vector<size_t> out;
  for (const auto& e : calls_) {
    if (e.toService == service && std::find(out.begin(), out.end(), e.from) == out.end()) out.push_back(e.from);
  }
  return out;
}

bool Inventory::isEntryPoint(size_t service) const {
  const Json& svc = object(service);
  std::string type = str(fieldAt(svc, "spec.type"));
  if (type == "NodePort" || type == "LoadBalancer") return true;
  for (size_t i : ofKind("Ingress")) {
    const Json& ing = object(i);
    if (namespaceOf(ing) != namespaceOf(svc)) continue;
    // spec.defaultBackend / rules[].http.paths[].backend.service.name (v1) or serviceName (v1beta1)
    auto targets = [&](const Json& backend) {
      return str(fieldAt(backend, "service.name")) == nameOf(svc) || str(field(backend, "serviceName")) == nameOf(svc);
    };
    if (targets(fieldAt(ing, "spec.defaultBackend")) || targets(fieldAt(ing, "spec.backend"))) return true;
    const Json& rules = fieldAt(ing, "spec.rules");
    if (!rules.is_array()) continue;
    for (const auto& r : rules) {
      const Json& paths = fieldAt(r, "http.paths");
      if (!paths.is_array()) continue;
      for (const auto& p : paths)
        if (targets(field(p, "backend"))) return true;
    }
  }
  return false;
}

}  // namespace shop::audit
