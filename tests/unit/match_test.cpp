// The hand-written matchers (core/util/match.hpp) against the regular expressions they replace:
// the same answer for every string over the characters that matter up to a few characters, and
// for many random longer ones; the length bounds of the bounded repetitions; and no stack
// overflow (std::regex's failure) on inputs of a million characters.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "core/util/match.hpp"
#include "core/util/text.hpp"

using namespace shop;

namespace {

const std::string kDns = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const std::string kSub = kDns + "(\\." + kDns + ")*";
const std::string kLabelName = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";

struct Case {
  const char* name;
  std::function<bool(std::string_view)> fn;
  std::regex re;
  std::string alphabet;  // the characters that decide the answer, plus one that never fits
  bool search = false;   // regex_search rather than regex_match
};

std::vector<Case> cases() {
  return {
      {"dnsLabel", match::dnsLabel, std::regex(kDns), "a0-.A_"},
      {"dns1035Label", match::dns1035Label, std::regex("[a-z]([-a-z0-9]*[a-z0-9])?"), "a0-.A"},
      {"dnsSubdomain", match::dnsSubdomain, std::regex(kSub), "a0-.A"},
      {"hostPattern", match::hostPattern, std::regex("\\*|(\\*\\.)?" + kSub), "a-.*A"},
      {"labelName", match::labelName, std::regex(kLabelName), "aZ0-_./"},
      {"labelValue", match::labelValue, std::regex("(" + kLabelName + ")?"), "aZ0-_./"},
      {"labelKey", match::labelKey, std::regex("(" + kSub + "/)?" + kLabelName), "aA0-._/"},
      {"envVarName", match::envVarName, std::regex("[-._a-zA-Z][-._a-zA-Z0-9]*"), "aZ0-._=$"},
      {"capabilityName", match::capabilityName, std::regex("[A-Z_]+"), "A_a0"},
      {"safeWord", match::safeWord, std::regex("[a-zA-Z0-9=-]+"), "aZ0=-_ ;"},
      {"imageReference", match::imageReference,
       std::regex("([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*"
                  "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?"),
       "aA0.-:/_@"},
      {"containsUrlPassword", match::containsUrlPassword,
       std::regex("[A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]+:[^/\\s@]+@"), "a1+:/@ ", true},
      {"containsDsnPassword", match::containsDsnPassword,
       std::regex("(^|[\\s=])[A-Za-z0-9_.-]+:[^\\s@/:]+@(tcp|unix)\\("), "a:@( =", true},
      {"hasVersionNumber", match::hasVersionNumber, std::regex("(^|[^0-9])v?[0-9]+\\.[0-9]+"), "v1.a-", true},
  };
}

bool reference(const Case& c, const std::string& s) {
  return c.search ? std::regex_search(s, c.re) : std::regex_match(s, c.re);
}

// Every string over alphabet up to maxLen characters.
void forEachString(const std::string& alphabet, int maxLen, const std::function<void(const std::string&)>& f) {
  std::vector<std::string> level = {""};
  for (int len = 0; len <= maxLen; ++len) {
    std::vector<std::string> next;
    for (const auto& s : level) {
      f(s);
      if (len < maxLen)
        for (char ch : alphabet) next.push_back(s + ch);
    }
    level.swap(next);
  }
}

}  // namespace

TEST(Match, SameAsTheRegexForEveryShortString) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const int maxLen = c.alphabet.size() > 7 ? 4 : 5;
    int differ = 0;
    forEachString(c.alphabet, maxLen, [&](const std::string& s) {
      if (differ < 5 && c.fn(s) != reference(c, s)) {
        ++differ;
        ADD_FAILURE() << c.name << "(\"" << s << "\") = " << c.fn(s) << ", the regex says " << reference(c, s);
      }
    });
  }
}

