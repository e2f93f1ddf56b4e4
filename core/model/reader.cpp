#include "core/model/reader.hpp"

#include <algorithm>
#include <cmath>

#include "core/model/quantity.hpp"
#include "core/util/match.hpp"
#include "core/util/text.hpp"

namespace shop {

std::string jsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "list";
    case Json::value_t::object: return "object";
    default: return "value";
  }
}

static size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t bestD = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

bool isQuantity(const std::string& s) { return parseQuantity(s).has_value(); }

double durationMs(const std::string& s) { return match::durationMs(s); }

bool isDuration(const std::string& s) { return durationMs(s) >= 1; }

bool isDnsLabel(const std::string& s, size_t maxLen) { return s.size() <= maxLen && match::dnsLabel(s); }

Reader::Reader(const Json* j, std::string path, Diagnostics& diags)
    : j_(j), path_(std::move(path)), diags_(diags) {}

const Json* Reader::get(const std::string& key) {
  known_.push_back(key);
  if (!j_ || !j_->is_object()) return nullptr;
  auto it = j_->find(key);
  if (it == j_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool Reader::has(const std::string& key) { return get(key) != nullptr; }

const Json* Reader::raw(const std::string& key) { return get(key); }

bool Reader::typeError(const std::string& key, const Json& v, const char* want) {
  diags_.error(at(key), std::string("must be ") + want + ", not " + jsonTypeName(v));
  return true;
}

std::optional<std::string> Reader::str(const std::string& key) {
  const Json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    typeError(key, *v, "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::string> Reader::nonEmpty(const std::string& key) {
  auto s = str(key);
  if (s && s->empty()) {
    error(key, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Reader::oneOf(const std::string& key,
                                         std::initializer_list<const char*> allowed) {
  auto s = str(key);
  if (!s) return s;
  for (const char* a : allowed)
    if (*s == a) return s;
  std::string list;
  std::vector<std::string> cands;
  for (const char* a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
    cands.push_back(a);
  }
  std::string msg = "unsupported value \"" + *s + "\": must be one of " + list;
  if (auto c = closest(*s, cands)) msg += " (did you mean \"" + *c + "\"?)";
  error(key, msg);
  return std::nullopt;
}

std::optional<std::string> Reader::pattern(const std::string& key, bool (*ok)(std::string_view),
                                           const char* what) {
  auto s = str(key);
  if (!s) return s;
  if (!ok(*s)) {
    error(key, quotedValue(*s) + " is not " + what);
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> Reader::integer(const std::string& key, int64_t min, int64_t max) {
  const Json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    typeError(key, *v, "an integer");
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < min || n > max) {
    error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   ", not " + std::to_string(n));
    return std::nullopt;
  }
  return n;
}

std::optional<int> Reader::int32(const std::string& key, int min, int max) {
  auto n = integer(key, min, max);
  if (!n) return std::nullopt;
  return static_cast<int>(*n);
}

std::optional<double> Reader::number(const std::string& key, double min, double max) {
  const Json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    typeError(key, *v, "a number");
    return std::nullopt;
  }
  double n = v->get<double>();
  if (n < min || n > max) {
    Json lo = min, hi = max, got = n;
    error(key, "must be between " + lo.dump() + " and " + hi.dump() + ", not " + v->dump());
    return std::nullopt;
  }
  return n;
}

std::optional<bool> Reader::boolean(const std::string& key) {
  const Json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    typeError(key, *v, "true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::string> Reader::quantity(const std::string& key) {
  const Json* v = get(key);
  if (!v) return std::nullopt;
  std::string s;
  if (v->is_number_integer()) {
    s = std::to_string(v->get<int64_t>());
  } else if (v->is_number_float()) {
    s = v->dump();
  } else if (v->is_string()) {
    s = v->get<std::string>();
  } else {
    typeError(key, *v, "a quantity such as 100m, 1.5 or 256Mi");
    return std::nullopt;
  }
  if (const QuantityResult q = parseQuantityText(s); !q.value) {
    error(key, quotedValue(s) + " is not a quantity: it " + q.error + " (examples: 100m, 1.5, 256Mi, 1Gi)");
    return std::nullopt;
  }
  if (!s.empty() && s[0] == '-') {
    error(key, "must not be negative");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Reader::duration(const std::string& key) {
  auto s = str(key);
  if (!s) {
    return s;
  }
  if (!isDuration(*s)) {
    error(key, quotedValue(*s) + " is not a duration of at least 1ms (examples: 250ms, 2s, 1m30s)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Reader::intOrString(const std::string& key) {
  const Json* v = get(key);
  if (!v) return std::nullopt;
  // A number (or a string of digits, as Kubernetes' IntOrString reads it) is a port: 1-65535.
  auto port = [&](std::string_view digits) -> std::optional<std::string> {
    if (digits.size() > 5 || std::stoi(std::string(digits)) < 1 || std::stoi(std::string(digits)) > 65535) {
      error(key, quotedValue(digits) + " is not a port number (1-65535)");
      return std::nullopt;
    }
    return std::to_string(std::stoi(std::string(digits)));
  };
  if (v->is_number_integer()) {
    const int64_t n = v->get<int64_t>();
    if (n < 1 || n > 65535) {
      error(key, std::to_string(n) + " is not a port number (1-65535)");
      return std::nullopt;
    }
    return std::to_string(n);
  }
  if (v->is_string() && !v->get<std::string>().empty()) {
    const std::string& s = v->get<std::string>();
    if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return port(s);
    return s;
  }
  typeError(key, *v, "a port number or a port name");
  return std::nullopt;
}

std::vector<std::string> Reader::strList(const std::string& key) {
  std::vector<std::string> out;
  const Json* v = get(key);
  if (!v) return out;
  if (!v->is_array()) {
    typeError(key, *v, "a list of strings");
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& e = (*v)[i];
    if (e.is_string()) {
      out.push_back(e.get<std::string>());
    } else {
      diags_.error(indexPath(at(key), i), "must be a string, not " + jsonTypeName(e));
    }
  }
  return out;
}

std::map<std::string, std::string> Reader::strMap(const std::string& key) {
  std::map<std::string, std::string> out;
  const Json* v = get(key);
  if (!v) return out;
  if (!v->is_object()) {
    typeError(key, *v, "a map of strings");
    return out;
  }
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_string()) {
      out[it.key()] = it->get<std::string>();
    } else {
      diags_.error(childPath(at(key), it.key()),
                   "must be a string, not " + jsonTypeName(*it) + " (quote it: \"" +
                       (it->is_null() ? "" : it->dump()) + "\")");
    }
  }
  return out;
}

Reader Reader::obj(const std::string& key) {
  const Json* v = get(key);
  if (v && !v->is_object()) {
    typeError(key, *v, "an object");
    v = nullptr;
  }
  return Reader(v, at(key), diags_);
}

void Reader::list(const std::string& key,
                  const std::function<void(const std::string&, const Json&)>& each) {
  const Json* v = get(key);
  if (!v) return;
  if (!v->is_array()) {
    typeError(key, *v, "a list");
    return;
  }
  for (size_t i = 0; i < v->size(); ++i) each(indexPath(at(key), i), (*v)[i]);
}

void Reader::done() {
  if (!j_ || !j_->is_object()) return;
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    if (std::find(known_.begin(), known_.end(), it.key()) != known_.end()) continue;
    std::string msg = "unknown field \"" + it.key() + "\"";
    if (auto c = closest(it.key(), known_)) msg += " (did you mean \"" + *c + "\"?)";
    diags_.error(at(it.key()), msg);
  }
}

}  // namespace shop
