// Rules about how objects fit together: availability, data, secrets, exposure, deprecations,
// network policies, mesh policies, service accounts.
#include <algorithm>

#include "core/audit/rules_util.hpp"

namespace shop::audit {

namespace {

bool scalable(const Workload& w) {
  return w.kind == "Deployment" || w.kind == "StatefulSet" || w.kind == "ReplicaSet" ||
         w.kind == "ReplicationController";
}

// ---- availability --------------------------------------------------------------------------

Rule singleReplica() {
  Rule r;
  r.id = "avail-single-replica";
  r.level = Level::Medium;
  r.family = "availability";
  r.title = "Stateless service runs a single replica";
  r.rationale =
      "With one replica every node drain, rollout or crash is an outage. Stateless services are cheap to "
      "run twice.";
  r.fix = "Run at least 2 replicas, or an HPA with minReplicas >= 2.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
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
  };
  return r;
}

Rule noPdb() {
  Rule r;
  r.id = "avail-no-pdb";
  r.level = Level::Medium;
  r.family = "availability";
  r.title = "No PodDisruptionBudget covers the workload";
  r.rationale =
      "Without a PodDisruptionBudget a node drain (upgrades, autoscaler scale-down) may evict every replica "
      "at once.";
  r.fix = "Add a policy/v1 PodDisruptionBudget (maxUnavailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow) "
          "selecting the pods. Stateless services get one; single-instance databases do not, because a budget "
          "that allows no eviction blocks drains.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (!scalable(w)) continue;
      auto n = inv.effectiveReplicas(w).value_or(1);
      if (w.role != Role::Stateless && n < 2) continue;
      if (!inv.pdbsFor(w).empty()) {
        res.pass(w.object);
        continue;
      }
      res.fail(w.object, w.templatePath,
               "no PodDisruptionBudget selects these pods" +
                   std::string(n < 2 ? " (and with 1 replica a drain is an outage)" : ""));
    }
  };
  return r;
}

Rule pdbPolicy() {
  Rule r;
  r.id = "avail-pdb-policy";
  r.level = Level::Low;
  r.family = "availability";
  r.title = "PodDisruptionBudget blocks evictions or leaves unhealthy pods stuck";
  r.rationale =
      "A budget with maxUnavailable 0 or minAvailable 100% (or no policy at all) makes every node drain "
      "hang. Without unhealthyPodEvictionPolicy: AlwaysAllow, pods that are already broken cannot be "
      "evicted either.";
  r.fix = "Use maxUnavailable: 1 (or a minAvailable below the replica count) and unhealthyPodEvictionPolicy: AlwaysAllow.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
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
  };
  return r;
}

Rule noHpa() {
  Rule r;
  r.id = "avail-no-hpa";
  r.level = Level::Low;
  r.family = "availability";
  r.title = "Stateless Deployment has no HorizontalPodAutoscaler";
  r.rationale = "A fixed replica count is either too small at peak or wasted off peak.";
  r.fix = "Add an autoscaling/v2 HPA (minReplicas >= 2, CPU utilization target) and drop spec.replicas.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (w.kind != "Deployment" || w.role != Role::Stateless) continue;
      if (inv.hpasFor(w).empty())
        res.fail(w.object, "spec", "no HorizontalPodAutoscaler targets this Deployment");
      else
        res.pass(w.object);
    }
  };
  return r;
}

Rule hpaReplicas() {
  Rule r;
  r.id = "avail-hpa-replicas-conflict";
  r.level = Level::Medium;
  r.family = "availability";
  r.title = "Deployment sets spec.replicas although an HPA scales it";
  r.rationale =
      "Every apply of the manifest resets the replica count the HPA chose, so a deploy during a peak scales "
      "the service down to the number in the file.";
  r.fix = "Remove spec.replicas from Deployments that an HPA targets.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (w.kind != "Deployment" || inv.hpasFor(w).empty()) continue;
      if (fieldAt(inv.object(w.object), "spec.replicas").is_null())
        res.pass(w.object);
      else
        res.fail(w.object, "spec.replicas", "spec.replicas is set while an HPA scales this Deployment");
    }
  };
  return r;
}

