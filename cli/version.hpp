#pragma once
// `shopctl version`: the pure parts (what a Deployment says about the operator's version, and the
// text printed), kept apart from the requests so unit tests can feed them plain objects.
#include <string>

#include "core/io/json.hpp"

namespace shop::cli {

// The label the operator's Deployment is found by (manifests/operator/deployment.yaml).
inline constexpr const char* kOperatorSelector = "app.kubernetes.io/name=shop-operator";

// What an operator Deployment says about its version: {"deployment": "NS/NAME", "image": the
// shop-operator container's image (else the first container's), "version": the
// app.kubernetes.io/version label (the Deployment's, else its pod template's), else the image's
// tag ("shop-operator:0.1.0" -> "0.1.0"), else its digest, else "unknown"}.
// "namespace" is the Deployment's namespace too.
Json operatorVersion(const Json& deployment);

// operatorVersion() of every Deployment of a list (a DeploymentList's body), sorted by
// namespace and name.
Json operatorVersions(const Json& deploymentList);

// The text of `shopctl version`: Client Version, and, when present, Server Version and Operator
// Version lines (one per operator Deployment). v has clientVersion, optionally serverVersion (the
// API server's /version) and operatorVersions (operatorVersions(); empty for "not found").
std::string versionText(const Json& v);

}  // namespace shop::cli
