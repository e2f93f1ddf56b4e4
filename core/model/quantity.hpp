#pragma once
// The one parser of Kubernetes quantities ("100m", "1.5", "256Mi", "1e3"), used by the ShopApp
// reader, the renderer's request/limit checks, the audit rules and `harden`, and the operator's
// live-object comparison. Hand-written and length-bounded: no regex, no recursion, so hostile
// input (a 100,000-digit "quantity") is rejected with a message instead of exhausting the stack.
//
// Grammar (k8s.io/apimachinery resource.Quantity):
//   quantity := sign? number suffix?
//   number   := digits ( "." digits? )? | "." digits
//   suffix   := "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"          (binary, powers of 1024)
//             | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" (decimal SI)
//             | ("e" | "E") sign? digits                        (decimal exponent)
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace shop {

// Longer text is not a quantity. Kubernetes' own largest values ("8Ei", "9223372036854775807")
// fit many times over.
inline constexpr size_t kMaxQuantityLength = 64;

struct QuantityResult {
  std::optional<double> value;  // in base units (cores, bytes, ...) when the text is a quantity
  std::string error;            // why not, otherwise: "is 100000 characters long (at most 64)"
};

QuantityResult parseQuantityText(std::string_view text);

// The value in base units, or nullopt when text is not a quantity.
std::optional<double> parseQuantity(std::string_view text);

}  // namespace shop
