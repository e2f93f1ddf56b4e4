#include "cli/common.hpp"
#include "core/model/parse.hpp"

namespace shop::cli {

void addValidate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "validate",
      "Check ShopApp files and report every error at once\n\n"
      "Each error names the file, line and column and the field path, e.g.\n"
      "  shop.yaml:14:7: error: spec.services[2].autoscaling.min: min (5) is larger than max (3)\n\n"
      "Examples:\n"
      "  shopctl validate -f shop.yaml\n"
      "  shopctl validate -f apps/            # every *.yaml, *.yml and *.json below apps/\n"
      "  cat shop.yaml | shopctl validate -f -\n\n"
      "Exit status: 0 valid (warnings may be printed), 2 any error or no ShopApp found.");
  auto files = std::make_shared<std::vector<std::string>>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename", *files, "ShopApp files or directories ('-' for stdin)")->required();
  cmd->add_flag("-q,--quiet", *quiet, "Print nothing when everything is valid");
  cmd->callback([files, quiet] {
    Diagnostics all;
    auto inputs = expandInputs(*files, all);
    size_t apps = 0;
    for (const auto& f : inputs) {
      auto res = loadShopAppFile(f);
      all.append(res.diags);
      if (res.app) ++apps;
    }
    if (inputs.empty() && !all.hasErrors()) all.add({Severity::Error, describeInputs(*files), {}, "", noObjectsMessage(inputs)});
    printDiagnostics(all);
    if (all.hasErrors()) {
      std::cerr << all.errorCount() << " error(s) in " << inputs.size() << " file(s)\n";
      throw ExitRequest{kUsage};
    }
    if (!*quiet) std::cout << apps << " ShopApp(s) valid\n";
  });
}

}  // namespace shop::cli
