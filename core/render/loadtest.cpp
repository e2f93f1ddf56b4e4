// The objects of a load test (see loadtest.hpp).
#include "core/render/loadtest.hpp"

#include <algorithm>

#include "core/model/reader.hpp"
#include "core/render/hardening.hpp"
#include "core/render/meta.hpp"
#include "core/render/security.hpp"
#include "core/render/steps.hpp"

namespace shop {

namespace {

// A DNS-1123 label of at most 63 characters (a Job's name is also its pods' job-name label):
// long names keep their start and gain a hash of the whole, so two long names stay apart.
std::string jobName(const std::string& app, const std::string& service) {
  std::string n = app + "-loadtest-" + service;
  if (n.size() <= 63) return n;
  std::string head = n.substr(0, 46);
  while (!head.empty() && head.back() == '-') head.pop_back();
  return head + "-" + stableHash(n);
}

const Port* choosePort(const Service& s, const std::string& want, std::string& error) {
  auto matches = [](const Port& p, const std::string& w) { return p.name == w || std::to_string(p.port) == w; };
  if (!want.empty()) {
    for (const auto& p : s.ports)
      if (matches(p, want)) return &p;
    std::string known;
    for (const auto& p : s.ports) known += (known.empty() ? "" : ", ") + (p.name.empty() ? "" : p.name + "=") + std::to_string(p.port);
    error = "service \"" + s.name + "\" has no port \"" + want + "\" (its ports: " + known + ")";
    return nullptr;
  }
  if (s.expose && s.expose->port)
    for (const auto& p : s.ports)
      if (matches(p, *s.expose->port)) return &p;
  return &s.ports.front();
}

std::string duration(int seconds) { return std::to_string(seconds) + "s"; }

}  // namespace

LoadTestPlan planLoadTest(const ShopApp& app, const LoadTestSpec& spec) {
  LoadTestPlan plan;
  const Service* svc = app.findService(spec.service);
  if (!svc) {
    std::vector<std::string> names;
    for (const auto& s : app.services) names.push_back(s.name);
    if (app.findStore(spec.service)) {
      plan.error = "\"" + spec.service + "\" is a data store of ShopApp " + app.name +
                   "; a load test drives HTTP requests at a service (spec.services[])";
    } else {
      plan.error = "ShopApp " + app.name + " has no service \"" + spec.service + "\"";
      if (auto c = closest(spec.service, names)) plan.error += " (did you mean \"" + *c + "\"?)";
      else if (!names.empty()) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        plan.error += "; its services: " + all;
      }
    }
    return plan;
  }
  if (svc->ports.empty()) {
    plan.error = "service \"" + svc->name + "\" has no ports: there is nothing to send requests to";
    return plan;
  }
  if (spec.durationSeconds < 1 || spec.durationSeconds > 24 * 3600) {
    plan.error = "the duration must be between 1s and 24h";
    return plan;
  }
  if (spec.concurrency < 1 || spec.concurrency > 1000) {
    plan.error = "the concurrency must be between 1 and 1000 workers";
    return plan;
  }
  if (spec.rate < 0 || spec.rate > 100000) {
    plan.error = "the rate must be between 0 (unlimited) and 100000 requests per second per worker";
    return plan;
  }
  if (spec.path.empty() || spec.path[0] != '/' ||
      spec.path.find_first_of(" \t\r\n") != std::string::npos) {
    plan.error = "the path must start with / and hold no spaces (percent-encode them)";
    return plan;
  }
  static const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"};
  if (std::find(kMethods.begin(), kMethods.end(), spec.method) == kMethods.end()) {
    plan.error = "the method must be one of GET, POST, PUT, DELETE, HEAD, OPTIONS";
    return plan;
  }
  const Port* port = choosePort(*svc, spec.port, plan.error);
  if (!port) return plan;

  plan.name = jobName(app.name, svc->name);
  plan.url = "http://" + svc->name + "." + app.namespace_ + ".svc:" + std::to_string(port->port) + spec.path;
  const Json labels = {{"app.kubernetes.io/name", "loadtest"},
                       {"app.kubernetes.io/component", "loadtest"},
                       {"app.kubernetes.io/managed-by", kManagedBy},
                       {kLoadTestOfLabel, app.name},
                       {kLoadTestTargetLabel, svc->name}};
  const Json podLabels = {{kLoadTestOfLabel, app.name}, {kLoadTestTargetLabel, svc->name}, {"app.kubernetes.io/component", "loadtest"}};

