#include "core/model/parse.hpp"

#include <algorithm>

#include "core/model/parse_detail.hpp"
#include "core/render/collisions.hpp"
#include "core/util/text.hpp"

namespace shop {

namespace {

using namespace parse_detail;

ParseResult parseJson(const Json& root, const ParseOptions& opts) {
  ParseResult res;
  ShopApp app;
  Diagnostics& diags = res.diags;
  if (!root.is_object()) {
    diags.error("", "a ShopApp must be an object, not " + jsonTypeName(root));
    return res;
  }
  Reader top(&root, "", diags);
  auto apiVersion = top.str("apiVersion");
  if (!apiVersion) {
    if (!top.has("apiVersion")) diags.error("apiVersion", std::string("is required: ") + kApiVersion);
  } else if (*apiVersion != kApiVersion) {
    diags.error("apiVersion", quotedValue(*apiVersion) + " is not supported: use " + kApiVersion);
  }
  auto kind = top.str("kind");
  if (!kind) {
    if (!top.has("kind")) diags.error("kind", "is required: ShopApp");
  } else if (*kind != kKind) {
    diags.error("kind", quotedValue(*kind) + " is not a ShopApp");
  }
  // metadata is read leniently: objects from a cluster carry many server-owned fields
  const Json* meta = top.raw("metadata");
  if (!meta || !meta->is_object()) {
    diags.error("metadata", "is required, with a name");
  } else {
    Reader m(meta, "metadata", diags);
    if (auto n = m.nonEmpty("name")) {
      app.name = *n;
      checkName(m, "name", *n);
    } else if (!m.has("name")) {
      diags.error("metadata.name", "is required");
    }
    if (auto ns = m.str("namespace")) {
      if (!isDnsLabel(*ns)) m.error("namespace", quotedValue(*ns) + " is not a valid namespace name");
      app.namespace_ = *ns;
      if (auto why = namespaceMismatch(*ns, opts.requestedNamespace); !why.empty()) m.error("namespace", why);
    }
    if (auto g = m.integer("generation", 0, INT64_MAX)) app.generation = *g;
    if (auto u = m.str("uid")) app.uid = *u;
  }
  if (app.namespace_.empty())
    app.namespace_ = opts.requestedNamespace.empty() ? opts.defaultNamespace : opts.requestedNamespace;
  // The cluster's own namespaces: an app there would relabel them for Pod Security and sit
  // beside the control plane's objects.
  for (const char* sys : {"kube-system", "kube-public", "kube-node-lease"})
    if (app.namespace_ == sys)
      diags.error(meta && meta->is_object() && meta->contains("namespace") ? "metadata.namespace" : "metadata",
                  quotedValue(app.namespace_) + " is a system namespace of Kubernetes: deploy the app into a namespace of its own");
  top.raw("status");
  // etcd refuses a request of more than 1.5 MiB (the API server's default), whatever the CRD says.
  if (const size_t bytes = root.dump().size(); bytes > kMaxObjectBytes)
    diags.error("spec", "the ShopApp is " + std::to_string(bytes) + " bytes as JSON; the API server stores at most " +
                            std::to_string(kMaxObjectBytes) + " (1.5 MiB) per object: move large files to volumes");
  Reader spec = top.obj("spec");
  if (!spec.present()) {
    if (!top.has("spec")) diags.error("spec", "is required");
  } else {
    parseSpec(spec, app);
  }
  top.done();
  // The cross-field checks run on whatever parsed, so that one run reports every error; each
  // skips what a field's own error already covers (validate.cpp).
  applyDefaults(app);
  validateApp(app, diags);
  if (!diags.hasErrors() && opts.checkRendered) diags.append(checkRenderedObjects(app));
  if (!diags.hasErrors()) res.app = std::move(app);
  return res;
}

}  // namespace

std::string namespaceMismatch(const std::string& objectNamespace, const std::string& requested) {
  if (objectNamespace.empty() || requested.empty() || objectNamespace == requested) return "";
  return "the namespace from the provided object \"" + objectNamespace + "\" does not match the namespace \"" +
         requested + "\". You must pass '--namespace=" + objectNamespace + "' to perform this operation.";
}

ParseResult parseShopApp(const Json& obj, const ParseOptions& opts) { return parseJson(obj, opts); }

ParseResult parseShopApp(const YamlDocument& doc, const ParseOptions& opts) {
  ParseResult res = parseJson(doc.value, opts);
  locate(res.diags, doc);
  // Report in the order a reader meets the problems in the file.
  auto& items = res.diags.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.col < b.pos.col;
  });
  return res;
}

}  // namespace shop
