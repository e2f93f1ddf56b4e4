// core/io/json.hpp: the object map keeps insertion order, refuses duplicate keys, and grows by
// moving its values, also when what is added refers into the object itself.
#include <gtest/gtest.h>

#include <string>

#include "core/io/json.hpp"

namespace shop {
namespace {

TEST(JsonMap, KeepsInsertionOrderAcrossManyGrowths) {
  Json obj = Json::object();
  for (int i = 99; i >= 0; --i) obj["k" + std::to_string(i)] = Json{{"nested", i}, {"list", {i, i + 1}}};
  ASSERT_EQ(obj.size(), 100u);
  int expect = 99;
  for (const auto& [key, value] : obj.items()) {
    EXPECT_EQ(key, "k" + std::to_string(expect));
    EXPECT_EQ(value["nested"], expect);
    EXPECT_EQ(value["list"][1], expect + 1);
    --expect;
  }
  EXPECT_EQ(obj.dump().substr(0, 42), R"({"k99":{"nested":99,"list":[99,100]},"k98")");
}

TEST(JsonMap, ADuplicateKeyIsNotAddedTwice) {
  Json obj = {{"a", 1}, {"b", 2}};
  const auto [it, added] = obj.get_ref<Json::object_t&>().emplace("a", 5);
  EXPECT_FALSE(added);
  EXPECT_EQ(it->second, 1);
  obj["a"] = 3;
  EXPECT_EQ(obj.dump(), R"({"a":3,"b":2})");
  EXPECT_EQ(Json::parse(R"({"x":1,"x":2})").dump(), R"({"x":2})") << "the last duplicate wins, as in nlohmann's";
}

TEST(JsonMap, AValueTakenFromTheSameObjectSurvivesTheGrowthItCauses) {
  Json obj = Json::object();
  obj["first"] = Json{{"deep", std::string(100, 'x')}};
  auto& map = obj.get_ref<Json::object_t&>();
  // Fill to capacity, so that the next key grows the storage.
  for (int i = 0; map.size() < map.capacity(); ++i) obj["pad" + std::to_string(i)] = i;
  const size_t before = map.capacity();
  const Json& source = obj["first"];  // a reference into the storage about to move
  map.emplace("copy", source);
  ASSERT_GT(map.capacity(), before) << "the emplace should have grown the storage";
  EXPECT_EQ(obj["copy"]["deep"], std::string(100, 'x'));
  EXPECT_EQ(obj["first"]["deep"], std::string(100, 'x'));
}

TEST(JsonMap, UpdateInsertAndCopyBehaveAsBefore) {
  Json a = {{"x", 1}, {"y", {{"z", true}}}};
  const Json b = {{"y", 2}, {"w", "new"}};
  a.update(b);
  EXPECT_EQ(a.dump(), R"({"x":1,"y":2,"w":"new"})");
  Json c = a;  // a deep copy
  c["x"] = 9;
  EXPECT_EQ(a["x"], 1);
  Json d = Json::object();
  d.insert(a.begin(), a.end());
  EXPECT_EQ(d, a);
  EXPECT_EQ(nlohmann::json(a).dump(), R"({"w":"new","x":1,"y":2})") << "converts to a sorted-key json";
}

}  // namespace
}  // namespace shop
