#pragma once
// Small text helpers every part of core uses, in one copy each.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

// FNV-1a, 64 bits: a stable hash across runs and machines (not for security).
uint64_t fnv1a64(std::string_view text);

// ASCII lower case.
std::string lower(std::string_view text);

// The words with sep between them (none after an empty start, as a sentence is built).
std::string join(const std::vector<std::string>& words, std::string_view sep = " ");

// One JSON Pointer reference token (RFC 6901): "~" -> "~0", "/" -> "~1".
std::string escapePointer(std::string_view key);

// A value quoted for an error message: "value", or for a long one its first 40 characters and
// its length, "aaaa..." (300000 characters), so that one hostile value cannot flood the output.
std::string quotedValue(std::string_view value);

// text itself when it has at most max characters; otherwise its first max characters (never
// cutting a UTF-8 sequence), "..." and the full length: for messages that embed user input.
std::string clip(std::string_view text, size_t max);

}  // namespace shop
