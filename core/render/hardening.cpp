#include "core/render/hardening.hpp"

namespace shop {

ProbeTiming probeTiming(ProbeUse use, bool exec) {
  const int timeout = exec ? kExecProbeTimeoutSeconds : kProbeTimeoutSeconds;
  switch (use) {
    case ProbeUse::Readiness: return {10, timeout, 3};
    case ProbeUse::Liveness: return {20, timeout, 6};
    case ProbeUse::Startup: return {10, timeout, 30};
  }
  return {10, timeout, 3};
}

Json probe(const Json& handler, ProbeUse use, const ProbeSettings& s) {
  const ProbeTiming t = probeTiming(use, handler.contains("exec"));
  Json p = handler;
  if (s.initialDelaySeconds) p["initialDelaySeconds"] = *s.initialDelaySeconds;
  p["periodSeconds"] = s.periodSeconds.value_or(t.periodSeconds);
  p["timeoutSeconds"] = s.timeoutSeconds.value_or(t.timeoutSeconds);
  p["failureThreshold"] = s.failureThreshold.value_or(t.failureThreshold);
  if (s.successThreshold) p["successThreshold"] = *s.successThreshold;
  return p;
}

Json httpGetHandler(const std::string& path, const Json& port, const std::string& scheme) {
  return {{"httpGet", {{"path", path}, {"port", port}, {"scheme", scheme}}}};
}
Json tcpSocketHandler(const Json& port) { return {{"tcpSocket", {{"port", port}}}}; }
Json grpcHandler(const Json& port, const std::optional<std::string>& service) {
  Json g = {{"port", port}};
  if (service) g["service"] = *service;
  return {{"grpc", g}};
}
Json execHandler(const std::vector<std::string>& command) { return {{"exec", {{"command", command}}}}; }

Json httpGetProbe(const std::string& path, const Json& port, ProbeUse use) { return probe(httpGetHandler(path, port), use); }
Json tcpSocketProbe(const Json& port, ProbeUse use) { return probe(tcpSocketHandler(port), use); }
Json execProbe(const std::vector<std::string>& command, ProbeUse use) { return probe(execHandler(command), use); }

Json dnsEgressRule(const std::string& dnsNamespace, const Json& dnsPodLabels, const std::vector<std::string>& cidrs) {
  Json to = Json::array({{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", dnsNamespace}}}}},
                          {"podSelector", {{"matchLabels", dnsPodLabels}}}}});
  for (const auto& c : cidrs) to.push_back({{"ipBlock", {{"cidr", c}}}});
  return {{"to", to}, {"ports", Json::array({{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}})}};
}

Json namespacePeer(const std::string& ns) {
  return {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}}}};
}

Json podPeer(const Json& matchLabels) { return {{"podSelector", {{"matchLabels", matchLabels}}}}; }

Json spreadConstraints(const Json& matchLabels) {
  const Json selector = {{"matchLabels", matchLabels}};
  Json out = Json::array();
  for (const char* key : {"topology.kubernetes.io/zone", "kubernetes.io/hostname"})
    out.push_back({{"maxSkew", 1}, {"topologyKey", key}, {"whenUnsatisfiable", "ScheduleAnyway"}, {"labelSelector", selector}});
  return out;
}

Json preferredHostAntiAffinity(const Json& matchLabels) {
  return {{"preferredDuringSchedulingIgnoredDuringExecution",
           Json::array({{{"weight", 100},
                         {"podAffinityTerm",
                          {{"labelSelector", {{"matchLabels", matchLabels}}}, {"topologyKey", "kubernetes.io/hostname"}}}}})}};
}

Json disruptionBudgetSpec(const Json& matchLabels, const Json& budget) {
  Json spec = budget;
  spec["selector"] = {{"matchLabels", matchLabels}};
  spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow";
  return spec;
}

Json autoscalerSpec(const std::string& targetKind, const std::string& targetName, int minReplicas, int maxReplicas,
                    const Json& metrics, const Json& behavior) {
  Json spec = Json::object();
  spec["scaleTargetRef"] = {{"apiVersion", "apps/v1"}, {"kind", targetKind}, {"name", targetName}};
  spec["minReplicas"] = minReplicas;
  spec["maxReplicas"] = maxReplicas;
  spec["metrics"] = metrics;
  spec["behavior"] = behavior;
  return spec;
}

Json utilizationMetric(const std::string& resource, int percent) {
  return {{"type", "Resource"},
          {"resource", {{"name", resource}, {"target", {{"type", "Utilization"}, {"averageUtilization", percent}}}}}};
}

Json defaultScaleDown() {
  return {{"stabilizationWindowSeconds", 300}, {"policies", Json::array({{{"type", "Pods"}, {"value", 1}, {"periodSeconds", 60}}})}};
}

Json meshRetries() { return {{"attempts", kMesh.attempts}, {"retryOn", kMesh.retryOn}}; }

Json meshOutlierDetection(int maxEjectionPercent) {
  return {{"consecutive5xxErrors", kMesh.consecutive5xxErrors},
          {"interval", kMesh.interval},
          {"baseEjectionTime", kMesh.baseEjectionTime},
          {"maxEjectionPercent", maxEjectionPercent}};
}

Json meshHttpRoute(const std::string& host, const Json& settings) {
  Json http = Json::object();
  http["name"] = "default";
  http["route"] = Json::array({{{"destination", {{"host", host}}}}});
  for (auto it = settings.begin(); it != settings.end(); ++it) http[it.key()] = it.value();
  return http;
}

}  // namespace shop