TEST(Match, SameAsTheRegexForRandomStringsAndRealValues) {
  std::mt19937 rng(11);
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    std::uniform_int_distribution<size_t> pick(0, c.alphabet.size() - 1);
    std::uniform_int_distribution<int> len(5, 24);
    int differ = 0;
    for (int i = 0; i < 20000 && differ < 5; ++i) {
      std::string s;
      for (int n = len(rng); n > 0; --n) s += c.alphabet[pick(rng)];
      if (c.fn(s) != reference(c, s)) {
        ++differ;
        ADD_FAILURE() << c.name << "(\"" << s << "\") = " << c.fn(s) << ", the regex says " << reference(c, s);
      }
    }
  }
  // Values real manifests carry.
  const std::vector<std::string> real = {
      "weaveworksdemos/front-end:0.3.12", "docker.io/library/nginx:1.25", "localhost:5000/shop/cart:v2",
      "ghcr.io/org/app@sha256:" + std::string(64, 'a'), "gcr.io/google-samples/microservices-demo/cartservice:v0.10.1",
      "nginx:latest", "Nginx", "registry.example.com/a//b", "a:b:c", "app.kubernetes.io/name", "example.com/",
      "/name", "kubernetes.io/" + std::string(64, 'a'), "500m", "1.5Gi", "2e3", "+.5", "1Ki", "1KI", "mongodb://user:pa55@db:27017/x",
      "postgres://u@h/db", "http://a:b/c@d", "x=user:pw@tcp(mysql:3306)/db", "user:pw@unix(/tmp/s)/db", "1.25.3",
      "v2.1", "r2023.05", "latest", "12", "*.example.com", "*", "**", "*.", "shop.example.com.", "NET_BIND_SERVICE",
      "DB_PASSWORD", "_x", "1x", "a=b"};
  for (const auto& c : cases())
    for (const auto& s : real) EXPECT_EQ(c.fn(s), reference(c, s)) << c.name << "(\"" << s << "\")";
}

TEST(Match, BoundedRepetitionsStopAtTheirBounds) {
  EXPECT_TRUE(match::labelName(std::string(63, 'a')));
  EXPECT_FALSE(match::labelName(std::string(64, 'a')));
  EXPECT_TRUE(match::labelKey("example.com/" + std::string(63, 'a')));
  EXPECT_FALSE(match::labelKey("example.com/" + std::string(64, 'a')));
  EXPECT_TRUE(match::imageReference("nginx:" + std::string(128, 'a')));
  EXPECT_FALSE(match::imageReference("nginx:" + std::string(129, 'a')));
  EXPECT_TRUE(match::imageReference("nginx@sha256:" + std::string(64, 'f')));
  EXPECT_FALSE(match::imageReference("nginx@sha256:" + std::string(63, 'f')));
  EXPECT_FALSE(match::imageReference("nginx@sha256:" + std::string(65, 'f')));
}

TEST(Match, DurationsAddTheirPartsAndRejectAnythingElse) {
  const std::regex whole("(([0-9]+(\\.[0-9]+)?)(h|ms|m|s))+");
  const std::regex part("([0-9]+(\\.[0-9]+)?)(h|ms|m|s)");
  auto ref = [&](const std::string& s) -> double {
    if (!std::regex_match(s, whole)) return -1;
    double ms = 0;
    for (std::sregex_iterator it(s.begin(), s.end(), part), end; it != end; ++it) {
      const std::string u = (*it)[3];
      ms += std::stod((*it)[1]) * (u == "h" ? 3600000 : u == "m" ? 60000 : u == "s" ? 1000 : 1);
    }
    return ms;
  };
  forEachString("1.5hms", 5, [&](const std::string& s) {
    EXPECT_DOUBLE_EQ(match::durationMs(s), ref(s)) << '"' << s << '"';
  });
  EXPECT_DOUBLE_EQ(match::durationMs("1m30s"), 90000);
  EXPECT_DOUBLE_EQ(match::durationMs("250ms"), 250);
  EXPECT_DOUBLE_EQ(match::durationMs("1.5h"), 5400000);
  EXPECT_EQ(match::durationMs(""), -1);
  EXPECT_EQ(match::durationMs("10"), -1);
  EXPECT_EQ(match::durationMs(std::string(400, '9') + "h"), -1);  // not finite: an error, not inf
}

