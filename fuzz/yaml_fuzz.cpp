// libFuzzer target (issue 15): any bytes as YAML. Loading must end in documents or an error at
// a position (never a crash, a hang or unbounded memory: core/io's limits), and every loaded
// document, emitted again by shopctl's emitter, must read back as the same value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/io/yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  shop::YamlLoadResult loaded = shop::loadYaml(text, "fuzz.yaml");
  if (!loaded.ok()) return 0;
  for (const auto& doc : loaded.documents) {
    const std::string emitted = shop::toYaml(doc.value);
    shop::YamlLoadResult back = shop::loadYaml(emitted, "emitted.yaml");
    const bool same = back.ok() && back.documents.size() == 1 && back.documents[0].value.dump() == doc.value.dump();
    // An empty document is skipped by the loader; "null" emitted reads back as nothing.
    if (!same && !(doc.value.is_null() && back.ok() && back.documents.empty())) {
      std::fprintf(stderr, "yaml_fuzz: a loaded value does not survive emit + load\nvalue: %s\nemitted:\n%s\nread back: %s\n",
                   doc.value.dump().c_str(), emitted.c_str(),
                   back.ok() ? (back.documents.empty() ? "(nothing)" : back.documents[0].value.dump().c_str())
                             : back.error->message.c_str());
      std::abort();
    }
  }
  return 0;
}
