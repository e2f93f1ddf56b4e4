// Reading a ShopApp file.
#include "core/model/parse.hpp"

namespace shop {

ParseResult loadShopAppFile(const std::string& path, const ParseOptions& opts) {
  YamlLoadResult loaded = loadYamlFile(path);
  ParseResult res;
  if (!loaded.ok()) {
    res.diags.add(*loaded.error);
    return res;
  }
  if (loaded.documents.empty()) {
    Diagnostic d{Severity::Error, loaded.error ? "" : (path == "-" ? "<stdin>" : path), {}, "",
                 "no ShopApp found: the file is empty"};
    res.diags.add(d);
    return res;
  }
  if (loaded.documents.size() > 1) {
    Diagnostic d{Severity::Error, loaded.documents[1].file, loaded.documents[1].start, "",
                 "expected one ShopApp, found " + std::to_string(loaded.documents.size()) +
                     " documents (render one app per file)"};
    res.diags.add(d);
    return res;
  }
  return parseShopApp(loaded.documents[0], opts);
}

}  // namespace shop
