// Stateful data (StatefulSets, volumes, retention) and the credentials in pod specs.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include <random>

#include "core/audit/hardener.hpp"
#include "core/util/random.hpp"
#include "core/util/text.hpp"

namespace shop::audit {

namespace {

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

const Rule kDataRules[] = {
    {.id = "data-database-deployment",
     .level = Level::High,
     .family = "data",
     .title = "Database or message broker runs as a Deployment",
     .rationale = "A Deployment gives its pods no stable identity or storage: during a rollout two pods may open the "
         "same data, and a rescheduled pod starts on a fresh node with nothing.",
     .fix = "Run it as a StatefulSet with a governing headless Service and volumeClaimTemplates.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory&, const Workload& w) -> Verdict {
    if (!isDataStore(w.role) || !scalable(w)) return skipped();
    if (w.kind == "StatefulSet")
      return passed();
    else
      return failed("kind", std::string(roleName(w.role)) + " (" + w.mainImage + ") runs as a " + w.kind);
  })},
    {.id = "data-no-persistent-volume",
     .level = Level::High,
     .family = "data",
     .title = "Database or message broker keeps its data on no persistent volume",
     .rationale = "Data written to the container filesystem or an emptyDir is lost whenever the pod is rescheduled, "
         "and a read-only root filesystem makes the store fail to start at all.",
     .fix = "Mount a PersistentVolumeClaim at the data directory (volumeClaimTemplates in a StatefulSet).",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (!isDataStore(w.role) || !scalable(w)) return skipped();
    if (hasPersistentVolume(inv, w))
      return passed();
    else
      return failed(w.podSpecPath, std::string(roleName(w.role)) + " has no PersistentVolumeClaim: its data is lost with the pod");
  })},
    {.id = "data-statefulset-retention",
     .level = Level::Low,
     .family = "data",
     .title = "StatefulSet does not state what happens to its volumes",
     .rationale = "persistentVolumeClaimRetentionPolicy decides whether deleting or scaling down a StatefulSet deletes "
         "its data. Stating Retain makes the choice visible and survives a change of the cluster default.",
     .fix = "Set spec.persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (w.kind != "StatefulSet") return skipped();
    const Json& o = inv.object(w.object);
    const Json& vct = fieldAt(o, "spec.volumeClaimTemplates");
    if (!vct.is_array() || vct.empty()) return skipped();
    if (fieldAt(o, "spec.persistentVolumeClaimRetentionPolicy").is_object())
      return passed();
    else
      return failed("spec", "volumeClaimTemplates without persistentVolumeClaimRetentionPolicy");
  })},
    {.id = "data-single-instance",
     .level = Level::Info,
     .family = "data",
     .title = "Database or broker is a single instance",
     .rationale = "One database pod is a single point of failure; its node going down stops every service that needs it. "
         "Adding replicas is not a manifest change: the store must be configured for replication.",
     .fix = "Use the store's replicated topology (MongoDB replica set, MySQL replication, Redis Sentinel, "
          "a RabbitMQ cluster), e.g. through a ShopApp's `replicas` for the datastore.",
     .autoFix = false,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (!isDataStore(w.role) || !scalable(w)) return skipped();
    if (inv.effectiveReplicas(w).value_or(1) < 2)
      return failed("spec", std::string(roleName(w.role)) + " runs a single instance");
    else
      return passed();
  })},
};

}  // namespace

std::vector<Rule> dataRules() { return {std::begin(kDataRules), std::end(kDataRules)}; }

namespace {

const Rule kSecretRules[] = {
    {.id = "secret-env-plaintext",
     .level = Level::Critical,
     .family = "secrets",
     .title = "Credential in a plain environment variable",
     .rationale = "A password written as an env value is stored in the manifest, in the Deployment object readable by "
         "anyone who can read Deployments, and in every `kubectl describe`.",
     .fix = "Move it to a Secret and reference it with valueFrom.secretKeyRef.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
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
  }},
    {.id = "secret-args-plaintext",
     .level = Level::High,
     .family = "secrets",
     .title = "Credential in command-line arguments",
     .rationale = "A DSN or URL with a password in command or args is visible in the manifest, the API and the node's "
         "process list.",
     .fix = "Put the value in a Secret, expose it as an env var from secretKeyRef and write $(VAR) in the argument.",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
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
  }},
    {.id = "secret-configmap-plaintext",
     .level = Level::High,
     .family = "secrets",
     .title = "Credential in a ConfigMap",
     .rationale = "ConfigMaps are not meant for secrets: they are readable more widely and never encrypted at rest.",
     .fix = "Move the key to a Secret and mount or reference that instead.",
     .autoFix = false,
     .check = [](const Inventory& inv, Results& res) {
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
  }},
};

}  // namespace

