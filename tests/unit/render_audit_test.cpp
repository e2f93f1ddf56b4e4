// DESIGN.md: the renderer's own output must pass the audit catalog with zero findings. Every
// shipped app is rendered and audited with every rule enabled. The only findings allowed are
// the ones a ShopApp asks for explicitly: the issue specifies HPAs with a floor of one replica
// for the cafe backends and talentshare's read model, and the audit rightly says so.
#include <gtest/gtest.h>

#include "core/audit/audit.hpp"
#include "core/render/render.hpp"
#include "test_util.hpp"

using namespace shop;

TEST(RenderedAudit, EveryShippedAppAuditsClean) {
  for (const auto& a : test::kApps) {
    SCOPED_TRACE(a[0]);
    auto parsed = loadShopAppFile(a[1]);
    ASSERT_TRUE(parsed.app) << parsed.diags.str();
    auto report = audit::runAudit(test::inventoryOf(toYamlStream(render(*parsed.app).objects), std::string("rendered-") + a[0] + ".yaml"), {});
    std::string list;
    for (const auto& f : report.findings) list += f.ruleId + " " + f.objectRef + "\n";
    std::string expected;
    if (std::string(a[0]) == "cafe")
      for (const char* s : {"beverage", "inventory", "notification", "order"})
        expected += std::string("avail-single-replica Deployment cafe/") + s + "\n";
    if (std::string(a[0]) == "talentshare") expected = "avail-single-replica Deployment talentshare/retrieve\n";
    EXPECT_EQ(list, expected);
    EXPECT_EQ(report.summary.suppressed, 0u) << "the renderer must not silence its own audit";
    EXPECT_GT(report.summary.checks, 40u);  // the audit really looked at the objects
    if (expected.empty()) {
      EXPECT_EQ(report.summary.score, 100);
    }
  }
}
