#include <filesystem>

#include "cli/common.hpp"
#include "core/presets/presets.hpp"

namespace shop::cli {

std::string schemaModeline(const std::string& schemaUrl) {
  return schemaUrl.empty() ? "" : "# yaml-language-server: $schema=" + schemaUrl + "\n";
}

void addInit(CLI::App& app) {
  std::string presetList;
  for (const auto& p : presets()) presetList += std::string("  ") + p.name + std::string(14 - std::min<size_t>(12, std::string(p.name).size()), ' ') + p.description + "\n";
  auto* cmd = app.add_subcommand(
      "init",
      "Write a starter ShopApp\n\n"
      "Presets:\n" + presetList +
      "\nExamples:\n"
      "  shopctl init --preset sockshop > shop.yaml\n"
      "  shopctl init --preset minimal --name hello -n demo --output-file hello.yaml\n"
      "  shopctl schema > shopapp.schema.json          # completion and checks in your editor\n\n"
      "The output starts with a yaml-language-server modeline naming the JSON Schema (--schema):\n"
      "editors that read it complete and check every field once the file it names exists.\n\n"
      "Exit status: 0 written, 2 unknown preset or the file exists (use --force).");
  struct Opts {
    std::string preset = "minimal";
    std::string name, ns, out, oldOut;
    std::string schema = "shopapp.schema.json";
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  std::vector<std::string> names;
  for (const auto& p : presets()) names.push_back(p.name);
  // The choices are checked by CLI11 (and offered by `shopctl completion`).
  cmd->add_option("--preset", o->preset, "Which app to start from (see the list above)")->check(CLI::IsMember(names));
  cmd->add_option("--name", o->name, "metadata.name of the new app");
  cmd->add_option("-n,--namespace", o->ns, "metadata.namespace of the new app");
  cmd->add_option("--output-file", o->out, "Write to this file instead of stdout");
  cmd->add_option("-o,--output", o->oldOut, "Deprecated spelling of --output-file")->group("Deprecated");
  cmd->add_flag("--force", o->force, "Overwrite the output file if it exists");
  cmd->add_option("--schema", o->schema,
                  "The JSON Schema the modeline names: a path relative to the written file, or a URL; \"\" "
                  "for no modeline (write the schema with `shopctl schema`)")
      ->capture_default_str();
  cmd->callback([o] {
    o->out = deprecatedOutputPath("init", o->oldOut, o->out, "--output-file");
    const Preset* p = findPreset(o->preset);
    if (!p) throw ExitRequest{kUsage};  // (not reached: --preset is checked against the list)
    std::string text = schemaModeline(o->schema) + customizePreset(p->yaml, o->name, o->ns);
    if (o->out.empty()) {
      std::cout << text;
      return;
    }
    if (std::filesystem::exists(o->out) && !o->force) {
      std::cerr << "shopctl: " << o->out << " exists; use --force to overwrite it\n";
      throw ExitRequest{kUsage};
    }
    writeFile(o->out, text);
    std::cerr << "wrote " << o->out << " (" << p->name << "); next: shopctl validate -f " << o->out << "\n";
    if (!o->schema.empty() && o->schema.find("://") == std::string::npos) {
      const auto dir = std::filesystem::path(o->out).parent_path();
      if (!std::filesystem::exists(dir / o->schema))
        std::cerr << "editor completion: shopctl schema > " << (dir / o->schema).string() << "\n";
    }
  });
}

}  // namespace shop::cli
