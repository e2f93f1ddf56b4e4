// Validation: what spans fields (references, uniqueness, requests within limits).
#include "core/model/parse_detail.hpp"

#include <algorithm>

#include "core/model/quantity.hpp"
#include "core/util/text.hpp"

namespace shop::parse_detail {

void checkRequestsWithinLimits(Diagnostics& diags, const std::string& path, const Resources& r) {
  auto check = [&](const std::optional<std::string>& req, const std::optional<std::string>& lim,
                   const char* name) {
    if (req && lim && parseQuantity(*req).value_or(-1) > parseQuantity(*lim).value_or(-1))
      diags.error(path + ".resources.requests." + name,
                  "request " + *req + " is larger than the limit " + *lim);
  };
  check(r.requests.cpu, r.limits.cpu, "cpu");
  check(r.requests.memory, r.limits.memory, "memory");
  check(r.requests.ephemeralStorage, r.limits.ephemeralStorage, "ephemeral-storage");
}

namespace {

// The errors found while parsing, by field path. The cross-field checks run even when some fields
// failed to parse (so that one run reports every error), and each check skips what depends on a
// field that already has its own error: it would only misjudge it and report a second, false one.
class ParseFailures {
 public:
  explicit ParseFailures(const Diagnostics& diags) {
    for (const auto& d : diags.items())
      if (d.severity == Severity::Error) paths_.push_back(d.path);
  }
  bool any() const { return !paths_.empty(); }
  // An error at `path` itself (a list item that is not an object, a required field missing).
  bool at(const std::string& path) const { return std::find(paths_.begin(), paths_.end(), path) != paths_.end(); }
  // An error at `path` or anywhere below it.
  bool under(const std::string& path) const {
    for (const auto& p : paths_)
      if (p.compare(0, path.size(), path) == 0 && (p.size() == path.size() || p[path.size()] == '.' || p[path.size()] == '['))
        return true;
    return false;
  }
 private:
  std::vector<std::string> paths_;
};

// A list item that did not parse at all stands in as an empty entry: nothing of it to check.
bool placeholder(const ParseFailures& failed, const std::string& path, const std::string& name) {
  return name.empty() && failed.at(path);
}

}  // namespace

void validateApp(ShopApp& app, Diagnostics& diags) {
  const ParseFailures failed(diags);
  // A reference is judged only when every entry has a name: one left empty by its own error may
  // be the one referred to. (A name with a wrong form is kept as written, so it still resolves.)
  bool namesKnown = true;
  for (const auto& o : app.services) namesKnown &= !o.name.empty();
  for (const auto& o : app.databases) namesKnown &= !o.name.empty();
  for (const auto& o : app.messaging) namesKnown &= !o.name.empty();
  auto checkStore = [&](const DataStore& d, const char* list, size_t i) {
    const std::string path = std::string("spec.") + list + "[" + std::to_string(i) + "]";
    if (placeholder(failed, path, d.name)) return;
    if (!failed.under(path + ".resources")) checkRequestsWithinLimits(diags, path, d.resources);
    if (app.security.podSecurity == "restricted" && !failed.under("spec.security.podSecurity") &&
        !failed.under(path + ".security"))
      for (const auto& cap : d.security.addCapabilities)
        if (cap != "NET_BIND_SERVICE")
          diags.error(path + ".security.addCapabilities",
                      quotedValue(cap) + " is not allowed by Pod Security \"restricted\" (only NET_BIND_SERVICE)");
  };
  std::set<std::string> exposed;
  bool anyExposed = false, anyResilience = false;
  for (size_t i = 0; i < app.services.size(); ++i) {
    Service& s = app.services[i];
    const std::string path = "spec.services[" + std::to_string(i) + "]";
    if (placeholder(failed, path, s.name) && s.image.empty()) continue;
    const bool portsKnown = !failed.under(path + ".ports");
    for (size_t j = 0; j < s.dependsOn.size() && !failed.under(path + ".dependsOn"); ++j) {
      const std::string& dep = s.dependsOn[j];
      const std::string dpath = path + ".dependsOn[" + std::to_string(j) + "]";
      if (dep == s.name) {
        diags.error(dpath, "a service cannot depend on itself");
      } else if (!app.findService(dep) && !app.findStore(dep)) {
        if (!namesKnown) continue;
        std::vector<std::string> cands;
        for (const auto& o : app.services) cands.push_back(o.name);
        for (const auto& o : app.databases) cands.push_back(o.name);
        for (const auto& o : app.messaging) cands.push_back(o.name);
        std::string msg = quotedValue(dep) + " is not a service, database or message broker of this app";
        if (auto c = closest(dep, cands)) msg += " (did you mean \"" + *c + "\"?)";
        diags.error(dpath, msg);
      } else if (std::count(s.dependsOn.begin(), s.dependsOn.end(), dep) > 1 &&
                 std::find(s.dependsOn.begin(), s.dependsOn.end(), dep) - s.dependsOn.begin() !=
                     static_cast<long>(j)) {
        diags.error(dpath, quotedValue(dep) + " is listed twice");
      }
    }
    if (s.expose && failed.under(path + ".expose")) anyExposed = true;
    if (s.expose && !failed.under(path + ".expose")) {
      anyExposed = true;
      if (!app.gateway.enabled && !failed.under("spec.gateway"))
        diags.error(path + ".expose", "the gateway is disabled: set spec.gateway.enabled: true to expose services");
      if (s.ports.empty() && portsKnown) diags.error(path + ".expose", "a service without ports cannot be exposed");
      for (const auto& p : s.expose->paths)
        if (!exposed.insert(p).second)
          diags.error(path + ".expose.paths", "path \"" + p + "\" is already routed to another service");
      if (s.expose->port && portsKnown) {
        bool found = false;
        for (const auto& p : s.ports) found |= p.name == *s.expose->port || std::to_string(p.port) == *s.expose->port;
        if (!found) diags.error(path + ".expose.port", quotedValue(*s.expose->port) + " is not one of this service's ports");
      }
    }
    if (s.scrape.enabled && s.scrape.port && portsKnown && !failed.under(path + ".metrics")) {
      bool found = false;
      for (const auto& p : s.ports)
        found |= p.name == *s.scrape.port || std::to_string(p.port) == *s.scrape.port ||
                 std::to_string(p.targetPort) == *s.scrape.port;
      if (!found) diags.error(path + ".metrics.port", quotedValue(*s.scrape.port) + " is not one of this service's ports");
    }
    if (s.expose && s.expose->rewrite && !app.mesh.enabled && !failed.under("spec.mesh"))
      diags.warning(path + ".expose.rewrite", "rewrites need the Istio gateway (spec.mesh.enabled); an Ingress does not rewrite paths");
    // probes: default to TCP on the first port; without ports they must be given, or none: true
    auto checkProbePort = [&](const std::optional<Probe>& p, const char* which) {
      if (!p) return;
      std::string port = p->http ? p->http->port : p->grpc ? p->grpc->port : p->tcpPort.value_or("");
      if (p->exec) return;
      const std::string ppath = path + ".probes." + which;
      if (port.empty()) {
        if (s.ports.empty()) diags.error(ppath, "port is required: this service declares no ports");
        return;
      }
      bool numeric = std::all_of(port.begin(), port.end(), ::isdigit);
      if (numeric) return;
      bool found = false;
      for (const auto& sp : s.ports) found |= sp.name == port;
      if (!found) diags.error(ppath, "port \"" + port + "\" is not the name of one of this service's ports");
    };
    const bool probesKnown = portsKnown && !failed.under(path + ".probes");
    if (probesKnown) {
      checkProbePort(s.probes.liveness, "liveness");
      checkProbePort(s.probes.readiness, "readiness");
      checkProbePort(s.probes.startup, "startup");
    }
    // A worker (no ports) gets no invented probe: it gives its own, or says it runs without.
    if (probesKnown && s.ports.empty() && !s.probes.none && (!s.probes.liveness || !s.probes.readiness))
      diags.error(path + ".probes", "a service without ports gets no default probe: give liveness and readiness "
                                    "(exec), or set probes.none: true to run it without probes (the kubelet then "
                                    "restarts it only when its process exits)");
    if (probesKnown && !s.ports.empty() && s.probes.none)
      diags.error(path + ".probes.none", "only a service without ports may run without probes: this one has ports, "
                                         "and gets a TCP probe on the first one unless you give others");
    // autoscaling
    const bool scalingKnown = !failed.under(path + ".autoscaling") && !failed.under(path + ".replicas");
    if (s.autoscaling.enabled) {
      if (s.autoscaling.min > s.autoscaling.max && scalingKnown)
        diags.error(path + ".autoscaling.min", "min (" + std::to_string(s.autoscaling.min) +
                                                   ") is larger than max (" + std::to_string(s.autoscaling.max) + ")");
      if (!s.autoscaling.cpu && !s.autoscaling.memory) s.autoscaling.cpu = 80;
    }
    // storage
    // With versions, each version's Deployment runs its own pods (several versions sharing a
    // single-node volume are refused by the parser at .versions).
    const int maxPods = s.versions.size() > 1 || failed.under(path + ".versions") ? 0 : s.podCeiling();
    std::set<std::string> mounts;
    auto mount = [&](const std::string& p, const std::string& where) {
      if (!p.empty() && !mounts.insert(p).second)
        diags.error(where, quotedValue(p) + " is mounted twice (storage, writablePaths and config files must not overlap)");
    };
    for (size_t v = 0; v < s.storage.size(); ++v) {
      const auto& vol = s.storage[v];
      const std::string vpath = path + ".storage[" + std::to_string(v) + "]";
      if (scalingKnown && !failed.under(vpath) && maxPods > 1 && (vol.accessMode == "ReadWriteOnce" || vol.accessMode == "ReadWriteOncePod") && !vol.existingClaim)
        diags.error(vpath + ".accessMode", "a " + vol.accessMode + " volume cannot be shared by " +
                                               std::to_string(maxPods) +
                                               " replicas on different nodes: use ReadWriteMany, or run one replica");
      if (!failed.under(vpath)) mount(vol.path, vpath + ".path");
    }
    for (size_t w = 0; w < s.writablePaths.size(); ++w)
      if (!failed.under(path + ".writablePaths"))
        mount(s.writablePaths[w], path + ".writablePaths[" + std::to_string(w) + "]");
    for (size_t f = 0; f < s.config.files.size(); ++f)
      if (!failed.under(path + ".config.files[" + std::to_string(f) + "]"))
        mount(s.config.files[f].path, path + ".config.files[" + std::to_string(f) + "].path");
    // security
    const bool restrictedKnown = !failed.under("spec.security.podSecurity");
    if (app.security.podSecurity == "restricted" && restrictedKnown && !failed.under(path + ".security"))
      for (const auto& cap : s.security.addCapabilities)
        if (cap != "NET_BIND_SERVICE")
          diags.error(path + ".security.addCapabilities",
                      quotedValue(cap) + " is not allowed by Pod Security \"restricted\" (only NET_BIND_SERVICE)");
    if (!failed.under(path + ".resources")) checkRequestsWithinLimits(diags, path, s.resources);
    if (s.resilience.retries || s.resilience.timeout || s.resilience.faults ||
        s.resilience.connectionPool || s.resilience.outlierDetection)
      anyResilience = true;
    if (s.replicas == 0 && !s.autoscaling.enabled && scalingKnown)
      diags.warning(path + ".replicas", "0 replicas: the service is scaled to zero");
  }
  // The app-wide warnings judge the whole spec: only when every field parsed.
  if (failed.any()) {
    for (size_t i = 0; i < app.databases.size(); ++i) checkStore(app.databases[i], "databases", i);
    for (size_t i = 0; i < app.messaging.size(); ++i) checkStore(app.messaging[i], "messaging", i);
    return;
  }
  if (app.gateway.enabled && app.gateway.tlsSecret && !app.gateway.httpsRedirect && !app.mesh.enabled)
    diags.warning("spec.gateway.tls.httpsRedirect", "the Ingress path leaves redirects to the ingress controller's own settings");
  if (app.gateway.enabled && !anyExposed)
    diags.warning("spec.gateway", "the gateway is enabled but no service sets expose.paths");
  if (!app.mesh.enabled && anyResilience)
    diags.warning("spec.mesh.enabled",
                  "resilience settings (retries, timeouts, faults, circuit breakers) need the Istio mesh; "
                  "they are not rendered while the mesh is disabled");
  for (size_t i = 0; i < app.databases.size(); ++i) checkStore(app.databases[i], "databases", i);
  for (size_t i = 0; i < app.messaging.size(); ++i) checkStore(app.messaging[i], "messaging", i);
}

}  // namespace shop::parse_detail
