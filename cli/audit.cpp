// shopctl audit: judge existing Kubernetes manifests against the rule catalog.
#include <memory>

#include "cli/common.hpp"
#include "cli/manifest_input.hpp"
#include "core/audit/audit.hpp"

namespace shop::cli {

void addAudit(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "audit",
      "Find what is wrong in Kubernetes manifests (probes, resources, Pod Security, images,\n"
      "availability, data, secrets, exposure, deprecations, network and mesh policies)\n\n"
      "Reads multi-document YAML, List objects and Helm's rendered output; objects of kinds it\n"
      "does not know are left alone. Each finding names the rule, the object, file:line:col\n"
      "and what to do; `shopctl audit --list-rules` prints the catalog.\n\n"
      "Examples:\n"
      "  shopctl audit -f complete-demo.yaml\n"
      "  shopctl audit -f deploy/                        # every *.yaml, *.yml, *.json below\n"
      "  helm template shop ./chart | shopctl audit -f -\n"
      "  shopctl audit -f deploy/ -o sarif > audit.sarif # for code scanning\n"
      "  shopctl audit -f deploy/ --fail-on high         # CI: fail only on high or critical\n"
      "  shopctl audit -f deploy/ --disable avail-no-hpa --disable image-pull-policy\n\n"
      "Silence rules on one object with an annotation (on the object or its pod template):\n"
      "  metadata:\n"
      "    annotations:\n"
      "      shopctl.io/ignore: sec-read-only-root-fs,probe-liveness-missing\n\n"
      "Score: each check weighs its severity (critical 10, high 5, medium 3, low 1, info 0);\n"
      "score = 100 * passed weight / total weight.\n\n"
      "Exit status: 0 no finding at or above --fail-on, 1 findings, 2 unreadable or empty input, or usage.");
  auto files = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>("table");
  auto failOn = std::make_shared<std::string>("high");
  auto disabled = std::make_shared<std::vector<std::string>>();
  auto configFile = std::make_shared<std::string>();
  auto listRules = std::make_shared<bool>(false);
  auto noColor = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename", *files, "Manifest files or directories ('-' for stdin)");
  cmd->add_option("-o,--output", *output, "Output format: table, json or sarif")
      ->check(CLI::IsMember({"table", "json", "sarif"}));
  cmd->add_option("--fail-on", *failOn,
                  "Lowest severity that makes the exit status 1: critical, high (the default, as kube-score fails on critical and "
                  "Polaris on danger), medium, low, info (any finding), or none")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "none"}));
  cmd->add_option("--disable", *disabled, "Rule id to skip (repeatable)");
  cmd->add_option("--config", *configFile, "YAML file with `disable: [rule-id, ...]`");
  cmd->add_flag("--list-rules", *listRules, "Print the rule catalog (with -o json: as JSON) and exit");
  cmd->add_flag("--no-color", *noColor, "Never colour the table (NO_COLOR is honoured too)");
  cmd->callback([=] {
    if (*listRules) {
      std::cout << audit::formatRuleList(*output == "json");
      return;
    }
    if (files->empty()) {
      std::cerr << "shopctl audit: -f FILE|DIR|- is required (see shopctl audit --help)\n";
      throw ExitRequest{kUsage};
    }
    Diagnostics diags;
    audit::AuditConfig config;
    if (!configFile->empty()) {
      auto y = loadYamlFile(*configFile);
      if (!y.ok()) {
        diags.add(*y.error);
      } else if (!y.documents.empty()) {
        Diagnostics cd;
        config = audit::parseAuditConfig(y.documents[0].value, cd);
        locate(cd, y.documents[0]);
        diags.append(cd);
      }
    }
    for (const auto& id : *disabled) {
      if (!audit::findRule(id))
        diags.error("--disable", "unknown rule id \"" + id + "\" (see shopctl audit --list-rules)");
      else
        config.disabled.insert(id);
    }
    auto manifests = readManifests(*files, diags);
    if (diags.hasErrors()) {
      printDiagnostics(diags);
      throw ExitRequest{kUsage};
    }
    audit::Inventory inv(std::move(manifests));
    auto report = audit::runAudit(inv, config);
    if (*output == "json")
      std::cout << audit::formatJson(report);
    else if (*output == "sarif")
      std::cout << audit::formatSarif(report, SHOPCTL_VERSION);
    else
      std::cout << audit::formatTable(report, !*noColor && stdoutIsTerminal());
    audit::Level threshold;
    if (*failOn != "none" && audit::parseLevel(*failOn, threshold) && audit::failsAt(report, threshold))
      throw ExitRequest{kFindings};
  });
}

}  // namespace shop::cli
