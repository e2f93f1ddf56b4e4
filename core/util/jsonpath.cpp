#include "core/util/jsonpath.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>

namespace shop::jsonpath {

namespace {

struct Filter;

// One step of a path: a field, every value (.*), a slice ([i], [a:b], [*]) or a filter.
struct Step {
  enum Kind { Field, Wildcard, Slice, Select } kind = Field;
  std::string name;
  std::optional<long long> start, end;  // Slice: absent = from the first / to the last
  bool single = false;                  // Slice: written [i], not [a:b]
  std::shared_ptr<Filter> filter;       // Select
};

struct Path {
  std::vector<Step> steps;
};

struct Filter {
  Path left;
  std::string op;  // "" = the left path has a result
  bool rightIsPath = false;
  Path right;
  Json literal;
};

}  // namespace

// A piece of the template: literal text, a path whose results are printed, or a range block.
struct Node {
  enum Kind { Text, Expr, Range } kind = Text;
  std::string text;
  Path path;
  std::vector<Node> body;
};

namespace {

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  bool run(std::vector<Node>& out, std::string& error) {
    // Stack of the bodies being filled: the template, then each open range's.
    std::vector<std::vector<Node>*> open = {&out};
    std::vector<size_t> rangeColumns;
    std::string text;
    while (i_ < s_.size()) {
      if (s_[i_] != '{') {
        text += s_[i_++];
        continue;
      }
      if (!text.empty()) open.back()->push_back(Node{Node::Text, text, {}, {}});
      text.clear();
      const size_t actionStart = i_;
      ++i_;
      skipSpaces();
      if (i_ >= s_.size()) return fail(actionStart, "unclosed action: '{' without '}'", error);
      if (s_[i_] == '"' || s_[i_] == '\'') {
        std::string lit;
        if (!quoted(lit, error)) return false;
        open.back()->push_back(Node{Node::Text, lit, {}, {}});
      } else if (word("range")) {
        skipSpaces();
        Node n{Node::Range, "", {}, {}};
        if (!path(n.path, error, "}")) return false;
        open.back()->push_back(std::move(n));
        open.push_back(&open.back()->back().body);
        rangeColumns.push_back(actionStart);
      } else if (word("end")) {
        if (open.size() == 1) return fail(actionStart, "{end} without a {range} to end", error);
        open.pop_back();
        rangeColumns.pop_back();
      } else {
        Node n{Node::Expr, "", {}, {}};
        const size_t pathStart = i_;
        if (!path(n.path, error, "}")) return false;
        if (i_ == pathStart) return fail(actionStart, "empty action: write {.field}, {@} or {\"text\"}", error);
        open.back()->push_back(std::move(n));
      }
      skipSpaces();
      if (i_ >= s_.size()) return fail(actionStart, "unclosed action: '{' without '}'", error);
      if (s_[i_] != '}') return fail(i_, unexpected("'}' to close the action"), error);
      ++i_;
    }
    if (!text.empty()) open.back()->push_back(Node{Node::Text, text, {}, {}});
    if (open.size() > 1) return fail(rangeColumns.back(), "{range} without its {end}", error);
    return true;
  }

 private:
  static bool isTerminator(char c) {
    return c == '.' || c == '[' || c == ']' || c == '{' || c == '}' || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == ',' || c == '@' || c == '$' || c == '(' || c == ')' || c == '=' || c == '!' ||
           c == '<' || c == '>';
  }

  bool fail(size_t at, const std::string& what, std::string& error) const {
    error = "column " + std::to_string(at + 1) + ": " + what;
    return false;
  }

  std::string unexpected(const std::string& wanted) const {
    if (i_ >= s_.size()) return "expected " + wanted + ", found the end of the template";
    return "expected " + wanted + ", found '" + std::string(1, s_[i_]) + "'";
  }

  void skipSpaces() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }

  // The keyword at i_ followed by a terminator; consumed when it matches.
  bool word(const std::string& w) {
    if (s_.compare(i_, w.size(), w) != 0) return false;
    const size_t after = i_ + w.size();
    if (after < s_.size() && !isTerminator(s_[after])) return false;
    i_ = after;
    return true;
  }

