#pragma once
// `shopctl loadtest`: the objects of one load test against a service of an app, as a pure
// function of the model, so the command can print them (--dry-run) or create them.
//
// A load test is a Job running `hey` (https://github.com/rakyll/hey) against the service's
// Service for a fixed time, plus the two NetworkPolicies that let it through the app's own
// default-deny policies: one selects the load generator (egress to the target's pods and DNS
// only), one selects the target's pods (ingress from the load generator on the target's port).
// Both are owned by the Job, so they go when it does (ttlSecondsAfterFinished). None of these
// objects carries the app's label (shopctl.io/app), so the operator neither prunes nor adopts them.
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"

namespace shop {

// Flagger's load tester image ships hey and a shell; any image with `hey` and `sh` on PATH works.
inline constexpr const char* kDefaultLoadTestImage = "ghcr.io/fluxcd/flagger-loadtester:0.31.0";
inline constexpr const char* kLoadTestOfLabel = "shopctl.io/loadtest-of";
inline constexpr const char* kLoadTestTargetLabel = "shopctl.io/loadtest-target";

struct LoadTestSpec {
  std::string service;      // a services[] name
  std::string port;         // a Service port name or number; "" = the exposed port, else the first
  std::string path = "/";   // request path (and query)
  std::string method = "GET";
  int durationSeconds = 60;
  int concurrency = 10;     // hey -c: workers
  int rate = 0;             // hey -q: requests per second per worker; 0 = as fast as answered
  std::string image = kDefaultLoadTestImage;
  std::string imagePullPolicy;  // "" = IfNotPresent
  int ttlSecondsAfterFinished = 600;
};

struct LoadTestPlan {
  std::string name;  // of the Job and both NetworkPolicies
  std::string url;   // what hey requests
  Json job;
  std::vector<Json> policies;  // empty when the app renders no NetworkPolicies
  std::string error;           // non-empty: nothing else is set
};

// The load generator runs outside the Istio mesh (no sidecar): where the app's mesh policies are
// in effect (spec.mesh.enabled and Istio installed), its mTLS and AuthorizationPolicies refuse it.
// The caller knows whether they are (the ShopApp's status.mesh.available) and refuses then.
LoadTestPlan planLoadTest(const ShopApp& app, const LoadTestSpec& spec);
inline constexpr const char* kLoadTestMeshRefusal =
    "runs in the Istio mesh (spec.mesh.enabled, and Istio is installed), whose mTLS and AuthorizationPolicies "
    "refuse a load generator outside it; load-testing a meshed app from inside is not supported yet (send load "
    "through the gateway from outside instead)";

// The policies' ownerReference to the created Job (its uid is known only then).
void ownByJob(Json& policy, const Json& createdJob);

}  // namespace shop
