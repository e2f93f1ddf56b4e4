#pragma once
// Parsing the API server's JSON for a cache: every object and array is built at its exact size
// (Json::parse grows them by doubling and keeps the slack), and metadata.managedFields, which
// nothing cached ever reads and which is often half of an object, is skipped while parsing
// instead of being built and then erased. The result equals Json::parse of the same text with
// those managedFields erased (duplicate keys: the last value wins, as there).
#include <string>
#include <string_view>

#include "core/io/json.hpp"

namespace kube {

// A discarded Json (is_discarded()) when the text is not JSON. Never throws on bad input.
shop::Json parseLean(std::string_view text);

// A cache's object at rest: MessagePack, a fifth to a third of the memory of its tree (no nodes,
// no key strings on the heap, no quotes or commas). unpackLean gives back the very object, key
// order and number types included (but for managedFields, which it skips as parseLean does), built
// at exact sizes as parseLean builds it; a discarded Json when the bytes are not MessagePack.
std::string packLean(const shop::Json& obj);
shop::Json unpackLean(std::string_view packed);

}  // namespace kube
