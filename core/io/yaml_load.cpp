#include <yaml-cpp/anchor.h>
#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "core/io/scalar.hpp"
#include "core/io/yaml.hpp"

namespace shop {

Position SourceMap::lookup(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = at_.find(p);
    if (it != at_.end()) return it->second;
    if (p.empty()) return {};
    // Strip the last segment: ".key", "[3]" or ["key"].
    size_t cut = std::string::npos;
    if (p.back() == ']') {
      if (p.size() >= 2 && p[p.size() - 2] == '"') {
        cut = p.rfind("[\"");
      } else {
        cut = p.rfind('[');
      }
    } else {
      cut = p.rfind('.');
      if (cut == std::string::npos) cut = 0;
    }
    if (cut == std::string::npos) return {};
    p = p.substr(0, cut);
  }
}

namespace {

Position toPos(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

// Typing of a plain scalar by the YAML 1.2 core schema (hand-written: std::regex recurses once
// per character and overflows the stack on long scalars).
Json resolvePlain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  try {
    if (yamlscalar::isDecimalInt(s)) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (errno == 0) return v;
      const double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return d;
      return s;  // past a double's range: the text, as for .inf
    }
    if (yamlscalar::isOctalInt(s)) return std::stoll(s.substr(2), nullptr, 8);
    if (yamlscalar::isHexInt(s)) return std::stoll(s.substr(2), nullptr, 16);
  } catch (const std::exception&) {
    return s;
  }
  if (yamlscalar::isCoreFloat(s)) {
    const double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return d;
  }
  return s;  // .inf and .nan are not JSON: they stay text
}

// Thrown from inside the event handler to stop parsing at once.
struct LoadStop {
  Position pos;
  std::string path;
  std::string message;
};

