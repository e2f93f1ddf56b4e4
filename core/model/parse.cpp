#include "core/model/parse.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "core/model/reader.hpp"

namespace shop {

namespace {

const char* const kNameRe = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr size_t kMaxNameLen = 40;  // leaves room for derived names (<name>-headless-N, ...)
// List bounds shared with the CRD: they keep the API server's cost estimate of the CEL rules
// within budget.
constexpr size_t kMaxServices = 40, kMaxDatabases = 12, kMaxBrokers = 6, kMaxDependsOn = 12;

const EngineInfo kEngines[] = {
    {"mongodb", "7.0.14", "mongo", 27017, "/data/db"},
    {"mysql", "8.0.39", "mysql", 3306, "/var/lib/mysql"},
    {"redis", "7.2.5", "redis", 6379, "/data"},
    {"postgresql", "16.4", "postgres", 5432, "/var/lib/postgresql/data"},
    {"rabbitmq", "3.13.7-management", "rabbitmq", 5672, "/var/lib/rabbitmq"},
    {"kafka", "3.9.0", "apache/kafka", 9092, "/var/lib/kafka/data"},
};

// ---- helpers -------------------------------------------------------------------------

void checkName(Reader& r, const std::string& key, const std::string& value) {
  if (value.size() > kMaxNameLen || !std::regex_match(value, std::regex(kNameRe))) {
    r.error(key, "\"" + value +
                     "\" is not a valid name: use lower-case letters, digits and '-', start with a "
                     "letter, end with a letter or digit, at most " +
                     std::to_string(kMaxNameLen) + " characters");
  }
}

// Returns an error message for an image reference, or "" when it is pinned and well formed.
std::string imageProblem(const std::string& image, bool allowLatest) {
  static const std::regex ref(
      "([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
      "(@sha256:[a-f0-9]{64})?");
  if (!std::regex_match(image, ref)) return "\"" + image + "\" is not a valid image reference";
  if (image.find('@') != std::string::npos) return "";
  const size_t slash = image.rfind('/');
  const size_t colon = image.find(':', slash == std::string::npos ? 0 : slash);
  if (colon == std::string::npos) {
    if (allowLatest) return "";
    return "image \"" + image +
           "\" has no tag; pin a version (e.g. " + image +
           ":1.2.3) or a digest, or set spec.security.allowLatestTag: true";
  }
  const std::string tag = image.substr(colon + 1);
  if (tag == "latest" && !allowLatest)
    return "image tag \"latest\" is not allowed: pin a version, or set "
           "spec.security.allowLatestTag: true";
  return "";
}

bool secretLooking(const std::string& name) {
  static const std::regex re(".*(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL).*",
                             std::regex::icase);
  return std::regex_match(name, re);
}

Json deepMerge(const Json& base, const Json& over) {
  if (!base.is_object() || !over.is_object()) return over;
  Json out = base;
  for (auto it = over.begin(); it != over.end(); ++it) {
    auto b = out.find(it.key());
    if (b != out.end() && b->is_object() && it->is_object()) {
      *b = deepMerge(*b, *it);
    } else {
      out[it.key()] = *it;
    }
  }
  return out;
}

// ---- pieces ----------------------------------------------------------------------------

ResourceList parseResourceList(Reader r) {
  ResourceList l;
  l.cpu = r.quantity("cpu");
  l.memory = r.quantity("memory");
  l.ephemeralStorage = r.quantity("ephemeral-storage");
  r.done();
  return l;
}

Resources parseResources(Reader r) {
  Resources res;
  res.requests = parseResourceList(r.obj("requests"));
  res.limits = parseResourceList(r.obj("limits"));
  r.done();
  return res;
}

std::optional<Probe> parseProbe(Reader r) {
  if (!r.present()) return std::nullopt;
  Probe p;
  int kinds = 0;
  if (auto h = r.obj("http"); h.present()) {
    ++kinds;
    HttpGet g;
    if (auto path = h.str("path")) {
      if (path->empty() || (*path)[0] != '/') h.error("path", "must start with '/'");
      g.path = *path;
    }
    if (auto port = h.intOrString("port")) g.port = *port;
    if (auto scheme = h.oneOf("scheme", {"HTTP", "HTTPS"})) g.scheme = *scheme;
    h.done();
    p.http = g;
  }
  if (auto t = r.obj("tcp"); t.present()) {
    ++kinds;
    p.tcpPort = t.intOrString("port").value_or("");
    t.done();
  }
  if (r.has("exec")) {
    ++kinds;
    auto cmd = r.strList("exec");
    if (cmd.empty()) r.error("exec", "must list the command and its arguments");
    p.exec = cmd;
  }
  if (kinds != 1) r.errorHere("set exactly one of http, tcp or exec");
  p.initialDelaySeconds = r.int32("initialDelaySeconds", 0, 3600);
  p.periodSeconds = r.int32("periodSeconds", 1, 3600);
  p.timeoutSeconds = r.int32("timeoutSeconds", 1, 3600);
  p.failureThreshold = r.int32("failureThreshold", 1, 1000);
  p.successThreshold = r.int32("successThreshold", 1, 1000);
  r.done();
  return p;
}

std::vector<EnvVar> parseEnv(Reader& parent, const std::string& key) {
  std::vector<EnvVar> out;
  std::set<std::string> seen;
  parent.list(key, [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      parent.diags().error(path, "must be an object with a name and a value, secret or configMap");
      return;
    }
    Reader r(&item, path, parent.diags());
    EnvVar e;
    e.name = r.nonEmpty("name").value_or("");
    if (!r.has("name")) r.errorHere("name is required");
    static const std::regex envName("[-._a-zA-Z][-._a-zA-Z0-9]*");
    if (!e.name.empty() && !std::regex_match(e.name, envName))
      r.error("name", "\"" + e.name + "\" is not a valid environment variable name");
    if (!e.name.empty() && !seen.insert(e.name).second)
      r.error("name", "duplicate environment variable \"" + e.name + "\"");
    int sources = 0;
    if (r.has("value")) {
      ++sources;
      const Json* v = r.raw("value");
      if (v->is_string()) {
        e.value = v->get<std::string>();
      } else {
        r.error("value", "must be a string, not " + jsonTypeName(*v) + " (quote it: \"" +
                             v->dump() + "\")");
      }
    }
    auto keyRef = [&](const char* k) -> std::optional<KeyRef> {
      Reader kr = r.obj(k);
      if (!kr.present()) return std::nullopt;
      ++sources;
      KeyRef ref;
      ref.name = kr.nonEmpty("name").value_or("");
      ref.key = kr.nonEmpty("key").value_or("");
      if (!kr.has("name")) kr.errorHere("name is required");
      if (!kr.has("key")) kr.errorHere("key is required");
      ref.optional = kr.boolean("optional").value_or(false);
      kr.done();
      return ref;
    };
    e.secret = keyRef("secret");
    e.configMap = keyRef("configMap");
    if (auto f = r.str("fieldPath")) {
      ++sources;
      e.fieldPath = f;
    }
    if (sources != 1) r.errorHere("set exactly one of value, secret, configMap or fieldPath");
    if (e.value && !e.value->empty() && secretLooking(e.name))
      r.error("value",
              "\"" + e.name +
                  "\" looks like a credential; never put it in plain text: use secret: {name: ..., "
                  "key: ...}");
    r.done();
    out.push_back(std::move(e));
  });
  return out;
}

void parseScalingRules(Reader r, std::optional<ScalingRules>& out) {
  if (!r.present()) return;
  ScalingRules s;
  s.stabilizationWindowSeconds = r.int32("stabilizationWindowSeconds", 0, 3600);
  s.selectPolicy = r.oneOf("selectPolicy", {"Max", "Min", "Disabled"});
  r.list("policies", [&](const std::string& path, const Json& item) {
    Reader p(item.is_object() ? &item : nullptr, path, r.diags());
    if (!item.is_object()) {
      r.diags().error(path, "must be an object {type, value, periodSeconds}");
      return;
    }
    ScalingPolicy sp;
    sp.type = p.oneOf("type", {"Pods", "Percent"}).value_or("");
    sp.value = p.int32("value", 1, 100000).value_or(0);
    sp.periodSeconds = p.int32("periodSeconds", 1, 1800).value_or(0);
    if (!p.has("type") || !p.has("value") || !p.has("periodSeconds"))
      p.errorHere("type, value and periodSeconds are required");
    p.done();
    s.policies.push_back(sp);
  });
  r.done();
  out = s;
}

void parseAutoscaling(Reader r, Autoscaling& a) {
  if (!r.present()) return;
  a.enabled = r.boolean("enabled").value_or(true);
  if (auto v = r.int32("min", 1, 1000)) a.min = *v;
  if (auto v = r.int32("max", 1, 1000)) a.max = *v;
  a.cpu = r.int32("cpu", 1, 1000);
  a.memory = r.int32("memory", 1, 1000);
  if (a.enabled && !r.has("max")) r.errorHere("max is required when autoscaling is enabled");
  parseScalingRules(r.obj("scaleUp"), a.scaleUp);
  parseScalingRules(r.obj("scaleDown"), a.scaleDown);
  r.done();
}

const std::set<std::string>& retryOnPolicies() {
  static const std::set<std::string> s = {
      "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx",
      "refused-stream", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
      "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
      "resource-exhausted", "unavailable"};
  return s;
}

Resilience parseResilience(Reader r) {
  Resilience res;
  if (!r.present()) return res;
  res.timeout = r.duration("timeout");
  if (Reader rr = r.obj("retries"); rr.present()) {
    Retries rt;
    rt.attempts = rr.int32("attempts", 0, 100).value_or(0);
    if (!rr.has("attempts")) rr.errorHere("attempts is required");
    rt.perTryTimeout = rr.duration("perTryTimeout");
    if (auto on = rr.str("retryOn")) {
      size_t start = 0;
      while (start <= on->size()) {
        size_t comma = on->find(',', start);
        if (comma == std::string::npos) comma = on->size();
        std::string tok = on->substr(start, comma - start);
        bool status = !tok.empty() && std::all_of(tok.begin(), tok.end(), ::isdigit) &&
                      std::stoi(tok) >= 100 && std::stoi(tok) <= 599;
        if (!status && !retryOnPolicies().count(tok)) {
          std::vector<std::string> cands(retryOnPolicies().begin(), retryOnPolicies().end());
          std::string msg = "\"" + tok + "\" is not a retry condition Istio accepts";
          if (auto c = closest(tok, cands)) msg += " (did you mean \"" + *c + "\"?)";
          rr.error("retryOn", msg);
        }
        start = comma + 1;
      }
      rt.retryOn = on;
    }
    if (rt.attempts == 0 && (rt.perTryTimeout || rt.retryOn))
      rr.errorHere("perTryTimeout and retryOn need attempts > 0 (attempts: 0 disables retries)");
    if (rt.perTryTimeout && res.timeout && durationMs(*rt.perTryTimeout) > durationMs(*res.timeout))
      rr.error("perTryTimeout", "is longer than the route timeout " + *res.timeout +
                                    ", so no retry could ever run");
    rr.done();
    res.retries = rt;
  }
  if (Reader fr = r.obj("faults"); fr.present()) {
    Faults f;
    if (Reader d = fr.obj("delay"); d.present()) {
      FaultDelay fd;
      fd.fixedDelay = d.duration("fixedDelay").value_or("");
      fd.percentage = d.number("percentage", 0, 100).value_or(0);
      if (!d.has("fixedDelay") || !d.has("percentage"))
        d.errorHere("fixedDelay and percentage are required");
      d.done();
      f.delay = fd;
    }
    if (Reader a = fr.obj("abort"); a.present()) {
      FaultAbort fa;
      fa.httpStatus = a.int32("httpStatus", 200, 599).value_or(0);
      fa.percentage = a.number("percentage", 0, 100).value_or(0);
      if (!a.has("httpStatus") || !a.has("percentage"))
        a.errorHere("httpStatus and percentage are required");
      a.done();
      f.abort = fa;
    }
    if (!f.delay && !f.abort) fr.errorHere("set delay, abort or both");
    fr.done();
    res.faults = f;
  }
  if (Reader cp = r.obj("connectionPool"); cp.present()) {
    ConnectionPool p;
    p.maxConnections = cp.int32("maxConnections", 1, 1 << 30);
    p.connectTimeout = cp.duration("connectTimeout");
    p.http1MaxPendingRequests = cp.int32("http1MaxPendingRequests", 1, 1 << 30);
    p.http2MaxRequests = cp.int32("http2MaxRequests", 1, 1 << 30);
    p.maxRequestsPerConnection = cp.int32("maxRequestsPerConnection", 0, 1 << 29);
    p.maxRetries = cp.int32("maxRetries", 0, 1 << 30);
    cp.done();
    res.connectionPool = p;
  }
  if (Reader od = r.obj("outlierDetection"); od.present()) {
    OutlierDetection o;
    o.consecutive5xxErrors = od.int32("consecutive5xxErrors", 0, 1 << 30);
    o.consecutiveGatewayErrors = od.int32("consecutiveGatewayErrors", 0, 1 << 30);
    o.interval = od.duration("interval");
    o.baseEjectionTime = od.duration("baseEjectionTime");
    o.maxEjectionPercent = od.int32("maxEjectionPercent", 0, 100);
    o.minHealthPercent = od.int32("minHealthPercent", 0, 100);
    od.done();
    res.outlierDetection = o;
  }
  r.done();
  return res;
}

SecurityOverrides parseSecurityOverrides(Reader r) {
  SecurityOverrides s;
  if (!r.present()) return s;
  s.runAsUser = r.integer("runAsUser", 1, 2147483647);
  s.runAsGroup = r.integer("runAsGroup", 1, 2147483647);
  s.fsGroup = r.integer("fsGroup", 1, 2147483647);
  s.readOnlyRootFilesystem = r.boolean("readOnlyRootFilesystem");
  s.addCapabilities = r.strList("addCapabilities");
  static const std::regex cap("[A-Z_]+");
  for (size_t i = 0; i < s.addCapabilities.size(); ++i)
    if (!std::regex_match(s.addCapabilities[i], cap))
      r.diags().error(indexPath(r.at("addCapabilities"), i),
                      "\"" + s.addCapabilities[i] + "\" is not a capability name (e.g. NET_BIND_SERVICE)");
  r.done();
  return s;
}

void checkAbsolutePath(Reader& r, const std::string& key, const std::string& p) {
  if (p.empty() || p[0] != '/' || p.find("..") != std::string::npos)
    r.error(key, "\"" + p + "\" must be an absolute path without '..'");
}

// Keys a service may take from spec.defaults.
const std::vector<std::string>& policyKeys() {
  static const std::vector<std::string> k = {
      "replicas", "resources", "autoscaling", "resilience", "imagePullPolicy",
      "terminationGracePeriodSeconds", "spread", "priorityClassName", "writableSizeLimit"};
  return k;
}

// ---- service ---------------------------------------------------------------------------

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
        static const std::regex portName("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        if (n->size() > 15 || !std::regex_match(*n, portName) ||
            std::none_of(n->begin(), n->end(), ::isalpha))
          pr.error("name", "\"" + *n + "\" is not a valid port name (lower-case, at most 15 characters, with a letter)");
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
      f.done();
      s.config.files.push_back(cf);
    });
    s.config.env = c.strMap("env");
    for (const auto& [k, v] : s.config.env)
      if (secretLooking(k) && !v.empty())
        c.error("env", "\"" + k + "\" looks like a credential; put it in a Secret and use env[].secret");
    c.done();
  }
  if (Reader rr = r.obj("resources"); rr.present()) s.resources = parseResources(rr);
  if (Reader pr = r.obj("probes"); pr.present()) {
    s.probes.liveness = parseProbe(pr.obj("liveness"));
    s.probes.readiness = parseProbe(pr.obj("readiness"));
    s.probes.startup = parseProbe(pr.obj("startup"));
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
      r.diags().error(indexPath(r.at("writablePaths"), i), "\"" + p + "\" must be an absolute path");
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
      if (!isDnsLabel(vol.name, 20)) v.error("name", "\"" + vol.name + "\" must be a DNS label of at most 20 characters");
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
  if (Reader e = r.obj("expose"); e.present()) {
    Expose ex;
    ex.paths = e.strList("paths");
    if (ex.paths.empty()) e.error("paths", "list at least one path prefix, e.g. [\"/\"]");
    for (size_t i = 0; i < ex.paths.size(); ++i)
      if (ex.paths[i].empty() || ex.paths[i][0] != '/')
        r.diags().error(indexPath(e.at("paths"), i), "\"" + ex.paths[i] + "\" must start with '/'");
    ex.port = e.intOrString("port");
    ex.rewrite = e.str("rewrite");
    e.done();
    s.expose = ex;
  }
  if (r.has("autoscaling")) {
    parseAutoscaling(r.obj("autoscaling"), s.autoscaling);
  } else if (s.replicas > 0 && std::none_of(s.storage.begin(), s.storage.end(), [](const Volume& v) {
               return !v.existingClaim && (v.accessMode == "ReadWriteOnce" || v.accessMode == "ReadWriteOncePod");
             })) {
    // Stateless services scale with load unless the ShopApp says otherwise: replicas is the
    // floor, twice that the ceiling, at 80% of the CPU request. (A service that holds a
    // single-node volume cannot scale out, so it gets no autoscaler by default.)
    s.autoscaling.enabled = true;
    s.autoscaling.min = s.replicas;
    s.autoscaling.max = s.replicas * 2;
    s.autoscaling.cpu = 80;
  }
  s.resilience = parseResilience(r.obj("resilience"));
  s.security = parseSecurityOverrides(r.obj("security"));
  if (auto p = r.oneOf("imagePullPolicy", {"Always", "IfNotPresent", "Never"})) s.imagePullPolicy = *p;
  if (auto t = r.int32("terminationGracePeriodSeconds", 0, 3600)) s.terminationGracePeriodSeconds = *t;
  if (auto sp = r.boolean("spread")) s.spread = *sp;
  s.priorityClassName = r.str("priorityClassName");
  s.podAnnotations = r.strMap("podAnnotations");
  s.labels = r.strMap("labels");
  static const std::regex labelKey("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  static const std::regex labelValue("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
  for (const auto& [k, v] : s.labels) {
    const std::string where = childPath(r.at("labels"), k);
    if (!std::regex_match(k, labelKey) || k.size() > 317) r.diags().error(where, "\"" + k + "\" is not a valid label key");
    else if (k.rfind("app.kubernetes.io/", 0) == 0 || k.rfind("shopctl.io/", 0) == 0)
      r.diags().error(where, "\"" + k + "\" is set by shopctl (it selects the pods); choose another key");
    if (!std::regex_match(v, labelValue)) r.diags().error(where, "\"" + v + "\" is not a valid label value (at most 63 characters: letters, digits, '-', '_', '.')");
  }
  s.meshInject = r.boolean("meshInject");
  if (Reader m = r.obj("metrics"); m.present()) {
    s.scrape.enabled = m.boolean("enabled").value_or(true);
    if (auto p = m.str("path")) s.scrape.path = *p;
    s.scrape.port = m.intOrString("port");
    m.done();
  } else if (s.ports.empty()) {
    s.scrape.enabled = false;
  }
  r.done();
  return s;
}

// ---- databases and brokers -------------------------------------------------------------

DataStore parseStore(Reader r, bool broker, const ShopApp& app) {
  DataStore d;
  d.name = r.nonEmpty("name").value_or("");
  if (!r.has("name")) r.errorHere("name is required");
  if (!d.name.empty()) checkName(r, "name", d.name);
  std::optional<std::string> engine =
      broker ? r.oneOf("engine", {"rabbitmq", "kafka"})
             : r.oneOf("engine", {"mongodb", "mysql", "redis", "postgresql"});
  if (!r.has("engine")) r.errorHere(broker ? "engine is required (rabbitmq or kafka)"
                                           : "engine is required (mongodb, mysql, redis or postgresql)");
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
  if (auto n = r.int32("replicas", 1, 9)) d.replicas = *n;
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
      static const std::regex subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
      if (n->size() > 253 || !std::regex_match(*n, subdomain)) c.error("secretName", "\"" + *n + "\" is not a valid Secret name");
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
  d.priorityClassName = r.str("priorityClassName").value_or("");
  if (!broker) {
    d.seedFrom = r.str("seedFrom");
    if (auto a = r.boolean("clientAuth")) d.clientAuth = *a;
  }
  if (!d.clientAuth && (d.engine == Engine::MySQL || d.engine == Engine::PostgreSQL))
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
    if (auto v = g.pattern("host", "\\*|(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
                           "a host name (e.g. shop.example.com, *.example.com or *)"))
      app.gateway.host = *v;
    if (Reader t = g.obj("tls"); t.present()) {
      app.gateway.tlsSecret = t.nonEmpty("secretName");
      if (!t.has("secretName")) t.errorHere("secretName is required");
      if (auto v = t.boolean("httpsRedirect")) app.gateway.httpsRedirect = *v;
      t.done();
    }
    if (auto v = g.str("ingressClassName")) app.gateway.ingressClassName = *v;
    app.gateway.selector = g.strMap("selector");
    if (auto v = g.str("namespace")) app.gateway.namespace_ = *v;
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
  std::set<std::string> names;
  auto claim = [&](const std::string& path, const std::string& name) {
    if (name.empty()) return;
    if (!names.insert(name).second)
      spec.diags().error(path + ".name", "duplicate name \"" + name +
                                             "\": services, databases and messaging share one namespace of names");
  };
  spec.list("databases", [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      spec.diags().error(path, "must be an object");
      return;
    }
    app.databases.push_back(parseStore(Reader(&item, path, spec.diags()), false, app));
    claim(path, app.databases.back().name);
  });
  for (auto [list, max] : {std::pair<const char*, size_t>{"databases", kMaxDatabases}, {"messaging", kMaxBrokers}})
    if (const Json* l = spec.raw(list); l && l->is_array() && l->size() > max)
      spec.error(list, "at most " + std::to_string(max) + " entries in one ShopApp");
  spec.list("messaging", [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      spec.diags().error(path, "must be an object");
      return;
    }
    app.messaging.push_back(parseStore(Reader(&item, path, spec.diags()), true, app));
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
        continue;
      }
      Json merged = deepMerge(defaults, item);
      app.services.push_back(parseService(Reader(&merged, path, spec.diags()), app));
      claim(path, app.services.back().name);
    }
  }
  spec.done();
}

