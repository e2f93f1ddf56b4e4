#include "core/render/hardening.hpp"

namespace shop {

static Json timing(Json probe, ProbeUse use) {
  switch (use) {
    case ProbeUse::Readiness:
      probe["periodSeconds"] = 10;
      probe["timeoutSeconds"] = 5;
      probe["failureThreshold"] = 3;
      break;
    case ProbeUse::Liveness:
      probe["periodSeconds"] = 20;
      probe["timeoutSeconds"] = 5;
      probe["failureThreshold"] = 6;
      break;
    case ProbeUse::Startup:
      probe["periodSeconds"] = 10;
      probe["timeoutSeconds"] = 5;
      probe["failureThreshold"] = 30;
      break;
  }
  return probe;
}

Json httpGetProbe(const std::string& path, const Json& port, ProbeUse use) {
  return timing({{"httpGet", {{"path", path}, {"port", port}}}}, use);
}

Json tcpSocketProbe(const Json& port, ProbeUse use) { return timing({{"tcpSocket", {{"port", port}}}}, use); }

Json execProbe(const std::vector<std::string>& command, ProbeUse use) {
  return timing({{"exec", {{"command", command}}}}, use);
}

Json dnsEgressRule() {
  return {{"to", Json::array({{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}}},
                               {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}}})},
          {"ports", Json::array({{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}})}};
}

Json namespacePeer(const std::string& ns) {
  return {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}}}};
}

Json podPeer(const Json& matchLabels) { return {{"podSelector", {{"matchLabels", matchLabels}}}}; }

Json spreadConstraints(const Json& matchLabels) {
  const Json selector = {{"matchLabels", matchLabels}};
  return Json::array({
      {{"maxSkew", 1}, {"topologyKey", "topology.kubernetes.io/zone"}, {"whenUnsatisfiable", "ScheduleAnyway"},
       {"labelSelector", selector}},
      {{"maxSkew", 1}, {"topologyKey", "kubernetes.io/hostname"}, {"whenUnsatisfiable", "ScheduleAnyway"},
       {"labelSelector", selector}},
  });
}

Json preferredHostAntiAffinity(const Json& matchLabels) {
  return {{"preferredDuringSchedulingIgnoredDuringExecution",
           Json::array({{{"weight", 100},
                         {"podAffinityTerm",
                          {{"labelSelector", {{"matchLabels", matchLabels}}}, {"topologyKey", "kubernetes.io/hostname"}}}}})}};
}

Json disruptionBudgetSpec(const Json& matchLabels) {
  Json spec = Json::object();
  spec["maxUnavailable"] = 1;
  spec["selector"] = {{"matchLabels", matchLabels}};
  spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow";
  return spec;
}

Json cpuAutoscalerSpec(const std::string& targetKind, const std::string& targetName, int minReplicas,
                       int maxReplicas, int cpuPercent) {
  Json spec = Json::object();
  spec["scaleTargetRef"] = {{"apiVersion", "apps/v1"}, {"kind", targetKind}, {"name", targetName}};
  spec["minReplicas"] = minReplicas;
  spec["maxReplicas"] = maxReplicas;
  spec["metrics"] = Json::array(
      {{{"type", "Resource"},
        {"resource", {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", cpuPercent}}}}}}});
  return spec;
}

Json meshRetries() {
  return {{"attempts", 3}, {"perTryTimeout", "3s"}, {"retryOn", "connect-failure,refused-stream,unavailable,cancelled"}};
}

Json meshOutlierDetection() {
  return {{"consecutive5xxErrors", 5}, {"interval", "10s"}, {"baseEjectionTime", "30s"}, {"maxEjectionPercent", 50}};
}

}  // namespace shop
