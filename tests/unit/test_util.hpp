#pragma once
#include <fstream>
#include <sstream>
#include <string>

#include "core/model/parse.hpp"

namespace shop::test {

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

inline const char* kApps[][2] = {
    {"sockshop", "manifests/sockshop/shopapp.yaml"},
    {"cafe", "manifests/examples/cafe.yaml"},
    {"talentshare", "manifests/examples/talentshare.yaml"},
    {"library", "manifests/examples/library.yaml"},
    {"minimal", "manifests/examples/minimal.yaml"},
};

}  // namespace shop::test