void defaultResources(Resources& r, const char* cpuReq, const char* memReq, const char* cpuLim,
                      const char* memLim) {
  if (!r.requests.cpu) r.requests.cpu = cpuReq;
  if (!r.requests.memory) r.requests.memory = memReq;
  if (!r.limits.cpu) r.limits.cpu = cpuLim;
  if (!r.limits.memory) r.limits.memory = r.requests.memory && !r.limits.memory ? memLim : memLim;
  if (!r.requests.ephemeralStorage) r.requests.ephemeralStorage = "64Mi";
  if (!r.limits.ephemeralStorage) r.limits.ephemeralStorage = "1Gi";
}

// Quantities to a comparable number (bytes or cores); -1 if unparsable.
double quantityValue(const std::string& q) {
  static const std::vector<std::pair<std::string, double>> suffixes = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6},
      {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
  for (const auto& [suf, mul] : suffixes) {
    if (q.size() > suf.size() && q.compare(q.size() - suf.size(), suf.size(), suf) == 0) {
      try {
        return std::stod(q.substr(0, q.size() - suf.size())) * mul;
      } catch (...) {
        return -1;
      }
    }
  }
  try {
    return std::stod(q);
  } catch (...) {
    return -1;
  }
}

void checkRequestsWithinLimits(Diagnostics& diags, const std::string& path, const Resources& r) {
  auto check = [&](const std::optional<std::string>& req, const std::optional<std::string>& lim,
                   const char* name) {
    if (req && lim && quantityValue(*req) > quantityValue(*lim))
      diags.error(path + ".resources.requests." + name,
                  "request " + *req + " is larger than the limit " + *lim);
  };
  check(r.requests.cpu, r.limits.cpu, "cpu");
  check(r.requests.memory, r.limits.memory, "memory");
  check(r.requests.ephemeralStorage, r.limits.ephemeralStorage, "ephemeral-storage");
}

