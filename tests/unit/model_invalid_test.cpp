// Every file in tests/unit/data/invalid/ is a broken ShopApp; the .err file beside it holds
// the exact diagnostics it must produce (file:line:col, field path, message), in order.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"

using namespace shop;
namespace fs = std::filesystem;

TEST(InvalidShopApps, EachProducesExactlyItsExpectedErrors) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator("tests/unit/data/invalid"))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 30u) << "the suite promises at least 30 invalid ShopApps";
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    auto res = loadShopAppFile(f);
    EXPECT_FALSE(res.app.has_value()) << "invalid input produced an app";
    EXPECT_TRUE(res.diags.hasErrors());
    const std::string expected = test::readFile(f.substr(0, f.size() - 5) + ".err");
    ASSERT_FALSE(expected.empty()) << "missing .err file";
    EXPECT_EQ(res.diags.str(), expected);
    for (const auto& d : res.diags.items()) {
      EXPECT_EQ(d.file, f);
      EXPECT_TRUE(d.pos.known()) << d.str();
    }
  }
}

namespace {

// The error paths a ShopApp given as YAML text produces, in order.
std::vector<std::string> errorPaths(const std::string& yaml) {
  auto loaded = loadYaml(yaml, "test.yaml");
  EXPECT_TRUE(loaded.ok());
  std::vector<std::string> paths;
  if (!loaded.ok() || loaded.documents.empty()) return paths;
  auto res = parseShopApp(loaded.documents[0]);
  EXPECT_FALSE(res.app.has_value());
  for (const auto& d : res.diags.items())
    if (d.severity == Severity::Error) paths.push_back(d.path);
  return paths;
}

const char* kHead = "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: shop}\nspec:\n  services:\n";

}  // namespace

// validate runs the cross-field checks in the same pass as the field checks; a check whose input
// has an error of its own is skipped rather than reported a second, false time.
TEST(ValidateAllAtOnce, ReportsFieldAndCrossFieldErrorsInOneRun) {
  const auto paths = errorPaths(std::string(kHead) +
                                "  - {name: a, image: x.io/a:1, replicas: -1, ports: [{port: 80}]}\n"
                                "  - {name: b, image: x.io/b:1, ports: [{port: 80}], dependsOn: [nobody]}\n");
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.services[0].replicas", "spec.services[1].dependsOn[0]"}));
}

TEST(ValidateAllAtOnce, AReferenceIsNotJudgedWhileANameIsMissing) {
  // The second service has no name: "ghost" may be what it was meant to be called.
  const auto paths = errorPaths(std::string(kHead) +
                                "  - {name: a, image: x.io/a:1, ports: [{port: 80}], dependsOn: [ghost]}\n"
                                "  - {image: x.io/b:1, ports: [{port: 80}]}\n");
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.services[1]"}));
}

TEST(ValidateAllAtOnce, ANameOfTheWrongFormStillResolves) {
  const auto paths = errorPaths(std::string(kHead) +
                                "  - {name: a, image: x.io/a:1, ports: [{port: 80}], dependsOn: [B_b]}\n"
                                "  - {name: B_b, image: x.io/b:1, ports: [{port: 80}]}\n");
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.services[1].name"}));
}

TEST(ValidateAllAtOnce, ProbePortsWaitForPortsThatParse) {
  const auto paths = errorPaths(std::string(kHead) +
                                "  - name: a\n    image: x.io/a:1\n    ports: [{name: http, port: 99999}]\n"
                                "    probes: {readiness: {http: {path: /, port: admin}}}\n");
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.services[0].ports[0].port"}));
}

TEST(ValidateAllAtOnce, AnItemThatIsNotAnObjectKeepsTheOthersInPlace) {
  // services[1] is a number; services[2]'s own error must still carry index 2.
  const auto paths = errorPaths(std::string(kHead) +
                                "  - {name: a, image: x.io/a:1, ports: [{port: 80}]}\n"
                                "  - 42\n"
                                "  - {name: c, image: x.io/c:1, ports: [{port: 80}], autoscaling: {enabled: true, min: 4, max: 2}}\n");
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.services[1]", "spec.services[2].autoscaling.min"}));
}
