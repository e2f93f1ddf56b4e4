// Services: ServiceAccount, ConfigMap, PersistentVolumeClaims, Service, Deployment, PDB.
#include <algorithm>

#include "core/render/hardening.hpp"
#include "core/render/meta.hpp"
#include "core/render/security.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

namespace {

Json probeJson(const Probe& p, const Service& s, ProbeUse use) {
  auto portValue = [&](const std::string& port) -> Json {
    if (port.empty()) return s.ports.empty() ? Json(0) : Json(s.ports[0].targetPort);
    if (std::all_of(port.begin(), port.end(), ::isdigit)) return std::stoi(port);
    for (const auto& sp : s.ports)
      if (sp.name == port) return sp.targetPort;  // numeric: works on and off the mesh
    return port;
  };
  Json handler = Json::object();
  if (p.http) {
    handler = httpGetHandler(p.http->path, portValue(p.http->port), p.http->scheme);
    if (!p.http->headers.empty()) {
      Json headers = Json::array();
      for (const auto& h : p.http->headers) headers.push_back({{"name", h.name}, {"value", h.value}});
      handler["httpGet"]["httpHeaders"] = headers;
    }
  } else if (p.grpc) {
    handler = grpcHandler(portValue(p.grpc->port), p.grpc->service);
  } else if (p.tcpPort) {
    handler = tcpSocketHandler(portValue(*p.tcpPort));
  } else if (p.exec) {
    handler = execHandler(*p.exec);
  }
  return probe(handler, use,
               {p.initialDelaySeconds, p.periodSeconds, p.timeoutSeconds, p.failureThreshold, p.successThreshold});
}

// Readiness answers "can this pod take traffic", liveness "is the process alive". When only
// one is given, the other is derived; a TCP liveness check beside an HTTP readiness check
// keeps a slow dependency from restarting healthy pods.
Probes effectiveProbes(const Service& s) {
  Probes p = s.probes;
  Probe tcp;
  tcp.tcpPort = "";
  if (!p.readiness) p.readiness = p.liveness ? *p.liveness : tcp;
  if (!p.liveness) {
    if (p.readiness->tcpPort) {
      p.liveness = *p.readiness;
    } else if (!s.ports.empty()) {
      p.liveness = tcp;
    } else {
      p.liveness = *p.readiness;
    }
    if (p.startup) p.liveness->initialDelaySeconds.reset();
  }
  return p;
}

std::string volumeName(const std::string& path) {
  std::string n;
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) n += static_cast<char>(std::tolower(c));
    else if (!n.empty() && n.back() != '-') n += '-';
  }
  while (!n.empty() && n.back() == '-') n.pop_back();
  if (n.empty()) n = "root";
  if (n.size() > 50) n = n.substr(0, 40) + "-" + stableHash(path).substr(0, 8);
  return n;
}

// The service as one version of it runs: the version's image, replicas, autoscaling and env,
// its labels and pod annotations added to the service's.
Service versioned(const Service& s, const ServiceVersion& v) {
  Service out = s;
  out.image = v.image;
  out.replicas = v.replicas;
  out.autoscaling = v.autoscaling;
  out.env = v.env;
  for (const auto& [k, val] : v.labels) out.labels[k] = val;
  for (const auto& [k, val] : v.podAnnotations) out.podAnnotations[k] = val;
  out.versions.clear();
  return out;
}

