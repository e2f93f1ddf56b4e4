#pragma once
// Names, labels and object metadata shared by every render step.
#include <map>
#include <string>

#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"

namespace shop {

inline constexpr const char* kManagedBy = "shopctl";
inline constexpr const char* kAppLabel = "shopctl.io/app";

// Labels every object of a component carries (recommended app.kubernetes.io/* set + ours).
Json componentLabels(const ShopApp& app, const std::string& component, const std::string& role);
// The immutable selector of a component's pods.
Json selectorLabels(const ShopApp& app, const std::string& component);
// Labels of the app as a whole (namespace-wide objects).
Json appLabels(const ShopApp& app);
// apiVersion, kind, metadata{name, namespace, labels}.
Json object(const char* apiVersion, const char* kind, const std::string& name, const std::string& ns,
            const Json& labels);

// The tag of an image reference ("" when pinned by digest only or untagged).
std::string imageTag(const std::string& image);

// 16 hex digits of FNV-1a 64 over text: stable across runs and machines.
std::string stableHash(const std::string& text);

Json resourcesJson(const Resources& r);
Json envJson(const std::vector<EnvVar>& env);

}  // namespace shop
