#pragma once
// Line diffs: a minimal edit script (Myers' O((N+M)D) algorithm) and the unified format that
// `diff -u` prints, so the output reads and applies like GNU diff's.
#include <string>
#include <vector>

namespace shop::diff {

// One step of an edit script turning a into b.
struct LineEdit {
  enum Op { Keep, Delete, Insert } op;
  size_t a;  // index in a (Keep, Delete)
  size_t b;  // index in b (Keep, Insert)
};

// A shortest edit script: the fewest Delete + Insert steps, in order. Deletions come before
// insertions where both are possible, as in GNU diff.
std::vector<LineEdit> lineDiff(const std::vector<std::string>& a, const std::vector<std::string>& b);

// Splits text into lines without their newline. A last line without a newline is kept and
// marked, so "x" and "x\n" differ as they do for diff ("\ No newline at end of file").
struct Lines {
  std::vector<std::string> lines;
  bool missingFinalNewline = false;
};
Lines splitLines(const std::string& text);

struct UnifiedOptions {
  int context = 3;
  std::string fromLabel = "a";  // the "--- " header
  std::string toLabel = "b";    // the "+++ " header
};

// The unified diff of two texts: "--- from", "+++ to", then "@@ -l,n +l,n @@" hunks with
// `context` lines around each change. Empty when the texts are equal.
std::string unifiedDiff(const std::string& from, const std::string& to, const UnifiedOptions& opts = {});

// ANSI colours for a unified diff on a terminal: headers bold, hunk ranges cyan, deletions
// red, insertions green.
std::string colorizeUnified(const std::string& diff);

}  // namespace shop::diff
