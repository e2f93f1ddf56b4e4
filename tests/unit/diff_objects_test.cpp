#include <gtest/gtest.h>

#include "core/diff/objects.hpp"
#include "core/diff/unified.hpp"

using namespace shop;
using namespace shop::diff;

namespace {

Json deployment(const std::string& name, int replicas) {
  return Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
                     R"(","namespace":"shop","labels":{"a":"1"}},"spec":{"replicas":)" + std::to_string(replicas) +
                     R"(,"template":{"spec":{"containers":[{"name":"c","image":"x:1"}]}}}})");
}

Json service(const std::string& name) {
  return Json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
                     R"(","namespace":"shop"},"spec":{"ports":[{"port":80}]}})");
}

}  // namespace

TEST(ObjectKey, NamesLikeKubectlDiff) {
  auto k = keyOf(deployment("web", 2));
  EXPECT_EQ(k.group, "apps");
  EXPECT_EQ(k.version, "v1");
  EXPECT_EQ(k.str(), "Deployment shop/web");
  EXPECT_EQ(k.fileName(), "apps.v1.Deployment.shop.web");
  auto ns = keyOf(Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})"));
  EXPECT_EQ(ns.str(), "Namespace shop");
  EXPECT_EQ(ns.fileName(), "v1.Namespace.shop");
  // The version is not part of an object's identity.
  Json beta = deployment("web", 2);
  beta["apiVersion"] = "apps/v1beta2";
  EXPECT_TRUE(keyOf(beta) == k);
}

TEST(Normalize, StripsWhatTheServerOwns) {
  Json live = deployment("web", 2);
  live["metadata"]["managedFields"] = Json::array({{{"manager", "x"}}});
  live["metadata"]["resourceVersion"] = "12";
  live["metadata"]["uid"] = "u";
  live["metadata"]["generation"] = 3;
  live["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  live["metadata"]["annotations"] = Json::object();
  live["status"] = {{"replicas", 2}};
  EXPECT_EQ(stripServerFields(live), deployment("web", 2));
}

TEST(Normalize, WithoutAnnotationDropsEmptyAnnotations) {
  Json o = deployment("web", 2);
  o["metadata"]["annotations"] = {{"shopctl.io/applied-hash", "abc"}};
  EXPECT_EQ(withoutAnnotation(o, "shopctl.io/applied-hash"), deployment("web", 2));
  o["metadata"]["annotations"]["keep"] = "1";
  EXPECT_EQ(withoutAnnotation(o, "shopctl.io/applied-hash")["metadata"]["annotations"], Json({{"keep", "1"}}));
}

TEST(Mask, SecretValuesNeverShowAndChangesStillDo) {
  Json before = Json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
      "data":{"same":"c2FtZQ==","changed":"b2xk","gone":"eA=="}})");
  Json after = Json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
      "data":{"same":"c2FtZQ==","changed":"bmV3","added":"eQ=="},"stringData":{"p":"plain"}})");
  maskSecrets(before, after);
  EXPECT_EQ(before["data"], Json::parse(R"J({"same":"***","changed":"*** (before)","gone":"***"})J"));
  EXPECT_EQ(after["data"], Json::parse(R"J({"same":"***","changed":"*** (after)","added":"***"})J"));
  EXPECT_EQ(after["stringData"]["p"], "***");
  auto e = compareObject(keyOf(after), before, after);
  EXPECT_EQ(e.action, Action::Change);
  const std::string text = objectText(e.before) + objectText(e.after);
  EXPECT_EQ(text.find("c2FtZQ"), std::string::npos);
  EXPECT_EQ(text.find("plain"), std::string::npos);
  // One side absent (a Secret that would be created).
  Json none;
  Json created = Json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"k":"v"}})");
  maskSecrets(none, created);
  EXPECT_TRUE(none.is_null());
  EXPECT_EQ(created["stringData"]["k"], "***");
  // Other kinds are untouched.
  Json cm = Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}})");
  Json cm2 = cm;
  maskSecrets(cm, cm2);
  EXPECT_EQ(cm["data"]["k"], "v");
}

TEST(FieldChanges, PathsAreJsonPointers) {
  Json a = deployment("web", 2), b = deployment("web", 5);
  b["metadata"]["labels"]["x/y"] = "new";
  a["spec"]["paused"] = false;
  auto ch = fieldChanges(a, b);
  ASSERT_EQ(ch.size(), 3u);
  EXPECT_EQ(ch[0].path, "/metadata/labels/x~1y");
  EXPECT_FALSE(ch[0].inBefore);
  EXPECT_EQ(ch[1].path, "/spec/replicas");
  EXPECT_EQ(ch[1].before, 2);
  EXPECT_EQ(ch[1].after, 5);
  EXPECT_EQ(ch[2].path, "/spec/paused");
  EXPECT_FALSE(ch[2].inAfter);
  // Lists of different length change as a whole.
  Json c = a;
  c["spec"]["template"]["spec"]["containers"].push_back({{"name", "d"}});
  ch = fieldChanges(a, c);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].path, "/spec/template/spec/containers");
}

TEST(Compare, KeyOrderAndNumberTypesDoNotMatter) {
  Json a = Json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"n"},"spec":{"a":1,"b":2.0}})");
  Json b = Json::parse(R"({"kind":"Service","spec":{"b":2,"a":1},"metadata":{"namespace":"n","name":"s"},"apiVersion":"v1"})");
  EXPECT_EQ(compareObject(keyOf(a), a, b).action, Action::Unchanged);
  EXPECT_EQ(objectText(a), objectText(b));
}

TEST(Compare, SetsPairObjectsAndReportCreateChangeDelete) {
  std::vector<Json> before = {service("a"), deployment("web", 2), service("gone")};
  std::vector<Json> after = {service("a"), deployment("web", 3), service("new")};
  auto c = compareSets(before, after);
  ASSERT_EQ(c.entries.size(), 4u);
  EXPECT_EQ(c.entries[0].action, Action::Unchanged);
  EXPECT_EQ(c.entries[1].action, Action::Change);
  EXPECT_EQ(c.entries[1].changes.size(), 1u);
  EXPECT_EQ(c.entries[2].action, Action::Create);
  EXPECT_EQ(c.entries[2].key.name, "new");
  EXPECT_EQ(c.entries[3].action, Action::Delete);
  EXPECT_EQ(c.entries[3].key.name, "gone");
  EXPECT_TRUE(c.differs());
  EXPECT_EQ(c.count(Action::Unchanged), 1u);
  EXPECT_TRUE(c.duplicates.empty());
  EXPECT_FALSE(compareSets(after, after).differs());
}

TEST(Compare, DuplicatesAreReported) {
  auto c = compareSets({service("a"), service("a")}, {service("a")});
  ASSERT_EQ(c.duplicates.size(), 1u);
  EXPECT_EQ(c.duplicates[0].name, "a");
}

TEST(Compare, ObjectTextDiffShowsExactlyTheChangedLine) {
  auto e = compareObject(keyOf(deployment("web", 2)), deployment("web", 2), deployment("web", 7));
  const std::string u = unifiedDiff(objectText(e.before), objectText(e.after), {3, "live", "merged"});
  EXPECT_NE(u.find("\n-  replicas: 2\n+  replicas: 7\n"), std::string::npos) << u;
  int changed = 0;
  for (const auto& l : splitLines(u).lines)
    if ((l[0] == '-' || l[0] == '+') && l.rfind("---", 0) != 0 && l.rfind("+++", 0) != 0) ++changed;
  EXPECT_EQ(changed, 2);
}