  bool quoted(std::string& out, std::string& error) {
    const size_t start = i_;
    const char q = s_[i_++];
    while (i_ < s_.size() && s_[i_] != q) {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) break;
      const char e = s_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        default:
          return fail(i_ - 2, std::string("unsupported escape \\") + e + " (supported: \\n \\t \\r \\\\ \\\" \\')",
                      error);
      }
    }
    if (i_ >= s_.size()) return fail(start, "unterminated quoted string", error);
    ++i_;
    return true;
  }

  // A field name: up to a terminator; "\x" stands for x (so "\." is a dot in the name).
  std::string name() {
    std::string n;
    while (i_ < s_.size() && !isTerminator(s_[i_])) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      n += s_[i_++];
    }
    return n;
  }

  // A path up to one of the characters in `stop` (not consumed), e.g. "}" or ")]".
  bool path(Path& p, std::string& error, const std::string& stop) {
    if (i_ < s_.size() && (s_[i_] == '@' || s_[i_] == '$')) ++i_;
    while (i_ < s_.size() && stop.find(s_[i_]) == std::string::npos && s_[i_] != ' ' && s_[i_] != '\t' &&
           !(stop != "}" && (s_[i_] == '=' || s_[i_] == '!' || s_[i_] == '<' || s_[i_] == '>'))) {
      const size_t at = i_;
      if (s_[i_] == '.') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '.')
          return fail(at, "recursive descent (..) is not supported; name the path from the top, e.g. {.items[*].metadata.name}",
                      error);
        ++i_;
        if (i_ < s_.size() && s_[i_] == '*') {
          ++i_;
          p.steps.push_back(Step{Step::Wildcard, "", {}, {}, false, nullptr});
          continue;
        }
        std::string n = name();
        if (n.empty()) return fail(at, "a field name must follow '.'", error);
        p.steps.push_back(Step{Step::Field, n, {}, {}, false, nullptr});
        continue;
      }
      if (s_[i_] == '[') {
        if (!bracket(p, error)) return false;
        continue;
      }
      if (s_[i_] == '{' || s_[i_] == '"' || s_[i_] == '\'')
        return fail(at, "unexpected '" + std::string(1, s_[i_]) + "' inside an action", error);
      std::string n = name();
      if (n.empty()) return fail(at, "unexpected '" + std::string(1, s_[i_]) + "'", error);
      return fail(at, "unrecognized identifier \"" + n + "\" (a path starts with '.', e.g. {." + n +
                          "}; the keywords are range and end)",
                  error);
    }
    return true;
  }

  static std::optional<long long> number(const std::string& t) {
    if (t.empty() || t.size() > 18) return std::nullopt;
    size_t k = t[0] == '-' ? 1 : 0;
    if (k == t.size()) return std::nullopt;
    for (size_t j = k; j < t.size(); ++j)
      if (t[j] < '0' || t[j] > '9') return std::nullopt;
    return std::stoll(t);
  }

  bool bracket(Path& p, std::string& error) {
    const size_t at = i_;
    if (s_.compare(i_, 3, "[?(") == 0) {
      i_ += 3;
      auto f = std::make_shared<Filter>();
      if (!filter(*f, error)) return false;
      p.steps.push_back(Step{Step::Select, "", {}, {}, false, f});
      return true;
    }
    ++i_;
    if (i_ < s_.size() && s_[i_] == '\'') {  // ['key']
      std::string key;
      const size_t q = i_;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '\'') key += s_[i_++];
      if (i_ >= s_.size()) return fail(q, "unterminated quoted key", error);
      ++i_;
      if (i_ >= s_.size() || s_[i_] != ']') {
        if (i_ < s_.size() && s_[i_] == ',') return fail(at, "unions ([a,b]) are not supported; use one key a template", error);
        return fail(i_, unexpected("']'"), error);
      }
      ++i_;
      p.steps.push_back(Step{Step::Field, key, {}, {}, false, nullptr});
      return true;
    }
    const size_t close = s_.find(']', i_);
    if (close == std::string::npos) return fail(at, "unterminated '['", error);
    std::string inside = s_.substr(i_, close - i_);
    i_ = close + 1;
    if (inside.find(',') != std::string::npos)
      return fail(at, "unions ([a,b]) are not supported; use one index or a slice [a:b]", error);
    if (inside == "*") {
      p.steps.push_back(Step{Step::Slice, "", {}, {}, false, nullptr});
      return true;
    }
    const size_t c1 = inside.find(':');
    if (c1 == std::string::npos) {
      auto n = number(inside);
      if (!n) return fail(at, "invalid array index \"" + inside + "\" (an integer, a slice a:b, or *)", error);
      p.steps.push_back(Step{Step::Slice, "", n, {}, true, nullptr});
      return true;
    }
    if (inside.find(':', c1 + 1) != std::string::npos)
      return fail(at, "slice steps ([a:b:step]) are not supported", error);
    Step st{Step::Slice, "", {}, {}, false, nullptr};
    const std::string a = inside.substr(0, c1), b = inside.substr(c1 + 1);
    if (!a.empty()) {
      st.start = number(a);
      if (!st.start) return fail(at, "invalid slice start \"" + a + "\"", error);
    }
    if (!b.empty()) {
      st.end = number(b);
      if (!st.end) return fail(at, "invalid slice end \"" + b + "\"", error);
    }
    p.steps.push_back(st);
    return true;
  }

  // After "[?(": @path [op operand] ")]".
  bool filter(Filter& f, std::string& error) {
    skipSpaces();
    if (i_ >= s_.size() || s_[i_] != '@')
      return fail(i_, "a filter starts with @ (the element), e.g. [?(@.type==\"Ready\")]", error);
    if (!path(f.left, error, ")")) return false;
    skipSpaces();
    static const char* kOps[] = {"==", "!=", "<=", ">=", "<", ">"};
    for (const char* op : kOps) {
      if (s_.compare(i_, std::string(op).size(), op) == 0) {
        f.op = op;
        i_ += f.op.size();
        break;
      }
    }
    if (f.op.empty() && i_ < s_.size() && (s_[i_] == '=' || s_[i_] == '!' || s_[i_] == '&' || s_[i_] == '|'))
      return fail(i_, "unsupported filter operator (supported: == != < > <= >=, one comparison a filter)", error);
    if (!f.op.empty()) {
      skipSpaces();
      if (!operand(f, error)) return false;
      skipSpaces();
    }
    if (s_.compare(i_, 2, ")]") != 0) {
      if (i_ < s_.size() && (s_[i_] == '&' || s_[i_] == '|'))
        return fail(i_, "&& and || are not supported in filters (one comparison a filter)", error);
      return fail(i_, unexpected("\")]\" to close the filter"), error);
    }
    i_ += 2;
    return true;
  }

  bool operand(Filter& f, std::string& error) {
    if (i_ >= s_.size()) return fail(i_, unexpected("a value to compare with"), error);
    const char c = s_[i_];
    if (c == '"' || c == '\'') {
      std::string lit;
      if (!quoted(lit, error)) return false;
      f.literal = lit;
      return true;
    }
    if (c == '@') {
      f.rightIsPath = true;
      return path(f.right, error, ")");
    }
    const size_t at = i_;
    std::string t;
    while (i_ < s_.size() && s_[i_] != ')' && s_[i_] != ' ') t += s_[i_++];
    if (t == "true" || t == "false") {
      f.literal = t == "true";
      return true;
    }
    if (auto n = number(t)) {
      f.literal = *n;
      return true;
    }
    char* endp = nullptr;
    const double d = std::strtod(t.c_str(), &endp);
    if (!t.empty() && endp && *endp == '\0' && std::isfinite(d)) {
      f.literal = d;
      return true;
    }
    return fail(at, "cannot compare with \"" + t + "\" (a \"string\", a number, true, false or an @ path)", error);
  }

  const std::string& s_;
  size_t i_ = 0;
};

