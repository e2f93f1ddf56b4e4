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

#endif  // SHOPCTL_BIN