std::vector<Rule> secretRules() { return {std::begin(kSecretRules), std::end(kSecretRules)}; }

namespace fix {

namespace {

// A new random credential for SecretMode::Generate: reproducible from the seed, different per
// Secret key, without look-alike characters.
std::string randomValue(uint64_t seed, const std::string& salt) {
  std::mt19937_64 rng(seed ^ fnv1a64(salt));
  return randomString(24, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", rng);
}

std::string envNameFrom(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "V_" + out;
  return out;
}

void dropUnusedVolumes(Json& pspec, const std::set<std::string>& candidates) {
  if (candidates.empty() || !pspec.contains("volumes")) return;
  auto used = [&](const std::string& name) {
    for (const char* key : {"initContainers", "containers"}) {
      if (!pspec.contains(key)) continue;
      for (const auto& c : pspec[key])
        for (const auto& m : fieldArr(c, "volumeMounts"))
          if (str(field(m, "name")) == name) return true;
    }
    return false;
  };
  Json kept = Json::array();
  for (const auto& v : pspec["volumes"])
    if (!candidates.count(str(field(v, "name"))) || used(str(field(v, "name")))) kept.push_back(v);
  pspec["volumes"] = kept;
}

}  // namespace

// The container holding the data: the first one whose image is a database or broker.
std::optional<size_t> Hardener::dataContainer(const Json& spec) const {
  const Json& cs = field(spec, "containers");
  if (!cs.is_array()) return std::nullopt;
  for (size_t c = 0; c < cs.size(); ++c)
    if (isDataStore(guessRole(parseImage(str(field(cs[c], "image"))), containerPorts(cs[c]), ""))) return c;
  return std::nullopt;
}

std::vector<std::string> Hardener::dataPathsOf(const Json& ctr) const {
  ImageRef ref = parseImage(str(field(ctr, "image")));
  if (const auto* p = findProfile(ref); p && !p->dataPaths.empty()) return p->dataPaths;
  for (int port : containerPorts(ctr))
    if (auto path = dataPathForPort(port); !path.empty()) return {path};
  return {};
}

void Hardener::dataStore(const Workload& w) {
  size_t i = w.object;
  Json& spec = podSpec(i, w);
  auto dc = dataContainer(spec);
  bool convert = (w.kind == "Deployment" || w.kind == "ReplicaSet") && want(i, "data-database-deployment");
  bool isSts = w.kind == "StatefulSet";
  bool needVolume = (isSts || convert) && want(i, "data-no-persistent-volume");
  std::vector<std::string> paths = dc ? dataPathsOf(spec["containers"][*dc]) : std::vector<std::string>{};
  if (convert && paths.empty()) {
    warn(i, "looks like a " + std::string(roleName(w.role)) +
                " but its data directory is unknown; not converted to a StatefulSet (see docs/hardening.md)");
    return;
  }
  if (convert) toStatefulSet(w);
  if (!hasClaim(w) && needVolume && dc && !paths.empty()) claimDataVolume(w, *dc, paths, isSts);
  Json& o = objs_[i];
  bool nowSts = o["kind"] == "StatefulSet";
  Json& sspec = o["spec"];
  if (nowSts && sspec.contains("volumeClaimTemplates") && !sspec.contains("persistentVolumeClaimRetentionPolicy") &&
      want(i, "data-statefulset-retention")) {
    sspec["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}};
    change("data-statefulset-retention", i, "persistentVolumeClaimRetentionPolicy Retain/Retain: deleting or scaling down keeps the data");
  }
}

// A headless Service that already selects the pods, else a new one on the containers' ports.
std::string Hardener::headlessServiceFor(const Workload& w) {
  size_t i = w.object;
  const Json& o = objs_[i];
  std::string ns = namespaceOf(o), name = nameOf(o);
  for (size_t s : inv_.servicesSelecting(w))
    if (fieldAt(inv_.object(s), "spec.clusterIP") == "None") return nameOf(inv_.object(s));
  std::string headless = freeName("Service", ns, name + "-headless");
  Json svc = newObject("v1", "Service", headless, ns, fieldAt(o, "metadata.labels"));
  Json ports = Json::array();
  for (const auto& c : podSpec(i, w)["containers"])
    for (const auto& p : fieldArr(c, "ports")) {
      if (!field(p, "containerPort").is_number_integer()) continue;
      int n = p["containerPort"].get<int>();
      std::string pname = field(p, "name").is_string() ? p["name"].get<std::string>() : "tcp-" + std::to_string(n);
      ports.push_back({{"name", pname}, {"port", n}, {"targetPort", n}});
    }
  svc["spec"] = {{"clusterIP", "None"}, {"selector", inv_.selectorLabels(w)}, {"ports", ports}};
  changeNew("data-database-deployment", svc, "added: the governing headless Service of StatefulSet " + name);
  add(i, false, std::move(svc));
  return headless;
}

void Hardener::toStatefulSet(const Workload& w) {
  size_t i = w.object;
  const std::string headless = headlessServiceFor(w);
  Json& o = objs_[i];
  Json old = o["spec"];
  Json ns2 = Json::object();
  if (old.contains("replicas")) ns2["replicas"] = old["replicas"];
  ns2["selector"] = old["selector"];
  ns2["serviceName"] = headless;
  ns2["template"] = old["template"];
  for (const auto& [k, v] : old.items())
    if (!ns2.contains(k) && k != "strategy" && k != "progressDeadlineSeconds" && k != "paused") ns2[k] = v;
  o["apiVersion"] = "apps/v1";
  o["kind"] = "StatefulSet";
  o["spec"] = ns2;
  change("data-database-deployment", i,
         std::string(w.kind) + " -> StatefulSet (serviceName " + headless + "); apply it after deleting the Deployment");
}

bool Hardener::hasClaim(const Workload& w) {
  const Json& vct = field(objs_[w.object]["spec"], "volumeClaimTemplates");
  if (vct.is_array() && !vct.empty()) return true;
  const Json& pspec = podSpec(w.object, w);
  bool claim = false;
  for (const auto& v : fieldArr(pspec, "volumes"))
    claim |= v.contains("persistentVolumeClaim");
  return claim;
}

void Hardener::claimDataVolume(const Workload& w, size_t dc, const std::vector<std::string>& paths, bool wasSts) {
  size_t i = w.object;
  Json& o = objs_[i];
  Json pvcSpec = Json::object();
  pvcSpec["accessModes"] = Json::array({"ReadWriteOnce"});
  if (!opts_.storageClass.empty()) pvcSpec["storageClassName"] = opts_.storageClass;
  pvcSpec["resources"] = {{"requests", {{"storage", opts_.storageSize}}}};
  o["spec"]["volumeClaimTemplates"] = Json::array({{{"metadata", {{"name", "data"}}}, {"spec", pvcSpec}}});
  // Only now take references into the pod spec: inserting into spec moves its members.
  Json& pspec = podSpec(i, w);
  Json& ctr = pspec["containers"][dc];
  const ImageProfile* profile = findProfile(parseImage(str(ctr["image"])));
  // Replace whatever was mounted at the data directories (an emptyDir) with the claim.
  std::set<std::string> freed;
  if (ctr.contains("volumeMounts")) {
    Json kept = Json::array();
    for (const auto& m : ctr["volumeMounts"]) {
      if (std::find(paths.begin(), paths.end(), str(field(m, "mountPath"))) != paths.end())
        freed.insert(str(field(m, "name")));
      else
        kept.push_back(m);
    }
    ctr["volumeMounts"] = kept;
  }
  for (const auto& path : paths) {
    Json m = {{"name", "data"}, {"mountPath", path}};
    if (paths.size() > 1) m["subPath"] = volumeNameFor(path);
    ctr["volumeMounts"].push_back(m);
  }
  dropUnusedVolumes(pspec, freed);
  change("data-no-persistent-volume", i,
         "volumeClaimTemplates \"data\" (" + opts_.storageSize + ", ReadWriteOnce) mounted at " + paths[0] +
             (wasSts ? "; volumeClaimTemplates cannot change on a live StatefulSet: recreate it (kubectl delete --cascade=orphan)"
                     : ""));
  if (profile && !profile->note.empty()) warn(i, profile->note);
}

void Hardener::secrets(const Workload& w, Json& c, const std::string& who) {
  size_t i = w.object;
  bool envWanted = want(i, "secret-env-plaintext");
  bool argsWanted = want(i, "secret-args-plaintext");
  if (!envWanted && !argsWanted) return;
  std::vector<std::pair<std::string, std::string>> moved;  // key, value
  std::string secretName;
  auto secretFor = [&]() -> std::string {
    if (secretName.empty()) secretName = secretNameFor(w);
    return secretName;
  };
  auto keyRef = [&](const std::string& key) {
    return Json{{"secretKeyRef", {{"name", secretFor()}, {"key", key}}}};
  };
  std::string cname = str(field(c, "name"));
  if (envWanted && c.contains("env") && c["env"].is_array()) {
    for (auto& e : c["env"]) {
      if (!plaintextCredentialEnv(e)) continue;
      std::string key = uniqueKey(w, str(e["name"]), cname);
      moved.emplace_back(key, str(e["value"]));
      e.erase("value");
      e["valueFrom"] = keyRef(key);
    }
  }
  if (argsWanted) {
    for (const char* listKey : {"command", "args"}) {
      if (!c.contains(listKey) || !c[listKey].is_array()) continue;
      for (size_t a = 0; a < c[listKey].size(); ++a) {
        std::string arg = str(c[listKey][a]);
        if (!credentialValue(arg)) continue;
        std::string flag, value = arg, prefix;
        auto eq = arg.find('=');
        if (arg.starts_with("-") && eq != std::string::npos) {
          flag = arg.substr(0, eq);
          prefix = arg.substr(0, eq + 1);
          value = arg.substr(eq + 1);
        }
        std::string var = envNameFrom(flag.empty() ? cname + "_ARG_" + std::to_string(a) : flag.substr(flag.find_first_not_of('-')));
        std::string key = uniqueKey(w, var, cname);
        moved.emplace_back(key, value);
        c[listKey][a] = prefix + "$(" + var + ")";
        c["env"].push_back({{"name", var}, {"valueFrom", keyRef(key)}});
      }
    }
  }
  if (moved.empty()) return;
  Json& secret = secretObject(w);
  std::string list;
  for (auto& [k, v] : moved) {
    std::string value = opts_.secretMode == SecretMode::Generate ? randomValue(opts_.seed, secretFor() + "/" + k) : v;
    secret["stringData"][k] = value;
    list += (list.empty() ? "" : ", ") + k;
  }
  change("secret-env-plaintext", i,
         who + ": " + list + " now read from Secret " + secretFor() +
             (opts_.secretMode == SecretMode::Generate ? " (new random value: the old one was published)"
                                                       : " (value moved as is: rotate it, it was published)"));
}

std::string Hardener::secretNameFor(const Workload& w) {
  const Json& o = inv_.object(w.object);
  auto it = secretNames_.find(w.object);
  if (it != secretNames_.end()) return it->second;
  std::string name = freeName("Secret", namespaceOf(o), nameOf(o) + "-credentials");
  secretNames_[w.object] = name;
  return name;
}

std::string Hardener::uniqueKey(const Workload& w, const std::string& key, const std::string& container) {
  auto& used = secretKeys_[w.object];
  std::string k = used.count(key) ? container + "-" + key : key;
  used.insert(k);
  return k;
}

Json& Hardener::secretObject(const Workload& w) {
  std::string name = secretNameFor(w);
  for (auto& g : gens_)
    if (kindOf(g.object) == "Secret" && nameOf(g.object) == name && g.anchor == w.object) return g.object;
  const Json& o = inv_.object(w.object);
  Json s = newObject("v1", "Secret", name, namespaceOf(o), inv_.selectorLabels(w));
  s["metadata"]["annotations"] = {{"shopctl.io/secret-mode", opts_.secretMode == SecretMode::Generate ? "generate" : "move"}};
  s["type"] = "Opaque";
  s["stringData"] = Json::object();
  changeNew("secret-env-plaintext", s,
            "added: holds the credentials of " + describe(o) +
                " (stringData in a manifest is still plain text: keep this file out of Git or encrypt it, e.g. SOPS or Sealed Secrets)");
  add(w.object, true, std::move(s));
  return gens_.back().object;
}

}  // namespace fix

}  // namespace shop::audit
