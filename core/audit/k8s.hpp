#pragma once
// Small, pure helpers over Kubernetes objects held as Json: identity, label selectors, images,
// quantities. Nothing here knows about rules; the audit rules and `harden` both use it.
#include <optional>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop::audit {

// Field access that never throws: the value at key, or null.
const Json& field(const Json& obj, const std::string& key);
// The object at key, or an empty object when it is absent or not an object: for reading the
// fields of manifests nobody here wrote, where `spec` or `metadata` may be missing.
const Json& fieldObj(const Json& obj, const std::string& key);
// v when it is an array, else an empty array; fieldArr: the array at key. For iterating lists of
// foreign manifests (containers, ports, volumes, Ingress rules) that may be absent or of another
// type, without copying them.
const Json& asArray(const Json& v);
const Json& fieldArr(const Json& obj, const std::string& key);
// The value at a dotted path of plain keys ("spec.template.spec"), or null.
const Json& fieldAt(const Json& obj, const std::string& dotted);
std::string str(const Json& v);  // the string value, or "" when v is not a string

std::string kindOf(const Json& obj);
std::string nameOf(const Json& obj);
std::string namespaceOf(const Json& obj);  // "" when unset
std::string apiGroup(const std::string& apiVersion);  // "apps/v1" -> "apps", "v1" -> ""

// "Deployment sock-shop/carts", the way findings and --explain name objects.
std::string describe(const Json& obj);

// Label selectors. A LabelSelector (matchLabels + matchExpressions): null selects nothing,
// {} selects everything. A Service's plain map selector: empty selects nothing.
bool labelSelectorMatches(const Json& selector, const Json& labels);
bool mapSelectorMatches(const Json& selector, const Json& labels);

// Container images, split the way a registry reads them.
struct ImageRef {
  std::string registry;    // "" for Docker Hub
  std::string repository;  // "mongo", "kbudde/rabbitmq-exporter" (docker.io/library/ dropped)
  std::string tag;         // "" when absent
  std::string digest;      // "sha256:..." when pinned by digest
  // repository with its registry, as written before the tag ("quay.io/x/y", "redis")
  std::string name() const;
  std::string str() const;  // the full reference again
};
ImageRef parseImage(const std::string& image);

// True when a tag names a version of at least major.minor ("4.4", "v1.2.3", "3.6.8-management").
bool tagIsVersioned(const std::string& tag);
// True when a reference can change under the same name: no digest, and no tag, "latest" or a
// tag without major.minor ("alpine", "3").
bool imageFloats(const ImageRef& ref);

// Resource quantities: "100m" -> 0.1, "1Gi" -> 1073741824. nullopt when unparsable.
std::optional<double> parseQuantity(const Json& v);

// The numeric container ports of a container ("containerPort").
std::vector<int> containerPorts(const Json& container);

}  // namespace shop::audit
