#include "core/io/scalar.hpp"

#include <array>

namespace shop::yamlscalar {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool hexDigit(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool sign(char c) { return c == '-' || c == '+'; }

// Consumes [eE][-+]?[0-9]+ at i when present; false when an exponent starts but is malformed.
bool exponent(std::string_view s, size_t& i) {
  if (i == s.size() || (s[i] != 'e' && s[i] != 'E')) return true;
  ++i;
  if (i < s.size() && sign(s[i])) ++i;
  const size_t start = i;
  while (i < s.size() && digit(s[i])) ++i;
  return i > start;
}

// [-+]?(\.[0-9]+|[0-9][0-9_:]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?
bool isYamlNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && sign(s[i])) ++i;
  if (i == s.size()) return false;
  if (s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == start) return false;
  } else if (digit(s[i])) {
    ++i;
    while (i < s.size() && (digit(s[i]) || s[i] == '_' || s[i] == ':')) ++i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && (digit(s[i]) || s[i] == '_')) ++i;
    }
  } else {
    return false;
  }
  return exponent(s, i) && i == s.size();
}

// [-+]?0[xob][0-9a-fA-F_]+
bool isPrefixedInt(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && sign(s[i])) ++i;
  if (s.size() < i + 3 || s[i] != '0' || (s[i + 1] != 'x' && s[i + 1] != 'o' && s[i + 1] != 'b'))
    return false;
  for (i += 2; i < s.size(); ++i)
    if (!(hexDigit(s[i]) || s[i] == '_')) return false;
  return true;
}

bool isInfOrNan(std::string_view s) {
  std::string_view rest = s;
  if (!rest.empty() && sign(rest[0])) rest.remove_prefix(1);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  return s == ".nan" || s == ".NaN" || s == ".NAN";
}

constexpr std::array<std::string_view, 28> kSpecial = {
    "y",    "Y",     "yes",   "Yes",   "YES", "n",  "N",  "no",   "No",   "NO",
    "true", "True",  "TRUE",  "false", "False", "FALSE", "on", "On", "ON", "off",
    "Off",  "OFF",   "null",  "Null",  "NULL", "~",  "<<", "="};
constexpr bool specialsAtMostFive() {
  for (auto w : kSpecial)
    if (w.size() > 5) return false;
  return true;
}
static_assert(specialsAtMostFive(), "isNonString11or12 skips the special words for longer strings");

}  // namespace

bool isDecimalInt(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && sign(s[i])) ++i;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!digit(s[i])) return false;
  return true;
}

bool isOctalInt(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || s[1] != 'o') return false;
  for (size_t i = 2; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '7') return false;
  return true;
}

bool isHexInt(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x') return false;
  for (size_t i = 2; i < s.size(); ++i)
    if (!hexDigit(s[i])) return false;
  return true;
}

bool isCoreFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && sign(s[i])) ++i;
  if (i == s.size()) return false;
  if (s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == start) return false;
  } else if (digit(s[i])) {
    while (i < s.size() && digit(s[i])) ++i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && digit(s[i])) ++i;
    }
  } else {
    return false;
  }
  return exponent(s, i) && i == s.size();
}

bool isNonString11or12(std::string_view s) {
  if (s.empty()) return false;
  // Every number, infinity and NaN starts with a sign, a dot or a digit, and no special word is
  // longer than five characters: most strings (names, labels, images) end here.
  const char c0 = s[0];
  if (s.size() > 5 && !sign(c0) && c0 != '.' && !digit(c0)) return false;
  if (isYamlNumber(s) || isPrefixedInt(s) || isInfOrNan(s)) return true;
  for (auto w : kSpecial)
    if (s == w) return true;
  return false;
}

}  // namespace shop::yamlscalar
