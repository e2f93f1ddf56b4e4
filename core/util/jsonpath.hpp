#pragma once
// kubectl's JSONPath templates (`-o jsonpath=...`), the subset people use:
//
//   text                 printed as written (no escapes: kubectl prints `\n` outside {} as is)
//   {.a.b} {['a']}       a field; `\.` escapes a dot in a name ({.metadata.labels.app\.kubernetes\.io/name});
//                        ['a.b'] is one key (kubectl reads it as the path .a.b and finds nothing)
//   {.a[0]} {.a[-1]}     an element; {.a[1:3]} a slice; {.a[*]} every element; {.a.*} every value
//   {.a[?(@.t=="x")]}    the elements whose field compares: == != < > <= >= against a "string",
//                        'string', number, true/false or another @ path; [?(@.t)] "has the field"
//   {"\n"} {'\t'}        a quoted literal, with the escapes \n \t \r \\ \" \'
//   {range .a[*]}...{end}  the enclosed template once per result
//   {@} {$}              the current object
//
// As `kubectl get` (--allow-missing-template-keys=true): a missing field prints nothing; an index
// out of bounds, or indexing what is not a list, is an error. Several results print separated by
// one space; strings as they are, numbers and booleans as JSON, objects and lists as compact JSON.
// What kubectl would read differently or not at all is refused when the template is parsed, with
// the column: recursive descent (..), unions ([a,b]), slice steps, bare identifiers.
#include <memory>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop::jsonpath {

struct Node;

class Template {
 public:
  Template();
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

  // Parses a template. On a malformed or unsupported one, returns false and sets error to
  // "column N: what" (columns count from 1).
  bool parse(const std::string& text, std::string& error);

  // Prints the template for an object. On an evaluation error (an index out of bounds, a
  // comparison of values that do not compare), returns false and sets error; out then holds
  // what was printed before it.
  bool execute(const Json& root, std::string& out, std::string& error) const;

 private:
  std::vector<Node> nodes_;
};

}  // namespace shop::jsonpath
