#include <filesystem>

#include "cli/common.hpp"
#include "core/presets/presets.hpp"

namespace shop::cli {

void addInit(CLI::App& app) {
  std::string presetList;
  for (const auto& p : presets()) presetList += std::string("  ") + p.name + std::string(14 - std::min<size_t>(12, std::string(p.name).size()), ' ') + p.description + "\n";
  auto* cmd = app.add_subcommand(
      "init",
      "Write a starter ShopApp\n\n"
      "Presets:\n" + presetList +
      "\nExamples:\n"
      "  shopctl init --preset sockshop > shop.yaml\n"
      "  shopctl init --preset minimal --name hello -n demo --output-file hello.yaml\n\n"
      "Exit status: 0 written, 2 unknown preset or the file exists (use --force).");
  struct Opts {
    std::string preset = "minimal";
    std::string name, ns, out, oldOut;
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
  cmd->callback([o] {
    o->out = deprecatedOutputPath("init", o->oldOut, o->out, "--output-file");
    const Preset* p = findPreset(o->preset);
    if (!p) throw ExitRequest{kUsage};  // (not reached: --preset is checked against the list)
    std::string text = customizePreset(p->yaml, o->name, o->ns);
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
  });
}

}  // namespace shop::cli
