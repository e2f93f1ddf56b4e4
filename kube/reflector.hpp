#pragma once
// List + watch one resource into a local cache, and tell a handler what changed.
//  - the first list and every relist are paginated; the watch resumes from the last
//    resourceVersion seen (bookmarks included);
//  - 410 Gone, as an HTTP status or as an ERROR event inside a 200 stream, means the
//    resourceVersion is too old: relist, and report objects that vanished meanwhile as deleted;
//  - the server ends each watch after a random 5-10 minutes (spreading load); the client gives
//    up on a silent stream after that plus a margin;
//  - failures back off exponentially (0.8 s .. 30 s, with jitter).
// The cache keeps lean copies: managedFields and other server bookkeeping are dropped.
#include <atomic>
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

// An object as the cache holds it: shared and immutable. An event replaces the pointer, so a
// reader keeps what it was handed, unchanged, for as long as it holds it, without a copy.
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
};

// Whether `after` differs from `before` in nothing but status and metadata.resourceVersion.
// Key order counts (the API server keeps it): a reordered object counts as changed.
bool onlyStatusChanged(const Json& before, const Json& after);

// The objects of a cache by namespace and one label's value: "ns/name" keys, kept in step with
// the store (pure bookkeeping, no locking of its own).
class LabelIndex {
 public:
  explicit LabelIndex(std::string label = "") : label_(std::move(label)) {}
  const std::string& label() const { return label_; }
  void add(const std::string& key, const Json& obj);
  void remove(const std::string& key, const Json& obj);
  void clear() { byValue_.clear(); }
  // The keys of the objects in `ns` whose label has `value` (empty when none).
  const std::set<std::string>& keys(const std::string& ns, const std::string& value) const;

 private:
  std::string slot(const Json& obj) const;  // "ns\nvalue", or "" when the object lacks the label
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

  // The cached object, or null: no copy.
  Cached find(const std::string& ns, const std::string& name) const;
  // The cached objects of a namespace ("" for all), with a label of that value when one is given:
  // no copies. Through the index when the label is ReflectorOptions::indexLabel and ns is set.
  std::vector<Cached> items(const std::string& ns = "", const std::string& label = "", const std::string& value = "") const;
  size_t size() const;
  const Resource& resource() const { return res_; }
  std::string resourceVersion() const;
  // How many times the watch was (re)started and how many full relists ran (for tests/metrics).
  uint64_t watches() const { return watches_; }
  uint64_t relists() const { return relists_; }
  // Status-only updates cached without a call of the handler (ReflectorOptions::quietStatusUpdates).
  uint64_t quieted() const { return quieted_; }

  static void stripServerFields(Json& obj);

 private:
  bool relist();
  void loop(int& failures);
  enum class WatchEnd { Expired, Failed, Closed };
  WatchEnd watchOnce();
  void apply(EventType t, Json obj);
  void sleepBackoff(int& failures);

  std::shared_ptr<Transport> t_;
  Client client_;
  Resource res_;
  ReflectorOptions opts_;
  Handler handler_;
  mutable std::mutex mu_;
  std::map<std::string, Cached> store_;  // "ns/name" -> object
  LabelIndex index_;                   // of store_, on opts_.indexLabel
  std::string rv_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> synced_{false};
  std::atomic<uint64_t> watches_{0}, relists_{0}, quieted_{0};
  StreamHandle* current_ = nullptr;
  std::mutex streamMu_;
};

}  // namespace kube
