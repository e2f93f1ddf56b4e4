// Hostile YAML: every limit of core/io/yaml.hpp is an error naming file:line:col, never a crash,
// a hang or an unbounded allocation. (tests/hostile/run.sh repeats the worst of these through
// every shopctl command under a memory and time limit.)
#include <gtest/gtest.h>

#include <string>

#include "core/io/yaml.hpp"

using namespace shop;

namespace {

// 10 aliases per level, 9 levels: 10^9 strings once expanded; 695 bytes of text.
std::string billionLaughs() {
  std::string y = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  const std::string names = "abcdefghi";
  for (size_t i = 1; i < names.size(); ++i) {
    y += names.substr(i, 1) + ": &" + names[i] + " [";
    for (int k = 0; k < 10; ++k) y += std::string(k ? "," : "") + "*" + names[i - 1];
    y += "]\n";
  }
  return y;
}

}  // namespace

TEST(YamlLimits, BillionLaughsStopsAtTheAliasLimit) {
  const std::string text = billionLaughs();
  auto r = loadYaml(text, "lol.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.documents.empty());
  EXPECT_EQ(r.error->file, "lol.yaml");
  EXPECT_TRUE(r.error->pos.known());
  EXPECT_NE(r.error->message.find("aliases expand to more than 100000 nodes"), std::string::npos)
      << r.error->str();
}

TEST(YamlLimits, ScalarTextAfterAliasesIsBounded) {
  YamlLimits small;
  small.maxScalarBytes = 1000;
  const std::string big(400, 'x');
  auto r = loadYaml("a: &a " + big + "\nb: *a\nc: *a\n", "s.yaml", small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(), "s.yaml:3:4: error: c: document holds more than 1000 bytes of text once aliases are expanded");
}

TEST(YamlLimits, ModestAliasesStillWork) {
  auto r = loadYaml("base: &b {x: 1, y: [a, b]}\nother: *b\nk: &k key\n*k : 3\n");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Json& v = r.documents.at(0).value;
  EXPECT_EQ(v["other"], v["base"]);
  EXPECT_EQ(v["key"], 3);
  // positions inside an alias's copy are the anchored node's
  EXPECT_EQ(r.documents[0].map.lookup("other.y[1]").line, 1);
}

TEST(YamlLimits, LoneCommaIsAnErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7.0 reports an empty document for "," without consuming it, forever.
  for (const char* text : {",", "\n,\n", "a: 1\n---\n,\n"}) {
    auto r = loadYaml(text, "c.yaml");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error->message, "invalid YAML: unexpected \",\"") << text;
    EXPECT_TRUE(r.error->pos.known());
  }
}

TEST(YamlLimits, HugePlainScalarsLoadWithoutRecursion) {
  const std::string digits(26000, '1');
  auto r = loadYaml("x: " + digits + "\ny: " + std::string(27000, 'a') + "\nz: 1." + digits + "\n");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Json& v = r.documents.at(0).value;
  // Past a double's range, a number keeps its text (as .inf does) rather than turning into inf.
  EXPECT_EQ(v["x"], digits);
  EXPECT_EQ(v["y"].get<std::string>().size(), 27000u);
  EXPECT_TRUE(v["z"].is_number_float());
  // and it prints quoted, so it reads back as the same text
  auto back = loadYaml(toYaml(v));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.documents.at(0).value, v);
}

TEST(YamlLimits, TooManyNodesIsAnError) {
  YamlLimits small;
  small.maxNodes = 1000;
  std::string y = "a: [";
  for (size_t i = 0; i < 997; ++i) y += i ? ",1" : "1";
  EXPECT_TRUE(loadYaml(y + "]\n", "ok.yaml", small).ok());  // map, key, list, 997 items
  auto r = loadYaml(y + ",1]\n", "big.yaml", small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(), "big.yaml:1:1999: error: a[997]: document has more than 1000 nodes");
}

TEST(YamlLimits, DeepNestingIsAnError) {
  auto r = loadYaml(std::string(100000, '[') + std::string(100000, ']'), "deep.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->message.find("invalid YAML"), std::string::npos) << r.error->str();
}

TEST(YamlLimits, FilesPastTheSizeLimitAreRefused) {
  const std::string y(size_t{64} << 20 | 1, '#');
  auto r = loadYaml(y, "huge.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->message.find("larger than 67108864 bytes"), std::string::npos);
}
