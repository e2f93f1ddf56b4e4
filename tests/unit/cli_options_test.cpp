// shopctl's option handling, run as a user runs it: the exit codes of the CLI conventions
// (0 ok, 2 usage or input error), and errors that name what was wrong.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>

#include "core/io/json.hpp"
#include "test_util.hpp"

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
  // The CA is never used: the connection fails first.
  const std::string text = "apiVersion: v1\nkind: Config\ncurrent-context: unreachable\n"
                           "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                           "    certificate-authority-data: " + std::string(kTestCaData) + "\n"
                           "users:\n- name: u\n  user: {token: abc}\n"
                           "contexts:\n- name: unreachable\n  context: {cluster: c, user: u}\n";
  std::fputs(text.c_str(), f);
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


// A kubeconfig whose server is `server` (the CA is never used: nothing gets that far).
std::string kubeconfigFor(const std::string& server, const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name + ".kubeconfig";
  std::FILE* f = std::fopen(path.c_str(), "w");
  const std::string text = "apiVersion: v1\nkind: Config\ncurrent-context: " + name +
                           "\nclusters:\n- name: c\n  cluster:\n    server: " + server +
                           "\n    certificate-authority-data: " + std::string(kTestCaData) + "\n"
                           "users:\n- name: u\n  user: {token: abc}\n"
                           "contexts:\n- name: " + name + "\n  context: {cluster: c, user: u}\n";
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return path;
}

TEST(CliOptions, ClientDryRunNeedsNoClusterAndSendsNothing) {
  // An unreachable kubeconfig: a client dry run must not try it (it would exit 3).
  const std::string k = " --kubeconfig '" + unreachableKubeconfig() + "'";
  for (const std::string flag : {"--dry-run=client", "--dry-run", "--dry-run client"}) {
    SCOPED_TRACE(flag);
    const CliRun r = shopctl("apply -f '" + kMinimal + "' " + flag + k);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("namespace/hello (dry run)\nshopapp.shopctl.io/hello (dry run)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("nothing was sent to a cluster"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("cannot reach"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("--dry-run without a value means --dry-run=client") != std::string::npos, flag == "--dry-run")
        << r.out;
  }
  // Still validated: an invalid file is refused (exit 2) before anything else.
  const std::string bad = ::testing::TempDir() + "/dryrun-invalid.yaml";
  std::FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: x}\nspec:\n  services:\n"
             "  - {name: web, image: nginx:1, replicas: -1}\n",
             f);
  std::fclose(f);
  const CliRun invalid = shopctl("apply -f '" + bad + "' --dry-run=client" + k);
  EXPECT_EQ(invalid.code, 2) << invalid.out;
  EXPECT_NE(invalid.out.find("replicas"), std::string::npos) << invalid.out;
  EXPECT_EQ(invalid.out.find("(dry run)"), std::string::npos) << invalid.out;
}

TEST(CliOptions, DryRunValuesAndWait) {
  const std::string f = "apply -f '" + kMinimal + "' --kubeconfig '" + unreachableKubeconfig() + "' ";
  const CliRun bogus = shopctl(f + "--dry-run=bogus");
  EXPECT_EQ(bogus.code, 2) << bogus.out;
  EXPECT_NE(bogus.out.find("--dry-run \"bogus\": expected client, server or none"), std::string::npos) << bogus.out;
  for (const char* mode : {"client", "server"}) {
    const CliRun wait = shopctl(f + "--wait --dry-run=" + mode);
    EXPECT_EQ(wait.code, 2) << wait.out;
    EXPECT_NE(wait.out.find(std::string("--wait does not go with --dry-run=") + mode), std::string::npos) << wait.out;
  }
  // none is an ordinary apply: it tries the cluster.
  const CliRun none = shopctl(f + "--dry-run=none");
  EXPECT_EQ(none.code, 3) << none.out;
  EXPECT_NE(none.out.find("cannot reach the cluster at 127.0.0.1:1"), std::string::npos) << none.out;
  // A server dry run needs the cluster, and says so like every command when it cannot be reached.
  const CliRun server = shopctl(f + "--dry-run=server");
  EXPECT_EQ(server.code, 3) << server.out;
  EXPECT_NE(server.out.find("cannot reach the cluster at 127.0.0.1:1"), std::string::npos) << server.out;
}

