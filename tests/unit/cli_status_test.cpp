// `shopctl status -o wide|name|jsonpath=`: the formats it takes (and the clear refusals of the
// others), the names kubectl prints, the List kubectl's templates see, and the wide columns.
#include <gtest/gtest.h>

#ifdef SHOPCTL_LIB

#include <string>

#include "cli/status.hpp"

using namespace shop;
using namespace shop::cli;

namespace {

const Json kApp = Json::parse(R"({
  "apiVersion": "shopctl.io/v1alpha1", "kind": "ShopApp",
  "metadata": {"name": "shop", "namespace": "prod", "generation": 3, "creationTimestamp": "2020-01-01T00:00:00Z"},
  "status": {"observedGeneration": 2,
             "summary": {"services": 2, "databases": 1, "brokers": 0, "ready": "1/3"},
             "conditions": [{"type": "Ready", "status": "False", "reason": "ComponentsNotReady",
                             "message": "1/3 components ready; waiting for web"},
                            {"type": "Reconciling", "status": "True", "reason": "ComponentsNotReady",
                             "message": "1/3 components ready; waiting for web"}]}
})");

}  // namespace

TEST(StatusOutput, TheFormats) {
  for (const auto& [v, k] : std::vector<std::pair<std::string, StatusOutput::Kind>>{
           {"table", StatusOutput::kTable},
           {"wide", StatusOutput::kWide},
           {"name", StatusOutput::kName},
           {"json", StatusOutput::kJson},
           {"=yaml", StatusOutput::kYaml},
           {"jsonpath={.metadata.name}", StatusOutput::kJsonPath},
           {"=jsonpath={.a}", StatusOutput::kJsonPath}}) {
    StatusOutput out;
    std::string error;
    EXPECT_TRUE(parseStatusOutput(v, out, error)) << v << ": " << error;
    EXPECT_EQ(out.kind, k) << v;
  }
  StatusOutput out;
  std::string error, text;
  ASSERT_TRUE(parseStatusOutput("jsonpath={.metadata.namespace}/{.metadata.name}", out, error));
  ASSERT_TRUE(out.jsonpath.execute(kApp, text, error));
  EXPECT_EQ(text, "prod/shop");
}

TEST(StatusOutput, OtherFormatsAndBadTemplatesAreRefusedClearly) {
  const std::string formats = "the formats are table, wide, name, json, yaml and jsonpath=TEMPLATE";
  const std::pair<std::string, std::string> cases[] = {
      {"xml", "-o \"xml\": unknown format; " + formats},
      {"jsonpath", "-o jsonpath needs a template, e.g. -o jsonpath='{.metadata.name}'"},
      {"jsonpath=", "-o jsonpath needs a template, e.g. -o jsonpath='{.metadata.name}'"},
      {"go-template={{.x}}", "-o go-template is not supported by shopctl status; " + formats},
      {"custom-columns=N:.metadata.name", "-o custom-columns is not supported by shopctl status; " + formats},
      {"jsonpath={..name}", "-o jsonpath=\"{..name}\": column 2: recursive descent (..) is not supported; name the "
                            "path from the top, e.g. {.items[*].metadata.name}"},
      {"jsonpath={.items[0,1]}", "-o jsonpath=\"{.items[0,1]}\": column 8: unions ([a,b]) are not supported; use one "
                                 "index or a slice [a:b]"},
  };
  for (const auto& [v, want] : cases) {
    StatusOutput out;
    std::string error;
    EXPECT_FALSE(parseStatusOutput(v, out, error)) << v;
    EXPECT_EQ(error, want) << v;
  }
}

TEST(StatusOutput, NameIsKubectls) {
  EXPECT_EQ(shopAppResourceName(kApp), "shopapp.shopctl.io/shop");
}

TEST(StatusOutput, TheListKubectlShows) {
  Json bare = kApp;
  bare.erase("apiVersion");
  bare.erase("kind");
  const Json l = listObject({kApp, bare});
  EXPECT_EQ(l["apiVersion"], "v1");
  EXPECT_EQ(l["kind"], "List");
  EXPECT_EQ(l["metadata"], (Json{{"resourceVersion", ""}}));
  ASSERT_EQ(l["items"].size(), 2u);
  EXPECT_EQ(l["items"][1]["apiVersion"], "shopctl.io/v1alpha1");
  EXPECT_EQ(l["items"][1]["kind"], "ShopApp");
  EXPECT_EQ(listObject({})["items"], Json::array());
}

TEST(StatusOutput, WideColumns) {
  Json fresh = {{"metadata", {{"name", "new"}, {"namespace", "dev"}, {"generation", 1}}}};
  const std::string t = wideTable({kApp, fresh});
  const auto nl = t.find('\n');
  EXPECT_EQ(t.substr(0, nl),
            "NAMESPACE   NAME   READY   STATUS       REASON                        COMPONENTS   SERVICES   DATABASES   "
            "BROKERS   GENERATION   OBSERVED   AGE     MESSAGE");
  const std::string row1 = t.substr(nl + 1, t.find('\n', nl + 1) - nl - 1);
  // Generation 3 not observed yet decides kstatus (InProgress, its reason and message).
  EXPECT_EQ(row1.rfind("prod        shop   False   InProgress   LatestGenerationNotObserved   1/3          2          1"
                       "           0         3            2          ",
                       0),
            0u)
      << t;
  EXPECT_NE(row1.find("d   ShopApp generation is 3, but latest observed generation is 2"), std::string::npos) << row1;
  // Without a status yet: "-" where it does not say.
  const std::string row2 = t.substr(t.find('\n', nl + 1) + 1);
  EXPECT_EQ(row2, "dev         new    -       Current      -                             -            -          -    "
                  "       -         1            -          -       Resource is current\n")
      << t;
}

#endif  // SHOPCTL_LIB
