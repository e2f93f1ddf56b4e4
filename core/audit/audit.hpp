#pragma once
// Running the catalog over an Inventory, and printing the result.
//
//   auto loaded = loadManifests(text, "app.yaml");
//   Inventory inv(std::move(loaded.manifests));
//   AuditReport report = runAudit(inv, {});
//   std::cout << formatTable(report, inv, /*color=*/false);
//
// The score: every subject a rule looked at weighs its rule's severity (critical 10, high 5,
// medium 3, low 1, info 0); score = 100 * (weight of passed subjects) / (weight of all subjects),
// rounded down; 100 when nothing was checked. Findings silenced by an ignore annotation and rules
// disabled by config count neither way.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/audit/inventory.hpp"
#include "core/audit/rule.hpp"
#include "core/io/diag.hpp"

namespace shop::audit {

struct AuditConfig {
  std::set<std::string> disabled;  // rule ids
};

// Reads an audit configuration document:
//   disable: [sec-run-as-user, avail-no-hpa]     # rule ids (unknown ids are errors)
// Diagnostics name the offending field.
AuditConfig parseAuditConfig(const Json& doc, Diagnostics& diags);

struct AuditSummary {
  std::map<Level, size_t> counts;  // findings by severity (every level present, maybe 0)
  size_t findings = 0;
  size_t suppressed = 0;  // silenced by shopctl.io/ignore
  size_t objects = 0;
  size_t checks = 0;      // subjects looked at
  int score = 100;
};

struct AuditReport {
  std::vector<Finding> findings;  // in object order, then catalog order
  std::vector<const Rule*> rules; // the rules that ran
  AuditSummary summary;
};

AuditReport runAudit(const Inventory& inv, const AuditConfig& config);

// True when some finding is at least as severe as `threshold`.
bool failsAt(const AuditReport& report, Level threshold);

int levelWeight(Level l);

// Output formats. The table groups findings by object; `color` adds ANSI colours.
std::string formatTable(const AuditReport& report, bool color);
std::string formatJson(const AuditReport& report);
// SARIF 2.1.0 for code scanning: every rule of the catalog under tool.driver.rules, each finding
// as a result with ruleId, level and a physical location (file, line, column).
std::string formatSarif(const AuditReport& report, const std::string& toolVersion);
// The catalog as a table or JSON (for `audit --list-rules`).
std::string formatRuleList(bool json);

}  // namespace shop::audit
