#include "core/render/collisions.hpp"

#include <map>
#include <tuple>

#include "core/render/render.hpp"

namespace shop {

namespace {

struct Source {
  std::string path;  // spec.services[2], or "" for the app itself
  std::string what;  // service "cart-headless"
  std::string field = "name";  // the field under path that names the object
};

const Json& at(const Json& obj, const char* a, const char* b = nullptr) {
  static const Json none;
  auto i = obj.find(a);
  if (i == obj.end()) return none;
  if (!b) return *i;
  auto j = i->find(b);
  return j == i->end() ? none : *j;
}

std::string str(const Json& v) { return v.is_string() ? v.get<std::string>() : ""; }

Source sourceOf(const ShopApp& app, const Json& obj) {
  const std::string component = str(at(at(obj, "metadata"), "labels", "app.kubernetes.io/name"));
  for (size_t i = 0; i < app.services.size(); ++i)
    if (app.services[i].name == component)
      return {indexPath("spec.services", i), "service \"" + component + "\""};
  for (size_t i = 0; i < app.databases.size(); ++i)
    if (app.databases[i].name == component) {
      if (str(at(obj, "kind")) == "Service" && app.databases[i].readService == str(at(obj, "metadata", "name")))
        return {indexPath("spec.databases", i), "the readService of database \"" + component + "\"", "readService"};
      return {indexPath("spec.databases", i), "database \"" + component + "\""};
    }
  for (size_t i = 0; i < app.messaging.size(); ++i)
    if (app.messaging[i].name == component)
      return {indexPath("spec.messaging", i), "broker \"" + component + "\""};
  return {"", "the app \"" + app.name + "\" itself"};
}

}  // namespace

Diagnostics renderedNameCollisions(const ShopApp& app, const std::vector<Json>& objects) {
  Diagnostics diags;
  using Key = std::tuple<std::string, std::string, std::string>;  // kind, namespace, name
  std::map<Key, Source> seen;
  auto add = [&](const std::string& kind, const std::string& ns, const std::string& name,
                 const Source& src) {
    auto [it, fresh] = seen.emplace(Key{kind, ns, name}, src);
    if (fresh) return;
    const Source& first = it->second;
    std::string msg = kind + " \"" + name + "\" would be rendered twice: for " + first.what;
    if (!first.path.empty()) msg += " (" + first.path + ")";
    msg += " and for " + src.what;
    if (!src.path.empty()) msg += " (" + src.path + ")";
    msg += "; rename one of them";
    diags.error(src.path.empty() ? "metadata.name" : src.path + "." + src.field, msg);
  };
  for (const auto& obj : objects) {
    const std::string kind = str(at(obj, "kind"));
    const std::string ns = str(at(obj, "metadata", "namespace"));
    const std::string name = str(at(obj, "metadata", "name"));
    const Source src = sourceOf(app, obj);
    add(kind, ns, name, src);
    if (kind != "StatefulSet") continue;
    // The claims the StatefulSet controller will create: <template>-<statefulset>-<ordinal>.
    const Json& spec = at(obj, "spec");
    const Json& replicas = at(spec, "replicas");
    const int64_t n = replicas.is_number_integer() ? replicas.get<int64_t>() : 1;
    const Json& templates = at(spec, "volumeClaimTemplates");
    if (!templates.is_array()) continue;
    for (const auto& t : templates)
      for (int64_t i = 0; i < n; ++i)
        add("PersistentVolumeClaim", ns, str(at(t, "metadata", "name")) + "-" + name + "-" + std::to_string(i), src);
  }
  return diags;
}

Diagnostics checkRenderedObjects(const ShopApp& app, const std::vector<Json>& objects) {
  Diagnostics diags = renderedNameCollisions(app, objects);
  for (const auto& obj : objects) {
    if (str(at(obj, "kind")) != "ConfigMap") continue;
    size_t bytes = 0;
    for (const char* field : {"data", "binaryData"})
      if (const Json& d = at(obj, field); d.is_object())
        for (auto it = d.begin(); it != d.end(); ++it)
          bytes += it.key().size() + (it->is_string() ? it->get_ref<const std::string&>().size() : 0);
    if (bytes <= kMaxConfigMapBytes) continue;
    const Source src = sourceOf(app, obj);
    const std::string name = str(at(obj, "metadata", "name"));
    const char* field = name.ends_with("-files") ? ".config.files" : ".config.env";
    diags.error(src.path.empty() ? "spec" : src.path + field,
                "ConfigMap \"" + name + "\" would hold " + std::to_string(bytes) +
                    " bytes; Kubernetes allows at most " + std::to_string(kMaxConfigMapBytes) +
                    " (1 MiB): make it smaller or split it");
  }
  return diags;
}

Diagnostics checkRenderedObjects(const ShopApp& app) { return checkRenderedObjects(app, render(app).objects); }

}  // namespace shop
