#pragma once
// A strict reader over Json that knows where it is. Every accessor checks the type, records
// the field as known, and reports errors with the field path; done() reports every field
// nobody asked for ("unknown field", with the closest known name as a suggestion).
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"

namespace shop {

class Reader {
 public:
  // j may be null: the object is absent and every field reads as absent.
  Reader(const Json* j, std::string path, Diagnostics& diags);

  bool present() const { return j_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string at(const std::string& key) const { return childPath(path_, key); }
  Diagnostics& diags() { return diags_; }

  bool has(const std::string& key);
  const Json* raw(const std::string& key);  // marks known; no type check

  std::optional<std::string> str(const std::string& key);
  std::optional<std::string> nonEmpty(const std::string& key);
  std::optional<std::string> oneOf(const std::string& key, std::initializer_list<const char*> allowed);
  // A string that ok accepts; otherwise an error "\"<value>\" is not <what>".
  std::optional<std::string> pattern(const std::string& key, bool (*ok)(std::string_view), const char* what);
  std::optional<int64_t> integer(const std::string& key, int64_t min, int64_t max);
  std::optional<int> int32(const std::string& key, int min, int max);
  std::optional<double> number(const std::string& key, double min, double max);
  std::optional<bool> boolean(const std::string& key);
  // A Kubernetes quantity: "100m", "1Gi", 2, 0.5.
  std::optional<std::string> quantity(const std::string& key);
  // A duration as Istio reads it: "1s", "250ms", "1h30m"; at least 1ms.
  std::optional<std::string> duration(const std::string& key);
  // int or string (port numbers or names)
  std::optional<std::string> intOrString(const std::string& key);
  std::vector<std::string> strList(const std::string& key);
  std::map<std::string, std::string> strMap(const std::string& key);

  // A child object (absent when missing or not an object; a wrong type is reported).
  Reader obj(const std::string& key);
  // Calls each(itemPath, item) for every element of a list field.
  void list(const std::string& key, const std::function<void(const std::string&, const Json&)>& each);

  void error(const std::string& key, const std::string& msg) { diags_.error(at(key), msg); }
  void errorHere(const std::string& msg) { diags_.error(path_, msg); }
  void warning(const std::string& key, const std::string& msg) { diags_.warning(at(key), msg); }

  // Reports every field of the object that no accessor asked for.
  void done();

 private:
  const Json* get(const std::string& key);
  bool typeError(const std::string& key, const Json& v, const char* want);

  const Json* j_;
  std::string path_;
  Diagnostics& diags_;
  std::vector<std::string> known_;
};

std::string jsonTypeName(const Json& v);
// The closest of candidates to word by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates);

bool isQuantity(const std::string& s);
bool isDuration(const std::string& s);
// Milliseconds in a duration string, or -1 when it is not one.
double durationMs(const std::string& s);
bool isDnsLabel(const std::string& s, size_t maxLen = 63);

}  // namespace shop
