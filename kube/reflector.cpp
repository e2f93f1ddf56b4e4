#include "kube/reflector.hpp"

#include <random>
#include <thread>

#include "kube/leanjson.hpp"
#include "kube/log.hpp"
#include "kube/outage.hpp"
#include "kube/watch.hpp"

namespace kube {

namespace {

// Reflector::Stamped: counted over the process, so that no two objects of any cache share one.
uint64_t nextStamp() {
  static std::atomic<uint64_t> last{0};
  return ++last;
}

std::string keyOf(const Json& o) {
  const auto& m = o["metadata"];
  return m.value("namespace", "") + "/" + m.value("name", "");
}

// Puts apiVersion and kind first, where a watch event's objects have them. A list's items carry
// neither, and adding two keys to an object parsed at its exact size would double its capacity.
void setTypeMeta(Json& item, const std::string& apiVersion, const std::string& kind) {
  if (!item.is_object()) return;
  auto& old = static_cast<Json::object_t::Container&>(*item.get_ptr<Json::object_t*>());
  Json::object_t::Container fresh(old.get_allocator());
  fresh.reserve(old.size() + 2);
  fresh.emplace_back("apiVersion", apiVersion);
  fresh.emplace_back("kind", kind);
  for (auto& kv : old)
    if (kv.first != "apiVersion" && kv.first != "kind") fresh.emplace_back(kv.first, std::move(kv.second));
  old.swap(fresh);
}

int randomBetween(int lo, int hi) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

}  // namespace

void Reflector::stripServerFields(Json& obj) {
  if (!obj.contains("metadata")) return;
  auto& m = obj["metadata"];
  m.erase("managedFields");
  if (m.contains("annotations")) {
    m["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
    if (m["annotations"].empty()) m.erase("annotations");
  }
}

namespace {

// The same members, but for the one named `except` (which both have or both lack).
bool sameExcept(const Json& a, const Json& b, const char* except) {
  if (!a.is_object() || !b.is_object() || a.size() != b.size() || a.contains(except) != b.contains(except)) return false;
  for (auto it = b.begin(); it != b.end(); ++it) {
    if (it.key() == except) continue;
    const auto other = a.find(it.key());
    if (other == a.end() || *other != it.value()) return false;
  }
  return true;
}

}  // namespace

bool onlyStatusChanged(const Json& before, const Json& after) {
  if (!before.is_object() || !after.is_object() || before.size() != after.size() ||
      before.contains("status") != after.contains("status"))
    return false;
  for (auto it = after.begin(); it != after.end(); ++it) {
    if (it.key() == "status") continue;
    const auto other = before.find(it.key());
    if (other == before.end()) return false;
    if (it.key() == "metadata" ? !sameExcept(*other, it.value(), "resourceVersion") : *other != it.value()) return false;
  }
  return true;
}

uint64_t hashBesideStatus(const Json& obj) {
  if (!obj.is_object()) return std::hash<std::string>{}(packLean(obj));
  // Each key with its length before it, each value as MessagePack (which delimits itself): two
  // different sequences of members never make the same bytes.
  std::string bytes;
  auto key = [&](const std::string& k) {
    bytes += std::to_string(k.size());
    bytes += ':';
    bytes += k;
  };
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    key(it.key());
    if (it.key() == "status") continue;  // present: its value does not count
    if (it.key() == "metadata" && it->is_object()) {
      bytes += '{';
      for (auto m = it->begin(); m != it->end(); ++m) {
        key(m.key());
        if (m.key() != "resourceVersion") Json::to_msgpack(m.value(), bytes);
      }
      bytes += '}';
      continue;
    }
    Json::to_msgpack(it.value(), bytes);
  }
  return std::hash<std::string>{}(bytes);
}

std::string LabelIndex::slot(const Json& obj) const {
  if (label_.empty()) return "";
  const auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "";
  const auto labels = m->find("labels");
  if (labels == m->end() || !labels->is_object()) return "";
  const auto v = labels->find(label_);
  if (v == labels->end() || !v->is_string()) return "";
  const auto ns = m->find("namespace");
  return (ns != m->end() && ns->is_string() ? ns->get<std::string>() : std::string()) + "\n" + v->get<std::string>();
}

void LabelIndex::add(const std::string& key, const std::string& s) {
  if (!s.empty()) byValue_[s].insert(key);
}

void LabelIndex::remove(const std::string& key, const std::string& s) {
  auto it = byValue_.find(s);
  if (it == byValue_.end()) return;
  it->second.erase(key);
  if (it->second.empty()) byValue_.erase(it);
}

const std::set<std::string>& LabelIndex::keys(const std::string& ns, const std::string& value) const {
  static const std::set<std::string> none;
  auto it = byValue_.find(ns + "\n" + value);
  return it == byValue_.end() ? none : it->second;
}

Reflector::Reflector(std::shared_ptr<Transport> t, Resource r, ReflectorOptions opts)
    : t_(t), client_(t), res_(std::move(r)), opts_(std::move(opts)), index_(opts_.indexLabel) {
  if (!opts_.transform) opts_.transform = &Reflector::stripServerFields;
}

namespace {

Cached unpackedOrNull(const std::shared_ptr<const std::string>& packed) {
  if (!packed) return nullptr;
  Json obj = unpackLean(*packed);
  if (obj.is_discarded()) throw std::runtime_error("a cached object does not unpack");  // packLean made it: a bug
  return std::make_shared<const Json>(std::move(obj));
}

}  // namespace

Cached Reflector::find(const std::string& ns, const std::string& name) const {
  uint64_t stamp = 0;
  return find(ns, name, stamp);
}

Cached Reflector::find(const std::string& ns, const std::string& name, uint64_t& stamp) const {
  std::shared_ptr<const std::string> packed;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = store_.find(ns + "/" + name);
    if (it == store_.end()) return nullptr;
    stamp = it->second.stamp;
    if (it->second.tree) return it->second.tree;
    packed = it->second.packed;
  }
  return unpackedOrNull(packed);  // outside the lock: the watch goes on meanwhile
}

