#pragma once
// The hardening defaults and the fragments built from them, in one place: the renderer and
// `shopctl harden` both build their probes, NetworkPolicy peers, spread, PodDisruptionBudgets,
// autoscalers and Istio route/outlier settings here, so a rendered ShopApp and a hardened
// foreign manifest say the same thing the same way (tests/unit/hardening_defaults_test.cpp
// checks that they do). Model-free: every function is pure and returns one Json fragment.
// docs/hardening.md ("Defaults shared with the renderer") lists the values and why.
#include <optional>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop {

// ---- Probes ------------------------------------------------------------------------------
// Readiness every 10s, 3 failures; liveness every 20s, 6 failures (a long GC pause does not
// restart the pod); startup every 10s, 30 failures (5 minutes for a slow JVM). A check
// answers in 3s, or 10s for exec probes (they start a process: a database shell, a JVM tool).
enum class ProbeUse { Readiness, Liveness, Startup };
struct ProbeTiming {
  int periodSeconds;
  int timeoutSeconds;
  int failureThreshold;
};
inline constexpr int kProbeTimeoutSeconds = 3;
inline constexpr int kExecProbeTimeoutSeconds = 10;
ProbeTiming probeTiming(ProbeUse use, bool exec);

// What a probe's author may set; unset fields take the defaults above.
struct ProbeSettings {
  std::optional<int> initialDelaySeconds;
  std::optional<int> periodSeconds;
  std::optional<int> timeoutSeconds;
  std::optional<int> failureThreshold;
  std::optional<int> successThreshold;
};
// A probe: the handler's keys, then initialDelaySeconds (when set), periodSeconds,
// timeoutSeconds, failureThreshold, successThreshold (when set).
Json probe(const Json& handler, ProbeUse use, const ProbeSettings& settings = {});
Json httpGetHandler(const std::string& path, const Json& port, const std::string& scheme = "HTTP");
Json tcpSocketHandler(const Json& port);
// grpc.port must be a number (the kubelet takes no port names here).
Json grpcHandler(const Json& port, const std::optional<std::string>& service);
Json execHandler(const std::vector<std::string>& command);
Json httpGetProbe(const std::string& path, const Json& port, ProbeUse use);
Json tcpSocketProbe(const Json& port, ProbeUse use);
Json execProbe(const std::vector<std::string>& command, ProbeUse use);

// ---- NetworkPolicy pieces ------------------------------------------------------------------
// Egress on UDP and TCP 53 to the DNS pods (kube-system's k8s-app: kube-dns by default) and to
// resolvers given by address (NodeLocal DNSCache's 169.254.20.10/32, a node's own resolver).
Json dnsEgressRule(const std::string& dnsNamespace = "kube-system", const Json& dnsPodLabels = {{"k8s-app", "kube-dns"}},
                   const std::vector<std::string>& cidrs = {});
Json namespacePeer(const std::string& ns);
Json podPeer(const Json& matchLabels);

// ---- Placement and disruption ------------------------------------------------------------
// Spread replicas over zones and nodes (maxSkew 1, ScheduleAnyway keeps small and one-zone
// clusters schedulable) and prefer different nodes (weight 100).
Json spreadConstraints(const Json& matchLabels);
Json preferredHostAntiAffinity(const Json& matchLabels);

// PodDisruptionBudget spec: the budget (maxUnavailable 1 unless given), the selector, and
// unhealthyPodEvictionPolicy AlwaysAllow (pods that are not Ready protect nothing).
Json disruptionBudgetSpec(const Json& matchLabels, const Json& budget = Json{{"maxUnavailable", 1}});

// ---- Autoscaling --------------------------------------------------------------------------
// autoscaling/v2 HPA spec; behavior.scaleDown defaults to defaultScaleDown().
Json autoscalerSpec(const std::string& targetKind, const std::string& targetName, int minReplicas, int maxReplicas,
                    const Json& metrics, const Json& behavior);
Json utilizationMetric(const std::string& resource, int percent);
// Scale down gently: one pod a minute after five calm minutes, so a short lull does not throw
// away warm capacity.
Json defaultScaleDown();

// ---- Istio --------------------------------------------------------------------------------
// A route timeout of 15s; 2 attempts, retried only on failures where the request cannot have
// reached the server (connect-failure, refused-stream, reset-before-request), so retrying is
// safe for non-idempotent calls; no perTryTimeout (with these retry conditions it would only cut
// slow requests short). Outlier detection: eject after 5 consecutive 5xx, checked every 10s,
// for 30s, at most 50% of the endpoints (brokers pass their own percentage).
struct MeshDefaults {
  const char* timeout = "15s";
  int attempts = 2;
  const char* retryOn = "connect-failure,refused-stream,reset-before-request";
  int consecutive5xxErrors = 5;
  const char* interval = "10s";
  const char* baseEjectionTime = "30s";
  int maxEjectionPercent = 50;
};
inline constexpr MeshDefaults kMesh{};
Json meshRetries();
Json meshOutlierDetection(int maxEjectionPercent = kMesh.maxEjectionPercent);
// One HTTP route to host with the given settings (timeout, retries, fault) after it.
Json meshHttpRoute(const std::string& host, const Json& settings);

}  // namespace shop
