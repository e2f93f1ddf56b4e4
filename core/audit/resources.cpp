// Resources: CPU and memory requests and limits, ephemeral storage.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

// The check that a container sets cpu and memory under resources.<section>.
Check cpuAndMemorySet(const char* section, const char* noun) {
  return failEachContainer(true, [section, noun](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) {
    const Json& values = fieldAt(ctr, std::string("resources.") + section);
    std::vector<std::string> missing;
    for (const char* k : {"cpu", "memory"})
      if (field(values, k).is_null()) missing.push_back(k);
    if (missing.empty()) return passed();
    const std::string what = missing.size() == 2 ? "cpu and memory" : missing[0];
    return failed(c.path + ".resources", cname(c) + " has no " + what + " " + noun);
  });
}

const Rule kResourceRules[] = {
    {.id = "resources-requests-missing",
     .level = Level::High,
     .family = "resources",
     .title = "Container has no CPU or memory requests",
     .rationale = "The scheduler places pods by their requests. Without them a pod lands on a full node, is the first "
         "to be evicted under memory pressure (BestEffort), and an HPA cannot compute CPU utilization.",
     .fix = "Set resources.requests.cpu and resources.requests.memory to what the container uses at steady state.",
     .autoFix = true,
     .check = cpuAndMemorySet("requests", "request")},
    {.id = "resources-limits-missing",
     .level = Level::Medium,
     .family = "resources",
     .title = "Container has no CPU or memory limits",
     .rationale = "A container without a memory limit can take a node's memory until the kernel kills something else; "
         "without a CPU limit one busy pod starves its neighbours.",
     .fix = "Set resources.limits.memory (and cpu) at or above the requests.",
     .autoFix = true,
     .check = cpuAndMemorySet("limits", "limit")},
    {.id = "resources-ephemeral-storage",
     .level = Level::Low,
     .family = "resources",
     .title = "Container has no ephemeral-storage request and limit",
     .rationale = "Logs, emptyDir volumes and writable layers use node disk. Without a limit one pod can fill it and get "
         "every pod on the node evicted.",
     .fix = "Set resources.requests and resources.limits for ephemeral-storage.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    bool req = !fieldAt(ctr, "resources.requests").is_null() &&
               !field(fieldAt(ctr, "resources.requests"), "ephemeral-storage").is_null();
    bool lim = !fieldAt(ctr, "resources.limits").is_null() &&
               !field(fieldAt(ctr, "resources.limits"), "ephemeral-storage").is_null();
    if (req && lim)
      return passed();
    else
      return failed(c.path + ".resources", cname(c) + " has no ephemeral-storage " +
                                                   (req ? "limit" : lim ? "request" : "request or limit"));
  })},
};

}  // namespace

std::vector<Rule> resourceRules() { return {std::begin(kResourceRules), std::end(kResourceRules)}; }

namespace fix {

void Hardener::resources(const Workload& w, Json& c, const std::string& who, bool init) {
  size_t i = w.object;
  Role role = guessRole(parseImage(str(field(c, "image"))), containerPorts(c), "");
  bool data = isDataStore(role) && !init;
  struct Default {
    const char* key;
    const char* request;
    const char* limit;
    const char* rule;
  };
  const Default defaults[] = {
      {"cpu", "100m", data ? "1" : "500m", nullptr},
      {"memory", data ? "256Mi" : "128Mi", data ? "1Gi" : "512Mi", nullptr},
      {"ephemeral-storage", "64Mi", "1Gi", "resources-ephemeral-storage"},
  };
  Json& res = c["resources"];
  if (!res.is_object()) res = Json::object();
  std::vector<std::string> added[3];  // requests, limits, ephemeral
  for (const auto& d : defaults) {
    bool eph = d.rule != nullptr;
    const char* reqRule = eph ? d.rule : "resources-requests-missing";
    const char* limRule = eph ? d.rule : "resources-limits-missing";
    if (!res["requests"].is_object()) res["requests"] = Json::object();
    if (!res["limits"].is_object()) res["limits"] = Json::object();
    Json& req = res["requests"];
    Json& lim = res["limits"];
    if (!has(req, d.key) && want(i, reqRule)) {
      Json value = d.request;
      auto limit = has(lim, d.key) ? parseQuantity(lim[d.key]) : std::nullopt;
      if (limit && *limit < *parseQuantity(value)) value = lim[d.key];
      req[d.key] = value;
      added[eph ? 2 : 0].push_back(std::string(d.key) + " " + str(value));
    }
    if (!has(lim, d.key) && want(i, limRule)) {
      Json value = d.limit;
      auto request = has(req, d.key) ? parseQuantity(req[d.key]) : std::nullopt;
      if (request && *request > *parseQuantity(value)) value = req[d.key];
      lim[d.key] = value;
      added[eph ? 2 : 1].push_back(std::string(d.key) + " " + (value.is_string() ? value.get<std::string>() : value.dump()));
    }
  }
  if (res["requests"].empty()) res.erase("requests");
  if (res.contains("limits") && res["limits"].empty()) res.erase("limits");
  // requests before limits, as kubectl prints them
  if (res.contains("limits") && res.contains("requests")) {
    Json ordered = Json::object();
    ordered["requests"] = res["requests"];
    ordered["limits"] = res["limits"];
    for (const auto& [k, v] : res.items())
      if (k != "requests" && k != "limits") ordered[k] = v;
    res = ordered;
  }
  if (res.empty()) c.erase("resources");
  const char* rules[] = {"resources-requests-missing", "resources-limits-missing", "resources-ephemeral-storage"};
  const char* what[] = {"requests ", "limits ", "ephemeral-storage "};
  for (int k = 0; k < 3; ++k) {
    if (added[k].empty()) continue;
    std::string msg = who + ": " + what[k];
    for (size_t n = 0; n < added[k].size(); ++n) msg += (n ? ", " : "") + added[k][n];
    if (k == 2) msg = who + ": ephemeral-storage request and limit";
    change(rules[k], i, msg + (data && k < 2 ? " (database defaults; size them from real usage)" : ""));
  }
}

}  // namespace fix

}  // namespace shop::audit
