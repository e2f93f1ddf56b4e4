#include <gtest/gtest.h>

#include "core/diff/kstatus.hpp"

using namespace shop;
using namespace shop::diff;

namespace {

Json app(int64_t generation, const char* status) {
  Json o = Json::parse(R"({"apiVersion":"shopctl.io/v1alpha1","kind":"ShopApp","metadata":{"name":"a","namespace":"n"}})");
  o["metadata"]["generation"] = generation;
  if (status) o["status"] = Json::parse(status);
  return o;
}

}  // namespace

// The statuses the operator writes (operator/controller.cpp) and what kstatus makes of them.
TEST(KStatus, ReadyIsCurrent) {
  auto r = kstatus(app(2, R"({"observedGeneration":2,"conditions":[
      {"type":"Ready","status":"True","reason":"Ready","message":"all 2 components ready"},
      {"type":"Reconciling","status":"False","reason":"Ready","message":"all 2 components ready"},
      {"type":"Stalled","status":"False","reason":"Ready","message":"all 2 components ready"}]})"));
  EXPECT_EQ(r.status, KStatus::Current);
  EXPECT_STREQ(kstatusName(r.status), "Current");
}

TEST(KStatus, ReconcilingTrueIsInProgress) {
  auto r = kstatus(app(1, R"({"observedGeneration":1,"conditions":[
      {"type":"Ready","status":"False","reason":"ComponentsNotReady","message":"0/1 components ready"},
      {"type":"Reconciling","status":"True","reason":"Progressing","message":"0/1 components ready; waiting"},
      {"type":"Stalled","status":"False","reason":"Progressing","message":"making progress"}]})"));
  EXPECT_EQ(r.status, KStatus::InProgress);
  EXPECT_EQ(r.reason, "Progressing");
  EXPECT_EQ(r.message, "0/1 components ready; waiting");
}

TEST(KStatus, StalledTrueIsFailed) {
  auto r = kstatus(app(3, R"({"observedGeneration":3,"conditions":[
      {"type":"Ready","status":"False","reason":"InvalidSpec","message":"bad"},
      {"type":"Reconciling","status":"False","reason":"InvalidSpec","message":"waiting for a corrected spec"},
      {"type":"Stalled","status":"True","reason":"InvalidSpec","message":"spec.services[0]: bad"}]})"));
  EXPECT_EQ(r.status, KStatus::Failed);
  EXPECT_EQ(r.message, "spec.services[0]: bad");
}

TEST(KStatus, FirstAbnormalConditionWins) {
  auto r = kstatus(app(1, R"({"conditions":[
      {"type":"Stalled","status":"True","reason":"A","message":"a"},
      {"type":"Reconciling","status":"True","reason":"B","message":"b"}]})"));
  EXPECT_EQ(r.status, KStatus::Failed);
}

TEST(KStatus, UnobservedGenerationIsInProgressWhateverTheConditionsSay) {
  auto r = kstatus(app(4, R"({"observedGeneration":3,"conditions":[
      {"type":"Ready","status":"True","reason":"Ready","message":"ok"}]})"));
  EXPECT_EQ(r.status, KStatus::InProgress);
  EXPECT_EQ(r.reason, "LatestGenerationNotObserved");
  EXPECT_EQ(r.message, "ShopApp generation is 4, but latest observed generation is 3");
}

TEST(KStatus, NoObservedGenerationSkipsTheGenerationCheck) {
  // kstatus only compares when both fields exist: a new object without status is Current.
  EXPECT_EQ(kstatus(app(1, nullptr)).status, KStatus::Current);
  EXPECT_EQ(kstatus(app(1, R"({"conditions":[{"type":"Ready","status":"False"}]})")).status, KStatus::InProgress);
  EXPECT_EQ(kstatus(app(1, R"({"conditions":[{"type":"Ready","status":"Unknown"}]})")).status, KStatus::InProgress);
}

TEST(KStatus, DeletionIsTerminating) {
  Json o = app(1, R"({"observedGeneration":1,"conditions":[{"type":"Stalled","status":"True"}]})");
  o["metadata"]["deletionTimestamp"] = "2026-11-22T05:00:00Z";
  EXPECT_EQ(kstatus(o).status, KStatus::Terminating);
}
