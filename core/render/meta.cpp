#include "core/render/meta.hpp"

#include <cstdio>

#include "core/util/text.hpp"

namespace shop {

Json appLabels(const ShopApp& app) {
  Json l = Json::object();
  l["app.kubernetes.io/part-of"] = app.name;
  l["app.kubernetes.io/managed-by"] = kManagedBy;
  l[kAppLabel] = app.name;
  return l;
}

Json componentLabels(const ShopApp& app, const std::string& component, const std::string& role) {
  Json l = Json::object();
  l["app.kubernetes.io/name"] = component;
  l["app.kubernetes.io/instance"] = app.name;
  l["app.kubernetes.io/component"] = role;
  l["app.kubernetes.io/part-of"] = app.name;
  l["app.kubernetes.io/managed-by"] = kManagedBy;
  l[kAppLabel] = app.name;
  return l;
}

Json selectorLabels(const ShopApp& app, const std::string& component) {
  return {{"app.kubernetes.io/name", component}, {"app.kubernetes.io/instance", app.name}};
}

Json object(const char* apiVersion, const char* kind, const std::string& name, const std::string& ns,
            const Json& labels) {
  Json o = Json::object();
  o["apiVersion"] = apiVersion;
  o["kind"] = kind;
  Json m = Json::object();
  m["name"] = name;
  if (!ns.empty()) m["namespace"] = ns;
  m["labels"] = labels;
  o["metadata"] = m;
  return o;
}

std::string imageTag(const std::string& image) {
  std::string ref = image.substr(0, image.find('@'));
  size_t slash = ref.rfind('/');
  size_t colon = ref.find(':', slash == std::string::npos ? 0 : slash);
  return colon == std::string::npos ? "" : ref.substr(colon + 1);
}

std::string stableHash(const std::string& text) {
  const uint64_t h = fnv1a64(text);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

static Json resourceList(const ResourceList& l) {
  Json j = Json::object();
  if (l.cpu) j["cpu"] = *l.cpu;
  if (l.memory) j["memory"] = *l.memory;
  if (l.ephemeralStorage) j["ephemeral-storage"] = *l.ephemeralStorage;
  return j;
}

Json resourcesJson(const Resources& r) {
  Json j = Json::object();
  j["requests"] = resourceList(r.requests);
  j["limits"] = resourceList(r.limits);
  return j;
}

Json envJson(const std::vector<EnvVar>& env) {
  Json arr = Json::array();
  for (const auto& e : env) {
    Json v = {{"name", e.name}};
    if (e.value) {
      v["value"] = *e.value;
    } else if (e.secret) {
      Json ref = {{"name", e.secret->name}, {"key", e.secret->key}};
      if (e.secret->optional) ref["optional"] = true;
      v["valueFrom"] = {{"secretKeyRef", ref}};
    } else if (e.configMap) {
      Json ref = {{"name", e.configMap->name}, {"key", e.configMap->key}};
      if (e.configMap->optional) ref["optional"] = true;
      v["valueFrom"] = {{"configMapKeyRef", ref}};
    } else if (e.fieldPath) {
      v["valueFrom"] = {{"fieldRef", {{"fieldPath", *e.fieldPath}}}};
    }
    arr.push_back(v);
  }
  return arr;
}

}  // namespace shop