std::vector<Reflector::Stamped> Reflector::stamps(const std::string& ns, const std::string& label, const std::string& value) const {
  std::vector<Stamped> out;
  if (ns.empty() || (!label.empty() && label != index_.label())) {
    // Only an object's contents say whether it has the label: unpack them, each with its stamp.
    std::vector<std::pair<std::string, std::string>> names;  // namespace, name
    for (const auto& o : items(ns, label, value)) {
      const auto& m = (*o)["metadata"];
      names.emplace_back(m.value("namespace", ""), m.value("name", ""));
    }
    for (auto& [n, name] : names) {
      uint64_t stamp = 0;
      if (find(n, name, stamp)) out.push_back({std::move(name), stamp});
    }
    return out;
  }
  const std::string prefix = ns + "/";
  auto nameOf = [&](const std::string& key) { return key.substr(prefix.size()); };
  std::lock_guard<std::mutex> l(mu_);
  if (!label.empty()) {
    for (const auto& k : index_.keys(ns, value))
      if (auto it = store_.find(k); it != store_.end()) out.push_back({nameOf(k), it->second.stamp});
    return out;
  }
  for (auto it = store_.lower_bound(prefix); it != store_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back({nameOf(it->first), it->second.stamp});
  return out;
}

Cached Reflector::view(const std::string& ns, const std::string& name) const {
  if (!opts_.view) return find(ns, name);
  std::lock_guard<std::mutex> l(mu_);
  auto it = store_.find(ns + "/" + name);
  return it == store_.end() ? nullptr : it->second.view;
}

bool Reflector::contains(const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  return store_.count(ns + "/" + name) > 0;
}

std::vector<Cached> Reflector::items(const std::string& ns, const std::string& label, const std::string& value) const {
  std::vector<std::pair<std::shared_ptr<const std::string>, Cached>> held;  // packed, or the tree
  const bool indexed = !ns.empty() && !label.empty() && label == index_.label();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (indexed) {
      for (const auto& k : index_.keys(ns, value))
        if (auto it = store_.find(k); it != store_.end()) held.emplace_back(it->second.packed, it->second.tree);
    } else {
      // "ns/name" keys sort by namespace: with a namespace, visit only its range.
      for (auto it = ns.empty() ? store_.begin() : store_.lower_bound(ns + "/"); it != store_.end(); ++it) {
        if (!ns.empty() && it->first.compare(0, ns.size() + 1, ns + "/") != 0) break;
        held.emplace_back(it->second.packed, it->second.tree);
      }
    }
  }
  std::vector<Cached> out;
  out.reserve(held.size());
  for (auto& [packed, tree] : held) {
    Cached o = tree ? std::move(tree) : unpackedOrNull(packed);  // outside the lock
    if (!indexed && !label.empty()) {
      const Json& m = (*o)["metadata"];
      const auto labels = m.find("labels");
      if (labels == m.end() || !labels->is_object()) continue;
      const auto v = labels->find(label);
      if (v == labels->end() || *v != value) continue;
    }
    out.push_back(std::move(o));
  }
  return out;
}

size_t Reflector::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return store_.size();
}

