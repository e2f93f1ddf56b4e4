// The pure parts of shopctl's cluster commands: what it says when the cluster cannot be reached
// or lacks the CRD, how `version` reads the operator's Deployment, and what `delete --purge` may
// delete.
#include <gtest/gtest.h>

#ifdef SHOPCTL_LIB

#include "cli/cluster.hpp"
#include "kube/transport.hpp"
#include "cli/delete.hpp"
#include "cli/version.hpp"

using namespace shop;
using namespace shop::cli;

TEST(ClusterErrors, ServerHostPort) {
  EXPECT_EQ(serverHostPort("https://127.0.0.1:6443"), "127.0.0.1:6443");
  EXPECT_EQ(serverHostPort("https://api.example.com"), "api.example.com:443");
  EXPECT_EQ(serverHostPort("http://localhost"), "localhost:80");
  EXPECT_EQ(serverHostPort("https://[::1]:6443/prefix"), "[::1]:6443");
  EXPECT_EQ(serverHostPort("https://[::1]"), "[::1]:443");
}

TEST(ClusterErrors, ARefusedConnectionSaysWhereAndWhatToCheck) {
  kube::Config cfg;
  cfg.server = "https://127.0.0.1:6443";
  cfg.context = "dev";
  const std::string m = unreachableMessage(cfg, kube::kErrConnectionRefused);
  EXPECT_EQ(m.substr(0, m.find('\n')),
            "cannot reach the cluster at 127.0.0.1:6443 (kubeconfig context \"dev\"): the connection was refused (or "
            "the host is unreachable)");
  EXPECT_NE(m.find("Is the cluster running?"), std::string::npos) << m;
  EXPECT_NE(m.find("--context"), std::string::npos) << m;
  // A certificate problem is no question of the cluster running: no hint, the reason as is.
  const std::string tls = unreachableMessage(cfg, "SSL server verification failed");
  EXPECT_EQ(tls, "cannot reach the cluster at 127.0.0.1:6443 (kubeconfig context \"dev\"): SSL server verification failed");
  kube::Config inCluster;
  inCluster.server = "https://10.96.0.1:443";
  inCluster.source = "in-cluster";
  EXPECT_NE(unreachableMessage(inCluster, kube::kErrConnectionRefused).find("10.96.0.1:443 (in-cluster config)"), std::string::npos);
}

TEST(ClusterErrors, TheCrdMessageSaysWhatToApply) {
  const std::string m = crdMissingMessage();
  EXPECT_NE(m.find("ShopApp CRD (shopapps.shopctl.io) is not installed"), std::string::npos) << m;
  EXPECT_NE(m.find("kubectl apply --server-side -f crds/shopapps.shopctl.io.yaml"), std::string::npos) << m;
}

TEST(VersionCommand, TheOperatorVersionFromItsDeployment) {
  Json d = Json::parse(R"({"metadata":{"name":"shop-operator","namespace":"shop-system",
    "labels":{"app.kubernetes.io/version":"0.3.0"}},
    "spec":{"template":{"metadata":{"labels":{"app.kubernetes.io/version":"0.2.0"}},
      "spec":{"containers":[{"name":"sidecar","image":"proxy:1"},{"name":"shop-operator","image":"reg:5000/shop-operator:0.1.0"}]}}}})");
  Json v = operatorVersion(d);
  EXPECT_EQ(v["deployment"], "shop-system/shop-operator");
  EXPECT_EQ(v["image"], "reg:5000/shop-operator:0.1.0") << "the operator's container, not the first";
  EXPECT_EQ(v["version"], "0.3.0") << "the Deployment's label first";
  d["metadata"].erase("labels");
  EXPECT_EQ(operatorVersion(d)["version"], "0.2.0") << "then the pod template's";
  d["spec"]["template"]["metadata"].erase("labels");
  EXPECT_EQ(operatorVersion(d)["version"], "0.1.0") << "then the image's tag (not the registry's port)";
  d["spec"]["template"]["spec"]["containers"][1]["image"] = "reg:5000/shop-operator@sha256:abc";
  EXPECT_EQ(operatorVersion(d)["version"], "sha256:abc") << "a digest, when there is no tag";
  d["spec"]["template"]["spec"]["containers"][1]["image"] = "reg:5000/shop-operator";
  EXPECT_EQ(operatorVersion(d)["version"], "unknown");
}

