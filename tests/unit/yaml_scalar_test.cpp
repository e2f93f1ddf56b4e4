// The hand-written scalar classifiers (core/io/scalar.hpp) against the regular expressions they
// replace: the same answer for every string over the characters that matter, up to length 5,
// and for random longer ones; and no stack overflow on scalars of 100,000 characters.
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

#include "core/io/scalar.hpp"
#include "core/io/yaml.hpp"

using namespace shop;

namespace {

const std::regex kNumber(
    "[-+]?(\\.[0-9]+|[0-9][0-9_:]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|"
    "[-+]?0[xob][0-9a-fA-F_]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
const std::regex kSpecial(
    "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
    "null|Null|NULL|~|<<|=");
const std::regex kIntDec("[-+]?[0-9]+");
const std::regex kIntOct("0o[0-7]+");
const std::regex kIntHex("0x[0-9a-fA-F]+");
const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

void expectSame(const std::string& s) {
  EXPECT_EQ(yamlscalar::isNonString11or12(s),
            !s.empty() && (std::regex_match(s, kNumber) || std::regex_match(s, kSpecial)))
      << '"' << s << '"';
  EXPECT_EQ(yamlscalar::isDecimalInt(s), std::regex_match(s, kIntDec)) << '"' << s << '"';
  EXPECT_EQ(yamlscalar::isOctalInt(s), std::regex_match(s, kIntOct)) << '"' << s << '"';
  EXPECT_EQ(yamlscalar::isHexInt(s), std::regex_match(s, kIntHex)) << '"' << s << '"';
  EXPECT_EQ(yamlscalar::isCoreFloat(s), std::regex_match(s, kFloat)) << '"' << s << '"';
}

}  // namespace

TEST(YamlScalar, SameAsTheRegexesForEveryShortString) {
  const std::string alphabet = "0179-+._:eExobaf";
  std::vector<std::string> level = {""};
  for (int len = 0; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const auto& s : level) {
      expectSame(s);
      if (::testing::Test::HasFailure()) return;
      for (char c : alphabet) next.push_back(s + c);
    }
    level.swap(next);
  }
}

TEST(YamlScalar, SameAsTheRegexesForWordsAndRandomStrings) {
  for (const char* w : {"yes", "Yes", "YES", "no", "on", "OFF", "y", "n", "true", "False", "null",
                        "~", "<<", "=", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "-.nan", "0x1F",
                        "0o17", "0b101", "-0x_1", "1:30", "1_000", "1e5", "1.5E-3", "1.", ".5",
                        "0755", "12:30:45.5", "1e", "e5", "yess", "nul", "0x", "1.2.3", "v1"})
    expectSame(w);
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789-+._:eEoxbInfaNYyst";
  for (int i = 0; i < 20000; ++i) {
    std::string s(1 + rng() % 12, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    expectSame(s);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(YamlScalar, LongScalarsNeedNoStack) {
  const std::string digits(100000, '7');
  EXPECT_TRUE(yamlscalar::isDecimalInt(digits));
  EXPECT_TRUE(yamlscalar::isNonString11or12(digits));
  EXPECT_FALSE(isPlainSafe(digits));
  const std::string text(100000, 'a');
  EXPECT_TRUE(isPlainSafe(text));
}
