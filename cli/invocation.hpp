#pragma once
// How shopctl was invoked: as `shopctl`, or as the kubectl plugin `kubectl-shop` (kubectl runs
// an executable of that name on PATH for `kubectl shop ...`). As a plugin it behaves the same;
// only what it tells the user names the command `kubectl shop`.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace shop::cli {

// The executable name kubectl looks for.
inline constexpr const char* kPluginExecutable = "kubectl-shop";

// The executable kubectl (>= 1.26) runs to complete `kubectl shop ...` (cobraCompletion()).
inline constexpr const char* kPluginCompletionExecutable = "kubectl_complete-shop";
// Whether argv0's base name is that.
bool isPluginCompletion(const std::string& argv0);

// "shopctl", or "kubectl shop" when argv0's base name is kubectl-shop.
std::string commandName(const std::string& argv0);

// Text for a user of `kubectl shop`: "shopctl" at the start of a line followed by ':' (an error's
// prefix), and "shopctl CMD" where CMD is one of `commands` (or help, --help, --help-all,
// --version, CMD), become "kubectl shop...". Other words ("field manager shopctl",
// shopctl.io/v1alpha1) are left as they are. Unchanged when `name` is "shopctl".
std::string renamed(const std::string& text, const std::string& name,
                    const std::vector<std::string>& commands);

// Sends what is written to `stream` through renamed(), a line at a time, until destroyed (which
// flushes a last partial line and restores the stream).
class RenamingStream {
 public:
  RenamingStream(std::ostream& stream, std::string name, std::vector<std::string> commands);
  ~RenamingStream();
  RenamingStream(const RenamingStream&) = delete;
  RenamingStream& operator=(const RenamingStream&) = delete;

 private:
  struct Buf;
  std::ostream& stream_;
  std::streambuf* original_;
  std::unique_ptr<Buf> buf_;
};

}  // namespace shop::cli
