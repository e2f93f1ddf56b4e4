#pragma once
// Diagnostics: errors and warnings a user can cause, each with a field path and, for files,
// the file name and a 1-based line and column.
#include <string>
#include <vector>

namespace shop {

struct Position {
  int line = 0;  // 1-based; 0 means unknown
  int col = 0;   // 1-based
  bool known() const { return line > 0; }
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;     // may be empty (input from memory)
  Position pos;         // may be unknown
  std::string path;     // field path, e.g. spec.services[3].autoscaling.max
  std::string message;  // what is wrong, and how to fix it when that is not obvious

  // "file:line:col: error: path: message"
  std::string str() const;
};

class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(std::string path, std::string message);
  void warning(std::string path, std::string message);
  bool hasErrors() const;
  size_t errorCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  void append(const Diagnostics& other);
  std::string str() const;  // one diagnostic per line

 private:
  std::vector<Diagnostic> items_;
};

// Field paths: child("spec", "services") == "spec.services"; a key that is not a plain
// identifier is quoted: child("metadata.annotations", "a/b") == metadata.annotations["a/b"].
std::string childPath(const std::string& parent, const std::string& key);
std::string indexPath(const std::string& parent, size_t index);

}  // namespace shop