void validateApp(ShopApp& app, Diagnostics& diags) {
  std::set<std::string> exposed;
  bool anyExposed = false, anyResilience = false;
  for (size_t i = 0; i < app.services.size(); ++i) {
    Service& s = app.services[i];
    const std::string path = "spec.services[" + std::to_string(i) + "]";
    for (size_t j = 0; j < s.dependsOn.size(); ++j) {
      const std::string& dep = s.dependsOn[j];
      const std::string dpath = path + ".dependsOn[" + std::to_string(j) + "]";
      if (dep == s.name) {
        diags.error(dpath, "a service cannot depend on itself");
      } else if (!app.findService(dep) && !app.findStore(dep)) {
        std::vector<std::string> cands;
        for (const auto& o : app.services) cands.push_back(o.name);
        for (const auto& o : app.databases) cands.push_back(o.name);
        for (const auto& o : app.messaging) cands.push_back(o.name);
        std::string msg = "\"" + dep + "\" is not a service, database or message broker of this app";
        if (auto c = closest(dep, cands)) msg += " (did you mean \"" + *c + "\"?)";
        diags.error(dpath, msg);
      } else if (std::count(s.dependsOn.begin(), s.dependsOn.end(), dep) > 1 &&
                 std::find(s.dependsOn.begin(), s.dependsOn.end(), dep) - s.dependsOn.begin() !=
                     static_cast<long>(j)) {
        diags.error(dpath, "\"" + dep + "\" is listed twice");
      }
    }
    if (s.expose) {
      anyExposed = true;
      if (!app.gateway.enabled)
        diags.error(path + ".expose", "the gateway is disabled: set spec.gateway.enabled: true to expose services");
      if (s.ports.empty()) diags.error(path + ".expose", "a service without ports cannot be exposed");
      for (const auto& p : s.expose->paths)
        if (!exposed.insert(p).second)
          diags.error(path + ".expose.paths", "path \"" + p + "\" is already routed to another service");
      if (s.expose->port) {
        bool found = false;
        for (const auto& p : s.ports) found |= p.name == *s.expose->port || std::to_string(p.port) == *s.expose->port;
        if (!found) diags.error(path + ".expose.port", "\"" + *s.expose->port + "\" is not one of this service's ports");
      }
    }
    if (s.scrape.enabled && s.scrape.port) {
      bool found = false;
      for (const auto& p : s.ports)
        found |= p.name == *s.scrape.port || std::to_string(p.port) == *s.scrape.port ||
                 std::to_string(p.targetPort) == *s.scrape.port;
      if (!found) diags.error(path + ".metrics.port", "\"" + *s.scrape.port + "\" is not one of this service's ports");
    }
    if (s.expose && s.expose->rewrite && !app.mesh.enabled)
      diags.warning(path + ".expose.rewrite", "rewrites need the Istio gateway (spec.mesh.enabled); an Ingress does not rewrite paths");
    // probes: default to TCP on the first port; without ports they must be given
    auto checkProbePort = [&](const std::optional<Probe>& p, const char* which) {
      if (!p) return;
      std::string port = p->http ? p->http->port : p->tcpPort.value_or("");
      if (p->exec) return;
      const std::string ppath = path + ".probes." + which;
      if (port.empty()) {
        if (s.ports.empty()) diags.error(ppath, "port is required: this service declares no ports");
        return;
      }
      bool numeric = std::all_of(port.begin(), port.end(), ::isdigit);
      if (numeric) return;
      bool found = false;
      for (const auto& sp : s.ports) found |= sp.name == port;
      if (!found) diags.error(ppath, "port \"" + port + "\" is not the name of one of this service's ports");
    };
    checkProbePort(s.probes.liveness, "liveness");
    checkProbePort(s.probes.readiness, "readiness");
    checkProbePort(s.probes.startup, "startup");
    if (s.ports.empty() && (!s.probes.liveness || !s.probes.readiness))
      diags.error(path + ".probes", "a service without ports needs explicit liveness and readiness probes (exec)");
    // autoscaling
    if (s.autoscaling.enabled) {
      if (s.autoscaling.min > s.autoscaling.max)
        diags.error(path + ".autoscaling.min", "min (" + std::to_string(s.autoscaling.min) +
                                                   ") is larger than max (" + std::to_string(s.autoscaling.max) + ")");
      if (!s.autoscaling.cpu && !s.autoscaling.memory) s.autoscaling.cpu = 80;
    }
    // storage
    int maxPods = s.autoscaling.enabled ? s.autoscaling.max : s.replicas;
    std::set<std::string> mounts;
    auto mount = [&](const std::string& p, const std::string& where) {
      if (!p.empty() && !mounts.insert(p).second)
        diags.error(where, "\"" + p + "\" is mounted twice (storage, writablePaths and config files must not overlap)");
    };
    for (size_t v = 0; v < s.storage.size(); ++v) {
      const auto& vol = s.storage[v];
      const std::string vpath = path + ".storage[" + std::to_string(v) + "]";
      if (maxPods > 1 && (vol.accessMode == "ReadWriteOnce" || vol.accessMode == "ReadWriteOncePod") && !vol.existingClaim)
        diags.error(vpath + ".accessMode", "a " + vol.accessMode + " volume cannot be shared by " +
                                               std::to_string(maxPods) +
                                               " replicas on different nodes: use ReadWriteMany, or run one replica");
      mount(vol.path, vpath + ".path");
    }
    for (size_t w = 0; w < s.writablePaths.size(); ++w)
      mount(s.writablePaths[w], path + ".writablePaths[" + std::to_string(w) + "]");
    for (size_t f = 0; f < s.config.files.size(); ++f)
      mount(s.config.files[f].path, path + ".config.files[" + std::to_string(f) + "].path");
    // security
    if (app.security.podSecurity == "restricted")
      for (const auto& cap : s.security.addCapabilities)
        if (cap != "NET_BIND_SERVICE")
          diags.error(path + ".security.addCapabilities",
                      "\"" + cap + "\" is not allowed by Pod Security \"restricted\" (only NET_BIND_SERVICE)");
    defaultResources(s.resources, "100m", "128Mi", "500m", "512Mi");
    checkRequestsWithinLimits(diags, path, s.resources);
    if (s.resilience.retries || s.resilience.timeout || s.resilience.faults ||
        s.resilience.connectionPool || s.resilience.outlierDetection)
      anyResilience = true;
    if (s.replicas == 0 && !s.autoscaling.enabled)
      diags.warning(path + ".replicas", "0 replicas: the service is scaled to zero");
  }
  if (app.gateway.enabled && app.gateway.tlsSecret && !app.gateway.httpsRedirect && !app.mesh.enabled)
    diags.warning("spec.gateway.tls.httpsRedirect", "the Ingress path leaves redirects to the ingress controller's own settings");
  if (app.gateway.enabled && !anyExposed)
    diags.warning("spec.gateway", "the gateway is enabled but no service sets expose.paths");
  if (!app.mesh.enabled && anyResilience)
    diags.warning("spec.mesh.enabled",
                  "resilience settings (retries, timeouts, faults, circuit breakers) need the Istio mesh; "
                  "they are not rendered while the mesh is disabled");
  auto storeDefaults = [&](std::vector<DataStore>& stores, const char* list) {
    for (size_t i = 0; i < stores.size(); ++i) {
      DataStore& d = stores[i];
      const std::string path = std::string("spec.") + list + "[" + std::to_string(i) + "]";
      const bool jvm = d.engine == Engine::Kafka;
      defaultResources(d.resources, jvm ? "500m" : "250m", jvm ? "1Gi" : "256Mi", jvm ? "2" : "1",
                       jvm ? "2Gi" : "1Gi");
      checkRequestsWithinLimits(diags, path, d.resources);
      if (app.security.podSecurity == "restricted")
        for (const auto& cap : d.security.addCapabilities)
          if (cap != "NET_BIND_SERVICE")
            diags.error(path + ".security.addCapabilities",
                        "\"" + cap + "\" is not allowed by Pod Security \"restricted\" (only NET_BIND_SERVICE)");
    }
  };
  storeDefaults(app.databases, "databases");
  storeDefaults(app.messaging, "messaging");
}

