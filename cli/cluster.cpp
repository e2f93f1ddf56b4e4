#include "cli/cluster.hpp"

#include <ctime>

#include "cli/global_options.hpp"
#include "cli/request_log.hpp"
#include "core/diff/objects.hpp"
#include "kube/config.hpp"
#include "kube/log.hpp"
#include "kube/transport.hpp"

namespace shop::cli {

namespace {
// The cluster connectCluster() connected to, for failRequest's "cannot reach" message (a CLI
// process talks to one cluster).
std::optional<kube::Config> connected;
std::string connectedTimeout;  // --request-timeout as given, for timedOutMessage()
ClusterFlags leading;

// A CLI11 check of a flag's value through one of the parsers of cli/global_options.hpp; CLI11
// prints "--flag: <why>" and main() exits 2.
template <typename T>
CLI::Validator valueCheck(bool (*parse)(const std::string&, T&, std::string&), const std::string& what) {
  return CLI::Validator(
      [parse](std::string& s) {
        T v{};
        std::string why;
        return parse(s, v, why) ? std::string() : why;
      },
      what);
}
}  // namespace

void addClusterFlags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--kubeconfig", f.kubeconfig, "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)");
  cmd->add_option("--context", f.context, "The kubeconfig context to use (default: the current context)");
  cmd->add_option("--request-timeout", f.requestTimeout,
                  "How long one API request may take, retries included: 30s, 1m, 500ms; 0 = no limit (as kubectl). "
                  "Not given: 10s to connect, 30s without data")
      ->check(valueCheck<std::chrono::milliseconds>(parseRequestTimeout, "DURATION"));
  cmd->add_option("-v,--v", f.verbosity,
                  "Log level (as kubectl's): 6 logs each API request (method, URL, status, duration) to stderr, "
                  "8 also the bodies (cut at 1 KiB; a Secret's data never)")
      ->check(valueCheck<int>(parseVerbosity, "N"));
}

void setLeadingClusterFlags(const ClusterFlags& f) { leading = f; }

ClusterFlags effectiveClusterFlags(const ClusterFlags& f) {
  ClusterFlags e = f;
  if (e.kubeconfig.empty()) e.kubeconfig = leading.kubeconfig;
  if (e.context.empty()) e.context = leading.context;
  if (e.requestTimeout.empty()) e.requestTimeout = leading.requestTimeout;
  if (e.verbosity.empty()) e.verbosity = leading.verbosity;
  return e;
}

Cluster connectCluster(const ClusterFlags& given, bool dryRunOnly) {
  const ClusterFlags f = effectiveClusterFlags(given);
  // The client library logs for an operator; a CLI only wants its own messages.
  kube::setLogLevel(kube::Level::Error);
  kube::setLogText(true);
  auto cfg = kube::loadConfig(f.kubeconfig, f.context);
  if (!cfg.config) {
    std::cerr << "shopctl: cannot reach a cluster: " << cfg.error << "\n";
    throw ExitRequest{kRuntime};
  }
  Cluster c;
  c.config = *cfg.config;
  connected = c.config;
  kube::TransportOptions o;
  o.userAgent = "shopctl/" SHOPCTL_VERSION;
  o.maxRetries = 3;
  std::string why;
  if (!f.requestTimeout.empty()) {
    std::chrono::milliseconds t{};
    if (!parseRequestTimeout(f.requestTimeout, t, why)) {  // (checked when the flags were read)
      std::cerr << "shopctl: --request-timeout: " << why << "\n";
      throw ExitRequest{kUsage};
    }
    connectedTimeout = f.requestTimeout;
    if (t.count() == 0) {
      // kubectl's 0: no limit on a request. Connecting still gives up (after 30s, as kubectl's
      // dialer); the wait for data is not bounded (a week stands for "never").
      o.connectTimeout = std::chrono::seconds(30);
      o.timeout = std::chrono::hours(24 * 7);
    } else {
      o.requestTimeout = t;
    }
  }
  int level = 0;
  if (!f.verbosity.empty() && !parseVerbosity(f.verbosity, level, why)) {
    std::cerr << "shopctl: -v: " << why << "\n";
    throw ExitRequest{kUsage};
  }
  if (level >= 6) {
    o.onExchange = [level](const kube::Exchange& x) {
      for (const auto& line : requestLogLines(x, level, klogTime())) std::cerr << line << "\n";
      std::cerr << std::flush;
    };
  }
  if (dryRunOnly) {
    // apply --dry-run=server: a write without dryRun=All would change the cluster; the
    // transport does not send it (it would be a bug in shopctl, reported as an error).
    o.dryRunOnly = true;
  }
  c.transport = std::make_shared<kube::Transport>(c.config, o);
  c.client = std::make_unique<kube::Client>(c.transport);
  return c;
}

