// Speed and memory of the pure core: what `shopctl render`, `validate` and `audit` cost, and
// what the operator's drift check costs per reconcile. Prints figures; asserts nothing.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "core/audit/audit.hpp"
#include "core/model/parse.hpp"
#include "core/render/render.hpp"
#include "core/apply/intent.hpp"
#include "kube/leanjson.hpp"
#include "kube/reflector.hpp"

using namespace shop;

namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(SHOP_SOURCE_DIR) + "/" + rel);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& sockshopYaml() {
  static const std::string s = read("manifests/sockshop/shopapp.yaml");
  return s;
}

ShopApp sockshop() {
  auto loaded = loadYaml(sockshopYaml(), "shopapp.yaml");
  return *parseShopApp(loaded.documents.at(0)).app;
}

void BM_ParseValidate(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = loadYaml(sockshopYaml(), "shopapp.yaml");
    auto res = parseShopApp(loaded.documents.at(0));
    benchmark::DoNotOptimize(res);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(sockshopYaml().size()));
}
BENCHMARK(BM_ParseValidate);

void BM_Render(benchmark::State& state) {
  const ShopApp app = sockshop();
  size_t objects = 0;
  for (auto _ : state) {
    auto r = render(app);
    objects = r.objects.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["objects"] = static_cast<double>(objects);
  state.counters["objects/s"] = benchmark::Counter(static_cast<double>(objects * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Render);

void BM_EmitYaml(benchmark::State& state) {
  const auto objects = render(sockshop()).objects;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = toYamlStream(objects);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EmitYaml);

void BM_RenderEndToEnd(benchmark::State& state) {
  // What `shopctl render -f shopapp.yaml` does besides reading the file and starting up.
  for (auto _ : state) {
    auto loaded = loadYaml(sockshopYaml(), "shopapp.yaml");
    auto res = parseShopApp(loaded.documents.at(0));
    std::string out = toYamlStream(render(*res.app).objects);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RenderEndToEnd);

void BM_AuditUpstreamSockShop(benchmark::State& state) {
  const std::string text = read("../shared/fixtures/sockshop-upstream/complete-demo.yaml");
  if (text.empty()) {
    state.SkipWithError("../shared/fixtures/sockshop-upstream/complete-demo.yaml not found");
    return;
  }
  size_t findings = 0;
  for (auto _ : state) {
    auto loaded = audit::loadManifests(text, "complete-demo.yaml");
    audit::Inventory inv(std::move(loaded.manifests));
    auto report = audit::runAudit(inv, {});
    findings = report.summary.findings;
    benchmark::DoNotOptimize(report);
  }
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_AuditUpstreamSockShop);

void BM_DriftCheck(benchmark::State& state) {
  // The operator's per-reconcile work when nothing changed: hash and compare every object.
  auto objects = render(sockshop()).objects;
  Json app = {{"apiVersion", "shopctl.io/v1alpha1"}, {"kind", "ShopApp"},
              {"metadata", {{"name", "sock-shop"}, {"namespace", "sock-shop"}, {"uid", "0000"}}}};
  std::vector<Json> live;
  for (const auto& o : objects) live.push_back(apply::withOwnership(o, app, true));
  for (auto _ : state) {
    size_t same = 0;
    for (size_t i = 0; i < objects.size(); ++i) {
      Json intent = apply::withOwnership(objects[i], app, true);
      same += apply::liveContains(live[i], intent);
    }
    benchmark::DoNotOptimize(same);
  }
  state.counters["objects"] = static_cast<double>(objects.size());
}
BENCHMARK(BM_DriftCheck);

// The operator's cache at rest: the Sock Shop's 124 objects as the API server would serve them
// (owner reference and applied-hash added), held as trees (parseLean, at exact sizes) or packed
// (packLean), and what each read costs: unpacking one object, against parsing its text.
std::vector<std::string> sockshopLiveTexts() {
  Json app = {{"apiVersion", "shopctl.io/v1alpha1"}, {"kind", "ShopApp"},
              {"metadata", {{"name", "sock-shop"}, {"namespace", "sock-shop"}, {"uid", "0000"}}}};
  std::vector<std::string> out;
  for (const auto& o : render(sockshop()).objects) out.push_back(apply::withOwnership(o, app, true).dump());
  return out;
}

std::vector<Json> sockshopLiveTrees() {
  std::vector<Json> out;
  for (const auto& t : sockshopLiveTexts()) out.push_back(kube::parseLean(t));
  return out;
}

// Times f on each of the Sock Shop's live objects, as trees.
template <class F>
void timeEachTree(benchmark::State& state, F f) {
  const auto trees = sockshopLiveTrees();
  for (auto _ : state)
    for (const auto& t : trees) benchmark::DoNotOptimize(f(t));
  state.counters["objects"] = static_cast<double>(trees.size());
}

size_t heapInUse() { return mallinfo2().uordblks; }

void BM_CacheHeldAsTrees(benchmark::State& state) {
  const auto texts = sockshopLiveTexts();
  size_t textBytes = 0, heap = 0;
  for (const auto& t : texts) textBytes += t.size();
  for (auto _ : state) {
    const size_t before = heapInUse();
    std::vector<std::shared_ptr<const Json>> held;
    for (const auto& t : texts) held.push_back(std::make_shared<const Json>(kube::parseLean(t)));
    heap = heapInUse() - before;
    benchmark::DoNotOptimize(held);
  }
  state.counters["objects"] = static_cast<double>(texts.size());
  state.counters["text_bytes_per_object"] = static_cast<double>(textBytes) / texts.size();
  state.counters["heap_bytes_per_object"] = static_cast<double>(heap) / texts.size();
}
BENCHMARK(BM_CacheHeldAsTrees);

void BM_CacheHeldPacked(benchmark::State& state) {
  const auto trees = sockshopLiveTrees();
  size_t heap = 0;
  for (auto _ : state) {
    const size_t before = heapInUse();
    std::vector<std::shared_ptr<const std::string>> held;
    for (const auto& t : trees) held.push_back(std::make_shared<const std::string>(kube::packLean(t)));
    heap = heapInUse() - before;
    benchmark::DoNotOptimize(held);
  }
  state.counters["objects"] = static_cast<double>(trees.size());
  state.counters["heap_bytes_per_object"] = static_cast<double>(heap) / trees.size();
}
BENCHMARK(BM_CacheHeldPacked);

void BM_CacheReadUnpack(benchmark::State& state) {
  std::vector<std::string> packed;
  for (const auto& t : sockshopLiveTrees()) packed.push_back(kube::packLean(t));
  for (auto _ : state)
    for (const auto& p : packed) benchmark::DoNotOptimize(kube::unpackLean(p));
  state.counters["objects"] = static_cast<double>(packed.size());
}
BENCHMARK(BM_CacheReadUnpack);

void BM_CacheReadParseText(benchmark::State& state) {
  const auto texts = sockshopLiveTexts();
  for (auto _ : state)
    for (const auto& t : texts) benchmark::DoNotOptimize(kube::parseLean(t));
  state.counters["objects"] = static_cast<double>(texts.size());
}
BENCHMARK(BM_CacheReadParseText);

void BM_CacheWritePack(benchmark::State& state) {
  timeEachTree(state, [](const Json& t) { return kube::packLean(t); });
}
BENCHMARK(BM_CacheWritePack);

void BM_CacheWriteHashBesideStatus(benchmark::State& state) {
  timeEachTree(state, [](const Json& t) { return kube::hashBesideStatus(t); });
}
BENCHMARK(BM_CacheWriteHashBesideStatus);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::ifstream st("/proc/self/status");
  for (std::string line; std::getline(st, line);)
    if (line.rfind("VmHWM:", 0) == 0) std::printf("peak resident memory of the benchmark process: %s\n", line.substr(6).c_str());
  return 0;
}
