// libFuzzer target (issue 15): any bytes as a ShopApp file, through what `shopctl render` does
// with it: load the YAML, parse and validate, render, check the rendered names, emit YAML.
// Beyond "no crash, no sanitizer report", it checks one property: what shopctl emits reads
// back as exactly the objects it rendered (the emitter's quoting and the loader's typing agree).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/io/yaml.hpp"
#include "core/model/parse.hpp"
#include "core/render/collisions.hpp"
#include "core/render/render.hpp"

namespace {

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "shopapp_fuzz: %s\n%s\n", what, detail.substr(0, 4000).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  shop::YamlLoadResult loaded = shop::loadYaml(text, "fuzz.yaml");
  if (!loaded.ok()) return 0;
  for (const auto& doc : loaded.documents) {
    shop::ParseResult parsed = shop::parseShopApp(doc);
    if (!parsed.app) continue;
    shop::RenderResult r = shop::render(*parsed.app);
    if (shop::checkRenderedObjects(*parsed.app, r.objects).hasErrors())
      broken("a ShopApp that validation accepted renders colliding names", doc.value.dump());
    const std::string emitted = shop::toYamlStream(r.objects);
    shop::YamlLoadResult back = shop::loadYaml(emitted, "emitted.yaml");
    if (!back.ok()) broken("the emitted YAML does not load", back.error->message + "\n" + emitted);
    if (back.documents.size() != r.objects.size())
      broken("the emitted YAML has another number of documents", emitted);
    for (size_t i = 0; i < r.objects.size(); ++i)
      if (back.documents[i].value.dump() != r.objects[i].dump())
        broken("an emitted object reads back differently",
               "rendered: " + r.objects[i].dump() + "\nread back: " + back.documents[i].value.dump());
  }
  return 0;
}
