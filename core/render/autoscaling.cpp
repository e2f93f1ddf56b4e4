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

}  // namespace

void renderAutoscaling(const ShopApp& app, const Service& s, Out& out) {
  const Autoscaling& a = s.autoscaling;
  if (!a.enabled) return;
  Json hpa = object("autoscaling/v2", "HorizontalPodAutoscaler", s.name, app.namespace_,
                    componentLabels(app, s.name, "service"));
  Json metrics = Json::array();
  if (a.cpu) metrics.push_back(utilizationMetric("cpu", *a.cpu));
  if (a.memory) metrics.push_back(utilizationMetric("memory", *a.memory));
  Json behavior = Json::object();
  if (a.scaleUp) behavior["scaleUp"] = rulesJson(*a.scaleUp);
  behavior["scaleDown"] = a.scaleDown ? rulesJson(*a.scaleDown) : defaultScaleDown();
  hpa["spec"] = autoscalerSpec("Deployment", s.name, a.min, a.max, metrics, behavior);
  out.add(hpa);
}

}  // namespace shop::steps
