// Deprecations: removed API versions, deprecated node labels and fields.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

const Rule kDeprecationRules[] = {
    {.id = "deprecated-api-version",
     .level = Level::High,
     .family = "deprecation",
     .title = "API version removed from Kubernetes",
     .rationale = "The API server no longer serves these versions: `kubectl apply` fails with \"no matches for kind\".",
     .fix = "Use the stable version (apps/v1, networking.k8s.io/v1, policy/v1, autoscaling/v2, batch/v1, rbac.../v1).",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (size_t i = 0; i < inv.manifests().size(); ++i) {
      const Json& o = inv.object(i);
      std::string av = str(field(o, "apiVersion"));
      bool any = false;
      if (const auto* a = removedApi(av, kindOf(o))) {
        res.fail(i, "apiVersion",
                 av + " " + kindOf(o) + " was removed in Kubernetes " + a->removedIn +
                     (*a->replacement ? std::string("; use ") + a->replacement : std::string("; it has no replacement")));
        any = true;
      }
      if (kindOf(o) == "HorizontalPodAutoscaler") {
        const Json& ref = fieldAt(o, "spec.scaleTargetRef");
        std::string tav = str(field(ref, "apiVersion"));
        if (const auto* a = removedApi(tav, str(field(ref, "kind")))) {
          res.fail(i, "spec.scaleTargetRef.apiVersion",
                   "scaleTargetRef uses " + tav + ", removed in Kubernetes " + a->removedIn);
          any = true;
        }
      }
      if (!any) res.pass(i);
    }
  }},
    {.id = "deprecated-node-label",
     .level = Level::Medium,
     .family = "deprecation",
     .title = "Deprecated beta node label",
     .rationale = "beta.kubernetes.io/os, beta.kubernetes.io/arch and the failure-domain.beta zone labels are deprecated "
         "(the API server warns on every apply); newer nodes may not carry them, leaving pods Pending.",
     .fix = "Use kubernetes.io/os, kubernetes.io/arch, topology.kubernetes.io/zone|region, node.kubernetes.io/instance-type.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      const Json& spec = inv.podSpec(w);
      bool any = false;
      auto report = [&](const std::string& path, const std::string& key) {
        if (const LabelRename* l = deprecatedNodeLabel(key)) {
          res.fail(w.object, path, std::string("uses deprecated node label ") + l->from + " (use " + l->to + ")");
          any = true;
        }
      };
      const Json& ns = field(spec, "nodeSelector");
      if (ns.is_object())
        for (const auto& [k, v] : ns.items()) report(childPath(w.podSpecPath + ".nodeSelector", k), k);
      const Json& terms = fieldAt(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
      if (terms.is_array())
        for (size_t t = 0; t < terms.size(); ++t) {
          const Json& exprs = field(terms[t], "matchExpressions");
          if (!exprs.is_array()) continue;
          for (size_t e = 0; e < exprs.size(); ++e)
            report(w.podSpecPath + ".affinity.nodeAffinity", str(field(exprs[e], "key")));
        }
      const Json& tsc = field(spec, "topologySpreadConstraints");
      if (tsc.is_array())
        for (size_t t = 0; t < tsc.size(); ++t)
          report(indexPath(w.podSpecPath + ".topologySpreadConstraints", t) + ".topologyKey", str(field(tsc[t], "topologyKey")));
      if (!any) res.pass(w.object);
    }
  }},
    {.id = "deprecated-service-account-field",
     .level = Level::Low,
     .family = "deprecation",
     .title = "Pod uses the deprecated serviceAccount field",
     .rationale = "spec.serviceAccount is a deprecated alias; tools that only read serviceAccountName miss it.",
     .fix = "Use spec.serviceAccountName.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (field(inv.podSpec(w), "serviceAccount").is_null())
      return passed();
    else
      return failed(w.podSpecPath + ".serviceAccount", "pod uses spec.serviceAccount instead of serviceAccountName");
  })},
};

}  // namespace

std::vector<Rule> deprecationRules() { return {std::begin(kDeprecationRules), std::end(kDeprecationRules)}; }

