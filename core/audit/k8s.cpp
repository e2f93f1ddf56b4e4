#include "core/audit/k8s.hpp"

#include <cctype>
#include <cmath>

#include "core/model/quantity.hpp"
#include "core/util/match.hpp"

namespace shop::audit {

namespace {
const Json& nullJson() {
  static const Json n;
  return n;
}
}  // namespace

const Json& field(const Json& obj, const std::string& key) {
  if (!obj.is_object()) return nullJson();
  auto it = obj.find(key);
  return it == obj.end() ? nullJson() : *it;
}

const Json& fieldObj(const Json& obj, const std::string& key) {
  static const Json empty = Json::object();
  const Json& v = field(obj, key);
  return v.is_object() ? v : empty;
}

const Json& asArray(const Json& v) {
  static const Json empty = Json::array();
  return v.is_array() ? v : empty;
}

const Json& fieldArr(const Json& obj, const std::string& key) { return asArray(field(obj, key)); }

const Json& fieldAt(const Json& obj, const std::string& dotted) {
  const Json* cur = &obj;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!key.empty()) cur = &field(*cur, key);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *cur;
}

std::string str(const Json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

std::string kindOf(const Json& obj) { return str(field(obj, "kind")); }
std::string nameOf(const Json& obj) { return str(fieldAt(obj, "metadata.name")); }
std::string namespaceOf(const Json& obj) { return str(fieldAt(obj, "metadata.namespace")); }

std::string apiGroup(const std::string& apiVersion) {
  auto slash = apiVersion.find('/');
  return slash == std::string::npos ? std::string() : apiVersion.substr(0, slash);
}

std::string describe(const Json& obj) {
  std::string ns = namespaceOf(obj);
  std::string kind = kindOf(obj);
  return (kind.empty() ? std::string("object") : kind) + " " + (ns.empty() ? "" : ns + "/") + nameOf(obj);
}

static bool labelHas(const Json& labels, const std::string& key) {
  return labels.is_object() && labels.contains(key);
}

bool labelSelectorMatches(const Json& selector, const Json& labels) {
  if (!selector.is_object()) return false;
  const Json& ml = field(selector, "matchLabels");
  if (ml.is_object()) {
    for (const auto& [k, v] : ml.items()) {
      if (!labelHas(labels, k) || labels[k] != v) return false;
    }
  }
  const Json& me = field(selector, "matchExpressions");
  if (me.is_array()) {
    for (const auto& e : me) {
      std::string key = str(field(e, "key"));
      std::string op = str(field(e, "operator"));
      const Json& values = field(e, "values");
      bool has = labelHas(labels, key);
      auto in = [&] {
        if (!has || !values.is_array()) return false;
        for (const auto& v : values)
          if (labels[key] == v) return true;
        return false;
      };
      if (op == "In" && !in()) return false;
      if (op == "NotIn" && in()) return false;
      if (op == "Exists" && !has) return false;
      if (op == "DoesNotExist" && has) return false;
    }
  }
  return true;
}

bool mapSelectorMatches(const Json& selector, const Json& labels) {
  if (!selector.is_object() || selector.empty()) return false;
  for (const auto& [k, v] : selector.items()) {
    if (!labelHas(labels, k) || labels[k] != v) return false;
  }
  return true;
}

std::string ImageRef::name() const { return registry.empty() ? repository : registry + "/" + repository; }

std::string ImageRef::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

ImageRef parseImage(const std::string& image) {
  ImageRef ref;
  std::string rest = image;
  auto at = rest.find('@');
  if (at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
  }
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  auto first = rest.find('/');
  if (first != std::string::npos) {
    std::string head = rest.substr(0, first);
    if (head.find('.') != std::string::npos || head.find(':') != std::string::npos || head == "localhost") {
      ref.registry = head;
      rest = rest.substr(first + 1);
    }
  }
  if (ref.registry == "docker.io" || ref.registry == "index.docker.io") ref.registry.clear();
  if (ref.registry.empty() && rest.rfind("library/", 0) == 0) rest = rest.substr(8);
  ref.repository = rest;
  return ref;
}

bool tagIsVersioned(const std::string& tag) {
  return match::hasVersionNumber(tag);
}

bool imageFloats(const ImageRef& ref) {
  return ref.digest.empty() && (ref.tag.empty() || ref.tag == "latest" || !tagIsVersioned(ref.tag));
}

std::optional<double> parseQuantity(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  return shop::parseQuantity(v.get<std::string>());
}

std::vector<int> containerPorts(const Json& container) {
  std::vector<int> out;
  const Json& ports = field(container, "ports");
  if (!ports.is_array()) return out;
  for (const auto& p : ports) {
    const Json& n = field(p, "containerPort");
    if (n.is_number_integer()) out.push_back(n.get<int>());
  }
  return out;
}

}  // namespace shop::audit
