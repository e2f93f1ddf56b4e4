// libFuzzer target (issue 15): any bytes as the body of a watch response, cut into chunks of
// sizes the input itself chooses, through what the reflector does with it: kube::LineFramer
// makes lines, kube::decodeWatchEvent makes events. Neither may crash, trip a sanitizer or
// throw; the lines must be exactly the body's non-empty newline-terminated lines, whatever the
// chunking; a decoded object event always carries an object with a string metadata.name; and
// that object, packed as the cache keeps it (kube::packLean), unpacks to itself.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kube/leanjson.hpp"
#include "kube/reflector.hpp"
#include "kube/watch.hpp"

namespace {

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "watch_fuzz: %s\n%s\n", what, detail.substr(0, 4000).c_str());
  std::abort();
}

std::vector<std::string> reference(const std::string& body) {
  std::vector<std::string> lines;
  size_t start = 0, nl;
  while ((nl = body.find('\n', start)) != std::string::npos) {
    if (nl > start) lines.push_back(body.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the chunk sizes (1 to 64 bytes, varying); the rest is the body.
  const unsigned seed = data[0];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  kube::LineFramer framer;
  std::vector<std::string> lines;
  size_t at = 0, k = 0;
  while (at < body.size()) {
    const size_t chunk = std::min(body.size() - at, static_cast<size_t>(1 + (seed * 31 + k * 17) % 64));
    framer.feed(body.data() + at, chunk, [&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    at += chunk;
    ++k;
  }
  if (lines != reference(body)) broken("the framer's lines differ from the body's", body);
  for (const auto& line : lines) {
    std::optional<kube::WatchEvent> ev = kube::decodeWatchEvent(line);
    if (!ev || ev->type == kube::WatchEvent::Type::Error || ev->type == kube::WatchEvent::Type::Bookmark) continue;
    const auto meta = ev->object.find("metadata");
    if (!ev->object.is_object() || meta == ev->object.end() || !meta->is_object() || !meta->contains("name") ||
        !(*meta)["name"].is_string())
      broken("an object event without a string metadata.name", line);
    const kube::Json back = kube::unpackLean(kube::packLean(ev->object));
    if (back != ev->object || back.dump() != ev->object.dump()) broken("a packed object does not unpack to itself", line);
    (void)kube::hashBesideStatus(ev->object);
  }
  return 0;
}
