// shopctl: render, validate, audit and harden ShopApps and Kubernetes manifests.
#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cluster.hpp"
#include "cli/common.hpp"
#include "cli/global_options.hpp"
#include "cli/completion.hpp"
#include "cli/invocation.hpp"
#include "core/model/reader.hpp"
#include "core/model/shopapp.hpp"

int main(int argc, char** argv) {
  using namespace shop::cli;
  CLI::App app{
      "shopctl deploys and hardens microservice apps described by one ShopApp resource.\n\n"
      "Examples:\n"
      "  shopctl init --preset sockshop > shop.yaml      # a starter app\n"
      "  shopctl validate -f shop.yaml                   # every error, with file:line:col\n"
      "  shopctl render -f shop.yaml                     # the hardened Kubernetes objects\n"
      "  shopctl audit -f manifests/                     # find what is wrong in existing YAML\n\n"
      "The commands that talk to a cluster (apply, delete, diff, loadtest, status, version) take\n"
      "kubectl's --kubeconfig, --context, --request-timeout and -v (log level), before or after\n"
      "the command: `shopctl -v=6 status` or `shopctl status -v 6`.\n\n"
      "`shopctl help CMD` (or `shopctl CMD --help`) explains one command; `shopctl --version`.\n"
      "Shell completion: `shopctl completion bash|zsh|fish`. As a kubectl plugin: `kubectl shop CMD`\n"
      "(the same binary, installed as kubectl-shop, and kubectl_complete-shop for kubectl's completion).\n",
      "shopctl"};
  // Run as kubectl-shop (`kubectl shop ...`): the same, but help and errors name `kubectl shop`.
  const std::string self = commandName(argc > 0 ? argv[0] : "shopctl");
  app.name(self);
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_help_all_flag("--help-all", "Print help for every command");
  bool versionFlag = false;  // answered below, before parsing; here for --help and completion
  app.add_flag("--version", versionFlag, "Print shopctl's version and exit");
  addInit(app);
  addValidate(app);
  addRender(app);
  addImport(app);
  addVersion(app);
  addAudit(app);
  addHarden(app);
  addDiff(app);
  addApply(app);
  addStatus(app);
  addLoadtest(app);
  addDelete(app);
  addSchema(app);
  addCompletion(app);
  // Run as kubectl_complete-shop: kubectl asks what to offer for `kubectl shop ARGS...`.
  if (argc > 0 && isPluginCompletion(argv[0])) {
    std::cout << cobraCompletion(completionModel(app), std::vector<std::string>(argv + 1, argv + argc));
    return kOk;
  }
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  // What `kubectl shop` help and errors call it. `completion` keeps its name: its scripts
  // complete the shopctl command.
  std::vector<std::string> renamedCommands;
  for (const auto& n : names)
    if (n != "completion") renamedCommands.push_back(n);
  std::optional<RenamingStream> errors;
  if (self != "shopctl") errors.emplace(std::cerr, self, renamedCommands);
  auto help = [&](const std::string& text) { std::cout << renamed(text, self, renamedCommands); };
  auto known = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  auto unknown = [&](const std::string& n) {
    std::cerr << "shopctl: unknown command \"" << n << "\"";
    if (auto c = shop::closest(n, names)) std::cerr << " (did you mean \"" << *c << "\"?)";
    std::cerr << "\nRun 'shopctl --help' for the list of commands.\n";
    return kUsage;
  };
  // kubectl's global flags of the cluster commands may come before the command: taken out here,
  // used by connectCluster() where the command does not give them itself.
  const LeadingOptions lead = takeLeadingOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!lead.error.empty()) {
    std::cerr << "shopctl: " << lead.error << "\n";
    return kUsage;
  }
  setLeadingClusterFlags({lead.kubeconfig, lead.context, lead.requestTimeout, lead.verbosity});
  std::vector<std::string> rest = {argv[0]};
  rest.insert(rest.end(), lead.rest.begin(), lead.rest.end());
  std::vector<char*> restArgv;
  for (auto& a : rest) restArgv.push_back(a.data());
  argc = static_cast<int>(restArgv.size());
  argv = restArgv.data();
  std::vector<std::string> clusterNames;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_option_no_throw("--request-timeout")) clusterNames.push_back(sub->get_name());
  std::sort(clusterNames.begin(), clusterNames.end());
  std::string clusterCommands;
  for (const auto& n : clusterNames) clusterCommands += (clusterCommands.empty() ? "" : ", ") + n;
  // What CLI11 does not do by itself: `--version`, `help [CMD]`, and naming an unknown command.
  if (argc >= 2) {
    const std::string first = argv[1];
    if (first == "--version") {
      std::cout << "shopctl " << SHOPCTL_VERSION << " (api " << shop::kApiVersion << ", kind " << shop::kKind << ")\n";
      return kOk;
    }
    if (first == "help") {
      if (argc == 2) {
        help(app.help());
        return kOk;
      }
      const std::string what = argv[2];
      if (!known(what)) return unknown(what);
      help(app.get_subcommand(what)->help(self));
      return kOk;
    }
    if (!first.empty() && first[0] != '-' && !known(first)) return unknown(first);
    // CLI11 would answer "A subcommand is required" and never name the flag it did not know.
    if (first.size() > 1 && first[0] == '-' && first != "-h" && first != "--help" && first != "--help-all") {
      std::cerr << "shopctl: unknown flag \"" << first << "\" before the command: the only flags that come first are\n"
                << "--help, --help-all, --version and the cluster commands' --kubeconfig, --context,\n"
                << "--request-timeout and -v; a command's own flags follow it (shopctl CMD --help lists them).\n";
      return kUsage;
    }
    if (!lead.given.empty() && known(first) && !app.get_subcommand(first)->get_option_no_throw("--request-timeout")) {
      std::cerr << "shopctl: " << lead.given.front() << " is for the commands that talk to a cluster (" << clusterCommands
                << "); " << first << " does not\n";
      return kUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::ostringstream out;
    const int code = app.exit(e, out);
    help(out.str());
    return code;
  } catch (const CLI::CallForAllHelp& e) {
    std::ostringstream out;
    const int code = app.exit(e, out);
    help(out.str());
    return code;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return e.get_exit_code() == 0 ? kOk : kUsage;
  } catch (const ExitRequest& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "shopctl: internal error: " << e.what() << "\n";
    return kRuntime;
  }
  return kOk;
}
