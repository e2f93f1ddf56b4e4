#include "cli/common.hpp"
#include "core/model/shopapp.hpp"

namespace shop::cli {

void addVersion(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print the shopctl version and the API it speaks");
  cmd->callback([] {
    std::cout << "shopctl " << SHOPCTL_VERSION << " (api " << kApiVersion << ", kind " << kKind << ")\n";
  });
}

}  // namespace shop::cli
