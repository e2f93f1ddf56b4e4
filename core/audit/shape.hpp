#pragma once
// The shape of foreign Kubernetes objects, checked once where they are read, so that audit,
// harden and import never meet a field of the wrong JSON type deep inside a rule (which used to
// end in "internal error: [json.exception.type_error...]").
//
// Only the fields those commands read are checked (metadata, pod templates and containers,
// Service ports, ...); other fields pass untouched. A null value means "absent", as it does
// for the API server, and is removed.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/io/json.hpp"

namespace shop::audit {

struct ShapeProblem {
  std::string path;     // field path inside the object, e.g. spec.template.spec.containers[0]
  std::string message;  // "must be an object, not string"
};

// Removes null-valued fields and list items (recursively), then reports every field of a
// known type that has another type. An object with problems must not be analysed.
std::vector<ShapeProblem> normalizeShape(Json& object);

// normalizeShape, with each problem handed to report(path, message); path is prefixed by
// prefix (the object's own path in its document, "" or "items[3]"). True when none.
bool shapeOk(Json& object, const std::string& prefix,
             const std::function<void(const std::string&, const std::string&)>& report);

}  // namespace shop::audit
