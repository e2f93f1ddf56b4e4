#include <cmath>
#include <cstdio>

#include "core/io/scalar.hpp"
#include "core/io/yaml.hpp"

namespace shop {

namespace {

bool looksLikeNumberOrSpecial(const std::string& s) { return yamlscalar::isNonString11or12(s); }

// U+FEFF, the byte order mark: YAML allows it in no scalar as a character (a reader takes one at
// the start of a document for an encoding mark and drops it), so it is written as an escape.
constexpr const char* kByteOrderMark = "\xEF\xBB\xBF";

bool hasByteOrderMark(const std::string& s) { return s.find(kByteOrderMark) != std::string::npos; }

// Appends s as a double-quoted scalar.
void appendQuoted(std::string& out, const std::string& s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == 0xEF && s.compare(i, 3, kByteOrderMark) == 0) {
      out += "\\uFEFF";
      i += 2;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// A string fit for a literal block: several lines, printable, no leading space on the first
// line (that would need an indentation indicator), no trailing spaces on a line.
bool blockable(const std::string& s) {
  if (s.find('\n') == std::string::npos || hasByteOrderMark(s)) return false;
  if (s[0] == ' ' || s[0] == '\n') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '\r' || c == '\t' || (c < 0x20 && c != '\n') || c == 0x7f) return false;
    if (c == ' ' && (i + 1 == s.size() || s[i + 1] == '\n')) return false;
  }
  return true;
}

// Appends a string as a plain scalar when it reads back as that string, else double-quoted.
void appendString(std::string& out, const std::string& s) {
  if (isPlainSafe(s)) out += s;
  else appendQuoted(out, s);
}

// Appends a scalar (not an object or array) as YAML.
void appendScalar(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: out += std::to_string(v.get<long long>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<unsigned long long>()); return;
    case Json::value_t::string: appendString(out, v.get_ref<const std::string&>()); return;
    default: out += v.dump(); return;
  }
}

void emitBlock(std::string& out, const std::string& s, int indent) {
  // Chomping: "|" keeps one final newline, "|-" none, "|+" all of them.
  size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  out += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
  out += "\n";
  size_t start = 0;
  const size_t end = s.size() - (trailing > 1 ? 1 : trailing);
  while (start < end) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos || nl > end) nl = end;
    if (nl > start) {
      out.append(static_cast<size_t>(indent), ' ');
      out.append(s, start, nl - start);
    }
    out += "\n";
    start = nl + 1;
  }
  if (trailing > 1) {
    for (size_t i = 1; i < trailing - 1; ++i) out += "\n";
  }
}

void emitValue(std::string& out, const Json& v, int indent);

// Characters of an implicit (simple) key that every YAML reader takes: YAML 1.2 allows 1024.
constexpr size_t kMaxImplicitKey = 1000;

void emitObject(std::string& out, const Json& obj, int indent, bool firstInline) {
  bool first = true;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!(first && firstInline)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    const size_t keyAt = out.size();
    appendString(out, it.key());
    // YAML caps an implicit key at 1024 characters (readers refuse a longer one): past that,
    // an explicit key, "? key" and the value on a line of its own starting with ":".
    const bool explicitKey = out.size() - keyAt > kMaxImplicitKey;
    if (explicitKey) {
      out.insert(keyAt, "? ");
      out += "\n";
      out.append(static_cast<size_t>(indent), ' ');
    }
    out += ':';
    const Json& v = it.value();
    if (v.is_object() && !v.empty()) {
      out += "\n";
      emitObject(out, v, indent + 2, false);
    } else if (v.is_array() && !v.empty()) {
      out += "\n";
      // Sequences sit at the key's indentation, as kubectl prints; under an explicit key, deeper.
      emitValue(out, v, explicitKey ? indent + 2 : indent);
    } else if (v.is_string() && blockable(v.get_ref<const std::string&>())) {
      out += " ";
      emitBlock(out, v.get_ref<const std::string&>(), indent + 2);
    } else {
      out += " ";
      emitValue(out, v, indent + 2);
    }
  }
}

void emitValue(std::string& out, const Json& v, int indent) {
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}\n";
      return;
    }
    emitObject(out, v, indent, false);
    return;
  }
  if (v.is_array()) {
    if (v.empty()) {
      out += "[]\n";
      return;
    }
    for (const auto& item : v) {
      out.append(static_cast<size_t>(indent), ' ');
      out += "- ";
      if (item.is_object() && !item.empty()) {
        emitObject(out, item, indent + 2, true);
      } else if (item.is_array() && !item.empty()) {
        out += "\n";
        emitValue(out, item, indent + 2);
      } else if (item.is_string() && blockable(item.get_ref<const std::string&>())) {
        emitBlock(out, item.get_ref<const std::string&>(), indent + 2);
      } else {
        emitValue(out, item, indent + 2);
      }
    }
    return;
  }
  appendScalar(out, v);
  out += '\n';
}

}  // namespace

bool isPlainSafe(const std::string& s) {
  if (s.empty()) return false;
  const unsigned char c0 = s[0];
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@` ";
  if (kIndicators.find(static_cast<char>(c0)) != std::string_view::npos) {
    // "-foo" is a plain string in YAML, but "- foo", "-" and "--- " are not; keep it simple.
    if (!(c0 == '-' && s.size() > 1 && s[1] != ' ' && s[1] != '-' && !looksLikeNumberOrSpecial(s)))
      return false;
  }
  if (s.back() == ' ' || s.back() == ':') return false;
  // One pass for what no plain scalar may hold: ": ", " #", a control character, a byte order mark.
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = s[i];
    if (c < 0x20 || c == 0x7f) return false;
    if ((c == ':' && i + 1 < n && s[i + 1] == ' ') || (c == ' ' && i + 1 < n && s[i + 1] == '#')) return false;
    if (c == 0xEF && s.compare(i, 3, kByteOrderMark) == 0) return false;
  }
  return !looksLikeNumberOrSpecial(s);
}

std::string toYaml(const Json& value) {
  std::string out;
  emitValue(out, value, 0);
  return out;
}

std::string toYamlStream(const std::vector<Json>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i > 0) out += "---\n";
    emitValue(out, docs[i], 0);
  }
  return out;
}

}  // namespace shop
