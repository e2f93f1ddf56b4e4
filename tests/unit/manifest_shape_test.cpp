// Wrong types in foreign manifests are input errors with file:line:col and the field path,
// never "internal error: [json.exception.type_error...]" from deep inside audit, harden or
// import; null values mean "absent", as for the API server.
#include <gtest/gtest.h>

#include "core/audit/audit.hpp"
#include "core/audit/harden.hpp"
#include "core/audit/inventory.hpp"
#include "core/importer/import.hpp"
#include "test_util.hpp"

using namespace shop;

namespace {

std::vector<audit::Manifest> read(const std::string& path, Diagnostics& diags) {
  auto y = loadYamlFile(path);
  EXPECT_TRUE(y.ok());
  std::vector<audit::Manifest> out;
  audit::addDocuments(y.documents, out, diags);
  return out;
}

}  // namespace

TEST(ManifestShape, ContainerAsBareStringIsAnInputErrorWithLine) {
  Diagnostics diags;
  const std::string file = "tests/unit/data/shape/container-as-string.yaml";
  auto ms = read(file, diags);
  EXPECT_TRUE(ms.empty());
  ASSERT_EQ(diags.errorCount(), 1u) << diags.str();
  EXPECT_EQ(diags.items()[0].str(),
            file + ":12:9: error: spec.template.spec.containers[0]: must be an object, not string");
  EXPECT_NO_THROW(audit::harden(ms, {}));
}

TEST(ManifestShape, NullFieldsAreAbsent) {
  Diagnostics diags;
  auto ms = read("tests/unit/data/shape/null-pod-spec-field.yaml", diags);
  EXPECT_FALSE(diags.hasErrors()) << diags.str();
  ASSERT_EQ(ms.size(), 1u);
  const Json& c = ms[0].object["spec"]["template"]["spec"]["containers"][0];
  EXPECT_FALSE(c["ports"][0].contains("name"));
  EXPECT_FALSE(c["env"][0].contains("value"));
  EXPECT_FALSE(c["readinessProbe"].contains("httpGet"));
  EXPECT_FALSE(ms[0].object["spec"]["template"]["spec"].contains("securityContext"));
  audit::Inventory inv(ms);
  EXPECT_NO_THROW(importer::importShopApp(inv, {}));
  EXPECT_NO_THROW(audit::runAudit(inv, {}));
  EXPECT_NO_THROW(audit::harden(ms, {}));
}

TEST(ManifestShape, RequiredFieldsThatAreNullAreInputErrors) {
  Diagnostics diags;
  const std::string file = "tests/unit/data/shape/null-required-fields.yaml";
  auto ms = read(file, diags);
  EXPECT_TRUE(ms.empty());
  EXPECT_EQ(diags.str(),
            file + ":13:18: error: spec.template.spec.containers[0].ports[0].containerPort: is required\n" +
            file + ":14:16: error: spec.template.spec.containers[0].env[0].name: is required\n" +
            file + ":15:25: error: spec.template.spec.containers[0].volumeMounts[0].name: is required\n");
}

TEST(ManifestShape, EveryWrongTypeIsReportedInListsToo) {
  auto y = loadYaml(
      "apiVersion: v1\nkind: List\nitems:\n"
      "- apiVersion: v1\n  kind: Service\n  metadata: {name: s, labels: {a: 1}}\n"
      "  spec: {ports: [{port: http}], selector: [a]}\n"
      "- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n"
      "  spec: {hostNetwork: \"yes\", containers: [{name: c, image: x, env: {A: b}, "
      "resources: {limits: {cpu: [1]}}, securityContext: {capabilities: {add: SYS_ADMIN}}}]}\n",
      "l.yaml");
  ASSERT_TRUE(y.ok());
  std::vector<audit::Manifest> out;
  Diagnostics diags;
  audit::addDocuments(y.documents, out, diags);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(diags.str(),
            "l.yaml:6:32: error: items[0].metadata.labels.a: must be a string, not integer\n"
            "l.yaml:7:19: error: items[0].spec.ports[0].port: must be an integer, not string\n"
            "l.yaml:7:33: error: items[0].spec.selector: must be a map of strings, not list\n"
            "l.yaml:11:10: error: items[1].spec.hostNetwork: must be true or false, not string\n"
            "l.yaml:11:63: error: items[1].spec.containers[0].env: must be a list of objects, not object\n"
            "l.yaml:11:97: error: items[1].spec.containers[0].resources.limits.cpu: must be a quantity, not list\n"
            "l.yaml:11:142: error: items[1].spec.containers[0].securityContext.capabilities.add: must be a list of strings, not string\n");
}
