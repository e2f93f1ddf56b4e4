#pragma once
// Small text helpers every part of core uses, in one copy each.
#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

// FNV-1a, 64 bits: a stable hash across runs and machines (not for security).
uint64_t fnv1a64(std::string_view text);

// ASCII lower case.
std::string lower(std::string_view text);

// One JSON Pointer reference token (RFC 6901): "~" -> "~0", "/" -> "~1".
std::string escapePointer(std::string_view key);

}  // namespace shop
