#include "core/util/match.hpp"

#include <arpa/inet.h>

#include <cmath>
#include <cstdlib>
#include <string>

namespace shop::match {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool alpha(char c) { return lower(c) || upper(c); }
bool alnum(char c) { return alpha(c) || digit(c); }
bool lowerAlnum(char c) { return lower(c) || digit(c); }
bool hexLower(char c) { return digit(c) || (c >= 'a' && c <= 'f'); }
// \s of std::regex in the classic locale.
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

template <class P>
bool nonEmptyAll(std::string_view s, P p) {
  if (s.empty()) return false;
  for (char c : s)
    if (!p(c)) return false;
  return true;
}

// The end of the label that starts at i (s[i] is [a-z0-9]): the longest [a-z0-9-]* run that ends
// in [a-z0-9].
size_t labelEnd(std::string_view s, size_t i) {
  size_t j = i + 1;
  size_t last = i + 1;
  for (; j < s.size() && (lowerAlnum(s[j]) || s[j] == '-'); ++j)
    if (s[j] != '-') last = j + 1;
  return last;
}

// [a-zA-Z0-9.-]+(:[0-9]+)?
bool registryHost(std::string_view s) {
  const size_t colon = s.find(':');
  auto hostChar = [](char c) { return alnum(c) || c == '.' || c == '-'; };
  if (colon == std::string_view::npos) return nonEmptyAll(s, hostChar);
  return nonEmptyAll(s.substr(0, colon), hostChar) && nonEmptyAll(s.substr(colon + 1), digit);
}

// [a-z0-9]+([._/-][a-z0-9]+)*
bool repositoryPath(std::string_view s) {
  if (s.empty() || !lowerAlnum(s.front()) || !lowerAlnum(s.back())) return false;
  bool afterSeparator = false;
  for (char c : s) {
    if (lowerAlnum(c)) {
      afterSeparator = false;
    } else if (c == '.' || c == '_' || c == '/' || c == '-') {
      if (afterSeparator) return false;
      afterSeparator = true;
    } else {
      return false;
    }
  }
  return true;
}

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool imageTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !(alnum(s[0]) || s[0] == '_')) return false;
  for (char c : s.substr(1))
    if (!(alnum(c) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

// <repositoryPath>(:<imageTag>)?(@sha256:[a-f0-9]{64})?
bool imageRemainder(std::string_view s) {
  const size_t at = s.find('@');
  if (at != std::string_view::npos) {
    std::string_view digest = s.substr(at + 1);
    if (digest.size() != 7 + 64 || digest.substr(0, 7) != "sha256:" || !nonEmptyAll(digest.substr(7), hexLower))
      return false;
    s = s.substr(0, at);
  }
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return repositoryPath(s);
  return repositoryPath(s.substr(0, colon)) && imageTag(s.substr(colon + 1));
}

}  // namespace

bool dnsLabel(std::string_view s) {
  return !s.empty() && lowerAlnum(s.front()) && lowerAlnum(s.back()) &&
         nonEmptyAll(s, [](char c) { return lowerAlnum(c) || c == '-'; });
}

bool dns1035Label(std::string_view s) { return dnsLabel(s) && lower(s.front()); }

bool dnsSubdomain(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (!dnsLabel(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool hostPattern(std::string_view s) {
  if (s == "*") return true;
  if (s.substr(0, 2) == "*.") s.remove_prefix(2);
  return dnsSubdomain(s);
}

bool labelName(std::string_view s) {
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!(alnum(c) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

bool labelValue(std::string_view s) { return s.empty() || labelName(s); }

bool labelKey(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return labelName(s);
  return dnsSubdomain(s.substr(0, slash)) && labelName(s.substr(slash + 1));
}

bool envVarName(std::string_view s) {
  auto first = [](char c) { return alpha(c) || c == '-' || c == '.' || c == '_'; };
  return !s.empty() && first(s[0]) && nonEmptyAll(s, [&](char c) { return first(c) || digit(c); });
}

bool capabilityName(std::string_view s) {
  return nonEmptyAll(s, [](char c) { return upper(c) || c == '_'; });
}

bool cidr(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= s.size() || s.size() - slash > 4) return false;
  const std::string addr(s.substr(0, slash));
  int bits = 0;
  for (char c : s.substr(slash + 1)) {
    if (!digit(c)) return false;
    bits = bits * 10 + (c - '0');
  }
  unsigned char buf[16];
  if (addr.find(':') == std::string::npos) return inet_pton(AF_INET, addr.c_str(), buf) == 1 && bits <= 32;
  return inet_pton(AF_INET6, addr.c_str(), buf) == 1 && bits <= 128;
}

bool safeWord(std::string_view s) {
  return nonEmptyAll(s, [](char c) { return alnum(c) || c == '=' || c == '-'; });
}

bool imageReference(std::string_view s) {
  if (imageRemainder(s)) return true;
  const size_t slash = s.find('/');
  return slash != std::string_view::npos && registryHost(s.substr(0, slash)) && imageRemainder(s.substr(slash + 1));
}

double durationMs(std::string_view s) {
  if (s.empty()) return -1;
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == start) return -1;
    if (i + 1 < s.size() && s[i] == '.' && digit(s[i + 1]))
      for (++i; i < s.size() && digit(s[i]);) ++i;
    const double v = std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
    double unit;
    if (i < s.size() && s[i] == 'h') {
      unit = 3600000, i += 1;
    } else if (s.substr(i, 2) == "ms") {
      unit = 1, i += 2;
    } else if (i < s.size() && s[i] == 'm') {
      unit = 60000, i += 1;
    } else if (i < s.size() && s[i] == 's') {
      unit = 1000, i += 1;
    } else {
      return -1;
    }
    total += v * unit;
  }
  return std::isfinite(total) ? total : -1;
}

bool secretLookingName(std::string_view name) {
  std::string n(name);
  for (char& c : n)
    if (lower(c)) c = static_cast<char>(c - 'a' + 'A');
  for (const char* k : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "ACCESS_KEY", "CREDENTIAL"})
    if (n.find(k) != std::string::npos) return true;
  return false;
}

bool containsUrlPassword(std::string_view t) {
  for (size_t p = t.find("://"); p != std::string_view::npos; p = t.find("://", p + 1)) {
    // A scheme ends here: some letter followed by [A-Za-z0-9+.-]* up to "://".
    bool letter = false;
    for (size_t q = p; q > 0 && (alnum(t[q - 1]) || t[q - 1] == '+' || t[q - 1] == '.' || t[q - 1] == '-'); --q)
      letter |= alpha(t[q - 1]);
    if (!letter) continue;
    size_t i = p + 3;
    const size_t user = i;
    while (i < t.size() && !space(t[i]) && t[i] != '/' && t[i] != ':' && t[i] != '@') ++i;
    if (i == user || i == t.size() || t[i] != ':') continue;
    const size_t password = ++i;
    while (i < t.size() && !space(t[i]) && t[i] != '/' && t[i] != '@') ++i;
    if (i > password && i < t.size() && t[i] == '@') return true;
  }
  return false;
}

bool containsDsnPassword(std::string_view t) {
  for (size_t a = t.find('@'); a != std::string_view::npos; a = t.find('@', a + 1)) {
    std::string_view after = t.substr(a + 1);
    if (after.substr(0, 4) != "tcp(" && after.substr(0, 5) != "unix(") continue;
    size_t i = a;
    while (i > 0 && !space(t[i - 1]) && t[i - 1] != '@' && t[i - 1] != '/' && t[i - 1] != ':') --i;
    if (i == a || i == 0 || t[i - 1] != ':') continue;
    const size_t colon = i - 1;
    i = colon;
    while (i > 0 && (alnum(t[i - 1]) || t[i - 1] == '_' || t[i - 1] == '.' || t[i - 1] == '-')) --i;
    if (i == colon) continue;
    if (i == 0 || space(t[i - 1]) || t[i - 1] == '=') return true;
  }
  return false;
}

bool hasVersionNumber(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!digit(s[i]) || (i > 0 && digit(s[i - 1]))) continue;
    size_t j = i;
    while (j < s.size() && digit(s[j])) ++j;
    if (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) return true;
    i = j;
  }
  return false;
}

std::vector<std::pair<size_t, size_t>> dnsSubdomainRuns(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && !lowerAlnum(s[pos])) ++pos;
    if (pos == s.size()) break;
    size_t e = labelEnd(s, pos);
    while (e + 1 < s.size() && s[e] == '.' && lowerAlnum(s[e + 1])) e = labelEnd(s, e + 1);
    out.emplace_back(pos, e);
    pos = e;
  }
  return out;
}

}  // namespace shop::match