Rule noSpread() {
  Rule r;
  r.id = "avail-no-spread";
  r.level = Level::Low;
  r.family = "availability";
  r.title = "Replicas may all land on one node";
  r.rationale =
      "Without pod anti-affinity or topology spread constraints the scheduler may put every replica on the "
      "same node or zone, and one failure takes them all.";
  r.fix = "Add a preferred podAntiAffinity on kubernetes.io/hostname and/or topologySpreadConstraints.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (!scalable(w)) continue;
      auto n = inv.effectiveReplicas(w).value_or(1);
      if (w.role != Role::Stateless && n < 2) continue;
      const Json& spec = inv.podSpec(w);
      bool anti = fieldAt(spec, "affinity.podAntiAffinity").is_object();
      const Json& tsc = field(spec, "topologySpreadConstraints");
      if (anti || (tsc.is_array() && !tsc.empty()))
        res.pass(w.object);
      else
        res.fail(w.object, w.podSpecPath, "no podAntiAffinity or topologySpreadConstraints");
    }
  };
  return r;
}

Rule rollingUpdate() {
  Rule r;
  r.id = "avail-rolling-update";
  r.level = Level::Low;
  r.family = "availability";
  r.title = "Rollout takes every replica down at once";
  r.rationale =
      "strategy Recreate, or a RollingUpdate whose maxUnavailable covers all replicas, stops the old pods "
      "before the new ones are ready: each deploy is an outage.";
  r.fix = "Use strategy RollingUpdate with maxUnavailable: 0 and maxSurge: 1 (or 25%).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (w.kind != "Deployment" || w.role != Role::Stateless) continue;
      const Json& strategy = fieldAt(inv.object(w.object), "spec.strategy");
      std::string type = str(field(strategy, "type"));
      const Json& maxU = fieldAt(strategy, "rollingUpdate.maxUnavailable");
      auto n = inv.effectiveReplicas(w).value_or(1);
      if (type == "Recreate") {
        res.fail(w.object, "spec.strategy.type", "strategy Recreate stops every pod before starting new ones");
      } else if (maxU == "100%" || (maxU.is_number_integer() && maxU.get<int64_t>() >= n && n > 0)) {
        res.fail(w.object, "spec.strategy.rollingUpdate.maxUnavailable",
                 "maxUnavailable " + maxU.dump() + " lets a rollout stop every replica");
      } else {
        res.pass(w.object);
      }
    }
  };
  return r;
}

// ---- stateful data -------------------------------------------------------------------------

bool hasPersistentVolume(const Inventory& inv, const Workload& w) {
  const Json& o = inv.object(w.object);
  const Json& vct = fieldAt(o, "spec.volumeClaimTemplates");
  if (vct.is_array() && !vct.empty()) return true;
  const Json& vols = field(inv.podSpec(w), "volumes");
  if (vols.is_array())
    for (const auto& v : vols)
      if (field(v, "persistentVolumeClaim").is_object()) return true;
  return false;
}

Rule databaseDeployment() {
  Rule r;
  r.id = "data-database-deployment";
  r.level = Level::High;
  r.family = "data";
  r.title = "Database or message broker runs as a Deployment";
  r.rationale =
      "A Deployment gives its pods no stable identity or storage: during a rollout two pods may open the "
      "same data, and a rescheduled pod starts on a fresh node with nothing.";
  r.fix = "Run it as a StatefulSet with a governing headless Service and volumeClaimTemplates.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (!isDataStore(w.role) || !scalable(w)) continue;
      if (w.kind == "StatefulSet")
        res.pass(w.object);
      else
        res.fail(w.object, "kind", std::string(roleName(w.role)) + " (" + w.mainImage + ") runs as a " + w.kind);
    }
  };
  return r;
}