ParseResult parseJson(const Json& root, const ParseOptions& opts) {
  ParseResult res;
  ShopApp app;
  Diagnostics& diags = res.diags;
  if (!root.is_object()) {
    diags.error("", "a ShopApp must be an object, not " + jsonTypeName(root));
    return res;
  }
  Reader top(&root, "", diags);
  auto apiVersion = top.str("apiVersion");
  if (!apiVersion) {
    if (!top.has("apiVersion")) diags.error("apiVersion", std::string("is required: ") + kApiVersion);
  } else if (*apiVersion != kApiVersion) {
    diags.error("apiVersion", "\"" + *apiVersion + "\" is not supported: use " + kApiVersion);
  }
  auto kind = top.str("kind");
  if (!kind) {
    if (!top.has("kind")) diags.error("kind", "is required: ShopApp");
  } else if (*kind != kKind) {
    diags.error("kind", "\"" + *kind + "\" is not a ShopApp");
  }
  // metadata is read leniently: objects from a cluster carry many server-owned fields
  const Json* meta = top.raw("metadata");
  if (!meta || !meta->is_object()) {
    diags.error("metadata", "is required, with a name");
  } else {
    Reader m(meta, "metadata", diags);
    if (auto n = m.nonEmpty("name")) {
      app.name = *n;
      checkName(m, "name", *n);
    } else if (!m.has("name")) {
      diags.error("metadata.name", "is required");
    }
    if (auto ns = m.str("namespace")) {
      if (!isDnsLabel(*ns)) m.error("namespace", "\"" + *ns + "\" is not a valid namespace name");
      app.namespace_ = *ns;
    }
    if (auto g = m.integer("generation", 0, INT64_MAX)) app.generation = *g;
    if (auto u = m.str("uid")) app.uid = *u;
  }
  if (app.namespace_.empty()) app.namespace_ = opts.defaultNamespace;
  top.raw("status");
  Reader spec = top.obj("spec");
  if (!spec.present()) {
    if (!top.has("spec")) diags.error("spec", "is required");
  } else {
    parseSpec(spec, app);
  }
  top.done();
  if (!diags.hasErrors()) validateApp(app, diags);
  if (!diags.hasErrors()) res.app = std::move(app);
  return res;
}

}  // namespace