// ---- evaluation ------------------------------------------------------------------------

using Values = std::vector<const Json*>;

struct Eval {
  std::string error;

  bool slice(const Json& v, const Step& st, Values& out) {
    if (!v.is_array()) {
      error = "cannot index " + std::string(v.type_name()) + " with [" + (st.single ? std::to_string(*st.start) : std::string(":")) +
              "]: not a list";
      return false;
    }
    const long long len = static_cast<long long>(v.size());
    long long a = st.start.value_or(0);
    if (a < 0) a += len;
    long long b = st.single ? a + 1 : st.end.value_or(len);
    if (!st.single && b < 0) b += len;
    if (b != a) {
      if (a < 0 || a >= len) {
        error = "array index out of bounds: index " + std::to_string(a) + ", length " + std::to_string(len);
        return false;
      }
      if (b > len) {
        error = "array index out of bounds: index " + std::to_string(b - 1) + ", length " + std::to_string(len);
        return false;
      }
    }
    for (long long k = a; k < b; ++k) out.push_back(&v[static_cast<size_t>(k)]);
    return true;
  }

  bool walk(const Values& in, const Path& p, Values& out) {
    Values cur = in;
    for (const Step& st : p.steps) {
      Values next;
      for (const Json* v : cur) {
        switch (st.kind) {
          case Step::Field:
            if (v->is_object()) {
              auto it = v->find(st.name);
              if (it != v->end()) next.push_back(&*it);
            }
            break;
          case Step::Wildcard:
            if (v->is_object() || v->is_array())
              for (const auto& x : *v) next.push_back(&x);
            break;
          case Step::Slice:
            if (v->is_null()) break;
            if (!slice(*v, st, next)) return false;
            break;
          case Step::Select:
            if (v->is_null()) break;
            if (!v->is_array()) {
              error = "cannot filter " + std::string(v->type_name()) + ": not a list";
              return false;
            }
            for (const auto& x : *v) {
              bool keep = false;
              if (!test(x, *st.filter, keep)) return false;
              if (keep) next.push_back(&x);
            }
            break;
        }
      }
      cur = std::move(next);
    }
    out = std::move(cur);
    return true;
  }

