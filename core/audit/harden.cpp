#include "core/audit/harden.hpp"

#include <algorithm>
#include <functional>
#include <random>

#include "core/audit/rule.hpp"
#include "core/audit/rules_util.hpp"
#include "core/render/hardening.hpp"
#include "core/render/security.hpp"

namespace shop::audit {

namespace {

constexpr const char* kManagedBy = "app.kubernetes.io/managed-by";
constexpr const char* kManagedByValue = "shopctl";

Json& at(Json& o, const std::string& dotted) {
  std::string ptr = "/" + dotted;
  std::replace(ptr.begin(), ptr.end(), '.', '/');
  return o[Json::json_pointer(ptr)];
}

const Json& emptyArray() {
  static const Json a = Json::array();
  return a;
}

bool has(const Json& o, const std::string& key) { return o.is_object() && o.contains(key) && !o[key].is_null(); }

std::string volumeNameFor(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '/') {
      if (!out.empty() && out.back() != '-') out += '-';
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "data" : out;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string randomValue(uint64_t seed, const std::string& salt) {
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::mt19937_64 rng(seed ^ fnv1a(salt));
  std::uniform_int_distribution<size_t> pick(0, sizeof(alphabet) - 2);
  std::string out;
  for (int i = 0; i < 24; ++i) out += alphabet[pick(rng)];
  return out;
}

std::string envNameFrom(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "V_" + out;
  return out;
}

Json metadataFor(const std::string& name, const std::string& ns, const Json& labels) {
  Json md = Json::object();
  md["name"] = name;
  if (!ns.empty()) md["namespace"] = ns;
  Json l = labels.is_object() ? labels : Json::object();
  l[kManagedBy] = kManagedByValue;
  md["labels"] = l;
  return md;
}

Json newObject(const std::string& apiVersion, const std::string& kind, const std::string& name, const std::string& ns,
               const Json& labels) {
  Json o = Json::object();
  o["apiVersion"] = apiVersion;
  o["kind"] = kind;
  o["metadata"] = metadataFor(name, ns, labels);
  return o;
}

struct Generated {
  size_t anchor;
  bool before;
  Json object;
};

class Hardener {
 public:
  Hardener(const std::vector<Manifest>& input, const HardenOptions& opts) : inv_(input, opts.calls), opts_(opts) {
    for (const auto& m : input) objs_.push_back(m.object);
  }

  HardenResult run() {
    for (size_t i = 0; i < objs_.size(); ++i) deprecatedApi(i);
    for (size_t n : inv_.ofKind("Namespace")) namespaceLabels(n);
    for (size_t p : inv_.ofKind("PodDisruptionBudget")) pdbPolicy(p);
    for (size_t wi = 0; wi < inv_.workloads().size(); ++wi) workload(wi);
    for (size_t s : inv_.ofKind("Service")) service(s);
    namespacePolicies();
    HardenResult out;
    out.changes = std::move(changes_);
    out.warnings = std::move(warnings_);
    for (size_t i = 0; i < objs_.size(); ++i) {
      for (const auto& g : gens_)
        if (g.anchor == i && g.before) out.objects.push_back(g.object);
      out.objects.push_back(objs_[i]);
      for (const auto& g : gens_)
        if (g.anchor == i && !g.before) out.objects.push_back(g.object);
    }
    return out;
  }

 private:
  bool want(size_t obj, const char* rule) const { return !opts_.disabled.count(rule) && !ignoredOn(inv_, obj, rule); }
  void change(const char* rule, size_t obj, std::string msg) {
    changes_.push_back({rule, describe(objs_[obj]), std::move(msg)});
  }
  void changeNew(const char* rule, const Json& created, std::string msg) {
    changes_.push_back({rule, describe(created), std::move(msg)});
  }
  void warn(size_t obj, const std::string& msg) { warnings_.push_back(describe(objs_[obj]) + ": " + msg); }

  bool exists(const std::string& kind, const std::string& ns, const std::string& name) const {
    if (inv_.find(kind, ns, name)) return true;
    for (const auto& g : gens_)
      if (kindOf(g.object) == kind && namespaceOf(g.object) == ns && nameOf(g.object) == name) return true;
    return false;
  }
  std::string freeName(const std::string& kind, const std::string& ns, const std::string& name) const {
    if (!exists(kind, ns, name)) return name;
    for (int i = 2;; ++i)
      if (!exists(kind, ns, name + "-" + std::to_string(i))) return name + "-" + std::to_string(i);
  }
  void add(size_t anchor, bool before, Json o) { gens_.push_back({anchor, before, std::move(o)}); }

  // ---- objects ------------------------------------------------------------------------------

  void deprecatedApi(size_t i) {
    Json& o = objs_[i];
    std::string av = str(field(o, "apiVersion"));
    std::string kind = kindOf(o);
    if (kind == "HorizontalPodAutoscaler" && want(i, "deprecated-api-version")) {
      std::string tav = str(fieldAt(o, "spec.scaleTargetRef.apiVersion"));
      const ApiRename* t = removedApi(tav, str(fieldAt(o, "spec.scaleTargetRef.kind")));
      if (t && *t->replacement) {
        o["spec"]["scaleTargetRef"]["apiVersion"] = t->replacement;
        change("deprecated-api-version", i, "scaleTargetRef.apiVersion " + tav + " -> " + t->replacement);
      }
    }
    const ApiRename* a = removedApi(av, kind);
    if (!a || !want(i, "deprecated-api-version")) return;
    if (!a->automatic || !*a->replacement) {
      warn(i, av + " " + kind + " was removed in Kubernetes " + a->removedIn + " and needs a manual conversion");
      return;
    }
    o["apiVersion"] = a->replacement;
    std::string note;
    if (kind == "Deployment" || kind == "DaemonSet" || kind == "ReplicaSet" || kind == "StatefulSet") {
      if (o.contains("spec") && o["spec"].is_object()) {
        o["spec"].erase("rollbackTo");
        o["spec"].erase("templateGeneration");
        if (!fieldAt(o, "spec.selector").is_object() && fieldAt(o, "spec.template.metadata.labels").is_object()) {
          o["spec"]["selector"] = {{"matchLabels", o["spec"]["template"]["metadata"]["labels"]}};
          note = "; spec.selector set from the pod template labels (apps/v1 requires it)";
        }
      }
    } else if (kind == "Ingress") {
      convertIngress(o);
      note = "; backends rewritten to service.name/port and paths given pathType ImplementationSpecific";
    } else if (kind == "HorizontalPodAutoscaler" && av == "autoscaling/v2beta1") {
      convertHpaMetrics(o);
    }
    change("deprecated-api-version", i, av + " -> " + a->replacement + note);
  }

  static Json ingressBackend(const Json& b) {
    if (!b.is_object() || !b.contains("serviceName")) return b;
    Json port = Json::object();
    const Json& sp = b["servicePort"];
    if (sp.is_number_integer())
      port["number"] = sp;
    else if (sp.is_string())
      port["name"] = sp;
    return {{"service", {{"name", b["serviceName"]}, {"port", port}}}};
  }

  static void convertIngress(Json& o) {
    if (!o.contains("spec")) return;
    Json& spec = o["spec"];
    if (spec.contains("backend")) {
      spec["defaultBackend"] = ingressBackend(spec["backend"]);
      spec.erase("backend");
    }
    if (spec.contains("rules") && spec["rules"].is_array()) {
      for (auto& r : spec["rules"]) {
        if (!r.contains("http") || !r["http"].contains("paths")) continue;
        for (auto& p : r["http"]["paths"]) {
          if (p.contains("backend")) p["backend"] = ingressBackend(p["backend"]);
          if (!p.contains("pathType")) p["pathType"] = "ImplementationSpecific";
        }
      }
    }
  }

  static void convertHpaMetrics(Json& o) {
    Json& metrics = at(o, "spec.metrics");
    if (!metrics.is_array()) return;
    for (auto& m : metrics) {
      if (m["type"] != "Resource" || !m.contains("resource")) continue;
      Json& r = m["resource"];
      if (r.contains("targetAverageUtilization")) {
        r["target"] = {{"type", "Utilization"}, {"averageUtilization", r["targetAverageUtilization"]}};
        r.erase("targetAverageUtilization");
      } else if (r.contains("targetAverageValue")) {
        r["target"] = {{"type", "AverageValue"}, {"averageValue", r["targetAverageValue"]}};
        r.erase("targetAverageValue");
      }
    }
  }

  void namespaceLabels(size_t n) {
    if (!want(n, "sec-namespace-pod-security")) return;
    Json& o = objs_[n];
    if (field(fieldAt(o, "metadata.labels"), "pod-security.kubernetes.io/enforce") == "restricted") return;
    Json& labels = at(o, "metadata.labels");
    if (!labels.is_object()) labels = Json::object();
    labels["pod-security.kubernetes.io/enforce"] = "restricted";
    labels["pod-security.kubernetes.io/enforce-version"] = "latest";
    labels["pod-security.kubernetes.io/warn"] = "restricted";
    labels["pod-security.kubernetes.io/audit"] = "restricted";
    change("sec-namespace-pod-security", n, "labelled pod-security.kubernetes.io/enforce=restricted (and warn, audit)");
  }

  void pdbPolicy(size_t p) {
    if (!want(p, "avail-pdb-policy")) return;
    Json& spec = at(objs_[p], "spec");
    if (!spec.is_object()) spec = Json::object();
    std::vector<std::string> did;
    bool maxZero = spec.contains("maxUnavailable") && (spec["maxUnavailable"] == 0 || spec["maxUnavailable"] == "0%");
    bool minAll = spec.contains("minAvailable") && spec["minAvailable"] == "100%";
    bool none = !has(spec, "maxUnavailable") && !has(spec, "minAvailable");
    if (maxZero || minAll || none) {
      spec.erase("minAvailable");
      spec["maxUnavailable"] = 1;
      did.push_back("maxUnavailable: 1");
    }
    if (!has(spec, "unhealthyPodEvictionPolicy")) {
      spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow";
      did.push_back("unhealthyPodEvictionPolicy: AlwaysAllow");
    }
    if (!did.empty()) {
      std::string msg = "set ";
      for (size_t i = 0; i < did.size(); ++i) msg += (i ? ", " : "") + did[i];
      change("avail-pdb-policy", p, msg);
    }
  }

  // ---- Services: exposure, mesh, ingress -----------------------------------------------------

  void service(size_t s) {
    const Json& orig = inv_.object(s);
    std::string ns = namespaceOf(orig), name = nameOf(orig);
    bool entry = inv_.isEntryPoint(s);
    Json& o = objs_[s];
    std::string type = str(fieldAt(o, "spec.type"));
    if ((type == "NodePort" || type == "LoadBalancer") && want(s, "exposure-service-type")) {
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
                 (opts_.ingressHost.empty() ? "; publish it through an Ingress with TLS (harden --ingress-host HOST)"
                                            : "; published through the Ingress below"));
    }
    if (entry && !opts_.ingressHost.empty() && !hasIngress(s)) addIngress(s);
    if ((opts_.mesh || inv_.istioInUse()) && !inv_.callersOf(s).empty()) meshPolicies(s, ns, name);
  }

  bool hasIngress(size_t s) const {
    for (size_t i : inv_.ofKind("Ingress")) {
      if (namespaceOf(inv_.object(i)) != namespaceOf(inv_.object(s))) continue;
      if (inv_.object(i).dump().find("\"" + nameOf(inv_.object(s)) + "\"") != std::string::npos) return true;
    }
    return false;
  }

  void addIngress(size_t s) {
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

  void meshPolicies(size_t s, const std::string& ns, const std::string& name) {
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

  // ---- workloads ----------------------------------------------------------------------------

  Json& podSpec(size_t i, const Workload& w) { return at(objs_[i], w.podSpecPath); }

  void workload(size_t wi) {
    const Workload& w = inv_.workloads()[wi];
    size_t i = w.object;
    if (isDataStore(w.role)) dataStore(w);
    podSecurity(w);
    Json& spec = podSpec(i, w);
    pendingVolumes_.clear();
    for (const char* key : {"initContainers", "containers"}) {
      if (!spec.contains(key) || !spec[key].is_array()) continue;
      for (size_t c = 0; c < spec[key].size(); ++c) container(w, spec, key, c);
    }
    // Volumes are added after the loop: inserting into the pod spec moves its containers.
    for (auto& v : pendingVolumes_) spec["volumes"].push_back(std::move(v));
    pendingVolumes_.clear();
    nodeLabels(w);
    serviceAccount(w);
    availability(wi);
    networkPolicy(wi);
  }

  // The container holding the data: the first one whose image is a database or broker.
  std::optional<size_t> dataContainer(const Json& spec) const {
    const Json& cs = field(spec, "containers");
    if (!cs.is_array()) return std::nullopt;
    for (size_t c = 0; c < cs.size(); ++c)
      if (isDataStore(guessRole(parseImage(str(field(cs[c], "image"))), containerPorts(cs[c]), ""))) return c;
    return std::nullopt;
  }

  std::vector<std::string> dataPathsOf(const Json& ctr) const {
    ImageRef ref = parseImage(str(field(ctr, "image")));
    if (const auto* p = findProfile(ref); p && !p->dataPaths.empty()) return p->dataPaths;
    for (int port : containerPorts(ctr))
      if (auto path = dataPathForPort(port); !path.empty()) return {path};
    return {};
  }

  void dataStore(const Workload& w) {
    size_t i = w.object;
    Json& o = objs_[i];
    Json& spec = podSpec(i, w);
    auto dc = dataContainer(spec);
    bool convert = (w.kind == "Deployment" || w.kind == "ReplicaSet") && want(i, "data-database-deployment");
    bool isSts = w.kind == "StatefulSet";
    bool needVolume = (isSts || convert) && want(i, "data-no-persistent-volume");
    std::vector<std::string> paths = dc ? dataPathsOf(spec["containers"][*dc]) : std::vector<std::string>{};
    const ImageProfile* profile = dc ? findProfile(parseImage(str(spec["containers"][*dc]["image"]))) : nullptr;
    if (convert && paths.empty()) {
      warn(i, "looks like a " + std::string(roleName(w.role)) +
                  " but its data directory is unknown; not converted to a StatefulSet (see docs/hardening.md)");
      return;
    }
    if (convert) {
      std::string ns = namespaceOf(o), name = nameOf(o);
      // Reuse a headless Service that already selects the pods; else add one.
      std::string headless;
      for (size_t s : inv_.servicesSelecting(w))
        if (fieldAt(inv_.object(s), "spec.clusterIP") == "None") headless = nameOf(inv_.object(s));
      if (headless.empty()) {
        headless = freeName("Service", ns, name + "-headless");
        Json svc = newObject("v1", "Service", headless, ns, fieldAt(o, "metadata.labels"));
        Json ports = Json::array();
        for (const auto& c : spec["containers"])
          for (const auto& p : field(c, "ports").is_array() ? c["ports"] : emptyArray()) {
            if (!field(p, "containerPort").is_number_integer()) continue;
            int n = p["containerPort"].get<int>();
            std::string pname = field(p, "name").is_string() ? p["name"].get<std::string>() : "tcp-" + std::to_string(n);
            ports.push_back({{"name", pname}, {"port", n}, {"targetPort", n}});
          }
        svc["spec"] = {{"clusterIP", "None"}, {"selector", inv_.selectorLabels(w)}, {"ports", ports}};
        changeNew("data-database-deployment", svc, "added: the governing headless Service of StatefulSet " + name);
        add(i, false, std::move(svc));
      }
      Json old = o["spec"];
      Json ns2 = Json::object();
      if (old.contains("replicas")) ns2["replicas"] = old["replicas"];
      ns2["selector"] = old["selector"];
      ns2["serviceName"] = headless;
      ns2["template"] = old["template"];
      for (const auto& [k, v] : old.items())
        if (!ns2.contains(k) && k != "strategy" && k != "progressDeadlineSeconds" && k != "paused") ns2[k] = v;
      o["apiVersion"] = "apps/v1";
      o["kind"] = "StatefulSet";
      o["spec"] = ns2;
      change("data-database-deployment", i,
             std::string(w.kind) + " -> StatefulSet (serviceName " + headless + "); apply it after deleting the Deployment");
    }
    bool hasPvc = false;
    {
      const Json& sspec = o["spec"];
      const Json& pspec = podSpec(i, w);
      const Json& vct = field(sspec, "volumeClaimTemplates");
      if (vct.is_array() && !vct.empty()) hasPvc = true;
      for (const auto& v : field(pspec, "volumes").is_array() ? pspec["volumes"] : emptyArray())
        hasPvc |= v.contains("persistentVolumeClaim");
    }
    if (!hasPvc && needVolume && dc && !paths.empty()) {
      Json pvcSpec = Json::object();
      pvcSpec["accessModes"] = Json::array({"ReadWriteOnce"});
      if (!opts_.storageClass.empty()) pvcSpec["storageClassName"] = opts_.storageClass;
      pvcSpec["resources"] = {{"requests", {{"storage", opts_.storageSize}}}};
      o["spec"]["volumeClaimTemplates"] = Json::array({{{"metadata", {{"name", "data"}}}, {"spec", pvcSpec}}});
      // Only now take references into the pod spec: inserting into spec moves its members.
      Json& pspec = podSpec(i, w);
      Json& ctr = pspec["containers"][*dc];
      // Replace whatever was mounted at the data directories (an emptyDir) with the claim.
      std::set<std::string> freed;
      if (ctr.contains("volumeMounts")) {
        Json kept = Json::array();
        for (const auto& m : ctr["volumeMounts"]) {
          if (std::find(paths.begin(), paths.end(), str(field(m, "mountPath"))) != paths.end())
            freed.insert(str(field(m, "name")));
          else
            kept.push_back(m);
        }
        ctr["volumeMounts"] = kept;
      }
      for (const auto& path : paths) {
        Json m = {{"name", "data"}, {"mountPath", path}};
        if (paths.size() > 1) m["subPath"] = volumeNameFor(path);
        ctr["volumeMounts"].push_back(m);
      }
      dropUnusedVolumes(pspec, freed);
      change("data-no-persistent-volume", i,
             "volumeClaimTemplates \"data\" (" + opts_.storageSize + ", ReadWriteOnce) mounted at " + paths[0] +
                 (isSts ? "; volumeClaimTemplates cannot change on a live StatefulSet: recreate it (kubectl delete --cascade=orphan)"
                        : ""));
      if (profile && !profile->note.empty()) warn(i, profile->note);
    }
    bool nowSts = o["kind"] == "StatefulSet";
    Json& sspec = o["spec"];
    if (nowSts && sspec.contains("volumeClaimTemplates") && !sspec.contains("persistentVolumeClaimRetentionPolicy") &&
        want(i, "data-statefulset-retention")) {
      sspec["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}};
      change("data-statefulset-retention", i, "persistentVolumeClaimRetentionPolicy Retain/Retain: deleting or scaling down keeps the data");
    }
  }

  static void dropUnusedVolumes(Json& pspec, const std::set<std::string>& candidates) {
    if (candidates.empty() || !pspec.contains("volumes")) return;
    auto used = [&](const std::string& name) {
      for (const char* key : {"initContainers", "containers"}) {
        if (!pspec.contains(key)) continue;
        for (const auto& c : pspec[key])
          for (const auto& m : field(c, "volumeMounts").is_array() ? c["volumeMounts"] : emptyArray())
            if (str(field(m, "name")) == name) return true;
      }
      return false;
    };
    Json kept = Json::array();
    for (const auto& v : pspec["volumes"])
      if (!candidates.count(str(field(v, "name"))) || used(str(field(v, "name")))) kept.push_back(v);
    pspec["volumes"] = kept;
  }

  void podSecurity(const Workload& w) {
    size_t i = w.object;
    Json& spec = podSpec(i, w);
    // The user all containers agree on, if it is a good one; else 10001.
    const int64_t uid = [&]() -> int64_t {
      for (const char* key : {"containers", "initContainers"})
        for (const auto& c : field(spec, key).is_array() ? spec[key] : emptyArray()) {
          const Json& u = fieldAt(c, "securityContext.runAsUser");
          if (u.is_number_integer() && u.get<int64_t>() >= 10000) return u.get<int64_t>();
        }
      return 10001;
    }();
    const Json desired = podSecurityContext(uid, uid, uid);
    bool hadContext = field(spec, "securityContext").is_object() && !spec["securityContext"].empty();
    Json& sc = spec["securityContext"];
    if (!sc.is_object()) sc = Json::object();
    std::map<std::string, std::string> did;  // rule -> what
    auto set = [&](const char* rule, const char* key, bool bad) {
      if (!bad || !want(i, rule)) return;
      sc[key] = desired[key];
      std::string& d = did[rule];
      d += (d.empty() ? "" : ", ") + std::string(key) + " " +
           (desired[key].is_string() ? desired[key].get<std::string>() : desired[key].dump());
    };
    auto low = [&](const char* key) {
      return !sc.contains(key) || !sc[key].is_number_integer() || sc[key].get<int64_t>() < 10000;
    };
    set("sec-run-as-non-root", "runAsNonRoot", sc["runAsNonRoot"] != true);
    set("sec-run-as-user", "runAsUser", low("runAsUser"));
    set("sec-run-as-user", "runAsGroup", low("runAsGroup"));
    set("sec-pod-security-context", "fsGroup", !sc.contains("fsGroup"));
    set("sec-pod-security-context", "fsGroupChangePolicy", !sc.contains("fsGroupChangePolicy"));
    std::string type = str(fieldAt(sc, "seccompProfile.type"));
    set("sec-seccomp", "seccompProfile", type != "RuntimeDefault" && type != "Localhost");
    if (sc.contains("runAsNonRoot") && sc["runAsNonRoot"].is_null()) sc.erase("runAsNonRoot");
    if (sc.empty()) {
      spec.erase("securityContext");
      return;
    }
    if (!hadContext && !did.empty()) change("sec-pod-security-context", i, "added a pod securityContext");
    for (const auto& [rule, what] : did) change(rule.c_str(), i, "pod securityContext: " + what);
  }

  void container(const Workload& w, Json& spec, const char* key, size_t index) {
    size_t i = w.object;
    Json& c = spec[key][index];
    bool init = std::string(key) == "initContainers";
    std::string who = std::string(init ? "init container " : "container ") + str(field(c, "name"));
    containerSecurity(i, c, who);
    writablePaths(w, spec, c, who);
    image(i, c, who);
    resources(w, c, who, init);
    if (!init && w.role != Role::Batch) probes(i, c, who);
    secrets(w, c, who);
  }

  void containerSecurity(size_t i, Json& c, const std::string& who) {
    const Json desired = containerSecurityContext(true, capabilitiesForPorts(containerPorts(c)));
    Json& sc = c["securityContext"];
    if (!sc.is_object()) sc = Json::object();
    auto note = [&](const char* rule, const std::string& msg) { change(rule, i, who + ": " + msg); };
    if (sc["allowPrivilegeEscalation"] != false && want(i, "sec-privilege-escalation")) {
      sc["allowPrivilegeEscalation"] = false;
      note("sec-privilege-escalation", "allowPrivilegeEscalation: false");
    }
    if (sc["privileged"] != false && want(i, "sec-privileged")) {
      bool was = sc["privileged"] == true;
      sc["privileged"] = false;
      if (was) note("sec-privileged", "privileged: true -> false");
    }
    if (sc["readOnlyRootFilesystem"] != true && want(i, "sec-read-only-root-fs")) {
      sc["readOnlyRootFilesystem"] = true;
      note("sec-read-only-root-fs", "readOnlyRootFilesystem: true");
    }
    if (sc["runAsNonRoot"] != true && want(i, "sec-run-as-non-root")) {
      sc["runAsNonRoot"] = true;
      note("sec-run-as-non-root", "runAsNonRoot: true");
    }
    for (const char* k : {"runAsUser", "runAsGroup"}) {
      if (sc.contains(k) && sc[k].is_number_integer() && sc[k].get<int64_t>() < 10000 && want(i, "sec-run-as-user")) {
        note("sec-run-as-user", std::string(k) + " " + sc[k].dump() + " removed (the pod's >= 10000 applies)");
        sc.erase(k);
      }
    }
    Json& caps = sc["capabilities"];
    if (!caps.is_object()) caps = Json::object();
    if (want(i, "sec-capabilities-drop-all")) {
      bool ok = caps["drop"].is_array() && std::find(caps["drop"].begin(), caps["drop"].end(), Json("ALL")) != caps["drop"].end();
      if (!ok) {
        std::string was = caps["drop"].is_array() ? caps["drop"].dump() : "nothing";
        caps["drop"] = desired["capabilities"]["drop"];
        note("sec-capabilities-drop-all", "capabilities.drop " + was + " -> [\"ALL\"]");
      }
    }
    if (want(i, "sec-capabilities-add")) {
      Json add = Json::array();
      std::string removed;
      if (caps["add"].is_array())
        for (const auto& a : caps["add"]) {
          if (a == "NET_BIND_SERVICE")
            add.push_back(a);
          else
            removed += (removed.empty() ? "" : ", ") + str(a);
        }
      const Json& need = fieldAt(desired, "capabilities.add");
      if (need.is_array())
        for (const auto& a : need)
          if (std::find(add.begin(), add.end(), a) == add.end()) add.push_back(a);
      if (!removed.empty()) note("sec-capabilities-add", "removed capabilities " + removed);
      if (add.empty())
        caps.erase("add");
      else
        caps["add"] = add;
      // Keep "add" before "drop", as the shared context prints them.
      if (caps.contains("add") && caps.contains("drop")) {
        Json ordered = Json::object();
        ordered["add"] = caps["add"];
        ordered["drop"] = caps["drop"];
        for (const auto& [k, v] : caps.items())
          if (k != "add" && k != "drop") ordered[k] = v;
        caps = ordered;
      }
    }
    for (auto it = caps.begin(); it != caps.end();) it = it->is_null() ? caps.erase(it) : std::next(it);
    if (caps.is_object() && caps.empty()) sc.erase("capabilities");
    std::string type = str(fieldAt(sc, "seccompProfile.type"));
    if (type != "RuntimeDefault" && type != "Localhost" && want(i, "sec-seccomp")) {
      sc["seccompProfile"] = desired["seccompProfile"];
    }
    for (auto it = sc.begin(); it != sc.end();) it = it->is_null() ? sc.erase(it) : std::next(it);
  }

  void writablePaths(const Workload& w, Json& spec, Json& c, const std::string& who) {
    size_t i = w.object;
    if (fieldAt(c, "securityContext.readOnlyRootFilesystem") != true || !want(i, "sec-read-only-root-fs")) return;
    std::vector<std::string> paths = {"/tmp"};
    if (const auto* p = findProfile(parseImage(str(field(c, "image")))))
      for (const auto& wp : p->writablePaths)
        if (std::find(paths.begin(), paths.end(), wp) == paths.end()) paths.push_back(wp);
    for (const auto& path : paths) {
      bool mounted = false;
      for (const auto& m : field(c, "volumeMounts").is_array() ? c["volumeMounts"] : emptyArray())
        mounted |= str(field(m, "mountPath")) == path;
      if (mounted) continue;
      std::string name = volumeNameFor(path);
      // A volume of that name that is an emptyDir can be shared; any other name clash gets a suffix.
      auto findVol = [&](const std::string& n) -> const Json* {
        for (const auto& v : field(spec, "volumes").is_array() ? spec["volumes"] : emptyArray())
          if (str(field(v, "name")) == n) return &v;
        for (const auto& v : pendingVolumes_)
          if (str(field(v, "name")) == n) return &v;
        return nullptr;
      };
      std::string base = name;
      for (int k = 2; findVol(name) && !field(*findVol(name), "emptyDir").is_object(); ++k) name = base + "-" + std::to_string(k);
      if (!findVol(name)) pendingVolumes_.push_back({{"name", name}, {"emptyDir", {{"sizeLimit", "256Mi"}}}});
      c["volumeMounts"].push_back({{"name", name}, {"mountPath", path}});
      change("sec-read-only-root-fs", i, who + ": emptyDir \"" + name + "\" mounted at " + path + " (writable with a read-only root)");
    }
  }

  void image(size_t i, Json& c, const std::string& who) {
    std::string img = str(field(c, "image"));
    ImageRef ref = parseImage(img);
    const char* rule = nullptr;
    if (ref.digest.empty()) {
      if (ref.tag.empty())
        rule = "image-untagged";
      else if (ref.tag == "latest")
        rule = "image-latest";
      else if (!tagIsVersioned(ref.tag))
        rule = "image-floating-tag";
    }
    if (rule && want(i, rule)) {
      std::string pin = pinFor(ref, opts_);
      if (pin.empty()) {
        warn(i, who + ": image " + img + " floats and harden knows no pin for it; pass --pin " + ref.name() + "=TAG");
      } else {
        ImageRef pinned = ref;
        if (pin.starts_with("sha256:")) {
          pinned.digest = pin;
        } else {
          pinned.tag = pin;
        }
        c["image"] = pinned.str();
        const ImageProfile* p = findProfile(ref);
        bool fromTable = !opts_.pins.count(ref.name()) && !opts_.pins.count(ref.repository) && p && p->pinTag == pin;
        change(rule, i, who + ": image " + img + " -> " + pinned.str() +
                            (fromTable ? " (" + p->pinReason + ")" : " (--pin)"));
      }
    }
    if (field(c, "imagePullPolicy") != "Always" && want(i, "image-pull-policy")) {
      c["imagePullPolicy"] = "Always";
      change("image-pull-policy", i, who + ": imagePullPolicy Always");
    }
  }

  void resources(const Workload& w, Json& c, const std::string& who, bool init) {
    size_t i = w.object;
    Role role = guessRole(parseImage(str(field(c, "image"))), containerPorts(c), "");
    bool data = isDataStore(role) && !init;
    struct Default {
      const char* key;
      const char* request;
      const char* limit;
      const char* rule;
    };
    const Default defaults[] = {
        {"cpu", "100m", data ? "1" : "500m", nullptr},
        {"memory", data ? "256Mi" : "128Mi", data ? "1Gi" : "512Mi", nullptr},
        {"ephemeral-storage", "64Mi", "1Gi", "resources-ephemeral-storage"},
    };
    Json& res = c["resources"];
    if (!res.is_object()) res = Json::object();
    std::vector<std::string> added[3];  // requests, limits, ephemeral
    for (const auto& d : defaults) {
      bool eph = d.rule != nullptr;
      const char* reqRule = eph ? d.rule : "resources-requests-missing";
      const char* limRule = eph ? d.rule : "resources-limits-missing";
      if (!res["requests"].is_object()) res["requests"] = Json::object();
      if (!res["limits"].is_object()) res["limits"] = Json::object();
      Json& req = res["requests"];
      Json& lim = res["limits"];
      if (!has(req, d.key) && want(i, reqRule)) {
        Json value = d.request;
        auto limit = has(lim, d.key) ? parseQuantity(lim[d.key]) : std::nullopt;
        if (limit && *limit < *parseQuantity(value)) value = lim[d.key];
        req[d.key] = value;
        added[eph ? 2 : 0].push_back(std::string(d.key) + " " + str(value));
      }
      if (!has(lim, d.key) && want(i, limRule)) {
        Json value = d.limit;
        auto request = has(req, d.key) ? parseQuantity(req[d.key]) : std::nullopt;
        if (request && *request > *parseQuantity(value)) value = req[d.key];
        lim[d.key] = value;
        added[eph ? 2 : 1].push_back(std::string(d.key) + " " + (value.is_string() ? value.get<std::string>() : value.dump()));
      }
    }
    if (res["requests"].empty()) res.erase("requests");
    if (res.contains("limits") && res["limits"].empty()) res.erase("limits");
    // requests before limits, as kubectl prints them
    if (res.contains("limits") && res.contains("requests")) {
      Json ordered = Json::object();
      ordered["requests"] = res["requests"];
      ordered["limits"] = res["limits"];
      for (const auto& [k, v] : res.items())
        if (k != "requests" && k != "limits") ordered[k] = v;
      res = ordered;
    }
    if (res.empty()) c.erase("resources");
    const char* rules[] = {"resources-requests-missing", "resources-limits-missing", "resources-ephemeral-storage"};
    const char* what[] = {"requests ", "limits ", "ephemeral-storage "};
    for (int k = 0; k < 3; ++k) {
      if (added[k].empty()) continue;
      std::string msg = who + ": " + what[k];
      for (size_t n = 0; n < added[k].size(); ++n) msg += (n ? ", " : "") + added[k][n];
      if (k == 2) msg = who + ": ephemeral-storage request and limit";
      change(rules[k], i, msg + (data && k < 2 ? " (database defaults; size them from real usage)" : ""));
    }
  }

  Json probePort(const Json& c, int port) const {
    if (port > 0) return port;
    auto ports = containerPorts(c);
    if (ports.empty()) return nullptr;
    return ports[0];
  }

  Json buildProbe(const ProbeSpec& p, const Json& c, ProbeUse use) const {
    switch (p.kind) {
      case ProbeSpec::Kind::Http: {
        Json port = probePort(c, p.port);
        return port.is_null() ? Json() : httpGetProbe(p.path, port, use);
      }
      case ProbeSpec::Kind::Tcp: {
        Json port = probePort(c, p.port);
        return port.is_null() ? Json() : tcpSocketProbe(port, use);
      }
      case ProbeSpec::Kind::Exec: return execProbe(p.command, use);
    }
    return Json();
  }

  void probes(size_t i, Json& c, const std::string& who) {
    const ImageProfile* prof = findProfile(parseImage(str(field(c, "image"))));
    if (!has(c, "readinessProbe") && want(i, "probe-readiness-missing")) {
      Json probe;
      if (prof && prof->readiness)
        probe = buildProbe(*prof->readiness, c, ProbeUse::Readiness);
      else
        probe = buildProbe(ProbeSpec{ProbeSpec::Kind::Tcp, "", 0, {}}, c, ProbeUse::Readiness);
      if (probe.is_null()) {
        warn(i, who + ": no readinessProbe added: the container declares no port");
      } else {
        c["readinessProbe"] = probe;
        change("probe-readiness-missing", i, who + ": readinessProbe " + describeProbe(probe));
      }
    }
    if (!has(c, "livenessProbe") && want(i, "probe-liveness-missing")) {
      Json probe;
      if (prof && prof->liveness) probe = buildProbe(*prof->liveness, c, ProbeUse::Liveness);
      if (probe.is_null()) {
        warn(i, who + ": no livenessProbe added: harden knows no health check for image " + str(field(c, "image")) +
                    " that differs from its readiness check");
      } else {
        c["livenessProbe"] = probe;
        std::string msg = who + ": livenessProbe " + describeProbe(probe);
        if (!has(c, "startupProbe") && prof && prof->liveness) {
          c["startupProbe"] = buildProbe(*prof->liveness, c, ProbeUse::Startup);
          msg += ", with a startupProbe allowing 5 minutes to start";
        }
        change("probe-liveness-missing", i, msg);
      }
    }
    if (has(c, "readinessProbe") && has(c, "livenessProbe") && probesIdentical(c["readinessProbe"], c["livenessProbe"]) &&
        want(i, "probe-identical")) {
      Json& lp = c["livenessProbe"];
      Json port;
      if (lp.contains("httpGet")) port = lp["httpGet"]["port"];
      if (port.is_null() || lp.contains("tcpSocket")) {
        warn(i, who + ": readiness and liveness probes are the same check and harden has no different one to offer");
        return;
      }
      lp.erase("httpGet");
      lp.erase("exec");
      Json fresh = Json::object();
      fresh["tcpSocket"] = {{"port", port}};
      for (const auto& [k, v] : lp.items()) fresh[k] = v;
      lp = fresh;
      change("probe-identical", i, who + ": livenessProbe now checks TCP port " + port.dump() +
                                       " (readiness keeps the HTTP health check)");
    }
  }

  static std::string describeProbe(const Json& p) {
    if (p.contains("httpGet")) return "HTTP GET " + str(p["httpGet"]["path"]) + " on port " + p["httpGet"]["port"].dump();
    if (p.contains("tcpSocket")) return "TCP port " + p["tcpSocket"]["port"].dump();
    if (p.contains("exec")) {
      std::string cmd;
      for (const auto& a : p["exec"]["command"]) cmd += (cmd.empty() ? "" : " ") + str(a);
      return "exec `" + cmd + "`";
    }
    return "added";
  }

  void secrets(const Workload& w, Json& c, const std::string& who) {
    size_t i = w.object;
    bool envWanted = want(i, "secret-env-plaintext");
    bool argsWanted = want(i, "secret-args-plaintext");
    if (!envWanted && !argsWanted) return;
    std::vector<std::pair<std::string, std::string>> moved;  // key, value
    std::string secretName;
    auto secretFor = [&]() -> std::string {
      if (secretName.empty()) secretName = secretNameFor(w);
      return secretName;
    };
    auto keyRef = [&](const std::string& key) {
      return Json{{"secretKeyRef", {{"name", secretFor()}, {"key", key}}}};
    };
    std::string cname = str(field(c, "name"));
    if (envWanted && c.contains("env") && c["env"].is_array()) {
      for (auto& e : c["env"]) {
        if (!plaintextCredentialEnv(e)) continue;
        std::string key = uniqueKey(w, str(e["name"]), cname);
        moved.emplace_back(key, str(e["value"]));
        e.erase("value");
        e["valueFrom"] = keyRef(key);
      }
    }
    if (argsWanted) {
      for (const char* listKey : {"command", "args"}) {
        if (!c.contains(listKey) || !c[listKey].is_array()) continue;
        for (size_t a = 0; a < c[listKey].size(); ++a) {
          std::string arg = str(c[listKey][a]);
          if (!credentialValue(arg)) continue;
          std::string flag, value = arg, prefix;
          auto eq = arg.find('=');
          if (arg.starts_with("-") && eq != std::string::npos) {
            flag = arg.substr(0, eq);
            prefix = arg.substr(0, eq + 1);
            value = arg.substr(eq + 1);
          }
          std::string var = envNameFrom(flag.empty() ? cname + "_ARG_" + std::to_string(a) : flag.substr(flag.find_first_not_of('-')));
          std::string key = uniqueKey(w, var, cname);
          moved.emplace_back(key, value);
          c[listKey][a] = prefix + "$(" + var + ")";
          c["env"].push_back({{"name", var}, {"valueFrom", keyRef(key)}});
        }
      }
    }
    if (moved.empty()) return;
    Json& secret = secretObject(w);
    std::string list;
    for (auto& [k, v] : moved) {
      std::string value = opts_.secretMode == SecretMode::Generate ? randomValue(opts_.seed, secretFor() + "/" + k) : v;
      secret["stringData"][k] = value;
      list += (list.empty() ? "" : ", ") + k;
    }
    change("secret-env-plaintext", i,
           who + ": " + list + " now read from Secret " + secretFor() +
               (opts_.secretMode == SecretMode::Generate ? " (new random value: the old one was published)"
                                                         : " (value moved as is: rotate it, it was published)"));
  }

  std::string secretNameFor(const Workload& w) {
    const Json& o = inv_.object(w.object);
    auto it = secretNames_.find(w.object);
    if (it != secretNames_.end()) return it->second;
    std::string name = freeName("Secret", namespaceOf(o), nameOf(o) + "-credentials");
    secretNames_[w.object] = name;
    return name;
  }

  std::string uniqueKey(const Workload& w, const std::string& key, const std::string& container) {
    auto& used = secretKeys_[w.object];
    std::string k = used.count(key) ? container + "-" + key : key;
    used.insert(k);
    return k;
  }

  Json& secretObject(const Workload& w) {
    std::string name = secretNameFor(w);
    for (auto& g : gens_)
      if (kindOf(g.object) == "Secret" && nameOf(g.object) == name && g.anchor == w.object) return g.object;
    const Json& o = inv_.object(w.object);
    Json s = newObject("v1", "Secret", name, namespaceOf(o), inv_.selectorLabels(w));
    s["metadata"]["annotations"] = {{"shopctl.io/secret-mode", opts_.secretMode == SecretMode::Generate ? "generate" : "move"}};
    s["type"] = "Opaque";
    s["stringData"] = Json::object();
    changeNew("secret-env-plaintext", s,
              "added: holds the credentials of " + describe(o) +
                  " (stringData in a manifest is still plain text: keep this file out of Git or encrypt it, e.g. SOPS or Sealed Secrets)");
    add(w.object, true, std::move(s));
    return gens_.back().object;
  }

  void nodeLabels(const Workload& w) {
    size_t i = w.object;
    if (!want(i, "deprecated-node-label")) return;
    Json& spec = podSpec(i, w);
    auto rename = [&](const std::string& key) -> std::string {
      for (const auto& l : deprecatedNodeLabels())
        if (key == l.from) return l.to;
      return "";
    };
    if (spec.contains("nodeSelector") && spec["nodeSelector"].is_object()) {
      Json out = Json::object();
      for (const auto& [k, v] : spec["nodeSelector"].items()) {
        std::string to = rename(k);
        if (to.empty()) {
          if (!out.contains(k)) out[k] = v;
          continue;
        }
        if (!spec["nodeSelector"].contains(to)) out[to] = v;
        change("deprecated-node-label", i, "nodeSelector " + k + " -> " + to);
      }
      spec["nodeSelector"] = out;
    }
    if (fieldAt(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms").is_array()) {
      Json& terms = at(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
      for (auto& t : terms) {
        if (!t.is_object() || !t.contains("matchExpressions") || !t["matchExpressions"].is_array()) continue;
        for (auto& e : t["matchExpressions"]) {
          std::string to = rename(str(field(e, "key")));
          if (to.empty()) continue;
          change("deprecated-node-label", i, "node affinity " + str(e["key"]) + " -> " + to);
          e["key"] = to;
        }
      }
    }
    if (spec.contains("topologySpreadConstraints") && spec["topologySpreadConstraints"].is_array())
      for (auto& t : spec["topologySpreadConstraints"]) {
        std::string to = rename(str(field(t, "topologyKey")));
        if (to.empty()) continue;
        change("deprecated-node-label", i, "topologyKey " + str(t["topologyKey"]) + " -> " + to);
        t["topologyKey"] = to;
      }
  }

  bool boundByRbac(const std::string& ns, const std::string& sa) const {
    for (const char* kind : {"RoleBinding", "ClusterRoleBinding"})
      for (size_t b : inv_.ofKind(kind)) {
        const Json& subjects = field(inv_.object(b), "subjects");
        if (!subjects.is_array()) continue;
        for (const auto& s : subjects)
          if (str(field(s, "kind")) == "ServiceAccount" && str(field(s, "name")) == sa &&
              (str(field(s, "namespace")) == ns || (std::string(kind) == "RoleBinding" && namespaceOf(inv_.object(b)) == ns)))
            return true;
      }
    return false;
  }

  void serviceAccount(const Workload& w) {
    size_t i = w.object;
    Json& spec = podSpec(i, w);
    const Json& o = inv_.object(i);
    std::string ns = namespaceOf(o);
    if (spec.contains("serviceAccount") && want(i, "deprecated-service-account-field")) {
      if (!has(spec, "serviceAccountName")) spec["serviceAccountName"] = spec["serviceAccount"];
      spec.erase("serviceAccount");
      change("deprecated-service-account-field", i, "spec.serviceAccount -> serviceAccountName");
    }
    std::string sa = serviceAccountOf(spec);
    if (sa == "default" && want(i, "sa-default")) {
      sa = nameOf(o);
      if (!exists("ServiceAccount", ns, sa)) {
        Json obj = newObject("v1", "ServiceAccount", sa, ns, inv_.selectorLabels(w));
        obj["automountServiceAccountToken"] = false;
        changeNew("sa-default", obj, "added for " + describe(o) + " (no API access, no token)");
        add(i, true, std::move(obj));
      }
      spec["serviceAccountName"] = sa;
      change("sa-default", i, "serviceAccountName " + sa);
    }
    if (field(spec, "automountServiceAccountToken") != false && want(i, "sa-token-automount")) {
      auto saObj = inv_.find("ServiceAccount", ns, sa);
      bool saOff = saObj && field(inv_.object(*saObj), "automountServiceAccountToken") == false;
      bool created = false;
      for (const auto& g : gens_) created |= kindOf(g.object) == "ServiceAccount" && nameOf(g.object) == sa && namespaceOf(g.object) == ns;
      if (boundByRbac(ns, sa)) {
        warn(i, "ServiceAccount " + sa + " is bound to a Role; its token stays mounted (the pod may need it)");
      } else if (!saOff || created) {
        spec["automountServiceAccountToken"] = false;
        change("sa-token-automount", i, "automountServiceAccountToken: false");
      }
    }
  }

  // ---- availability -------------------------------------------------------------------------

  void availability(size_t wi) {
    const Workload& w = inv_.workloads()[wi];
    size_t i = w.object;
    Json& o = objs_[i];
    std::string kind = kindOf(o);
    bool scalable = kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet";
    if (!scalable) return;
    std::string ns = namespaceOf(o), name = nameOf(o);
    Json selector = inv_.selectorLabels(w);
    bool stateless = w.role == Role::Stateless;
    auto hpas = inv_.hpasFor(w);
    int64_t replicas = field(o["spec"], "replicas").is_number_integer() ? o["spec"]["replicas"].get<int64_t>() : 1;
    if (stateless) {
      if (!hpas.empty()) {
        Json& hpa = objs_[hpas[0]];
        const Json& min = fieldAt(hpa, "spec.minReplicas");
        if ((!min.is_number_integer() || min.get<int64_t>() < opts_.minReplicas) && want(i, "avail-single-replica")) {
          hpa["spec"]["minReplicas"] = opts_.minReplicas;
          if (field(hpa["spec"], "maxReplicas").is_number_integer() && hpa["spec"]["maxReplicas"].get<int64_t>() < opts_.minReplicas)
            hpa["spec"]["maxReplicas"] = opts_.minReplicas;
          change("avail-single-replica", hpas[0], "minReplicas " + std::to_string(opts_.minReplicas));
        }
      } else if (opts_.autoscale && kind == "Deployment" && want(i, "avail-no-hpa")) {
        int min = static_cast<int>(std::max<int64_t>(opts_.minReplicas, replicas));
        int max = std::max(opts_.maxReplicas, min + 1);
        Json hpa = newObject("autoscaling/v2", "HorizontalPodAutoscaler", freeName("HorizontalPodAutoscaler", ns, name), ns, selector);
        hpa["spec"] = autoscalerSpec(kind, name, min, max, Json::array({utilizationMetric("cpu", opts_.cpuTargetPercent)}),
                                     {{"scaleDown", defaultScaleDown()}});
        changeNew("avail-no-hpa", hpa,
                  "added: " + std::to_string(min) + "-" + std::to_string(max) + " replicas of " + describe(o) + " at " +
                      std::to_string(opts_.cpuTargetPercent) + "% CPU");
        add(i, false, std::move(hpa));
        hpas.push_back(static_cast<size_t>(-1));
        if (replicas < opts_.minReplicas && want(i, "avail-single-replica"))
          change("avail-single-replica", i, "at least " + std::to_string(min) + " replicas (HPA minReplicas)");
      }
      bool scaledByHpa = !hpas.empty();
      if (scaledByHpa && kind == "Deployment" && o["spec"].contains("replicas") && want(i, "avail-hpa-replicas-conflict")) {
        o["spec"].erase("replicas");
        change("avail-hpa-replicas-conflict", i, "spec.replicas removed: the HPA owns the replica count");
      } else if (!scaledByHpa && replicas < opts_.minReplicas && want(i, "avail-single-replica")) {
        o["spec"]["replicas"] = opts_.minReplicas;
        change("avail-single-replica", i, "replicas " + std::to_string(replicas) + " -> " + std::to_string(opts_.minReplicas));
      }
      if (kind == "Deployment" && want(i, "avail-rolling-update")) {
        const Json& strategy = fieldAt(o, "spec.strategy");
        const Json& maxU = fieldAt(strategy, "rollingUpdate.maxUnavailable");
        if (str(field(strategy, "type")) == "Recreate" || maxU == "100%") {
          o["spec"]["strategy"] = {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxUnavailable", 0}, {"maxSurge", 1}}}};
          change("avail-rolling-update", i, "strategy RollingUpdate (maxUnavailable 0, maxSurge 1)");
        }
      }
    }
    int64_t effective = stateless ? std::max<int64_t>(replicas, opts_.minReplicas) : replicas;
    if (!stateless && effective < 2) return;  // single-instance stores: no budget, no spread
    if (inv_.pdbsFor(w).empty() && want(i, "avail-no-pdb")) {
      Json pdb = newObject("policy/v1", "PodDisruptionBudget", freeName("PodDisruptionBudget", ns, name), ns, selector);
      pdb["spec"] = disruptionBudgetSpec(selector);
      changeNew("avail-no-pdb", pdb, "added: at most 1 pod of " + describe(o) + " evicted at a time");
      add(i, false, std::move(pdb));
    }
    Json& spec = podSpec(i, w);
    bool anti = fieldAt(spec, "affinity.podAntiAffinity").is_object();
    bool tsc = spec.contains("topologySpreadConstraints") && spec["topologySpreadConstraints"].is_array() &&
               !spec["topologySpreadConstraints"].empty();
    if (!anti && !tsc && want(i, "avail-no-spread")) {
      spec["topologySpreadConstraints"] = spreadConstraints(selector);
      spec["affinity"]["podAntiAffinity"] = preferredHostAntiAffinity(selector);
      change("avail-no-spread", i, "topologySpreadConstraints over zones and nodes, preferred anti-affinity per node");
    }
  }

  // ---- network policies ---------------------------------------------------------------------

  static Json targetPorts(const Json& svc, int onlyPort) {
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

  void networkPolicy(size_t wi) {
    const Workload& w = inv_.workloads()[wi];
    size_t i = w.object;
    if (!want(i, "network-policy-missing")) return;
    const Json& o = inv_.object(i);
    std::string ns = namespaceOf(o);
    const Json& labels = inv_.podTemplateLabels(w);
    // Already covered by a policy written for these pods (not just a namespace-wide one)?
    for (size_t n : inv_.ofKind("NetworkPolicy")) {
      const Json& np = inv_.object(n);
      const Json& sel = fieldAt(np, "spec.podSelector");
      if (namespaceOf(np) != ns || !sel.is_object() || sel.empty()) continue;
      if (labelSelectorMatches(sel, labels)) return;
    }
    Json selector = inv_.selectorLabels(w);
    Json ingress = Json::array(), egress = Json::array();
    std::vector<std::string> why;
    for (size_t s : inv_.servicesSelecting(w)) {
      const Json& svc = inv_.object(s);
      Json ports = targetPorts(svc, 0);
      if (ports.empty()) continue;
      Json from = Json::array();
      std::string names;
      for (size_t caller : inv_.callersOf(s)) {
        Json peer = podPeer(inv_.selectorLabels(inv_.workloads()[caller]));
        if (std::find(from.begin(), from.end(), peer) == from.end()) from.push_back(peer);
        names += (names.empty() ? "" : ", ") + nameOf(inv_.object(inv_.workloads()[caller].object));
      }
      if (!from.empty()) {
        ingress.push_back({{"from", from}, {"ports", ports}});
        why.push_back("from " + names + " to Service " + nameOf(svc));
      }
      if (inv_.isEntryPoint(s)) {
        ingress.push_back({{"from", Json::array({{{"namespaceSelector", Json::object()}}})}, {"ports", ports}});
        why.push_back("from any namespace (ingress controller) to entry point " + nameOf(svc));
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
    std::map<std::string, Json> egressByTarget;
    for (const auto& e : inv_.calls()) {
      if (e.from != wi) continue;
      if (e.toService) {
        const Json& svc = inv_.object(*e.toService);
        auto callees = inv_.workloadsSelectedBy(*e.toService);
        if (callees.empty()) continue;
        Json to = Json::array();
        for (size_t c : callees) {
          Json peer = podPeer(inv_.selectorLabels(inv_.workloads()[c]));
          if (std::find(to.begin(), to.end(), peer) == to.end()) to.push_back(peer);
        }
        Json rule = {{"to", to}, {"ports", targetPorts(svc, 0)}};
        if (!egressByTarget.count(nameOf(svc))) why.push_back("to Service " + nameOf(svc) + " (" + e.evidence + ")");
        egressByTarget[nameOf(svc)] = rule;
      } else {
        Json rule = {{"to", Json::array({namespacePeer(e.toNamespace)})}};
        std::string key = "ns/" + e.toNamespace;
        if (!egressByTarget.count(key)) why.push_back("to namespace " + e.toNamespace + " (" + e.evidence + ")");
        egressByTarget[key] = rule;
      }
    }
    for (auto& [k, v] : egressByTarget) egress.push_back(v);
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

  void namespacePolicies() {
    std::set<std::string> namespaces;
    for (const auto& w : inv_.workloads())
      if (want(w.object, "network-policy-missing")) namespaces.insert(namespaceOf(inv_.object(w.object)));
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
                    {"egress", Json::array({dnsEgressRule()})}};
      changeNew("network-policy-missing", np,
                "added: denies all traffic in the namespace except DNS to kube-system; the per-workload policies open the calls the app makes");
      add(anchor, before, std::move(np));
    }
  }

  Inventory inv_;
  const HardenOptions& opts_;
  std::vector<Json> objs_;
  std::vector<Generated> gens_;
  std::vector<Change> changes_;
  std::vector<std::string> warnings_;
  std::map<size_t, std::string> secretNames_;
  std::map<size_t, std::set<std::string>> secretKeys_;
  std::set<std::string> policyNamespaces_;
  std::vector<Json> pendingVolumes_;
};

}  // namespace

std::string pinFor(const ImageRef& image, const HardenOptions& options) {
  if (auto it = options.pins.find(image.name()); it != options.pins.end()) return it->second;
  if (auto it = options.pins.find(image.repository); it != options.pins.end()) return it->second;
  if (const auto* p = findProfile(image)) return p->pinTag;
  return "";
}

HardenResult harden(const std::vector<Manifest>& input, const HardenOptions& options) {
  Hardener h(input, options);
  return h.run();
}

}  // namespace shop::audit
