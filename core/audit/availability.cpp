// Availability: replicas, autoscalers, disruption budgets, spread, rollouts.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

const Rule kAvailabilityRules[] = {
    {.id = "avail-single-replica",
     .level = Level::Medium,
     .family = "availability",
     .title = "Stateless service runs a single replica",
     .rationale = "With one replica every node drain, rollout or crash is an outage. Stateless services are cheap to "
         "run twice.",
     .fix = "Run at least 2 replicas, or an HPA with minReplicas >= 2.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (!scalable(w) || w.role != Role::Stateless) continue;
      auto n = inv.effectiveReplicas(w);
      if (n && *n < 2) {
        bool hpa = !inv.hpasFor(w).empty();
        res.fail(w.object, hpa ? "spec" : "spec.replicas",
                 std::to_string(*n) + (hpa ? " minimum replica (HPA minReplicas)" : " replica") +
                     ": any restart or node drain is an outage");
      } else {
        res.pass(w.object);
      }
    }
  }},
    {.id = "avail-no-pdb",
     .level = Level::Medium,
     .family = "availability",
     .title = "No PodDisruptionBudget covers the workload",
     .rationale = "Without a PodDisruptionBudget a node drain (upgrades, autoscaler scale-down) may evict every replica "
         "at once.",
     .fix = "Add a policy/v1 PodDisruptionBudget (maxUnavailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow) "
          "selecting the pods. Stateless services get one; single-instance databases do not, because a budget "
          "that allows no eviction blocks drains.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (!scalable(w)) return skipped();
    auto n = inv.effectiveReplicas(w).value_or(1);
    if (w.role != Role::Stateless && n < 2) return skipped();
    if (!inv.pdbsFor(w).empty()) {
      return passed();
    }
    return failed(w.templatePath,
             "no PodDisruptionBudget selects these pods" +
                 std::string(n < 2 ? " (and with 1 replica a drain is an outage)" : ""));
  })},
    {.id = "avail-pdb-policy",
     .level = Level::Low,
     .family = "availability",
     .title = "PodDisruptionBudget blocks evictions or leaves unhealthy pods stuck",
     .rationale = "A budget with maxUnavailable 0 or minAvailable 100% (or no policy at all) makes every node drain "
         "hang. Without unhealthyPodEvictionPolicy: AlwaysAllow, pods that are already broken cannot be "
         "evicted either.",
     .fix = "Use maxUnavailable: 1 (or a minAvailable below the replica count) and unhealthyPodEvictionPolicy: AlwaysAllow.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (size_t p : inv.ofKind("PodDisruptionBudget")) {
      const Json& spec = field(inv.object(p), "spec");
      const Json& maxU = field(spec, "maxUnavailable");
      const Json& minA = field(spec, "minAvailable");
      std::vector<std::string> problems;
      if (maxU.is_null() && minA.is_null()) problems.push_back("sets neither minAvailable nor maxUnavailable");
      if (maxU == 0 || maxU == "0%") problems.push_back("maxUnavailable 0 allows no eviction");
      if (minA == "100%") problems.push_back("minAvailable 100% allows no eviction");
      if (field(spec, "unhealthyPodEvictionPolicy").is_null()) problems.push_back("has no unhealthyPodEvictionPolicy");
      if (problems.empty()) {
        res.pass(p);
        continue;
      }
      std::string msg = "PodDisruptionBudget ";
      for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
      res.fail(p, "spec", msg);
    }
  }},
    {.id = "avail-no-hpa",
     .level = Level::Low,
     .family = "availability",
     .title = "Stateless Deployment has no HorizontalPodAutoscaler",
     .rationale = "A fixed replica count is either too small at peak or wasted off peak.",
     .fix = "Add an autoscaling/v2 HPA (minReplicas >= 2, CPU utilization target) and drop spec.replicas.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (w.kind != "Deployment" || w.role != Role::Stateless) return skipped();
    if (inv.hpasFor(w).empty())
      return failed("spec", "no HorizontalPodAutoscaler targets this Deployment");
    else
      return passed();
  })},
    {.id = "avail-hpa-replicas-conflict",
     .level = Level::Medium,
     .family = "availability",
     .title = "Deployment sets spec.replicas although an HPA scales it",
     .rationale = "Every apply of the manifest resets the replica count the HPA chose, so a deploy during a peak scales "
         "the service down to the number in the file.",
     .fix = "Remove spec.replicas from Deployments that an HPA targets.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (w.kind != "Deployment" || inv.hpasFor(w).empty()) continue;
      if (fieldAt(inv.object(w.object), "spec.replicas").is_null())
        res.pass(w.object);
      else
        res.fail(w.object, "spec.replicas", "spec.replicas is set while an HPA scales this Deployment");
    }
  }},
    {.id = "avail-no-spread",
     .level = Level::Low,
     .family = "availability",
     .title = "Replicas may all land on one node",
     .rationale = "Without pod anti-affinity or topology spread constraints the scheduler may put every replica on the "
         "same node or zone, and one failure takes them all.",
     .fix = "Add a preferred podAntiAffinity on kubernetes.io/hostname and/or topologySpreadConstraints.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (!scalable(w)) return skipped();
    auto n = inv.effectiveReplicas(w).value_or(1);
    if (w.role != Role::Stateless && n < 2) return skipped();
    const Json& spec = inv.podSpec(w);
    bool anti = fieldAt(spec, "affinity.podAntiAffinity").is_object();
    const Json& tsc = field(spec, "topologySpreadConstraints");
    if (anti || (tsc.is_array() && !tsc.empty()))
      return passed();
    else
      return failed(w.podSpecPath, "no podAntiAffinity or topologySpreadConstraints");
  })},
    {.id = "avail-rolling-update",
     .level = Level::Low,
     .family = "availability",
     .title = "Rollout takes every replica down at once",
     .rationale = "strategy Recreate, or a RollingUpdate whose maxUnavailable covers all replicas, stops the old pods "
         "before the new ones are ready: each deploy is an outage.",
     .fix = "Use strategy RollingUpdate with maxUnavailable: 0 and maxSurge: 1 (or 25%).",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (w.kind != "Deployment" || w.role != Role::Stateless) return skipped();
    const Json& strategy = fieldAt(inv.object(w.object), "spec.strategy");
    std::string type = str(field(strategy, "type"));
    const Json& maxU = fieldAt(strategy, "rollingUpdate.maxUnavailable");
    auto n = inv.effectiveReplicas(w).value_or(1);
    if (type == "Recreate") {
      return failed("spec.strategy.type", "strategy Recreate stops every pod before starting new ones");
    } else if (maxU == "100%" || (maxU.is_number_integer() && maxU.get<int64_t>() >= n && n > 0)) {
      return failed("spec.strategy.rollingUpdate.maxUnavailable",
               "maxUnavailable " + maxU.dump() + " lets a rollout stop every replica");
    } else {
      return passed();
    }
  })},
    {.id = "avail-statefulset-service",
     .level = Level::Medium,
     .family = "availability",
     .title = "StatefulSet's serviceName names no Service",
     .rationale = "A StatefulSet's pods get their stable DNS names (pod-0.<serviceName>) from a headless Service of "
         "that name. Without it replicas cannot find each other by name: replication, clustering and peer "
         "discovery fail although every pod looks healthy.",
     .fix = "Add a headless Service (clusterIP: None) named as spec.serviceName, selecting the pods, with "
          "publishNotReadyAddresses so members find each other while they start.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (w.kind != "StatefulSet") return skipped();
    const Json& o = inv.object(w.object);
    const std::string svc = str(fieldAt(o, "spec.serviceName"));
    if (svc.empty()) return passed();  // optional since Kubernetes 1.30; nothing to look for
    if (inv.find("Service", namespaceOf(o), svc)) return passed();
    return failed("spec.serviceName", "serviceName \"" + svc + "\" names no Service in the input: pods get no stable DNS names");
  })},
};

}  // namespace