// The offset of the first byte of `s` that is not well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or npos. JSON, and so every object shopctl
// writes or the API server stores, is UTF-8: a scalar that is not is refused where it is read.
size_t invalidUtf8At(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c == 0xED) len = 3, hi = 0x9F;  // not U+D800..U+DFFF
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c == 0xF4) len = 4, hi = 0x8F;  // not past U+10FFFF
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else return i;
    if (i + len > s.size()) return i;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      const auto ck = static_cast<unsigned char>(s[i + k]);
      if (ck < 0x80 || ck > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// Builds Json straight from yaml-cpp's parse events: no intermediate node graph, an explicit
// stack instead of recursion, and every limit of YamlLimits checked as the document grows.
class Builder : public YAML::EventHandler {
 public:
  Builder(SourceMap& map, const YamlLimits& limits) : map_(map), limits_(limits) {}

  Json root;
  bool rootIsNull = true;
  int startPos = -1;  // byte offset of the document's first token
  Position startMark;  // where the document's first token stands
  Position rootMark;   // where its root node stands

  void OnDocumentStart(const YAML::Mark& mark) override {
    startPos = mark.pos;
    startMark = toPos(mark);
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (keyExpected()) stop(mark, top().path, "mapping keys must be plain strings");
    const std::string path = beginNode(mark, 1, 0);
    finish(nullptr, anchor, path, logSize(), 1, 0, nullptr);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) stop(mark, currentPath(), "unknown alias");
    const Anchored& a = it->second;
    aliasNodes_ += a.nodes;
    if (aliasNodes_ > limits_.maxAliasNodes)
      stop(mark, currentPath(),
           "aliases expand to more than " + std::to_string(limits_.maxAliasNodes) +
               " nodes (a \"billion laughs\"?); write the values out or use fewer aliases");
    if (keyExpected()) {
      if (!a.scalarText) stop(mark, top().path, "mapping keys must be plain strings");
      count(mark, 1, a.scalarText->size());
      acceptKey(mark, *a.scalarText);
      return;
    }
    const size_t start = logSize();
    const std::string path = beginNode(mark, a.nodes, a.bytes);
    for (const auto& [suffix, pos] : a.positions) setPos(path + suffix, pos);
    finish(a.value, YAML::NullAnchor, path, start, a.nodes, a.bytes, nullptr);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (const size_t bad = invalidUtf8At(value); bad != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(value[bad]));
      throw LoadStop{toPos(mark), "",
                     std::string("not valid UTF-8: byte ") + byte + " at offset " + std::to_string(bad) +
                         " of this " + (keyExpected() ? "key" : "value") + " (YAML is Unicode text: save the file as UTF-8)"};
    }
    if (keyExpected()) {
      count(mark, 1, value.size());
      if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{value, {}, 1, value.size(), value};
      acceptKey(mark, value);
      return;
    }
    const size_t start = logSize();
    const std::string path = beginNode(mark, 1, value.size());
    Json v;
    if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      v = value;  // quoted or block scalar: always a string
    } else if (tag == "?" || tag.empty() || tag == "tag:yaml.org,2002:int" ||
               tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
               tag == "tag:yaml.org,2002:null") {
      v = resolvePlain(value);
    } else {
      v = value;  // unknown explicit tags keep the text
    }
    finish(std::move(v), anchor, path, start, 1, value.size(), &value);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, Json::array());
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, Json::object());
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Json value;
    std::string path;
    size_t index = 0;           // next sequence index
    std::optional<std::string> key;  // a mapping's key waiting for its value
    Position keyPos;
    YAML::anchor_t anchor = YAML::NullAnchor;
    size_t logStart = 0;
    size_t nodesAtStart = 0;
    size_t bytesAtStart = 0;
  };
  struct Anchored {
    Json value;
    std::vector<std::pair<std::string, Position>> positions;  // relative to the anchored node
    size_t nodes = 0;
    size_t bytes = 0;
    std::optional<std::string> scalarText;  // for aliases used as keys
  };

  Frame& top() { return stack_.back(); }
  bool keyExpected() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().key;
  }
  size_t logSize() const { return log_.size(); }

  std::string currentPath() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    if (f.value.is_array()) return indexPath(f.path, f.index);
    return f.key ? childPath(f.path, *f.key) : f.path;
  }

  [[noreturn]] void stop(const YAML::Mark& mark, const std::string& path, const std::string& msg) {
    throw LoadStop{toPos(mark), path, msg};
  }

  void count(const YAML::Mark& mark, size_t nodes, size_t bytes) {
    nodes_ += nodes;
    bytes_ += bytes;
    if (nodes_ > limits_.maxNodes)
      stop(mark, currentPath(),
           "document has more than " + std::to_string(limits_.maxNodes) + " nodes");
    if (bytes_ > limits_.maxScalarBytes)
      stop(mark, currentPath(),
           "document holds more than " + std::to_string(limits_.maxScalarBytes) +
               " bytes of text once aliases are expanded");
  }

  void setPos(const std::string& path, Position pos) {
    map_.set(path, pos);
    if (openAnchors_ > 0) log_.emplace_back(path, pos);
  }

  // Starts a value node: counts it and records its position; returns its path.
  std::string beginNode(const YAML::Mark& mark, size_t nodes, size_t bytes) {
    count(mark, nodes, bytes);
    std::string path = currentPath();
    if (stack_.empty()) rootMark = toPos(mark);
    setPos(path, toPos(mark));
    return path;
  }

  void acceptKey(const YAML::Mark& mark, const std::string& key) {
    Frame& f = top();
    if (f.value.contains(key))
      stop(mark, childPath(f.path, key), "duplicate key \"" + key + "\"");
    f.key = key;
    f.keyPos = toPos(mark);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, Json empty) {
    if (keyExpected()) stop(mark, top().path, "mapping keys must be plain strings");
    const size_t start = logSize();
    Frame f;
    f.path = beginNode(mark, 1, 0);
    f.value = std::move(empty);
    f.anchor = anchor;
    f.logStart = start;
    f.nodesAtStart = nodes_ - 1;
    f.bytesAtStart = bytes_;
    if (anchor != YAML::NullAnchor) ++openAnchors_;
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor != YAML::NullAnchor) --openAnchors_;
    finish(std::move(f.value), f.anchor, f.path, f.logStart, nodes_ - f.nodesAtStart,
           bytes_ - f.bytesAtStart, nullptr);
  }

  // A node is complete: remember it when anchored, then hand it to its parent.
  void finish(Json v, YAML::anchor_t anchor, const std::string& path, size_t logStart,
              size_t nodes, size_t bytes, const std::string* text) {
    if (anchor != YAML::NullAnchor) {
      Anchored a{v, {}, nodes, bytes, text ? std::optional<std::string>(*text) : std::nullopt};
      for (size_t i = logStart; i < log_.size(); ++i)
        a.positions.emplace_back(log_[i].first.substr(path.size()), log_[i].second);
      anchors_[anchor] = std::move(a);
    }
    if (openAnchors_ == 0) log_.clear();
    if (stack_.empty()) {
      rootIsNull = v.is_null();
      root = std::move(v);
      return;
    }
    Frame& p = top();
    if (p.value.is_array()) {
      p.value.push_back(std::move(v));
      ++p.index;
      return;
    }
    const std::string child = childPath(p.path, *p.key);
    // A key's own position is more useful than its value's for "unknown field".
    setPos(child, p.keyPos);
    p.value[*p.key] = std::move(v);
    p.key.reset();
  }

  SourceMap& map_;
  const YamlLimits& limits_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::vector<std::pair<std::string, Position>> log_;  // positions set while an anchor is open
  size_t openAnchors_ = 0;
  size_t nodes_ = 0, bytes_ = 0, aliasNodes_ = 0;
};