Rule noPersistentVolume() {
  Rule r;
  r.id = "data-no-persistent-volume";
  r.level = Level::High;
  r.family = "data";
  r.title = "Database or message broker keeps its data on no persistent volume";
  r.rationale =
      "Data written to the container filesystem or an emptyDir is lost whenever the pod is rescheduled, "
      "and a read-only root filesystem makes the store fail to start at all.";
  r.fix = "Mount a PersistentVolumeClaim at the data directory (volumeClaimTemplates in a StatefulSet).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (!isDataStore(w.role) || !scalable(w)) continue;
      if (hasPersistentVolume(inv, w))
        res.pass(w.object);
      else
        res.fail(w.object, w.podSpecPath, std::string(roleName(w.role)) + " has no PersistentVolumeClaim: its data is lost with the pod");
    }
  };
  return r;
}

Rule retention() {
  Rule r;
  r.id = "data-statefulset-retention";
  r.level = Level::Low;
  r.family = "data";
  r.title = "StatefulSet does not state what happens to its volumes";
  r.rationale =
      "persistentVolumeClaimRetentionPolicy decides whether deleting or scaling down a StatefulSet deletes "
      "its data. Stating Retain makes the choice visible and survives a change of the cluster default.";
  r.fix = "Set spec.persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (w.kind != "StatefulSet") continue;
      const Json& o = inv.object(w.object);
      const Json& vct = fieldAt(o, "spec.volumeClaimTemplates");
      if (!vct.is_array() || vct.empty()) continue;
      if (fieldAt(o, "spec.persistentVolumeClaimRetentionPolicy").is_object())
        res.pass(w.object);
      else
        res.fail(w.object, "spec", "volumeClaimTemplates without persistentVolumeClaimRetentionPolicy");
    }
  };
  return r;
}

Rule singleInstance() {
  Rule r;
  r.id = "data-single-instance";
  r.level = Level::Info;
  r.family = "data";
  r.title = "Database or broker is a single instance";
  r.rationale =
      "One database pod is a single point of failure; its node going down stops every service that needs it. "
      "Adding replicas is not a manifest change: the store must be configured for replication.";
  r.fix = "Use the store's replicated topology (MongoDB replica set, MySQL replication, Redis Sentinel, "
          "a RabbitMQ cluster), e.g. through a ShopApp's `replicas` for the datastore.";
  r.autoFix = false;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (!isDataStore(w.role) || !scalable(w)) continue;
      if (inv.effectiveReplicas(w).value_or(1) < 2)
        res.fail(w.object, "spec", std::string(roleName(w.role)) + " runs a single instance");
      else
        res.pass(w.object);
    }
  };
  return r;
}

// ---- secrets -------------------------------------------------------------------------------

Rule envPlaintext() {
  Rule r;
  r.id = "secret-env-plaintext";
  r.level = Level::Critical;
  r.family = "secrets";
  r.title = "Credential in a plain environment variable";
  r.rationale =
      "A password written as an env value is stored in the manifest, in the Deployment object readable by "
      "anyone who can read Deployments, and in every `kubectl describe`.";
  r.fix = "Move it to a Secret and reference it with valueFrom.secretKeyRef.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      for (const auto& c : inv.containers(w, true)) {
        const Json& env = field(containerJson(inv, w, c), "env");
        bool any = false;
        if (env.is_array()) {
          for (size_t i = 0; i < env.size(); ++i) {
            if (plaintextCredentialEnv(env[i])) {
              res.fail(w.object, indexPath(c.path + ".env", i) + ".value",
                       "container \"" + c.name + "\" sets " + str(field(env[i], "name")) + " in plain text");
              any = true;
            }
          }
        }
        if (!any) res.pass(w.object);
      }
    }
  };
  return r;
}

