// core/io/json_assert.hpp: nlohmann/json's preconditions throw in every build; its checks of its
// own representation are left out.
#include <gtest/gtest.h>

#include "core/io/json.hpp"

namespace shop {
namespace {

TEST(JsonAssert, AConstReadOfAnAbsentKeyThrowsInsteadOfReadingPastTheEnd) {
  const Json obj = Json::parse(R"({"metadata": {"name": "web"}})");
  EXPECT_EQ(obj["metadata"]["name"], "web");
  EXPECT_THROW((void)obj["spec"], JsonPrecondition);
  try {
    (void)obj["metadata"]["namespace"];
    FAIL() << "no exception";
  } catch (const JsonPrecondition& e) {
    EXPECT_NE(std::string(e.what()).find("JSON precondition failed"), std::string::npos) << e.what();
  }
}

TEST(JsonAssert, OnlyTheRepresentationInvariantsAreLeftOut) {
  using json_assert_detail::representationInvariant;
  // The four checks of basic_json::assert_invariant(), as nlohmann writes them.
  EXPECT_TRUE(representationInvariant("m_type != value_t::object || m_value.object != nullptr"));
  EXPECT_TRUE(representationInvariant("m_type != value_t::binary || m_value.binary != nullptr"));
  // Preconditions on what callers pass stay checked.
  EXPECT_FALSE(representationInvariant("it != m_value.object->end()"));
  EXPECT_FALSE(representationInvariant("m_type == val.type()"));
  EXPECT_FALSE(representationInvariant("m_object != nullptr"));
  EXPECT_FALSE(representationInvariant(""));
}

}  // namespace
}  // namespace shop
