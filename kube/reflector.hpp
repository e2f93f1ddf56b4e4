#pragma once
// List + watch one resource into a local cache, and tell a handler what changed.
//  - the first list and every relist are paginated; the watch resumes from the last
//    resourceVersion seen (bookmarks included);
//  - 410 Gone, as an HTTP status or as an ERROR event inside a 200 stream, means the
//    resourceVersion is too old: relist, and report objects that vanished meanwhile as deleted;
//  - the server ends each watch after a random 5-10 minutes (spreading load); the client gives
//    up on a silent stream after that plus a margin;
//  - failures back off exponentially (0.8 s .. 30 s, with jitter).
// The cache keeps lean copies: managedFields and other server bookkeeping are dropped; with
// ReflectorOptions::pack each object is held as MessagePack (kube/leanjson.hpp) and unpacked
// when it is read.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kube/client.hpp"

namespace kube {

enum class EventType { Added, Modified, Deleted };

// An object read from the cache: the cached tree itself (shared) or, packed, unpacked for this
// reader; either way the reader may keep it, and the cache's later events do not change it.
using Cached = std::shared_ptr<const Json>;

struct ReflectorOptions {
  std::string namespace_;  // "" for all namespaces
  std::string labelSelector;
  // Reduces an object to what the controller needs before it is cached (default: strip
  // metadata.managedFields and the last-applied annotation).
  std::function<void(Json&)> transform;
  // Resume a watch from this resourceVersion instead of listing first (an expired one makes the
  // server answer 410 Gone, and the reflector relists).
  std::string resumeFrom;
  // A label whose values are indexed per namespace: list(ns, indexLabel, value) then visits only
  // those objects instead of the whole cache (the operator's children by app).
  std::string indexLabel;
  // A Modified event that changes nothing but the object's status (and its resourceVersion) is
  // cached without calling the handler: for kinds whose status the handler never reads, so that
  // another controller's status updates (an autoscaler's, a disruption budget's) wake nothing.
  bool quietStatusUpdates = false;
  // For kinds whose status the handler reads only in part: a digest of what it reads (of the
  // whole object, status included). A status-only update that leaves the digest as it was is
  // cached without calling the handler, as quietStatusUpdates does for every status-only update:
  // a workload's availableReplicas or a condition's timestamp then wake nothing.
  std::function<uint64_t(const Json&)> statusDigest;
  // false: objects are held as trees, not packed, and handed out shared without a copy: the
  // least CPU (shop-operator's default, and always its ShopApps), for several times the memory.
  bool pack = true;
  // A small projection of each object, kept beside it and handed out by view() without
  // unpacking: for a reader that needs a few fields of an object often (a workload's readiness at
  // every status update).
  std::function<Json(const Json&)> view;
};

// Whether `after` differs from `before` in nothing but status and metadata.resourceVersion.
// Key order counts (the API server keeps it): a reordered object counts as changed.
bool onlyStatusChanged(const Json& before, const Json& after);
// A hash of what onlyStatusChanged compares: every member but status (whose presence counts),
// metadata but its resourceVersion. A packing cache keeps it beside each object, so that an
// event is judged status-only without unpacking the object it replaces: two objects have the
// same hash when onlyStatusChanged holds between them, and (but for a 64-bit collision) only then.
uint64_t hashBesideStatus(const Json& obj);

// The objects of a cache by namespace and one label's value: "ns/name" keys, kept in step with
// the store (pure bookkeeping, no locking of its own).
class LabelIndex {
 public:
  explicit LabelIndex(std::string label = "") : label_(std::move(label)) {}
  const std::string& label() const { return label_; }
  void add(const std::string& key, const Json& obj) { add(key, slot(obj)); }
  void remove(const std::string& key, const Json& obj) { remove(key, slot(obj)); }
  // The same by the slot an object was filed under (slot()), for a caller that kept it.
  void add(const std::string& key, const std::string& slot);
  void remove(const std::string& key, const std::string& slot);
  std::string slot(const Json& obj) const;  // "ns\nvalue", or "" when the object lacks the label
  void clear() { byValue_.clear(); }
  // The keys of the objects in `ns` whose label has `value` (empty when none).
  const std::set<std::string>& keys(const std::string& ns, const std::string& value) const;