Rule argsPlaintext() {
  Rule r;
  r.id = "secret-args-plaintext";
  r.level = Level::High;
  r.family = "secrets";
  r.title = "Credential in command-line arguments";
  r.rationale =
      "A DSN or URL with a password in command or args is visible in the manifest, the API and the node's "
      "process list.";
  r.fix = "Put the value in a Secret, expose it as an env var from secretKeyRef and write $(VAR) in the argument.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      for (const auto& c : inv.containers(w, true)) {
        const Json& ctr = containerJson(inv, w, c);
        bool any = false;
        for (const char* key : {"command", "args"}) {
          const Json& list = field(ctr, key);
          if (!list.is_array()) continue;
          for (size_t i = 0; i < list.size(); ++i) {
            if (credentialValue(str(list[i]))) {
              res.fail(w.object, indexPath(c.path + "." + key, i),
                       "container \"" + c.name + "\" passes a credential in " + key);
              any = true;
            }
          }
        }
        if (!any) res.pass(w.object);
      }
    }
  };
  return r;
}

Rule configMapPlaintext() {
  Rule r;
  r.id = "secret-configmap-plaintext";
  r.level = Level::High;
  r.family = "secrets";
  r.title = "Credential in a ConfigMap";
  r.rationale = "ConfigMaps are not meant for secrets: they are readable more widely and never encrypted at rest.";
  r.fix = "Move the key to a Secret and mount or reference that instead.";
  r.autoFix = false;
  r.check = [](const Inventory& inv, Results& res) {
    for (size_t m : inv.ofKind("ConfigMap")) {
      const Json& data = field(inv.object(m), "data");
      bool any = false;
      if (data.is_object()) {
        for (const auto& [k, v] : data.items()) {
          std::string value = str(v);
          bool byName = sensitiveName(k) && !value.empty() && value.find('\n') == std::string::npos &&
                        value != "true" && value != "false";
          if (byName || credentialValue(value)) {
            res.fail(m, childPath("data", k), "ConfigMap key \"" + k + "\" holds a credential");
            any = true;
          }
        }
      }
      if (!any) res.pass(m);
    }
  };
  return r;
}

// ---- exposure ------------------------------------------------------------------------------

Rule serviceType() {
  Rule r;
  r.id = "exposure-service-type";
  r.level = Level::Medium;
  r.family = "exposure";
  r.title = "Service is exposed with NodePort or LoadBalancer";
  r.rationale =
      "A NodePort opens the port on every node's address, a LoadBalancer on the internet, both in plain "
      "HTTP unless the app terminates TLS, and both bypass the Ingress where TLS, host rules and rate limits live.";
  r.fix = "Use type ClusterIP and publish the entry point through an Ingress (or Gateway) with TLS.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (size_t s : inv.ofKind("Service")) {
      std::string type = str(fieldAt(inv.object(s), "spec.type"));
      if (type == "NodePort" || type == "LoadBalancer")
        res.fail(s, "spec.type", "Service type " + type + " exposes it outside the cluster");
      else
        res.pass(s);
    }
  };
  return r;
}

Rule ingressTls() {
  Rule r;
  r.id = "exposure-ingress-tls";
  r.level = Level::High;
  r.family = "exposure";
  r.title = "Ingress serves without TLS";
  r.rationale = "Sessions, passwords and card numbers cross the network in clear text.";
  r.fix = "Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it).";
  r.autoFix = false;
  r.check = [](const Inventory& inv, Results& res) {
    for (size_t i : inv.ofKind("Ingress")) {
      const Json& tls = fieldAt(inv.object(i), "spec.tls");
      if (tls.is_array() && !tls.empty())
        res.pass(i);
      else
        res.fail(i, "spec", "Ingress has no tls section");
    }
  };
  return r;
}

// ---- deprecations --------------------------------------------------------------------------