namespace fix {

namespace {

Json ingressBackend(const Json& b) {
  if (!b.is_object() || !b.contains("serviceName")) return b;
  Json port = Json::object();
  const Json& sp = b["servicePort"];
  if (sp.is_number_integer())
    port["number"] = sp;
  else if (sp.is_string())
    port["name"] = sp;
  return {{"service", {{"name", b["serviceName"]}, {"port", port}}}};
}

void convertIngress(Json& o) {
  if (!o.contains("spec")) return;
  Json& spec = o["spec"];
  if (spec.contains("backend")) {
    spec["defaultBackend"] = ingressBackend(spec["backend"]);
    spec.erase("backend");
  }
  if (spec.contains("rules") && spec["rules"].is_array()) {
    for (auto& r : spec["rules"]) {
      if (!r.contains("http") || !fieldObj(r, "http").contains("paths")) continue;
      for (auto& p : r["http"]["paths"]) {
        if (p.contains("backend")) p["backend"] = ingressBackend(p["backend"]);
        if (!p.contains("pathType")) p["pathType"] = "ImplementationSpecific";
      }
    }
  }
}

void convertHpaMetrics(Json& o) {
  Json& metrics = at(o, "spec.metrics");
  if (!metrics.is_array()) return;
  for (auto& m : metrics) {
    if (m["type"] != "Resource" || !m.contains("resource")) continue;
    Json& r = m["resource"];
    if (r.contains("targetAverageUtilization")) {
      r["target"] = {{"type", "Utilization"}, {"averageUtilization", r["targetAverageUtilization"]}};
      r.erase("targetAverageUtilization");
    } else if (r.contains("targetAverageValue")) {
      r["target"] = {{"type", "AverageValue"}, {"averageValue", r["targetAverageValue"]}};
      r.erase("targetAverageValue");
    }
  }
}

}  // namespace

void Hardener::deprecatedApi(size_t i) {
  Json& o = objs_[i];
  std::string av = str(field(o, "apiVersion"));
  std::string kind = kindOf(o);
  if (kind == "HorizontalPodAutoscaler" && want(i, "deprecated-api-version")) {
    std::string tav = str(fieldAt(o, "spec.scaleTargetRef.apiVersion"));
    const ApiRename* t = removedApi(tav, str(fieldAt(o, "spec.scaleTargetRef.kind")));
    if (t && *t->replacement) {
      o["spec"]["scaleTargetRef"]["apiVersion"] = t->replacement;
      change("deprecated-api-version", i, "scaleTargetRef.apiVersion " + tav + " -> " + t->replacement);
    }
  }
  const ApiRename* a = removedApi(av, kind);
  if (!a || !want(i, "deprecated-api-version")) return;
  if (!a->automatic || !*a->replacement) {
    warn(i, av + " " + kind + " was removed in Kubernetes " + a->removedIn + " and needs a manual conversion");
    return;
  }
  o["apiVersion"] = a->replacement;
  std::string note;
  if (kind == "Deployment" || kind == "DaemonSet" || kind == "ReplicaSet" || kind == "StatefulSet") {
    if (o.contains("spec") && o["spec"].is_object()) {
      o["spec"].erase("rollbackTo");
      o["spec"].erase("templateGeneration");
      if (!fieldAt(o, "spec.selector").is_object() && fieldAt(o, "spec.template.metadata.labels").is_object()) {
        o["spec"]["selector"] = {{"matchLabels", o["spec"]["template"]["metadata"]["labels"]}};
        note = "; spec.selector set from the pod template labels (apps/v1 requires it)";
      }
    }
  } else if (kind == "Ingress") {
    convertIngress(o);
    note = "; backends rewritten to service.name/port and paths given pathType ImplementationSpecific";
  } else if (kind == "HorizontalPodAutoscaler" && av == "autoscaling/v2beta1") {
    convertHpaMetrics(o);
  }
  change("deprecated-api-version", i, av + " -> " + a->replacement + note);
}

void Hardener::nodeLabels(const Workload& w) {
  size_t i = w.object;
  if (!want(i, "deprecated-node-label")) return;
  Json& spec = podSpec(i, w);
  auto rename = [](const std::string& key) -> std::string {
    const LabelRename* l = deprecatedNodeLabel(key);
    return l ? l->to : "";
  };
  if (spec.contains("nodeSelector") && spec["nodeSelector"].is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : fieldObj(spec, "nodeSelector").items()) {
      std::string to = rename(k);
      if (to.empty()) {
        if (!out.contains(k)) out[k] = v;
        continue;
      }
      if (!fieldObj(spec, "nodeSelector").contains(to)) out[to] = v;
      change("deprecated-node-label", i, "nodeSelector " + k + " -> " + to);
    }
    spec["nodeSelector"] = out;
  }
  if (fieldAt(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms").is_array()) {
    Json& terms = at(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
    for (auto& t : terms) {
      if (!t.is_object() || !t.contains("matchExpressions") || !t["matchExpressions"].is_array()) continue;
      for (auto& e : t["matchExpressions"]) {
        std::string to = rename(str(field(e, "key")));
        if (to.empty()) continue;
        change("deprecated-node-label", i, "node affinity " + str(e["key"]) + " -> " + to);
        e["key"] = to;
      }
    }
  }
  if (spec.contains("topologySpreadConstraints") && spec["topologySpreadConstraints"].is_array())
    for (auto& t : spec["topologySpreadConstraints"]) {
      std::string to = rename(str(field(t, "topologyKey")));
      if (to.empty()) continue;
      change("deprecated-node-label", i, "topologyKey " + str(t["topologyKey"]) + " -> " + to);
      t["topologyKey"] = to;
    }
}

}  // namespace fix

}  // namespace shop::audit
