#include "core/importer/import.hpp"

#include "core/importer/engine_args.hpp"

#include "core/audit/harden.hpp"
#include "core/audit/k8s.hpp"
#include "core/audit/rules_util.hpp"
#include "core/model/engines.hpp"
#include "core/model/shopapp.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include "core/util/match.hpp"
#include "core/util/text.hpp"
#include <set>

namespace shop::importer {

namespace {

struct EngineGuess {
  const char* engine;
  bool broker;
};

// Which engine an image runs, from its repository name.
std::optional<EngineGuess> engineOf(const std::string& image) {
  std::string repo = image.substr(0, image.find('@'));
  const size_t slash = repo.rfind('/');
  const size_t colon = repo.find(':', slash == std::string::npos ? 0 : slash);
  if (colon != std::string::npos) repo = repo.substr(0, colon);
  std::string last = slash == std::string::npos ? repo : repo.substr(slash + 1);
  auto has = [&](const char* s) { return last.find(s) != std::string::npos; };
  if (has("exporter")) return std::nullopt;
  if (has("mongo") || last == "user-db") return EngineGuess{"mongodb", false};
  if (has("mariadb")) return EngineGuess{"mariadb", false};
  if (has("mysql") || last == "catalogue-db") return EngineGuess{"mysql", false};
  if (has("postgres")) return EngineGuess{"postgresql", false};
  if (has("redis")) return EngineGuess{"redis", false};
  if (has("rabbitmq")) return EngineGuess{"rabbitmq", true};
  if (has("kafka")) return EngineGuess{"kafka", true};
  return std::nullopt;
}

std::string tagOf(const std::string& image) {
  const size_t slash = image.rfind('/');
  const size_t colon = image.find(':', slash == std::string::npos ? 0 : slash);
  return colon == std::string::npos ? "" : image.substr(colon + 1, image.find('@') - colon - 1);
}

bool secretLooking(const std::string& name) { return match::secretLookingName(name); }

// A probe of the input as the ShopApp writes it, or null when it has no check we know. The
// input may be any shape that loaded (a tcpSocket without a port, an httpGet that is a string):
// only fields that are there, of the right type, are read.
Json probeOf(const Json& p) {
  auto obj = [&](const char* k) -> const Json* {
    auto it = p.find(k);
    return it != p.end() && it->is_object() ? &*it : nullptr;
  };
  Json out = Json::object();
  if (const Json* http = obj("httpGet")) {
    Json h = {{"path", http->value("path", "/")}};
    if (http->contains("port")) h["port"] = http->at("port");
    if (http->value("scheme", "HTTP") == "HTTPS") h["scheme"] = "HTTPS";
    Json headers = Json::array();
    const Json hs = http->value("httpHeaders", Json::array());
    if (hs.is_array())
      for (const auto& hh : hs)
        if (hh.is_object()) headers.push_back({{"name", hh.value("name", "")}, {"value", hh.value("value", "")}});
    if (!headers.empty()) h["headers"] = headers;
    out["http"] = h;
  } else if (const Json* grpc = obj("grpc")) {
    Json g = Json::object();
    if (grpc->contains("port")) g["port"] = grpc->at("port");
    if (grpc->contains("service")) g["service"] = grpc->at("service");
    out["grpc"] = g;
  } else if (const Json* tcp = obj("tcpSocket"); tcp && tcp->contains("port")) {
    out["tcp"] = {{"port", tcp->at("port")}};
  } else if (const Json* exec = obj("exec"); exec && exec->contains("command")) {
    out["exec"] = exec->at("command");
  } else {
    return Json();
  }
  for (const char* k : {"initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"})
    if (p.contains(k)) out[k] = p.at(k);
  return out;
}

// Why an input object of this kind has no place in the ShopApp.
std::string leftOutBecause(const std::string& kind) {
  if (kind == "Service") return "selects none of the imported workloads; left out";
  if (kind == "NetworkPolicy") return "NetworkPolicies are derived from dependsOn; this one is left out";
  if (kind == "HorizontalPodAutoscaler") return "HPAs are derived from each service's autoscaling; this one is left out";
  if (kind == "PodDisruptionBudget") return "PDBs are derived from each component's replicas; this one is left out";
  if (kind == "ServiceAccount")
    return "left out: the ShopApp renders a ServiceAccount per component with spec.security.serviceAccounts "
           "(token not mounted unless asked)";
  if (kind == "Role" || kind == "ClusterRole" || kind == "RoleBinding" || kind == "ClusterRoleBinding")
    return "RBAC is not part of a ShopApp: left out; apply it yourself, bound to the component's ServiceAccount";
  if (kind == "PodSecurityPolicy")
    return "PodSecurityPolicy was removed in Kubernetes 1.25: left out; the ShopApp's namespace enforces Pod Security "
           "admission instead (spec.security.podSecurity)";
  if (kind == "ConfigMap") return "left out: give its files to a service with spec.services[].config.files";
  if (kind == "Secret")
    return "left out (its values do not belong in a ShopApp): create it in the cluster, and read it with env[].secret";
  return "a " + (kind.empty() ? std::string("object without a kind") : kind) + " has no place in a ShopApp; left out";
}

// The digits a tag starts with ("4-alpine" -> "4", "v7.2" -> "7"), or "".
std::string leadingNumber(const std::string& tag) {
  size_t i = tag.size() > 1 && tag[0] == 'v' ? 1 : 0, j = i;
  while (j < tag.size() && tag[j] >= '0' && tag[j] <= '9') ++j;
  return tag.substr(i, j - i);
}

Json resourcesOf(const Json& r) {
  Json out = Json::object();
  for (const char* kind : {"requests", "limits"}) {
    if (!r.contains(kind)) continue;
    Json l = Json::object();
    for (const char* k : {"cpu", "memory", "ephemeral-storage"})
      if (r[kind].contains(k)) l[k] = r[kind][k].is_string() ? r[kind][k] : Json(r[kind][k].dump());
    if (!l.empty()) out[kind] = l;
  }
  return out;
}

// What a Deployment is imported as: a service of its own name, a service named as the Service
// callers use, or one version of such a service.
struct Naming {
  std::string component;  // the ShopApp service it becomes part of
  std::string version;    // its version's name ("" for a service without versions)
  bool lead = true;       // the first workload of its service: it gives the service's fields
};

// A version name from a workload: its pod label `version`, else its name without the
// "<service>-" prefix, else its name; "" when none of them is a valid version name.
std::string versionNameOf(const audit::Inventory& inv, const audit::Workload& w, const std::string& service) {
  const Json& labels = inv.podTemplateLabels(w);
  std::string name = inv.object(w.object)["metadata"].value("name", "");
  if (name.rfind(service + "-", 0) == 0) name = name.substr(service.size() + 1);
  for (const std::string& c : {labels.is_object() && labels.contains("version") && labels["version"].is_string()
                                   ? labels["version"].get<std::string>()
                                   : std::string(),
                               name})
    if (!c.empty() && c.size() <= kMaxVersionNameLen && match::dnsLabel(c)) return c;
  return "";
}

// Keep the Service names callers use. A Service selecting several Deployments gives one service
// named as it, with a version per Deployment; a Service whose one Deployment has another name
// (details-v1 behind details) gives the service the Service's name, unless a Service of the
// Deployment's own name exists or a second Service selects the Deployment.
// Whether an input object is imported: all of them, or with a source namespace, those in it and
// those naming no namespace.
bool inScope(const audit::Inventory& inv, size_t object, const std::string& sourceNamespace) {
  if (sourceNamespace.empty()) return true;
  const std::string ns = audit::namespaceOf(inv.object(object));
  return ns.empty() || ns == sourceNamespace;
}

std::map<size_t, Naming> nameWorkloads(const audit::Inventory& inv, const std::string& sourceNamespace,
                                       Diagnostics& notes) {
  std::map<size_t, Naming> out;
  auto isAppDeployment = [&](size_t wi) {
    const auto& w = inv.workloads()[wi];
    return w.kind == "Deployment" && !engineOf(w.mainImage) && inScope(inv, w.object, sourceNamespace);
  };
  auto nameOf = [&](size_t object) { return inv.object(object)["metadata"].value("name", ""); };
  std::set<std::string> serviceNames, taken;
  for (size_t s : inv.ofKind("Service"))
    if (inScope(inv, s, sourceNamespace)) serviceNames.insert(nameOf(s));
  for (const auto& w : inv.workloads())
    if (inScope(inv, w.object, sourceNamespace)) taken.insert(nameOf(w.object));
  for (size_t s : inv.ofKind("Service")) {
    if (!inScope(inv, s, sourceNamespace)) continue;
    const std::string svc = nameOf(s);
    std::vector<size_t> ws;
    for (size_t wi : inv.workloadsSelectedBy(s))
      if (isAppDeployment(wi) && !out.count(wi)) ws.push_back(wi);
    if (ws.size() == 1) {
      const auto& w = inv.workloads()[ws[0]];
      const std::string own = nameOf(w.object);
      if (own == svc || serviceNames.count(own) || inv.servicesSelecting(w).size() > 1 || taken.count(svc)) continue;
      out[ws[0]] = {svc, "", true};
      taken.insert(svc);
      notes.warning("Deployment " + own, "imported as service " + svc + ", the name of the Service its callers use");
      continue;
    }
    if (ws.size() < 2) continue;
    if (ws.size() > kMaxVersions) {
      notes.warning("Service " + svc, "selects " + std::to_string(ws.size()) + " Deployments, more than the " +
                                          std::to_string(kMaxVersions) + " versions a service may have: each is imported as a service of its own");
      continue;
    }
    // Each needs a distinct version name; and the service's name must be free of other workloads.
    std::set<std::string> versions;
    std::vector<std::string> names;
    bool ok = !taken.count(svc) || std::any_of(ws.begin(), ws.end(), [&](size_t wi) { return nameOf(inv.workloads()[wi].object) == svc; });
    for (size_t wi : ws) {
      names.push_back(versionNameOf(inv, inv.workloads()[wi], svc));
      ok = ok && !names.back().empty() && versions.insert(names.back()).second;
    }
    if (!ok) {
      notes.warning("Service " + svc, "selects several Deployments, but they have no distinct version names (pod "
                                      "label version, or names <service>-<version>): each is imported as a service of its own");
      continue;
    }
    std::string list;
    for (size_t i = 0; i < ws.size(); ++i) {
      const auto& w = inv.workloads()[ws[i]];
      out[ws[i]] = {svc, names[i], i == 0};
      list += (i ? ", " : "") + nameOf(w.object) + " (" + out[ws[i]].version + ")";
    }
    taken.insert(svc);
    notes.warning("Service " + svc, "selects " + std::to_string(ws.size()) + " Deployments: imported as service " + svc +
                                        " with a version per Deployment: " + list);
  }
  return out;
}

// What a later version differs in from its service (the first version's workload): image,
// replicas and env as version fields; the rest is said.
Json versionEntry(const Json& service, const Json& member, const std::string& name, const std::string& where,
                  Diagnostics& notes) {
  Json v = {{"name", name}};
  if (member.value("image", "") != service.value("image", "")) v["image"] = member["image"];
  if (member.value("replicas", 0) != service.value("replicas", 0)) v["replicas"] = member["replicas"];
  Json env = Json::array();
  const Json base = service.value("env", Json::array());
  const Json menv = member.value("env", Json::array());
  for (const auto& e : menv) {
    auto same = std::find_if(base.begin(), base.end(), [&](const Json& b) { return b.value("name", "") == e.value("name", ""); });
    if (same == base.end() || *same != e) env.push_back(e);
  }
  for (const auto& b : base) {
    if (std::none_of(menv.begin(), menv.end(), [&](const Json& e) { return e.value("name", "") == b.value("name", ""); }))
      notes.warning(where, "env " + b.value("name", "") + " of the service's first version is not set in this one, but a "
                                                          "version takes every variable of its service: it has it too");
  }
  if (!env.empty()) v["env"] = env;
  std::vector<std::string> differs;
  for (auto it = member.begin(); it != member.end(); ++it)
    if (it.key() != "name" && it.key() != "image" && it.key() != "replicas" && it.key() != "env" &&
        (!service.contains(it.key()) || service[it.key()] != it.value()))
      differs.push_back(it.key());
  for (auto it = service.begin(); it != service.end(); ++it)
    if (it.key() != "versions" && !member.contains(it.key()) && it.key() != "env") differs.push_back(it.key());
  if (!differs.empty()) {
    std::string keys;
    for (const auto& k : differs) keys += (keys.empty() ? "" : ", ") + k;
    notes.warning(where, "differs from the service's first version in " + keys +
                             ", which a version cannot set: the service's are used");
  }
  return v;
}

// A Secret and one of its keys.
using SecretKey = std::pair<std::string, std::string>;

// The key of the Secret the operator generates for a data store (docs/shopapp.md, Secrets) that
// takes over what the official image's variable var held, or "" when none does.
std::string generatedKeyFor(const std::string& var) {
  if (var == "MYSQL_ROOT_PASSWORD" || var == "MARIADB_ROOT_PASSWORD" || var == "MONGO_INITDB_ROOT_PASSWORD")
    return "root-password";
  if (var == "POSTGRES_PASSWORD") return "postgres-password";
  if (var == "REDIS_PASSWORD" || var == "RABBITMQ_DEFAULT_PASS") return "password";
  if (var == "RABBITMQ_DEFAULT_USER") return "username";
  return "";
}

// A service that read a data store's credential from the same Secret key the store did reads the
// key of the store's generated Secret that took it over: otherwise the rendered app would log in
// with a password the new store never had.
void followMovedCredentials(Json& env, const std::map<SecretKey, SecretKey>& moved, const std::string& where,
                            Diagnostics& notes) {
  if (!env.is_array()) return;
  for (auto& e : env) {
    if (!e.contains("secret")) continue;
    const auto it = moved.find({audit::fieldObj(e, "secret").value("name", ""), audit::fieldObj(e, "secret").value("key", "")});
    if (it == moved.end()) continue;
    notes.warning(where, "env " + e.value("name", "") + " read key " + it->first.second + " of Secret " + it->first.first +
                             ", as its data store did: it now reads key " + it->second.second + " of Secret " +
                             it->second.first + ", which the operator generates for that store");
    e["secret"] = {{"name", it->second.first}, {"key", it->second.second}};
  }
}

// The egress rule for a call to Service svc, which the import leaves out (its workloads are not
// ShopApp components: a DaemonSet, say): to its pods' addresses when they are on the node's
// network (no selector matches those), else to its pods by label in its namespace; on the ports
// its pods serve. Null when the Service selects nothing or has no port.
Json egressToLeftOut(const audit::Inventory& inv, size_t svc, bool& onNodeNetwork) {
  const Json& service = inv.object(svc);
  const auto callees = inv.workloadsSelectedBy(svc);
  const Json spec = service.value("spec", Json::object());  // a Service may come without one
  const Json selector = spec.value("selector", Json::object());
  if (callees.empty() || selector.empty()) return nullptr;
  onNodeNetwork = false;
  for (size_t wi : callees) onNodeNetwork |= inv.podSpec(inv.workloads()[wi]).value("hostNetwork", false) == true;
  Json ports = Json::array();
  for (const auto& p : spec.value("ports", Json::array())) {
    int target = p.value("port", 0);
    if (p.contains("targetPort") && p["targetPort"].is_number_integer() && p["targetPort"].get<int>() > 0) target = p["targetPort"];
    if (p.contains("targetPort") && p["targetPort"].is_string())
      for (size_t wi : callees)
        for (const auto& c : inv.podSpec(inv.workloads()[wi]).value("containers", Json::array()))
          for (const auto& cp : c.value("ports", Json::array()))
            if (cp.value("name", "") == p["targetPort"].get<std::string>()) target = cp.value("containerPort", target);
    if (target <= 0 || target > 65535) continue;
    Json port = {{"port", target}};
    if (p.value("protocol", "TCP") != "TCP") port["protocol"] = p["protocol"];
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
  }
  if (ports.empty()) return nullptr;
  if (onNodeNetwork) return {{"cidrs", Json::array({"0.0.0.0/0", "::/0"})}, {"ports", ports}};
  return {{"namespace", audit::fieldObj(service, "metadata").value("namespace", "default")}, {"podLabels", selector}, {"ports", ports}};
}

// The ingress rule that admits workload wi, which the import leaves out (another namespace's, or a
// DaemonSet), calling `service` (an imported ShopApp service, database or broker) on Service port
// `port` (0: unknown): its pods by label in its namespace (`fallbackNs` when it names none), or
// any address when they are on the node's network; on the container port behind that Service
// port, or on every port of the component (a store's one port). Null when its pods carry no
// labels to admit them by.
Json ingressFromLeftOut(const audit::Inventory& inv, size_t wi, const Json& service, int port, const std::string& fallbackNs,
                        bool& onNodeNetwork) {
  const auto& w = inv.workloads()[wi];
  onNodeNetwork = inv.podSpec(w).value("hostNetwork", false) == true;
  Json rule = Json::object();
  if (onNodeNetwork) {
    rule["cidrs"] = Json::array({"0.0.0.0/0", "::/0"});
  } else {
    const Json labels = inv.selectorLabels(w);
    if (!labels.is_object() || labels.empty() || labels.size() > shop::kMaxPeerLabels) return nullptr;
    std::string callerNs = audit::namespaceOf(inv.object(w.object));
    rule["namespace"] = callerNs.empty() ? (fallbackNs.empty() ? "default" : fallbackNs) : callerNs;
    rule["podLabels"] = labels;
  }
  for (const auto& p : audit::fieldArr(service, "ports"))
    if (port > 0 && p.value("port", 0) == port) rule["ports"] = Json::array({{{"port", p.value("targetPort", port)}}});
  return rule;
}

// Adds rule to list, or widens the rule for the same callers: the union of their ports, or every
// port when either gives none. False when the list is full (the CRD's 10 rules).
bool mergeIngressRule(Json& list, const Json& rule) {
  for (auto& r : list) {
    if (r.value("namespace", Json()) != rule.value("namespace", Json()) || r.value("podLabels", Json()) != rule.value("podLabels", Json()) ||
        r.value("cidrs", Json()) != rule.value("cidrs", Json()))
      continue;
    if (!r.contains("ports") || !rule.contains("ports")) {
      r.erase("ports");
      return true;
    }
    for (const auto& p : rule["ports"])
      if (std::find(r["ports"].begin(), r["ports"].end(), p) == r["ports"].end()) r["ports"].push_back(p);
    return true;
  }
  if (list.size() >= shop::kMaxPeerRules) return false;
  list.push_back(rule);
  return true;
}

// A data store that ran as a replica of another server (redis --replicaof HOST PORT).
struct Follower {
  std::string name, host, where;  // its database, the server it copied, the workload for notes
  size_t workload = 0;
  int64_t replicas = 1;
  std::vector<size_t> services;  // the Services that select it
  std::vector<std::string> args;  // its own server flags
};

// A ShopApp database replicates itself: a follower whose leader is a database of the app becomes
// members of the leader's database (its pods replicate member 0 as they replicated the leader),
// and the Service its readers used stays, as the leader's readService. A follower whose leader is
// not found stays a database of its own, and the warning says it no longer copies anything.
void mergeFollowers(const audit::Inventory& inv, const std::vector<Follower>& followers, Json& databases,
                    std::map<size_t, std::string>& componentOfService, std::map<size_t, std::string>& componentOfWorkload,
                    std::vector<Origin>& origins, Diagnostics& notes) {
  auto indexOf = [&](const std::string& name) {
    for (size_t i = 0; i < databases.size(); ++i)
      if (databases[i].value("name", "") == name) return i;
    return databases.size();
  };
  for (const auto& f : followers) {
    const std::string host = f.host.substr(0, f.host.find('.'));
    std::string leader;
    for (const auto& [svc, comp] : componentOfService)
      if (audit::nameOf(inv.object(svc)) == host && comp != f.name) leader = comp;
    const size_t li = indexOf(leader), fi = indexOf(f.name);
    if (li == databases.size() || fi == databases.size() || databases[li]["engine"] != databases[fi]["engine"]) {
      notes.warning(f.where, "runs as a replica of " + f.host + " (--replicaof), which is not a database of the app: a "
                             "ShopApp database replicates itself, so this becomes a database of its own and no longer "
                             "copies " + f.host + "'s data");
      continue;
    }
    Json& lead = databases[li];
    const int64_t members = std::min<int64_t>(kMaxStoreMembers, lead.value("replicas", int64_t{1}) + f.replicas);
    lead["replicas"] = members;
    std::string kept;
    for (size_t svc : f.services) {
      const std::string svcName = audit::nameOf(inv.object(svc));
      componentOfService[svc] = leader;
      if (!lead.contains("readService")) {
        lead["readService"] = svcName;
        kept = "; Service " + svcName + " stays, as its readService (every member), so its readers keep the name";
      } else {
        notes.warning(f.where, "Service " + svcName + " is left out: database " + leader + " has one readService (" +
                                   lead["readService"].get<std::string>() + "); its callers must use that name");
      }
    }
    componentOfWorkload[f.workload] = leader;
    notes.warning(f.where, "runs as a replica of " + f.host + " (--replicaof): its " + std::to_string(f.replicas) +
                               " pod(s) become members of database " + leader + " (" + std::to_string(members) +
                               " in all), which replicate member 0 as they replicated " + f.host + kept);
    if (f.args != lead.value("args", std::vector<std::string>{}))
      notes.warning(f.where, "its server flags are left out: every member of database " + leader +
                                 " runs with that database's args");
    // The follower's entry goes, and the origins of the entries after it move up one.
    databases.erase(fi);
    const std::string gone = "spec.databases[" + std::to_string(fi) + "]";
    std::erase_if(origins, [&](const Origin& o) { return o.path == gone || o.path.rfind(gone + ".", 0) == 0; });
    for (auto& o : origins) {
      if (o.path.rfind("spec.databases[", 0) != 0) continue;
      const size_t close = o.path.find(']');
      const size_t index = std::stoul(o.path.substr(15, close - 15));
      if (index > fi) o.path = "spec.databases[" + std::to_string(index - 1) + "]" + o.path.substr(close + 1);
    }
  }
}

}  // namespace

std::map<std::string, size_t> workloadNamespaces(const audit::Inventory& inv) {
  std::map<std::string, size_t> out;
  for (const auto& w : inv.workloads())
    if (const std::string ns = audit::namespaceOf(inv.object(w.object)); !ns.empty()) ++out[ns];
  return out;
}

ImportResult importShopApp(const audit::Inventory& inv, const ImportOptions& opts) {
  ImportResult res;
  Diagnostics& notes = res.notes;
  const std::string& source = opts.sourceNamespace;
  std::string ns = opts.namespace_.empty() ? source : opts.namespace_;
  std::map<size_t, std::string> componentOfWorkload;  // workload index -> component name
  std::map<size_t, std::string> componentOfService;   // Service manifest index -> component name
  std::map<std::string, size_t> hostPortEntries;       // component -> workload: clients came in on a hostPort
  std::map<SecretKey, SecretKey> movedCredentials;     // a store's credential: where it was -> its generated key
  std::map<std::string, std::string> whereOfService;   // service name -> the workload it came from, for notes
  Json services = Json::array(), databases = Json::array(), messaging = Json::array();
  std::vector<Follower> followers;                     // replicas of another server (redis --replicaof)
  std::set<std::string> names;
  bool exposed = false;
  std::string tlsSecret, host;

  auto where = [&](size_t object) {
    const Json& o = inv.object(object);
    return o.value("kind", "") + " " + audit::fieldObj(o, "metadata").value("name", "");
  };
  const std::map<size_t, Naming> naming = nameWorkloads(inv, source, notes);

  for (size_t wi = 0; wi < inv.workloads().size(); ++wi) {
    const auto& w = inv.workloads()[wi];
    if (!inScope(inv, w.object, source)) continue;  // said with the other objects of its namespace, below
    const Json& obj = inv.object(w.object);
    const std::string workloadName = audit::fieldObj(obj, "metadata").value("name", "");
    const auto named = naming.find(wi);
    const std::string name = named == naming.end() ? workloadName : named->second.component;
    const std::string path = where(w.object);
    if (ns.empty()) ns = audit::fieldObj(obj, "metadata").value("namespace", "");
    if (w.kind != "Deployment" && w.kind != "StatefulSet") {
      notes.warning(path, "a " + w.kind + " is not a ShopApp service; left out");
      continue;
    }
    const Json& pod = inv.podSpec(w);
    const auto containers = inv.containers(w, false);
    if (containers.empty()) continue;
    const Json& c = pod["containers"][containers[0].index];
    const std::string image = c.value("image", "");
    for (size_t i = 1; i < containers.size(); ++i)
      notes.warning(path, "sidecar container \"" + containers[i].name + "\" (" +
                              pod["containers"][containers[i].index].value("image", "") +
                              ") is left out: a ShopApp runs one container per component");
    if (pod.contains("initContainers")) notes.warning(path, "init containers are left out");
    // Node placement carries over (nodeSelector, tolerations); affinity does not: shopctl
    // spreads replicas across zones and nodes itself.
    Json placement = Json::object();
    if (pod.contains("nodeSelector") && pod["nodeSelector"].is_object()) {
      Json sel = Json::object();
      for (const auto& [key, v] : audit::fieldObj(pod, "nodeSelector").items()) {
        std::string k = key;
        if (const audit::LabelRename* l = audit::deprecatedNodeLabel(k)) {
          notes.warning(path, "nodeSelector " + k + " becomes " + l->to + " (the deprecated node label)");
          k = l->to;
        }
        // shopctl always selects kubernetes.io/os: linux
        if (k != "kubernetes.io/os" && v.is_string()) sel[k] = v;
      }
      if (!sel.empty()) placement["nodeSelector"] = sel;
    }
    if (pod.contains("tolerations") && pod["tolerations"].is_array() && !pod["tolerations"].empty()) {
      Json tols = Json::array();
      for (const auto& t : pod["tolerations"]) {
        if (!t.is_object()) continue;
        Json o = Json::object();
        for (const char* k : {"key", "operator", "value", "effect", "tolerationSeconds"})
          if (t.contains(k) && !t[k].is_null()) o[k] = t[k];
        tols.push_back(o);
      }
      placement["tolerations"] = tols;
    }
    if (pod.contains("affinity")) notes.warning(path, "affinity is left out (shopctl spreads replicas across zones and nodes)");
    if (pod.value("hostNetwork", false) == true)
      notes.warning(path, "hostNetwork is left out: the ShopApp's pods have their own network addresses (and Pod "
                          "Security baseline forbids it); callers reach them through their Service");
    names.insert(name);
    const int64_t replicas = inv.effectiveReplicas(w).value_or(1);
    // Ports, named as the Service that targets the workload names them.
    Json ports = Json::array();
    std::set<int> seenPorts;
    for (size_t s : inv.servicesSelecting(w)) {
      componentOfService[s] = name;
      const Json& svc = inv.object(s);
      const std::string type = audit::fieldObj(svc, "spec").value("type", "ClusterIP");
      if (type == "NodePort" || type == "LoadBalancer" || inv.isEntryPoint(s)) exposed = true;
      for (const auto& p : audit::fieldObj(svc, "spec").value("ports", Json::array())) {
        int port = p.value("port", 0);
        int target = port;
        // targetPort 0 (or absent) means the same as port.
        if (p.contains("targetPort") && p["targetPort"].is_number_integer() && p["targetPort"].get<int>() > 0)
          target = p["targetPort"];
        if (p.contains("targetPort") && p["targetPort"].is_string())
          for (const auto& cp : c.value("ports", Json::array()))
            if (cp.value("name", "") == p["targetPort"].get<std::string>()) target = cp.value("containerPort", port);
        if (!seenPorts.insert(port).second) continue;
        Json pj = {{"port", port}};
        if (target != port) pj["targetPort"] = target;
        if (p.contains("name")) pj["name"] = p["name"];
        ports.push_back(pj);
      }
      if (type == "NodePort" || type == "LoadBalancer")
        notes.warning(where(s), "type " + type + " becomes a route through the gateway (spec.gateway, TLS)");
    }
    if (ports.empty())
      for (const auto& cp : c.value("ports", Json::array())) {
        Json pj = {{"port", cp.value("containerPort", 0)}};
        if (cp.contains("name")) pj["name"] = cp["name"];
        ports.push_back(pj);
      }
    const auto engine = engineOf(image);
    // Environment: literals stay literals, except credentials, which must come from a Secret.
    Json env = Json::array();
    for (const auto& e : c.value("env", Json::array())) {
      Json v = {{"name", e.value("name", "")}};
      if (e.contains("valueFrom")) {
        const Json& f = e["valueFrom"];
        if (f.contains("secretKeyRef")) v["secret"] = {{"name", audit::fieldObj(f, "secretKeyRef").value("name", "")}, {"key", audit::fieldObj(f, "secretKeyRef").value("key", "")}};
        else if (f.contains("configMapKeyRef")) v["configMap"] = {{"name", audit::fieldObj(f, "configMapKeyRef").value("name", "")}, {"key", audit::fieldObj(f, "configMapKeyRef").value("key", "")}};
        else if (f.contains("fieldRef")) v["fieldPath"] = audit::fieldObj(f, "fieldRef").value("fieldPath", "");
        else {
          notes.warning(path, "env " + e.value("name", "") + ": resourceFieldRef is left out");
          continue;
        }
      } else {
        const std::string value = e.contains("value") && e["value"].is_string() ? e["value"].get<std::string>() : "";
        if (secretLooking(v["name"]) && !value.empty() && !engine) {
          const std::string secret = name + "-secrets";
          v["secret"] = {{"name", secret}, {"key", v["name"]}};
          notes.warning(path, "env " + v["name"].get<std::string>() + " held a credential in plain text: it now reads key " +
                                  v["name"].get<std::string>() + " of Secret " + secret + ", which you must create");
        } else {
          v["value"] = value;
        }
      }
      env.push_back(v);
    }
    // A hostPort is how clients outside the cluster came in: the gateway is that way in now.
    for (const auto& cp : c.value("ports", Json::array()))
      if (cp.is_object() && cp.value("hostPort", 0) > 0) {
        notes.warning(path, "hostPort " + std::to_string(cp.value("hostPort", 0)) + " (container port " +
                                std::to_string(cp.value("containerPort", 0)) + ") is left out: " +
                                (engine ? "clients reach the database through its Service"
                                        : "clients outside the cluster reach it through the gateway (spec.gateway, TLS) now"));
        if (!engine) hostPortEntries.emplace(name, w.object);
      }
    if (engine) {
      // A data store: a replicated StatefulSet from now on.
      Json d = {{"name", name}, {"engine", engine->engine}};
      // Untagged and floating images get harden's documented pin (mongo -> 4.4.29, which the old
      // Sock Shop drivers still speak; redis:alpine -> a fixed Redis release, ...). A pinned tag
      // (redis:4.0.6) is kept as written: it is what the app was tested with.
      std::string ref = image;
      const audit::ImageRef parsed = audit::parseImage(image);
      if (const std::string pin = audit::imageFloats(parsed) ? audit::pinFor(parsed, audit::HardenOptions{}) : "";
          !pin.empty()) {
        ref = pin.rfind("sha256:", 0) == 0 ? parsed.name() + "@" + pin : parsed.name() + ":" + pin;
        std::string why = "image \"" + image + "\" floats: pinned to " + ref + " (shopctl harden's table)";
        const std::string from = leadingNumber(parsed.tag), to = leadingNumber(pin);
        if (!from.empty() && !to.empty() && from != to)
          why += "; that changes the major version from " + from + " to " + to + ": check the app works with it, or pin " +
                 parsed.name() + ":" + from + ".x yourself";
        notes.warning(path, why);
      }
      const std::string tag = tagOf(ref);
      const bool official = ref.find('/') == std::string::npos;
      if (std::string(engine->engine) == "rabbitmq" && (tag.rfind("3.6", 0) == 0 || tag.rfind("3.5", 0) == 0)) {
        notes.warning(path, "RabbitMQ " + tag + " predates rabbitmq.conf and peer discovery: the engine's default version is used");
      } else if (tag.empty()) {
        notes.warning(path, "image \"" + image + "\" has no tag: the engine's default version is used instead (pin spec." +
                                std::string(engine->broker ? "messaging" : "databases") + "[].version)");
      } else if (official) {
        d["version"] = tag;
      } else {
        d["image"] = ref;
      }
      // The version the store will run, when known (an image of its own may tag anything).
      const std::string version = tag.empty() ? engineInfo(*engineFromName(engine->engine)).defaultVersion
                                              : (official ? tag : std::string());
      // The server flags of its command line carry over into args; what the operator's start
      // script owns does not. A replica of another server (redis --replicaof HOST PORT) is
      // recorded, and mergeFollowers makes it members of its leader's database.
      std::vector<std::string> argv;
      for (const char* k : {"command", "args"})
        for (const auto& a : c.value(k, Json::array()))
          if (a.is_string()) argv.push_back(a);
      const EngineArgs flags = engine->broker ? EngineArgs{} : engineArgs(engine->engine, version, argv);
      if (!argv.empty() && (engine->broker || flags.otherProgram)) {
        notes.warning(path, "command and args (" + quotedValue(join(argv)) + ") are left out: the operator starts the " +
                            (engine->broker ? std::string("broker itself; give its settings in spec.messaging[].env")
                                            : std::string("engine itself; give the server flags it needs in "
                                                          "spec.databases[].args")));
      }
      for (const auto& why : flags.leftOut) notes.warning(path, why);
      if (replicas > 1) d["replicas"] = replicas;
      if (!flags.args.empty()) d["args"] = flags.args;
      if (!ports.empty() && ports[0].contains("port")) d["port"] = ports[0]["port"];
      Json storeEnv = Json::array();
      for (const auto& e : env) {
        const std::string n = e.value("name", "");
        const std::string key = generatedKeyFor(n);
        if (!key.empty() && e.contains("secret"))
          movedCredentials[{audit::fieldObj(e, "secret").value("name", ""), audit::fieldObj(e, "secret").value("key", "")}] = {name + "-credentials", key};
        if (n.find("_PASSWORD") != std::string::npos || !key.empty()) {
          notes.warning(path, "env " + n + ": the database's credentials now live in Secret " + name +
                                  "-credentials, which the operator generates" +
                                  (key.empty() ? std::string() : " (key " + key + ")"));
          continue;
        }
        if (n == "MYSQL_DATABASE" || n == "MARIADB_DATABASE" || n == "POSTGRES_DB" || n == "MONGO_INITDB_DATABASE") {
          d["database"] = e.value("value", "");
          continue;
        }
        if (!engine->broker) storeEnv.push_back(e);
      }
      if (!storeEnv.empty()) d["env"] = storeEnv;
      for (auto it = placement.begin(); it != placement.end(); ++it) d[it.key()] = it.value();
      bool hasData = false;
      for (const auto& vol : pod.value("volumes", Json::array())) hasData |= vol.contains("persistentVolumeClaim");
      if (!hasData && w.kind == "Deployment")
        notes.warning(path, "ran as a Deployment without persistent storage: it becomes a StatefulSet with a volume per member, so data survives restarts");
      res.origins.push_back({std::string(engine->broker ? "spec.messaging[" : "spec.databases[") +
                                 std::to_string(engine->broker ? messaging.size() : databases.size()) + "]",
                             w.object, ""});
      if (engine->broker) {
        messaging.push_back(d);
        componentOfWorkload[wi] = name;
      } else {
        databases.push_back(d);
        if (!flags.replicaOf.empty())
          followers.push_back({name, flags.replicaOf, path, wi, replicas, inv.servicesSelecting(w), flags.args});
        componentOfWorkload[wi] = name;
      }
      continue;
    }
    Json s = {{"name", name}, {"image", image}};
    if (!ports.empty()) s["ports"] = ports;
    s["replicas"] = std::max<int64_t>(replicas, 2);
    if (replicas < 2) notes.warning(path, "1 replica becomes 2 (and an autoscaler up to 4), so a restart is not an outage");
    for (auto it = placement.begin(); it != placement.end(); ++it) s[it.key()] = it.value();
    if (c.contains("command")) s["command"] = c["command"];
    if (c.contains("args")) s["args"] = c["args"];
    if (!env.empty()) s["env"] = env;
    if (c.contains("resources")) {
      Json r = resourcesOf(c["resources"]);
      if (!r.empty()) s["resources"] = r;
    }
    Json probes = Json::object();
    for (const auto& [key, use] : {std::pair<const char*, const char*>{"livenessProbe", "liveness"},
                                   {"readinessProbe", "readiness"}, {"startupProbe", "startup"}}) {
      if (!c.contains(key) || !c[key].is_object()) continue;
      const Json& p = c[key];
      Json mapped = probeOf(p);
      if (mapped.is_null()) {
        notes.warning(path, std::string(key) + " has no httpGet, tcpSocket, grpc or exec check: left out (the " +
                                "ShopApp's default probe takes its place)");
        continue;
      }
      if (p.contains("httpGet") && p["httpGet"].is_object() && audit::fieldObj(p, "httpGet").contains("host"))
        notes.warning(path, std::string(key) + ": httpGet.host is left out (the probe goes to the pod's own address; "
                                               "send a Host header with http.headers if the server needs one)");
      probes[use] = mapped;
    }
    // A probe names the container's port; the ShopApp's port names are the Service's. A name the
    // service's ports do not have becomes the container port's number (a number is a container
    // port in a ShopApp probe), so the probe checks the same port and the ShopApp validates.
    for (auto it = probes.begin(); it != probes.end(); ++it)
      for (const char* handler : {"http", "tcp", "grpc"}) {
        if (!it->contains(handler)) continue;
        Json& h = (*it)[handler];
        if (!h.contains("port") || !h["port"].is_string()) continue;
        const std::string portName = h["port"];
        if (std::any_of(ports.begin(), ports.end(), [&](const Json& p) { return p.value("name", "") == portName; })) continue;
        for (const auto& cp : c.value("ports", Json::array()))
          if (cp.value("name", "") == portName && cp.contains("containerPort")) h["port"] = cp["containerPort"];
      }
    // A worker (no port): no probe is invented for it. With none in the input it runs without
    // (probes.none); with one of liveness and readiness, the other is the same check.
    if (ports.empty() && !(probes.contains("liveness") && probes.contains("readiness"))) {
      if (probes.contains("liveness") || probes.contains("readiness")) {
        const std::string given = probes.contains("liveness") ? "liveness" : "readiness";
        const std::string other = given == "liveness" ? "readiness" : "liveness";
        probes[other] = probes[given];
        notes.warning(path, "declares no port and only a " + given + "Probe: its " + other + " probe is the same " +
                                "check (a ShopApp service without ports gives both; none is invented)");
      } else {
        if (probes.contains("startup"))
          notes.warning(path, "startupProbe is left out: with no port and no liveness or readiness probe, the service "
                              "runs without probes (probes.none), which takes no startup probe either");
        probes = {{"none", true}};
        notes.warning(path, "declares no port and no probe: imported as a worker with probes.none: true, no probe "
                            "invented (the kubelet restarts it when its process exits); give it an exec liveness "
                            "probe if it can hang without exiting");
      }
    }
    if (!probes.empty()) s["probes"] = probes;
    // Writable paths: emptyDir mounts (the root filesystem is read-only from now on).
    Json writable = Json::array();
    for (const auto& m : c.value("volumeMounts", Json::array())) {
      const std::string vname = m.value("name", "");
      bool isEmptyDir = false, known = false;
      for (const auto& vol : pod.value("volumes", Json::array()))
        if (vol.value("name", "") == vname) {
          known = true;
          isEmptyDir = vol.contains("emptyDir");
        }
      if (isEmptyDir) writable.push_back(m.value("mountPath", ""));
      else if (known) notes.warning(path, "volume \"" + vname + "\" mounted at " + m.value("mountPath", "") + " is left out (only emptyDir carries over; use spec.services[].storage or config.files)");
    }
    if (writable.empty()) writable.push_back("/tmp");
    s["writablePaths"] = writable;
    componentOfWorkload[wi] = name;
    if (named != naming.end() && !named->second.version.empty()) {
      if (named->second.lead) {
        s["versions"] = Json::array({{{"name", named->second.version}}});
      } else {
        auto lead = std::find_if(services.begin(), services.end(), [&](const Json& o) { return o.value("name", "") == name; });
        if (lead != services.end()) {
          res.origins.push_back({"spec.services[" + std::to_string(lead - services.begin()) + "].versions[" +
                                     std::to_string((*lead)["versions"].size()) + "]",
                                 w.object, ""});
          (*lead)["versions"].push_back(versionEntry(*lead, s, named->second.version, path, notes));
          continue;
        }
      }
    }
    const std::string at = "spec.services[" + std::to_string(services.size()) + "]";
    res.origins.push_back({at, w.object, ""});
    res.origins.push_back({at + ".probes", w.object, containers[0].path});
    if (const auto selecting = inv.servicesSelecting(w); !selecting.empty())
      res.origins.push_back({at + ".ports", selecting.front(), "spec.ports"});
    if (s.contains("versions")) res.origins.push_back({at + ".versions[0]", w.object, ""});
    whereOfService[name] = path;
    services.push_back(s);
  }
  mergeFollowers(inv, followers, databases, componentOfService, componentOfWorkload, res.origins, notes);
  for (auto& s : services) {
    const std::string& where = whereOfService[s.value("name", "")];
    if (s.contains("env")) followMovedCredentials(s["env"], movedCredentials, where, notes);
    if (s.contains("versions"))
      for (auto& v : s["versions"])
        if (v.contains("env")) followMovedCredentials(v["env"], movedCredentials, where, notes);
  }

  // Exposure: Ingress paths, or "/" for a NodePort/LoadBalancer entry point. The gateway has one
  // host, so a second such entry point (its own node port before) takes /<its name> instead.
  struct Route {
    Json paths = Json::array();
    size_t object = 0;  // the Ingress or Service that gave them
  };
  std::map<std::string, Route> exposePaths;  // by Service name
  std::set<std::string> routed;
  std::optional<size_t> gatewayFrom;
  // An Ingress is read field by field, whatever its fields' JSON types (tls, rules, paths that
  // are not lists of objects, names that are not strings): what does not fit is not a route.
  for (size_t i : inv.ofKind("Ingress")) {
    const Json& spec = audit::fieldObj(inv.object(i), "spec");
    for (const auto& t : audit::fieldArr(spec, "tls"))
      if (const std::string name = audit::str(audit::field(t, "secretName")); !name.empty()) tlsSecret = name;
    for (const auto& rule : audit::fieldArr(spec, "rules")) {
      if (const std::string h = audit::str(audit::field(rule, "host")); !h.empty()) host = h;
      for (const auto& p : audit::fieldArr(audit::fieldObj(rule, "http"), "paths")) {
        if (!p.is_object()) continue;
        const std::string svc = audit::str(audit::fieldAt(p, "backend.service.name"));
        const Json& pathField = audit::field(p, "path");
        const std::string path = pathField.is_string() ? pathField.get<std::string>() : "/";
        exposePaths[svc].paths.push_back(path);
        exposePaths[svc].object = i;
        routed.insert(path);
        if (!gatewayFrom) gatewayFrom = i;
      }
    }
  }
  for (const auto& [s, name] : componentOfService) {
    const Json& svc = inv.object(s);
    const std::string type = audit::fieldObj(svc, "spec").value("type", "ClusterIP");
    const std::string svcName = audit::fieldObj(svc, "metadata").value("name", "");
    if ((type != "NodePort" && type != "LoadBalancer") || exposePaths.count(svcName)) continue;
    std::string path = "/";
    if (routed.count(path)) {
      path = "/" + svcName;
      notes.warning(where(s), "a second entry point (type " + type + "), but the gateway has one host and already "
                              "routes / to another service: routed under " + path + " instead; the app must answer "
                              "under that prefix (with the mesh, expose.rewrite: / strips it)");
    }
    routed.insert(path);
    exposePaths[svcName] = {Json::array({path}), s};
    if (!gatewayFrom) gatewayFrom = s;
  }
  for (size_t si = 0; si < services.size(); ++si) {
    Json& s = services[si];
    for (const auto& [svcIndex, comp] : componentOfService) {
      if (comp != s["name"]) continue;
      auto it = exposePaths.find(inv.object(svcIndex)["metadata"].value("name", ""));
      if (it == exposePaths.end()) continue;
      s["expose"] = {{"paths", it->second.paths}};
      res.origins.push_back({"spec.services[" + std::to_string(si) + "].expose", it->second.object, ""});
    }
    // A hostPort entry point with no other route: "/" when free, else its own prefix.
    const auto entry = hostPortEntries.find(s.value("name", ""));
    if (entry == hostPortEntries.end() || s.contains("expose") || s.value("ports", Json::array()).empty()) continue;
    std::string route = "/";
    if (routed.count(route)) {
      route = "/" + entry->first;
      notes.warning(where(entry->second), "the gateway already routes / to another service: the hostPort entry point is "
                                          "routed under " + route + " instead; the app must answer under that prefix");
    }
    routed.insert(route);
    s["expose"] = {{"paths", Json::array({route})}};
    res.origins.push_back({"spec.services[" + std::to_string(si) + "].expose", entry->second, ""});
    if (!gatewayFrom) gatewayFrom = entry->second;
    exposed = true;
  }

  // The call graph: dependsOn.
  for (const auto& e : inv.calls()) {
    if (!e.toService) continue;
    auto from = componentOfWorkload.find(e.from);
    auto to = componentOfService.find(*e.toService);
    if (from != componentOfWorkload.end() && to == componentOfService.end()) {
      // A call to what the import leaves out: egress outside the app, so that it is not cut.
      bool nodeNetwork = false;
      Json rule = egressToLeftOut(inv, *e.toService, nodeNetwork);
      if (rule.is_null()) continue;
      for (auto& s : services) {
        if (s["name"] != from->second) continue;
        if (!s.contains("egress")) s["egress"] = Json::array();
        if (std::find(s["egress"].begin(), s["egress"].end(), rule) != s["egress"].end()) continue;
        s["egress"].push_back(rule);
        notes.warning(where(inv.workloads()[e.from].object),
                      "calls Service " + inv.object(*e.toService)["metadata"].value("name", "") +
                          ", which is not imported: egress outside the app keeps the call (" +
                          (nodeNetwork ? "any address on its ports: its pods are on the node's network"
                                       : "its pods, by label, in namespace " + rule.value("namespace", "")) + ")");
      }
      continue;
    }
    if (from == componentOfWorkload.end() && to != componentOfService.end()) {
      // A call from what the import leaves out (a workload of another namespace, a DaemonSet):
      // ingress from outside the app, so that the rendered NetworkPolicies do not cut it.
      const std::string caller = where(inv.workloads()[e.from].object);
      const std::string callee = inv.object(*e.toService)["metadata"].value("name", "");
      Json* service = nullptr;  // the service, database or broker called
      for (Json* list : {&services, &databases, &messaging})
        for (auto& c : *list)
          if (c["name"] == to->second) service = &c;
      if (!service) continue;
      bool nodeNetwork = false;
      const Json rule = ingressFromLeftOut(inv, e.from, *service, e.port, ns, nodeNetwork);
      if (rule.is_null()) {
        notes.warning(caller, "calls Service " + callee + " but is not imported, and its pods have no labels (or more than " +
                                  std::to_string(shop::kMaxPeerLabels) + ") to admit them by: the rendered NetworkPolicies cut this call; add an ingress rule by hand");
        continue;
      }
      if (!service->contains("ingress")) (*service)["ingress"] = Json::array();
      const size_t before = (*service)["ingress"].size();
      if (!mergeIngressRule((*service)["ingress"], rule)) {
        notes.warning(caller, "calls Service " + callee + " but is not imported, and " + to->second + " already admits 10 " +
                                  "callers from outside the app (the most ingress holds): the rendered NetworkPolicies cut " +
                                  "this call; widen a rule by hand (podLabels left out admits a whole namespace)");
        continue;
      }
      if ((*service)["ingress"].size() > before)  // said once per caller; a second port widens its rule
        notes.warning(caller, "calls Service " + callee + " but is not imported: ingress from outside the app keeps the call (" +
                                  (nodeNetwork ? "any address on its ports: the caller is on the node's network"
                                               : "its pods, by label, in namespace " + rule.value("namespace", "")) + ")");
      continue;
    }
    if (from == componentOfWorkload.end() || to == componentOfService.end() || from->second == to->second) continue;
    for (auto& s : services) {
      if (s["name"] != from->second) continue;
      if (!s.contains("dependsOn")) s["dependsOn"] = Json::array();
      if (std::find(s["dependsOn"].begin(), s["dependsOn"].end(), to->second) == s["dependsOn"].end())
        s["dependsOn"].push_back(to->second);
    }
  }

  // Calls nobody can see (a host name baked into the image, a config file the manifests do not
  // hold): such a service may call any component, so its dependsOn lists them all and the rendered
  // NetworkPolicies cut none of its calls. It is said, with how to narrow it.
  std::vector<std::string> components;  // the ones that take calls: services with ports, stores
  for (const Json* list : {&services, &databases, &messaging})
    for (const auto& c : *list)
      if (list != &services || !c.value("ports", Json::array()).empty()) components.push_back(c.value("name", ""));
  bool policiesOff = false;
  std::set<std::string> opened;  // a service with versions is opened once
  for (const auto& [wi, name] : componentOfWorkload) {
    if (callsKnown(inv, {}, wi)) continue;
    if (!opened.insert(name).second) continue;
    for (auto& s : services) {
      if (s.value("name", "") != name) continue;
      Json deps = s.value("dependsOn", Json::array());
      for (const auto& c : components)
        if (c != name && std::find(deps.begin(), deps.end(), c) == deps.end()) deps.push_back(c);
      if (deps.empty()) break;
      const size_t object = inv.workloads()[wi].object;
      if (deps.size() > shop::kMaxDependsOn) {
        policiesOff = true;
        notes.warning(where(object), "the calls of " + name + " are not visible in the manifests and the app has more "
                                     "components than dependsOn may list (" + std::to_string(shop::kMaxDependsOn) +
                                     "): spec.security.networkPolicies is false, so no call is cut; name its calls "
                                     "in dependsOn and turn the policies back on");
        break;
      }
      s["dependsOn"] = deps;
      notes.warning(where(object), "the calls of " + name + " are not visible in the manifests (a host name baked into "
                                   "its image?): its dependsOn lists every component of the app, so the rendered "
                                   "NetworkPolicies cut none of its calls; narrow it to what " + name + " calls");
      break;
    }
  }

  // An app image with no tag or `latest` cannot be pinned (only the app's builders know its
  // versions), and a ShopApp refuses it: import allows it app-wide and says which ones float, so
  // the ShopApp it writes always validates.
  bool floating = false;
  for (const auto& s : services) {
    std::vector<std::pair<std::string, std::string>> images = {{"spec.services[" + s.value("name", "") + "].image", s.value("image", "")}};
    for (const auto& v : s.value("versions", Json::array()))
      if (v.contains("image"))
        images.push_back({"spec.services[" + s.value("name", "") + "].versions[" + v.value("name", "") + "].image", v.value("image", "")});
    for (const auto& [at, image] : images) {
      const audit::ImageRef ref = audit::parseImage(image);
      if (!ref.digest.empty() || (!ref.tag.empty() && ref.tag != "latest")) continue;
      floating = true;
      notes.warning(at, "image " + quotedValue(image) + (ref.tag.empty() ? " has no tag" : " is `latest`") +
                            ": spec.security.allowLatestTag is set so the ShopApp validates; pin a version or a digest, "
                            "then remove it");
    }
  }

  Json spec = Json::object();
  if (policiesOff) spec["security"]["networkPolicies"] = false;
  if (floating) spec["security"]["allowLatestTag"] = true;
  if (exposed || !exposePaths.empty()) {
    Json gw = {{"enabled", true}};
    if (!host.empty()) gw["host"] = host;
    if (!tlsSecret.empty()) {
      gw["tls"] = {{"secretName", tlsSecret}};
    } else {
      gw["tls"] = {{"secretName", (opts.name.empty() ? ns : opts.name) + "-tls"}};
      notes.warning("spec.gateway.tls", "the entry point had no TLS: the gateway now terminates TLS with Secret " +
                                            gw["tls"]["secretName"].get<std::string>() + ", which you must create");
    }
    // Where the ingress controller runs is not in the manifests: admit the entry points from
    // every namespace, as harden does, rather than cut them off from a controller that is not in
    // ingress-nginx.
    gw["namespace"] = "*";
    notes.warning("spec.gateway.namespace",
                  "the entry points admit pods of every namespace (*): the namespace of your ingress controller is not "
                  "in the manifests; set it here to admit that namespace alone");
    spec["gateway"] = gw;
    if (gatewayFrom) res.origins.push_back({"spec.gateway", *gatewayFrom, ""});
  }
  spec["services"] = services;
  if (!databases.empty()) spec["databases"] = databases;
  if (!messaging.empty()) spec["messaging"] = messaging;
  // Every input object is either mapped above or named here with why it is left out.
  std::set<size_t> accounted;
  for (const auto& w : inv.workloads()) accounted.insert(w.object);  // mapped, or warned about above
  for (const auto& [i, component] : componentOfService) accounted.insert(i);
  for (const char* kind : {"Ingress", "Namespace"})
    for (size_t i : inv.ofKind(kind)) accounted.insert(i);
  std::map<std::string, size_t> elsewhere;  // objects of other namespaces, by namespace
  for (size_t i = 0; i < inv.manifests().size(); ++i) {
    if (!inScope(inv, i, source)) {
      ++elsewhere[audit::namespaceOf(inv.object(i))];
    } else if (!accounted.count(i)) {
      notes.warning(where(i), leftOutBecause(inv.object(i).value("kind", "")));
    }
  }
  for (const auto& [other, count] : elsewhere)
    notes.warning("namespace " + other, std::to_string(count) + " object(s) not imported (--source-namespace " + source +
                                            "): they stay where they are; calls to their Services are egress rules, and their calls to the app's "
                                            "services ingress rules");

  std::string appName = opts.name.empty() ? (ns.empty() ? "imported" : ns) : opts.name;
  Json meta = {{"name", appName}};
  if (!ns.empty()) meta["namespace"] = ns;
  res.app = {{"apiVersion", "shopctl.io/v1alpha1"}, {"kind", "ShopApp"}, {"metadata", meta}, {"spec", spec}};
  return res;
}

void locateInInput(const audit::Inventory& inv, const ImportResult& imported, Diagnostics& diags) {
  for (auto& d : diags.items()) {
    const Origin* best = nullptr;
    for (const auto& o : imported.origins) {
      const bool under = d.path.compare(0, o.path.size(), o.path) == 0 &&
                         (d.path.size() == o.path.size() || d.path[o.path.size()] == '.' || d.path[o.path.size()] == '[');
      if (under && (!best || o.path.size() > best->path.size())) best = &o;
    }
    if (!best || best->object >= inv.manifests().size()) continue;
    const audit::Manifest& m = inv.manifests()[best->object];
    const Json& o = m.object;
    d.message += " (imported from " + o.value("kind", "") + " " + o.value("metadata", Json::object()).value("name", "") + ")";
    if (m.file.empty()) continue;
    d.file = m.file;
    d.pos = m.locate(best->field);
  }
}

}  // namespace shop::importer