Rule removedApiVersion() {
  Rule r;
  r.id = "deprecated-api-version";
  r.level = Level::High;
  r.family = "deprecation";
  r.title = "API version removed from Kubernetes";
  r.rationale = "The API server no longer serves these versions: `kubectl apply` fails with \"no matches for kind\".";
  r.fix = "Use the stable version (apps/v1, networking.k8s.io/v1, policy/v1, autoscaling/v2, batch/v1, rbac.../v1).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
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
  };
  return r;
}

Rule nodeLabels() {
  Rule r;
  r.id = "deprecated-node-label";
  r.level = Level::Medium;
  r.family = "deprecation";
  r.title = "Deprecated beta node label";
  r.rationale =
      "beta.kubernetes.io/os, beta.kubernetes.io/arch and the failure-domain.beta zone labels are deprecated "
      "(the API server warns on every apply); newer nodes may not carry them, leaving pods Pending.";
  r.fix = "Use kubernetes.io/os, kubernetes.io/arch, topology.kubernetes.io/zone|region, node.kubernetes.io/instance-type.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      const Json& spec = inv.podSpec(w);
      bool any = false;
      auto report = [&](const std::string& path, const std::string& key) {
        for (const auto& l : deprecatedNodeLabels()) {
          if (key == l.from) {
            res.fail(w.object, path, std::string("uses deprecated node label ") + l.from + " (use " + l.to + ")");
            any = true;
          }
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
  };
  return r;
}

Rule serviceAccountField() {
  Rule r;
  r.id = "deprecated-service-account-field";
  r.level = Level::Low;
  r.family = "deprecation";
  r.title = "Pod uses the deprecated serviceAccount field";
  r.rationale = "spec.serviceAccount is a deprecated alias; tools that only read serviceAccountName miss it.";
  r.fix = "Use spec.serviceAccountName.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (field(inv.podSpec(w), "serviceAccount").is_null())
        res.pass(w.object);
      else
        res.fail(w.object, w.podSpecPath + ".serviceAccount", "pod uses spec.serviceAccount instead of serviceAccountName");
    }
  };
  return r;
}

// ---- network -------------------------------------------------------------------------------

Rule networkPolicy() {
  Rule r;
  r.id = "network-policy-missing";
  r.level = Level::Medium;
  r.family = "network";
  r.title = "No NetworkPolicy restricts the workload's ingress and egress";
  r.rationale =
      "Without a NetworkPolicy every pod in the cluster can reach these pods (and they can reach anything): "
      "one compromised service can talk to every database.";
  r.fix = "Add a default-deny policy for the namespace and per-workload policies that allow exactly the calls "
          "the app makes (plus DNS).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      bool in = false, out = false;
      inv.networkCoverage(w, in, out);
      if (in && out)
        res.pass(w.object);
      else
        res.fail(w.object, w.templatePath.empty() ? "metadata" : w.templatePath + ".metadata",
                 std::string("no NetworkPolicy restricts ") + (!in && !out ? "ingress or egress" : !in ? "ingress" : "egress") +
                     " of these pods");
    }
  };
  return r;
}

// ---- mesh ----------------------------------------------------------------------------------

Rule meshTimeouts() {
  Rule r;
  r.id = "mesh-timeout-retries";
  r.level = Level::Medium;
  r.family = "mesh";
  r.title = "Called HTTP service has no mesh timeout and retries (Istio)";
  r.rationale =
      "Without a timeout a slow dependency holds its callers' threads until they exhaust; without retries "
      "a single reset connection during a rollout fails a user request.";
  r.fix = "Add a VirtualService with a route timeout (15s) and 2 attempts on connect-failure,refused-stream,"
          "reset-before-request, the failures where the request never reached the server (safe for non-idempotent "
          "calls).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    if (!inv.istioInUse()) return;
    for (size_t s : inv.ofKind("Service")) {
      if (inv.callersOf(s).empty() || !serviceIsHttp(inv, s)) continue;
      bool ok = false;
      for (size_t vs : istioPoliciesFor(inv, s, "VirtualService")) {
        const Json& http = fieldAt(inv.object(vs), "spec.http");
        if (!http.is_array()) continue;
        for (const auto& route : http)
          if (!field(route, "timeout").is_null() && field(route, "retries").is_object()) ok = true;
      }
      if (ok)
        res.pass(s);
      else
        res.fail(s, "metadata", "Service is called by other workloads but no VirtualService sets a timeout and retries");
    }
  };
  return r;
}

