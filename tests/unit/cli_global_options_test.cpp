// kubectl's options of shopctl's cluster commands (cli/global_options.hpp) and the request log of
// -v (cli/request_log.hpp): how the values are read, what is refused, and that a Secret's data
// never reaches the log.
#include <gtest/gtest.h>

#ifdef SHOPCTL_LIB

#include <chrono>
#include <string>
#include <vector>

#include "cli/global_options.hpp"
#include "cli/request_log.hpp"

using namespace shop;
using namespace shop::cli;
using std::chrono::milliseconds;

namespace {

std::string timeout(const std::string& s) {
  milliseconds out{-1};
  std::string error;
  if (!parseRequestTimeout(s, out, error)) return "error: " + error;
  return std::to_string(out.count()) + "ms";
}

}  // namespace

TEST(RequestTimeout, KubectlsValues) {
  EXPECT_EQ(timeout("0"), "0ms") << "0 = no timeout";
  EXPECT_EQ(timeout("30"), "30000ms") << "a bare number is seconds";
  EXPECT_EQ(timeout("30s"), "30000ms");
  EXPECT_EQ(timeout("1m"), "60000ms");
  EXPECT_EQ(timeout("500ms"), "500ms");
  EXPECT_EQ(timeout("1m30s"), "90000ms");
  EXPECT_EQ(timeout("1.5h"), "5400000ms");
  EXPECT_EQ(timeout("2h45m"), "9900000ms");
  EXPECT_EQ(timeout("0s"), "0ms");
  EXPECT_EQ(timeout("+3s"), "3000ms");
  EXPECT_EQ(timeout(".5s"), "500ms");
  EXPECT_EQ(timeout("1500us"), "2ms") << "rounded up";
  EXPECT_EQ(timeout("1\xC2\xB5s"), "1ms") << "a positive timeout never becomes 0 (no timeout)";
  EXPECT_EQ(timeout("100ns"), "1ms");
}

TEST(RequestTimeout, WhatIsRefusedSaysWhy) {
  const std::string tail = ": expected a duration such as 30s, 1m or 500ms, or 0 for no timeout";
  EXPECT_EQ(timeout(""), "error: \"\" is not a duration (empty)" + tail);
  EXPECT_EQ(timeout("-1s"), "error: \"-1s\" is not a duration (negative)" + tail);
  EXPECT_EQ(timeout("1.5"), "error: \"1.5\" is not a duration (a number without a unit)" + tail);
  EXPECT_EQ(timeout("10x"), "error: \"10x\" is not a duration (unknown unit \"x\"; the units are ns, us, ms, s, m, h)" +
                                tail);
  EXPECT_EQ(timeout("1d"), "error: \"1d\" is not a duration (unknown unit \"d\"; the units are ns, us, ms, s, m, h)" +
                               tail);
  EXPECT_EQ(timeout("s"), "error: \"s\" is not a duration (a unit without a number)" + tail);
  EXPECT_EQ(timeout("1..2s"), "error: \"1..2s\" is not a duration (\"1..2\" is not a number)" + tail);
  EXPECT_EQ(timeout("9000h"), "error: \"9000h\" is not a duration (longer than a year)" + tail);
  EXPECT_EQ(timeout("1234567890"), "error: \"1234567890\" is not a duration (too long)" + tail);
}

TEST(Verbosity, Levels) {
  int v = -1;
  std::string error;
  EXPECT_TRUE(parseVerbosity("6", v, error));
  EXPECT_EQ(v, 6);
  EXPECT_TRUE(parseVerbosity("=8", v, error)) << "what CLI11 leaves of -v=8";
  EXPECT_EQ(v, 8);
  EXPECT_TRUE(parseVerbosity("0", v, error));
  EXPECT_EQ(v, 0);
  for (const char* bad : {"", "x", "-1", "6x", "1000"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parseVerbosity(bad, v, error));
    EXPECT_NE(error.find("is not a log level: expected a whole number such as 6"), std::string::npos) << error;
  }
}

TEST(LeadingOptions, EveryKubectlSpellingBeforeTheCommand) {
  const auto o = takeLeadingOptions({"-v=6", "--request-timeout", "2s", "--context=dev", "--kubeconfig", "/k",
                                     "status", "-v", "8", "-n", "x"});
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.verbosity, "6");
  EXPECT_EQ(o.requestTimeout, "2s");
  EXPECT_EQ(o.context, "dev");
  EXPECT_EQ(o.kubeconfig, "/k");
  EXPECT_EQ(o.given, (std::vector<std::string>{"-v", "--request-timeout", "--context", "--kubeconfig"}));
  EXPECT_EQ(o.rest, (std::vector<std::string>{"status", "-v", "8", "-n", "x"})) << "what follows the command is its own";
  for (const auto& spelling : std::vector<std::vector<std::string>>{
           {"-v", "7", "apply"}, {"-v7", "apply"}, {"-v=7", "apply"}, {"--v", "7", "apply"}, {"--v=7", "apply"}}) {
    const auto l = takeLeadingOptions(spelling);
    EXPECT_EQ(l.error, "") << spelling[0];
    EXPECT_EQ(l.verbosity, "7") << spelling[0];
    EXPECT_EQ(l.rest, std::vector<std::string>{"apply"}) << spelling[0];
  }
  EXPECT_EQ(takeLeadingOptions({"-v=2", "-v=9", "status"}).verbosity, "9") << "the later one wins";
  const auto none = takeLeadingOptions({"--help"});
  EXPECT_TRUE(none.given.empty());
  EXPECT_EQ(none.rest, std::vector<std::string>{"--help"});
}

