// The ShopApp's status from what a reconcile found and did: components, summary, the
// capability conditions and the kstatus conditions (Ready, Reconciling, Stalled), with the
// Result that goes with them. Pure: the controller passes in what it observed.
#include "operator/status.hpp"

namespace shop::op {

void Progress::fail(std::string message, bool permanent) {
  errors.push_back(std::move(message));
  if (!permanent) transient = true;
}

namespace {

struct Condition {
  const char* status;
  const char* reason;
  std::string message;
};

// The three kstatus conditions at once.
void setKstatus(Json& conds, const Condition& ready, const Condition& reconciling, const Condition& stalled,
                int64_t generation, const std::string& now) {
  setCondition(conds, "Ready", ready.status, ready.reason, ready.message, generation, now);
  setCondition(conds, "Reconciling", reconciling.status, reconciling.reason, reconciling.message, generation, now);
  setCondition(conds, "Stalled", stalled.status, stalled.reason, stalled.message, generation, now);
}

void dropCondition(Json& conds, const std::string& type) {
  if (!conds.is_array()) return;
  Json kept = Json::array();
  for (const auto& c : conds)
    if (c.value("type", "") != type) kept.push_back(c);
  conds = kept;
}

// The old status with the generation this reconcile saw.
Json baseStatus(const Json& appObj) {
  Json status = appObj.value("status", Json::object());
  status["observedGeneration"] = appObj["metadata"].value("generation", int64_t{0});
  return status;
}

// One entry of status.components per service, database and broker, from its workload.
Json components(const ShopApp& app, const Workloads& w, AppStatus& out, std::string& notReady) {
  Json list = Json::array();
  auto component = [&](const std::string& name, const char* kind, const std::map<std::string, Shared>& live,
                        const char* workload, int floor) {
    const auto it = live.find(name);
    const WorkloadState st = workloadState(it == live.end() ? nullptr : it->second.get(), floor);
    ++out.total;
    out.ready += st.ready;
    if (!st.ready && notReady.size() < 300) notReady += (notReady.empty() ? "" : ", ") + name + " (" + st.message + ")";
    list.push_back({{"name", name}, {"kind", kind}, {"workload", std::string(workload) + "/" + name},
                    {"desiredReplicas", st.desired}, {"readyReplicas", st.readyReplicas}, {"ready", st.ready},
                    {"message", st.message}});
  };
  for (const auto& s : serviceWorkloads(app)) component(s.name, "service", w.deployments, "Deployment", s.floor);
  for (const auto& d : app.databases) component(d.name, "database", w.statefulsets, "StatefulSet", d.replicas);
  for (const auto& d : app.messaging) component(d.name, "broker", w.statefulsets, "StatefulSet", d.replicas);
  return list;
}

// status.mesh, MeshAvailable and MonitoringAvailable: set for the apps that ask for them,
// removed from the others. They do not affect Ready.
void capabilityStatus(const ShopApp& app, const Desired& d, const ClusterCapabilities& caps, Json& status, Json& conds,
                      int64_t generation, const std::string& now) {
  if (app.mesh.enabled) {
    status["mesh"] = {{"available", caps.mesh}, {"objects", d.meshObjects}};
    setCondition(conds, "MeshAvailable", caps.mesh ? "True" : "False", caps.mesh ? "IstioInstalled" : "IstioNotInstalled",
                 caps.mesh ? "Istio CRDs are installed; mesh policies are applied"
                           : "Istio CRDs are not installed: " + std::to_string(d.meshSkipped) +
                                 " mesh objects are not applied; they will be when Istio is installed",
                 generation, now);
  } else {
    status.erase("mesh");
    dropCondition(conds, "MeshAvailable");
  }
  if (app.monitoring.prometheus == "serviceMonitor") {
    setCondition(conds, "MonitoringAvailable", caps.monitoring ? "True" : "False",
                 caps.monitoring ? "ServiceMonitorInstalled" : "ServiceMonitorNotInstalled",
                 caps.monitoring ? "ServiceMonitors are applied"
                                 : "the ServiceMonitor CRD (monitoring.coreos.com) is not installed: " +
                                       std::to_string(d.monitorSkipped) +
                                       " ServiceMonitors are not applied; they will be when it is installed",
                 generation, now);
  } else {
    dropCondition(conds, "MonitoringAvailable");
  }
}

// GatewayTLSVerified, for an app whose gateway serves TLS: whether its Secret was found where
// its reader looks. For an Ingress a missing one is also SecretsMissing (Ready waits); the mesh
// gateway's lives in the gateway pods' namespace, the mesh's to provision, and Ready does not
// wait for it. Unknown when the operator may not read that namespace; the message says how to
// let it look.
void gatewayTlsStatus(const ShopApp& app, const Progress& p, Json& conds, int64_t generation, const std::string& now) {
  if (!app.gateway.enabled || !app.gateway.tlsSecret || p.gatewayTls == SecretCheck::None) {
    dropCondition(conds, "GatewayTLSVerified");
    return;
  }
  const std::string& name = *app.gateway.tlsSecret;
  const std::string& where = p.gatewayTlsNamespace;  // where the plan looked (secretReferences)
  const std::string secret = "Secret " + where + "/" + name;
  switch (p.gatewayTls) {
    case SecretCheck::Found:
      setCondition(conds, "GatewayTLSVerified", "True", "SecretFound", secret + " exists", generation, now);
      break;
    case SecretCheck::Missing: {
      std::string msg = secret + " does not exist: the gateway serves no HTTPS until it does";
      if (app.mesh.enabled) {  // not SecretsMissing: the app's workloads run, the mesh owns the Secret
        if (app.gateway.httpsRedirect) msg += ", and it redirects HTTP to HTTPS";
        msg += "; Ready does not wait for it; looked at again every " +
               std::to_string(kGatewaySecretPollInterval.count() / 1000) + " s";
      }
      setCondition(conds, "GatewayTLSVerified", "False", "SecretNotFound", msg, generation, now);
      break;
    }
    default:
      setCondition(conds, "GatewayTLSVerified", "Unknown", "SecretNotReadable",
                   "the operator may not read " + secret + ", so it cannot tell whether the gateway can serve HTTPS; "
                   "a Role in " + where + " granting get on secrets named " + name +
                   " alone lets it look (docs/operator.md, GatewayTLSVerified); looked at again every " +
                   std::to_string(kGatewaySecretPollInterval.count() / 1000) + " s",
                   generation, now);
  }
}

// Ready, Reconciling and Stalled, by precedence, and the Result that goes with them.
Result kstatus(const Progress& p, const AppStatus& a, const std::string& notReady, Json& conds, int64_t gen,
               const std::string& now) {
  if (!p.errors.empty()) {
    const std::string msg = p.errors[0] + (p.errors.size() > 1 ? " (and " + std::to_string(p.errors.size() - 1) + " more)" : "");
    if (p.transient) {
      setKstatus(conds, {"False", "ApplyFailed", msg}, {"True", "Retrying", msg}, {"False", "Retrying", "retrying with backoff"}, gen, now);
      return Result::failed(msg);
    }
    setKstatus(conds, {"False", "ApplyFailed", msg}, {"False", "ApplyFailed", "waiting for a change"}, {"True", "ApplyFailed", msg}, gen, now);
    return Result::terminalError(msg);
  }
  if (!p.secretsMissing.empty()) {
    std::string msg = "create the Secret(s) ";
    for (size_t i = 0; i < p.secretsMissing.size(); ++i) msg += (i ? ", " : "") + p.secretsMissing[i];
    setKstatus(conds, {"False", "SecretsMissing", msg}, {"False", "SecretsMissing", msg}, {"True", "SecretsMissing", msg}, gen, now);
    return Result::after(kSecretPollInterval);  // the Secrets are not watched: look again in a while
  }
  const std::string counts = std::to_string(a.ready) + "/" + std::to_string(a.total);
  if (a.ready < a.total) {
    const std::string msg = counts + " components ready; waiting for " + notReady;
    setKstatus(conds, {"False", "ComponentsNotReady", msg}, {"True", "Progressing", msg}, {"False", "Progressing", "making progress"}, gen, now);
    return Result::done();
  }
  const std::string msg = "all " + std::to_string(a.total) + " components ready";
  setKstatus(conds, {"True", "Ready", msg}, {"False", "Ready", msg}, {"False", "Ready", msg}, gen, now);
  return Result::done();
}

}  // namespace

AppStatus appStatus(const Json& appObj, const Desired& desired, const ClusterCapabilities& caps, const Progress& progress,
                    const Workloads& workloads, const std::string& now) {
  const ShopApp& app = *desired.app;
  const int64_t generation = appObj["metadata"].value("generation", int64_t{0});
  AppStatus a;
  a.status = baseStatus(appObj);
  // A value, not a reference into status: ordered_json stores keys in a vector, so adding
  // keys to status would leave a reference dangling.
  Json conds = a.status.value("conditions", Json::array());
  std::string notReady;
  a.status["components"] = components(app, workloads, a, notReady);
  a.status["summary"] = {{"services", app.services.size()},
                         {"databases", app.databases.size()},
                         {"brokers", app.messaging.size()},
                         {"ready", std::to_string(a.ready) + "/" + std::to_string(a.total)}};
  Json secrets = Json::array();
  for (const auto& s : desired.secrets) secrets.push_back(s.name);
  a.status["secrets"] = secrets;
  capabilityStatus(app, desired, caps, a.status, conds, generation, now);
  gatewayTlsStatus(app, progress, conds, generation, now);
  a.result = kstatus(progress, a, notReady, conds, generation, now);
  // The mesh gateway's Secret (or a grant to read it) is not watched, and Ready does not wait
  // for it: look again in a while.
  const bool unsure = progress.gatewayTls == SecretCheck::Unreadable ||
                      (progress.gatewayTls == SecretCheck::Missing && app.mesh.enabled);
  if (unsure && !a.result.isError()) a.result.requeueWithin(kGatewaySecretPollInterval);
  a.status["conditions"] = conds;
  setSummaryStatus(a.status);
  return a;
}

AppStatus invalidStatus(const Json& appObj, const Diagnostics& diags, const std::string& now) {
  const std::string msg = invalidSpecMessage(diags);
  const int64_t generation = appObj["metadata"].value("generation", int64_t{0});
  AppStatus a;
  a.status = baseStatus(appObj);
  Json conds = a.status.value("conditions", Json::array());
  setKstatus(conds, {"False", "InvalidSpec", msg}, {"False", "InvalidSpec", "waiting for a corrected spec"}, {"True", "InvalidSpec", msg},
             generation, now);
  a.status["conditions"] = conds;
  setSummaryStatus(a.status);
  // Waits for the next edit: a retry would find the same spec.
  a.result = Result::terminalError(msg);
  return a;
}

}  // namespace shop::op
