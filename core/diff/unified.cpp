#include "core/diff/unified.hpp"

#include <algorithm>

namespace shop::diff {

namespace {

// Myers' greedy algorithm on a[0..n) and b[0..m) (already trimmed of their common prefix and
// suffix). Keeps the furthest x of every diagonal k after each step d, so the path can be
// walked back. Memory is O(D^2); beyond kMaxD changed lines the script is "delete all, insert
// all", still correct, only not minimal.
constexpr long kMaxD = 4000;

void myers(const std::string* a, long n, const std::string* b, long m, size_t aOff, size_t bOff,
           std::vector<LineEdit>& out) {
  if (n == 0 || m == 0) {
    for (long i = 0; i < n; ++i) out.push_back({LineEdit::Delete, aOff + i, bOff});
    for (long j = 0; j < m; ++j) out.push_back({LineEdit::Insert, aOff + n, bOff + j});
    return;
  }
  const long max = std::min(n + m, kMaxD);
  std::vector<long> v(2 * max + 3, 0);
  const long off = max + 1;
  std::vector<std::vector<long>> trace;  // trace[d][k + d] = v[k] after step d
  long found = -1;
  for (long d = 0; d <= max && found < 0; ++d) {
    for (long k = -d; k <= d; k += 2) {
      long x;
      if (d == 0) x = 0;
      else if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) x = v[off + k + 1];
      else x = v[off + k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[off + k] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.emplace_back(v.begin() + off - d, v.begin() + off + d + 1);
  }
  if (found < 0) {  // too many changes for the budget
    for (long i = 0; i < n; ++i) out.push_back({LineEdit::Delete, aOff + i, bOff});
    for (long j = 0; j < m; ++j) out.push_back({LineEdit::Insert, aOff + n, bOff + j});
    return;
  }
  std::vector<LineEdit> rev;
  long x = n, y = m;
  for (long d = found; d > 0; --d) {
    const auto& prev = trace[d - 1];
    auto at = [&](long k) { return prev[k + (d - 1)]; };
    const long k = x - y;
    const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    const long pk = down ? k + 1 : k - 1;
    const long px = at(pk), py = px - pk;
    while (x > (down ? px : px + 1) && y > (down ? py + 1 : py)) {
      --x, --y;
      rev.push_back({LineEdit::Keep, aOff + x, bOff + y});
    }
    if (down) {
      rev.push_back({LineEdit::Insert, aOff + px, bOff + py});
    } else {
      rev.push_back({LineEdit::Delete, aOff + px, bOff + py});
    }
    x = px, y = py;
  }
  while (x > 0 && y > 0) {
    --x, --y;
    rev.push_back({LineEdit::Keep, aOff + x, bOff + y});
  }
  out.insert(out.end(), rev.rbegin(), rev.rend());
}

// Inside every run of changes, deletions first, then insertions (GNU diff's order).
void orderRuns(std::vector<LineEdit>& e) {
  size_t i = 0;
  while (i < e.size()) {
    if (e[i].op == LineEdit::Keep) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < e.size() && e[j].op != LineEdit::Keep) ++j;
    std::stable_partition(e.begin() + i, e.begin() + j, [](const LineEdit& x) { return x.op == LineEdit::Delete; });
    i = j;
  }
}

// Lines for comparison: a last line without a newline carries a trailing '\n' (which no other
// line can contain), so it differs from the same text with a newline.
std::vector<std::string> comparable(const Lines& l) {
  std::vector<std::string> v = l.lines;
  if (l.missingFinalNewline && !v.empty()) v.back() += '\n';
  return v;
}

void emitLine(std::string& out, char prefix, const std::string& line) {
  out += prefix;
  if (!line.empty() && line.back() == '\n') {
    out.append(line, 0, line.size() - 1);
    out += "\n\\ No newline at end of file\n";
  } else {
    out += line;
    out += '\n';
  }
}

std::string range(size_t start, size_t count) {
  // 1-based start; an empty range names the line before it (GNU diff's convention).
  if (count == 0) return std::to_string(start) + ",0";
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(start + 1) + "," + std::to_string(count);
}

}  // namespace

std::vector<LineEdit> lineDiff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<LineEdit> out;
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) {
    out.push_back({LineEdit::Keep, pre, pre});
    ++pre;
  }
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  const long n = static_cast<long>(a.size() - pre - suf), m = static_cast<long>(b.size() - pre - suf);
  myers(a.data() + pre, n, b.data() + pre, m, pre, pre, out);
  for (size_t i = 0; i < suf; ++i) out.push_back({LineEdit::Keep, pre + n + i, pre + m + i});
  orderRuns(out);
  return out;
}

