#pragma once
// The inside of ShopApp parsing (internal to core/model), split by job:
//   parse_fields.cpp      helpers and the small pieces (resources, probes, env, autoscaling,
//                         resilience, security overrides)
//   parse_components.cpp  a service, a data store, the whole spec
//   defaults.cpp          defaulting what the user left out
//   validate.cpp          what spans fields (references, uniqueness, requests <= limits)
//   parse.cpp             the document (apiVersion, kind, metadata) and the public entry points
//   load.cpp              reading a file
//   engines.cpp           the engine table (engines.hpp), quantity.cpp the quantity parser
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/model/reader.hpp"
#include "core/model/shopapp.hpp"

namespace shop::parse_detail {

inline constexpr size_t kMaxNameLen = 40;  // leaves room for derived names (<name>-headless-N, ...)
// Registry, repository, tag and digest together; the OCI distribution spec allows a repository
// of 255 characters and a tag of 128.
inline constexpr size_t kMaxImageLen = 512;
// List bounds shared with the CRD: they keep the API server's cost estimate of the CEL rules
// within budget.
inline constexpr size_t kMaxServices = 40, kMaxDatabases = 12, kMaxBrokers = 6;
using shop::kMaxDependsOn;
using shop::kMaxPeerLabels;
using shop::kMaxPeerRules;
using shop::kMaxEnv;
using shop::kMaxEnvValue;
using shop::kMaxConfigFile;
using shop::kMaxConfigFiles;

// ---- parse_fields.cpp
void checkName(Reader& r, const std::string& key, const std::string& value);
std::string imageProblem(const std::string& image, bool allowLatest);
bool secretLooking(const std::string& name);
Json deepMerge(const Json& base, const Json& over);
ResourceList parseResourceList(Reader r);
Resources parseResources(Reader r);
std::optional<Probe> parseProbe(Reader r);
std::vector<EnvVar> parseEnv(Reader& parent, const std::string& key);
void parseScalingRules(Reader r, std::optional<ScalingRules>& out);
void parseAutoscaling(Reader r, Autoscaling& a);
// The autoscaler a workload of that many replicas gets when the ShopApp names none: stateless
// ones scale from replicas to twice that at 80% CPU; none for 0 replicas or a single-node volume.
Autoscaling derivedAutoscaling(int replicas, const std::vector<Volume>& storage);
// services[].versions of s (read after the rest of the service): each version's fields, with
// what it leaves out taken from the service, and the rules across versions (unique names,
// weights on all or none, adding up to 100).
void parseVersions(Reader& r, Service& s, const ShopApp& app, bool autoscalingGiven);
const std::set<std::string>& retryOnPolicies();
Resilience parseResilience(Reader r);
SecurityOverrides parseSecurityOverrides(Reader r);
// Label keys and values as the API server takes them, each error at the label's path; with
// reservedForShopctl, keys under app.kubernetes.io/ and shopctl.io/ (the selectors) are refused.
void checkLabels(Reader& r, const std::string& key, const std::map<std::string, std::string>& labels,
                 bool reservedForShopctl);
// nodeSelector and tolerations of a service, database or broker.
Placement parsePlacement(Reader& r);
void checkAbsolutePath(Reader& r, const std::string& key, const std::string& p);
const std::vector<std::string>& policyKeys();

// ---- parse_components.cpp
Service parseService(Reader r, const ShopApp& app);
DataStore parseStore(Reader r, bool broker, const ShopApp& app);
void parseSpec(Reader spec, ShopApp& app);

// ---- defaults.cpp
// Fills what the user left out (today: requests and limits of every service and data store).
void applyDefaults(ShopApp& app);

// ---- validate.cpp
void checkRequestsWithinLimits(Diagnostics& diags, const std::string& path, const Resources& r);
void validateApp(ShopApp& app, Diagnostics& diags);

}  // namespace shop::parse_detail
