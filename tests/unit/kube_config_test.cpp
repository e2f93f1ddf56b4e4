// kube/config: kubeconfig files as kubectl reads them (current context, --context, KUBECONFIG
// lists merged first-wins, inline and file credentials, relative paths) and the refusals
// (no CA, plain http, insecure-skip-tls-verify, a certificate without its key).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "kube/config.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

class Kubeconfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shop-kubeconfig-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  fs::path dir_;
};

const char* kCaData = kTestCaData;
const char* kCaText = kTestCaPem;

std::string kubeconfig(const std::string& current, const std::string& clusterExtra = "",
                       const std::string& userBody = "    token: abc") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
         "\nclusters:\n- name: c1\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority-data: " +
         kCaData + "\n" + clusterExtra +
         "contexts:\n- name: one\n  context: {cluster: c1, user: u1, namespace: shop}\n"
         "- name: two\n  context: {cluster: c1, user: u1}\n"
         "users:\n- name: u1\n  user:\n" +
         userBody + "\n";
}

}  // namespace

TEST_F(Kubeconfig, CurrentContextGivesServerCaTokenAndNamespace) {
  auto r = kube::loadKubeconfig({write("config", kubeconfig("one"))}, "");
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->server, "https://10.0.0.1:6443");
  EXPECT_EQ(r.config->caPem, kCaText);
  EXPECT_EQ(r.config->token, "abc");
  EXPECT_EQ(r.config->namespace_, "shop");
  EXPECT_EQ(r.config->context, "one");
}

TEST_F(Kubeconfig, ContextFlagWinsAndANamespacelessContextMeansDefault) {
  auto r = kube::loadKubeconfig({write("config", kubeconfig("one"))}, "two");
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->context, "two");
  EXPECT_EQ(r.config->namespace_, "default");
  auto missing = kube::loadKubeconfig({write("config2", kubeconfig("one"))}, "three");
  EXPECT_FALSE(missing.config);
  EXPECT_EQ(missing.error, "context \"three\" is not in the kubeconfig");
}

TEST_F(Kubeconfig, FilesAreMergedFirstWinsAndRelativePathsFollowTheirFile) {
  write("ca.crt", kTestCaPem);
  write("token", "from-file");
  const std::string first = write("a", "current-context: one\ncontexts:\n- name: one\n  context: {cluster: c2, user: u2}\n");
  const std::string second = write("b",
                                   "clusters:\n- name: c2\n  cluster: {server: \"https://h:1\", certificate-authority: ca.crt}\n"
                                   "users:\n- name: u2\n  user: {tokenFile: token}\ncurrent-context: ignored\n");
  auto r = kube::loadKubeconfig({first, second}, "");
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->context, "one") << "the first file's current-context wins";
  EXPECT_EQ(r.config->caPem, kTestCaPem);
  EXPECT_EQ(r.config->tokenFile, (dir_ / "token").string());
  EXPECT_EQ(r.config->source, second);
}

TEST_F(Kubeconfig, ExecPluginIsRead) {
  auto r = kube::loadKubeconfig(
      {write("config", kubeconfig("one", "", "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                                             "      command: get-token\n      args: [--cluster, c1]\n"
                                             "      env: [{name: REGION, value: eu}]"))},
      "");
  ASSERT_TRUE(r.config) << r.error;
  ASSERT_TRUE(r.config->exec);
  EXPECT_EQ(r.config->exec->command, "get-token");
  EXPECT_EQ(r.config->exec->apiVersion, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(r.config->exec->args, (std::vector<std::string>{"--cluster", "c1"}));
  ASSERT_EQ(r.config->exec->env.size(), 1u);
  EXPECT_EQ(r.config->exec->env[0].first, "REGION");
}

TEST_F(Kubeconfig, UnsafeOrIncompleteConfigsAreRefusedWithAReason) {
  auto insecure = kube::loadKubeconfig({write("a", kubeconfig("one", "    insecure-skip-tls-verify: true\n"))}, "");
  EXPECT_FALSE(insecure.config);
  EXPECT_EQ(insecure.error, "cluster \"c1\" sets insecure-skip-tls-verify; shopctl always verifies the server");

  auto http = kube::loadKubeconfig(
      {write("b", "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                  "clusters: [{name: c, cluster: {server: \"http://h:80\"}}]\n")},
      "");
  EXPECT_FALSE(http.config);
  EXPECT_EQ(http.error, "cluster \"c\": server \"http://h:80\" must be an https:// URL");

  auto noCa = kube::loadKubeconfig(
      {write("c", "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                  "clusters: [{name: c, cluster: {server: \"https://h:1\"}}]\n")},
      "");
  EXPECT_FALSE(noCa.config);
  EXPECT_EQ(noCa.error, "cluster \"c\" has no certificate-authority; the server cannot be verified");

  // Only the kubeconfig's CA is trusted (never the machine's bundle), so one that holds no
  // certificate is refused here, not at every handshake.
  auto notPem = kube::loadKubeconfig(
      {write("c2", "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                   "clusters: [{name: c, cluster: {server: \"https://h:1\", certificate-authority-data: "
                   // "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n": the markers, no certificate
                   "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K}}]\n")},
      "");
  EXPECT_FALSE(notPem.config);
  EXPECT_EQ(notPem.error, "cluster \"c\": certificate-authority-data holds no PEM certificate");
  write("garbage.crt", "not a certificate\n");
  auto notPemFile = kube::loadKubeconfig(
      {write("c3", "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                   "clusters: [{name: c, cluster: {server: \"https://h:1\", certificate-authority: garbage.crt}}]\n")},
      "");
  EXPECT_FALSE(notPemFile.config);
  EXPECT_EQ(notPemFile.error, "cluster \"c\": certificate-authority holds no PEM certificate");

  auto noKey = kube::loadKubeconfig({write("d", kubeconfig("one", "", "    client-certificate-data: Q0VSVA=="))}, "");
  EXPECT_FALSE(noKey.config);
  EXPECT_EQ(noKey.error, "user \"u1\" has a client certificate but no key");

  auto none = kube::loadKubeconfig({(dir_ / "absent").string()}, "");
  EXPECT_FALSE(none.config);
  EXPECT_NE(none.error.find("no kubeconfig found"), std::string::npos) << none.error;

  auto broken = kube::loadKubeconfig({write("e", "clusters: [\n")}, "");
  EXPECT_FALSE(broken.config);
  EXPECT_NE(broken.error.find("invalid kubeconfig"), std::string::npos) << broken.error;
}

TEST_F(Kubeconfig, KubeconfigEnvironmentIsAColonSeparatedList) {
  const char* old = std::getenv("KUBECONFIG");
  const std::string saved = old ? old : "";
  ::setenv("KUBECONFIG", "/a/one::/b/two", 1);
  EXPECT_EQ(kube::kubeconfigPaths(""), (std::vector<std::string>{"/a/one", "/b/two"}));
  EXPECT_EQ(kube::kubeconfigPaths("/explicit"), (std::vector<std::string>{"/explicit"}));
  if (old)
    ::setenv("KUBECONFIG", saved.c_str(), 1);
  else
    ::unsetenv("KUBECONFIG");
}

TEST(Base64, DecodesStandardAndUrlAlphabetsIgnoringPaddingAndNewlines) {
  EXPECT_EQ(kube::base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(kube::base64Decode("aGVs\nbG8"), "hello");
  EXPECT_EQ(kube::base64Decode("-_8"), kube::base64Decode("+/8"));
}
