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
