// The watch wire format (kube/watch.hpp): lines cut from chunks of any size, and events decoded
// without ever throwing. The fuzzer fuzz/watch_fuzz.cpp drives the same code with random bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kube/watch.hpp"

namespace {

std::vector<std::string> frame(const std::string& body, size_t chunk) {
  kube::LineFramer f;
  std::vector<std::string> out;
  for (size_t i = 0; i < body.size(); i += chunk)
    f.feed(body.data() + i, std::min(chunk, body.size() - i), [&](std::string_view l) {
      out.emplace_back(l);
      return true;
    });
  return out;
}

}  // namespace

TEST(WatchFraming, ALineSpanningChunksArrivesWholeWhateverTheChunkSize) {
  const std::string body = "{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}\n{\"partial\":";
  for (size_t chunk : {1u, 2u, 3u, 7u, 100u}) {
    const auto lines = frame(body, chunk);
    ASSERT_EQ(lines.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(lines[0], "{\"a\":1}");
    EXPECT_EQ(lines[1], "{\"b\":2}");
    EXPECT_EQ(lines[2], "{\"c\":3}");
  }
}

TEST(WatchFraming, StopsAtTheFirstLineTheHandlerRefusesAndKeepsTheRest) {
  kube::LineFramer f;
  const std::string body = "one\ntwo\nthree\nfo";
  std::vector<std::string> seen;
  const bool go = f.feed(body.data(), body.size(), [&](std::string_view l) {
    seen.emplace_back(l);
    return l != "two";
  });
  EXPECT_FALSE(go);
  EXPECT_EQ(seen, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(f.pending(), std::string("three\nfo").size());
}

TEST(WatchEvents, DecodesTheFourObjectEventsWithTheirResourceVersion) {
  auto ev = kube::decodeWatchEvent(
      R"({"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"42"}}})");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->type, kube::WatchEvent::Type::Modified);
  EXPECT_EQ(ev->resourceVersion, "42");
  EXPECT_EQ(ev->object["metadata"]["name"], "a");
  auto bm = kube::decodeWatchEvent(R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"77"}}})");
  ASSERT_TRUE(bm);
  EXPECT_EQ(bm->type, kube::WatchEvent::Type::Bookmark);
  EXPECT_EQ(bm->resourceVersion, "77");
}

TEST(WatchEvents, AnExpiredResourceVersionIsAnErrorWithCode410) {
  auto ev = kube::decodeWatchEvent(
      R"j({"type":"ERROR","object":{"kind":"Status","code":410,"message":"too old resource version: 1 (5)"}})j");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->type, kube::WatchEvent::Type::Error);
  EXPECT_EQ(ev->code, 410);
  EXPECT_EQ(ev->message, "too old resource version: 1 (5)");
  // An ERROR without a usable Status still ends the watch, with code 0.
  for (const char* odd : {R"({"type":"ERROR"})", R"({"type":"ERROR","object":"x"})",
                          R"({"type":"ERROR","object":{"code":"410"}})", R"({"type":"ERROR","object":{"code":1e300}})"}) {
    auto e = kube::decodeWatchEvent(odd);
    ASSERT_TRUE(e) << odd;
    EXPECT_EQ(e->type, kube::WatchEvent::Type::Error) << odd;
    EXPECT_EQ(e->code, 0) << odd;
  }
}

TEST(WatchEvents, MalformedLinesAreIgnoredNeverThrown) {
  // Each of these reached the reflector's old decoder, which read them through operator[] and
  // value() (a type_error that cost a relist, or a read of an absent key).
  for (const char* bad : {"", "not json", "[1,2]", "42", R"({"type":"ADDED"})", R"({"type":"ADDED","object":[]})",
                          R"({"type":"ADDED","object":{}})", R"({"type":"ADDED","object":{"metadata":"x"}})",
                          R"({"type":"ADDED","object":{"metadata":{"name":7}}})", R"({"type":7,"object":{}})",
                          R"({"type":"SYNC","object":{"metadata":{"name":"a"}}})", R"({"type":"BOOKMARK","object":null})"}) {
    EXPECT_NO_THROW({
      auto ev = kube::decodeWatchEvent(bad);
      EXPECT_FALSE(ev) << bad;
    });
  }
  // A resourceVersion that is not a string is no resourceVersion.
  auto ev = kube::decodeWatchEvent(R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":5}}})");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->resourceVersion, "");
}