std::string timedOutMessage(const kube::Config& cfg, const std::string& flagValue) {
  std::string where = cfg.context.empty() ? "(" + (cfg.source.empty() ? std::string("in-cluster") : cfg.source) + " config)"
                                          : "(kubeconfig context \"" + cfg.context + "\")";
  std::string shown = flagValue;
  if (!shown.empty() && shown.find_first_not_of("0123456789") == std::string::npos) shown += "s";
  return "the API server at " + serverHostPort(cfg.server) + " " + where + " did not answer within " + shown +
         " (--request-timeout=" + flagValue + ")\n"
         "  Is the cluster running and reachable? A slow API server may need a longer --request-timeout (0: no limit).";
}

std::string noAnswerMessage(const kube::Result& r) {
  if (!connected) return r.error.empty() ? "no response" : r.error;
  if (r.timedOut) return timedOutMessage(*connected, connectedTimeout);
  return unreachableMessage(*connected, r.error);
}

void failRequest(const std::string& what, const kube::Result& r) {
  if (r.code == 0 && connected && !r.fenced) {
    std::cerr << "shopctl: " << noAnswerMessage(r) << "\n";
    throw ExitRequest{kRuntime};
  }
  std::cerr << "shopctl: " << what << ": " << r.message() << "\n";
  throw ExitRequest{r.code == 400 || r.code == 422 ? kUsage : kRuntime};
}

std::string serverHostPort(const std::string& server) {
  std::string s = server;
  std::string defaultPort = "443";
  if (const auto p = s.find("://"); p != std::string::npos) {
    if (s.compare(0, p, "http") == 0) defaultPort = "80";
    s = s.substr(p + 3);
  }
  if (const auto slash = s.find('/'); slash != std::string::npos) s = s.substr(0, slash);
  // A port follows the last ':' unless that ':' is inside an IPv6 literal ("[::1]").
  const auto colon = s.rfind(':');
  const auto bracket = s.rfind(']');
  const bool hasPort = colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  return hasPort ? s : s + ":" + defaultPort;
}

std::string unreachableMessage(const kube::Config& cfg, const std::string& transportError) {
  std::string where = cfg.context.empty() ? "(" + (cfg.source.empty() ? std::string("in-cluster") : cfg.source) + " config)"
                                          : "(kubeconfig context \"" + cfg.context + "\")";
  // kube/transport.cpp words the transport's errors (describe()).
  std::string why = transportError;
  bool connect = false;
  if (why == kube::kErrConnectionRefused) {
    why = "the connection was refused (or the host is unreachable)";
    connect = true;
  } else if (why == kube::kErrConnectionTimedOut) {
    why = "the connection timed out";
    connect = true;
  } else if (why.empty()) {
    why = "no response";
  }
  std::string out = "cannot reach the cluster at " + serverHostPort(cfg.server) + " " + where + ": " + why;
  if (connect)
    out += "\n  Is the cluster running? Is this the right kubeconfig and context? Check with\n"
           "  `kubectl config current-context` and `kubectl cluster-info`; choose another with\n"
           "  --context, --kubeconfig or KUBECONFIG.";
  return out;
}

std::string crdMissingMessage() {
  return "the ShopApp CRD (shopapps.shopctl.io) is not installed in this cluster; install it first:\n"
         "  kubectl apply --server-side -f crds/shopapps.shopctl.io.yaml\n"
         "(the file is in shopctl's source tree; docs/operator.md installs it with the operator)";
}

bool shopAppCrdInstalled(Cluster& c) {
  const auto& r = kube::resources::ShopApp;
  kube::Result got = c.client->raw("/apis/" + r.group + "/" + r.version);
  if (got.notFound()) return false;
  if (!got.ok()) failRequest("asking the API server for " + r.plural + "." + r.group, got);
  for (const auto& res : got.body.value("resources", Json::array()))
    if (res.is_object() && res.value("name", "") == r.plural) return true;
  return false;
}

void exitIfNoShopAppCrd(Cluster& c) {
  if (shopAppCrdInstalled(c)) return;
  std::cerr << "shopctl: " << crdMissingMessage() << "\n";
  throw ExitRequest{kRuntime};
}

YamlDocument loadAppDocument(const std::string& file, const std::string& requestedNamespace) {
  Diagnostics diags;
  if (auto why = unreadableReason(file); !why.empty()) {
    diags.add({Severity::Error, file, {}, "", "cannot read: " + why});
    printDiagnostics(diags);
    throw ExitRequest{kUsage};
  }
  YamlLoadResult loaded = loadYamlFile(file);
  const std::string shown = file == "-" ? "<stdin>" : file;
  if (!loaded.ok()) {
    diags.add(*loaded.error);
  } else if (loaded.documents.empty()) {
    diags.add({Severity::Error, shown, {}, "", "no ShopApp found: the file is empty"});
  } else if (loaded.documents.size() > 1) {
    diags.add({Severity::Error, loaded.documents[1].file, loaded.documents[1].start, "",
               "expected one ShopApp, found " + std::to_string(loaded.documents.size()) + " documents (one app per file)"});
  } else {
    const YamlDocument& doc = loaded.documents[0];
    // -n against the file's namespace is refused even with --validate=false, as kubectl does.
    const Json meta = doc.value.is_object() ? doc.value.value("metadata", Json::object()) : Json::object();
    if (meta.is_object() && meta.contains("namespace") && meta["namespace"].is_string()) {
      if (auto why = namespaceMismatch(meta["namespace"].get<std::string>(), requestedNamespace); !why.empty()) {
        Diagnostic d{Severity::Error, "", {}, "metadata.namespace", why};
        locate(d, doc);
        diags.add(d);
      }
    }
    if (!diags.hasErrors()) return std::move(loaded.documents[0]);
  }
  printDiagnostics(diags);
  throw ExitRequest{kUsage};
}

