#include <gtest/gtest.h>

#include <random>

#include "core/diff/unified.hpp"

using namespace shop::diff;

namespace {

std::vector<std::string> lines(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

// Replays an edit script on a, checking every step against a and b.
std::vector<std::string> replay(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                const std::vector<LineEdit>& edits) {
  std::vector<std::string> out;
  size_t ai = 0, bi = 0;
  for (const auto& e : edits) {
    switch (e.op) {
      case LineEdit::Keep:
        EXPECT_EQ(e.a, ai);
        EXPECT_EQ(e.b, bi);
        EXPECT_EQ(a.at(e.a), b.at(e.b));
        out.push_back(a[ai]);
        ++ai, ++bi;
        break;
      case LineEdit::Delete:
        EXPECT_EQ(e.a, ai);
        ++ai;
        break;
      case LineEdit::Insert:
        EXPECT_EQ(e.b, bi);
        out.push_back(b.at(e.b));
        ++bi;
        break;
    }
  }
  EXPECT_EQ(ai, a.size());
  EXPECT_EQ(bi, b.size());
  return out;
}

size_t lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;)
    for (size_t j = b.size(); j-- > 0;)
      t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : std::max(t[i + 1][j], t[i][j + 1]);
  return t[0][0];
}

// Applies a unified diff to `from` (hunks in order, context checked), as patch(1) would.
std::string applyUnified(const std::string& from, const std::string& diff) {
  auto src = splitLines(from).lines;
  auto d = splitLines(diff).lines;
  std::vector<std::string> out;
  size_t pos = 0;  // next unread line of src
  size_t i = 2;    // after the ---/+++ headers
  while (i < d.size()) {
    const std::string& h = d[i];
    EXPECT_EQ(h.rfind("@@ -", 0), 0u) << h;
    size_t start = std::stoul(h.substr(4));
    size_t comma = h.find(',', 4), space = h.find(' ', 4);
    size_t count = comma != std::string::npos && comma < space ? std::stoul(h.substr(comma + 1)) : 1;
    size_t first = count == 0 ? start : start - 1;  // 0-based index of the hunk's first source line
    while (pos < first) out.push_back(src[pos++]);
    ++i;
    while (i < d.size() && d[i].rfind("@@", 0) != 0) {
      const std::string& l = d[i++];
      if (l[0] == ' ') {
        EXPECT_EQ(src.at(pos), l.substr(1));
        out.push_back(src[pos++]);
      } else if (l[0] == '-') {
        EXPECT_EQ(src.at(pos), l.substr(1));
        ++pos;
      } else if (l[0] == '+') {
        out.push_back(l.substr(1));
      }
    }
  }
  while (pos < src.size()) out.push_back(src[pos++]);
  std::string text;
  for (const auto& l : out) text += l + "\n";
  return text;
}

}  // namespace

TEST(LineDiff, EqualInputsAreAllKeeps) {
  auto a = lines({"a", "b", "c"});
  auto e = lineDiff(a, a);
  ASSERT_EQ(e.size(), 3u);
  for (const auto& x : e) EXPECT_EQ(x.op, LineEdit::Keep);
}

TEST(LineDiff, EmptySides) {
  auto e = lineDiff({}, lines({"x", "y"}));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].op, LineEdit::Insert);
  e = lineDiff(lines({"x"}), {});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].op, LineEdit::Delete);
  EXPECT_TRUE(lineDiff({}, {}).empty());
}

TEST(LineDiff, DeletionsComeBeforeInsertionsInARun) {
  auto e = lineDiff(lines({"a", "old1", "old2", "z"}), lines({"a", "new1", "z"}));
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[1].op, LineEdit::Delete);
  EXPECT_EQ(e[2].op, LineEdit::Delete);
  EXPECT_EQ(e[3].op, LineEdit::Insert);
}

TEST(LineDiff, RandomInputsGiveAMinimalCorrectScript) {
  std::mt19937 rng(7);
  for (int round = 0; round < 400; ++round) {
    auto gen = [&](size_t n) {
      std::vector<std::string> v;
      for (size_t i = 0; i < n; ++i) v.push_back(std::string(1, static_cast<char>('a' + rng() % 4)));
      return v;
    };
    auto a = gen(rng() % 30), b = gen(rng() % 30);
    auto edits = lineDiff(a, b);
    EXPECT_EQ(replay(a, b, edits), b);
    size_t keeps = std::count_if(edits.begin(), edits.end(), [](const LineEdit& e) { return e.op == LineEdit::Keep; });
    EXPECT_EQ(keeps, lcs(a, b)) << "round " << round;
  }
}

TEST(UnifiedDiff, EqualTextsGiveNothing) { EXPECT_EQ(unifiedDiff("a\nb\n", "a\nb\n"), ""); }

TEST(UnifiedDiff, OneChangedLineWithThreeLinesOfContext) {
  const std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const std::string b = "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n";
  EXPECT_EQ(unifiedDiff(a, b, {3, "live", "merged"}),
            "--- live\n+++ merged\n"
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, FarApartChangesMakeTwoHunksNearOnesOne) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 2 || i == 18 ? "x" : std::to_string(i)) + "\n";
  }
  EXPECT_EQ(unifiedDiff(a, b),
            "--- a\n+++ b\n"
            "@@ -1,5 +1,5 @@\n 1\n-2\n+x\n 3\n 4\n 5\n"
            "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+x\n 19\n 20\n");
  // Six unchanged lines between two changes (2 x context) still make one hunk.
  std::string c, d;
  for (int i = 1; i <= 12; ++i) {
    c += std::to_string(i) + "\n";
    d += (i == 3 || i == 10 ? "x" : std::to_string(i)) + "\n";
  }
  const std::string u = unifiedDiff(c, d);
  EXPECT_EQ(std::count(u.begin(), u.end(), '@'), 4) << u;
  EXPECT_NE(u.find("@@ -1,12 +1,12 @@"), std::string::npos) << u;
}

TEST(UnifiedDiff, RangesOfPureInsertionsAndDeletionsFollowGnuDiff) {
  EXPECT_EQ(unifiedDiff("", "a\nb\n"), "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  EXPECT_EQ(unifiedDiff("a\nb\n", ""), "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-a\n-b\n");
  EXPECT_EQ(unifiedDiff("a\n", "a\nb\n", {0}), "--- a\n+++ b\n@@ -1,0 +2 @@\n+b\n");
}

TEST(UnifiedDiff, MissingFinalNewlineIsShown) {
  EXPECT_EQ(unifiedDiff("a\nb", "a\nb\n"),
            "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(UnifiedDiff, RandomDiffsApplyBack) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    auto gen = [&](size_t n) {
      std::string s;
      for (size_t i = 0; i < n; ++i) s += std::string(1, static_cast<char>('a' + rng() % 5)) + "\n";
      return s;
    };
    const std::string a = gen(rng() % 40), b = gen(rng() % 40);
    const std::string u = unifiedDiff(a, b, {static_cast<int>(rng() % 4)});
    if (a == b) {
      EXPECT_EQ(u, "");
      continue;
    }
    EXPECT_EQ(applyUnified(a, u), b) << "round " << round << "\n" << u;
  }
}

TEST(UnifiedDiff, ColoursOnlyTheMarkers) {
  const std::string c = colorizeUnified("--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n z\n");
  EXPECT_EQ(c,
            "\033[1m--- a\033[0m\n\033[1m+++ b\033[0m\n\033[36m@@ -1 +1 @@\033[0m\n"
            "\033[31m-x\033[0m\n\033[32m+y\033[0m\n z\n");
}