  bool test(const Json& elem, const Filter& f, bool& keep) {
    Values lefts;
    if (!walk({&elem}, f.left, lefts)) return false;
    if (f.op.empty()) {
      keep = !lefts.empty();
      return true;
    }
    // An element without the field does not match (kubectl v1.36 prints nothing for it either).
    if (lefts.empty()) return true;
    if (lefts.size() > 1) {
      error = "can only compare one value at a time (the filter's left side has " + std::to_string(lefts.size()) + ")";
      return false;
    }
    const Json* right = &f.literal;
    Values rights;
    if (f.rightIsPath) {
      if (!walk({&elem}, f.right, rights)) return false;
      if (rights.empty()) return true;
      if (rights.size() > 1) {
        error = "can only compare one value at a time (the filter's right side has " + std::to_string(rights.size()) + ")";
        return false;
      }
      right = rights[0];
    }
    return compare(*lefts[0], *right, f.op, keep);
  }

  bool compare(const Json& a, const Json& b, const std::string& op, bool& keep) {
    if (op == "==" || op == "!=") {
      bool eq;
      if (a.is_number() && b.is_number()) eq = a.get<double>() == b.get<double>();
      else eq = a.type() == b.type() && a == b;
      keep = (op == "==") == eq;
      return true;
    }
    int c;
    if (a.is_number() && b.is_number()) {
      const double x = a.get<double>(), y = b.get<double>();
      c = x < y ? -1 : x > y ? 1 : 0;
    } else if (a.is_string() && b.is_string()) {
      const int r = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      c = r < 0 ? -1 : r > 0 ? 1 : 0;
    } else {
      error = "cannot compare " + std::string(a.type_name()) + " with " + b.type_name() + " using " + op;
      return false;
    }
    keep = op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0;
    return true;
  }

  static std::string text(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "<nil>";
    if (v.is_object() || v.is_array()) return nlohmann::json(v).dump();  // keys sorted, as Go prints a map
    return v.dump();
  }

  bool run(const std::vector<Node>& nodes, const Json& cur, std::string& out) {
    for (const Node& n : nodes) {
      if (n.kind == Node::Text) {
        out += n.text;
        continue;
      }
      Values results;
      if (!walk({&cur}, n.path, results)) return false;
      if (n.kind == Node::Range) {
        for (const Json* v : results)
          if (!run(n.body, *v, out)) return false;
        continue;
      }
      for (size_t k = 0; k < results.size(); ++k) {
        if (k > 0) out += ' ';
        out += text(*results[k]);
      }
    }
    return true;
  }
};

}  // namespace

Template::Template() = default;
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

bool Template::parse(const std::string& text, std::string& error) {
  nodes_.clear();
  Parser p(text);
  std::vector<Node> nodes;
  if (!p.run(nodes, error)) return false;
  nodes_ = std::move(nodes);
  return true;
}

bool Template::execute(const Json& root, std::string& out, std::string& error) const {
  Eval e;
  if (e.run(nodes_, root, out)) return true;
  error = e.error;
  return false;
}

}  // namespace shop::jsonpath
