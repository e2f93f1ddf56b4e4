// shopctl harden: write corrected manifests.
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>

#include "core/util/match.hpp"
#include "cli/common.hpp"
#include "cli/manifest_input.hpp"
#include "core/audit/audit.hpp"
#include "core/audit/harden.hpp"
#include "core/util/text.hpp"

namespace shop::cli {

namespace {

// "007-deployment-carts.yaml": the number keeps `kubectl apply -f DIR` in the stream's order.
std::string fileNameFor(size_t index, size_t total, const Json& obj) {
  size_t width = std::to_string(total).size();
  std::string n = std::to_string(index + 1);
  n.insert(0, width > n.size() ? width - n.size() : 0, '0');
  std::string name = audit::nameOf(obj);
  for (auto& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) c = '_';
  return n + "-" + lower(audit::kindOf(obj)) + "-" + name + ".yaml";
}

}  // namespace

void addHarden(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "harden",
      "Write corrected manifests: probes, resources, the Pod Security restricted context,\n"
      "pinned images, Secrets for plaintext credentials, StatefulSets with volumes for\n"
      "databases, ServiceAccounts, PDBs, HPAs, spread, NetworkPolicies from the call graph,\n"
      "and (with --mesh istio) VirtualServices and DestinationRules\n\n"
      "Every change names the audit rule it fixes (--explain). Hardening twice changes nothing\n"
      "the second time, and the output passes `shopctl audit` for every rule marked `auto`\n"
      "in `shopctl audit --list-rules` (images need a pin, see below).\n\n"
      "Examples:\n"
      "  shopctl harden -f complete-demo.yaml > hardened.yaml\n"
      "  shopctl harden -f deploy/ --output-dir hardened/ --explain   # one file per object\n"
      "  shopctl harden -f app.yaml --pin mongo=4.4.29 --pin myorg/api=sha256:4f1c...\n"
      "  shopctl harden -f app.yaml --mesh istio --ingress-host shop.example.com\n"
      "  shopctl harden -f app.yaml --call orders=payment,shipping   # edges the YAML does not show\n"
      "  shopctl harden -f app.yaml --secret-mode generate           # new random passwords\n\n"
      "Call graph: NetworkPolicies allow what the manifests show (Service hostnames in env\n"
      "values, args and ConfigMaps: `user-db:27017`, `http://carts`, DSNs), the\n"
      "`shopctl.io/calls: a,b` annotation on a workload, --call, and the known calls of the\n"
      "images in docs/hardening.md.\n\n"
      "Secrets: --secret-mode move (default) puts the existing value into a Secret's stringData;\n"
      "the output file then holds it in plain text, so keep it out of Git or encrypt it.\n"
      "--secret-mode generate writes a fresh random value instead.\n\n"
      "Exit status: 0 written, 2 unreadable or empty input, or usage, 3 cannot write.");
  auto files = std::make_shared<std::vector<std::string>>();
  auto outDir = std::make_shared<std::string>();
  auto explain = std::make_shared<bool>(false);
  auto pins = std::make_shared<std::vector<std::string>>();
  auto calls = std::make_shared<std::vector<std::string>>();
  auto disabled = std::make_shared<std::vector<std::string>>();
  auto configFile = std::make_shared<std::string>();
  auto secretMode = std::make_shared<std::string>("move");
  auto mesh = std::make_shared<std::string>("none");
  auto seed = std::make_shared<uint64_t>(0);
  auto opts = std::make_shared<audit::HardenOptions>();
  auto noHpa = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename", *files, "Manifest files or directories ('-' for stdin)")->required();
  auto oldOut = std::make_shared<std::string>();
  cmd->add_option("--output-dir", *outDir, "Write one file per object into DIR (default: a YAML stream on stdout)");
  cmd->add_option("-o,--output", *oldOut, "Deprecated spelling of --output-dir")->group("Deprecated");
  cmd->add_flag("--explain", *explain, "List every change with the rule id it fixes (stderr; stdout with --output-dir)");
  cmd->add_option("--pin", *pins, "IMAGE=TAG or IMAGE=sha256:DIGEST for a floating image (repeatable)");
  cmd->add_option("--secret-mode", *secretMode, "move (keep the values) or generate (new random values)")
      ->check(CLI::IsMember({"move", "generate"}));
  cmd->add_option("--seed", *seed, "Seed for --secret-mode generate (default: random)");
  cmd->add_option("--mesh", *mesh, "istio: add VirtualServices and DestinationRules for called services")
      ->check(CLI::IsMember({"none", "istio"}));
  cmd->add_option("--ingress-host", opts->ingressHost, "Publish entry points through an Ingress with TLS for HOST");
  cmd->add_option("--ingress-class", opts->ingressClass, "ingressClassName of that Ingress");
  cmd->add_flag("--no-hpa", *noHpa, "Do not add HPAs; set replicas to --min-replicas instead");
  cmd->add_option("--min-replicas", opts->minReplicas, "Minimum replicas of stateless services (default 2)")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--max-replicas", opts->maxReplicas, "HPA maximum (default 5)")->check(CLI::Range(2, 10000));
  cmd->add_option("--cpu-target", opts->cpuTargetPercent, "HPA CPU utilization target in percent (default 70)")
      ->check(CLI::Range(10, 100));
  cmd->add_option("--storage-size", opts->storageSize, "Size of database volumes (default 1Gi)");
  cmd->add_option("--storage-class", opts->storageClass, "storageClassName of database volumes (default: cluster default)");
  cmd->add_option("--monitoring-namespace", opts->monitoringNamespace,
                  "Namespace whose scrapers may reach prometheus.io/scrape Services (default monitoring)");
  auto dnsLabels = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--dns-namespace", opts->dnsNamespace,
                  "Namespace of the DNS pods every pod may reach on port 53 (default kube-system)");
  cmd->add_option("--dns-pod-label", *dnsLabels,
                  "KEY=VALUE label of those pods (repeatable; default k8s-app=kube-dns), e.g. "
                  "dns.operator.openshift.io/daemonset-dns=default with --dns-namespace openshift-dns");
  cmd->add_option("--dns-cidr", opts->dnsCidrs,
                  "CIDR of a resolver that is not a pod, also allowed on port 53 (repeatable), e.g. "
                  "169.254.20.10/32 for NodeLocal DNSCache");
  cmd->add_option("--call", *calls, "FROM=TO[,TO...]: workload FROM calls Service TO (repeatable)");
  cmd->add_option("--disable", *disabled, "Rule id not to fix (repeatable)");
  cmd->add_option("--config", *configFile, "Audit config (`disable: [...]`): those rules are not fixed either");
  cmd->callback([=] {
    *outDir = deprecatedOutputPath("harden", *oldOut, *outDir, "--output-dir");
    Diagnostics diags;
    audit::HardenOptions o = *opts;
    o.autoscale = !*noHpa;
    o.mesh = *mesh == "istio";
    o.secretMode = *secretMode == "generate" ? audit::SecretMode::Generate : audit::SecretMode::Move;
    o.seed = *seed;
    if (o.seed == 0 && o.secretMode == audit::SecretMode::Generate) {
      std::random_device rd;
      o.seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    }
    if (o.maxReplicas < o.minReplicas) diags.error("--max-replicas", "is smaller than --min-replicas");
    for (const auto& p : *pins) {
      auto eq = p.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
        diags.error("--pin", "\"" + p + "\" is not IMAGE=TAG");
        continue;
      }
      o.pins[audit::parseImage(p.substr(0, eq)).name()] = p.substr(eq + 1);
    }
    if (!match::dnsLabel(o.dnsNamespace)) diags.error("--dns-namespace", "\"" + o.dnsNamespace + "\" is not a namespace name");
    if (!dnsLabels->empty()) o.dnsPodLabels.clear();
    for (const auto& l : *dnsLabels) {
      auto eq = l.find('=');
      if (eq == std::string::npos || !match::labelKey(l.substr(0, eq)) || !match::labelValue(l.substr(eq + 1)))
        diags.error("--dns-pod-label", "\"" + l + "\" is not KEY=VALUE with a label key and value");
      else
        o.dnsPodLabels[l.substr(0, eq)] = l.substr(eq + 1);
    }
    for (const auto& c : o.dnsCidrs)
      if (!match::cidr(c)) diags.error("--dns-cidr", "\"" + c + "\" is not a CIDR (an address with a prefix length, e.g. 169.254.20.10/32)");
    for (const auto& c : *calls) {
      auto eq = c.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == c.size()) {
        diags.error("--call", "\"" + c + "\" is not FROM=TO[,TO...]");
        continue;
      }
      std::stringstream targets(c.substr(eq + 1));
      for (std::string to; std::getline(targets, to, ',');)
        if (!to.empty()) o.calls.push_back({c.substr(0, eq), to});
    }
    if (!configFile->empty()) {
      auto y = loadYamlFile(*configFile);
      if (!y.ok()) {
        diags.add(*y.error);
      } else if (!y.documents.empty()) {
        Diagnostics cd;
        o.disabled = audit::parseAuditConfig(y.documents[0].value, cd).disabled;
        locate(cd, y.documents[0]);
        diags.append(cd);
      }
    }
    for (const auto& id : *disabled) {
      if (!audit::findRule(id))
        diags.error("--disable", "unknown rule id \"" + id + "\" (see shopctl audit --list-rules)");
      else
        o.disabled.insert(id);
    }
    auto manifests = readManifests(*files, diags);
    if (diags.hasErrors()) {
      printDiagnostics(diags);
      throw ExitRequest{kUsage};
    }
    auto result = audit::harden(manifests, o);
    for (const auto& w : result.warnings) std::cerr << "shopctl harden: warning: " << shop::clip(w, 1500) << "\n";
    std::ostream& ex = outDir->empty() ? std::cerr : std::cout;
    if (*explain) {
      for (const auto& c : result.changes) ex << "[" << c.ruleId << "] " << c.object << ": " << c.message << "\n";
      ex << result.changes.size() << " change(s), " << result.objects.size() << " object(s)\n";
    }
    if (outDir->empty()) {
      std::cout << toYamlStream(result.objects);
      return;
    }
    for (size_t i = 0; i < result.objects.size(); ++i) {
      const Json& obj = result.objects[i];
      std::string ns = audit::namespaceOf(obj);
      std::filesystem::path path = std::filesystem::path(*outDir) / fileNameFor(i, result.objects.size(), obj);
      writeFile(path.string(), toYaml(obj));
    }
    if (!*explain) std::cout << "wrote " << result.objects.size() << " object(s) to " << *outDir << "\n";
  });
}

}  // namespace shop::cli