// The Deployment of a service, or of one version of it (version set: s is the service with the
// version's image, replicas, env, labels and annotations put in; its pods are labelled
// version: <name> and its selector includes that label).
Json deployment(const ShopApp& app, const Service& s, const std::string& name, const ServiceVersion* version,
                int spreadPods, const std::string& configHash) {
  const Json labels = componentLabels(app, s.name, "service");
  const std::string& ns = app.namespace_;
  const std::string configName = s.name + "-config";
  const std::string filesName = s.name + "-files";

  // Container.
  Json c = Json::object();
  c["name"] = s.name;
  c["image"] = s.image;
  c["imagePullPolicy"] = s.imagePullPolicy;
  if (!s.command.empty()) c["command"] = s.command;
  if (!s.args.empty()) c["args"] = s.args;
  if (!s.ports.empty()) {
    Json ports = Json::array();
    for (const auto& p : s.ports) ports.push_back({{"name", p.name}, {"containerPort", p.targetPort}, {"protocol", p.protocol}});
    c["ports"] = ports;
  }
  if (!s.env.empty()) c["env"] = envJson(s.env);
  if (!s.config.env.empty()) c["envFrom"] = Json::array({{{"configMapRef", {{"name", configName}}}}});
  c["resources"] = resourcesJson(s.resources);
  // probes.none (a worker without ports): no probe at all, as the ShopApp says.
  if (!s.probes.none) {
    const Probes probes = effectiveProbes(s);
    if (probes.startup) c["startupProbe"] = probeJson(*probes.startup, s, ProbeUse::Startup);
    c["livenessProbe"] = probeJson(*probes.liveness, s, ProbeUse::Liveness);
    c["readinessProbe"] = probeJson(*probes.readiness, s, ProbeUse::Readiness);
  }
  std::vector<int> containerPorts;
  for (const auto& p : s.ports) containerPorts.push_back(p.targetPort);
  c["securityContext"] = containerSecurityContext(
      s.security.readOnlyRootFilesystem.value_or(app.security.readOnlyRootFilesystem),
      capabilitiesForPorts(containerPorts, s.security.addCapabilities));

  Json mounts = Json::array();
  Json volumes = Json::array();
  for (const auto& p : s.writablePaths) {
    const std::string vn = "w-" + volumeName(p);
    mounts.push_back({{"name", vn}, {"mountPath", p}});
    volumes.push_back({{"name", vn}, {"emptyDir", {{"sizeLimit", s.writableSizeLimit}}}});
  }
  for (size_t i = 0; i < s.config.files.size(); ++i) {
    const auto& f = s.config.files[i];
    const std::string key = "file-" + std::to_string(i);
    mounts.push_back({{"name", "config"}, {"mountPath", f.path}, {"subPath", key}, {"readOnly", true}});
  }
  if (!s.config.files.empty()) volumes.push_back({{"name", "config"}, {"configMap", {{"name", filesName}}}});
  for (const auto& v : s.storage) {
    const std::string vn = "data-" + v.name;
    Json m = {{"name", vn}, {"mountPath", v.path}};
    // Only what differs from the default: the API server drops "readOnly: false", and a field
    // it drops would look like drift to the operator forever.
    if (v.accessMode == "ReadOnlyMany") m["readOnly"] = true;
    mounts.push_back(m);
    volumes.push_back({{"name", vn},
                       {"persistentVolumeClaim", {{"claimName", v.existingClaim.value_or(s.name + "-" + v.name)}}}});
  }
  if (!mounts.empty()) c["volumeMounts"] = mounts;

  // Pod.
  Json podLabels = labels;
  podLabels["app.kubernetes.io/version"] = versionLabel(s.image);
  for (const auto& [k, v] : s.labels) podLabels[k] = v;
  if (version) podLabels[kVersionLabel] = version->name;
  if (app.mesh.enabled && s.meshInject && !*s.meshInject) podLabels["sidecar.istio.io/inject"] = "false";
  Json annotations = Json::object();
  if (!configHash.empty()) annotations["shopctl.io/config-hash"] = configHash;
  if (s.scrape.enabled && !s.ports.empty()) addScrapeAnnotations(app, s.scrapeContainerPort(), s.scrape.path, annotations);
  for (const auto& [k, v] : s.podAnnotations) annotations[k] = v;

  Json pod = basePodSpec(app, s.name, s.security, s.priorityClassName.value_or(""), s.terminationGracePeriodSeconds,
                         s.placement);
  if (s.spread) addPlacement(app, s.name, spreadPods, pod);
  pod["containers"] = Json::array({c});
  if (!volumes.empty()) pod["volumes"] = volumes;

  Json template_ = Json::object();
  template_["metadata"] = {{"labels", podLabels}};
  if (!annotations.empty()) template_["metadata"]["annotations"] = annotations;
  template_["spec"] = pod;

  Json deploy = object("apps/v1", "Deployment", name, ns, labels);
  Json spec = Json::object();
  // With an HPA the autoscaler owns the replica count; setting it here would fight it.
  if (!s.autoscaling.enabled) spec["replicas"] = s.replicas;
  spec["revisionHistoryLimit"] = 5;
  Json selector = selectorLabels(app, s.name);
  if (version) selector[kVersionLabel] = version->name;
  spec["selector"] = {{"matchLabels", selector}};
  // Zero-downtime: a new pod must be Ready before an old one goes.
  spec["strategy"] = {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}};
  spec["minReadySeconds"] = 5;
  spec["progressDeadlineSeconds"] = 600;
  spec["template"] = template_;
  deploy["spec"] = spec;
  return deploy;
}

}  // namespace

