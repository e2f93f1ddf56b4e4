// libFuzzer target (issue 15): any bytes as a file of Kubernetes manifests, through what
// `shopctl audit`, `shopctl harden` and `shopctl import` do with it. None may crash, leak, trip a
// sanitizer or throw (an input error is a diagnostic, never an exception); harden's output must
// read back as the objects it wrote, and import's ShopApp must be emittable.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/audit/audit.hpp"
#include "core/audit/harden.hpp"
#include "core/audit/inventory.hpp"
#include "core/importer/import.hpp"
#include "core/io/yaml.hpp"

namespace {

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "manifests_fuzz: %s\n%s\n", what, detail.substr(0, 4000).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  shop::audit::LoadResult loaded = shop::audit::loadManifests(text, "fuzz.yaml");
  if (loaded.diags.hasErrors() || loaded.manifests.empty()) return 0;
  const shop::audit::Inventory inv(loaded.manifests);
  const shop::audit::AuditReport report = shop::audit::runAudit(inv, {});
  (void)shop::audit::formatJson(report);
  (void)shop::audit::formatSarif(report, "fuzz");
  (void)shop::audit::formatTable(report, false);

  const shop::audit::HardenResult hardened = shop::audit::harden(loaded.manifests, {});
  const std::string emitted = shop::toYamlStream(hardened.objects);
  shop::YamlLoadResult back = shop::loadYaml(emitted, "hardened.yaml");
  if (!back.ok()) broken("harden's output does not load", back.error->message + "\n" + emitted);
  size_t n = 0;
  for (const auto& o : hardened.objects) n += o.is_null() ? 0 : 1;
  if (back.documents.size() != n) broken("harden's output has another number of documents", emitted);

  const shop::importer::ImportResult imported = shop::importer::importShopApp(inv, {});
  (void)shop::toYaml(imported.app);
  return 0;
}
