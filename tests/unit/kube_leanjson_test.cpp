// kube/leanjson.hpp: the cache's parser. It must give what Json::parse gives, less
// metadata.managedFields, with every container at its exact size.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "kube/leanjson.hpp"
#include "kube/watch.hpp"

namespace {

using shop::Json;

// Every object and array in j holds no spare capacity.
size_t slack(const Json& j) {
  size_t spare = 0;
  if (j.is_object()) {
    const auto& members = static_cast<const Json::object_t::Container&>(*j.get_ptr<const Json::object_t*>());
    spare += members.capacity() - members.size();
    for (const auto& kv : members) spare += slack(kv.second);
  } else if (j.is_array()) {
    const auto& items = *j.get_ptr<const Json::array_t*>();
    spare += items.capacity() - items.size();
    for (const auto& v : items) spare += slack(v);
  }
  return spare;
}

// A random JSON text: nested objects and arrays of every scalar kind, keys that repeat.
Json randomJson(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 4 ? 5 : 7);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<int64_t>(rng()) - (1ll << 31);
    case 3: return static_cast<uint64_t>(rng()) << 32;
    case 4: return static_cast<double>(rng() % 100000) / 7.0;
    case 5: return std::string(rng() % 40, static_cast<char>('a' + rng() % 26)) + "\"\\\n\u00e9";
    case 6: {
      Json a = Json::array();
      for (int i = rng() % 9; i > 0; --i) a.push_back(randomJson(rng, depth + 1));
      return a;
    }
    default: {
      static const char* keys[] = {"metadata", "managedFields", "spec", "name", "a", "status", "labels"};
      Json o = Json::object();
      for (int i = rng() % 9; i > 0; --i) o[keys[rng() % 7]] = randomJson(rng, depth + 1);
      return o;
    }
  }
}

// What parseLean must equal: Json::parse, then every managedFields of an object under "metadata"
// erased.
void eraseManaged(Json& j, bool underMetadata) {
  if (j.is_object()) {
    if (underMetadata) j.erase("managedFields");
    for (auto it = j.begin(); it != j.end(); ++it) eraseManaged(it.value(), it.key() == "metadata");
  } else if (j.is_array()) {
    for (auto& v : j) eraseManaged(v, false);
  }
}

}  // namespace

TEST(LeanJson, DropsManagedFieldsOfMetadataAndKeepsEverythingElseInOrder) {
  const std::string text = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[
    {"manager":"shop-operator","operation":"Apply","fieldsV1":{"f:spec":{"f:replicas":{}}}}],"labels":{"app":"web"}},
    "spec":{"replicas":2,"template":{"metadata":{"managedFields":"x","labels":{"app":"web"}}}},
    "data":{"managedFields":"a key of a ConfigMap stays"}})";
  const Json lean = kube::parseLean(text);
  ASSERT_TRUE(lean.is_object());
  EXPECT_FALSE(lean["metadata"].contains("managedFields"));
  EXPECT_FALSE(lean["spec"]["template"]["metadata"].contains("managedFields"));
  EXPECT_EQ(lean["data"]["managedFields"], "a key of a ConfigMap stays");
  EXPECT_EQ(lean["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(lean.dump(),
            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},)"
            R"("spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}}}},)"
            R"("data":{"managedFields":"a key of a ConfigMap stays"}})");
  EXPECT_EQ(slack(lean), 0u);
}

TEST(LeanJson, EqualsJsonParseLessManagedFieldsOnRandomDocuments) {
  std::mt19937 rng(20261206);
  for (int i = 0; i < 2000; ++i) {
    const Json doc = randomJson(rng, 0);
    const std::string text = doc.dump();
    Json expected = Json::parse(text);
    eraseManaged(expected, false);
    const Json lean = kube::parseLean(text);
    ASSERT_EQ(lean.dump(), expected.dump()) << text;
    ASSERT_EQ(lean, expected) << text;
    ASSERT_EQ(slack(lean), 0u) << text;
  }
}

// The cache keeps objects packed (kube/leanjson.hpp packLean): unpacked, each must be the object
// it packed, types and key order included, at exact sizes, and smaller at rest than its text.
void sameTypes(const Json& a, const Json& b, const std::string& text) {
  ASSERT_EQ(a.type(), b.type()) << text;
  if (a.is_object())
    for (auto it = a.begin(); it != a.end(); ++it) sameTypes(it.value(), b.at(it.key()), text);
  else if (a.is_array())
    for (size_t i = 0; i < a.size(); ++i) sameTypes(a[i], b[i], text);
}

