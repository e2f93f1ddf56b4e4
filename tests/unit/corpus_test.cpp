// The corpus (tests/corpus/<app>/): apps nobody here designed for, each with the calls it makes
// (calls.txt). For every app: harden keeps every call and refuses the `deny:` lines (judged by the
// NetworkPolicy evaluator of netpol_eval.hpp, namespaces respected, DNS included), a second harden
// changes nothing, and the imported ShopApp validates and its rendered policies keep the calls too.
// A failure the code does not fix yet is listed in <app>/harden.expect or import.expect; the test
// asserts the failures are exactly those lines. Goldens (harden.golden.yaml, harden.warnings.txt,
// import.golden.yaml, import.warnings.txt) are rewritten with
//   SHOP_UPDATE_GOLDEN=1 ./build/tests/unit/shop-unit-tests --gtest_filter='Corpus.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/audit/harden.hpp"
#include "core/importer/import.hpp"
#include "core/render/render.hpp"
#include "netpol_eval.hpp"
#include "test_util.hpp"

using namespace shop;
using namespace shop::audit;
using namespace shop::test::netpol;

namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(SHOP_SOURCE_DIR) / "tests" / "corpus";

// ---- calls.txt ---------------------------------------------------------------------------

struct Call {
  bool deny = false;
  std::string text;  // the line as written, without "deny: "
  std::string fromNs, from, toNs, to;
  int port = 0;
};

// "[NS/]NAME" into its parts.
void splitName(const std::string& s, std::string& ns, std::string& name) {
  const size_t slash = s.find('/');
  ns = slash == std::string::npos ? "" : s.substr(0, slash);
  name = slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

std::vector<Call> readCalls(const fs::path& file) {
  std::vector<Call> out;
  std::istringstream in(test::readFile(file.string()));
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line.rfind("members:", 0) == 0) continue;
    Call c;
    if (line.rfind("deny:", 0) == 0) {
      c.deny = true;
      line = trim(line.substr(5));
    }
    c.text = line;
    const size_t arrow = line.find("->"), colon = line.rfind(':');
    if (arrow == std::string::npos || colon == std::string::npos || colon < arrow)
      throw std::runtime_error(file.string() + ": not FROM -> TO:PORT: " + line);
    splitName(trim(line.substr(0, arrow)), c.fromNs, c.from);
    splitName(trim(line.substr(arrow + 2, colon - arrow - 2)), c.toNs, c.to);
    c.port = std::stoi(line.substr(colon + 1));
    out.push_back(c);
  }
  return out;
}

// The "members: FOLLOWER = LEADER" lines: for import, workload FOLLOWER (a replica of LEADER's
// server) became members of LEADER's database.
std::map<std::string, std::string> readMembers(const fs::path& file) {
  std::map<std::string, std::string> out;
  std::istringstream in(test::readFile(file.string()));
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.rfind("members:", 0) != 0) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) throw std::runtime_error(file.string() + ": not members: FOLLOWER = LEADER: " + line);
    out[trim(line.substr(8, eq - 8))] = trim(line.substr(eq + 1));
  }
  return out;
}

// ---- the pods and Services of an object list ------------------------------------------------

std::string nsOf(const Json& o) { return o["metadata"].value("namespace", ""); }

