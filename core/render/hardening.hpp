#pragma once
// Model-free hardening shapes shared by the renderer and `shopctl harden`, so that a hardened
// foreign manifest and a rendered ShopApp say the same thing the same way. Each function is pure
// and returns one Json fragment.
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop {

// Probes. Timing: readiness every 10s (3 failures), liveness every 20s (6 failures, so a long GC
// pause does not restart the pod), startup every 10s for up to 5 minutes (slow JVMs).
enum class ProbeUse { Readiness, Liveness, Startup };
Json httpGetProbe(const std::string& path, const Json& port, ProbeUse use);
Json tcpSocketProbe(const Json& port, ProbeUse use);
Json execProbe(const std::vector<std::string>& command, ProbeUse use);

// Network policy pieces: DNS egress to kube-system's kube-dns on UDP/TCP 53; peers.
Json dnsEgressRule();
Json namespacePeer(const std::string& ns);
Json podPeer(const Json& matchLabels);

// Spread replicas over zones and nodes (ScheduleAnyway keeps small clusters schedulable) and
// prefer different nodes: {"topologySpreadConstraints": [...], "affinity": {"podAntiAffinity": ...}}.
Json spreadConstraints(const Json& matchLabels);
Json preferredHostAntiAffinity(const Json& matchLabels);

// PodDisruptionBudget spec: maxUnavailable 1, unhealthyPodEvictionPolicy AlwaysAllow.
Json disruptionBudgetSpec(const Json& matchLabels);

// autoscaling/v2 HPA spec on average CPU utilization.
Json cpuAutoscalerSpec(const std::string& targetKind, const std::string& targetName, int minReplicas,
                       int maxReplicas, int cpuPercent);

// Istio: retries that are safe for non-idempotent calls (the request never reached the server),
// a route timeout, and the outlier detection/connection pool defaults.
Json meshRetries();
inline constexpr const char* kMeshRouteTimeout = "10s";
Json meshOutlierDetection();

}  // namespace shop
