#pragma once
// Hand-written classifiers of plain YAML scalars, shared by loading (how a plain scalar is
// typed) and emitting (when a string must be quoted). Each is an exact, linear-time rendering
// of the regular expression in its comment; std::regex is not used because it recurses once
// per character and overflows the stack on long scalars.
#include <string_view>

namespace shop::yamlscalar {

// [-+]?[0-9]+
bool isDecimalInt(std::string_view s);
// 0o[0-7]+
bool isOctalInt(std::string_view s);
// 0x[0-9a-fA-F]+
bool isHexInt(std::string_view s);
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool isCoreFloat(std::string_view s);
// Anything YAML 1.1 or 1.2 resolves to a non-string: numbers (with _ separators, sexagesimal
// 1:30, octal 0755/0o755, hex, binary), .inf/.nan, booleans and nulls of either version, "<<"
// and "=". Exactly:
//   [-+]?(\.[0-9]+|[0-9][0-9_:]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)? | [-+]?0[xob][0-9a-fA-F_]+ |
//   [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN) | y|Y|yes|...|off|OFF | null|Null|NULL|~ | << | =
bool isNonString11or12(std::string_view s);

}  // namespace shop::yamlscalar