TEST(LeanJson, APackedObjectUnpacksToItselfAtExactSize) {
  std::mt19937 rng(20261207);
  for (int i = 0; i < 2000; ++i) {
    const Json doc = kube::parseLean(randomJson(rng, 0).dump());
    const std::string packed = kube::packLean(doc);
    const Json back = kube::unpackLean(packed);
    ASSERT_EQ(back.dump(), doc.dump());
    ASSERT_EQ(back, doc);
    sameTypes(back, doc, doc.dump());
    ASSERT_EQ(slack(back), 0u) << doc.dump();
    ASSERT_EQ(packed.capacity(), packed.size() < 16 ? packed.capacity() : packed.size()) << "no growth slack at rest";
  }
  for (const std::string text : {"5", "-3", "-9223372036854775808", "18446744073709551615", "2.5e-3", "0.1", "\"\"", "true",
                                 "null", "[]", "{}", "[[],{},[{}]]", R"({"s":"\u00e9\ud83d\ude00\u0000"})"}) {
    const Json doc = Json::parse(text);
    EXPECT_EQ(kube::unpackLean(kube::packLean(doc)), doc) << text;
    EXPECT_EQ(kube::unpackLean(kube::packLean(doc)).type(), doc.type()) << text;
  }
}

TEST(LeanJson, ADeploymentPacksIntoLessThanItsText) {
  const Json d = Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop",
    "uid":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","resourceVersion":"123456","generation":3,
    "labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/managed-by":"shopctl","shopctl.io/app":"shop"}},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app.kubernetes.io/name":"web"}},"template":{"spec":{"containers":[
    {"name":"web","image":"nginx:1.27","ports":[{"containerPort":8080,"protocol":"TCP"}],
     "resources":{"requests":{"cpu":"100m","memory":"64Mi"}},"imagePullPolicy":"IfNotPresent"}]}}},
    "status":{"replicas":2,"readyReplicas":2,"observedGeneration":3}})");
  EXPECT_LT(kube::packLean(d).size(), d.dump().size());
}

TEST(LeanJson, BytesThatAreNotMessagePackAreDiscardedNeverThrown) {
  for (const std::string& bytes : {std::string(), std::string("\x82\xa1", 2), std::string("\xc1"), std::string("\x92\x01", 2)}) {
    Json got;
    EXPECT_NO_THROW(got = kube::unpackLean(bytes));
    EXPECT_TRUE(got.is_discarded());
  }
}

TEST(LeanJson, ARepeatedKeyKeepsItsFirstPlaceAndItsLastValueAsJsonParseDoes) {
  const std::string text = R"({"a":1,"b":2,"a":{"x":[1,2]},"c":3})";
  EXPECT_EQ(kube::parseLean(text).dump(), Json::parse(text).dump());
  EXPECT_EQ(kube::parseLean(text).dump(), R"({"a":{"x":[1,2]},"b":2,"c":3})");
}

TEST(LeanJson, ScalarsEmptyContainersAndNumbersSurvive) {
  for (const std::string text : {"5", "-3", "18446744073709551615", "2.5e-3", "\"s\"", "true", "null", "[]", "{}",
                                 "[[],{},[{}]]", R"({"metadata":{"managedFields":[]}})"}) {
    Json expected = Json::parse(text);
    eraseManaged(expected, false);
    EXPECT_EQ(kube::parseLean(text), expected) << text;
    EXPECT_EQ(kube::parseLean(text).type(), expected.type()) << text;
  }
}

TEST(LeanJson, TextThatIsNotJsonIsDiscardedNeverThrown) {
  for (const std::string text : {"", "{", "[1,", "{\"a\":}", "nul", "{\"a\":1}}", "\"\xff\"", "{\"metadata\":{\"managedFields\":[1,"}) {
    Json got;
    EXPECT_NO_THROW(got = kube::parseLean(text)) << text;
    EXPECT_TRUE(got.is_discarded()) << text;
  }
}

TEST(LeanJson, AWatchEventsObjectComesWithoutManagedFields) {
  const auto ev = kube::decodeWatchEvent(
      R"({"type":"MODIFIED","object":{"kind":"Service","metadata":{"name":"web","resourceVersion":"7",)"
      R"("managedFields":[{"manager":"m"}]},"spec":{"ports":[{"port":80}]}}})");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->resourceVersion, "7");
  EXPECT_FALSE(ev->object["metadata"].contains("managedFields"));
  EXPECT_EQ(ev->object["spec"]["ports"][0]["port"], 80);
}
