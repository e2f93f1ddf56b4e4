// Golden files: the rendered output of every shipped app, reviewed and committed. A change
// in the renderer shows up here as a diff to review; regenerate with
//   SHOP_UPDATE_GOLDEN=1 ./build/tests/unit/shop-unit-tests --gtest_filter='Golden*'
// The same files are applied to a real API server by the e2e tests (tests/e2e/).
// Determinism across processes is what this checks too: the golden files were written by an
// earlier process (on another day, with other addresses and another hash seed), and every run
// must print them again byte for byte. (Two renders in one process would prove less.)
#include <gtest/gtest.h>

#include <fstream>

#include "core/render/render.hpp"
#include "test_util.hpp"

using namespace shop;

namespace {

std::string renderFile(const std::string& path) {
  auto res = loadShopAppFile(path);
  if (!res.app) throw std::runtime_error(res.diags.str());
  return toYamlStream(render(*res.app).objects);
}

}  // namespace

TEST(Golden, RenderedAppsMatchTheReviewedFiles) {
  const bool update = std::getenv("SHOP_UPDATE_GOLDEN") != nullptr;
  for (const auto& app : test::kApps) {
    SCOPED_TRACE(app[0]);
    const std::string golden = std::string("tests/golden/") + app[0] + ".yaml";
    const std::string out = renderFile(app[1]);
    if (update) {
      std::ofstream(golden, std::ios::binary) << out;
      continue;
    }
    const std::string want = test::readFile(golden);
    ASSERT_FALSE(want.empty()) << golden << " is missing";
    EXPECT_EQ(out, want) << "rendered output differs from " << golden;
  }
}

TEST(Determinism, ReparsedOutputIsTheSameObjects) {
  // What we print is what we meant: loading the YAML back gives the same Json.
  for (const auto& app : test::kApps) {
    SCOPED_TRACE(app[0]);
    auto res = loadShopAppFile(app[1]);
    ASSERT_TRUE(res.app);
    auto objects = render(*res.app).objects;
    auto back = loadYaml(toYamlStream(objects));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back.documents.size(), objects.size());
    for (size_t i = 0; i < objects.size(); ++i) EXPECT_EQ(back.documents[i].value, objects[i]) << i;
  }
}