TEST(CliOptions, StatusOutputFormatsAreCheckedBeforeTheCluster) {
  const std::string k = " --kubeconfig '" + unreachableKubeconfig() + "'";
  const std::pair<std::string, std::string> cases[] = {
      {"status -o xml", "-o \"xml\": unknown format"},
      {"status -o jsonpath=", "-o jsonpath needs a template"},
      {"status -o 'jsonpath={..name}'", "recursive descent (..) is not supported"},
      {"status -o 'jsonpath={.a[0,1]}'", "unions ([a,b]) are not supported"},
      {"status -o 'jsonpath={.metadata.name'", "unclosed action"},
      {"status -o go-template='{{.x}}'", "-o go-template is not supported by shopctl status"},
  };
  for (const auto& [args, want] : cases) {
    SCOPED_TRACE(args);
    const CliRun r = shopctl(args + k);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("cannot reach"), std::string::npos) << r.out;
  }
}

TEST(CliOptions, ClusterFlagsBeforeOrAfterTheCommand) {
  const std::string k = unreachableKubeconfig();
  // Before the command, after it, in kubectl's spellings: the same cluster is asked.
  for (const std::string& args : {"--kubeconfig '" + k + "' status", "--kubeconfig='" + k + "' -v=0 status",
                                  "-v 0 --request-timeout=5s status --kubeconfig '" + k + "'",
                                  "status --kubeconfig '" + k + "' --v=0 --request-timeout 5s"}) {
    SCOPED_TRACE(args);
    const CliRun r = shopctl(args);
    EXPECT_EQ(r.code, 3) << r.out;
    EXPECT_NE(r.out.find("cannot reach the cluster at 127.0.0.1:1 (kubeconfig context \"unreachable\")"), std::string::npos)
        << r.out;
  }
  const std::pair<std::string, std::string> refused[] = {
      {"-v=6 render -f '" + kMinimal + "'",
       "shopctl: -v is for the commands that talk to a cluster (apply, delete, diff, loadtest, status, version); "
       "render does not"},
      {"--request-timeout=soon status", "shopctl: --request-timeout: \"soon\" is not a duration"},
      {"status --request-timeout=-1s", "--request-timeout: \"-1s\" is not a duration (negative)"},
      {"status -v high", "\"high\" is not a log level"},
      {"--context", "shopctl: --context needs a value"},
  };
  for (const auto& [args, want] : refused) {
    SCOPED_TRACE(args);
    const CliRun r = shopctl(args);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
  }
}

TEST(CliOptions, VerbosityLogsEachRequest) {
  const std::string k = " --kubeconfig '" + unreachableKubeconfig() + "'";
  const CliRun quiet = shopctl("status" + k);
  EXPECT_EQ(quiet.out.find(" shopctl] GET "), std::string::npos) << quiet.out;
  for (const std::string& args : {"status -v 6" + k, "-v=6 status" + k}) {
    SCOPED_TRACE(args);
    const CliRun r = shopctl(args);
    EXPECT_EQ(r.code, 3) << r.out;
    // Each attempt: the first, and the retries of a refused connection.
    EXPECT_NE(r.out.find(" shopctl] GET https://127.0.0.1:1/apis/shopctl.io/v1alpha1 (no response: "), std::string::npos)
        << r.out;
  }
}

TEST(CliOptions, RequestTimeoutAgainstAServerThatNeverAnswers) {
  // A socket that listens and never answers: the kernel accepts the connection, the TLS
  // handshake waits forever.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string hostPort = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  const std::string k = " --kubeconfig '" + kubeconfigFor("https://" + hostPort, "silent") + "'";
  for (const std::string& args : {"status --request-timeout=1s" + k, "--request-timeout 1500ms version" + k}) {
    SCOPED_TRACE(args);
    const auto t0 = std::chrono::steady_clock::now();
    const CliRun r = shopctl(args);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.code, 3) << r.out;
    const std::string value = args.find("1500ms") != std::string::npos ? "1500ms" : "1s";
    EXPECT_NE(r.out.find("the API server at " + hostPort + " (kubeconfig context \"silent\") did not answer within " +
                         value + " (--request-timeout=" + value + ")"),
              std::string::npos)
        << r.out;
    EXPECT_GE(secs, value == "1s" ? 0.9 : 1.4) << r.out;
    EXPECT_LT(secs, 4.0) << "in about the timeout, retries included: " << r.out;
  }
  ::close(fd);
}

#endif  // SHOPCTL_BIN