LoadedApp loadApp(const std::string& file, const std::string& requestedNamespace, bool allowInvalid) {
  LoadedApp out;
  const YamlDocument doc = loadAppDocument(file, requestedNamespace);
  ParseOptions po;
  po.defaultNamespace = "default";
  po.requestedNamespace = requestedNamespace;
  ParseResult parsed = parseShopApp(doc, po);
  out.diags = parsed.diags;
  out.app = parsed.app;
  if (doc.value.is_object()) {
    Json d = diff::stripServerFields(doc.value);
    if (d.contains("metadata") && d["metadata"].is_object()) {
      d["metadata"].erase("ownerReferences");
      if (!d["metadata"].contains("namespace"))
        d["metadata"]["namespace"] = requestedNamespace.empty() ? po.defaultNamespace : requestedNamespace;
    }
    out.document = d;
  }
  if (allowInvalid && out.diags.hasErrors() && out.document.is_object()) {
    // Sent anyway (--validate=false): say so, and keep the findings as warnings.
    std::cerr << "shopctl: not validated (--validate=false); shopctl would reject it for:\n";
    for (auto& d : out.diags.items()) d.severity = Severity::Warning;
    printDiagnostics(out.diags);
    return out;
  }
  printDiagnostics(out.diags);
  if (out.diags.hasErrors()) throw ExitRequest{kUsage};
  return out;
}

std::string age(const std::string& t) {
  std::tm tm{};
  if (t.size() < 19 || !strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return "";
  const time_t then = timegm(&tm);
  const long s = static_cast<long>(std::difftime(std::time(nullptr), then));
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  if (s < 3 * 3600) return std::to_string(s / 60) + "m";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

bool parseDuration(const std::string& s, std::chrono::milliseconds& out) {
  // "90" (seconds) or h/m/s parts in that order, each at most once: "1h", "2m30s", "1h0m5s".
  // At most 9 digits a number, so nothing overflows; a hand parser, not a regex, so a long
  // argument costs no stack.
  constexpr size_t kMaxDigits = 9;
  if (s.empty()) return false;
  long long secs = 0;
  size_t i = 0;
  int nextUnit = 0;  // index into "hms" of the next unit allowed
  while (i < s.size()) {
    const size_t start = i;
    long long n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start < kMaxDigits) n = n * 10 + (s[i] - '0');  // a longer number is refused below
      ++i;
    }
    const size_t digits = i - start;
    if (digits == 0 || digits > kMaxDigits) return false;
    if (i == s.size()) {  // a bare number: only as the whole argument
      if (start != 0) return false;
      secs = n;
      break;
    }
    static constexpr char kUnits[] = "hms";
    static constexpr long long kScale[] = {3600, 60, 1};
    int u = nextUnit;
    while (u < 3 && kUnits[u] != s[i]) ++u;
    if (u == 3) return false;
    secs += n * kScale[u];
    nextUnit = u + 1;
    ++i;
  }
  out = std::chrono::seconds(secs);
  return true;
}

const Json* findCondition(const Json& obj, const std::string& type) {
  if (!obj.is_object() || !obj.contains("status") || !obj["status"].is_object()) return nullptr;
  const Json& st = obj["status"];
  if (!st.contains("conditions") || !st["conditions"].is_array()) return nullptr;
  for (const auto& c : st["conditions"])
    if (c.is_object() && c.value("type", "") == type) return &c;
  return nullptr;
}

std::string formatTable(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<size_t> widths;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], r[i].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line = indent;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// "cpu 143%/50%" from an HPA's spec and status, "" when it has no resource metric yet.
std::string hpaMetricsText(const Json& hpa) {
  std::string out;
  const Json cur = hpa.value("status", Json::object()).value("currentMetrics", Json::array());
  for (const auto& m : hpa.value("spec", Json::object()).value("metrics", Json::array())) {
    if (m.value("type", "") != "Resource") continue;
    const Json r = m.value("resource", Json::object());
    const std::string name = r.value("name", "");
    std::string now = "?";
    for (const auto& c : cur)
      if (c.value("type", "") == "Resource" && c.value("resource", Json::object()).value("name", "") == name) {
        const Json v = c["resource"].value("current", Json::object());
        if (v.contains("averageUtilization")) now = std::to_string(v.value("averageUtilization", 0)) + "%";
      }
    const Json target = r.value("target", Json::object());
    out += (out.empty() ? "" : ", ") + name + " " + now + "/" +
           (target.contains("averageUtilization") ? std::to_string(target.value("averageUtilization", 0)) + "%" : "?");
  }
  return out;
}

}  // namespace shop::cli
