#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_set>

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

struct Converter {
  SourceMap& map;
  std::optional<Diagnostic> error;

  Json scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!" ) return s;  // quoted or block scalar: always a string
    if (tag == "tag:yaml.org,2002:str") return s;
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null" || tag == "?" ||
        tag.empty()) {
      return resolvePlain(s);
    }
    return s;  // unknown explicit tags keep the text
  }

  static Json resolvePlain(const std::string& s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    try {
      if (yamlscalar::isDecimalInt(s)) {
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (errno == 0) return v;
        return std::strtod(s.c_str(), nullptr);
      }
      if (yamlscalar::isOctalInt(s)) return std::stoll(s.substr(2), nullptr, 8);
      if (yamlscalar::isHexInt(s)) return std::stoll(s.substr(2), nullptr, 16);
    } catch (const std::exception&) {
      return s;
    }
    if (yamlscalar::isCoreFloat(s)) return std::strtod(s.c_str(), nullptr);
    if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") return s;  // not JSON
    return s;
  }

  Json convert(const YAML::Node& node, const std::string& path) {
    map.set(path, toPos(node.Mark()));
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json arr = Json::array();
        size_t i = 0;
        for (const auto& item : node) {
          arr.push_back(convert(item, indexPath(path, i++)));
          if (error) return nullptr;
        }
        return arr;
      }
      case YAML::NodeType::Map: {
        Json obj = Json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            fail(kv.first.Mark(), path, "mapping keys must be plain strings");
            return nullptr;
          }
          const std::string key = kv.first.Scalar();
          const std::string child = childPath(path, key);
          if (obj.contains(key)) {
            fail(kv.first.Mark(), child, "duplicate key \"" + key + "\"");
            return nullptr;
          }
          Json v = convert(kv.second, child);
          if (error) return nullptr;
          // A key's own position is more useful than its value's for "unknown field".
          map.set(child, toPos(kv.first.Mark()));
          obj[key] = std::move(v);
        }
        return obj;
      }
    }
    return nullptr;
  }

  void fail(const YAML::Mark& mark, const std::string& path, const std::string& msg) {
    if (!error) error = Diagnostic{Severity::Error, "", toPos(mark), path, msg};
  }
};

}  // namespace

YamlLoadResult loadYaml(const std::string& text, const std::string& file) {
  YamlLoadResult result;
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    Diagnostic d;
    d.file = file;
    d.pos = toPos(e.mark);
    d.message = "invalid YAML: " + e.msg;
    result.error = d;
    return result;
  }
  size_t index = 0;
  for (const auto& node : nodes) {
    if (node.IsNull()) continue;  // empty document
    YamlDocument doc;
    doc.file = file;
    doc.start = toPos(node.Mark());
    Converter conv{doc.map, std::nullopt};
    doc.value = conv.convert(node, "");
    if (conv.error) {
      conv.error->file = file;
      result.error = conv.error;
      result.documents.clear();
      return result;
    }
    doc.index = index++;
    result.documents.push_back(std::move(doc));
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
