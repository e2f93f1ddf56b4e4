// autoscaling/v2 HorizontalPodAutoscaler for services that ask for it.
#include "core/render/hardening.hpp"
#include "core/render/meta.hpp"
#include "core/render/steps.hpp"

namespace shop::steps {

namespace {

Json rulesJson(const ScalingRules& r) {
  Json j = Json::object();
  if (r.stabilizationWindowSeconds) j["stabilizationWindowSeconds"] = *r.stabilizationWindowSeconds;
  if (r.selectPolicy) j["selectPolicy"] = *r.selectPolicy;
  if (!r.policies.empty()) {
    Json ps = Json::array();
    for (const auto& p : r.policies) ps.push_back({{"type", p.type}, {"value", p.value}, {"periodSeconds", p.periodSeconds}});
    j["policies"] = ps;
  }
  return j;
}

// The autoscaler of one Deployment (the service's, or one version's).
Json autoscaler(const ShopApp& app, const Service& s, const std::string& target, const Autoscaling& a) {
  Json hpa = object("autoscaling/v2", "HorizontalPodAutoscaler", target, app.namespace_,
                    componentLabels(app, s.name, "service"));
  Json metrics = Json::array();
  if (a.cpu) metrics.push_back(utilizationMetric("cpu", *a.cpu));
  if (a.memory) metrics.push_back(utilizationMetric("memory", *a.memory));
  Json behavior = Json::object();
  if (a.scaleUp) behavior["scaleUp"] = rulesJson(*a.scaleUp);
  behavior["scaleDown"] = a.scaleDown ? rulesJson(*a.scaleDown) : defaultScaleDown();
  hpa["spec"] = autoscalerSpec("Deployment", target, a.min, a.max, metrics, behavior);
  return hpa;
}

}  // namespace

void renderAutoscaling(const ShopApp& app, const Service& s, Out& out) {
  if (s.versions.empty()) {
    if (s.autoscaling.enabled) out.add(autoscaler(app, s, s.name, s.autoscaling));
    return;
  }
  // One per version: each Deployment scales on its own pods' load.
  for (const auto& v : s.versions)
    if (v.autoscaling.enabled) out.add(autoscaler(app, s, s.deploymentOf(v), v.autoscaling));
}

}  // namespace shop::steps
