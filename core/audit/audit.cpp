#include "core/audit/audit.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace shop::audit {

AuditConfig parseAuditConfig(const Json& doc, Diagnostics& diags) {
  AuditConfig cfg;
  if (!doc.is_object()) {
    diags.error("", "audit config must be a mapping with a `disable` list");
    return cfg;
  }
  for (const auto& [k, v] : doc.items()) {
    if (k != "disable") {
      diags.error(k, "unknown field (known: disable)");
      continue;
    }
    if (!v.is_array()) {
      diags.error("disable", "must be a list of rule ids");
      continue;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      std::string id = str(v[i]);
      if (!findRule(id))
        diags.error(indexPath("disable", i), "unknown rule id \"" + id + "\" (see shopctl audit --list-rules)");
      else
        cfg.disabled.insert(id);
    }
  }
  return cfg;
}

int levelWeight(Level l) {
  switch (l) {
    case Level::Critical: return 10;
    case Level::High: return 5;
    case Level::Medium: return 3;
    case Level::Low: return 1;
    case Level::Info: return 0;
  }
  return 0;
}

AuditReport runAudit(const Inventory& inv, const AuditConfig& config) {
  AuditReport report;
  long total = 0, failed = 0;
  std::vector<std::pair<size_t, Finding>> ordered;  // (catalog position, finding)
  size_t position = 0;
  for (const auto& rule : ruleCatalog()) {
    ++position;
    if (config.disabled.count(rule.id)) continue;
    report.rules.push_back(&rule);
    Results res(inv, rule.id, rule.level);
    rule.check(inv, res);
    total += static_cast<long>(res.checked()) * levelWeight(rule.level);
    failed += static_cast<long>(res.findings().size()) * levelWeight(rule.level);
    report.summary.checks += res.checked();
    report.summary.suppressed += res.suppressed();
    for (auto f : res.findings()) {
      const Manifest& m = inv.manifests()[f.object];
      f.objectRef = describe(m.object);
      f.file = m.file;
      f.pos = m.locate(f.path);
      ordered.emplace_back(position, std::move(f));
    }
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.second.object != b.second.object) return a.second.object < b.second.object;
    return a.first < b.first;
  });
  for (auto& [p, f] : ordered) report.findings.push_back(std::move(f));
  for (Level l : kAllLevels) report.summary.counts[l] = 0;
  for (const auto& f : report.findings) ++report.summary.counts[f.level];
  report.summary.findings = report.findings.size();
  report.summary.objects = inv.manifests().size();
  report.summary.score = total == 0 ? 100 : static_cast<int>((100 * (total - failed)) / total);
  return report;
}

bool failsAt(const AuditReport& report, Level threshold) {
  for (const auto& f : report.findings)
    if (static_cast<int>(f.level) <= static_cast<int>(threshold)) return true;
  return false;
}

// ---- table ---------------------------------------------------------------------------------

static const char* levelColor(Level l) {
  switch (l) {
    case Level::Critical: return "\033[1;35m";
    case Level::High: return "\033[31m";
    case Level::Medium: return "\033[33m";
    case Level::Low: return "\033[36m";
    case Level::Info: return "\033[2m";
  }
  return "";
}

static std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

static std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

static std::string summaryLine(const AuditSummary& s) {
  std::ostringstream out;
  out << s.findings << " finding" << (s.findings == 1 ? "" : "s") << " in " << s.objects << " object"
      << (s.objects == 1 ? "" : "s") << ":";
  bool first = true;
  for (Level l : kAllLevels) {
    out << (first ? " " : ", ") << s.counts.at(l) << " " << levelName(l);
    first = false;
  }
  if (s.suppressed) out << " (" << s.suppressed << " silenced by " << kIgnoreAnnotation << ")";
  out << "\nscore: " << s.score << "/100 (" << s.checks << " checks)\n";
  return out.str();
}

std::string formatTable(const AuditReport& report, bool color) {
  std::ostringstream out;
  const char* reset = color ? "\033[0m" : "";
  size_t idWidth = 0;
  for (const auto& f : report.findings) idWidth = std::max(idWidth, f.ruleId.size());
  std::string current;
  size_t currentObject = static_cast<size_t>(-1);
  for (const auto& f : report.findings) {
    if (f.object != currentObject) {
      currentObject = f.object;
      if (!current.empty()) out << "\n";
      current = f.objectRef;
      out << (color ? "\033[1m" : "") << f.objectRef << reset;
      if (!f.file.empty()) out << "  (" << f.file << ")";
      out << "\n";
    }
    std::string where = f.pos.known() ? std::to_string(f.pos.line) + ":" + std::to_string(f.pos.col) : "-";
    out << "  " << (color ? levelColor(f.level) : "") << pad(upper(levelName(f.level)), 8) << reset << " "
        << pad(f.ruleId, idWidth) << "  " << pad(where, 7) << " " << f.message << "\n";
  }
  if (!report.findings.empty()) out << "\n";
  out << summaryLine(report.summary);
  return out.str();
}

// ---- json ----------------------------------------------------------------------------------

static Json summaryJson(const AuditSummary& s) {
  Json counts = Json::object();
  for (Level l : kAllLevels) counts[levelName(l)] = s.counts.at(l);
  return Json{{"findings", s.findings}, {"bySeverity", counts}, {"suppressed", s.suppressed},
              {"objects", s.objects},   {"checks", s.checks},   {"score", s.score}};
}

