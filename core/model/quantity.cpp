#include "core/model/quantity.hpp"

#include <cmath>
#include <cstdlib>

namespace shop {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The multiplier of a suffix that is not an exponent, or 0 when it is not one.
double suffixMultiplier(std::string_view s) {
  struct Suffix {
    std::string_view text;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3},
      {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}, {"", 1.0}};
  for (const auto& k : kSuffixes)
    if (k.text == s) return k.factor;
  return 0;
}

QuantityResult fail(std::string why) { return {std::nullopt, std::move(why)}; }

}  // namespace

QuantityResult parseQuantityText(std::string_view text) {
  if (text.size() > kMaxQuantityLength)
    return fail("is " + std::to_string(text.size()) + " characters long (a quantity has at most " +
                std::to_string(kMaxQuantityLength) + ")");
  if (text.empty()) return fail("is empty");
  size_t i = 0;
  if (text[i] == '+' || text[i] == '-') ++i;
  const size_t numberStart = i;
  size_t intDigits = 0, fracDigits = 0;
  while (i < text.size() && isDigit(text[i])) ++i, ++intDigits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && isDigit(text[i])) ++i, ++fracDigits;
  }
  if (intDigits == 0 && fracDigits == 0) return fail("has no number");
  const std::string number(text.substr(numberStart, i - numberStart));
  const std::string_view suffix = text.substr(i);
  double factor = suffixMultiplier(suffix);
  if (factor == 0) {
    // A decimal exponent: e or E, an optional sign, digits.
    size_t j = 0;
    if (suffix.empty() || (suffix[0] != 'e' && suffix[0] != 'E')) return fail("has an unknown suffix \"" + std::string(suffix) + "\"");
    ++j;
    const bool negative = j < suffix.size() && suffix[j] == '-';
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) ++j;
    if (j == suffix.size()) return fail("has an exponent without digits");
    int exponent = 0;
    for (; j < suffix.size(); ++j) {
      if (!isDigit(suffix[j])) return fail("has an unknown suffix \"" + std::string(suffix) + "\"");
      exponent = exponent * 10 + (suffix[j] - '0');
      if (exponent > 400) return fail("has an exponent out of range");
    }
    factor = std::pow(10.0, negative ? -exponent : exponent);
  }
  double value = std::strtod(number.c_str(), nullptr) * factor;
  if (text[0] == '-') value = -value;
  if (!std::isfinite(value)) return fail("is out of range");
  return {value, ""};
}

std::optional<double> parseQuantity(std::string_view text) { return parseQuantityText(text).value; }

}  // namespace shop
