#pragma once
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/audit/inventory.hpp"
#include "core/io/json.hpp"
#include "core/model/parse.hpp"

namespace shop::test {

// The inventory of manifests given as YAML text; fails the test if they do not load.
inline audit::Inventory inventoryOf(const std::string& yaml, const std::string& file = "test.yaml") {
  auto r = audit::loadManifests(yaml, file);
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return audit::Inventory(std::move(r.manifests));
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses a ShopApp from YAML text; fails the test with the diagnostics if it is invalid.
inline ShopApp mustParse(const std::string& yaml) {
  auto loaded = loadYaml(yaml, "test.yaml");
  if (!loaded.ok() || loaded.documents.size() != 1) throw std::runtime_error("bad test YAML");
  auto res = parseShopApp(loaded.documents[0]);
  if (!res.app) throw std::runtime_error("invalid test app:\n" + res.diags.str());
  return *res.app;
}

// The one set of object lookups for unit tests.
inline std::string objectKind(const Json& o) { return o.value("kind", ""); }
inline std::string objectName(const Json& o) {
  return o.contains("metadata") && o["metadata"].is_object() ? o["metadata"].value("name", "") : "";
}
// The object of that kind and name, or nullptr.
inline const Json* find(const std::vector<Json>& objs, const std::string& kind, const std::string& name) {
  for (const auto& o : objs)
    if (objectKind(o) == kind && objectName(o) == name) return &o;
  return nullptr;
}
// The same, for tests that cannot go on without it: throws (the test fails naming the object).
inline const Json& get(const std::vector<Json>& objs, const std::string& kind, const std::string& name) {
  if (const Json* o = find(objs, kind, name)) return *o;
  throw std::runtime_error("no " + kind + "/" + name);
}
// Every object of a kind, in order.
inline std::vector<const Json*> all(const std::vector<Json>& objs, const std::string& kind) {
  std::vector<const Json*> out;
  for (const auto& o : objs)
    if (objectKind(o) == kind) out.push_back(&o);
  return out;
}
inline bool has(const std::vector<Json>& objs, const std::string& kind) { return !all(objs, kind).empty(); }
// Container i of a workload's pod template.
inline const Json& container(const Json& workload, size_t i = 0) {
  return workload["spec"]["template"]["spec"]["containers"][i];
}

inline const char* kApps[][2] = {
    {"sockshop", "manifests/sockshop/shopapp.yaml"},
    {"cafe", "manifests/examples/cafe.yaml"},
    {"talentshare", "manifests/examples/talentshare.yaml"},
    {"library", "manifests/examples/library.yaml"},
    {"minimal", "manifests/examples/minimal.yaml"},
    {"canary", "manifests/examples/canary.yaml"},
};

}  // namespace shop::test
