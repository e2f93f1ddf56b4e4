// A service, a data store (database or broker), and the whole spec.
#include "core/model/parse_detail.hpp"

#include <algorithm>

#include "core/model/engines.hpp"
#include "core/util/match.hpp"
#include "core/util/text.hpp"

namespace shop::parse_detail {

// ---- service ---------------------------------------------------------------------------

namespace {

// One entry of a service's egress or ingress: {cidrs: [...]} or {namespace, podLabels}, with
// ports (required for egress; for ingress, the service's container ports when left out).
enum class Direction { Egress, Ingress };
void parsePeerRule(Reader& parent, const std::string& path, const Json& item, Direction dir, std::vector<EgressRule>& out) {
  const bool in = dir == Direction::Ingress;
  if (!item.is_object()) {
    parent.diags().error(path, in ? "must be an object {cidrs, ports} or {namespace, podLabels, ports}: who calls it from outside the app"
                                  : "must be an object {cidrs, ports} or {namespace, podLabels, ports}");
    return;
  }
  Reader e(&item, path, parent.diags());
  EgressRule rule;
  rule.cidrs = e.strList("cidrs");
  if (rule.cidrs.size() > 20) e.error("cidrs", "at most 20 CIDRs");
  for (size_t i = 0; i < rule.cidrs.size(); ++i)
    if (!match::cidr(rule.cidrs[i]))
      e.diags().error(indexPath(e.at("cidrs"), i),
                      quotedValue(rule.cidrs[i]) + " is not a CIDR (an address with a prefix length, e.g. 203.0.113.0/24)");
  if (auto v = e.str("namespace")) {
    if (!match::dnsLabel(*v)) e.error("namespace", quotedValue(*v) + " is not a namespace name");
    rule.namespace_ = *v;
  }
  if (e.has("podLabels")) {
    rule.podLabels = e.strMap("podLabels");
    if (!e.has("namespace")) e.error("podLabels", "needs namespace: the pods are those of that namespace with these labels");
    checkLabels(e, "podLabels", rule.podLabels, false);
    if (rule.podLabels.size() > kMaxPeerLabels)
      e.error("podLabels", "at most " + std::to_string(kMaxPeerLabels) + " labels (the CRD's bound)");
  }
  if (e.has("cidrs") == e.has("namespace"))
    e.errorHere(in ? "give either cidrs (the callers' addresses) or namespace (the callers' pods, in another namespace), not both "
                     "and not neither"
                   : "give either cidrs (addresses) or namespace (pods of another namespace), not both and not neither");
  e.list("ports", [&](const std::string& portPath, const Json& p) {
    if (!p.is_object()) {
      e.diags().error(portPath, "must be an object {port, protocol}");
      return;
    }
    Reader pr(&p, portPath, e.diags());
    EgressRule::PortSpec spec;
    if (auto v = pr.int32("port", 1, 65535)) spec.port = *v;
    else if (!pr.has("port")) pr.errorHere("port is required");
    if (auto v = pr.oneOf("protocol", {"TCP", "UDP", "SCTP"})) spec.protocol = *v;
    pr.done();
    rule.ports.push_back(spec);
  });
  if (!e.has("ports") && !in) e.errorHere("ports is required: the ports it calls there, e.g. [{port: 443}]");
  else if (e.has("ports") && rule.ports.empty())
    e.error("ports", in ? "list at least one port, or leave ports out for all of its ports" : "list at least one port");
  if (rule.ports.size() > 20) e.error("ports", "at most 20 ports");
  e.done();
  out.push_back(std::move(rule));
}

// An ingress rule's ports are ports the component's pods listen on (a NetworkPolicy sees the
// container port, not the Service's): each must be one of `listening`. servicePorts, for a
// service, tells a Service port written instead of its container port.
void checkIngressPorts(Reader& r, const std::vector<EgressRule>& ingress, const std::vector<int>& listening,
                       const std::vector<Port>& servicePorts = {}) {
  if (listening.empty()) return;
  std::string listed;
  for (int p : listening) listed += (listed.empty() ? "" : ", ") + std::to_string(p);
  for (size_t i = 0; i < ingress.size(); ++i)
    for (size_t j = 0; j < ingress[i].ports.size(); ++j) {
      const int port = ingress[i].ports[j].port;
      if (port == 0 || std::find(listening.begin(), listening.end(), port) != listening.end()) continue;  // 0: refused already
      std::string msg = std::to_string(port) + " is not a port its pods listen on (" + listed + ")";
      for (const auto& p : servicePorts)
        if (p.port == port)
          msg += ": " + std::to_string(port) + " is the Service port, and a NetworkPolicy sees the container port, " +
                 std::to_string(p.targetPort);
      r.diags().error(childPath(indexPath(childPath(indexPath(r.at("ingress"), i), "ports"), j), "port"), msg);
    }
}

}  // namespace

Service parseService(Reader r, const ShopApp& app) {
  Service s;
  s.name = r.nonEmpty("name").value_or("");
  if (!r.has("name")) r.errorHere("name is required");
  if (!s.name.empty()) checkName(r, "name", s.name);
  s.image = r.nonEmpty("image").value_or("");
  if (!r.has("image")) r.errorHere("image is required");
  if (!s.image.empty()) {
    auto problem = imageProblem(s.image, app.security.allowLatestTag);
    if (!problem.empty()) r.error("image", problem);
  }
  std::set<std::string> portNames;
  std::set<int> portNumbers;
  r.list("ports", [&](const std::string& path, const Json& item) {
    Port p;
    if (item.is_object()) {
      Reader pr(&item, path, r.diags());
      p.port = pr.int32("port", 1, 65535).value_or(0);
      if (!pr.has("port")) pr.errorHere("port is required");
      p.targetPort = pr.int32("targetPort", 1, 65535).value_or(0);
      if (auto n = pr.str("name")) {
        if (n->size() > 15 || !match::dnsLabel(*n) ||
            std::none_of(n->begin(), n->end(), ::isalpha))
          pr.error("name", quotedValue(*n) + " is not a valid port name (lower-case, at most 15 characters, with a letter)");
        p.name = *n;
      }
      if (auto proto = pr.oneOf("protocol", {"TCP", "UDP", "SCTP"})) p.protocol = *proto;
      p.appProtocol = pr.str("appProtocol");
      pr.done();
    } else {
      r.diags().error(path, "must be an object such as {port: 80} or {name: http, port: 80, targetPort: 8080}" +
                                std::string(item.is_number_integer() ? " (write {port: " + item.dump() + "})" : ""));
      return;
    }
    if (p.targetPort == 0) p.targetPort = p.port;
    if (p.name.empty()) p.name = s.ports.empty() ? "http" : "http-" + std::to_string(p.port);
    if (!p.appProtocol && p.protocol == "TCP") p.appProtocol = "http";
    if (!portNames.insert(p.name).second) r.diags().error(path, "duplicate port name \"" + p.name + "\"");
    if (p.port && !portNumbers.insert(p.port).second)
      r.diags().error(path, "duplicate port " + std::to_string(p.port));
    s.ports.push_back(p);
  });
  if (auto n = r.int32("replicas", 0, 1000)) s.replicas = *n;
  s.command = r.strList("command");
  s.args = r.strList("args");
  s.env = parseEnv(r, "env");
  if (Reader c = r.obj("config"); c.present()) {
    std::set<std::string> paths;
    c.list("files", [&](const std::string& path, const Json& item) {
      Reader f(item.is_object() ? &item : nullptr, path, r.diags());
      if (!item.is_object()) {
        r.diags().error(path, "must be an object {path, content}");
        return;
      }
      ConfigFile cf;
      cf.path = f.nonEmpty("path").value_or("");
      if (!f.has("path")) f.errorHere("path is required");
      if (!cf.path.empty()) checkAbsolutePath(f, "path", cf.path);
      if (!cf.path.empty() && !paths.insert(cf.path).second) f.error("path", "duplicate file \"" + cf.path + "\"");
      cf.content = f.str("content").value_or("");
      if (!f.has("content")) f.errorHere("content is required");
      if (cf.content.size() > kMaxConfigFile)
        f.error("content", "is " + std::to_string(cf.content.size()) + " bytes; at most " + std::to_string(kMaxConfigFile) +
                               " (256 KiB, the CRD's bound): mount a volume for larger files");
      f.done();
      s.config.files.push_back(cf);
    });
    if (s.config.files.size() > kMaxConfigFiles)
      c.error("files", std::to_string(s.config.files.size()) + " files; at most " + std::to_string(kMaxConfigFiles) +
                           " (the CRD's bound)");
    s.config.env = c.strMap("env");
    if (s.config.env.size() > kMaxEnv)
      c.error("env", std::to_string(s.config.env.size()) + " variables; at most " + std::to_string(kMaxEnv) + " (the CRD's bound)");
    for (const auto& [k, v] : s.config.env) {
      if (secretLooking(k) && !v.empty())
        c.error("env", quotedValue(k) + " looks like a credential; put it in a Secret and use env[].secret");
      if (v.size() > kMaxEnvValue)
        c.error("env", quotedValue(k) + " is " + std::to_string(v.size()) + " bytes; at most " +
                           std::to_string(kMaxEnvValue) + " (the CRD's bound): put a large value in config.files");
    }
    c.done();
  }
  if (Reader rr = r.obj("resources"); rr.present()) s.resources = parseResources(rr);
  if (Reader pr = r.obj("probes"); pr.present()) {
    s.probes.liveness = parseProbe(pr.obj("liveness"));
    s.probes.readiness = parseProbe(pr.obj("readiness"));
    s.probes.startup = parseProbe(pr.obj("startup"));
    s.probes.none = pr.boolean("none").value_or(false);
    if (s.probes.none && (s.probes.liveness || s.probes.readiness || s.probes.startup))
      pr.error("none", "none: true runs the service without probes: remove liveness, readiness and startup, or none");
    pr.done();
  }
  if (r.has("writablePaths")) {
    s.writablePaths = r.strList("writablePaths");
  } else {
    s.writablePaths = {"/tmp"};
  }
  for (size_t i = 0; i < s.writablePaths.size(); ++i) {
    const auto& p = s.writablePaths[i];
    if (p.empty() || p[0] != '/')
      r.diags().error(indexPath(r.at("writablePaths"), i), quotedValue(p) + " must be an absolute path");
  }
  if (auto q = r.quantity("writableSizeLimit")) s.writableSizeLimit = *q;
  std::set<std::string> volNames;
  r.list("storage", [&](const std::string& path, const Json& item) {
    Reader v(item.is_object() ? &item : nullptr, path, r.diags());
    if (!item.is_object()) {
      r.diags().error(path, "must be an object {name, path, size}");
      return;
    }
    Volume vol;
    vol.name = v.nonEmpty("name").value_or("");
    if (!v.has("name")) v.errorHere("name is required");
    if (!vol.name.empty()) {
      if (!isDnsLabel(vol.name, 20)) v.error("name", quotedValue(vol.name) + " must be a DNS label of at most 20 characters");
      if (!volNames.insert(vol.name).second) v.error("name", "duplicate volume \"" + vol.name + "\"");
    }
    vol.path = v.nonEmpty("path").value_or("");
    if (!v.has("path")) v.errorHere("path is required");
    if (!vol.path.empty()) checkAbsolutePath(v, "path", vol.path);
    if (auto q = v.quantity("size")) vol.size = *q;
    if (auto m = v.oneOf("accessMode", {"ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"}))
      vol.accessMode = *m;
    vol.storageClass = v.str("storageClass");
    vol.existingClaim = v.str("existingClaim");
    v.done();
    s.storage.push_back(vol);
  });
  s.dependsOn = r.strList("dependsOn");
  if (s.dependsOn.size() > kMaxDependsOn)
    r.error("dependsOn", "at most " + std::to_string(kMaxDependsOn) + " dependencies (the CRD's bound)");
  r.list("egress", [&](const std::string& path, const Json& item) { parsePeerRule(r, path, item, Direction::Egress, s.egress); });
  if (s.egress.size() > kMaxPeerRules)
    r.error("egress", "at most " + std::to_string(kMaxPeerRules) + " rules (the CRD's bound)");
  r.list("ingress", [&](const std::string& path, const Json& item) { parsePeerRule(r, path, item, Direction::Ingress, s.ingress); });
  if (s.ingress.size() > kMaxPeerRules)
    r.error("ingress", "at most " + std::to_string(kMaxPeerRules) + " rules (the CRD's bound)");
  if (!s.ingress.empty() && s.ports.empty()) r.error("ingress", "a service without ports takes no calls: give it ports, or remove ingress");
  std::vector<int> listening;
  for (const auto& p : s.ports) listening.push_back(p.targetPort);
  checkIngressPorts(r, s.ingress, listening, s.ports);
  if (Reader e = r.obj("expose"); e.present()) {
    Expose ex;
    ex.paths = e.strList("paths");
    if (ex.paths.empty()) e.error("paths", "list at least one path prefix, e.g. [\"/\"]");
    for (size_t i = 0; i < ex.paths.size(); ++i)
      if (ex.paths[i].empty() || ex.paths[i][0] != '/')
        r.diags().error(indexPath(e.at("paths"), i), quotedValue(ex.paths[i]) + " must start with '/'");
    ex.port = e.intOrString("port");
    ex.rewrite = e.str("rewrite");
    e.done();
    s.expose = ex;
  }
  const bool autoscalingGiven = r.has("autoscaling");
  if (autoscalingGiven) {
    parseAutoscaling(r.obj("autoscaling"), s.autoscaling);
  } else {
    s.autoscaling = derivedAutoscaling(s.replicas, s.storage);
  }
  s.resilience = parseResilience(r.obj("resilience"));
  s.security = parseSecurityOverrides(r.obj("security"));
  if (auto p = r.oneOf("imagePullPolicy", {"Always", "IfNotPresent", "Never"})) s.imagePullPolicy = *p;
  if (auto t = r.int32("terminationGracePeriodSeconds", 0, 3600)) s.terminationGracePeriodSeconds = *t;
  if (auto sp = r.boolean("spread")) s.spread = *sp;
  s.priorityClassName = r.str("priorityClassName");
  s.placement = parsePlacement(r);
  s.podAnnotations = r.strMap("podAnnotations");
  s.labels = r.strMap("labels");
  checkLabels(r, "labels", s.labels, true);
  s.meshInject = r.boolean("meshInject");
  if (Reader m = r.obj("metrics"); m.present()) {
    s.scrape.enabled = m.boolean("enabled").value_or(true);
    if (auto p = m.str("path")) s.scrape.path = *p;
    s.scrape.port = m.intOrString("port");
    m.done();
  } else if (s.ports.empty()) {
    s.scrape.enabled = false;
  }
  if (r.has("versions")) parseVersions(r, s, app, autoscalingGiven);
  r.done();
  return s;
}

// ---- databases and brokers -------------------------------------------------------------

namespace {

// The major version a PostgreSQL version or official image tag names ("12.19-alpine" -> 12),
// or 0 when it names none: a tag of another image says nothing about the engine inside.
int postgresMajor(const std::string& version, const std::optional<std::string>& image) {
  std::string tag = version;
  if (image) {
    std::string ref = image->substr(0, image->find('@'));
    size_t slash = ref.rfind('/'), colon = ref.rfind(':');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return 0;
    std::string repo = ref.substr(0, colon);
    if (repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1) != "postgres") return 0;
    tag = ref.substr(colon + 1);
  }
  int major = 0;
  for (size_t i = 0; i < tag.size() && i < 4 && tag[i] >= '0' && tag[i] <= '9'; ++i) major = major * 10 + (tag[i] - '0');
  return major;
}

}  // namespace