std::vector<Rule> availabilityRules() { return {std::begin(kAvailabilityRules), std::end(kAvailabilityRules)}; }

namespace fix {

void Hardener::pdbPolicy(size_t p) {
  if (!want(p, "avail-pdb-policy")) return;
  Json& spec = at(objs_[p], "spec");
  if (!spec.is_object()) spec = Json::object();
  std::vector<std::string> did;
  bool maxZero = spec.contains("maxUnavailable") && (spec["maxUnavailable"] == 0 || spec["maxUnavailable"] == "0%");
  bool minAll = spec.contains("minAvailable") && spec["minAvailable"] == "100%";
  bool none = !has(spec, "maxUnavailable") && !has(spec, "minAvailable");
  if (maxZero || minAll || none) {
    spec.erase("minAvailable");
    spec["maxUnavailable"] = 1;
    did.push_back("maxUnavailable: 1");
  }
  if (!has(spec, "unhealthyPodEvictionPolicy")) {
    spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow";
    did.push_back("unhealthyPodEvictionPolicy: AlwaysAllow");
  }
  if (!did.empty()) {
    std::string msg = "set ";
    for (size_t i = 0; i < did.size(); ++i) msg += (i ? ", " : "") + did[i];
    change("avail-pdb-policy", p, msg);
  }
}

void Hardener::availability(size_t wi) {
  const Workload& w = inv_.workloads()[wi];
  size_t i = w.object;
  Json& o = objs_[i];
  std::string kind = kindOf(o);
  if (kind == "StatefulSet") statefulSetService(wi);
  bool scalable = kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet";
  if (!scalable) return;
  std::string ns = namespaceOf(o), name = nameOf(o);
  Json selector = inv_.selectorLabels(w);
  bool stateless = w.role == Role::Stateless;
  auto hpas = inv_.hpasFor(w);
  int64_t replicas = field(o["spec"], "replicas").is_number_integer() ? o["spec"]["replicas"].get<int64_t>() : 1;
  if (stateless) {
    if (!hpas.empty()) {
      Json& hpa = objs_[hpas[0]];
      const Json& min = fieldAt(hpa, "spec.minReplicas");
      if ((!min.is_number_integer() || min.get<int64_t>() < opts_.minReplicas) && want(i, "avail-single-replica")) {
        hpa["spec"]["minReplicas"] = opts_.minReplicas;
        if (field(hpa["spec"], "maxReplicas").is_number_integer() && hpa["spec"]["maxReplicas"].get<int64_t>() < opts_.minReplicas)
          hpa["spec"]["maxReplicas"] = opts_.minReplicas;
        change("avail-single-replica", hpas[0], "minReplicas " + std::to_string(opts_.minReplicas));
      }
    } else if (opts_.autoscale && kind == "Deployment" && want(i, "avail-no-hpa")) {
      int min = static_cast<int>(std::max<int64_t>(opts_.minReplicas, replicas));
      int max = std::max(opts_.maxReplicas, min + 1);
      Json hpa = newObject("autoscaling/v2", "HorizontalPodAutoscaler", freeName("HorizontalPodAutoscaler", ns, name), ns, selector);
      hpa["spec"] = autoscalerSpec(kind, name, min, max, Json::array({utilizationMetric("cpu", opts_.cpuTargetPercent)}),
                                   {{"scaleDown", defaultScaleDown()}});
      changeNew("avail-no-hpa", hpa,
                "added: " + std::to_string(min) + "-" + std::to_string(max) + " replicas of " + describe(o) + " at " +
                    std::to_string(opts_.cpuTargetPercent) + "% CPU");
      add(i, false, std::move(hpa));
      hpas.push_back(static_cast<size_t>(-1));
      if (replicas < opts_.minReplicas && want(i, "avail-single-replica"))
        change("avail-single-replica", i, "at least " + std::to_string(min) + " replicas (HPA minReplicas)");
    }
    bool scaledByHpa = !hpas.empty();
    if (scaledByHpa && kind == "Deployment" && fieldObj(o, "spec").contains("replicas") && want(i, "avail-hpa-replicas-conflict")) {
      o["spec"].erase("replicas");
      change("avail-hpa-replicas-conflict", i, "spec.replicas removed: the HPA owns the replica count");
    } else if (!scaledByHpa && replicas < opts_.minReplicas && want(i, "avail-single-replica")) {
      o["spec"]["replicas"] = opts_.minReplicas;
      change("avail-single-replica", i, "replicas " + std::to_string(replicas) + " -> " + std::to_string(opts_.minReplicas));
    }
    if (kind == "Deployment" && want(i, "avail-rolling-update")) {
      const Json& strategy = fieldAt(o, "spec.strategy");
      const Json& maxU = fieldAt(strategy, "rollingUpdate.maxUnavailable");
      if (str(field(strategy, "type")) == "Recreate" || maxU == "100%") {
        o["spec"]["strategy"] = {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxUnavailable", 0}, {"maxSurge", 1}}}};
        change("avail-rolling-update", i, "strategy RollingUpdate (maxUnavailable 0, maxSurge 1)");
      }
    }
  }
  int64_t effective = stateless ? std::max<int64_t>(replicas, opts_.minReplicas) : replicas;
  if (!stateless && effective < 2) return;  // single-instance stores: no budget, no spread
  if (inv_.pdbsFor(w).empty() && want(i, "avail-no-pdb")) {
    Json pdb = newObject("policy/v1", "PodDisruptionBudget", freeName("PodDisruptionBudget", ns, name), ns, selector);
    pdb["spec"] = disruptionBudgetSpec(selector);
    changeNew("avail-no-pdb", pdb, "added: at most 1 pod of " + describe(o) + " evicted at a time");
    add(i, false, std::move(pdb));
  }
  Json& spec = podSpec(i, w);
  bool anti = fieldAt(spec, "affinity.podAntiAffinity").is_object();
  bool tsc = spec.contains("topologySpreadConstraints") && spec["topologySpreadConstraints"].is_array() &&
             !spec["topologySpreadConstraints"].empty();
  if (!anti && !tsc && want(i, "avail-no-spread")) {
    spec["topologySpreadConstraints"] = spreadConstraints(selector);
    spec["affinity"]["podAntiAffinity"] = preferredHostAntiAffinity(selector);
    change("avail-no-spread", i, "topologySpreadConstraints over zones and nodes, preferred anti-affinity per node");
  }
}

// The headless Service a StatefulSet's serviceName names, when the input has none: selecting the
// pods by the StatefulSet's selector, on every port its containers declare.
void Hardener::statefulSetService(size_t wi) {
  const Workload& w = inv_.workloads()[wi];
  size_t i = w.object;
  const Json& o = objs_[i];
  const std::string svc = str(fieldAt(o, "spec.serviceName")), ns = namespaceOf(o);
  if (svc.empty() || exists("Service", ns, svc) || !want(i, "avail-statefulset-service")) return;
  const Json selector = inv_.selectorLabels(w);
  if (!selector.is_object() || selector.empty()) {
    warn(i, "serviceName \"" + svc + "\" names no Service, and the StatefulSet has no matchLabels to select its pods by: add the headless Service yourself");
    return;
  }
  Json ports = Json::array();
  std::set<int64_t> seen;
  for (const auto& c : asArray(fieldAt(o, w.podSpecPath + ".containers")))
    for (const auto& p : fieldArr(c, "ports")) {
      const Json& n = field(p, "containerPort");
      if (!n.is_number_integer() || !seen.insert(n.get<int64_t>()).second) continue;
      Json sp = {{"port", n}, {"targetPort", n}};
      if (field(p, "name").is_string()) sp["name"] = p["name"];
      if (field(p, "protocol").is_string()) sp["protocol"] = p["protocol"];
      ports.push_back(sp);
    }
  Json s = newObject("v1", "Service", svc, ns, selector);
  s["spec"] = {{"clusterIP", "None"}, {"publishNotReadyAddresses", true}, {"selector", selector}};
  if (!ports.empty()) s["spec"]["ports"] = ports;
  changeNew("avail-statefulset-service", s,
            "added: the headless Service " + describe(o) + " names in serviceName (stable pod DNS names for its members)");
  add(i, true, std::move(s));
}

}  // namespace fix

}  // namespace shop::audit
