// -n/--namespace against a ShopApp's metadata.namespace: kubectl's rule, as render, apply, diff,
// loadtest and delete apply it (core/model/parse.hpp).
#include <gtest/gtest.h>

#include "core/model/parse.hpp"

using namespace shop;

namespace {

ParseResult parseWith(const std::string& yaml, const std::string& requested) {
  auto loaded = loadYaml(yaml, "app.yaml");
  EXPECT_TRUE(loaded.ok());
  ParseOptions po;
  po.requestedNamespace = requested;
  return parseShopApp(loaded.documents.at(0), po);
}

const char* kWithNs = R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata:
  name: shop
  namespace: a
spec:
  services:
  - {name: web, image: nginxinc/nginx-unprivileged:1.27.2-alpine, ports: [{name: http, port: 80, targetPort: 8080}]}
)";

const char* kWithoutNs = R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata:
  name: shop
spec:
  services:
  - {name: web, image: nginxinc/nginx-unprivileged:1.27.2-alpine, ports: [{name: http, port: 80, targetPort: 8080}]}
)";

}  // namespace

TEST(NamespaceFlag, KubectlsWordsWhenTheyDiffer) {
  EXPECT_EQ(namespaceMismatch("a", "b"),
            "the namespace from the provided object \"a\" does not match the namespace \"b\". "
            "You must pass '--namespace=a' to perform this operation.");
  EXPECT_EQ(namespaceMismatch("a", "a"), "");
  EXPECT_EQ(namespaceMismatch("", "b"), "") << "an object without a namespace takes -n";
  EXPECT_EQ(namespaceMismatch("a", ""), "") << "no -n, nothing to disagree with";
}

TEST(NamespaceFlag, ADifferentNamespaceIsAnErrorAtItsLine) {
  auto r = parseWith(kWithNs, "b");
  EXPECT_FALSE(r.app);
  ASSERT_EQ(r.diags.errorCount(), 1u) << r.diags.str();
  const Diagnostic& d = r.diags.items()[0];
  EXPECT_EQ(d.str(), "app.yaml:5:3: error: metadata.namespace: " + namespaceMismatch("a", "b"));
}

TEST(NamespaceFlag, TheSameNamespaceOrNoneIsFine) {
  auto same = parseWith(kWithNs, "a");
  ASSERT_TRUE(same.app) << same.diags.str();
  EXPECT_EQ(same.app->namespace_, "a");
  auto none = parseWith(kWithoutNs, "b");
  ASSERT_TRUE(none.app) << none.diags.str();
  EXPECT_EQ(none.app->namespace_, "b") << "a file without a namespace takes -n";
  auto neither = parseWith(kWithoutNs, "");
  ASSERT_TRUE(neither.app) << neither.diags.str();
  EXPECT_EQ(neither.app->namespace_, "default");
}
