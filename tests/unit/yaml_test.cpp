#include <gtest/gtest.h>

#include "core/io/yaml.hpp"

using namespace shop;

TEST(YamlLoad, TypesPlainScalarsByCoreSchemaAndQuotedAsStrings) {
  auto r = loadYaml("a: 1\nb: \"1\"\nc: true\nd: yes\ne: ~\nf: 1.5\ng: 0x10\nh: '0755'\n");
  ASSERT_TRUE(r.ok());
  const Json& v = r.documents.at(0).value;
  EXPECT_TRUE(v["a"].is_number_integer());
  EXPECT_EQ(v["b"], "1");
  EXPECT_EQ(v["c"], true);
  EXPECT_EQ(v["d"], "yes");
  EXPECT_TRUE(v["e"].is_null());
  EXPECT_DOUBLE_EQ(v["f"].get<double>(), 1.5);
  EXPECT_EQ(v["g"], 16);
  EXPECT_EQ(v["h"], "0755");
}

TEST(YamlLoad, RecordsPositionsOfEveryField) {
  auto r = loadYaml("spec:\n  services:\n  - name: a\n    image: x:1\n");
  ASSERT_TRUE(r.ok());
  const auto& m = r.documents[0].map;
  EXPECT_EQ(m.lookup("spec.services[0].image").line, 4);
  EXPECT_EQ(m.lookup("spec.services[0].image").col, 5);
  // a missing field points at its nearest parent
  EXPECT_EQ(m.lookup("spec.services[0].ports[2].name").line, 3);
}

TEST(YamlLoad, DuplicateKeysAreErrorsWithPosition) {
  auto r = loadYaml("a: 1\nb: 2\na: 3\n", "f.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(), "f.yaml:3:1: error: a: duplicate key \"a\"");
}

TEST(YamlLoad, SyntaxErrorsNameLineAndColumn) {
  auto r = loadYaml("a: [1, 2\nb: 3\n", "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->file, "bad.yaml");
  EXPECT_TRUE(r.error->pos.known());
  EXPECT_NE(r.error->message.find("invalid YAML"), std::string::npos);
}

TEST(YamlLoad, SkipsEmptyDocuments) {
  auto r = loadYaml("---\n# only a comment\n---\na: 1\n---\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].value["a"], 1);
}

TEST(YamlEmit, QuotesWhatAnotherReaderWouldRetype) {
  Json v = {{"a", "yes"}, {"b", "0755"}, {"c", "1:30"}, {"d", "100m"}, {"e", "true"},
            {"f", ""}, {"g", "a: b"}, {"h", "-x"}, {"i", "1.5"}, {"j", "null"}, {"k", "*"}};
  EXPECT_EQ(toYaml(v),
            "a: \"yes\"\nb: \"0755\"\nc: \"1:30\"\nd: 100m\ne: \"true\"\nf: \"\"\ng: \"a: b\"\n"
            "h: -x\ni: \"1.5\"\nj: \"null\"\nk: \"*\"\n");
}

TEST(YamlEmit, PrintsListsAtTheKeysIndentLikeKubectl) {
  Json v = {{"spec", {{"containers", Json::array({{{"name", "a"}, {"args", {"x", "y"}}}})}, {"empty", Json::array()}}}};
  EXPECT_EQ(toYaml(v), "spec:\n  containers:\n  - name: a\n    args:\n    - x\n    - \"y\"\n  empty: []\n");
}

TEST(YamlEmit, MultiLineStringsBecomeLiteralBlocks) {
  Json v = {{"script", "#!/bin/sh\necho hi\n"}, {"nonl", "a\nb"}};
  EXPECT_EQ(toYaml(v), "script: |\n  #!/bin/sh\n  echo hi\nnonl: |-\n  a\n  b\n");
}

TEST(YamlEmit, RoundTripsThroughTheLoader) {
  Json v = {{"a", "yes"}, {"b", {1, 2.5, "x y", true, nullptr}}, {"c", "multi\nline\n"},
            {"d", {{"e", Json::object()}}}, {"k:y", "v"}, {"sp", " lead"}};
  auto r = loadYaml(toYaml(v));
  ASSERT_TRUE(r.ok()) << r.error->str();
  EXPECT_EQ(r.documents[0].value, v);
}