DataStore parseStore(Reader r, bool broker, const ShopApp& app) {
  DataStore d;
  d.name = r.nonEmpty("name").value_or("");
  if (!r.has("name")) r.errorHere("name is required");
  if (!d.name.empty()) checkName(r, "name", d.name);
  std::optional<std::string> engine =
      broker ? r.oneOf("engine", {"rabbitmq", "kafka"})
             : r.oneOf("engine", {"mongodb", "mysql", "mariadb", "redis", "postgresql"});
  if (!r.has("engine")) r.errorHere(broker ? "engine is required (rabbitmq or kafka)"
                                           : "engine is required (mongodb, mysql, mariadb, redis or postgresql)");
  if (engine) d.engine = *engineFromName(*engine);
  const EngineInfo& info = engineInfo(d.engine);
  d.version = r.nonEmpty("version").value_or(info.defaultVersion);
  if (auto img = r.nonEmpty("image")) {
    d.image = *img;
    if (r.has("version") && engine) r.warning("version", "ignored because image is set");
  } else {
    d.image = std::string(info.imageRepo) + ":" + d.version;
  }
  auto problem = imageProblem(d.image, app.security.allowLatestTag);
  if (!problem.empty()) r.error(r.has("image") ? "image" : "version", problem);
  if (int major = d.engine == Engine::PostgreSQL ? postgresMajor(d.version, r.has("image") ? std::optional(d.image) : std::nullopt) : 0;
      major > 0 && major < 13)
    r.error(r.has("image") ? "image" : "version",
            "PostgreSQL " + std::to_string(major) + " is not supported: the replication script needs 13 or later (wal_keep_size)");
  if (auto n = r.int32("replicas", 1, kMaxStoreMembers)) d.replicas = *n;
  d.port = r.int32("port", 1, 65535).value_or(info.port);
  if (Reader s = r.obj("storage"); s.present()) {
    if (auto q = s.quantity("size")) d.storage.size = *q;
    d.storage.storageClass = s.str("storageClass");
    if (auto w = s.oneOf("whenDeleted", {"Retain", "Delete"})) d.storage.whenDeleted = *w;
    if (auto w = s.oneOf("whenScaled", {"Retain", "Delete"})) d.storage.whenScaled = *w;
    s.done();
  }
  if (Reader rr = r.obj("resources"); rr.present()) d.resources = parseResources(rr);
  if (Reader c = r.obj("credentials"); c.present() && d.engine == Engine::Kafka) {
    r.error("credentials", "kafka runs PLAINTEXT inside the app's network policies and has no credentials");
    c.raw("secretName");
    c.raw("generate");
  } else if (c.present()) {
    if (auto n = c.nonEmpty("secretName")) {
      if (n->size() > 253 || !match::dnsSubdomain(*n)) c.error("secretName", quotedValue(*n) + " is not a valid Secret name");
      d.credentials.secretName = *n;
    }
    d.credentials.generate = c.boolean("generate").value_or(true);
    c.done();
  }
  if (d.credentials.secretName.empty()) d.credentials.secretName = d.name + "-credentials";
  if (!broker) {  // brokers have no databases or seeds; for them these are unknown fields
    d.database = r.str("database");
    d.user = r.str("user");
  }
  if (d.engine == Engine::Redis && (d.database || d.user))
    r.errorHere("redis has no databases or users to create; remove database and user");
  d.env = parseEnv(r, "env");
  if (!broker) d.args = r.strList("args");  // engine flags; brokers are configured by env
  d.security = parseSecurityOverrides(r.obj("security"));
  if (auto p = r.oneOf("imagePullPolicy", {"Always", "IfNotPresent", "Never"})) d.imagePullPolicy = *p;
  r.list("ingress", [&](const std::string& path, const Json& item) { parsePeerRule(r, path, item, Direction::Ingress, d.ingress); });
  if (d.ingress.size() > kMaxPeerRules)
    r.error("ingress", "at most " + std::to_string(kMaxPeerRules) + " rules (the CRD's bound)");
  checkIngressPorts(r, d.ingress, {d.port});
  d.priorityClassName = r.str("priorityClassName").value_or("");
  d.placement = parsePlacement(r);
  if (!broker) {
    d.seedFrom = r.str("seedFrom");
    if (auto a = r.boolean("clientAuth")) d.clientAuth = *a;
    d.readService = r.str("readService");
  }
  if (d.readService) {
    if (!match::dnsLabel(*d.readService) || d.readService->size() > 63)
      r.error("readService", quotedValue(*d.readService) + " is not a Service name (lower-case letters, digits and -, at most 63)");
    else if (d.engine == Engine::MongoDB)
      r.error("readService", "mongodb clients find the members themselves (a replica-set connection string, with "
                             "readPreference for reads from secondaries): a Service over every member would send "
                             "writes to secondaries");
    else if (*d.readService == d.name)
      r.error("readService", "is the client Service's own name (" + d.name + ", the primary): give the readers' Service another name");
  }
  if (!d.clientAuth && (d.engine == Engine::MySQL || d.engine == Engine::MariaDB || d.engine == Engine::PostgreSQL))
    r.error("clientAuth", std::string(engineName(d.engine)) + " always requires client credentials");
  if (d.seedFrom && ((*d.seedFrom).empty() || (*d.seedFrom)[0] != '/'))
    r.error("seedFrom", "must be an absolute path inside the image");
  if (d.engine == Engine::MongoDB && d.replicas % 2 == 0)
    r.warning("replicas", "an even number of MongoDB members tolerates no more failures than one "
                          "fewer; use an odd number");
  if (d.engine == Engine::Kafka && d.replicas == 2)
    r.warning("replicas", "two KRaft controllers cannot lose either one; use 1 or 3");
  r.done();
  return d;
}