Diagnostic loadError(const std::string& file, Position pos, std::string path, std::string msg) {
  return Diagnostic{Severity::Error, file, pos, std::move(path), std::move(msg)};
}

}  // namespace

YamlLoadResult loadYaml(const std::string& text, const std::string& file, const YamlLimits& limits) {
  YamlLoadResult result;
  if (text.size() > limits.maxFileBytes) {
    result.error = loadError(file, {}, "",
                             "file is larger than " + std::to_string(limits.maxFileBytes) +
                                 " bytes (64 MiB by default); split it");
    return result;
  }
  std::istringstream in(text);
  size_t index = 0;
  try {
    YAML::Parser parser(in);
    int lastStart = -1;
    while (true) {
      YamlDocument doc;
      doc.file = file;
      Builder b(doc.map, limits);
      // yaml-cpp 0.7.0 reports a document without consuming anything for input such as ","
      // and would do so forever (its LoadAll then allocates without bound): a document that
      // starts where the previous one did is an error.
      if (!parser.HandleNextDocument(b)) break;
      const int at = b.startPos;
      if (at == lastStart) {
        const char c = at >= 0 && static_cast<size_t>(at) < text.size() ? text[at] : '?';
        result.error = loadError(file, b.startMark, "",
                                 std::string("invalid YAML: unexpected \"") + c + "\"");
        result.documents.clear();
        return result;
      }
      lastStart = at;
      if (b.rootIsNull) continue;  // empty document
      doc.value = std::move(b.root);
      doc.start = b.rootMark;
      doc.index = index++;
      result.documents.push_back(std::move(doc));
    }
  } catch (const LoadStop& s) {
    result.error = loadError(file, s.pos, s.path, s.message);
    result.documents.clear();
  } catch (const YAML::Exception& e) {
    result.error = loadError(file, toPos(e.mark), "", "invalid YAML: " + e.msg);
    result.documents.clear();
  }
  return result;
}

YamlLoadResult loadYamlFile(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      YamlLoadResult r;
      r.error = Diagnostic{Severity::Error, path, {}, "", "cannot read file"};
      return r;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  return loadYaml(text, path == "-" ? "<stdin>" : path);
}

void locate(Diagnostic& d, const YamlDocument& doc) {
  if (d.file.empty()) d.file = doc.file;
  if (!d.pos.known()) d.pos = doc.map.lookup(d.path);
}

void locate(Diagnostics& diags, const YamlDocument& doc) {
  for (auto& d : diags.items()) locate(d, doc);
}

}  // namespace shop
