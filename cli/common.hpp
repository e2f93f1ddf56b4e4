#pragma once
// Shared pieces of the shopctl subcommands: exit codes, input reading, output.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/io/yaml.hpp"

namespace shop::cli {

// Exit codes (DESIGN.md): 0 ok, 1 differences/findings, 2 usage or input error, 3+ runtime.
enum Exit : int { kOk = 0, kFindings = 1, kUsage = 2, kRuntime = 3 };

// Thrown by a subcommand to end with a code (after printing its own message).
struct ExitRequest {
  int code;
};

// Each subcommand registers itself on the app and runs in its callback.
void addRender(CLI::App& app);
void addValidate(CLI::App& app);
void addInit(CLI::App& app);
void addVersion(CLI::App& app);
void addAudit(CLI::App& app);
void addHarden(CLI::App& app);
void addImport(CLI::App& app);
void addDiff(CLI::App& app);
void addApply(CLI::App& app);
void addStatus(CLI::App& app);
void addLoadtest(CLI::App& app);
void addDelete(CLI::App& app);
void addSchema(CLI::App& app);
// docs/shopapp.schema.json, compiled in (cli/CMakeLists.txt).
std::string shopAppJsonSchema();
// The first line of `shopctl init` output: the modeline yaml-language-server reads.
std::string schemaModeline(const std::string& schemaUrl);
// `render --layout kustomize` (cli/render_kustomize.cpp): DIR, or DIR/base + DIR/overlays/NAME.
void renderKustomizeLayout(const std::string& file, const std::string& ns, const std::string& dir,
                           const std::string& overlay, const std::vector<std::string>& sets);

// Prints diagnostics to stderr, errors red on a terminal.
void printDiagnostics(const Diagnostics& diags);
bool stderrIsTerminal();
bool stdoutIsTerminal();

// Expands FILE|DIR|- arguments: directories recursively (*.yaml, *.yml, *.json), sorted.
std::vector<std::string> expandInputs(const std::vector<std::string>& args, Diagnostics& diags);

// The -f arguments of render, apply and diff (repeatable): each FILE and '-' as given, each DIR
// as its *.yaml, *.yml and *.json files (recursively, sorted), in the order given. A directory
// without such files, or '-' twice, is printed as an error and exits kUsage; a file that cannot
// be read is left for the reader to report (with the reason).
std::vector<std::string> shopAppFiles(const std::vector<std::string>& args);

// Where a ShopApp came from, to find one named by two files.
struct AppSource {
  std::string file, ns, name;
};
// "ShopApp NS/NAME is in both a.yaml and b.yaml (one file per app)" for the first app named
// twice, or "".
std::string duplicateApp(const std::vector<AppSource>& apps);

// After reading every file of a several-file command: exit 2 (kUsage) when `bad` files had
// errors (already printed; with several files, "shopctl CMD: nothing DONE: N of M files have
// errors" too) or when two files name one app. `done` says what did not happen ("applied").
void refuseBadOrDuplicate(const std::string& cmd, const std::string& done, size_t bad, size_t files,
                          const std::vector<AppSource>& sources);

// "a.yaml, dir/" or "<stdin>": the inputs as the user named them, for errors about all of them.
std::string describeInputs(const std::vector<std::string>& args);
// Why nothing was found: no manifest files (directories hold no *.yaml/*.yml/*.json) or no objects.
std::string noObjectsMessage(const std::vector<std::string>& files);

// Why a ShopApp file cannot be read ("No such file or directory", "Permission denied", "is a
// directory ..."), or "" when it can. "-" (stdin) is always readable.
std::string unreadableReason(const std::string& path);

// `-o` means output format everywhere (kubectl's convention). Where it used to name a file or a
// directory, it keeps working: this prints the deprecation notice and returns the value to use.
std::string deprecatedOutputPath(const std::string& cmd, const std::string& oldValue, const std::string& newValue,
                                 const std::string& newFlag);

// Writes text to a file, creating parent directories; throws ExitRequest{kRuntime} on failure.
void writeFile(const std::string& path, const std::string& text);

// Hands a command's large result to the end of the process instead of freeing it node by node:
// the process exits right after printing it, and the kernel takes the memory back at once. For
// `shopctl render` of the Sock Shop, freeing its 124 object trees one allocation at a time was
// ~5 % of the process (bench/RESULTS.md). Only for a command about to exit, never in a loop.
// The value stays reachable from a static pointer, so LeakSanitizer reports nothing.
template <class T>
void keepUntilExit(T&& value) {
  static auto* kept = new std::vector<const void*>;  // never deleted: the process is ending
  kept->push_back(new std::decay_t<T>(std::forward<T>(value)));
}

}  // namespace shop::cli