TEST(Match, SecretLookingNamesInAnyCase) {
  for (const char* yes : {"DB_PASSWORD", "db_passwd", "ClientSecret", "GITHUB_TOKEN", "tls.private_key", "API_KEY",
                          "aws_access_key_id", "SERVICE_CREDENTIALS"})
    EXPECT_TRUE(match::secretLookingName(yes)) << yes;
  for (const char* no : {"DB_HOST", "PASS", "KEY", "TOKE", "", "PRIVATE-KEY"}) EXPECT_FALSE(match::secretLookingName(no)) << no;
}

TEST(Match, SubdomainRunsAreTheRegexIteratorsMatches) {
  const std::regex re(kSub);
  auto ref = [&](const std::string& s) {
    std::vector<std::pair<size_t, size_t>> out;
    for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it)
      out.emplace_back(static_cast<size_t>(it->position()), static_cast<size_t>(it->position() + it->length()));
    return out;
  };
  forEachString("a-. :", 6, [&](const std::string& s) { EXPECT_EQ(match::dnsSubdomainRuns(s), ref(s)) << '"' << s << '"'; });
  const std::string text = "http://carts.shop.svc.cluster.local:80/x and orders-db, -bad- .x. y..z";
  EXPECT_EQ(match::dnsSubdomainRuns(text), ref(text));
}

// std::regex recursed once per character and overflowed the stack on inputs like these.
TEST(Match, AMillionCharactersNeedNoStack) {
  const size_t n = 1'000'000;
  const std::string as(n, 'a'), digits(n, '7'), dashes = "a" + std::string(n, '-') + "a";
  std::string dotted;
  for (size_t i = 0; i < n / 2; ++i) dotted += "a.";
  dotted += "a";
  EXPECT_TRUE(match::dnsLabel(dashes));  // long, but a label by the pattern
  EXPECT_TRUE(match::dnsSubdomain(dotted));
  EXPECT_TRUE(match::envVarName(as));
  EXPECT_FALSE(match::labelName(as));
  EXPECT_FALSE(match::imageReference(as + ":" + as));
  EXPECT_TRUE(match::imageReference(dotted));
  EXPECT_EQ(match::durationMs(digits + "x"), -1);
  EXPECT_FALSE(match::containsUrlPassword(std::string(n, ':') + "//" + as));
  EXPECT_TRUE(match::containsUrlPassword("x " + as + "://u:" + digits + "@h"));
  EXPECT_FALSE(match::containsDsnPassword(as + ":" + as));
  EXPECT_TRUE(match::hasVersionNumber(as + "1.2"));
  EXPECT_EQ(match::dnsSubdomainRuns(dotted).size(), 1u);
  EXPECT_TRUE(match::secretLookingName(as + "token"));
}

TEST(Quoted, LongValuesAreCutWithTheirLength) {
  EXPECT_EQ(quotedValue("web"), "\"web\"");
  EXPECT_EQ(quotedValue(std::string(64, 'a')), "\"" + std::string(64, 'a') + "\"");
  EXPECT_EQ(quotedValue(std::string(300000, 'a')), "\"" + std::string(40, 'a') + "...\" (300000 characters)");
  // never cut inside a UTF-8 sequence: 39 ASCII then "é" (2 bytes) straddling the cut
  const std::string s = std::string(39, 'a') + "\xC3\xA9" + std::string(100, 'b');
  EXPECT_EQ(quotedValue(s), "\"" + std::string(39, 'a') + "...\" (141 characters)");
}

TEST(Match, CidrsOfBothFamilies) {
  for (const char* ok : {"10.0.0.0/8", "169.254.20.10/32", "0.0.0.0/0", "fd00::/64", "::1/128", "2001:db8::/32"})
    EXPECT_TRUE(match::cidr(ok)) << ok;
  for (const char* bad : {"", "/8", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0/8", "10.0.0.256/32", "fd00::/129",
                          "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/0008", "host/8", " 10.0.0.0/8"})
    EXPECT_FALSE(match::cidr(bad)) << bad;
}
