// The C++ model and the CRD schema must agree field by field.
//  1. every field set in data/every-field.yaml exists in the CRD schema;
//  2. every field of the CRD schema is set in data/every-field.yaml;
//  3. the parser accepts data/every-field.yaml (it rejects unknown fields);
// so a field added to one side and not the other fails here. Then every shipped ShopApp is
// checked against the schema's types, enums, bounds and patterns (CEL rules are checked by
// the real API server in the e2e tests).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "test_util.hpp"

using namespace shop;

namespace {

Json loadCrdSchema() {
  auto loaded = loadYamlFile("crds/shopapps.shopctl.io.yaml");
  if (!loaded.ok()) throw std::runtime_error(loaded.error->str());
  return loaded.documents.at(0).value["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

Json loadDoc(const std::string& path) {
  auto loaded = loadYamlFile(path);
  if (!loaded.ok()) throw std::runtime_error(loaded.error->str());
  return loaded.documents.at(0).value;
}

void schemaPaths(const Json& s, const std::string& path, std::set<std::string>& out) {
  if (s.contains("properties"))
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      const std::string p = path + "." + it.key();
      out.insert(p);
      schemaPaths(*it, p, out);
    }
  if (s.contains("items")) schemaPaths(s["items"], path + "[]", out);
  if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
    out.insert(path + ".*");
    schemaPaths(s["additionalProperties"], path + ".*", out);
  }
}

void docPaths(const Json& d, const Json& s, const std::string& path, std::set<std::string>& out,
              std::vector<std::string>& unknown) {
  if (d.is_object()) {
    for (auto it = d.begin(); it != d.end(); ++it) {
      if (s.contains("properties") && s["properties"].contains(it.key())) {
        out.insert(path + "." + it.key());
        docPaths(*it, s["properties"][it.key()], path + "." + it.key(), out, unknown);
      } else if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
        out.insert(path + ".*");
        docPaths(*it, s["additionalProperties"], path + ".*", out, unknown);
      } else {
        unknown.push_back(path + "." + it.key());
      }
    }
  } else if (d.is_array() && s.contains("items")) {
    for (const auto& item : d) docPaths(item, s["items"], path + "[]", out, unknown);
  }
}

// The OpenAPI subset structural CRD schemas use, as the API server checks it.
void validate(const Json& d, const Json& s, const std::string& path, std::vector<std::string>& errors) {
  auto fail = [&](const std::string& m) { errors.push_back(path + ": " + m); };
  if (s.value("x-kubernetes-int-or-string", false)) {
    if (!d.is_number_integer() && !d.is_string()) return fail("must be an integer or a string");
  } else if (s.contains("type")) {
    const std::string t = s["type"];
    const bool ok = (t == "object" && d.is_object()) || (t == "array" && d.is_array()) || (t == "string" && d.is_string()) ||
                    (t == "integer" && d.is_number_integer()) || (t == "number" && d.is_number()) ||
                    (t == "boolean" && d.is_boolean());
    if (!ok) return fail("must be of type " + t);
  }
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), d) == s["enum"].end()) fail("not in enum");
  if (d.is_number()) {
    if (s.contains("minimum") && d.get<double>() < s["minimum"].get<double>()) fail("below minimum");
    if (s.contains("maximum") && d.get<double>() > s["maximum"].get<double>()) fail("above maximum");
  }
  if (d.is_string()) {
    const std::string v = d;
    if (s.contains("maxLength") && v.size() > s["maxLength"].get<size_t>()) fail("too long");
    if (s.contains("minLength") && v.size() < s["minLength"].get<size_t>()) fail("too short");
    if (s.contains("pattern") && !std::regex_search(v, std::regex(s["pattern"].get<std::string>())))
      fail("does not match " + s["pattern"].get<std::string>());
  }
  if (d.is_array()) {
    if (s.contains("maxItems") && d.size() > s["maxItems"].get<size_t>()) fail("too many items");
    if (s.contains("minItems") && d.size() < s["minItems"].get<size_t>()) fail("too few items");
    if (s.contains("items"))
      for (size_t i = 0; i < d.size(); ++i) validate(d[i], s["items"], path + "[" + std::to_string(i) + "]", errors);
  }
  if (d.is_object()) {
    for (const auto& r : s.value("required", Json::array()))
      if (!d.contains(r.get<std::string>())) fail("missing required " + r.get<std::string>());
    if (s.contains("maxProperties") && d.size() > s["maxProperties"].get<size_t>()) fail("too many properties");
    for (auto it = d.begin(); it != d.end(); ++it) {
      if (s.contains("properties") && s["properties"].contains(it.key())) {
        validate(*it, s["properties"][it.key()], path + "." + it.key(), errors);
      } else if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
        validate(*it, s["additionalProperties"], path + "." + it.key(), errors);
      } else if (!s.value("x-kubernetes-preserve-unknown-fields", false) && path != "" && path != ".metadata") {
        fail("unknown field " + it.key());
      }
    }
  }
}

}  // namespace

