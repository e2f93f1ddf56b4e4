#include "cli/global_options.hpp"

#include <cmath>
#include <cstdlib>

#include "core/util/text.hpp"

namespace shop::cli {

namespace {

bool allDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool parseRequestTimeout(const std::string& text, std::chrono::milliseconds& out, std::string& error) {
  const std::string quoted = shop::quotedValue(text);
  const std::string expected = "expected a duration such as 30s, 1m or 500ms, or 0 for no timeout";
  auto bad = [&](const std::string& why) {
    error = quoted + " is not a duration (" + why + "): " + expected;
    return false;
  };
  if (text.empty()) return bad("empty");
  if (allDigits(text)) {  // kubectl: a bare number is seconds
    if (text.size() > 9) return bad("too long");
    out = std::chrono::seconds(std::stoll(text));
    return true;
  }
  std::string s = text;
  if (s[0] == '-') return bad("negative");
  if (s[0] == '+') s.erase(0, 1);
  struct Unit {
    const char* name;
    double ns;
  };
  static const Unit kUnits[] = {{"ns", 1},          {"us", 1e3},  {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
                                {"ms", 1e6},        {"s", 1e9},   {"m", 60e9},        {"h", 3600e9}};
  double total = 0;
  size_t i = 0;
  if (s.empty()) return bad("no number");
  while (i < s.size()) {
    const size_t start = i;
    size_t digits = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) digits += s[i++] != '.';
    const std::string number = s.substr(start, i - start);
    if (digits == 0 || number.find('.') != number.rfind('.') || digits > 15)
      return bad(number.empty() ? "a unit without a number" : "\"" + number + "\" is not a number");
    const size_t unitStart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    const std::string unit = s.substr(unitStart, i - unitStart);
    if (unit.empty()) return bad("a number without a unit");
    const Unit* u = nullptr;
    for (const auto& k : kUnits)
      if (unit == k.name) u = &k;
    if (!u) return bad("unknown unit \"" + unit + "\"; the units are ns, us, ms, s, m, h");
    total += std::strtod(number.c_str(), nullptr) * u->ns;
  }
  if (total > 366 * 24 * 3600e9) return bad("longer than a year");
  // Rounded up: a positive timeout never becomes 0 (no timeout).
  out = std::chrono::milliseconds(static_cast<long long>(std::ceil(total / 1e6)));
  return true;
}

bool parseVerbosity(const std::string& text, int& out, std::string& error) {
  std::string s = text;
  if (!s.empty() && s[0] == '=') s.erase(0, 1);
  if (!allDigits(s) || s.size() > 3) {
    error = shop::quotedValue(s) + " is not a log level: expected a whole number such as 6 (each API request) or 8 "
            "(their bodies too)";
    return false;
  }
  out = std::stoi(s);
  return true;
}

LeadingOptions takeLeadingOptions(const std::vector<std::string>& args) {
  LeadingOptions o;
  size_t i = 0;
  auto check = [&](const std::string& flag, const std::string& value) {
    std::string why;
    if (flag == "--request-timeout") {
      std::chrono::milliseconds t{};
      if (!parseRequestTimeout(value, t, why)) o.error = flag + ": " + why;
    } else if (flag == "-v" || flag == "--v") {
      int v = 0;
      if (!parseVerbosity(value, v, why)) o.error = flag + ": " + why;
    }
  };
  auto store = [&](const std::string& flag, const std::string& value) {
    o.given.push_back(flag);
    check(flag, value);
    if (flag == "--kubeconfig") o.kubeconfig = value;
    else if (flag == "--context") o.context = value;
    else if (flag == "--request-timeout") o.requestTimeout = value;
    else o.verbosity = value;
  };
  for (; i < args.size() && o.error.empty(); ++i) {
    const std::string& a = args[i];
    bool matched = false;
    for (const char* f : {"--kubeconfig", "--context", "--request-timeout", "--v", "-v"}) {
      const std::string flag = f;
      if (a == flag) {
        if (i + 1 >= args.size()) {
          o.error = flag + " needs a value";
          return o;
        }
        store(flag, args[++i]);
        matched = true;
      } else if (a.compare(0, flag.size() + 1, flag + "=") == 0) {
        store(flag, a.substr(flag.size() + 1));
        matched = true;
      } else if (flag == "-v" && a.size() > 2 && a.compare(0, 2, "-v") == 0 && a[2] >= '0' && a[2] <= '9') {
        store(flag, a.substr(2));  // -v6
        matched = true;
      }
      if (matched) break;
    }
    if (!matched) break;
  }
  if (!o.error.empty()) return o;
  o.rest.assign(args.begin() + static_cast<long>(i), args.end());
  return o;
}

}  // namespace shop::cli
