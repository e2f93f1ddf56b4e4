// shopctl's option handling, run as a user runs it: the exit codes of the CLI conventions
// (0 ok, 2 usage or input error), and errors that name what was wrong.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "core/io/json.hpp"

#ifdef SHOPCTL_BIN

namespace {

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr together
};

CliRun shopctl(const std::string& args) {
  CliRun r;
  const std::string cmd = std::string("'") + SHOPCTL_BIN + "' " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::string kMinimal = std::string(SHOP_SOURCE_DIR) + "/manifests/examples/minimal.yaml";

}  // namespace

TEST(CliOptions, HelpExitsZeroAndListsTheCommands) {
  const CliRun r = shopctl("--help");
  EXPECT_EQ(r.code, 0) << r.out;
  for (const char* c : {"render", "validate", "audit", "harden", "diff"}) EXPECT_NE(r.out.find(c), std::string::npos) << c;
}

TEST(CliOptions, UsageErrorsExitTwoAndNameWhatWasWrong) {
  const std::string f = "-f '" + kMinimal + "'";
  const struct {
    std::string args;
    std::string named;  // what the message must mention ("" when CLI11's wording is all there is)
  } cases[] = {
      {"--no-such-flag", "--no-such-flag"},                                  // unknown flag
      {"render " + f + " --no-such-flag", "--no-such-flag"},                 // unknown flag of a command
      {"no-such-command", "no-such-command"},                                // unknown command
      {"render " + f + " -o xml", "xml"},                                    // value outside its choices
      {"audit -o xml " + f, "xml"},
      {"harden --secret-mode sometimes " + f, "sometimes"},
      {"render " + f + " --set 'services.*.replicas=3'", "--set"},           // --set needs --overlay
      {"render " + f + " --layout kustomize -o json --output-dir /tmp/never-written", "kustomize"},
      {"render", "--filename"},                                              // a required option
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    const CliRun r = shopctl(c.args);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(c.named), std::string::npos) << r.out;
  }
}

TEST(CliOptions, AMissingInputFileIsAnInputErrorNamingIt) {
  const CliRun r = shopctl("render -f /nonexistent/shop.yaml");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/shop.yaml"), std::string::npos) << r.out;
}

TEST(CliOptions, ValidOptionsWork) {
  const CliRun r = shopctl("render -f '" + kMinimal + "' -o json");
  ASSERT_EQ(r.code, 0) << r.out;
  const shop::Json j = shop::Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out.substr(0, 300);
  EXPECT_FALSE(j["items"].empty());
}

// A kubeconfig whose server refuses every connection (port 1 on this machine).
std::string unreachableKubeconfig() {
  const std::string path = ::testing::TempDir() + "/unreachable.kubeconfig";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("apiVersion: v1\nkind: Config\ncurrent-context: unreachable\n"
             "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
             // "-----BEGIN CERTIFICATE-----\nCA\n": never used, the connection fails first
             "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBCg==\n"
             "users:\n- name: u\n  user: {token: abc}\n"
             "contexts:\n- name: unreachable\n  context: {cluster: c, user: u}\n",
             f);
  std::fclose(f);
  return path;
}

TEST(CliOptions, ARefusedConnectionNamesTheServerAndTheContext) {
  const std::string k = " --kubeconfig '" + unreachableKubeconfig() + "'";
  for (const std::string& args : {"status" + k, "apply -f '" + kMinimal + "'" + k, "diff -f '" + kMinimal + "'" + k,
                                  "delete hello -n hello" + k, "version" + k}) {
    SCOPED_TRACE(args);
    const CliRun r = shopctl(args + " </dev/null");
    EXPECT_EQ(r.code, 3) << r.out;
    EXPECT_NE(r.out.find("shopctl: cannot reach the cluster at 127.0.0.1:1 (kubeconfig context \"unreachable\"): the "
                         "connection was refused"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("Is the cluster running?"), std::string::npos) << r.out;
  }
}

TEST(CliOptions, VersionPrintsTheClientWithoutACluster) {
  const CliRun client = shopctl("version --client --kubeconfig /nonexistent/kubeconfig");
  EXPECT_EQ(client.code, 0) << client.out;
  EXPECT_EQ(client.out.rfind("Client Version: shopctl ", 0), 0u) << client.out;
  const CliRun json = shopctl("version --client -o json");
  ASSERT_EQ(json.code, 0) << json.out;
  const shop::Json j = shop::Json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.out;
  EXPECT_EQ(j["clientVersion"]["version"], SHOPCTL_VERSION);
  EXPECT_FALSE(j.contains("serverVersion"));
  // Without --client and no cluster: the client's version, then the error, exit 3.
  const CliRun offline = shopctl("version --kubeconfig '" + unreachableKubeconfig() + "'");
  EXPECT_EQ(offline.code, 3) << offline.out;
  EXPECT_EQ(offline.out.rfind("Client Version: shopctl ", 0), 0u) << offline.out;
  EXPECT_NE(offline.out.find("cannot reach the cluster at 127.0.0.1:1"), std::string::npos) << offline.out;
}

TEST(CliOptions, NamespaceFlagAgainstTheFilesNamespaceIsRefusedAsByKubectl) {
  // manifests/examples/minimal.yaml names namespace hello on its line 8. No cluster is asked:
  // the unreachable kubeconfig would make it exit 3.
  const std::string k = " --kubeconfig '" + unreachableKubeconfig() + "'";
  const std::string f = "-f '" + kMinimal + "'";
  const std::string want = kMinimal + ":8:3: error: metadata.namespace: the namespace from the provided object "
                           "\"hello\" does not match the namespace \"other\". You must pass '--namespace=hello' to "
                           "perform this operation.";
  for (const std::string& args : {"render " + f + " -n other", "apply " + f + " -n other" + k,
                                  "apply " + f + " -n other --validate=false" + k, "diff " + f + " -n other" + k,
                                  "loadtest " + f + " web -n other" + k, "delete " + f + " -n other" + k}) {
    SCOPED_TRACE(args);
    const CliRun r = shopctl(args);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
  }
  const CliRun same = shopctl("render " + f + " -n hello -o json");
  EXPECT_EQ(same.code, 0) << same.out;
}

TEST(CliOptions, DeleteNeedsOneAppAndPurgeNeedsYesWithoutATerminal) {
  const std::string k = " --kubeconfig '" + unreachableKubeconfig() + "'";
  const CliRun neither = shopctl("delete" + k);
  EXPECT_EQ(neither.code, 2) << neither.out;
  const CliRun both = shopctl("delete hello -f '" + kMinimal + "'" + k);
  EXPECT_EQ(both.code, 2) << both.out;
  const CliRun purge = shopctl("delete hello -n hello --purge" + k + " </dev/null");
  EXPECT_EQ(purge.code, 2) << purge.out;
  EXPECT_NE(purge.out.find("stdin is not a terminal, so shopctl cannot ask: add --yes to confirm"), std::string::npos)
      << purge.out;
  const CliRun timeout = shopctl("delete hello --wait --timeout soon" + k);
  EXPECT_EQ(timeout.code, 2) << timeout.out;
}

#endif  // SHOPCTL_BIN