// The pod a workload runs (its template's labels and named container ports), or nullopt.
std::optional<Pod> podOf(const Json& o) {
  const std::string kind = test::objectKind(o);
  if (kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet") return std::nullopt;
  Pod p{nsOf(o), o["spec"]["template"]["metadata"].value("labels", Json::object())};
  p.hostNetwork = o["spec"]["template"]["spec"].value("hostNetwork", false) == true;
  // The StatefulSet controller labels each pod with its name; the pod judged is the first.
  if (kind == "StatefulSet") p.labels["statefulset.kubernetes.io/pod-name"] = test::objectName(o) + "-0";
  for (const auto& c : o["spec"]["template"]["spec"].value("containers", Json::array()))
    for (const auto& port : c.value("ports", Json::array()))
      if (port.contains("name")) p.ports[port["name"].get<std::string>()] = port["containerPort"];
  return p;
}

// The images of a workload's containers, in order.
std::vector<std::string> imagesOf(const Json& o) {
  std::vector<std::string> images;
  for (const auto& c : o["spec"]["template"]["spec"].value("containers", Json::array())) images.push_back(c.value("image", ""));
  return images;
}

// The objects a check runs on, and how names in calls.txt map to them. `ns` is the namespace
// every name of the app lives in (import: the ShopApp's one namespace), or "" to keep them.
struct World {
  const std::vector<Json>& objects;
  std::string ns;
  std::set<std::string> appNamespaces;  // of the input: the namespaces that are the app's
  // import --source-namespace: only that namespace became the ShopApp's; the others keep theirs.
  std::string sourceNs;

  std::string mapNs(const std::string& written) const {
    return ns.empty() || (!sourceNs.empty() && written != sourceNs) ? written : ns;
  }

  // The input's objects when `objects` came from import: import may rename a workload (after the
  // Service its callers use, or <service>-<version>), and a caller's name is not what a call
  // depends on, so a workload not found by name is the one that runs the same images.
  const std::vector<Json>* input = nullptr;
  // With input: the followers that became members of a leader's database (calls.txt "members:").
  std::map<std::string, std::string> members = {};

  const Json* workload(const std::string& ns_, const std::string& name) const {
    for (const auto& o : objects)
      if (podOf(o) && test::objectName(o) == name && (ns_.empty() || nsOf(o) == mapNs(ns_))) return &o;
    if (!input) return nullptr;
    const Json* original = nullptr;
    for (const auto& o : *input)
      if (podOf(o) && test::objectName(o) == name && (ns_.empty() || nsOf(o) == ns_)) original = &o;
    if (!original) return nullptr;
    const Json* found = nullptr;
    for (const auto& o : objects) {
      if (!podOf(o) || imagesOf(o) != imagesOf(*original) || (!ns_.empty() && nsOf(o) != mapNs(ns_))) continue;
      if (found) return nullptr;  // two candidates: not a match
      found = &o;
    }
    return found;
  }
  const Json* service(const std::string& ns_, const std::string& name) const {
    for (const auto& o : objects)
      if (test::objectKind(o) == "Service" && test::objectName(o) == name && (ns_.empty() || nsOf(o) == mapNs(ns_)))
        return &o;
    return nullptr;
  }
};

// Runs the checks of one app on an object list; returns the failures, one line each.
std::vector<std::string> checkCalls(const std::string& stage, const World& world, const std::vector<Call>& calls) {
  std::vector<std::string> failures;
  auto fail = [&](const std::string& s) { failures.push_back(stage + ": " + s); };
  for (const auto& c : calls) {
    // The caller: a client outside the cluster ("@ADDRESS"), a workload of the app, or a pod of a
    // namespace outside the app.
    const bool external = !c.from.empty() && c.from[0] == '@';
    if (external && world.input) continue;  // import routes outside clients through the gateway instead
    Pod from;
    bool inside = !external;
    const auto member = world.input ? world.members.find(c.from) : world.members.end();
    if (external) {
      from = Pod{"", Json::object()};
    } else if (member != world.members.end()) {
      // A follower became members 1.. of its leader's StatefulSet: judged from member 1.
      const Json* w = world.workload(c.fromNs, member->second);
      if (!w || test::objectKind(*w) != "StatefulSet") {
        fail("no StatefulSet " + member->second + " whose members " + c.from + " became, for " + c.text);
        continue;
      }
      from = *podOf(*w);
      from.labels["statefulset.kubernetes.io/pod-name"] = member->second + "-1";
    } else if (const Json* w = world.workload(c.fromNs, c.from)) {
      from = *podOf(*w);
    } else if (!c.fromNs.empty() && !world.appNamespaces.count(c.fromNs)) {
      from = Pod{c.fromNs, {{"app", c.from}}};
      inside = false;
    } else {
      fail("no workload " + c.from + " for " + c.text);
      continue;
    }
    const Json* svc = world.service(c.toNs, c.to);
    if (!svc) {
      fail("no Service " + c.to + " for " + c.text);
      continue;
    }
    Json targetPort;
    for (const auto& p : (*svc)["spec"].value("ports", Json::array()))
      if (p.value("port", 0) == c.port) {
        targetPort = p.value("targetPort", Json());
        if (targetPort.is_null() || targetPort == 0) targetPort = p["port"];
      }
    if (targetPort.is_null()) {
      fail("Service " + c.to + " has no port " + std::to_string(c.port) + " for " + c.text);
      continue;
    }
    // Every pod behind the Service must take the call (each version of a versioned service).
    std::vector<std::pair<std::string, Pod>> backends;
    for (const auto& o : world.objects) {
      auto pod = podOf(o);
      const Json selector = (*svc)["spec"].value("selector", Json::object());
      if (pod && pod->ns == nsOf(*svc) && !selector.empty() && selects({{"matchLabels", selector}}, pod->labels))
        backends.emplace_back(test::objectName(o), *pod);
    }
    if (backends.empty()) {
      fail("Service " + c.to + " selects no workload for " + c.text);
      continue;
    }
    bool anyAllowed = false, allAllowed = true;
    std::string refusedBy;
    for (const auto& [name, pod] : backends) {
      int port = 0;
      if (targetPort.is_number_integer()) port = targetPort.get<int>();
      else if (pod.ports.contains(targetPort.get<std::string>())) port = pod.ports[targetPort.get<std::string>()].get<int>();
      const bool ok = port != 0 && (external ? externalAllowed(world.objects, pod, Target{port, "TCP"}, c.from.substr(1))
                                             : allowed(world.objects, from, pod, port));
      anyAllowed |= ok;
      allAllowed &= ok;
      if (!ok) refusedBy += (refusedBy.empty() ? "" : ", ") + name;
    }
    if (c.deny) {
      if (anyAllowed) fail("deny allowed: " + c.text);
    } else {
      if (!allAllowed) fail("call refused: " + c.text + " (to " + refusedBy + ")");
      if (inside && !dnsAllowed(world.objects, from)) fail("DNS refused: " + c.from);
    }
  }
  return failures;
}

// ---- goldens and expectations ----------------------------------------------------------------

void golden(const fs::path& file, const std::string& actual) {
  if (std::getenv("SHOP_UPDATE_GOLDEN")) {
    std::ofstream(file, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(file)) << file << " is missing: run with SHOP_UPDATE_GOLDEN=1";
  const std::string expected = test::readFile(file.string());
  if (expected == actual) return;
  // The first line that differs, not the whole file.
  std::istringstream a(expected), b(actual);
  std::string la, lb;
  int line = 1;
  while (std::getline(a, la) && std::getline(b, lb) && la == lb) ++line;
  ADD_FAILURE() << file << " differs at line " << line << " (SHOP_UPDATE_GOLDEN=1 rewrites it):\n  golden: " << la
                << "\n  actual: " << lb;
}

std::vector<std::string> readLines(const fs::path& file) {
  std::vector<std::string> out;
  if (!fs::exists(file)) return out;
  std::istringstream in(test::readFile(file.string()));
  std::string line;
  while (std::getline(in, line))
    if (!trim(line).empty() && trim(line)[0] != '#') out.push_back(trim(line));
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += "  " + l + "\n";
  return s.empty() ? "  (none)\n" : s;
}

void expectFailures(const fs::path& expectFile, std::vector<std::string> actual) {
  std::vector<std::string> expected = readLines(expectFile);
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(actual, expected) << "failures:\n" << joined(actual) << "expected (" << expectFile.filename().string()
                              << "):\n" << joined(expected);
}

std::vector<std::string> apps() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kCorpus))
    if (e.is_directory() && fs::exists(e.path() / "app.yaml")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Manifest> load(const fs::path& file) {
  auto r = loadManifests(test::readFile(file.string()), file.filename().string());
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return r.manifests;
}

std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

// import.source-namespace: the namespaces an app spread over several is imported from, one import
// each (import's --source-namespace), a line each; absent: one import of all of them (an app in one
// namespace), written "".
std::vector<std::string> sourceNamespaces(const fs::path& dir) {
  const auto l = readLines(dir / "import.source-namespace");
  return l.empty() ? std::vector<std::string>{""} : l;
}

// The file of an import: import.golden.yaml for the first source namespace (or the only import),
// import.<ns>.golden.yaml for the others.
fs::path importFile(const fs::path& dir, const std::string& source, const std::string& rest) {
  const auto all = sourceNamespaces(dir);
  return dir / (source == all.front() ? "import." + rest : "import." + source + "." + rest);
}

class Corpus : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(CorpusTree, HasTheApps) {
  // The corpus is read from the tree: a missing directory must not pass as "no apps, no failures".
  EXPECT_EQ(apps(), (std::vector<std::string>{"bookinfo", "grpc-boutique", "hostport-guestbook", "legacy-rbac",
                                              "multi-namespace", "nginx-gateway", "statefulset-noservice",
                                              "voting-app"}));
}

TEST_P(Corpus, HardenKeepsEveryCall) {
  const fs::path dir = kCorpus / GetParam();
  const auto input = load(dir / "app.yaml");
  const auto calls = readCalls(dir / "calls.txt");
  ASSERT_FALSE(calls.empty());
  std::set<std::string> appNs;
  for (const auto& m : input)
    if (!nsOf(m.object).empty()) appNs.insert(nsOf(m.object));
  const HardenResult once = harden(input, {});
  std::vector<std::string> failures = checkCalls("harden", World{once.objects, "", appNs, ""}, calls);
  // Idempotent: the hardened output hardened again is the same.
  std::vector<Manifest> again;
  for (const auto& o : once.objects) again.push_back({o, "", nullptr, ""});
  const HardenResult twice = harden(again, {});
  if (toYamlStream(twice.objects) != toYamlStream(once.objects)) {
    for (const auto& c : twice.changes) failures.push_back("harden: not idempotent: " + c.object + " [" + c.ruleId + "]");
    if (twice.changes.empty()) failures.push_back("harden: not idempotent: the objects differ");
  }
  expectFailures(dir / "harden.expect", failures);
  golden(dir / "harden.golden.yaml", toYamlStream(once.objects));
  golden(dir / "harden.warnings.txt", lines(once.warnings));
}

TEST_P(Corpus, ImportValidatesAndKeepsEveryCall) {
  const fs::path dir = kCorpus / GetParam();
  const auto input = load(dir / "app.yaml");
  const auto calls = readCalls(dir / "calls.txt");
  std::set<std::string> appNs;
  for (const auto& m : input)
    if (!nsOf(m.object).empty()) appNs.insert(nsOf(m.object));
  for (const std::string& source : sourceNamespaces(dir)) {
    SCOPED_TRACE("--source-namespace " + source);
    const importer::ImportResult imported = importer::importShopApp(Inventory(input), {"", "", source});
    golden(importFile(dir, source, "golden.yaml"), toYaml(imported.app));
    golden(importFile(dir, source, "warnings.txt"), imported.notes.str());
    std::vector<std::string> failures;
    auto parsed = parseShopApp(imported.app);
    if (!parsed.app) {
      for (const auto& d : parsed.diags.items())
        if (d.severity == Severity::Error) failures.push_back("import: invalid ShopApp: " + d.path + ": " + d.message);
    } else {
      const RenderResult rendered = render(*parsed.app);
      const std::string ns = imported.app["metadata"].value("namespace", "");
      std::vector<Json> inputObjects;
      for (const auto& m : input) inputObjects.push_back(m.object);
      // What a ShopApp has no place for keeps running beside it, from its own manifests: the
      // DaemonSets and the Services that select them (import warns about each, and gives the
      // callers egress to them).
      std::vector<Json> objects = rendered.objects;
      for (const auto& o : inputObjects) {
        // With a source namespace, the other namespaces keep running from their own manifests.
        if (!source.empty() && !nsOf(o).empty() && nsOf(o) != source) {
          objects.push_back(o);
          continue;
        }
        if (test::objectKind(o) == "DaemonSet") objects.push_back(o);
        if (test::objectKind(o) != "Service") continue;
        const Json selector = o["spec"].value("selector", Json::object());
        for (const auto& d : inputObjects)
          if (test::objectKind(d) == "DaemonSet" && !selector.empty() && nsOf(d) == nsOf(o) &&
              selects({{"matchLabels", selector}}, d["spec"]["template"]["metadata"].value("labels", Json::object())))
            objects.push_back(o);
      }
      World world{objects, ns, appNs, source};
      world.input = &inputObjects;
      world.members = readMembers(dir / "calls.txt");
      failures = checkCalls("import", world, calls);
    }
    expectFailures(importFile(dir, source, "expect"), failures);
  }
}

// The property itself, which no expect file can excuse: every app of the corpus imports into a
// ShopApp that validates (import says what it had to decide, in warnings, instead).
TEST_P(Corpus, ImportAlwaysValidates) {
  const auto input = load(kCorpus / GetParam() / "app.yaml");
  for (const std::string& source : sourceNamespaces(kCorpus / GetParam())) {
    const importer::ImportResult imported = importer::importShopApp(Inventory(input), {"", "", source});
    const auto parsed = parseShopApp(imported.app);
    EXPECT_TRUE(parsed.app.has_value()) << source << ": " << parsed.diags.str();
    EXPECT_FALSE(parsed.diags.hasErrors()) << source << ": " << parsed.diags.str();
  }
}

INSTANTIATE_TEST_SUITE_P(, Corpus, ::testing::ValuesIn(apps()), [](const auto& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});
