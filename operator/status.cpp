#include "operator/status.hpp"

#include <functional>
#include <string_view>

#include "core/diff/kstatus.hpp"

namespace shop::op {

std::string invalidSpecMessage(const Diagnostics& diags, size_t maxBytes) {
  std::string msg;
  size_t shown = 0, total = 0;
  for (const auto& d : diags.items()) {
    if (d.severity != Severity::Error) continue;
    ++total;
    const std::string one = (d.path.empty() ? "" : d.path + ": ") + d.message;
    if (shown == total - 1 && (shown == 0 || msg.size() + 2 + one.size() <= maxBytes)) {
      msg += (msg.empty() ? "" : "; ") + one;
      ++shown;
    }
  }
  if (total > shown) msg += " (and " + std::to_string(total - shown) + " more)";
  return msg;
}

std::vector<ServiceWorkload> serviceWorkloads(const ShopApp& app) {
  std::vector<ServiceWorkload> out;
  for (const auto& s : app.services) {
    if (s.versions.empty()) out.push_back({s.name, s.autoscaling.enabled ? s.autoscaling.min : s.replicas});
    for (const auto& v : s.versions)
      out.push_back({s.deploymentOf(v), v.autoscaling.enabled ? v.autoscaling.min : v.replicas});
  }
  return out;
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

// A condition a workload's controller sets when it cannot make progress: a Deployment's
// ReplicaFailure (pods its ReplicaSet cannot create: Pod Security, a ResourceQuota, a missing
// ServiceAccount) and Progressing=False (ProgressDeadlineExceeded).
static bool blocking(const Json& condition) {
  const std::string type = condition.value("type", ""), st = condition.value("status", "");
  return (type == "ReplicaFailure" && st == "True") || (type == "Progressing" && st == "False");
}

// Why a workload cannot make progress, from its blocking conditions. "" when nothing says so.
static std::string blockedReason(const Json& status) {
  constexpr size_t kMax = 300;  // the Ready message lists every component; keep each short
  std::string out;
  for (const auto& c : status.value("conditions", Json::array())) {
    if (!c.is_object() || !blocking(c)) continue;
    const std::string type = c.value("type", "");
    std::string msg = c.value("message", "");
    if (msg.size() > kMax) msg = msg.substr(0, kMax) + "...";
    out += "; " + c.value("reason", type) + (msg.empty() ? "" : ": " + msg);
  }
  return out;
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
  } else if (const int all = st.value("replicas", updated); all > updated) {
    // A rollout is over once the old pods are gone, as `kubectl rollout status` waits for: until
    // then old and new versions both serve.
    s.message = std::to_string(all - updated) + " old replica(s) pending termination";
  } else {
    s.ready = true;
    s.message = std::to_string(s.readyReplicas) + "/" + std::to_string(s.desired) + " replicas ready";
  }
  if (!s.ready) s.message += blockedReason(st);
  return s;
}

Json workloadView(const Json& live) {
  Json v = Json::object();
  auto copy = [](const Json& from, Json& to, std::initializer_list<const char*> keys) {
    if (!from.is_object()) return;
    if (!to.is_object()) to = Json::object();  // present in the workload: present in the view
    for (const char* k : keys)
      if (auto it = from.find(k); it != from.end()) to[k] = *it;
  };
  if (auto m = live.find("metadata"); m != live.end()) copy(*m, v["metadata"], {"name", "namespace", "generation"});
  if (auto spec = live.find("spec"); spec != live.end()) copy(*spec, v["spec"], {"replicas"});
  if (auto st = live.find("status"); st != live.end() && st->is_object()) {
    Json& out = v["status"] = Json::object();
    copy(*st, out, {"observedGeneration", "replicas", "readyReplicas", "updatedReplicas"});
    if (auto cs = st->find("conditions"); cs != st->end() && cs->is_array()) {
      Json& conds = out["conditions"] = Json::array();
      for (const auto& c : *cs) {
        Json one = Json::object();
        copy(c, one, {"type", "status", "reason", "message"});
        conds.push_back(std::move(one));
      }
    }
  }
  return v;
}

uint64_t readinessDigest(const Json& live) {
  Json v = workloadView(live);
  if (auto st = v.find("status"); st != v.end()) {
    if (auto cs = st->find("conditions"); cs != st->end()) {
      Json kept = Json::array();
      for (auto& c : *cs)
        if (blocking(c)) kept.push_back(std::move(c));
      *cs = std::move(kept);
    }
  }
  return std::hash<std::string>{}(v.dump());
}

void setSummaryStatus(Json& status) {
  if (!status.is_object()) return;
  const auto k = diff::kstatus(Json{{"status", status}});
  if (!status.contains("summary") || !status["summary"].is_object()) status["summary"] = Json::object();
  status["summary"]["status"] = diff::kstatusName(k.status);
}

bool cleanPlan(const Plan& p, const Progress& progress) {
  return p.apply.empty() && p.prune.empty() && p.createSecrets.empty() && p.problems.empty() && p.secretsMissing.empty() &&
         (p.gatewayTls == SecretCheck::None || p.gatewayTls == SecretCheck::Found) && progress.errors.empty() &&
         progress.applied == 0 && progress.pruned == 0;
}

const char* changeName(Change c) {
  switch (c) {
    case Change::Create: return "create";
    case Change::Update: return "update";
    case Change::Revert: return "revert";
  }
  return "?";
}

std::string appliedMessage(const Progress& p, int64_t generation) {
  return "applied " + std::to_string(p.created + p.updated) + " object(s) (generation " + std::to_string(generation) +
         "): " + std::to_string(p.created) + " created, " + std::to_string(p.updated) + " updated";
}

std::string revertedMessage(const std::vector<std::string>& reverted) {
  constexpr size_t kNamed = 10;
  std::string msg = "put back " + std::to_string(reverted.size()) + " object(s) changed outside the ShopApp: ";
  for (size_t i = 0; i < reverted.size() && i < kNamed; ++i) msg += (i ? ", " : "") + reverted[i];
  if (reverted.size() > kNamed) msg += " and " + std::to_string(reverted.size() - kNamed) + " more";
  return msg;
}

static std::string readyOf(const Json& status) {
  if (!status.is_object()) return "";
  for (const auto& c : status.value("conditions", Json::array()))
    if (c.value("type", "") == "Ready") return c.value("status", "");
  return "";
}

bool becameReady(const Json& old, const Json& next) { return readyOf(next) == "True" && readyOf(old) != "True"; }

namespace {

// Two statuses compared as the API server stores them: key order does not matter (it returns
// keys sorted; ours are in the order we built them), numbers compare by value. No copy is made.
enum class Mask { Times, Progress };

// Whether a key of an element of status.<parent> (or of status.summary) is left out.
bool masked(Mask m, std::string_view parent, std::string_view key) {
  if (parent == "conditions") return key == "lastTransitionTime" || (m == Mask::Progress && key == "message");
  if (m != Mask::Progress) return false;
  if (parent == "components") return key == "desiredReplicas" || key == "readyReplicas" || key == "ready" || key == "message";
  if (parent == "summary") return key == "ready";
  return false;
}

bool sameJson(const Json& a, const Json& b);

// Two objects with the same keys (less the masked ones) and equal values under each.
bool sameObject(const Json& a, const Json& b, Mask m, std::string_view parent) {
  size_t kept = 0;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (masked(m, parent, it.key())) continue;
    ++kept;
    const auto other = b.find(it.key());
    if (other == b.end() || !sameJson(*it, *other)) return false;
  }
  for (auto it = b.begin(); it != b.end(); ++it) kept -= !masked(m, parent, it.key());
  return kept == 0;
}

bool sameJson(const Json& a, const Json& b) {
  if (a.is_object() && b.is_object()) return sameObject(a, b, Mask::Times, "");
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

// status.<key>: a list of objects (conditions, components) or summary, with the mask applied
// to each object's own keys.
bool sameField(const Json& a, const Json& b, Mask m, std::string_view key) {
  const bool maskedList = key == "conditions" || key == "components";
  if (maskedList && a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      const bool objects = a[i].is_object() && b[i].is_object();
      if (objects ? !sameObject(a[i], b[i], m, key) : !sameJson(a[i], b[i])) return false;
    }
    return true;
  }
  if (key == "summary" && a.is_object() && b.is_object()) return sameObject(a, b, m, key);
  return sameJson(a, b);
}

bool sameStatusMasked(const Json& a, const Json& b, Mask m) {
  if (!a.is_object() || !b.is_object()) return sameJson(a, b);
  if (a.size() != b.size()) return false;
  for (auto it = a.begin(); it != a.end(); ++it) {
    const auto other = b.find(it.key());
    if (other == b.end() || !sameField(*it, *other, m, it.key())) return false;
  }
  return true;
}

}  // namespace

bool sameStatus(const Json& live, const Json& next) { return sameStatusMasked(live, next, Mask::Times); }

StatusChange statusChange(const Json& live, const Json& next) {
  if (sameStatus(live, next)) return StatusChange::None;
  if (!live.is_object() || !next.is_object()) return StatusChange::Other;
  // Equal once progress (counts, messages, summary.ready) is masked: a change of progress only.
  return sameStatusMasked(live, next, Mask::Progress) ? StatusChange::Progress : StatusChange::Other;
}

bool progressOnly(const Json& live, const Json& next) { return statusChange(live, next) == StatusChange::Progress; }

}  // namespace shop::op
