#include "core/util/text.hpp"

namespace shop {

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string escapePointer(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string clip(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " characters)";
}

std::string quotedValue(std::string_view value) {
  constexpr size_t kMaxWhole = 64, kShown = 40;
  if (value.size() <= kMaxWhole) return "\"" + std::string(value) + "\"";
  const std::string cut = clip(value, kShown);  // "<40 characters>... (N characters)"
  const size_t dots = cut.rfind("... (");
  return "\"" + cut.substr(0, dots) + "...\"" + cut.substr(dots + 3);
}

}  // namespace shop
