#pragma once
// The pure parts of `shopctl status`: its -o formats and what they print (cli_status_test.cpp).
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "core/util/jsonpath.hpp"

namespace shop::cli {

struct StatusOutput {
  enum Kind { kTable, kWide, kName, kJson, kYaml, kJsonPath } kind = kTable;
  jsonpath::Template jsonpath;  // kJsonPath: the parsed template
};
// -o table|wide|name|json|yaml|jsonpath=TEMPLATE (a leading '=' from `-o=json` is dropped). False
// with error ("-o ...: why") for another format, or a template that is empty, malformed or uses
// what shopctl's JSONPath does not support.
bool parseStatusOutput(const std::string& value, StatusOutput& out, std::string& error);

// "shopapp.shopctl.io/NAME": how kubectl names a ShopApp (-o name).
std::string shopAppResourceName(const shop::Json& app);

// What kubectl shows for several objects: {"apiVersion": "v1", "kind": "List", "items": [...],
// "metadata": {"resourceVersion": ""}}, each item with its apiVersion and kind.
shop::Json listObject(const std::vector<shop::Json>& apps);

// -o wide: NAMESPACE NAME READY STATUS REASON COMPONENTS SERVICES DATABASES BROKERS GENERATION
// OBSERVED AGE MESSAGE, one row per ShopApp ("-" where the status does not say yet).
std::string wideTable(const std::vector<shop::Json>& apps);

}  // namespace shop::cli