std::string Reflector::resourceVersion() const {
  std::lock_guard<std::mutex> l(mu_);
  return rv_;
}

void Reflector::stop() {
  stop_ = true;
  std::lock_guard<std::mutex> l(streamMu_);
  if (current_) current_->stop();
}

Reflector::Entry Reflector::entryOf(Json& obj) const {
  Entry e;
  if (opts_.pack) e.packed = std::make_shared<const std::string>(packLean(obj));
  else e.tree = std::make_shared<const Json>(std::move(obj));
  const Json& o = e.tree ? *e.tree : obj;
  if (opts_.view) e.view = std::make_shared<const Json>(opts_.view(o));
  if (opts_.pack) e.besideStatus = hashBesideStatus(o);  // a tree is compared as it is
  if (opts_.statusDigest) e.digest = opts_.statusDigest(o);
  e.resourceVersion = o["metadata"].value("resourceVersion", "");
  e.slot = index_.slot(o);
  return e;
}

void Reflector::apply(EventType t, Json obj) {
  opts_.transform(obj);
  const std::string key = keyOf(obj);
  Entry e;
  Cached tree;  // the object itself, when the cache holds trees: moved there, not copied
  if (t != EventType::Deleted) {
    e = entryOf(obj);  // packed outside the lock
    tree = e.tree;
  }
  const Json& told = tree ? *tree : obj;
  bool statusOnly = false, quiet = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = store_.find(key);
    if (it != store_.end()) {
      statusOnly = t == EventType::Modified && (tree ? it->second.tree && onlyStatusChanged(*it->second.tree, *tree)
                                                     : it->second.besideStatus == e.besideStatus);
      quiet = statusOnly && (opts_.quietStatusUpdates || (opts_.statusDigest && it->second.digest == e.digest));
      index_.remove(key, it->second.slot);
    }
    e.stamp = statusOnly ? it->second.stamp : nextStamp();
    if (t == EventType::Deleted) {
      if (it != store_.end()) store_.erase(it);
    } else {
      index_.add(key, e.slot);
      if (it != store_.end()) it->second = std::move(e);
      else store_.emplace(key, std::move(e));
    }
  }
  if (quiet) {
    ++quieted_;
    return;
  }
  if (handler_) handler_(t, told, statusOnly);
}

bool Reflector::relist() {
  ++relists_;
  ListOptions lo;
  lo.labelSelector = opts_.labelSelector;
  lo.lean = true;  // no managedFields, no growth slack
  // Each item is packed as its page arrives and its tree dropped there: a relist of thousands of
  // objects never holds more than a page of trees (and leaves no heap scattered between the
  // packed objects once they are gone).
  std::map<std::string, Entry> fresh;
  lo.eachItem = [&](Json& item) {
    setTypeMeta(item, res_.apiVersion(), res_.kind);
    opts_.transform(item);
    std::string key = keyOf(item);
    fresh[std::move(key)] = entryOf(item);
    item = Json();
  };
  const auto sent = std::chrono::steady_clock::now();
  Result r = client_.list(res_, opts_.namespace_, lo);
  if (!r.ok()) {
    OutageLog::process().failed("list failed", res_.plural, r.code, r.message());
    return false;
  }
  OutageLog::process().succeeded(sent);
  const std::string listVersion = r.body["metadata"].value("resourceVersion", "");
  r.body = Json();
  std::vector<std::pair<EventType, Entry>> told;  // what the handler is told, unpacked after the lock
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [k, e] : store_)
      if (!fresh.count(k)) told.emplace_back(EventType::Deleted, e);  // deleted while we were not watching
    for (auto& [k, e] : fresh) {
      auto it = store_.find(k);
      const bool same = it != store_.end() && it->second.resourceVersion == e.resourceVersion;
      e.stamp = same ? it->second.stamp : nextStamp();
      if (it == store_.end()) told.emplace_back(EventType::Added, e);
      else if (!same) told.emplace_back(EventType::Modified, e);
    }
    store_ = std::move(fresh);
    index_.clear();
    for (const auto& [k, e] : store_) index_.add(k, e.slot);
    rv_ = listVersion;
  }
  if (handler_)
    for (auto& [t, e] : told) {
      const Cached o = e.tree ? e.tree : unpackedOrNull(e.packed);
      e = Entry();
      handler_(t, *o, false);
    }
  synced_ = true;
  return true;
}

