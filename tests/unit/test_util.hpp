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

// A real self-signed CA certificate (its key thrown away when it was made): kubeconfigs must
// hold a PEM certificate, and nothing in the unit tests gets as far as verifying a server.
inline const char* kTestCaPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBlTCCATugAwIBAgIUS11d/WAuVkYQ30/euZfKvA/8oNowCgYIKoZIzj0EAwIw\n"
    "HzEdMBsGA1UEAwwUc2hvcGN0bC11bml0LXRlc3QtY2EwIBcNMjYxMjA1MDcyNjAy\n"
    "WhgPMjEyNjExMTEwNzI2MDJaMB8xHTAbBgNVBAMMFHNob3BjdGwtdW5pdC10ZXN0\n"
    "LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHdmO9Y/4bchWiRVIxxd47Qug\n"
    "C/tuHei4zQ6R8MqEWatO2EuG9SlAw9+YaxwMfYyXryvI+G+7jeaY/Is0hwCV66NT\n"
    "MFEwHQYDVR0OBBYEFMVoyYAVLEYVmOD6bAegXy0oJi84MB8GA1UdIwQYMBaAFMVo\n"
    "yYAVLEYVmOD6bAegXy0oJi84MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\n"
    "SAAwRQIhANtRJkRn8k6eFQp7iPBnqvWhZeCaPiVwmDMYCaTr2zZoAiA/001up4E3\n"
    "v6XEZTeZEmJ3CBv6fqF1/LgasAVB18En/Q==\n"
    "-----END CERTIFICATE-----\n";
inline const char* kTestCaData = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJsVENDQVR1Z0F3SUJBZ0lVUzExZC9XQXVWa1lRMzAvZXVaZkt2QS84b05vd0NnWUlLb1pJemowRUF3SXcKSHpFZE1Cc0dBMVVFQXd3VWMyaHZjR04wYkMxMWJtbDBMWFJsYzNRdFkyRXdJQmNOTWpZeE1qQTFNRGN5TmpBeQpXaGdQTWpFeU5qRXhNVEV3TnpJMk1ESmFNQjh4SFRBYkJnTlZCQU1NRkhOb2IzQmpkR3d0ZFc1cGRDMTBaWE4wCkxXTmhNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUVIZG1POVkvNGJjaFdpUlZJeHhkNDdRdWcKQy90dUhlaTR6UTZSOE1xRVdhdE8yRXVHOVNsQXc5K1lheHdNZll5WHJ5dkkrRys3amVhWS9JczBod0NWNjZOVApNRkV3SFFZRFZSME9CQllFRk1Wb3lZQVZMRVlWbU9ENmJBZWdYeTBvSmk4NE1COEdBMVVkSXdRWU1CYUFGTVZvCnlZQVZMRVlWbU9ENmJBZWdYeTBvSmk4NE1BOEdBMVVkRXdFQi93UUZNQU1CQWY4d0NnWUlLb1pJemowRUF3SUQKU0FBd1JRSWhBTnRSSmtSbjhrNmVGUXA3aVBCbnF2V2haZUNhUGlWd21ETVlDYVRyMnpab0FpQS8wMDF1cDRFMwp2NlhFWlRlWkVtSjNDQnY2ZnFGMS9MZ2FzQVZCMThFbi9RPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";  // the same, base64-encoded as kubeconfigs inline it


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
