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

// Found by fuzz/yaml_fuzz: a byte that is not UTF-8 loaded, and the first JSON dump of the
// value (the ShopApp's size check, the emitter, the API request) threw: "internal error", exit 3.
TEST(YamlLoad, BytesThatAreNotUtf8AreAnErrorAtTheirScalar) {
  struct Case {
    std::string text, where;
  };
  for (const Case& c : std::vector<Case>{
           {"a: x\xf9y\n", "f.yaml:1:4"},                 // not a lead byte
           {"a: 1\nk\xc3: 2\n", "f.yaml:2:1"},            // a key cut in the middle of a character
           {"a: \"\xc0\x80\"\n", "f.yaml:1:4"},           // overlong NUL
           {"a: \xed\xa0\x80\n", "f.yaml:1:4"},           // a UTF-16 surrogate
           {"a: \xf4\x90\x80\x80\n", "f.yaml:1:4"},       // past U+10FFFF
           {"a: [ok, \xe2\x82]\n", "f.yaml:1:9"},         // truncated at the end of the scalar
       }) {
    SCOPED_TRACE(c.text);
    auto r = loadYaml(c.text, "f.yaml");
    ASSERT_FALSE(r.ok());
    const std::string msg = r.error->str();
    EXPECT_EQ(msg.rfind(c.where + ": error: not valid UTF-8: byte 0x", 0), 0u) << msg;
  }
  // Well-formed multi-byte text of every length loads unchanged.
  const std::string good = "name: \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xe2\x82\xac \xf0\x9f\x98\x80\n";
  auto ok = loadYaml(good, "f.yaml");
  ASSERT_TRUE(ok.ok()) << ok.error->str();
  EXPECT_EQ(ok.documents[0].value["name"], "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_NO_THROW((void)ok.documents[0].value.dump());
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

// Found by fuzz/yaml_fuzz: a string starting with U+FEFF (the byte order mark) was written plain,
// and a reader dropped the mark at the start of the document. A mark anywhere in a string, key or
// value, is now written as the escape \uFEFF inside double quotes.
TEST(YamlEmit, AByteOrderMarkInAStringIsEscapedAndReadsBack) {
  const std::string bom = "\xEF\xBB\xBF";
  for (const Json& v : {Json(bom + "\xEF\xBF\xA2"), Json(bom), Json("a" + bom + "b"), Json({{"k", bom + "v"}}),
                        Json({{bom + "key", "v"}}), Json({{"script", "line one\n" + bom + "line two\n"}}),
                        Json::array({bom + "x", "y"})}) {
    const std::string text = toYaml(v);
    EXPECT_EQ(text.find(bom), std::string::npos) << text;
    auto r = loadYaml(text);
    ASSERT_TRUE(r.ok()) << r.error->str() << "\n" << text;
    ASSERT_EQ(r.documents.size(), 1u) << text;
    EXPECT_EQ(r.documents[0].value, v) << text;
  }
  EXPECT_EQ(toYaml(Json(bom + "x")), "\"\\uFEFFx\"\n");
}

// Found by fuzz/yaml_fuzz: a key of more than 1024 characters was emitted as an implicit key,
// which YAML readers (yaml-cpp included) refuse; it is now an explicit "? key" entry.
TEST(YamlEmit, AKeyPastTheImplicitKeyLimitIsWrittenExplicitlyAndReadsBack) {
  const std::string longKey(3000, 'k');
  const std::string quotedKey = "has: colon " + std::string(1500, 'q');
  Json v = Json::object();
  v[longKey] = "scalar";
  v[quotedKey] = Json{{"nested", 1}};
  v["list"] = Json::array({Json{{longKey, Json::array({1, 2})}}, Json{{"short", true}}});
  v["short"] = Json::array({"a"});
  const std::string text = toYaml(v);
  EXPECT_NE(text.find("? " + longKey + "\n: scalar\n"), std::string::npos) << text.substr(0, 200);
  auto back = loadYaml(text, "emitted.yaml");
  ASSERT_TRUE(back.ok()) << back.error->str();
  ASSERT_EQ(back.documents.size(), 1u);
  EXPECT_EQ(back.documents[0].value, v);
  // Keys up to the limit stay implicit (nothing else in the output changes).
  Json small = {{std::string(1000, 'k'), 1}};
  EXPECT_EQ(toYaml(small), std::string(1000, 'k') + ": 1\n");
}
