// The one quantity parser: the grammar Kubernetes accepts, and hostile lengths refused.
#include <gtest/gtest.h>

#include <string>

#include "core/model/quantity.hpp"
#include "test_util.hpp"

using namespace shop;

TEST(Quantity, ParsesEverySuffixFamily) {
  EXPECT_DOUBLE_EQ(*parseQuantity("100m"), 0.1);
  EXPECT_DOUBLE_EQ(*parseQuantity("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(*parseQuantity(".5"), 0.5);
  EXPECT_DOUBLE_EQ(*parseQuantity("2."), 2.0);
  EXPECT_DOUBLE_EQ(*parseQuantity("256Mi"), 256.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*parseQuantity("1Gi"), 1073741824.0);
  EXPECT_DOUBLE_EQ(*parseQuantity("1k"), 1000.0);
  EXPECT_DOUBLE_EQ(*parseQuantity("8Ei"), 8.0 * 1152921504606846976.0);
  EXPECT_DOUBLE_EQ(*parseQuantity("1E"), 1e18);
  EXPECT_DOUBLE_EQ(*parseQuantity("5n"), 5e-9);
  EXPECT_DOUBLE_EQ(*parseQuantity("5u"), 5e-6);
  EXPECT_DOUBLE_EQ(*parseQuantity("1e3"), 1000.0);
  EXPECT_DOUBLE_EQ(*parseQuantity("1E-3"), 0.001);
  EXPECT_DOUBLE_EQ(*parseQuantity("+2"), 2.0);
  EXPECT_DOUBLE_EQ(*parseQuantity("-2Ki"), -2048.0);
}

TEST(Quantity, RejectsWhatKubernetesRejects) {
  for (const char* bad : {"", "512MB", "1KB", "m", ".", "-", "1e", "1e+", "1.2.3", "1 Gi", "Gi", "1ki", "0x10", "1Mi2"}) {
    SCOPED_TRACE(bad);
    const auto r = parseQuantityText(bad);
    EXPECT_FALSE(r.value.has_value());
    EXPECT_FALSE(r.error.empty());
  }
  EXPECT_EQ(parseQuantityText("512MB").error, "has an unknown suffix \"MB\"");
}

TEST(Quantity, RefusesAbsurdLengthsWithAClearError) {
  const std::string huge(100000, '9');
  const auto r = parseQuantityText(huge);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(r.error, "is 100000 characters long (a quantity has at most 64)");
  EXPECT_FALSE(parseQuantity("1e999").has_value());
  EXPECT_TRUE(parseQuantity(std::string(kMaxQuantityLength, '1')).has_value());
  EXPECT_FALSE(parseQuantity(std::string(kMaxQuantityLength + 1, '1')).has_value());
}

TEST(Quantity, AShopAppWithAHundredThousandDigitQuantityIsAnInputError) {
  const std::string yaml = "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: a}\nspec:\n  services:\n"
                           "  - name: web\n    image: example.com/web:1.0.0\n    resources: {limits: {memory: \"" +
                           std::string(100000, '9') + "\"}}\n";
  auto loaded = loadYaml(yaml, "huge.yaml");
  ASSERT_TRUE(loaded.ok());
  auto res = parseShopApp(loaded.documents[0]);
  EXPECT_FALSE(res.app.has_value());
  const std::string msg = res.diags.str();
  EXPECT_NE(msg.find("spec.services[0].resources.limits.memory"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is 100000 characters long"), std::string::npos) << msg;
}
