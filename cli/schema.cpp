// shopctl schema: the JSON Schema of a ShopApp, for editors (yaml-language-server) and other
// checkers. It is docs/shopapp.schema.json, generated with the CRD by scripts/gen-schema.py.
#include "cli/common.hpp"

namespace shop::cli {

void addSchema(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "schema",
      "Print the JSON Schema of a ShopApp (for editor completion and checks)\n\n"
      "The CRD's fields, types, bounds, enums, patterns and descriptions, as a standalone\n"
      "JSON Schema (draft-07) of the whole object: apiVersion, kind, metadata, spec, status.\n"
      "Rules that span fields (CEL in the CRD) are left to `shopctl validate` and the API\n"
      "server. `shopctl init` starts its output with a modeline naming shopapp.schema.json\n"
      "in the same directory, which editors with yaml-language-server read (VS Code's YAML\n"
      "extension, Neovim, Emacs).\n\n"
      "Examples:\n"
      "  shopctl schema > shopapp.schema.json      # beside your ShopApp files\n"
      "  shopctl init --output-file shop.yaml      # starts with:\n"
      "      # yaml-language-server: $schema=shopapp.schema.json\n\n"
      "Exit status: 0.");
  cmd->callback([] { std::cout << shopAppJsonSchema(); });
}

}  // namespace shop::cli