TEST(CrdSchema, EveryFieldOfTheModelIsInTheSchemaAndTheReverse) {
  const Json schema = loadCrdSchema();
  const Json spec = schema["properties"]["spec"];
  const Json doc = loadDoc("tests/unit/data/every-field.yaml");

  auto parsed = loadShopAppFile("tests/unit/data/every-field.yaml");
  ASSERT_TRUE(parsed.app) << "the parser rejects a field the kitchen-sink file sets:\n" << parsed.diags.str();

  std::set<std::string> inSchema, inDoc;
  std::vector<std::string> unknown;
  schemaPaths(spec, "spec", inSchema);
  docPaths(doc["spec"], spec, "spec", inDoc, unknown);
  EXPECT_TRUE(unknown.empty()) << "set in the model's kitchen-sink file but missing from the CRD: " << Json(unknown).dump();
  std::vector<std::string> unset;
  for (const auto& p : inSchema)
    if (!inDoc.count(p)) unset.push_back(p);
  EXPECT_TRUE(unset.empty()) << "in the CRD but not in every-field.yaml (so not known to the parser?): " << Json(unset).dump();
  EXPECT_GT(inSchema.size(), 200u);  // the comparison really covered the API
}

TEST(CrdSchema, ShippedAppsSatisfyTheSchema) {
  const Json schema = loadCrdSchema();
  std::vector<std::string> files = {"tests/unit/data/every-field.yaml"};
  for (const auto& a : test::kApps) files.push_back(a[1]);
  for (const auto& f : files) {
    std::vector<std::string> errors;
    validate(loadDoc(f), schema, "", errors);
    EXPECT_TRUE(errors.empty()) << f << ": " << Json(errors).dump(1);
  }
}

TEST(CrdSchema, TheSchemaRejectsWhatTheParserRejectsForTypesAndEnums) {
  const Json schema = loadCrdSchema();
  for (const char* f : {"10-replicas-string", "19-unknown-engine", "30-bad-quantity", "22-fault-percentage-out-of-range",
                        "07-unknown-field-typo", "41-port-shorthand", "05-bad-app-name", "23-bad-duration"}) {
    std::vector<std::string> errors;
    validate(loadDoc(std::string("tests/unit/data/invalid/") + f + ".yaml"), schema, "", errors);
    EXPECT_FALSE(errors.empty()) << f << " passes the schema but not the parser";
  }
}

TEST(CrdSchema, NamesStatusAndPrinterColumns) {
  auto loaded = loadYamlFile("crds/shopapps.shopctl.io.yaml");
  ASSERT_TRUE(loaded.ok());
  const Json& crd = loaded.documents[0].value;
  EXPECT_EQ(crd["spec"]["names"]["kind"], "ShopApp");
  EXPECT_EQ(crd["spec"]["names"]["plural"], "shopapps");
  EXPECT_EQ(crd["spec"]["names"]["shortNames"], Json::array({"shop"}));
  const Json& v = crd["spec"]["versions"][0];
  EXPECT_EQ(v["name"], "v1alpha1");
  EXPECT_TRUE(v["subresources"].contains("status"));
  std::vector<std::string> cols;
  for (const auto& c : v["additionalPrinterColumns"]) cols.push_back(c["name"]);
  EXPECT_EQ(cols, (std::vector<std::string>{"Ready", "Status", "Services", "Components", "Reason", "Age", "Message"}));
  // STATUS is what setSummaryStatus writes (operator/status.hpp): kstatus's three values for an
  // object that is not being deleted, and the schema admits exactly those.
  const Json& summary = v["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]["summary"];
  EXPECT_EQ(summary["properties"]["status"]["enum"], Json::array({"Current", "InProgress", "Failed"}));
  for (const auto& c : v["additionalPrinterColumns"]) {
    if (c["name"] == "Status") {
      EXPECT_EQ(c["jsonPath"], ".status.summary.status");
    }
    if (c["name"] == "Message") {
      EXPECT_EQ(c["jsonPath"], ".status.conditions[?(@.type==\"Ready\")].message");
    }
  }
  EXPECT_GE(v["schema"]["openAPIV3Schema"]["properties"]["spec"]["x-kubernetes-validations"].size(), 6u);
}
