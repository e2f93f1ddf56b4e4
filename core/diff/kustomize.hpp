#pragma once
// A GitOps tree for kustomize (`kubectl apply -k`, Flux, Argo CD): one file per object with a
// stable name, a kustomization.yaml listing them in apply order, and optional overlays that
// patch a base into an environment. Pure: the caller writes the files.
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop::diff {

struct LayoutFile {
  std::string path;  // relative to the output directory, '/'-separated
  std::string text;
};

// The file name of each object: "<kind>-<name>.yaml" in lower case ("deployment-web.yaml");
// when two objects share kind and name (different API groups), "<kind>.<group>-<name>.yaml".
std::vector<std::string> layoutNames(const std::vector<Json>& objects);

// kustomization.yaml text: a header comment (each line prefixed with "# "), then the
// Kustomization with `body` merged in (resources, patches, ...). Resources are listed in apply
// order for the reader; kustomize orders its output itself (Namespaces first). No
// `sortOptions`: `kubectl apply -k` warns about it on every run (it also passes --reorder).
std::string kustomizationText(const std::string& comment, const Json& body);

// A base: every object in its own file plus kustomization.yaml listing them in order.
std::vector<LayoutFile> kustomizeBase(const std::vector<Json>& objects, const std::string& comment);

// An overlay that turns `base` into `overlay` when built on top of basePath (e.g. "../../base"):
//  - an object in both that differs: an RFC 6902 JSON patch file "patch-<file>" with a target;
//  - an object only in the overlay: its own file, listed after the base;
//  - an object only in the base: a strategic-merge "$patch: delete" file "delete-<file>".
// `kubectl kustomize` of the overlay yields exactly the overlay objects.
std::vector<LayoutFile> kustomizeOverlay(const std::vector<Json>& base, const std::vector<Json>& overlay,
                                         const std::string& basePath, const std::string& comment);

// RFC 6902 operations turning `from` into `to`: replace for changed values, add for new
// fields, remove for fields that are gone; lists of different length are replaced whole.
Json jsonPatch(const Json& from, const Json& to);
// Applies add/replace/remove operations (what jsonPatch produces). Throws std::runtime_error on
// a path that does not resolve.
Json applyJsonPatch(Json doc, const Json& ops);

// One `--set PATH=VALUE` on a ShopApp document. PATH is a dotted path under spec; after
// `services`, `databases` or `messaging` comes an element's name or `*` for all of them:
//   services.web.replicas=3   services.*.resources.limits.memory=1Gi   gateway.host=shop.example.com
// VALUE is read as a YAML value ("3" is a number, "true" a boolean, "[a, b]" a list); anything
// that does not parse is a string. Returns an error message, empty on success.
std::string applySet(Json& shopApp, const std::string& assignment);

}  // namespace shop::diff
