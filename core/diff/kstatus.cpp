#include "core/diff/kstatus.hpp"

namespace shop::diff {

const char* kstatusName(KStatus s) {
  switch (s) {
    case KStatus::InProgress: return "InProgress";
    case KStatus::Failed: return "Failed";
    case KStatus::Terminating: return "Terminating";
    default: return "Current";
  }
}

KStatusResult kstatus(const Json& obj) {
  const Json meta = obj.is_object() ? obj.value("metadata", Json::object()) : Json::object();
  const Json status = obj.is_object() ? obj.value("status", Json::object()) : Json::object();
  if (meta.contains("deletionTimestamp") && meta["deletionTimestamp"].is_string() &&
      !meta["deletionTimestamp"].get<std::string>().empty())
    return {KStatus::Terminating, "", "Resource scheduled for deletion"};

  if (meta.contains("generation") && meta["generation"].is_number_integer() && status.is_object() &&
      status.contains("observedGeneration") && status["observedGeneration"].is_number_integer()) {
    const auto gen = meta["generation"].get<int64_t>();
    const auto seen = status["observedGeneration"].get<int64_t>();
    if (gen != seen)
      return {KStatus::InProgress, "LatestGenerationNotObserved",
              obj.value("kind", "") + " generation is " + std::to_string(gen) +
                  ", but latest observed generation is " + std::to_string(seen)};
  }

  const Json conds = status.is_object() ? status.value("conditions", Json::array()) : Json::array();
  if (!conds.is_array()) return {KStatus::Current, "", "Resource is current"};
  for (const auto& c : conds) {
    if (!c.is_object()) continue;
    const std::string type = c.value("type", ""), st = c.value("status", "");
    if (type == "Reconciling" && st == "True") return {KStatus::InProgress, c.value("reason", ""), c.value("message", "")};
    if (type == "Stalled" && st == "True") return {KStatus::Failed, c.value("reason", ""), c.value("message", "")};
  }
  for (const auto& c : conds) {
    if (!c.is_object() || c.value("type", "") != "Ready") continue;
    const std::string st = c.value("status", "");
    if (st == "True") return {KStatus::Current, c.value("reason", ""), "Resource is Ready"};
    if (st == "False" || st == "Unknown") return {KStatus::InProgress, c.value("reason", ""), c.value("message", "")};
  }
  return {KStatus::Current, "", "Resource is current"};
}

}  // namespace shop::diff