const EngineInfo& engineInfo(Engine e) { return kEngines[static_cast<int>(e)]; }

const char* engineName(Engine e) { return engineInfo(e).name; }

std::optional<Engine> engineFromName(const std::string& s) {
  for (int i = 0; i < 6; ++i)
    if (s == kEngines[i].name) return static_cast<Engine>(i);
  return std::nullopt;
}

int Service::scrapeContainerPort() const {
  if (ports.empty()) return 0;
  if (!scrape.port) return ports[0].targetPort;
  for (const auto& p : ports)
    if (p.name == *scrape.port || std::to_string(p.port) == *scrape.port) return p.targetPort;
  for (const auto& p : ports)
    if (std::to_string(p.targetPort) == *scrape.port) return p.targetPort;
  return ports[0].targetPort;  // validation rejects anything else
}

const Service* ShopApp::findService(const std::string& n) const {
  for (const auto& s : services)
    if (s.name == n) return &s;
  return nullptr;
}

const DataStore* ShopApp::findStore(const std::string& n) const {
  for (const auto& d : databases)
    if (d.name == n) return &d;
  for (const auto& d : messaging)
    if (d.name == n) return &d;
  return nullptr;
}

ParseResult parseShopApp(const Json& obj, const ParseOptions& opts) { return parseJson(obj, opts); }

ParseResult parseShopApp(const YamlDocument& doc, const ParseOptions& opts) {
  ParseResult res = parseJson(doc.value, opts);
  locate(res.diags, doc);
  // Report in the order a reader meets the problems in the file.
  auto& items = res.diags.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.col < b.pos.col;
  });
  return res;
}

ParseResult loadShopAppFile(const std::string& path, const ParseOptions& opts) {
  YamlLoadResult loaded = loadYamlFile(path);
  ParseResult res;
  if (!loaded.ok()) {
    res.diags.add(*loaded.error);
    return res;
  }
  if (loaded.documents.empty()) {
    Diagnostic d{Severity::Error, loaded.error ? "" : (path == "-" ? "<stdin>" : path), {}, "",
                 "no ShopApp found: the file is empty"};
    res.diags.add(d);
    return res;
  }
  if (loaded.documents.size() > 1) {
    Diagnostic d{Severity::Error, loaded.documents[1].file, loaded.documents[1].start, "",
                 "expected one ShopApp, found " + std::to_string(loaded.documents.size()) +
                     " documents (render one app per file)"};
    res.diags.add(d);
    return res;
  }
  return parseShopApp(loaded.documents[0], opts);
}

}  // namespace shop
