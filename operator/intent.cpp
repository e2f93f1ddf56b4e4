#include "operator/intent.hpp"

#include <cmath>
#include <regex>

#include "core/render/meta.hpp"

namespace shop::op {

double quantityValue(const std::string& q) {
  static const std::regex re("([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
  std::smatch m;
  if (!std::regex_match(q, m, re)) return -1;
  double v = std::stod(m[1].str());
  const std::string s = m[2].str();
  static const std::map<std::string, double> mul = {
      {"", 1}, {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3},
      {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
  auto it = mul.find(s);
  if (it != mul.end()) return v * it->second;
  return v * std::pow(10.0, std::stod(s.substr(1)));
}

static bool scalarEqual(const Json& live, const Json& intent) {
  if (live == intent) return true;
  if (live.is_number() && intent.is_number()) return live.get<double>() == intent.get<double>();
  if (live.is_string() && intent.is_string()) {
    const double a = quantityValue(live.get<std::string>());
    const double b = quantityValue(intent.get<std::string>());
    return a >= 0 && b >= 0 && std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
  }
  // int-or-string fields come back as given, but numbers written as strings compare by value.
  if (live.is_string() && intent.is_number()) return live.get<std::string>() == intent.dump();
  if (live.is_number() && intent.is_string()) return live.dump() == intent.get<std::string>();
  return false;
}

bool liveContains(const Json& live, const Json& intent) {
  if (intent.is_object()) {
    if (!live.is_object()) return intent.empty() && live.is_null();
    for (auto it = intent.begin(); it != intent.end(); ++it) {
      auto l = live.find(it.key());
      if (l == live.end()) {
        // An empty object or list we asked for may be left out by the server.
        if ((it->is_object() || it->is_array()) && it->empty()) continue;
        return false;
      }
      if (!liveContains(*l, *it)) return false;
    }
    return true;
  }
  if (intent.is_array()) {
    if (!live.is_array() || live.size() != intent.size()) return false;
    for (size_t i = 0; i < intent.size(); ++i)
      if (!liveContains(live[i], intent[i])) return false;
    return true;
  }
  return scalarEqual(live, intent);
}

std::string intentHash(const Json& obj) {
  Json copy = obj;
  if (copy.contains("metadata") && copy["metadata"].contains("annotations")) {
    copy["metadata"]["annotations"].erase(kHashAnnotation);
    if (copy["metadata"]["annotations"].empty()) copy["metadata"].erase("annotations");
  }
  return stableHash(copy.dump());
}

Json withOwnership(Json obj, const Json& app, bool owned) {
  auto& meta = obj["metadata"];
  if (owned) {
    meta["ownerReferences"] = Json::array({{{"apiVersion", app.value("apiVersion", "shopctl.io/v1alpha1")},
                                            {"kind", "ShopApp"},
                                            {"name", app["metadata"].value("name", "")},
                                            {"uid", app["metadata"].value("uid", "")},
                                            {"controller", true},
                                            {"blockOwnerDeletion", true}}});
  }
  const std::string h = intentHash(obj);
  meta["annotations"][kHashAnnotation] = h;
  return obj;
}

bool setCondition(Json& conditions, const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, int64_t generation, const std::string& now) {
  if (!conditions.is_array()) conditions = Json::array();
  for (auto& c : conditions) {
    if (c.value("type", "") != type) continue;
    const bool flipped = c.value("status", "") != status;
    const bool changed = flipped || c.value("reason", "") != reason || c.value("message", "") != message ||
                         c.value("observedGeneration", int64_t{-1}) != generation;
    if (!changed) return false;
    c["status"] = status;
    c["reason"] = reason;
    c["message"] = message;
    c["observedGeneration"] = generation;
    if (flipped) c["lastTransitionTime"] = now;
    return true;
  }
  conditions.push_back({{"type", type},
                        {"status", status},
                        {"observedGeneration", generation},
                        {"lastTransitionTime", now},
                        {"reason", reason},
                        {"message", message}});
  return true;
}

WorkloadState workloadState(const Json* live, int minReplicas) {
  WorkloadState s;
  if (!live) {
    s.message = "not created yet";
    return s;
  }
  s.exists = true;
  const Json& spec = (*live)["spec"];
  const Json& st = live->value("status", Json::object());
  s.desired = std::max(spec.value("replicas", 1), minReplicas);
  s.readyReplicas = st.value("readyReplicas", 0);
  const int updated = st.value("updatedReplicas", 0);
  const int64_t gen = (*live)["metadata"].value("generation", int64_t{0});
  const int64_t seen = st.value("observedGeneration", int64_t{0});
  if (seen < gen) {
    s.message = "change not yet observed by the workload controller";
  } else if (s.readyReplicas < s.desired) {
    s.message = std::to_string(s.readyReplicas) + "/" + std::to_string(s.desired) + " replicas ready";
  } else if (updated < s.desired) {
    s.message = std::to_string(updated) + "/" + std::to_string(s.desired) + " replicas updated";
  } else {
    s.ready = true;
    s.message = std::to_string(s.readyReplicas) + "/" + std::to_string(s.desired) + " replicas ready";
  }
  return s;
}

static Json stripTimes(Json s) {
  if (s.contains("conditions"))
    for (auto& c : s["conditions"]) c.erase("lastTransitionTime");
  return s;
}

bool sameStatus(const Json& a, const Json& b) {
  // The API server returns keys sorted; ours are in the order we built them. Compare as
  // unordered JSON, where key order does not matter.
  return nlohmann::json::parse(stripTimes(a).dump()) == nlohmann::json::parse(stripTimes(b).dump());
}

}  // namespace shop::op