 private:
  std::string label_;
  std::map<std::string, std::set<std::string>> byValue_;
};

class Reflector {
 public:
  // statusOnly: a Modified event whose object differs from the cached one in nothing but status
  // and metadata.resourceVersion (onlyStatusChanged); false for every other event, and for the
  // changes a relist finds.
  using Handler = std::function<void(EventType, const Json& obj, bool statusOnly)>;
  Reflector(std::shared_ptr<Transport> t, Resource r, ReflectorOptions opts = {});

  void setHandler(Handler h) { handler_ = std::move(h); }
  // Runs until stop() is called: list, watch, relist when needed. Call from its own thread.
  void run();
  void stop();
  bool synced() const { return synced_; }

  // The cached object, unpacked, or null.
  Cached find(const std::string& ns, const std::string& name) const;
  // The same with its stamp (see Stamped), read together with it.
  Cached find(const std::string& ns, const std::string& name, uint64_t& stamp) const;
  // An object's name with its stamp: a number that changes whenever the object changes in more
  // than its status and resourceVersion (an event that is not status-only, a relist that finds
  // it at another resourceVersion, a delete and a create) and only then; never the same for two
  // objects (it counts over the whole process). Whoever checked an object at one stamp knows,
  // seeing that stamp again, that nothing of it but its status changed since.
  struct Stamped {
    std::string name;
    uint64_t stamp = 0;
  };
  // The names and stamps of the objects items() would give for the same arguments, with nothing
  // unpacked when the label is ReflectorOptions::indexLabel (or none) and ns is set.
  std::vector<Stamped> stamps(const std::string& ns, const std::string& label = "", const std::string& value = "") const;
  // The object's ReflectorOptions::view (shared, no copy), or null when it is not cached; the
  // whole object when no view is configured.
  Cached view(const std::string& ns, const std::string& name) const;
  // Whether the cache holds the object (nothing unpacked).
  bool contains(const std::string& ns, const std::string& name) const;
  // The cached objects of a namespace ("" for all), with a label of that value when one is given,
  // unpacked. Through the index when the label is ReflectorOptions::indexLabel and ns is set.
  std::vector<Cached> items(const std::string& ns = "", const std::string& label = "", const std::string& value = "") const;
  size_t size() const;
  const Resource& resource() const { return res_; }
  std::string resourceVersion() const;
  // How many times the watch was (re)started and how many full relists ran (for tests/metrics).
  uint64_t watches() const { return watches_; }
  uint64_t relists() const { return relists_; }
  // Status-only updates cached without a call of the handler (ReflectorOptions::quietStatusUpdates,
  // or statusDigest unchanged).
  uint64_t quieted() const { return quieted_; }

  static void stripServerFields(Json& obj);

 private:
  bool relist();
  void loop(int& failures);
  enum class WatchEnd { Expired, Failed, Closed };
  WatchEnd watchOnce();
  // An object at rest: packed (shared, so that a reader unpacks it outside the lock) or a tree, with what
  // an event or a relist compares it by and the index slot it is filed under.
  struct Entry {
    std::shared_ptr<const std::string> packed;  // or, when ReflectorOptions::pack is false:
    Cached tree;
    Cached view;                                // ReflectorOptions::view
    uint64_t besideStatus = 0;  // hashBesideStatus, when packed
    uint64_t stamp = 0;         // see Stamped
    uint64_t digest = 0;        // ReflectorOptions::statusDigest
    std::string resourceVersion;
    std::string slot;
  };
  Entry entryOf(Json& obj) const;  // holding trees, obj is moved into the entry (not copied)
  void apply(EventType t, Json obj);
  void sleepBackoff(int& failures);

  std::shared_ptr<Transport> t_;
  Client client_;
  Resource res_;
  ReflectorOptions opts_;
  Handler handler_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> store_;  // "ns/name" -> object
  LabelIndex index_;                   // of store_, on opts_.indexLabel
  std::string rv_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> synced_{false};
  std::atomic<uint64_t> watches_{0}, relists_{0}, quieted_{0};
  StreamHandle* current_ = nullptr;
  std::mutex streamMu_;
};

}  // namespace kube