std::string formatJson(const AuditReport& report) {
  Json findings = Json::array();
  for (const auto& f : report.findings) {
    const Rule* r = findRule(f.ruleId);
    Json j = Json::object();
    j["ruleId"] = f.ruleId;
    j["severity"] = levelName(f.level);
    j["object"] = f.objectRef;
    j["path"] = f.path;
    j["file"] = f.file;
    j["line"] = f.pos.line;
    j["column"] = f.pos.col;
    j["message"] = f.message;
    j["autoFix"] = r && r->autoFix;
    findings.push_back(j);
  }
  Json out = Json::object();
  out["findings"] = findings;
  out["summary"] = summaryJson(report.summary);
  return out.dump(2) + "\n";
}

// ---- sarif ---------------------------------------------------------------------------------

static const char* sarifLevel(Level l) {
  switch (l) {
    case Level::Critical:
    case Level::High: return "error";
    case Level::Medium: return "warning";
    default: return "note";
  }
}

// GitHub code scanning reads properties.security-severity (CVSS-like 0.0-10.0).
static const char* securitySeverity(Level l) {
  switch (l) {
    case Level::Critical: return "9.5";
    case Level::High: return "7.5";
    case Level::Medium: return "5.0";
    case Level::Low: return "2.0";
    default: return "0.0";
  }
}

static std::string uriOf(const std::string& file) {
  std::string out;
  if (file.empty() || file == "<stdin>") return "stdin";
  bool absolute = file[0] == '/';
  if (absolute) out = "file://";
  for (char c : file) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || std::string("/-._~").find(c) != std::string::npos) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      out += buf;
    }
  }
  return out;
}

std::string formatSarif(const AuditReport& report, const std::string& toolVersion) {
  Json rules = Json::array();
  std::map<std::string, size_t> index;
  for (const Rule* r : report.rules) {
    index[r->id] = rules.size();
    Json j = Json::object();
    j["id"] = r->id;
    j["name"] = r->title;
    j["shortDescription"] = {{"text", r->title}};
    j["fullDescription"] = {{"text", r->rationale}};
    j["help"] = {{"text", r->fix + (r->autoFix ? " (shopctl harden fixes this)" : "")},
                 {"markdown", "**Why:** " + r->rationale + "\n\n**Fix:** " + r->fix +
                                  (r->autoFix ? "\n\n`shopctl harden` fixes this automatically." : "")}};
    j["defaultConfiguration"] = {{"level", sarifLevel(r->level)}};
    j["properties"] = {{"tags", Json::array({"kubernetes", r->family})},
                       {"severity", levelName(r->level)},
                       {"security-severity", securitySeverity(r->level)}};
    rules.push_back(j);
  }
  Json results = Json::array();
  for (const auto& f : report.findings) {
    Json loc = Json::object();
    Json phys = Json::object();
    phys["artifactLocation"] = {{"uri", uriOf(f.file)}};
    if (f.pos.known()) phys["region"] = {{"startLine", f.pos.line}, {"startColumn", f.pos.col}};
    loc["physicalLocation"] = phys;
    loc["logicalLocations"] = Json::array({Json{{"fullyQualifiedName", f.objectRef + (f.path.empty() ? "" : ":" + f.path)},
                                                 {"kind", "object"}}});
    Json res = Json::object();
    res["ruleId"] = f.ruleId;
    if (index.count(f.ruleId)) res["ruleIndex"] = index[f.ruleId];
    res["level"] = sarifLevel(f.level);
    res["message"] = {{"text", f.objectRef + ": " + f.message}};
    res["locations"] = Json::array({loc});
    // Stable across runs so code scanning can track a finding as it moves.
    res["partialFingerprints"] = {{"shopctlFinding/v1", f.ruleId + "|" + f.objectRef + "|" + f.path}};
    results.push_back(res);
  }
  Json driver = Json::object();
  driver["name"] = "shopctl";
  driver["version"] = toolVersion;
  driver["rules"] = rules;
  Json run = Json::object();
  run["tool"] = {{"driver", driver}};
  run["results"] = results;
  Json out = Json::object();
  out["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  out["version"] = "2.1.0";
  out["runs"] = Json::array({run});
  return out.dump(2) + "\n";
}

std::string formatRuleList(bool json) {
  if (json) {
    Json out = Json::array();
    for (const auto& r : ruleCatalog())
      out.push_back({{"id", r.id},         {"severity", levelName(r.level)}, {"family", r.family},
                     {"title", r.title},   {"rationale", r.rationale},       {"fix", r.fix},
                     {"autoFix", r.autoFix}});
    return out.dump(2) + "\n";
  }
  std::ostringstream out;
  size_t w = 0;
  for (const auto& r : ruleCatalog()) w = std::max(w, r.id.size());
  out << pad("ID", w) << "  SEVERITY  FIX   TITLE\n";
  for (const auto& r : ruleCatalog())
    out << pad(r.id, w) << "  " << pad(levelName(r.level), 8) << "  " << (r.autoFix ? "auto" : "    ") << "  " << r.title << "\n";
  return out.str();
}

}  // namespace shop::audit
