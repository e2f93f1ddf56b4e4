#pragma once
// Linear-time matchers for the small languages a ShopApp and a Kubernetes manifest are made of:
// names, label keys and values, image references, durations, and the scanners that
// find hosts and credentials in free text. Each is an exact rendering of the regular expression
// in its comment (tests/unit/match_test.cpp checks them against it).
//
// std::regex is not used for any of these: libstdc++'s matcher recurses once per character, so
// a value of a few tens of thousands of characters overflows the stack and kills the process
// (`shopctl audit` on a manifest with a long env value did). These need no stack, run in one
// pass, and compile nothing at run time.
#include <cstddef>
#include <string_view>
#include <vector>

namespace shop::match {

// [a-z0-9]([-a-z0-9]*[a-z0-9])?  (no length limit: callers apply their own, 63 or 253)
bool dnsLabel(std::string_view s);
// [a-z]([-a-z0-9]*[a-z0-9])?  (a DNS-1035 label: starts with a letter)
bool dns1035Label(std::string_view s);
// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
bool dnsSubdomain(std::string_view s);
// \*|(\*\.)?<dnsSubdomain>  (a gateway host: "*", "*.example.com" or "shop.example.com")
bool hostPattern(std::string_view s);
// [A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?  (a label name or a non-empty label value)
bool labelName(std::string_view s);
// (<labelName>)?
bool labelValue(std::string_view s);
// (<dnsSubdomain>/)?<labelName>
bool labelKey(std::string_view s);
// [-._a-zA-Z][-._a-zA-Z0-9]*  (what the API server accepts as an env var name)
bool envVarName(std::string_view s);
// [A-Z_]+
bool capabilityName(std::string_view s);
// An IPv4 or IPv6 address with a prefix length: 10.0.0.0/8, 169.254.20.10/32, fd00::/64
bool cidr(std::string_view s);
// [a-zA-Z0-9=-]+
bool safeWord(std::string_view s);
// ([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?
bool imageReference(std::string_view s);

// A Go-style duration made of ([0-9]+(\.[0-9]+)?)(h|ms|m|s) parts ("1m30s", "250ms", "1.5h"),
// in milliseconds; -1 when s is empty, is anything else, or is too large to be finite.
double durationMs(std::string_view s);

// The name of an env var, a Secret key or a flag that says it holds a secret: it contains
// PASSWORD, PASSWD, SECRET, TOKEN, PRIVATE_KEY, API_KEY, ACCESS_KEY or CREDENTIAL, in any case.
bool secretLookingName(std::string_view name);

// Whether text holds scheme://user:password@ (a URL with a password) anywhere:
//   search [A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@
bool containsUrlPassword(std::string_view text);
// Whether text holds a Go MySQL DSN with a password, user:password@tcp( or @unix(:
//   search (^|[\s=])[A-Za-z0-9_.-]+:[^\s@/:]+@(tcp|unix)\(
bool containsDsnPassword(std::string_view text);
// Whether an image tag carries a version: search (^|[^0-9])v?[0-9]+\.[0-9]+
bool hasVersionNumber(std::string_view tag);

// Every maximal match of <dnsSubdomain> in text, left to right, as std::sregex_iterator would
// find them: [begin, end) offsets.
std::vector<std::pair<size_t, size_t>> dnsSubdomainRuns(std::string_view text);

}  // namespace shop::match
