#pragma once
// `shopctl completion bash|zsh|fish`: shell completion scripts made from the CLI's own command
// and option tables (the CLI11 app as main() builds it), so they list exactly the commands,
// flags and values this binary has.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace shop::cli {

// What a shell needs to know about one option.
struct CompletionOption {
  enum class Value { None, Word, Manifest, File, Directory };
  std::vector<std::string> names;  // "-f", "--filename" (empty for a positional)
  std::string description;         // its help text, first line
  Value value = Value::None;  // None: a flag; Word: any text; Manifest: *.yaml|*.yml|*.json or a
                              // directory; File: any file; Directory: a directory
  std::vector<std::string> choices;  // the values it accepts, when they are a fixed set
  bool repeatable = false;           // may be given more than once (-f a.yaml -f b.yaml)
};

struct CompletionCommand {
  std::string name;                           // "" for the top level
  std::string description;                    // the first line of its help
  std::vector<CompletionOption> options;      // flags and options, deprecated ones left out
  std::vector<CompletionOption> positionals;  // in order
};

// The model of `app`: the top level (its flags, and `help`) first, then every subcommand in
// the order they were added. Choices come from CLI::IsMember-style validators (whose
// description is "{a,b,c}"); which options name files or directories follows their long name
// (--filename, --against: manifests; --kubeconfig, --config, --output-file: files;
// --output-dir: directories).
std::vector<CompletionCommand> completionModel(CLI::App& app);

// The scripts. `prog` is the command they complete ("shopctl").
std::string bashCompletion(const std::vector<CompletionCommand>& model, const std::string& prog);
std::string zshCompletion(const std::vector<CompletionCommand>& model, const std::string& prog);
std::string fishCompletion(const std::vector<CompletionCommand>& model, const std::string& prog);

// kubectl's completion of plugins (kubectl >= 1.26): for `kubectl shop ARGS<TAB>` kubectl runs
// `kubectl_complete-shop ARGS... WORD` and reads Cobra's __complete answer: one candidate a line
// ("value\tdescription"), then ":DIRECTIVE" (4: no file completion; 8: files with the listed
// extensions; 16: directories; 0: any file). `args` are ARGS and WORD, the word being completed
// last (possibly "").
std::string cobraCompletion(const std::vector<CompletionCommand>& model,
                            const std::vector<std::string>& args);

void addCompletion(CLI::App& app);

}  // namespace shop::cli
