#include "kube/watch.hpp"

#include "kube/leanjson.hpp"

namespace kube {

bool LineFramer::feed(const char* data, size_t len, const std::function<bool(std::string_view)>& onLine) {
  std::string_view in(data, len);
  bool go = true;
  if (!partial_.empty()) {  // the rest of a line begun in an earlier chunk
    const size_t nl = in.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(in);
      return true;
    }
    partial_.append(in.substr(0, nl));
    go = onLine(partial_);
    partial_.clear();  // its buffer is kept for the next such line
    in.remove_prefix(nl + 1);
  }
  // The lines within the chunk, handed out where they lie: no copy, one scan.
  for (size_t nl; go && (nl = in.find('\n')) != std::string_view::npos; in.remove_prefix(nl + 1))
    if (nl > 0) go = onLine(in.substr(0, nl));
  partial_.append(in);  // a line not yet complete (or, stopped, whatever was not delivered)
  return go;
}

namespace {

std::string stringAt(const Json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<WatchEvent> decodeWatchEvent(std::string_view line) {
  Json ev = parseLean(line);  // exact sizes, no managedFields: the object may go straight into a cache
  if (ev.is_discarded() || !ev.is_object()) return std::nullopt;
  const std::string type = stringAt(ev, "type");
  auto obj = ev.find("object");
  const bool isObject = obj != ev.end() && obj->is_object();
  WatchEvent out;
  if (type == "ERROR") {
    // Whatever its body, an ERROR ends the watch; code 0 when it carries no usable Status.
    out.type = WatchEvent::Type::Error;
    if (!isObject) return out;
    auto code = obj->find("code");
    if (code != obj->end() && code->is_number_integer()) {
      const auto c = code->get<int64_t>();
      out.code = c >= 0 && c < 1000 ? static_cast<int>(c) : 0;
    }
    out.message = stringAt(*obj, "message");
    out.object = std::move(*obj);
    return out;
  }
  if (type == "ADDED") out.type = WatchEvent::Type::Added;
  else if (type == "MODIFIED") out.type = WatchEvent::Type::Modified;
  else if (type == "DELETED") out.type = WatchEvent::Type::Deleted;
  else if (type == "BOOKMARK") out.type = WatchEvent::Type::Bookmark;
  else return std::nullopt;
  if (!isObject) return std::nullopt;
  auto meta = obj->find("metadata");
  const bool hasMeta = meta != obj->end() && meta->is_object();
  if (hasMeta) out.resourceVersion = stringAt(*meta, "resourceVersion");
  if (out.type != WatchEvent::Type::Bookmark && (!hasMeta || stringAt(*meta, "name").empty())) return std::nullopt;
  out.object = std::move(*obj);
  return out;
}

}  // namespace kube
