#include "core/diff/objects.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/io/yaml.hpp"
#include "core/util/text.hpp"

namespace shop::diff {

namespace {

// Keys sorted at every level, so two objects compare and print the same whatever order their
// fields were written in (kubectl diff prints sorted keys too).
Json canonical(const Json& v) {
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    Json out = Json::object();
    for (const auto& k : keys) out[k] = canonical(v[k]);
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const auto& e : v) out.push_back(canonical(e));
    return out;
  }
  // 2.0 and 2 are the same number to the API server; print both as 2.
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return Json(static_cast<int64_t>(d));
  }
  return v;
}

void walk(const Json& before, const Json& after, const std::string& path, std::vector<FieldChange>& out) {
  if (before.is_object() && after.is_object()) {
    for (auto it = after.begin(); it != after.end(); ++it) {
      const std::string p = path + "/" + escapePointer(it.key());
      auto b = before.find(it.key());
      if (b == before.end()) out.push_back({p, Json(), it.value(), false, true});
      else walk(*b, it.value(), p, out);
    }
    for (auto it = before.begin(); it != before.end(); ++it) {
      if (after.contains(it.key())) continue;
      out.push_back({path + "/" + escapePointer(it.key()), it.value(), Json(), true, false});
    }
    return;
  }
  if (before.is_array() && after.is_array() && before.size() == after.size()) {
    for (size_t i = 0; i < after.size(); ++i) walk(before[i], after[i], path + "/" + std::to_string(i), out);
    return;
  }
  if (before != after) out.push_back({path, before, after, true, true});
}

}  // namespace

std::string ObjectKey::str() const {
  return kind + " " + (namespace_.empty() ? name : namespace_ + "/" + name);
}

std::string ObjectKey::fileName() const {
  std::string f = group.empty() ? "" : group + ".";
  f += version + "." + kind + ".";
  if (!namespace_.empty()) f += namespace_ + ".";
  return f + name;
}

bool ObjectKey::operator<(const ObjectKey& o) const {
  return std::tie(group, kind, namespace_, name) < std::tie(o.group, o.kind, o.namespace_, o.name);
}

ObjectKey keyOf(const Json& obj) {
  ObjectKey k;
  const std::string av = obj.is_object() ? obj.value("apiVersion", "") : "";
  const auto slash = av.find('/');
  if (slash == std::string::npos) {
    k.version = av;
  } else {
    k.group = av.substr(0, slash);
    k.version = av.substr(slash + 1);
  }
  if (!obj.is_object()) return k;
  k.kind = obj.value("kind", "");
  if (obj.contains("metadata") && obj["metadata"].is_object()) {
    k.namespace_ = obj["metadata"].value("namespace", "");
    k.name = obj["metadata"].value("name", "");
  }
  return k;
}

bool isObject(const Json& obj) {
  return obj.is_object() && obj.contains("apiVersion") && obj["apiVersion"].is_string() && obj.contains("kind") &&
         obj["kind"].is_string() && obj.contains("metadata") && obj["metadata"].is_object() &&
         obj["metadata"].contains("name") && obj["metadata"]["name"].is_string();
}

Json stripServerFields(Json obj) {
  if (!obj.is_object()) return obj;
  obj.erase("status");
  if (obj.contains("metadata") && obj["metadata"].is_object()) {
    auto& m = obj["metadata"];
    for (const char* f : {"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink",
                          "deletionTimestamp", "deletionGracePeriodSeconds"})
      m.erase(f);
    if (m.contains("annotations") && m["annotations"].is_object() && m["annotations"].empty()) m.erase("annotations");
  }
  return obj;
}

Json withoutAnnotation(Json obj, const std::string& key) {
  if (!obj.is_object() || !obj.contains("metadata") || !obj["metadata"].is_object()) return obj;
  auto& m = obj["metadata"];
  if (!m.contains("annotations") || !m["annotations"].is_object()) return obj;
  m["annotations"].erase(key);
  if (m["annotations"].empty()) m.erase("annotations");
  return obj;
}

