// autoscaling/v2 HorizontalPodAutoscaler for services that ask for it.
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

Json utilisation(const char* resource, int percent) {
  return {{"type", "Resource"},
          {"resource", {{"name", resource}, {"target", {{"type", "Utilization"}, {"averageUtilization", percent}}}}}};
}

}  // namespace

void renderAutoscaling(const ShopApp& app, const Service& s, Out& out) {
  const Autoscaling& a = s.autoscaling;
  if (!a.enabled) return;
  Json hpa = object("autoscaling/v2", "HorizontalPodAutoscaler", s.name, app.namespace_,
                    componentLabels(app, s.name, "service"));
  Json spec = Json::object();
  spec["scaleTargetRef"] = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", s.name}};
  spec["minReplicas"] = a.min;
  spec["maxReplicas"] = a.max;
  Json metrics = Json::array();
  if (a.cpu) metrics.push_back(utilisation("cpu", *a.cpu));
  if (a.memory) metrics.push_back(utilisation("memory", *a.memory));
  spec["metrics"] = metrics;
  // Scale down gently by default: one pod a minute after five calm minutes, so a short lull
  // does not throw away warm capacity.
  ScalingRules down = a.scaleDown.value_or(ScalingRules{300, std::nullopt, {{"Pods", 1, 60}}});
  Json behavior = Json::object();
  if (a.scaleUp) behavior["scaleUp"] = rulesJson(*a.scaleUp);
  behavior["scaleDown"] = rulesJson(down);
  spec["behavior"] = behavior;
  hpa["spec"] = spec;
  out.add(hpa);
}

}  // namespace shop::steps
