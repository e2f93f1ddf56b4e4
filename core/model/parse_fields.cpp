// Helpers and the small pieces of a ShopApp: resources, probes, env, autoscaling, resilience,
// security overrides.
#include "core/model/parse_detail.hpp"

#include <algorithm>

#include "core/util/match.hpp"
#include "core/util/text.hpp"

namespace shop::parse_detail {

// ---- helpers -------------------------------------------------------------------------

void checkName(Reader& r, const std::string& key, const std::string& value) {
  if (value.size() > kMaxNameLen || !match::dns1035Label(value)) {
    r.error(key, quotedValue(value) + " is not a valid name: use lower-case letters, digits and '-', start with a "
                     "letter, end with a letter or digit, at most " +
                     std::to_string(kMaxNameLen) + " characters");
  }
}

// Returns an error message for an image reference, or "" when it is pinned and well formed.
std::string imageProblem(const std::string& image, bool allowLatest) {
  if (image.size() > kMaxImageLen)
    return "image reference of " + std::to_string(image.size()) + " characters is too long (at most " +
           std::to_string(kMaxImageLen) + ")";
  if (!match::imageReference(image)) return quotedValue(image) + " is not a valid image reference";
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

bool secretLooking(const std::string& name) { return match::secretLookingName(name); }

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
    h.list("headers", [&](const std::string& hp, const Json& item) {
      if (!item.is_object()) {
        h.diags().error(hp, "must be an object with a name and a value");
        return;
      }
      Reader hr(&item, hp, h.diags());
      HttpHeader header;
      header.name = hr.nonEmpty("name").value_or("");
      if (!hr.has("name")) hr.errorHere("name is required");
      // An HTTP header name is a token (RFC 9110): visible ASCII but separators.
      static const std::string kSeparators = "\"(),/:;<=>?@[\\]{}";
      for (char ch : header.name)
        if (ch <= 32 || ch >= 127 || kSeparators.find(ch) != std::string::npos) {
          hr.error("name", quotedValue(header.name) + " is not a valid HTTP header name");
          break;
        }
      header.value = hr.str("value").value_or("");
      if (header.value.find_first_of("\r\n") != std::string::npos) hr.error("value", "must be one line");
      hr.done();
      g.headers.push_back(header);
    });
    h.done();
    p.http = g;
  }
  if (auto t = r.obj("tcp"); t.present()) {
    ++kinds;
    p.tcpPort = t.intOrString("port").value_or("");
    t.done();
  }
  if (auto g = r.obj("grpc"); g.present()) {
    ++kinds;
    GrpcCheck check;
    check.port = g.intOrString("port").value_or("");
    check.service = g.str("service");
    g.done();
    p.grpc = check;
  }
  if (r.has("exec")) {
    ++kinds;
    auto cmd = r.strList("exec");
    if (cmd.empty()) r.error("exec", "must list the command and its arguments");
    p.exec = cmd;
  }
  if (kinds != 1) r.errorHere("set exactly one of http, tcp, grpc or exec");
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
  if (const Json* list = parent.raw(key); list && list->is_array() && list->size() > kMaxEnv)
    parent.error(key, std::to_string(list->size()) + " variables; at most " + std::to_string(kMaxEnv) + " (the CRD's bound)");
  parent.list(key, [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      parent.diags().error(path, "must be an object with a name and a value, secret or configMap");
      return;
    }
    Reader r(&item, path, parent.diags());
    EnvVar e;
    e.name = r.nonEmpty("name").value_or("");
    if (!r.has("name")) r.errorHere("name is required");
    if (!e.name.empty() && !match::envVarName(e.name))
      r.error("name", quotedValue(e.name) + " is not a valid environment variable name");
    if (!e.name.empty() && !seen.insert(e.name).second)
      r.error("name", "duplicate environment variable \"" + e.name + "\"");
    int sources = 0;
    if (r.has("value")) {
      ++sources;
      const Json* v = r.raw("value");
      if (v->is_string()) {
        e.value = v->get<std::string>();
        if (e.value->size() > kMaxEnvValue)
          r.error("value", "is " + std::to_string(e.value->size()) + " bytes; at most " + std::to_string(kMaxEnvValue) +
                               " (the CRD's bound): put a large value in config.files");
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
              quotedValue(e.name) + " looks like a credential; never put it in plain text: use secret: {name: ..., "
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

Autoscaling derivedAutoscaling(int replicas, const std::vector<Volume>& storage) {
  Autoscaling a;
  // Stateless workloads scale with load unless the ShopApp says otherwise: replicas is the
  // floor, twice that the ceiling, at 80% of the CPU request. (One that holds a single-node
  // volume cannot scale out, so it gets no autoscaler by default.)
  if (replicas > 0 && std::none_of(storage.begin(), storage.end(), [](const Volume& v) {
        return !v.existingClaim && (v.accessMode == "ReadWriteOnce" || v.accessMode == "ReadWriteOncePod");
      })) {
    a.enabled = true;
    a.min = replicas;
    a.max = replicas * 2;
    a.cpu = 80;
  }
  return a;
}

void parseVersions(Reader& r, Service& s, const ShopApp& app, bool autoscalingGiven) {
  const Json* raw = r.raw("versions");
  if (raw->is_array() && raw->empty()) r.error("versions", "list at least one version, or leave versions out");
  if (raw->is_array() && raw->size() > kMaxVersions)
    r.error("versions", "at most " + std::to_string(kMaxVersions) + " versions of one service");
  std::set<std::string> names;
  std::vector<std::string> paths;  // of each version read
  r.list("versions", [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      r.diags().error(path, "must be an object such as {name: v1} or {name: v2, image: ..., weight: 10}");
      return;
    }
    Reader v(&item, path, r.diags());
    ServiceVersion ver;
    ver.name = v.nonEmpty("name").value_or("");
    if (!v.has("name")) v.errorHere("name is required");
    if (!ver.name.empty()) {
      if (!isDnsLabel(ver.name, kMaxVersionNameLen))
        v.error("name", quotedValue(ver.name) + " must be a DNS label of at most " + std::to_string(kMaxVersionNameLen) +
                            " characters (lower-case letters, digits and '-', e.g. v2)");
      else if (!names.insert(ver.name).second)
        v.error("name", "duplicate version \"" + ver.name + "\" of service \"" + s.name + "\"");
    }
    ver.image = v.nonEmpty("image").value_or(s.image);
    if (v.has("image") && !ver.image.empty()) {
      auto problem = imageProblem(ver.image, app.security.allowLatestTag);
      if (!problem.empty()) v.error("image", problem);
    }
    ver.replicas = v.int32("replicas", 0, 1000).value_or(s.replicas);
    ver.weight = v.int32("weight", 0, 100);
    // The service's variables, each overridden by the version's of the same name; the version's
    // others after them.
    ver.env = s.env;
    for (auto& e : parseEnv(v, "env")) {
      auto same = std::find_if(ver.env.begin(), ver.env.end(), [&](const EnvVar& o) { return o.name == e.name; });
      if (same != ver.env.end()) *same = std::move(e);
      else ver.env.push_back(std::move(e));
    }
    ver.labels = v.strMap("labels");
    checkLabels(v, "labels", ver.labels, true);
    if (ver.labels.count(kVersionLabel))
      v.diags().error(childPath(v.at("labels"), kVersionLabel),
                      "is set by shopctl to the version's name (it selects the version's pods); remove it");
    ver.podAnnotations = v.strMap("podAnnotations");
    if (autoscalingGiven) {
      ver.autoscaling = s.autoscaling;
      if (ver.autoscaling.enabled && !ver.autoscaling.cpu && !ver.autoscaling.memory) ver.autoscaling.cpu = 80;
    } else {
      ver.autoscaling = derivedAutoscaling(ver.replicas, s.storage);
    }
    v.done();
    s.versions.push_back(std::move(ver));
    paths.push_back(path);
  });
  if (s.versions.empty()) return;
  if (s.labels.count(kVersionLabel))
    r.diags().error(childPath(r.at("labels"), kVersionLabel),
                    "a service with versions labels each version's pods version: <name>; remove this label");
  // Weights: on every version or on none; when given, they add up to 100.
  const auto weighted = std::count_if(s.versions.begin(), s.versions.end(), [](const ServiceVersion& v) { return v.weight.has_value(); });
  if (weighted > 0 && weighted < static_cast<long>(s.versions.size())) {
    for (size_t i = 0; i < s.versions.size(); ++i)
      if (!s.versions[i].weight)
        r.diags().error(childPath(paths[i], "weight"), "is required: give a weight to every version or to none (" +
                                      std::to_string(weighted) + " of " + std::to_string(s.versions.size()) + " have one)");
  } else if (weighted > 0) {
    int sum = 0;
    for (const auto& v : s.versions) sum += *v.weight;
    if (sum != 100)
      r.error("versions", "the weights add up to " + std::to_string(sum) + "; they must add up to 100");
    else if (!app.mesh.enabled)
      r.warning("versions", "weights need the Istio mesh (spec.mesh.enabled); without it the Service spreads "
                            "requests over every version's pods in proportion to their replicas");
  }
  // One claim of a single-node volume cannot serve the pods of several versions.
  if (s.versions.size() > 1)
    for (size_t i = 0; i < s.storage.size(); ++i) {
      const Volume& vol = s.storage[i];
      if (!vol.existingClaim && (vol.accessMode == "ReadWriteOnce" || vol.accessMode == "ReadWriteOncePod"))
        r.diags().error(indexPath(r.at("storage"), i) + ".accessMode",
                        "a " + vol.accessMode + " volume cannot be shared by the pods of " +
                            std::to_string(s.versions.size()) + " versions: use ReadWriteMany, or one version");
    }
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
        bool status = tok.size() == 3 && std::all_of(tok.begin(), tok.end(), ::isdigit) &&
                      std::stoi(tok) >= 100 && std::stoi(tok) <= 599;
        if (!status && !retryOnPolicies().count(tok)) {
          std::vector<std::string> cands(retryOnPolicies().begin(), retryOnPolicies().end());
          std::string msg = quotedValue(tok) + " is not a retry condition Istio accepts";
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
  for (size_t i = 0; i < s.addCapabilities.size(); ++i)
    if (!match::capabilityName(s.addCapabilities[i]))
      r.diags().error(indexPath(r.at("addCapabilities"), i),
                      quotedValue(s.addCapabilities[i]) + " is not a capability name (e.g. NET_BIND_SERVICE)");
  r.done();
  return s;
}

void checkLabels(Reader& r, const std::string& key, const std::map<std::string, std::string>& labels,
                 bool reservedForShopctl) {
  for (const auto& [k, v] : labels) {
    const std::string where = childPath(r.at(key), k);
    if (k.size() > 317 || !match::labelKey(k)) r.diags().error(where, quotedValue(k) + " is not a valid label key");
    else if (reservedForShopctl && (k.rfind("app.kubernetes.io/", 0) == 0 || k.rfind("shopctl.io/", 0) == 0))
      r.diags().error(where, quotedValue(k) + " is set by shopctl (it selects the pods); choose another key");
    if (!match::labelValue(v))
      r.diags().error(where, quotedValue(v) + " is not a valid label value (at most 63 characters: letters, digits, '-', '_', '.')");
  }
}

Placement parsePlacement(Reader& r) {
  Placement p;
  if (const Json* ns = r.raw("nodeSelector"); ns && ns->is_object() && ns->size() > 20)
    r.error("nodeSelector", "at most 20 labels");
  p.nodeSelector = r.strMap("nodeSelector");
  checkLabels(r, "nodeSelector", p.nodeSelector, false);
  if (const Json* ts = r.raw("tolerations"); ts && ts->is_array() && ts->size() > 20)
    r.error("tolerations", "at most 20 tolerations");
  r.list("tolerations", [&](const std::string& path, const Json& item) {
    if (!item.is_object()) {
      r.diags().error(path, "must be an object with key, operator, value, effect");
      return;
    }
    Reader t(&item, path, r.diags());
    Toleration tol;
    tol.key = t.str("key").value_or("");
    if (auto o = t.oneOf("operator", {"Equal", "Exists"})) tol.op = *o;
    tol.value = t.str("value").value_or("");
    tol.effect = t.oneOf("effect", {"NoSchedule", "PreferNoSchedule", "NoExecute"}).value_or("");
    tol.seconds = t.integer("tolerationSeconds", 0, 31536000);
    if (!tol.key.empty() && (tol.key.size() > 317 || !match::labelKey(tol.key)))
      t.error("key", quotedValue(tol.key) + " is not a valid taint key");
    if (tol.key.empty() && tol.op != "Exists")
      t.errorHere("a toleration without a key matches every taint and needs operator: Exists");
    if (tol.op == "Exists" && !tol.value.empty())
      t.error("value", "operator Exists matches any value: remove value");
    if (!tol.value.empty() && !match::labelValue(tol.value))
      t.error("value", quotedValue(tol.value) + " is not a valid taint value (at most 63 characters: letters, digits, '-', '_', '.')");
    if (tol.seconds && tol.effect != "NoExecute")
      t.error("tolerationSeconds", "only applies to effect NoExecute (how long the pod stays on a node after the taint)");
    t.done();
    p.tolerations.push_back(tol);
  });
  return p;
}

void checkAbsolutePath(Reader& r, const std::string& key, const std::string& p) {
  if (p.empty() || p[0] != '/' || p.find("..") != std::string::npos)
    r.error(key, quotedValue(p) + " must be an absolute path without '..'");
}

// Keys a service may take from spec.defaults.
const std::vector<std::string>& policyKeys() {
  static const std::vector<std::string> k = {
      "replicas", "resources", "autoscaling", "resilience", "imagePullPolicy",
      "terminationGracePeriodSeconds", "spread", "priorityClassName", "writableSizeLimit",
      "nodeSelector", "tolerations"};
  return k;
}


}  // namespace shop::parse_detail