void maskSecrets(Json& before, Json& after) {
  auto isSecret = [](const Json& o) {
    return o.is_object() && o.value("kind", "") == "Secret" && o.value("apiVersion", "") == "v1";
  };
  const bool b = isSecret(before), a = isSecret(after);
  if (!b && !a) return;
  for (const char* field : {"data", "stringData"}) {
    Json* bf = b && before.contains(field) && before[field].is_object() ? &before[field] : nullptr;
    Json* af = a && after.contains(field) && after[field].is_object() ? &after[field] : nullptr;
    std::map<std::string, std::pair<std::string, std::string>> masked;  // key -> (before, after)
    if (bf)
      for (auto it = bf->begin(); it != bf->end(); ++it) {
        const bool differs = af && af->contains(it.key()) && (*af)[it.key()] != it.value();
        masked[it.key()].first = differs ? "*** (before)" : "***";
      }
    if (af)
      for (auto it = af->begin(); it != af->end(); ++it) {
        const bool differs = bf && bf->contains(it.key()) && (*bf)[it.key()] != it.value();
        masked[it.key()].second = differs ? "*** (after)" : "***";
      }
    if (bf)
      for (auto it = bf->begin(); it != bf->end(); ++it) it.value() = masked[it.key()].first;
    if (af)
      for (auto it = af->begin(); it != af->end(); ++it) it.value() = masked[it.key()].second;
  }
}

std::vector<FieldChange> fieldChanges(const Json& before, const Json& after) {
  std::vector<FieldChange> out;
  walk(before, after, "", out);
  return out;
}

const char* actionName(Action a) {
  switch (a) {
    case Action::Create: return "create";
    case Action::Change: return "change";
    case Action::Delete: return "delete";
    default: return "unchanged";
  }
}

Entry compareObject(const ObjectKey& key, const Json& before, const Json& after) {
  Entry e;
  e.key = key;
  e.before = before.is_null() ? Json() : canonical(before);
  e.after = after.is_null() ? Json() : canonical(after);
  if (e.before.is_null() && e.after.is_null()) {
    e.action = Action::Unchanged;
  } else if (e.before.is_null()) {
    e.action = Action::Create;
  } else if (e.after.is_null()) {
    e.action = Action::Delete;
  } else {
    e.changes = fieldChanges(e.before, e.after);
    e.action = e.changes.empty() ? Action::Unchanged : Action::Change;
  }
  return e;
}

bool Comparison::differs() const {
  return std::any_of(entries.begin(), entries.end(), [](const Entry& e) { return e.action != Action::Unchanged; });
}

size_t Comparison::count(Action a) const {
  return static_cast<size_t>(std::count_if(entries.begin(), entries.end(), [a](const Entry& e) { return e.action == a; }));
}

Comparison compareSets(const std::vector<Json>& before, const std::vector<Json>& after) {
  Comparison c;
  auto index = [&c](const std::vector<Json>& objs) {
    std::vector<std::pair<ObjectKey, const Json*>> v;
    for (const auto& o : objs) {
      ObjectKey k = keyOf(o);
      auto it = std::find_if(v.begin(), v.end(), [&k](const auto& p) { return p.first == k; });
      if (it != v.end()) {
        it->second = &o;
        c.duplicates.push_back(k);
      } else {
        v.push_back({k, &o});
      }
    }
    return v;
  };
  const auto b = index(before);
  const auto a = index(after);
  // (Named entries, not structured bindings: clang 14, which builds fuzz/, cannot capture those.)
  for (const auto& entry : a) {
    const auto& k = entry.first;
    auto it = std::find_if(b.begin(), b.end(), [&k](const auto& p) { return p.first == k; });
    c.entries.push_back(compareObject(k, it == b.end() ? Json() : *it->second, *entry.second));
  }
  for (const auto& entry : b) {
    const auto& k = entry.first;
    auto it = std::find_if(a.begin(), a.end(), [&k](const auto& p) { return p.first == k; });
    if (it == a.end()) c.entries.push_back(compareObject(k, *entry.second, Json()));
  }
  return c;
}

std::string objectText(const Json& obj) {
  if (obj.is_null()) return "";
  return toYaml(canonical(obj));
}

}  // namespace shop::diff
