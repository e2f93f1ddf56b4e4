#pragma once
// The audit rule catalog.
//
// A rule has a stable id (family prefix + what it checks, e.g. `sec-privilege-escalation`), a
// severity, a one-line title, why it matters, how to fix it, and whether `shopctl harden` fixes
// it. Its check walks the Inventory and reports every subject it looked at: pass() for a subject
// that is fine, fail() for a finding. Counting both is what the score is made of.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/audit/inventory.hpp"

namespace shop::audit {

// Severities, most severe first. SARIF levels: critical/high -> error, medium -> warning,
// low/info -> note.
enum class Level { Critical, High, Medium, Low, Info };
const char* levelName(Level l);
bool parseLevel(const std::string& s, Level& out);
inline constexpr Level kAllLevels[] = {Level::Critical, Level::High, Level::Medium, Level::Low, Level::Info};

struct Finding {
  std::string ruleId;
  Level level = Level::Info;
  size_t object = 0;     // manifest index in the Inventory
  std::string path;      // field path inside the object
  std::string message;
  // Filled by runAudit from the manifest:
  std::string objectRef;  // "Deployment sock-shop/carts"
  std::string file;
  Position pos;
};

// Annotation that silences rules on one object: `shopctl.io/ignore: sec-seccomp,probe-liveness-missing`
// (or `all`). It is read from the object's metadata and, for workloads, from the pod template.
inline constexpr const char* kIgnoreAnnotation = "shopctl.io/ignore";
bool ignoredOn(const Inventory& inv, size_t object, const std::string& ruleId);

class Results {
 public:
  Results(const Inventory& inv, std::string ruleId, Level level) : inv_(inv), id_(std::move(ruleId)), level_(level) {}
  // One subject of this rule in `object` was checked and is fine.
  void pass(size_t object);
  // One subject failed: a finding at `path` inside `object`.
  void fail(size_t object, std::string path, std::string message);

  const std::vector<Finding>& findings() const { return findings_; }
  size_t checked() const { return checked_; }
  size_t suppressed() const { return suppressed_; }

 private:
  const Inventory& inv_;
  std::string id_;
  Level level_;
  std::vector<Finding> findings_;
  size_t checked_ = 0;
  size_t suppressed_ = 0;
};

struct Rule {
  std::string id;
  Level level = Level::Medium;
  std::string family;     // probes, resources, security, images, availability, data, secrets,
                          // exposure, deprecation, network, mesh, service-accounts
  std::string title;      // one line
  std::string rationale;  // why it matters
  std::string fix;        // what to do about it
  bool autoFix = false;   // `shopctl harden` fixes it
  std::function<void(const Inventory&, Results&)> check;
};

// Every rule, in documentation order (grouped by family).
const std::vector<Rule>& ruleCatalog();
const Rule* findRule(const std::string& id);

}  // namespace shop::audit
