#include "kube/events.hpp"

#include <random>

#include "kube/log.hpp"

namespace kube {

void EventRecorder::record(const Json& regarding, const std::string& type, const std::string& reason,
                           const std::string& action, const std::string& note) {
  const Json& m = regarding["metadata"];
  const std::string key = m.value("uid", "") + "|" + reason + "|" + note;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = sent_.find(key);
    if (it != sent_.end() && now - it->second < std::chrono::minutes(10)) return;
    sent_[key] = now;
    if (sent_.size() > 4096) sent_.clear();
  }
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
  const std::string ns = m.value("namespace", "default");
  Json ev = {{"apiVersion", "events.k8s.io/v1"},
             {"kind", "Event"},
             {"metadata", {{"name", m.value("name", "object") + "." + suffix}, {"namespace", ns}}},
             {"eventTime", nowRfc3339Micro()},
             {"reportingController", controller_},
             {"reportingInstance", instance_},
             {"action", action},
             {"reason", reason},
             {"note", note.substr(0, 1024)},
             {"type", type},
             {"regarding",
              {{"apiVersion", regarding.value("apiVersion", "")},
               {"kind", regarding.value("kind", "")},
               {"name", m.value("name", "")},
               {"namespace", ns},
               {"uid", m.value("uid", "")}}}};
  Result r = c_.create(resources::Event, ns, ev);
  if (!r.ok()) debug("event not recorded", {{"reason", reason}, {"error", r.message()}});
}

}  // namespace kube