Lines splitLines(const std::string& text) {
  Lines l;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      l.lines.push_back(text.substr(start));
      l.missingFinalNewline = true;
      break;
    }
    l.lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return l;
}

std::string unifiedDiff(const std::string& from, const std::string& to, const UnifiedOptions& opts) {
  if (from == to) return "";
  const auto a = comparable(splitLines(from));
  const auto b = comparable(splitLines(to));
  const auto edits = lineDiff(a, b);
  const size_t ctx = static_cast<size_t>(std::max(0, opts.context));

  std::string out = "--- " + opts.fromLabel + "\n+++ " + opts.toLabel + "\n";
  size_t i = 0;
  while (i < edits.size()) {
    // The next change.
    while (i < edits.size() && edits[i].op == LineEdit::Keep) ++i;
    if (i == edits.size()) break;
    size_t first = i;
    // Extend over changes separated by at most 2*ctx unchanged lines.
    size_t last = i;  // index of the last change in the hunk
    size_t j = i;
    while (j < edits.size()) {
      if (edits[j].op != LineEdit::Keep) {
        last = j;
        ++j;
        continue;
      }
      size_t k = j;
      while (k < edits.size() && edits[k].op == LineEdit::Keep) ++k;
      if (k == edits.size() || k - j > 2 * ctx) break;
      j = k;
    }
    const size_t begin = first >= ctx ? first - ctx : 0;
    size_t end = last + 1;
    for (size_t c = 0; c < ctx && end < edits.size() && edits[end].op == LineEdit::Keep; ++c) ++end;
    // Ranges in a and b.
    size_t aStart = 0, bStart = 0, aCount = 0, bCount = 0;
    bool aSet = false, bSet = false;
    for (size_t e = begin; e < end; ++e) {
      const auto& ed = edits[e];
      if (ed.op != LineEdit::Insert) {
        if (!aSet) aStart = ed.a, aSet = true;
        ++aCount;
      }
      if (ed.op != LineEdit::Delete) {
        if (!bSet) bStart = ed.b, bSet = true;
        ++bCount;
      }
    }
    if (!aSet) aStart = edits[begin].a;  // pure insertion: the position it goes to
    if (!bSet) bStart = edits[begin].b;
    out += "@@ -" + range(aStart, aCount) + " +" + range(bStart, bCount) + " @@\n";
    for (size_t e = begin; e < end; ++e) {
      const auto& ed = edits[e];
      if (ed.op == LineEdit::Keep) emitLine(out, ' ', a[ed.a]);
      else if (ed.op == LineEdit::Delete) emitLine(out, '-', a[ed.a]);
      else emitLine(out, '+', b[ed.b]);
    }
    i = end;
  }
  return out;
}

std::string colorizeUnified(const std::string& diff) {
  std::string out;
  size_t start = 0;
  while (start < diff.size()) {
    size_t nl = diff.find('\n', start);
    const std::string line = diff.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    const char* color = nullptr;
    if (line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0) color = "\033[1m";
    else if (line.rfind("@@", 0) == 0) color = "\033[36m";
    else if (!line.empty() && line[0] == '-') color = "\033[31m";
    else if (!line.empty() && line[0] == '+') color = "\033[32m";
    else if (!line.empty() && line[0] == '\\') color = "\033[2m";
    if (color) out += std::string(color) + line + "\033[0m";
    else out += line;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

}  // namespace shop::diff
