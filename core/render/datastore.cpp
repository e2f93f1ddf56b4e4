// The StatefulSet shape every data store shares; engines fill in a StorePlan.
#include "core/render/datastore.hpp"

#include "core/render/meta.hpp"
#include "core/model/engines.hpp"
#include "core/render/security.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

std::string headlessName(const DataStore& d) { return d.name + "-headless"; }

std::string memberHost(const ShopApp& app, const DataStore& d, int i) {
  return d.name + "-" + std::to_string(i) + "." + headlessName(d) + "." + app.namespace_ + ".svc.cluster.local";
}

Json envSecret(const std::string& name, const std::string& secret, const std::string& key) {
  return {{"name", name}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
}
Json envValue(const std::string& name, const std::string& value) { return {{"name", name}, {"value", value}}; }
Json envField(const std::string& name, const std::string& path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
}

Json execProbe(const std::string& shellCommand, int period, int timeout, int failures) {
  return {{"exec", {{"command", {"/bin/sh", "-c", shellCommand}}}},
          {"periodSeconds", period}, {"timeoutSeconds", timeout}, {"failureThreshold", failures}};
}

Json tcpProbe(int port, int period, int timeout, int failures) {
  return {{"tcpSocket", {{"port", port}}}, {"periodSeconds", period}, {"timeoutSeconds", timeout}, {"failureThreshold", failures}};
}

namespace {

std::string pathVolume(const std::string& path) {
  std::string n = "w";
  for (char c : path) n += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  while (n.find("--") != std::string::npos) n.replace(n.find("--"), 2, "-");
  while (!n.empty() && n.back() == '-') n.pop_back();
  return n;
}

}  // namespace

void renderDataStore(const ShopApp& app, const DataStore& d, Out& out) {
  StorePlan plan;
  switch (d.engine) {
    case Engine::MongoDB: plan = planMongo(app, d); break;
    case Engine::MySQL: plan = planMySQL(app, d); break;
    case Engine::Redis: plan = planRedis(app, d); break;
    case Engine::PostgreSQL: plan = planPostgres(app, d); break;
    case Engine::MariaDB: plan = planMariaDB(app, d); break;
    case Engine::RabbitMQ: plan = planRabbit(app, d); break;
    case Engine::Kafka: plan = planKafka(app, d); break;
  }
  const std::string role = d.isBroker() ? "broker" : "database";
  const Json labels = componentLabels(app, d.name, role);
  const std::string& ns = app.namespace_;

  if (!plan.secretKeys.empty())
    out.secrets.push_back({d.credentials.secretName, d.name, plan.secretKeys, d.credentials.generate});

  if (app.security.serviceAccounts) out.add(serviceAccount(app, d.name, role));

  const std::string scripts = d.name + "-scripts";
  if (!plan.files.empty()) {
    Json cm = object("v1", "ConfigMap", scripts, ns, labels);
    Json data = Json::object();
    for (const auto& [k, v] : plan.files) data[k] = v;
    cm["data"] = data;
    out.add(cm);
  }

  // Headless Service: stable DNS for each member, published before members are Ready so
  // they can find each other while forming the cluster.
  Json headless = object("v1", "Service", headlessName(d), ns, labels);
  headless["spec"] = {{"clusterIP", "None"},
                      {"publishNotReadyAddresses", true},
                      {"selector", selectorLabels(app, d.name)},
                      {"ports", plan.servicePorts}};
  out.add(headless);

  // Client Service: the primary for primary/replica engines, every member otherwise.
  Json client = object("v1", "Service", d.name, ns, labels);
  Json selector = selectorLabels(app, d.name);
  if (plan.clientToPrimary) {
    selector["statefulset.kubernetes.io/pod-name"] = d.name + "-0";
    // The StatefulSet controller puts that label on each pod when it creates it, so tools that
    // read only manifests cannot see that this selector matches a pod. Say so to them.
    client["metadata"]["annotations"] = {
        {"kube-score/ignore", "service-targets-pod"},
        {"ignore-check.kube-linter.io/dangling-service",
         "selects the primary by statefulset.kubernetes.io/pod-name, a label the StatefulSet controller adds"}};
  }
  client["spec"] = {{"type", "ClusterIP"}, {"selector", selector}, {"ports", plan.servicePorts}};
  out.add(client);

  // Readers' Service: every member, the replicas too, under the name the readers use.
  if (d.readService) {
    Json reads = object("v1", "Service", *d.readService, ns, labels);
    reads["spec"] = {{"type", "ClusterIP"}, {"selector", selectorLabels(app, d.name)}, {"ports", plan.servicePorts}};
    out.add(reads);
  }

  // Container.
  Json c = Json::object();
  c["name"] = engineName(d.engine);
  c["image"] = d.image;
  c["imagePullPolicy"] = d.imagePullPolicy;
  if (!plan.command.empty()) c["command"] = plan.command;
  if (!d.args.empty()) c["args"] = d.args;
  c["ports"] = plan.ports;
  Json env = Json::array({envField("POD_NAME", "metadata.name"), envField("POD_NAMESPACE", "metadata.namespace"),
                          envValue("SHOP_HEADLESS", headlessName(d))});
  // The member count is in the pod template only for the engine whose script reads it (MongoDB's
  // replica-set initiation): anywhere else a scale would roll every member, the primary included.
  if (d.engine == Engine::MongoDB) env.push_back(envValue("SHOP_REPLICAS", std::to_string(d.replicas)));
  for (const auto& e : plan.env) env.push_back(e);
  for (const auto& e : envJson(d.env)) env.push_back(e);
  c["env"] = env;
  c["resources"] = resourcesJson(d.resources);
  if (!plan.startup.is_null()) c["startupProbe"] = plan.startup;
  c["livenessProbe"] = plan.liveness;
  c["readinessProbe"] = plan.readiness;
  std::vector<int> portNumbers;
  for (const auto& p : plan.ports) portNumbers.push_back(p["containerPort"].get<int>());
  const bool ro = d.security.readOnlyRootFilesystem.value_or(app.security.readOnlyRootFilesystem);
  c["securityContext"] = containerSecurityContext(ro, capabilitiesForPorts(portNumbers, d.security.addCapabilities));

  Json mounts = Json::array({{{"name", "data"}, {"mountPath", engineInfo(d.engine).dataPath}}});
  Json volumes = Json::array();
  for (const auto& w : plan.writable) {
    mounts.push_back({{"name", pathVolume(w)}, {"mountPath", w}});
    volumes.push_back({{"name", pathVolume(w)}, {"emptyDir", {{"sizeLimit", "256Mi"}}}});
  }
  if (!plan.files.empty()) {
    mounts.push_back({{"name", "scripts"}, {"mountPath", "/scripts"}, {"readOnly", true}});
    for (const auto& [path, key] : plan.fileMounts)
      mounts.push_back({{"name", "scripts"}, {"mountPath", path}, {"subPath", key}, {"readOnly", true}});
    volumes.push_back({{"name", "scripts"}, {"configMap", {{"name", scripts}, {"defaultMode", 0555}}}});
  }
  for (const auto& m : plan.extraMounts) mounts.push_back(m);
  for (const auto& v : plan.extraVolumes) volumes.push_back(v);
  c["volumeMounts"] = mounts;

  // A seeded image keeps its data inside the image; copy it into the empty volume once.
  Json inits = Json::array();
  if (d.seedFrom) {
    Json seed = Json::object();
    seed["name"] = "seed";
    seed["image"] = d.image;
    seed["imagePullPolicy"] = d.imagePullPolicy;
    seed["command"] = {"/bin/sh", "-c",
                       "if [ -z \"$(ls -A /seed-target 2>/dev/null | grep -v lost+found)\" ]; then cp -R " + *d.seedFrom +
                           "/. /seed-target/; echo seeded from " + *d.seedFrom + "; fi"};
    seed["resources"] = resourcesJson(d.resources);
    seed["securityContext"] = containerSecurityContext(true, {});
    seed["volumeMounts"] = Json::array({{{"name", "data"}, {"mountPath", "/seed-target"}}});
    inits.push_back(seed);
  }
  for (const auto& i : plan.initContainers) inits.push_back(i);

  Json podLabels = labels;
  podLabels["app.kubernetes.io/version"] = versionLabel(d.image);
  Json pod = basePodSpec(app, d.name, d.security, d.priorityClassName, 60, d.placement);
  addPlacement(app, d.name, d.replicas, pod);
  if (!inits.empty()) pod["initContainers"] = inits;
  pod["containers"] = Json::array({c});
  pod["volumes"] = volumes;

  Json tmpl = Json::object();
  tmpl["metadata"] = {{"labels", podLabels}};
  Json annotations = Json::object();
  for (const auto& [k, v] : plan.podAnnotations) annotations[k] = v;
  if (!plan.files.empty()) {
    Json data = Json::object();
    for (const auto& [k, v] : plan.files) data[k] = v;
    annotations["shopctl.io/config-hash"] = stableHash(data.dump());
  }
  if (!annotations.empty()) tmpl["metadata"]["annotations"] = annotations;
  tmpl["spec"] = pod;

  Json pvcSpec = {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", d.storage.size}}}}}};
  if (d.storage.storageClass) pvcSpec["storageClassName"] = *d.storage.storageClass;
  Json claim = {{"metadata", {{"name", "data"}, {"labels", labels}}}, {"spec", pvcSpec}};

  Json sts = object("apps/v1", "StatefulSet", d.name, ns, labels);
  Json spec = Json::object();
  spec["serviceName"] = headlessName(d);
  spec["replicas"] = d.replicas;
  spec["revisionHistoryLimit"] = 5;
  spec["selector"] = {{"matchLabels", selectorLabels(app, d.name)}};
  spec["podManagementPolicy"] = plan.podManagementPolicy;
  spec["updateStrategy"] = {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}};
  // Data outlives the StatefulSet unless the ShopApp explicitly says otherwise.
  spec["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", d.storage.whenDeleted}, {"whenScaled", d.storage.whenScaled}};
  spec["template"] = tmpl;
  spec["volumeClaimTemplates"] = Json::array({claim});
  sts["spec"] = spec;
  out.add(sts);

  if (d.replicas >= 2) {
    Json budget = plan.quorum ? Json{{"minAvailable", d.replicas / 2 + 1}} : Json{{"maxUnavailable", 1}};
    out.add(disruptionBudget(app, d.name, role, budget));
  }
}

}  // namespace shop::steps