  // The pod: the target's placement (it runs where the target may run), the restricted context,
  // no service account token, no sidecar; hey's summary is its log.
  Json pod = steps::basePodSpec(app, svc->name, SecurityOverrides{}, "", 5, svc->placement);
  pod["serviceAccountName"] = "default";
  pod["restartPolicy"] = "Never";
  Json args = Json::array({"-z", duration(spec.durationSeconds), "-c", std::to_string(spec.concurrency)});
  if (spec.rate > 0) {
    args.push_back("-q");
    args.push_back(std::to_string(spec.rate));
  }
  if (spec.method != "GET") {
    args.push_back("-m");
    args.push_back(spec.method);
  }
  args.push_back(plan.url);
  Json container = {{"name", "hey"},
                    {"image", spec.image},
                    {"imagePullPolicy", spec.imagePullPolicy.empty() ? "IfNotPresent" : spec.imagePullPolicy},
                    {"command", Json::array({"hey"})},
                    {"args", args},
                    {"resources",
                     {{"requests", {{"cpu", "100m"}, {"memory", "32Mi"}}},
                      {"limits", {{"cpu", "1"}, {"memory", "256Mi"}, {"ephemeral-storage", "64Mi"}}}}},
                    {"securityContext", containerSecurityContext(true, {})}};
  // A new pod's address reaches the NetworkPolicy agent a moment after the pod starts: until
  // then the target refuses it (on the real node, 6 of the first requests failed). So an init
  // container, with the pod's address, waits until one request gets any HTTP answer.
  Json wait = {{"name", "wait-for-target"},
               {"image", spec.image},
               {"imagePullPolicy", container["imagePullPolicy"]},
               {"command", Json::array({"/bin/sh", "-c",
                                        "n=0\n"
                                        "while [ $n -lt 60 ]; do\n"
                                        "  if hey -n 1 -c 1 -t 2 \"$1\" 2>&1 | grep -Eq '\\[[1-5][0-9][0-9]\\]'; then exit 0; fi\n"
                                        "  n=$((n + 1)); sleep 1\n"
                                        "done\n"
                                        "echo \"no HTTP answer from $1 in 60 tries\" >&2; exit 1\n",
                                        "wait-for-target", plan.url})},
               {"resources",
                {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}},
                 {"limits", {{"cpu", "200m"}, {"memory", "64Mi"}, {"ephemeral-storage", "16Mi"}}}}},
               {"securityContext", containerSecurityContext(true, {})}};
  pod["initContainers"] = Json::array({wait});
  pod["containers"] = Json::array({container});

  Json job = object("batch/v1", "Job", plan.name, app.namespace_, labels);
  job["spec"] = {{"backoffLimit", 0},
                 // hey stops itself after the duration; the deadline covers pulling the image.
                 {"activeDeadlineSeconds", spec.durationSeconds + 300},
                 {"ttlSecondsAfterFinished", spec.ttlSecondsAfterFinished},
                 {"template",
                  {{"metadata",
                    {{"labels", podLabels},
                     {"annotations", {{"sidecar.istio.io/inject", "false"}}}}},
                   {"spec", pod}}}};
  plan.job = job;

  if (app.security.networkPolicies) {
    const Json self = {{"matchLabels", {{kLoadTestOfLabel, app.name}, {kLoadTestTargetLabel, svc->name}}}};
    const Json targetPort = Json::array({{{"protocol", "TCP"}, {"port", port->targetPort}}});
    Json out = object("networking.k8s.io/v1", "NetworkPolicy", plan.name, app.namespace_, labels);
    out["spec"] = {{"podSelector", self},
                   {"policyTypes", {"Egress"}},
                   {"egress", Json::array({dnsEgressRule(app.security.dns.namespace_, Json(app.security.dns.podLabels),
                                                         app.security.dns.cidrs),
                                           {{"to", Json::array({podPeer(selectorLabels(app, svc->name))})},
                                            {"ports", targetPort}}})}};
    Json in = object("networking.k8s.io/v1", "NetworkPolicy", plan.name + "-target", app.namespace_, labels);
    if (plan.name.size() + 7 > 63) in["metadata"]["name"] = plan.name.substr(0, 56) + "-target";
    in["spec"] = {{"podSelector", {{"matchLabels", selectorLabels(app, svc->name)}}},
                  {"policyTypes", {"Ingress"}},
                  {"ingress", Json::array({{{"from", Json::array({podPeer(self["matchLabels"])})}, {"ports", targetPort}}})}};
    plan.policies = {out, in};
  }
  return plan;
}

void ownByJob(Json& policy, const Json& createdJob) {
  const Json& meta = createdJob["metadata"];
  policy["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "batch/v1"},
                                                         {"kind", "Job"},
                                                         {"name", meta.value("name", "")},
                                                         {"uid", meta.value("uid", "")},
                                                         {"blockOwnerDeletion", false}}});
}

}  // namespace shop
