#pragma once
// The wire format of a watch, apart from any connection: the response body arrives in chunks of
// any size, holds one JSON event per line, and each event is {"type": ..., "object": ...}.
// Pure code, so that a fuzzer (fuzz/watch_fuzz.cpp) and unit tests can drive it byte by byte.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/io/json.hpp"

namespace kube {

using Json = shop::Json;

// Cuts a stream of chunks into lines. A line may span any number of chunks; empty lines are
// skipped; a last line without its newline is never delivered (a cut stream ends mid-event).
class LineFramer {
 public:
  // Delivers every line the chunk completes; stops, returning false, as soon as onLine does.
  // A line is valid only during its call: most lie within the chunk and are not copied, and one
  // spanning chunks is handed out from the held bytes.
  bool feed(const char* data, size_t len, const std::function<bool(std::string_view)>& onLine);
  // Bytes held for a line not yet complete.
  size_t pending() const { return partial_.size(); }

 private:
  std::string partial_;
};

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type = Type::Added;
  Json object;                  // the object, or for Error the Status
  std::string resourceVersion;  // the object's metadata.resourceVersion, "" when it has none
  int code = 0;                 // Error: the Status' code (410: the resourceVersion expired)
  std::string message;          // Error: the Status' message
};

// One line of a watch. std::nullopt when it is not an event this client can use: not JSON, not an
// object, an unknown type, an object that is not an object, or (ADDED, MODIFIED, DELETED) one
// without a string metadata.name. An ERROR is always an event (code 0 when its Status is not
// usable): it ends the watch. The object is parsed as kube/leanjson.hpp says: without
// metadata.managedFields. Never throws.
std::optional<WatchEvent> decodeWatchEvent(std::string_view line);

}  // namespace kube