void renderService(const ShopApp& app, const Service& s, Out& out) {
  const Json labels = componentLabels(app, s.name, "service");
  const std::string& ns = app.namespace_;
  const int maxPods = s.podCeiling();

  if (app.security.serviceAccounts) out.add(serviceAccount(app, s.name, "service"));

  // Configuration: environment and files in separate ConfigMaps (envFrom loads every key of
  // its ConfigMap, so files must not sit beside the variables). Their hash rolls the pods on change.
  std::string configHash;
  const std::string configName = s.name + "-config";
  const std::string filesName = s.name + "-files";
  std::string hashed;
  if (!s.config.env.empty()) {
    Json cm = object("v1", "ConfigMap", configName, ns, labels);
    Json data = Json::object();
    for (const auto& [k, v] : s.config.env) data[k] = v;
    cm["data"] = data;
    hashed += data.dump();
    out.add(cm);
  }
  if (!s.config.files.empty()) {
    Json cm = object("v1", "ConfigMap", filesName, ns, labels);
    Json data = Json::object();
    for (size_t i = 0; i < s.config.files.size(); ++i) data["file-" + std::to_string(i)] = s.config.files[i].content;
    cm["data"] = data;
    hashed += data.dump();
    out.add(cm);
  }
  if (!hashed.empty()) configHash = stableHash(hashed);

  // Persistent or shared storage.
  for (const auto& v : s.storage) {
    if (v.existingClaim) continue;
    Json pvc = object("v1", "PersistentVolumeClaim", s.name + "-" + v.name, ns, labels);
    Json spec = {{"accessModes", {v.accessMode}}, {"resources", {{"requests", {{"storage", v.size}}}}}};
    if (v.storageClass) spec["storageClassName"] = *v.storageClass;
    pvc["spec"] = spec;
    out.add(pvc);
  }

  // Service.
  if (!s.ports.empty()) {
    Json svc = object("v1", "Service", s.name, ns, labels);
    Json ports = Json::array();
    for (const auto& p : s.ports) {
      Json pj = {{"name", p.name}, {"port", p.port}, {"targetPort", p.name}, {"protocol", p.protocol}};
      if (p.appProtocol) pj["appProtocol"] = *p.appProtocol;
      ports.push_back(pj);
    }
    svc["spec"] = {{"type", "ClusterIP"}, {"selector", selectorLabels(app, s.name)}, {"ports", ports}};
    out.add(svc);
  }

  // Workloads: one Deployment, or one per version, all behind the one Service above.
  if (s.versions.empty()) {
    out.add(deployment(app, s, s.name, nullptr, maxPods, configHash));
  } else {
    for (const auto& v : s.versions) out.add(deployment(app, versioned(s, v), s.deploymentOf(v), &v, maxPods, configHash));
  }

  // One budget across every version: it selects the service's pods, whichever version runs them.
  if (maxPods >= 2) out.add(disruptionBudget(app, s.name, "service", {{"maxUnavailable", 1}}));
}

}  // namespace shop::steps
