#pragma once
// Object-by-object comparison of two sets of Kubernetes objects: which are created, changed,
// deleted or unchanged, and which fields differ. Pure: the caller decides where "before" and
// "after" come from (the cluster and a server-side dry run, a GitOps directory and the
// renderer, ...).
#include <optional>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop::diff {

// Identity of an object: API group, kind, namespace, name. The version is not part of it
// (apps/v1 and apps/v1beta2 name the same object), but is kept for file names.
struct ObjectKey {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  std::string namespace_;
  std::string name;

  // "Deployment shop/web", "Namespace shop".
  std::string str() const;
  // kubectl diff's file name: "<group.>version.kind.namespace.name" ("apps.v1.Deployment.shop.web",
  // "v1.Namespace..shop" style without the empty namespace: "v1.Namespace.shop").
  std::string fileName() const;
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // Equality ignores the version.
  bool operator==(const ObjectKey& o) const {
    return group == o.group && kind == o.kind && namespace_ == o.namespace_ && name == o.name;
  }
  bool operator<(const ObjectKey& o) const;
};

ObjectKey keyOf(const Json& obj);

// True when obj looks like a Kubernetes object: apiVersion, kind and metadata.name strings.
bool isObject(const Json& obj);

// Removes what the API server owns and a person never writes: metadata.managedFields,
// resourceVersion, uid, generation, creationTimestamp, selfLink, deletionTimestamp,
// deletionGracePeriodSeconds, and status. Empty metadata.annotations are dropped too.
Json stripServerFields(Json obj);

// Removes one annotation (and annotations itself when it becomes empty).
Json withoutAnnotation(Json obj, const std::string& key);

// kubectl diff's masking of Secret values: every value of data and stringData becomes "***";
// when a key is on both sides with different values they read "*** (before)" and
// "*** (after)", so a change still shows without the values. Objects that are not Secrets are
// left alone. Either side may be null (absent object).
void maskSecrets(Json& before, Json& after);

// A field that differs. path is a JSON pointer (RFC 6901) into the object; a side where the
// field is absent is null with present=false.
struct FieldChange {
  std::string path;
  Json before;
  Json after;
  bool inBefore = true;
  bool inAfter = true;
};

// The fields that differ, depth first in the order of `after` (then fields only in `before`).
// Lists of equal length are compared element by element; lists of different length are
// reported as one change of the whole list.
std::vector<FieldChange> fieldChanges(const Json& before, const Json& after);

enum class Action { Unchanged, Create, Change, Delete };
const char* actionName(Action a);  // "unchanged", "create", "change", "delete"

struct Entry {
  ObjectKey key;
  Action action = Action::Unchanged;
  Json before;  // null when absent (Create)
  Json after;   // null when absent (Delete)
  std::string beforeSource;  // where before came from (a file, "live"), for headers
  std::string afterSource;
  std::vector<FieldChange> changes;  // for Change
};

// An entry for one object (either side may be null); computes the action and the changes.
Entry compareObject(const ObjectKey& key, const Json& before, const Json& after);

// Pairs two sets by key. Order: the order of `after` (created, changed and unchanged objects),
// then objects only in `before` (deleted), in their order. Duplicate keys on one side: the
// last one wins, and the key is reported in `duplicates`.
struct Comparison {
  std::vector<Entry> entries;
  std::vector<ObjectKey> duplicates;
  bool differs() const;
  size_t count(Action a) const;
};
Comparison compareSets(const std::vector<Json>& before, const std::vector<Json>& after);

// The text shown for an object in a unified diff: block YAML, stable key order (as stored).
std::string objectText(const Json& obj);

}  // namespace shop::diff
