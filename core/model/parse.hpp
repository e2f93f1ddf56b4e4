#pragma once
// ShopApp documents -> Model. Parsing checks types, unknown fields and bounds; defaulting
// fills every optional field; validation checks what spans fields (references, uniqueness,
// min <= max). All errors are collected, none stops the others.
#include <optional>
#include <string>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/yaml.hpp"
#include "core/model/engines.hpp"  // engineInfo, for callers that used to find it here
#include "core/model/shopapp.hpp"

namespace shop {

struct ParseOptions {
  std::string defaultNamespace = "default";  // when metadata.namespace is absent
  // A namespace the caller was told to use (shopctl's -n): a ShopApp that names another one is
  // an error at metadata.namespace (namespaceMismatch()); one that names none takes it (it wins
  // over defaultNamespace). Empty: no such request.
  std::string requestedNamespace;
  // Render a valid app and refuse it when two of its parts render objects of one kind and
  // name, or a ConfigMap past 1 MiB (core/render/collisions.hpp). A caller that renders
  // anyway (the operator) turns it off and checks its own render, to render once.
  bool checkRendered = true;
};

struct ParseResult {
  std::optional<ShopApp> app;  // set only when there are no errors
  Diagnostics diags;           // errors and warnings, located in the source when known
};

// kubectl's rule for -n/--namespace: "" when the object's metadata.namespace (empty: it names
// none) agrees with the requested namespace (empty: none requested), else kubectl's refusal:
//   the namespace from the provided object "a" does not match the namespace "b". You must pass
//   '--namespace=a' to perform this operation.
std::string namespaceMismatch(const std::string& objectNamespace, const std::string& requested);

// Parses one ShopApp from a document; diagnostics carry file:line:col.
ParseResult parseShopApp(const YamlDocument& doc, const ParseOptions& opts = {});
// Parses a ShopApp from Json with no source positions (objects read from a cluster).
ParseResult parseShopApp(const Json& obj, const ParseOptions& opts = {});
// Reads a file ("-" for stdin) holding exactly one ShopApp (other documents are an error).
ParseResult loadShopAppFile(const std::string& path, const ParseOptions& opts = {});

}  // namespace shop
