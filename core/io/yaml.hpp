#pragma once
// YAML in and out.
//
// Loading turns each YAML document into Json and remembers where every value stood
// (a SourceMap from field path to line:col), so errors found later, on Json, still name
// the file, line and column. Plain scalars are typed by the YAML 1.2 core schema
// (true/false, null, integers, floats); quoted scalars are always strings. Duplicate keys
// are errors, as they are for the Kubernetes API server's strict decoding.
//
// Limits (YamlLimits; a document past one is an error naming where it stopped, never a crash
// or an unbounded allocation): a file of at most 64 MiB; per document at most 500,000 nodes
// and 64 MiB of scalar text, both counted after aliases are expanded, and at most 100,000
// nodes copied through aliases (a "billion laughs" stops there). Nesting deeper than
// yaml-cpp's limit (2,000 levels) is an error too.
//
// Emitting prints Json as block-style YAML the way kubectl does, quoting every string that
// a YAML 1.1 or 1.2 reader could take for something else ("yes", "0755", "1:30", "true").
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"

namespace shop {

struct YamlLimits {
  size_t maxFileBytes = size_t{64} << 20;     // 64 MiB
  size_t maxNodes = 500'000;                  // per document, after alias expansion
  size_t maxScalarBytes = size_t{64} << 20;   // per document, after alias expansion
  size_t maxAliasNodes = 100'000;             // per document, nodes copied through aliases
};

class SourceMap {
 public:
  void set(const std::string& path, Position pos) { at_[path] = pos; }
  // The position of path, or of its nearest ancestor that has one (a missing field is
  // reported where its parent stands).
  Position lookup(const std::string& path) const;
  bool empty() const { return at_.empty(); }

 private:
  std::unordered_map<std::string, Position> at_;
};

struct YamlDocument {
  Json value;
  SourceMap map;
  std::string file;
  size_t index = 0;  // 0-based position among the documents of the file
  Position start;
};

struct YamlLoadResult {
  std::vector<YamlDocument> documents;
  std::optional<Diagnostic> error;
  bool ok() const { return !error.has_value(); }
};

// Parses every document in text. Empty documents (only comments, or a bare "---") are
// skipped. On a syntax error, `error` names file:line:col and nothing is returned.
YamlLoadResult loadYaml(const std::string& text, const std::string& file = "",
                        const YamlLimits& limits = {});

// Reads a file ("-" is standard input) and parses it.
YamlLoadResult loadYamlFile(const std::string& path);

// Fills in file and position of each diagnostic from a document's source map.
void locate(Diagnostics& diags, const YamlDocument& doc);
void locate(Diagnostic& d, const YamlDocument& doc);

// Block-style YAML of one value, ending with a newline.
std::string toYaml(const Json& value);
// Documents separated by "---" lines.
std::string toYamlStream(const std::vector<Json>& docs);

// True when a plain (unquoted) YAML scalar with this text would be read as a string by
// both YAML 1.1 and YAML 1.2 readers.
bool isPlainSafe(const std::string& s);

}  // namespace shop
