#pragma once
// The render steps, one file per concern. Each appends objects; render() orders them.
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"
#include "core/render/render.hpp"

namespace shop::steps {

struct Out {
  std::vector<Json>& objects;
  std::vector<SecretSpec>& secrets;
  void add(Json o) { objects.push_back(std::move(o)); }
};

void renderNamespace(const ShopApp& app, Out& out);                          // namespace.cpp
void renderService(const ShopApp& app, const Service& s, Out& out);          // workload.cpp
void renderAutoscaling(const ShopApp& app, const Service& s, Out& out);      // autoscaling.cpp
void renderDataStore(const ShopApp& app, const DataStore& d, Out& out);      // datastore.cpp (engine plans: database.cpp, messaging.cpp)
void renderNetworkPolicies(const ShopApp& app, Out& out);                    // network.cpp
void renderMesh(const ShopApp& app, Out& out);                               // mesh.cpp
void renderGateway(const ShopApp& app, Out& out);                            // gateway.cpp
void renderMonitoring(const ShopApp& app, Out& out);                         // monitoring.cpp

// Shared pod-level pieces (placement.cpp).
// Preferred anti-affinity across nodes and a zone spread, for workloads that can run
// more than one pod.
void addPlacement(const ShopApp& app, const std::string& component, int maxPods, Json& podSpec);
// A PodDisruptionBudget that never blocks a drain of unhealthy pods.
Json disruptionBudget(const ShopApp& app, const std::string& component, const std::string& role,
                      const Json& budget);
// The service account of a component (tokens not mounted).
Json serviceAccount(const ShopApp& app, const std::string& component, const std::string& role);
// The pod spec every workload starts from: its service account (token not mounted), the
// restricted pod security context (app-wide ids unless overridden), pull secrets, priority
// class, grace period, the Linux node selector plus the component's nodeSelector and
// tolerations. Callers add spread, containers, volumes.
Json basePodSpec(const ShopApp& app, const std::string& component, const SecurityOverrides& security,
                 const std::string& priorityClassName, int terminationGracePeriodSeconds, const Placement& placement);
// The app.kubernetes.io/version label value of an image: its tag, or "unversioned".
std::string versionLabel(const std::string& image);
// Pod annotations for Prometheus scraping, when monitoring uses annotations.
void addScrapeAnnotations(const ShopApp& app, int port, const std::string& path, Json& annotations);

// Who calls a component: the services whose dependsOn lists it, in spec order.
std::vector<const Service*> callersOf(const ShopApp& app, const std::string& component);
// Labels an object of the component carries; role is service|database|broker.
std::string roleOf(const ShopApp& app, const std::string& component);
// Ports a component serves (for NetworkPolicy and mesh rules).
std::vector<int> componentPorts(const ShopApp& app, const std::string& component);
// Who calls a service or data store from outside the app (its ingress); empty for anything else.
const std::vector<EgressRule>& ingressOf(const ShopApp& app, const std::string& component);

}  // namespace shop::steps