Reflector::WatchEnd Reflector::watchOnce() {
  ++watches_;
  const int timeout = randomBetween(300, 600);
  std::string q = "?watch=true&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(timeout);
  {
    std::lock_guard<std::mutex> l(mu_);
    q += "&resourceVersion=" + urlEncode(rv_);
  }
  if (!opts_.labelSelector.empty()) q += "&labelSelector=" + urlEncode(opts_.labelSelector);
  StreamHandle handle;
  {
    std::lock_guard<std::mutex> l(streamMu_);
    if (stop_) return WatchEnd::Closed;
    current_ = &handle;
  }
  WatchEnd end = WatchEnd::Closed;
  size_t events = 0;
  const auto sent = std::chrono::steady_clock::now();
  bool answered = false;
  Response r = t_->stream(
      res_.path(opts_.namespace_) + q,
      [&](std::string_view line) {
        if (!answered) {
          answered = true;
          OutageLog::process().succeeded(sent);  // a stream opened since the outage began delivers
        }
        std::optional<WatchEvent> ev = decodeWatchEvent(line);
        if (!ev) {
          debug("watch event ignored", {{"resource", res_.plural}, {"line", std::string(line.substr(0, 200))}});
          return true;
        }
        if (ev->type == WatchEvent::Type::Error) {
          // An expired resourceVersion arrives as an ERROR event inside a 200 stream.
          end = ev->code == 410 ? WatchEnd::Expired : WatchEnd::Failed;
          debug("watch error event", {{"resource", res_.plural}, {"code", ev->code}, {"message", ev->message}});
          return false;
        }
        if (ev->type == WatchEvent::Type::Bookmark) {
          std::lock_guard<std::mutex> l(mu_);
          if (!ev->resourceVersion.empty()) rv_ = ev->resourceVersion;
          return true;
        }
        ++events;
        const EventType t = ev->type == WatchEvent::Type::Added      ? EventType::Added
                            : ev->type == WatchEvent::Type::Modified ? EventType::Modified
                                                                     : EventType::Deleted;
        apply(t, std::move(ev->object));
        std::lock_guard<std::mutex> l(mu_);
        if (!ev->resourceVersion.empty()) rv_ = ev->resourceVersion;
        return !stop_;
      },
      std::chrono::seconds(timeout + 60), &handle);
  {
    std::lock_guard<std::mutex> l(streamMu_);
    current_ = nullptr;
  }
  // The server answered this request (an ERROR event, a 410 or an empty stream it ended): a
  // stream that delivered a line has said so above already.
  if (r.status == 200 || r.status == 410) OutageLog::process().succeeded(sent);
  if (end != WatchEnd::Closed) return end;
  if (r.status == 410) return WatchEnd::Expired;
  if (r.status != 200) {
    if (!stop_)
      OutageLog::process().failed("watch failed", res_.plural, r.status,
                         failureMessage(r.status, Json::parse(r.body, nullptr, false), r.error, r.body));
    return WatchEnd::Failed;
  }
  return WatchEnd::Closed;
}

void Reflector::sleepBackoff(int& failures) {
  const int ms = std::min(30000, 800 << std::min(failures, 6));
  ++failures;
  const int wait = randomBetween(ms / 2, ms);
  for (int slept = 0; slept < wait && !stop_; slept += 100) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

void Reflector::run() {
  // No exception may escape a thread: a malformed object or a handler's bug must not end the
  // process. Log, back off, relist.
  int failures = 0;
  while (!stop_) {
    try {
      loop(failures);
    } catch (const std::exception& e) {
      error("informer error; relisting", {{"resource", res_.plural}, {"error", e.what()}});
      sleepBackoff(failures);
    }
  }
}

void Reflector::loop(int& failures) {
  bool needList = true;
  if (!opts_.resumeFrom.empty()) {
    std::lock_guard<std::mutex> l(mu_);
    rv_ = opts_.resumeFrom;
    opts_.resumeFrom.clear();
    needList = false;
  }
  while (!stop_) {
    if (needList) {
      if (!relist()) {
        sleepBackoff(failures);
        continue;
      }
      needList = false;
    }
    auto started = std::chrono::steady_clock::now();
    WatchEnd end = watchOnce();
    if (stop_) break;
    switch (end) {
      case WatchEnd::Expired:
        // Routine after any outage longer than the server's watch cache holds (one per resource);
        // counted in relists().
        debug("resourceVersion expired; relisting", {{"resource", res_.plural}});
        needList = true;
        break;
      case WatchEnd::Failed:
        sleepBackoff(failures);
        break;
      case WatchEnd::Closed:
        // A normal end (server timeout) resumes at once from the last resourceVersion.
        if (std::chrono::steady_clock::now() - started > std::chrono::seconds(1)) failures = 0;
        else sleepBackoff(failures);  // a very short watch: something is wrong
        break;
    }
  }
}

}  // namespace kube