// ---- the whole app --------------------------------------------------------------------

void parseSpec(Reader spec, ShopApp& app) {
  // security first: image checks depend on allowLatestTag
  if (Reader s = spec.obj("security"); s.present()) {
    if (auto v = s.oneOf("podSecurity", {"restricted", "baseline", "privileged"})) app.security.podSecurity = *v;
    if (auto v = s.integer("runAsUser", 1, 2147483647)) app.security.runAsUser = *v;
    if (auto v = s.integer("runAsGroup", 1, 2147483647)) app.security.runAsGroup = *v;
    if (auto v = s.integer("fsGroup", 1, 2147483647)) app.security.fsGroup = *v;
    if (auto v = s.boolean("readOnlyRootFilesystem")) app.security.readOnlyRootFilesystem = *v;
    if (auto v = s.boolean("networkPolicies")) app.security.networkPolicies = *v;
    if (auto v = s.boolean("serviceAccounts")) app.security.serviceAccounts = *v;
    app.security.imagePullSecrets = s.strList("imagePullSecrets");
    if (auto v = s.boolean("allowLatestTag")) app.security.allowLatestTag = *v;
    if (Reader d = s.obj("dns"); d.present()) {
      DnsSpec& dns = app.security.dns;
      if (auto v = d.str("namespace")) {
        if (!match::dnsLabel(*v)) d.error("namespace", quotedValue(*v) + " is not a namespace name");
        dns.namespace_ = *v;
      }
      if (d.has("podLabels")) {
        dns.podLabels = d.strMap("podLabels");
        if (dns.podLabels.empty()) d.error("podLabels", "name at least one label of the DNS pods (e.g. k8s-app: kube-dns)");
        checkLabels(d, "podLabels", dns.podLabels, false);
      }
      dns.cidrs = d.strList("cidrs");
      if (dns.cidrs.size() > 10) d.error("cidrs", "at most 10 CIDRs");
      for (size_t i = 0; i < dns.cidrs.size(); ++i)
        if (!match::cidr(dns.cidrs[i]))
          d.diags().error(indexPath(d.at("cidrs"), i),
                          quotedValue(dns.cidrs[i]) + " is not a CIDR (an address with a prefix length, e.g. 169.254.20.10/32)");
      d.done();
    }
    s.done();
  }
  if (Reader m = spec.obj("mesh"); m.present()) {
    if (auto v = m.boolean("enabled")) app.mesh.enabled = *v;
    if (auto v = m.oneOf("mtls", {"STRICT", "PERMISSIVE"})) app.mesh.mtls = *v;
    if (auto v = m.boolean("authorizationPolicies")) app.mesh.authorizationPolicies = *v;
    if (auto v = m.str("controlPlaneNamespace")) app.mesh.controlPlaneNamespace = *v;
    m.done();
  }
  if (Reader g = spec.obj("gateway"); g.present()) {
    app.gateway.enabled = g.boolean("enabled").value_or(true);
    if (auto v = g.pattern("host", match::hostPattern, "a host name (e.g. shop.example.com, *.example.com or *)"))
      app.gateway.host = *v;
    if (Reader t = g.obj("tls"); t.present()) {
      app.gateway.tlsSecret = t.nonEmpty("secretName");
      if (!t.has("secretName")) t.errorHere("secretName is required");
      if (auto v = t.boolean("httpsRedirect")) app.gateway.httpsRedirect = *v;
      t.done();
    }
    if (auto v = g.str("ingressClassName")) app.gateway.ingressClassName = *v;
    app.gateway.selector = g.strMap("selector");
    if (auto v = g.str("namespace")) {
      // "*": the entry points admit pods of any namespace, for an ingress controller whose
      // namespace is not known (what import writes). Istio's gateway pods are named by theirs.
      if (*v != "*" && !match::dnsLabel(*v))
        g.error("namespace", quotedValue(*v) + " is not a namespace name (or * for any namespace)");
      else if (*v == "*" && app.mesh.enabled)
        g.error("namespace", "* (any namespace) is for an Ingress's controller; with the mesh, name the namespace of "
                             "the Istio gateway pods (their principal and their TLS Secret are there)");
      app.gateway.namespace_ = *v;
    }
    if (auto v = g.str("serviceAccount")) app.gateway.serviceAccount = *v;
    g.done();
  }
  if (app.gateway.selector.empty()) app.gateway.selector = {{"istio", "ingressgateway"}};
  if (app.gateway.namespace_.empty())
    app.gateway.namespace_ = app.mesh.enabled ? app.mesh.controlPlaneNamespace : "ingress-nginx";
  if (app.gateway.serviceAccount.empty())
    app.gateway.serviceAccount = app.mesh.enabled ? "istio-ingressgateway-service-account" : "ingress-nginx";
  if (Reader m = spec.obj("monitoring"); m.present()) {
    if (auto v = m.oneOf("prometheus", {"annotations", "serviceMonitor", "none"})) app.monitoring.prometheus = *v;
    if (auto v = m.str("namespace")) app.monitoring.namespace_ = *v;
    if (auto v = m.duration("interval")) app.monitoring.interval = *v;
    m.done();
  }

  // defaults: validated once where they are written, then merged under each service
  Json defaults = Json::object();
  if (Reader d = spec.obj("defaults"); d.present()) {
    const Json* raw = spec.raw("defaults");
    Json probe = Json::object();
    probe["name"] = "defaults";
    probe["image"] = "defaults:0";
    for (const auto& k : policyKeys()) {
      if (raw->contains(k)) {
        defaults[k] = (*raw)[k];
        probe[k] = (*raw)[k];
      }
      d.raw(k);
    }
    Diagnostics scratch;
    parseService(Reader(&probe, d.path(), scratch), app);
    for (auto& diag : scratch.items())
      if (diag.path.rfind(d.path() + ".", 0) == 0 && diag.path.find(".name") == std::string::npos)
        spec.diags().add(diag);
    // Invalid defaults are reported once, where they are written, and not merged into every
    // service again.
    if (scratch.hasErrors()) defaults = Json::object();
    d.done();
  }
  // Databases and brokers take the placement defaults only (the other defaults are service
  // policies).
  Json storeDefaults = Json::object();
  for (const char* k : {"nodeSelector", "tolerations"})
    if (defaults.contains(k)) storeDefaults[k] = defaults[k];
  std::set<std::string> names;
  auto claim = [&](const std::string& path, const std::string& name) {
    if (name.empty()) return;
    if (!names.insert(name).second)
      spec.diags().error(path + ".name", "duplicate name \"" + name +
                                             "\": services, databases and messaging share one namespace of names");
  };
  // A list item that is not an object still takes its place (empty), so that app.services[i] is
  // spec.services[i] for the cross-field checks, which run even when some fields failed.
  spec.list("databases", [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      spec.diags().error(path, "must be an object");
      app.databases.emplace_back();
      return;
    }
    Json merged = deepMerge(storeDefaults, item);
    app.databases.push_back(parseStore(Reader(&merged, path, spec.diags()), false, app));
    claim(path, app.databases.back().name);
  });
  for (auto [list, max] : {std::pair<const char*, size_t>{"databases", kMaxDatabases}, {"messaging", kMaxBrokers}})
    if (const Json* l = spec.raw(list); l && l->is_array() && l->size() > max)
      spec.error(list, "at most " + std::to_string(max) + " entries in one ShopApp");
  spec.list("messaging", [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      spec.diags().error(path, "must be an object");
      app.messaging.emplace_back();
      return;
    }
    Json merged = deepMerge(storeDefaults, item);
    app.messaging.push_back(parseStore(Reader(&merged, path, spec.diags()), true, app));
    claim(path, app.messaging.back().name);
  });
  const Json* services = spec.raw("services");
  if (!services) {
    spec.errorHere("services is required: list at least one service");
  } else if (!services->is_array()) {
    spec.error("services", "must be a list, not " + jsonTypeName(*services));
  } else {
    if (services->empty()) spec.error("services", "list at least one service");
    if (services->size() > kMaxServices)
      spec.error("services", "at most " + std::to_string(kMaxServices) + " services in one ShopApp");
    for (size_t i = 0; i < services->size(); ++i) {
      const std::string path = indexPath(spec.at("services"), i);
      const Json& item = (*services)[i];
      if (!item.is_object()) {
        spec.diags().error(path, "must be an object");
        app.services.emplace_back();
        continue;
      }
      Json merged = deepMerge(defaults, item);
      app.services.push_back(parseService(Reader(&merged, path, spec.diags()), app));
      claim(path, app.services.back().name);
    }
  }
  spec.done();
}

}  // namespace shop::parse_detail
