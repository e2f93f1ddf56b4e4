// The JSONPath templates of `shopctl status -o jsonpath=` (core/util/jsonpath.hpp): what kubectl
// prints for the templates people write, and a clear error (with the column) for what is
// malformed or not supported.
#include <gtest/gtest.h>

#include <string>

#include "core/util/jsonpath.hpp"

using shop::Json;

namespace {

// A ShopApp as the API server returns it, trimmed.
const Json kApp = Json::parse(R"({
  "apiVersion": "shopctl.io/v1alpha1", "kind": "ShopApp",
  "metadata": {"name": "shop", "namespace": "prod", "generation": 3,
               "labels": {"app.kubernetes.io/name": "shop", "tier": "web"}},
  "spec": {"services": [{"name": "web", "replicas": 2}, {"name": "api", "replicas": 3}]},
  "status": {"observedGeneration": 2, "ratio": 0.5, "paused": false,
             "conditions": [{"type": "Ready", "status": "False", "reason": "ComponentsNotReady"},
                            {"type": "Reconciling", "status": "True"},
                            {"type": "Stalled", "status": "False", "reason": "Ready"}]}
})");

const Json kList = {{"apiVersion", "v1"},
                    {"kind", "List"},
                    {"items", Json::array({kApp, Json::parse(R"({"metadata": {"name": "two", "namespace": "dev"},
                        "status": {"conditions": [{"type": "Ready", "status": "True"}]}})")})},
                    {"metadata", {{"resourceVersion", ""}}}};

std::string run(const std::string& tmpl, const Json& obj = kApp) {
  shop::jsonpath::Template t;
  std::string error, out;
  if (!t.parse(tmpl, error)) return "PARSE ERROR " + error;
  if (!t.execute(obj, out, error)) return "EVAL ERROR " + error;
  return out;
}

std::string parseError(const std::string& tmpl) {
  shop::jsonpath::Template t;
  std::string error;
  if (t.parse(tmpl, error)) return "(parsed)";
  return error;
}

}  // namespace

TEST(JsonPath, FieldsAndLiteralText) {
  EXPECT_EQ(run("{.metadata.name}"), "shop");
  EXPECT_EQ(run("$.metadata.name"), "$.metadata.name") << "outside braces everything is text";
  EXPECT_EQ(run("{$.metadata.name}"), "shop");
  EXPECT_EQ(run("name={.metadata.name} ns={.metadata.namespace}"), "name=shop ns=prod");
  EXPECT_EQ(run("{.metadata.generation}/{.status.observedGeneration}"), "3/2");
  EXPECT_EQ(run("{.status.ratio} {.status.paused}"), "0.5 false");
  EXPECT_EQ(run("{['metadata']['name']}"), "shop");
  EXPECT_EQ(run("{.metadata.labels.app\\.kubernetes\\.io/name}"), "shop");
  EXPECT_EQ(run("{.metadata.labels['app.kubernetes.io/name']}"), "shop");
  // kubectl prints \n outside an action as written; inside quotes it is a newline.
  EXPECT_EQ(run("{.metadata.name}\\n"), "shop\\n");
  EXPECT_EQ(run("{.metadata.name}{\"\\n\"}"), "shop\n");
  EXPECT_EQ(run("{.metadata.name}{'\\t'}{.metadata.namespace}"), "shop\tprod");
  EXPECT_EQ(run("{\"{\"}{.metadata.name}{\"}\"}"), "{shop}");
}

TEST(JsonPath, AMissingFieldPrintsNothing) {
  EXPECT_EQ(run("[{.metadata.nothing}]"), "[]");
  EXPECT_EQ(run("[{.nothing.deeper[0]}]"), "[]");
  EXPECT_EQ(run("[{.spec.services.name}]"), "[]") << "a field of a list is nothing, as for kubectl";
}

TEST(JsonPath, ObjectsAndListsPrintAsCompactJsonWithSortedKeys) {
  EXPECT_EQ(run("{.metadata.labels}"), R"({"app.kubernetes.io/name":"shop","tier":"web"})");
  EXPECT_EQ(run("{.spec.services[0]}"), R"({"name":"web","replicas":2})");
  EXPECT_EQ(run("{.spec.services[*].replicas}"), "2 3");
  EXPECT_EQ(run("{.metadata.labels.*}"), "shop web");
}

TEST(JsonPath, IndexesAndSlices) {
  EXPECT_EQ(run("{.spec.services[1].name}"), "api");
  EXPECT_EQ(run("{.spec.services[-1].name}"), "api");
  EXPECT_EQ(run("{.status.conditions[0:2].type}"), "Ready Reconciling");
  EXPECT_EQ(run("{.status.conditions[1:].type}"), "Reconciling Stalled");
  EXPECT_EQ(run("{.status.conditions[:1].type}"), "Ready");
  EXPECT_EQ(run("{.status.conditions[*].type}"), "Ready Reconciling Stalled");
  EXPECT_EQ(run("{.spec.services[5].name}"), "EVAL ERROR array index out of bounds: index 5, length 2");
  EXPECT_EQ(run("{.metadata[0]}"), "EVAL ERROR cannot index object with [0]: not a list");
}

TEST(JsonPath, Filters) {
  EXPECT_EQ(run(R"({.status.conditions[?(@.type=="Ready")].status})"), "False");
  EXPECT_EQ(run(R"({.status.conditions[?(@.type=='Reconciling')].status})"), "True");
  EXPECT_EQ(run(R"({.status.conditions[?(@.type != "Ready")].type})"), "Reconciling Stalled");
  EXPECT_EQ(run(R"({.status.conditions[?(@.reason)].type})"), "Ready Stalled");
  EXPECT_EQ(run(R"({.status.conditions[?(@.reason=="Ready")].type})"), "Stalled")
      << "an element without the field does not match";
  EXPECT_EQ(run(R"({.spec.services[?(@.replicas>2)].name})"), "api");
  EXPECT_EQ(run(R"({.spec.services[?(@.replicas<=2)].name})"), "web");
  EXPECT_EQ(run(R"({.spec.services[?(@.replicas==2)].name})"), "web");
  EXPECT_EQ(run(R"({.spec.services[?(@.replicas=="2")].name})"), "") << "a string is not a number";
  EXPECT_EQ(run(R"({.spec.services[?(@.name<"b")].name})"), "api");
  EXPECT_EQ(run(R"({.spec.services[?(@.name<2)].name})"), "EVAL ERROR cannot compare string with number using <");
  EXPECT_EQ(run(R"({.items[?(@.metadata.name==@.metadata.name)].metadata.namespace})", kList), "prod dev");
}

TEST(JsonPath, RangeOverAList) {
  EXPECT_EQ(run(R"({range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end})", kList), "prod/shop\ndev/two\n");
  EXPECT_EQ(run(R"({range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end})",
                kList),
            "shop\tFalse\ntwo\tTrue\n");
  // Nested ranges, and text after {end}.
  EXPECT_EQ(run(R"({range .items[*]}{.metadata.name}:{range .status.conditions[*]} {.type}{end};{end}done)", kList),
            "shop: Ready Reconciling Stalled;two: Ready;done");
  EXPECT_EQ(run("{range .items[*]}{@.metadata.name} {end}", kList), "shop two ");
  EXPECT_EQ(run("{.items[*].metadata.name}", kList), "shop two");
  EXPECT_EQ(run("{.kind}: {range .nothing[*]}x{end}.", kList), "List: .");
}

TEST(JsonPath, TheCurrentObject) {
  EXPECT_EQ(run("{@}", Json{{"b", 1}, {"a", "x"}}), R"({"a":"x","b":1})");
  EXPECT_EQ(run("{range .items[*]}{@.metadata.name},{end}", kList), "shop,two,");
}

TEST(JsonPath, MalformedOrUnsupportedTemplatesAreRefusedWithTheColumn) {
  EXPECT_EQ(parseError("{.metadata.name"), "column 1: unclosed action: '{' without '}'");
  EXPECT_EQ(parseError("x {..name}"), "column 4: recursive descent (..) is not supported; name the path from the top, e.g. "
                                      "{.items[*].metadata.name}");
  EXPECT_EQ(parseError("{.spec.services[0,1]}"), "column 16: unions ([a,b]) are not supported; use one index or a slice [a:b]");
  EXPECT_EQ(parseError("{['a','b']}"), "column 2: unions ([a,b]) are not supported; use one key a template");
  EXPECT_EQ(parseError("{.a[0:4:2]}"), "column 4: slice steps ([a:b:step]) are not supported");
  EXPECT_EQ(parseError("{.a[x]}"), "column 4: invalid array index \"x\" (an integer, a slice a:b, or *)");
  EXPECT_EQ(parseError("{metadata.name}"),
            "column 2: unrecognized identifier \"metadata\" (a path starts with '.', e.g. {.metadata}; the keywords are "
            "range and end)");
  EXPECT_EQ(parseError("{range .items[*]}{.metadata.name}"), "column 1: {range} without its {end}");
  EXPECT_EQ(parseError("{.a}{end}"), "column 5: {end} without a {range} to end");
  EXPECT_EQ(parseError("{.a .b}"), "column 5: expected '}' to close the action, found '.'");
  EXPECT_EQ(parseError("{}"), "column 1: empty action: write {.field}, {@} or {\"text\"}");
  EXPECT_EQ(parseError("{.a[?(@.x==\"y\" && @.z)]}"),
            "column 16: && and || are not supported in filters (one comparison a filter)");
  EXPECT_EQ(parseError("{.a[?(@.x=~\"y\")]}"),
            "column 10: unsupported filter operator (supported: == != < > <= >=, one comparison a filter)");
  EXPECT_EQ(parseError("{.a[?(.x==1)]}"), "column 7: a filter starts with @ (the element), e.g. [?(@.type==\"Ready\")]");
  EXPECT_EQ(parseError("{.a[?(@.x==yes)]}"),
            "column 12: cannot compare with \"yes\" (a \"string\", a number, true, false or an @ path)");
  EXPECT_EQ(parseError("{\"\\q\"}"), "column 3: unsupported escape \\q (supported: \\n \\t \\r \\\\ \\\" \\')");
  EXPECT_EQ(parseError("{\"abc}"), "column 2: unterminated quoted string");
  EXPECT_EQ(parseError("{.a[1}"), "column 4: unterminated '['");
  EXPECT_EQ(parseError("{.}"), "column 2: a field name must follow '.'");
  EXPECT_EQ(parseError("plain text"), "(parsed)");
  EXPECT_EQ(run("plain text"), "plain text");
}