TEST(LeadingOptions, AMissingOrBadValueIsNamed) {
  EXPECT_EQ(takeLeadingOptions({"--context"}).error, "--context needs a value");
  EXPECT_EQ(takeLeadingOptions({"status", "--context"}).error, "") << "after the command it is CLI11's to judge";
  EXPECT_EQ(takeLeadingOptions({"-v"}).error, "-v needs a value");
  EXPECT_EQ(takeLeadingOptions({"--request-timeout=soon", "status"}).error,
            "--request-timeout: \"soon\" is not a duration (a unit without a number): expected a duration such as "
            "30s, 1m or 500ms, or 0 for no timeout");
  EXPECT_EQ(takeLeadingOptions({"--v=high", "status"}).error,
            "--v: \"high\" is not a log level: expected a whole number such as 6 (each API request) or 8 (their "
            "bodies too)");
}

TEST(RequestLog, Level6IsOneLinePerRequestAsKubectl) {
  kube::Exchange x{"GET", "https://127.0.0.1:6443/apis/shopctl.io/v1alpha1", "", "", 200, R"({"kind":"APIResourceList"})",
                   "", 0.0042};
  EXPECT_TRUE(requestLogLines(x, 5, "T").empty());
  EXPECT_EQ(requestLogLines(x, 6, "1204 21:05:03.000001"),
            std::vector<std::string>{
                "I1204 21:05:03.000001 shopctl] GET https://127.0.0.1:6443/apis/shopctl.io/v1alpha1 200 OK in 4 milliseconds"});
  x.status = 0;
  x.error = "no answer within the request timeout (2000ms)";
  x.seconds = 2.0;
  EXPECT_EQ(requestLogLines(x, 6, "T"),
            std::vector<std::string>{"IT shopctl] GET https://127.0.0.1:6443/apis/shopctl.io/v1alpha1 (no response: no "
                                     "answer within the request timeout (2000ms)) in 2000 milliseconds"});
}

TEST(RequestLog, Level8AddsTheBodiesCutAt1KiB) {
  const std::string big(3000, 'a');
  kube::Exchange x{"PATCH", "https://h:1/apis/shopctl.io/v1alpha1/namespaces/n/shopapps/s?dryRun=All",
                   R"({"kind":"ShopApp","spec":{}})", "application/apply-patch+yaml", 422, "\"" + big + "\"", "", 0.01};
  const auto lines = requestLogLines(x, 8, "T");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], R"(IT shopctl] Request Body: {"kind":"ShopApp","spec":{}})");
  EXPECT_EQ(lines[1], "IT shopctl] PATCH https://h:1/apis/shopctl.io/v1alpha1/namespaces/n/shopapps/s?dryRun=All 422 "
                      "Unprocessable Entity in 10 milliseconds");
  EXPECT_EQ(lines[2], "IT shopctl] Response Body: \"" + std::string(1023, 'a') + " [truncated 1978 chars]");
  EXPECT_EQ(requestLogLines(x, 9, "T")[2].size(), std::string("IT shopctl] Response Body: ").size() + 3002)
      << "9 cuts at 10240";
  EXPECT_EQ(requestLogLines(x, 10, "T")[2], "IT shopctl] Response Body: \"" + big + "\"") << "10: whole";
}

TEST(RequestLog, ASecretsDataIsNeverLogged) {
  const std::string secret =
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"c2VjcmV0"},"stringData":{"user":"root"}})";
  const std::string list =
      R"({"kind":"SecretList","items":[{"metadata":{"name":"a"},"data":{"k":"djE="}},{"metadata":{"name":"b"},"data":{"k":"djI="}}]})";
  const std::string mixed = R"({"kind":"List","items":[{"kind":"Secret","data":{"k":"djE="}},{"kind":"ConfigMap","data":{"k":"plain"}}]})";
  const std::string patch = R"({"data":{"k":"djM="}})";  // a merge patch on a Secret: no kind
  struct Case {
    std::string url, body;
  } cases[] = {{"https://h:1/api/v1/namespaces/n/secrets/db", secret},
               {"https://h:1/api/v1/namespaces/n/secrets?limit=500", list},
               {"https://h:1/apis/x/v1/whatever", secret},
               {"https://h:1/api/v1/namespaces/n/secrets/db", patch}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url + " " + c.body);
    for (int level : {8, 10}) {
      kube::Exchange x{"PUT", c.url, c.body, "application/json", 200, c.body, "", 0};
      std::string all;
      for (const auto& l : requestLogLines(x, level, "T")) all += l + "\n";
      for (const char* value : {"c2VjcmV0", "root", "djE=", "djI=", "djM="}) EXPECT_EQ(all.find(value), std::string::npos) << all;
      EXPECT_NE(all.find("<redacted>"), std::string::npos) << all;
    }
  }
  // The ConfigMap in the same List keeps its data; the Secret's keys stay visible.
  const Json red = redactSecrets(Json::parse(mixed), false);
  EXPECT_EQ(red["items"][0]["data"]["k"], "<redacted>");
  EXPECT_EQ(red["items"][1]["data"]["k"], "plain");
  // A body on a secrets URL that is not JSON is left out.
  kube::Exchange raw{"GET", "https://h:1/api/v1/namespaces/n/secrets/db", "", "", 200, "password=hunter2", "", 0};
  const auto lines = requestLogLines(raw, 10, "T");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "IT shopctl] Response Body: [not logged: the body of a request about Secrets that is not JSON]");
}

#endif  // SHOPCTL_LIB
