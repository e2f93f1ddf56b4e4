#pragma once
// The one JSON type of the project. ordered_json keeps keys in insertion order, so objects
// the renderer builds print in the order a person expects (apiVersion, kind, metadata, spec)
// and every run prints the same bytes.
#include <nlohmann/json.hpp>

namespace shop {
using Json = nlohmann::ordered_json;
}  // namespace shop