TEST(VersionCommand, Text) {
  Json v = {{"clientVersion", {{"version", "0.1.0"}, {"apiVersion", "shopctl.io/v1alpha1"}, {"kind", "ShopApp"}}}};
  EXPECT_EQ(versionText(v), "Client Version: shopctl 0.1.0 (api shopctl.io/v1alpha1, kind ShopApp)\n");
  v["serverVersion"] = {{"gitVersion", "v1.36.0"}};
  v["operatorVersions"] = Json::array();
  EXPECT_EQ(versionText(v),
            "Client Version: shopctl 0.1.0 (api shopctl.io/v1alpha1, kind ShopApp)\n"
            "Server Version: v1.36.0\n"
            "Operator Version: not found (no Deployment labelled app.kubernetes.io/name=shop-operator)\n");
  v["operatorVersions"].push_back(
      {{"version", "0.1.0"}, {"deployment", "shop-system/shop-operator"}, {"image", "shop-operator:0.1.0"}});
  EXPECT_NE(versionText(v).find("Operator Version: 0.1.0 (Deployment shop-system/shop-operator, image shop-operator:0.1.0)\n"),
            std::string::npos);
  v["operatorVersions"].push_back({{"version", "0.2.0"}, {"deployment", "team-b/shop-operator"}, {"image", "reg/op:0.2.0"}});
  EXPECT_EQ(versionText(v),
            "Client Version: shopctl 0.1.0 (api shopctl.io/v1alpha1, kind ShopApp)\n"
            "Server Version: v1.36.0\n"
            "Operator Version: 0.1.0 (Deployment shop-system/shop-operator, image shop-operator:0.1.0)\n"
            "Operator Version: 0.2.0 (Deployment team-b/shop-operator, image reg/op:0.2.0)\n")
      << "every operator Deployment, one line each";
}

TEST(VersionCommand, EveryOperatorDeploymentSorted) {
  auto dep = [](const std::string& ns, const std::string& name, const std::string& image) {
    return Json{{"metadata", {{"name", name}, {"namespace", ns}}},
                {"spec", {{"template", {{"spec", {{"containers", {{{"name", "shop-operator"}, {"image", image}}}}}}}}}}};
  };
  const Json list = {{"items", {dep("team-b", "shop-operator", "reg/shop-operator:0.2.0"),
                                dep("shop-system", "shop-operator", "reg/shop-operator:0.1.0"),
                                dep("team-a", "shop-operator-canary", "reg/shop-operator@sha256:abc")}}};
  const Json ops = operatorVersions(list);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0]["deployment"], "shop-system/shop-operator");
  EXPECT_EQ(ops[0]["namespace"], "shop-system");
  EXPECT_EQ(ops[0]["version"], "0.1.0");
  EXPECT_EQ(ops[1]["deployment"], "team-a/shop-operator-canary");
  EXPECT_EQ(ops[1]["version"], "sha256:abc");
  EXPECT_EQ(ops[2]["deployment"], "team-b/shop-operator");
  EXPECT_EQ(ops[2]["image"], "reg/shop-operator:0.2.0");
  EXPECT_TRUE(operatorVersions(Json{{"items", Json::array()}}).empty());
  EXPECT_TRUE(operatorVersions(Json::object()).empty());
}

TEST(DeleteCommand, PurgeAsksOrNeedsYes) {
  EXPECT_EQ(purgeRefusal(false, false, false), "") << "no --purge, nothing to confirm";
  EXPECT_EQ(purgeRefusal(true, true, false), "");
  EXPECT_EQ(purgeRefusal(true, false, true), "") << "a terminal: shopctl asks";
  EXPECT_NE(purgeRefusal(true, false, false).find("add --yes"), std::string::npos);
  EXPECT_TRUE(confirmed("y"));
  EXPECT_TRUE(confirmed(" YES \n"));
  EXPECT_FALSE(confirmed(""));
  EXPECT_FALSE(confirmed("n"));
  EXPECT_FALSE(confirmed("yess"));
}

TEST(DeleteCommand, OnlySecretsTheOperatorGeneratedArePurged) {
  Json generated = Json::parse(R"({"metadata":{"name":"db-credentials",
    "labels":{"shopctl.io/app":"shop","app.kubernetes.io/component":"credentials"},
    "managedFields":[{"manager":"shop-operator","operation":"Update"}]}})");
  EXPECT_TRUE(generatedSecretOf(generated, "shop"));
  EXPECT_FALSE(generatedSecretOf(generated, "other")) << "another app's";
  Json copied = generated;  // the same labels, applied by someone else (render --generate-secrets)
  copied["metadata"]["managedFields"] = Json::parse(R"([{"manager":"kubectl","operation":"Apply"}])");
  EXPECT_FALSE(generatedSecretOf(copied, "shop"));
  Json user = Json::parse(R"({"metadata":{"name":"api-key","labels":{"shopctl.io/app":"shop"},
    "managedFields":[{"manager":"shop-operator","operation":"Update"}]}})");
  EXPECT_FALSE(generatedSecretOf(user, "shop")) << "not labelled as credentials";
  Json pvc = Json::parse(R"({"metadata":{"name":"data-db-0","labels":{"shopctl.io/app":"shop",
    "app.kubernetes.io/managed-by":"shopctl"}}})");
  EXPECT_TRUE(claimOf(pvc, "shop"));
  EXPECT_FALSE(claimOf(pvc, "other"));
  pvc["metadata"]["labels"].erase("app.kubernetes.io/managed-by");
  EXPECT_FALSE(claimOf(pvc, "shop"));
}

#endif  // SHOPCTL_LIB
