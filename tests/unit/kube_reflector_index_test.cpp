// The reflector's index of cached objects by namespace and one label (issue 14): reconcile
// lists an app's children through it instead of walking every cached object of every app.
#include <gtest/gtest.h>

#include <functional>

#include "kube/reflector.hpp"

namespace {

using kube::Json;

Json child(const std::string& ns, const std::string& name, const std::string& app) {
  Json o = {{"metadata", {{"namespace", ns}, {"name", name}}}};
  if (!app.empty()) o["metadata"]["labels"] = {{"shopctl.io/app", app}, {"other", "x"}};
  return o;
}

std::set<std::string> keysOf(const kube::LabelIndex& ix, const std::string& ns, const std::string& app) {
  return ix.keys(ns, app);
}

}  // namespace

TEST(LabelIndex, KeysByNamespaceAndLabelValueFollowAddsMovesAndRemoves) {
  kube::LabelIndex ix("shopctl.io/app");
  ix.add("a/web", child("a", "web", "shop"));
  ix.add("a/db", child("a", "db", "shop"));
  ix.add("a/other", child("a", "other", "blog"));
  ix.add("b/web", child("b", "web", "shop"));  // the same app name in another namespace
  ix.add("a/plain", child("a", "plain", ""));  // no label: not indexed
  EXPECT_EQ(keysOf(ix, "a", "shop"), (std::set<std::string>{"a/db", "a/web"}));
  EXPECT_EQ(keysOf(ix, "b", "shop"), (std::set<std::string>{"b/web"}));
  EXPECT_EQ(keysOf(ix, "a", "blog"), (std::set<std::string>{"a/other"}));
  EXPECT_TRUE(keysOf(ix, "c", "shop").empty());

  // An update that moves an object to another app: the caller removes the old, adds the new.
  ix.remove("a/db", child("a", "db", "shop"));
  ix.add("a/db", child("a", "db", "blog"));
  EXPECT_EQ(keysOf(ix, "a", "shop"), (std::set<std::string>{"a/web"}));
  EXPECT_EQ(keysOf(ix, "a", "blog"), (std::set<std::string>{"a/db", "a/other"}));

  ix.remove("a/web", child("a", "web", "shop"));
  EXPECT_TRUE(keysOf(ix, "a", "shop").empty());
  ix.remove("a/plain", child("a", "plain", ""));  // never indexed: nothing happens
  ix.clear();
  EXPECT_TRUE(keysOf(ix, "a", "blog").empty());
}

TEST(LabelIndex, ALabelThatIsNoStringOrMetadataThatIsNoObjectIsNotIndexed) {
  kube::LabelIndex ix("shopctl.io/app");
  ix.add("a/n", kube::Json{{"metadata", {{"namespace", "a"}, {"name", "n"}, {"labels", {{"shopctl.io/app", 7}}}}}});
  ix.add("a/m", kube::Json{{"metadata", "not an object"}});
  EXPECT_TRUE(keysOf(ix, "a", "7").empty());
  kube::LabelIndex none;  // no label configured: nothing is indexed
  none.add("a/web", child("a", "web", "shop"));
  EXPECT_TRUE(none.keys("a", "shop").empty());
}

// ReflectorOptions::quietStatusUpdates: what counts as an update of the status alone.
TEST(QuietStatusUpdates, OnlyStatusAndResourceVersionMayDiffer) {
  const Json before = Json::parse(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget",
    "metadata":{"name":"web","resourceVersion":"10","generation":1,"labels":{"app":"web"}},
    "spec":{"maxUnavailable":1},"status":{"currentHealthy":0}})");
  Json after = before;
  after["metadata"]["resourceVersion"] = "11";
  after["status"]["currentHealthy"] = 2;
  EXPECT_TRUE(kube::onlyStatusChanged(before, after));
  EXPECT_TRUE(kube::onlyStatusChanged(before, before));
  // The cache judges by the hash it keeps beside each packed object: it must agree.
  EXPECT_EQ(kube::hashBesideStatus(before), kube::hashBesideStatus(after));

  auto changed = [&](const std::function<void(Json&)>& edit) {
    Json o = after;
    edit(o);
    const bool byObjects = !kube::onlyStatusChanged(before, o);
    EXPECT_EQ(byObjects, kube::hashBesideStatus(before) != kube::hashBesideStatus(o)) << o.dump();
    return byObjects;
  };
  EXPECT_TRUE(changed([](Json& o) { o["spec"]["maxUnavailable"] = 2; }));
  EXPECT_TRUE(changed([](Json& o) { o["metadata"]["labels"]["app"] = "db"; }));
  EXPECT_TRUE(changed([](Json& o) { o["metadata"]["annotations"] = {{"a", "b"}}; }));
  EXPECT_TRUE(changed([](Json& o) { o["metadata"]["generation"] = 2; }));
  EXPECT_TRUE(changed([](Json& o) { o["metadata"]["deletionTimestamp"] = "2026-12-06T00:00:00Z"; }));
  EXPECT_TRUE(changed([](Json& o) { o["metadata"].erase("resourceVersion"); }));
  EXPECT_TRUE(changed([](Json& o) { o.erase("status"); }));
  EXPECT_TRUE(changed([](Json& o) { o["extra"] = 1; }));
  // The same number of members, but another in place of the status.
  EXPECT_TRUE(changed([](Json& o) {
    o.erase("status");
    o["data"] = Json::object();
  }));
  EXPECT_TRUE(changed([](Json& o) {
    o["metadata"].erase("resourceVersion");
    o["metadata"]["uid"] = "u";
  }));
  EXPECT_FALSE(kube::onlyStatusChanged(before, Json::array()));
  EXPECT_NE(kube::hashBesideStatus(before), kube::hashBesideStatus(Json::array()));
  // A key's bytes cannot run into the next value's: these differ.
  EXPECT_NE(kube::hashBesideStatus(Json::parse(R"({"a":"1b","c":2})")), kube::hashBesideStatus(Json::parse(R"({"a1":"b","c":2})")));
  EXPECT_NE(kube::hashBesideStatus(Json::parse(R"({"spec":{"a":1}})")), kube::hashBesideStatus(Json::parse(R"({"spec":{"a":1.0}})")))
      << "an integer and a float are not the same member";
}