Rule meshOutlier() {
  Rule r;
  r.id = "mesh-outlier-detection";
  r.level = Level::Medium;
  r.family = "mesh";
  r.title = "Called service has no outlier detection (Istio)";
  r.rationale =
      "Without outlier detection the mesh keeps sending a share of requests to a replica that fails every "
      "one of them.";
  r.fix = "Add a DestinationRule with trafficPolicy.outlierDetection. Services in front of "
          "a single database pod are exempt: there is no other endpoint to send traffic to.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    if (!inv.istioInUse()) return;
    for (size_t s : inv.ofKind("Service")) {
      if (inv.callersOf(s).empty() || !hasReplicatedBackends(inv, s)) continue;
      bool ok = false;
      for (size_t dr : istioPoliciesFor(inv, s, "DestinationRule"))
        if (fieldAt(inv.object(dr), "spec.trafficPolicy.outlierDetection").is_object()) ok = true;
      if (ok)
        res.pass(s);
      else
        res.fail(s, "metadata", "Service is called by other workloads but no DestinationRule sets outlierDetection");
    }
  };
  return r;
}

// ---- service accounts ----------------------------------------------------------------------

Rule defaultServiceAccount() {
  Rule r;
  r.id = "sa-default";
  r.level = Level::Medium;
  r.family = "service-accounts";
  r.title = "Pod runs as the namespace's default ServiceAccount";
  r.rationale =
      "Every pod without its own ServiceAccount shares `default`: a Role granted to one workload is granted "
      "to all of them, and audit logs cannot tell them apart.";
  r.fix = "Create one ServiceAccount per workload and set serviceAccountName.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      if (serviceAccountOf(inv.podSpec(w)) == "default")
        res.fail(w.object, w.podSpecPath, "pod uses the default ServiceAccount");
      else
        res.pass(w.object);
    }
  };
  return r;
}

Rule tokenAutomount() {
  Rule r;
  r.id = "sa-token-automount";
  r.level = Level::Medium;
  r.family = "service-accounts";
  r.title = "ServiceAccount token is mounted into the pod";
  r.rationale =
      "Most services never call the Kubernetes API, yet by default each pod gets a token for it: whoever "
      "breaks into the pod gets the ServiceAccount's permissions.";
  r.fix = "Set automountServiceAccountToken: false on the pod (or its ServiceAccount); mount a projected token only where needed.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      const Json& spec = inv.podSpec(w);
      const Json& pod = field(spec, "automountServiceAccountToken");
      bool off = pod == false;
      if (pod.is_null()) {
        auto sa = inv.find("ServiceAccount", namespaceOf(inv.object(w.object)), serviceAccountOf(spec));
        if (sa && field(inv.object(*sa), "automountServiceAccountToken") == false) off = true;
      }
      if (off)
        res.pass(w.object);
      else
        res.fail(w.object, w.podSpecPath, "the ServiceAccount token is mounted (automountServiceAccountToken is not false)");
    }
  };
  return r;
}

}  // namespace

std::vector<Rule> objectRules() {
  return {singleReplica(),     noPdb(),         pdbPolicy(),         noHpa(),
          hpaReplicas(),       noSpread(),      rollingUpdate(),     databaseDeployment(),
          noPersistentVolume(), retention(),    singleInstance(),    envPlaintext(),
          argsPlaintext(),     configMapPlaintext(), serviceType(),  ingressTls(),
          removedApiVersion(), nodeLabels(),    serviceAccountField(), networkPolicy(),
          meshTimeouts(),      meshOutlier(),   defaultServiceAccount(), tokenAutomount()};
}

}  // namespace shop::audit
