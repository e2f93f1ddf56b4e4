// shopctl apply: server-side apply of the ShopApp itself, and optionally wait until the
// operator reports it Ready (or Stalled).
#include <set>
#include <thread>

#include "cli/cluster.hpp"
#include "cli/progress.hpp"
#include "core/util/text.hpp"
#include "core/render/render.hpp"

namespace shop::cli {

namespace {

namespace res = kube::resources;

std::string gvkName(const std::string& plural, const std::string& group) { return plural + "." + group; }

// Where a server dry run tries a ShopApp whose namespace does not exist yet (a namespace that
// every cluster has): the API server refuses anything in a missing namespace, dry run or not.
constexpr const char* kStandInNamespace = "default";

// The object without its field managers (a no-op apply leaves the rest as it was), keys sorted.
nlohmann::json comparable(Json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) obj["metadata"].erase("managedFields");
  return nlohmann::json(obj);
}

[[noreturn]] void refused(const std::string& ns, const std::string& name, const kube::Result& r) {
  if (r.conflict()) {
    std::cerr << "shopctl: applying ShopApp " << ns << "/" << name << ": " << r.message()
              << "\n(another field manager owns these fields; re-run with --force-conflicts to take them over)\n";
    throw ExitRequest{kUsage};
  }
  failRequest("applying ShopApp " + ns + "/" + name, r);
}

// Follows one ShopApp (as the apply returned it) until the operator reports this generation Ready (kOk) or Stalled
// (kFindings), or the deadline passes (kFindings); kRuntime when it is deleted meanwhile.
int waitFor(kube::Client& client, const Json& applied, std::chrono::steady_clock::time_point deadline,
            const std::string& timeoutText) {
  const std::string ns = applied["metadata"].value("namespace", "");
  const std::string name = applied["metadata"].value("name", "");
  const int64_t generation = applied["metadata"].value("generation", int64_t{0});
  ProgressView view(stdoutIsTerminal());
  const auto start = std::chrono::steady_clock::now();
  Json last = applied;
  while (true) {
    auto got = client.get(res::ShopApp, ns, name);
    if (got.notFound()) {
      view.finish();
      std::cerr << "shopctl: ShopApp " << ns << "/" << name << " was deleted while waiting\n";
      return kRuntime;
    }
    if (got.ok()) last = got.body;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WaitState st = waitState(last, generation);
    view.show(last, st, secs);
    if (st.done) {
      view.finish();
      if (st.ready) {
        std::cout << "ShopApp " << ns << "/" << name << " is Ready: " << st.message << " (" << static_cast<long>(secs)
                  << "s)\n";
        return kOk;
      }
      std::cerr << "shopctl: ShopApp " << ns << "/" << name << " is Stalled: " << st.reason << ": " << st.message << "\n";
      return kFindings;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      view.finish();
      std::cerr << "shopctl: timed out after " << timeoutText << " waiting for ShopApp " << ns << "/" << name
                << " to be Ready: " << st.blocking << "\n";
      return kFindings;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

void addApply(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "apply",
      "Apply a ShopApp to the cluster (server-side apply), and optionally wait until it is Ready\n\n"
      "The ShopApp is sent as written, with field manager shopctl; shop-operator does the rest.\n"
      "Its namespace is created first when it does not exist (the same Namespace object the\n"
      "operator applies, with its Pod Security labels). The file is validated first, so mistakes\n"
      "are reported with file:line:col before anything reaches the cluster; then the CRD is\n"
      "checked and the objects are tried as server-side dry runs, so a failure creates nothing.\n"
      "-n must agree with the file's metadata.namespace (as kubectl's); a file without one takes it.\n"
      "-f is repeatable and takes directories (their *.yaml, *.yml and *.json files, sorted), one\n"
      "ShopApp per file: every file is validated and every app tried as a dry run before the first\n"
      "is applied, so an error in any file applies nothing. They are applied in that order.\n\n"
      "With --wait, shopctl follows the ShopApp's status until the operator has observed this\n"
      "generation and reports Ready=True (exit 0), or Stalled=True (exit 1, with the reason), or\n"
      "the timeout passes (exit 1, with what it was waiting for). On a terminal the components are\n"
      "shown as a live table; elsewhere (CI logs) one line per change.\n\n"
      "--dry-run (kubectl's): client checks the file and renders it without a cluster, and prints\n"
      "what would be applied, `namespace/NS (dry run)` and `shopapp.shopctl.io/NAME (dry run)`\n"
      "(the Namespace is created only where it does not exist). server sends every write with\n"
      "dryRun=All, so the API server's admission, schema and CEL rules judge them and nothing is\n"
      "created: no Namespace, no ShopApp, so no Secrets either; it prints `... created|configured|\n"
      "unchanged (server dry run)`. A ShopApp for a namespace that does not exist yet is tried in\n"
      "namespace default (the API server refuses anything in a missing namespace, dry run or not).\n"
      "--dry-run alone means client. --wait does not go with a dry run.\n\n"
      "Examples:\n"
      "  shopctl apply -f shop.yaml\n"
      "  shopctl apply -f shop.yaml --wait                  # block until every component is ready\n"
      "  shopctl apply -f shop.yaml --wait --timeout 10m\n"
      "  shopctl apply -f shop.yaml -f blog.yaml --wait     # two apps; waits for both\n"
      "  shopctl apply -f apps/                             # every ShopApp file below apps/\n"
      "  shopctl apply -f shop.yaml --dry-run=server        # would the API server take it?\n"
      "  shopctl diff -f shop.yaml && echo up to date || shopctl apply -f shop.yaml --wait\n\n"
      "Exit status: 0 applied (and Ready with --wait; or a dry run passed), 1 Stalled or not Ready\n"
      "in time (any app), 2 invalid input, a field conflict or a dry run refused, 3 cluster or\n"
      "runtime error.");
  struct Opts {
    std::vector<std::string> files;
    std::string ns;
    bool wait = false;
    std::string timeout = "5m";
    bool forceConflicts = false;
    bool validate = true;
    std::string dryRun;
    ClusterFlags cluster;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-f,--filename", o->files,
                  "ShopApp file or directory ('-' for stdin); repeatable, each file one ShopApp")
      ->required();
  cmd->add_option("-n,--namespace", o->ns,
                  "Namespace for a ShopApp that names none (default: default); a file naming another is "
                  "refused, as kubectl does");
  cmd->add_flag("--wait", o->wait, "Wait until the operator reports each ShopApp Ready (or Stalled)");
  cmd->add_option("--timeout", o->timeout, "How long --wait waits: 90s, 5m, 1h30m (default 5m)");
  cmd->add_flag("--force-conflicts", o->forceConflicts,
                "Take over fields another field manager owns (as kubectl apply --server-side --force-conflicts)");
  cmd->add_option("--validate", o->validate,
                  "Validate the file first (default true); false sends it as is and lets the API server "
                  "and the operator judge it")
      ->default_str("true");
  auto* dryRunOpt = cmd->add_option("--dry-run", o->dryRun,
                                    "client: check and render, send nothing (no cluster needed); server: the API "
                                    "server checks every write and stores none (dryRun=All); none (default): apply")
                        ->expected(0, 1);
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o, dryRunOpt] {
    std::string mode = o->dryRun;
    if (!mode.empty() && mode[0] == '=') mode.erase(0, 1);
    if (dryRunOpt->count() > 0 && mode.empty()) {
      std::cerr << "shopctl apply: note: --dry-run without a value means --dry-run=client (nothing is sent; "
                   "--dry-run=server has the API server check it)\n";
      mode = "client";
    }
    if (mode == "none") mode.clear();
    if (!mode.empty() && mode != "client" && mode != "server") {
      std::cerr << "shopctl: --dry-run " << shop::quotedValue(mode) << ": expected client, server or none\n";
      throw ExitRequest{kUsage};
    }
    if (!mode.empty() && o->wait) {
      std::cerr << "shopctl: --wait does not go with --dry-run=" << mode
                << ": a dry run creates nothing for the operator to make Ready\n";
      throw ExitRequest{kUsage};
    }
    std::chrono::milliseconds timeout{};
    if (!parseDuration(o->timeout, timeout)) {
      std::cerr << "shopctl: --timeout " << shop::quotedValue(o->timeout) << ": expected a duration such as 90s, 5m or 1h30m\n";
      throw ExitRequest{kUsage};
    }
    // Every file first: all errors of all files are printed, and one is enough to apply nothing.
    const auto files = shopAppFiles(o->files);
    std::vector<LoadedApp> apps;
    std::vector<AppSource> sources;
    size_t bad = 0;
    for (const auto& file : files) {
      try {
        LoadedApp la = loadApp(file, o->ns, !o->validate);
        const std::string name = la.document["metadata"].value("name", "");
        if (name.empty()) {
          std::cerr << (file == "-" ? "<stdin>" : file) << ": error: metadata.name: the ShopApp has no name\n";
          ++bad;
          continue;
        }
        sources.push_back({file, la.document["metadata"].value("namespace", "default"), name});
        apps.push_back(std::move(la));
      } catch (const ExitRequest&) {
        ++bad;  // loadApp printed why
      }
    }
    refuseBadOrDuplicate("apply", "applied", bad, files.size(), sources);
    if (mode == "client") {
      // Parsed, validated (unless --validate=false) and rendered above or here; nothing is sent.
      std::set<std::string> namespaces;
      for (size_t i = 0; i < apps.size(); ++i) {
        const std::string& ns = sources[i].ns;
        if (namespaces.insert(ns).second) std::cout << "namespace/" << ns << " (dry run)\n";
        std::cout << gvkName("shopapp", "shopctl.io") << "/" << sources[i].name << " (dry run)\n";
      }
      std::cerr << "shopctl apply: client dry run: nothing was sent to a cluster. The Namespace is created only "
                   "where it does not exist";
      for (size_t i = 0; i < apps.size(); ++i)
        if (apps[i].app)
          std::cerr << (i ? "; " : "; shop-operator would then apply ") << render(*apps[i].app).objects.size()
                    << " objects" << (apps.size() > 1 ? " for " + sources[i].name : std::string()) << " (shopctl render -f "
                    << (sources[i].file == "-" ? std::string("FILE") : sources[i].file) << " lists them)";
      std::cerr << ".\n";
      return;
    }
    const bool serverDryRun = mode == "server";
    Cluster c = connectCluster(o->cluster, serverDryRun);
    kube::Client& client = *c.client;
    // Everything that can fail is asked before anything is created: the CRD, then for every app
    // the Namespace and the ShopApp as server-side dry runs (admission, RBAC, the CRD's schema and
    // rules).
    exitIfNoShopAppCrd(c);
    struct Plan {
      std::string ns, name;
      bool createNamespace = false;
      Json nsObj;
      Json dryApplied;  // the ShopApp as its dry run returned it (into an existing namespace)
    };
    std::vector<Plan> plans;
    for (size_t i = 0; i < apps.size(); ++i) {
      const LoadedApp& la = apps[i];
      Plan p{sources[i].ns, sources[i].name, false, Json(), Json()};
      auto nsGot = client.get(res::Namespace, "", p.ns);
      if (!nsGot.ok() && !nsGot.notFound()) failRequest("reading namespace " + p.ns, nsGot);
      p.createNamespace = nsGot.notFound();
      p.nsObj = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", p.ns}}}};
      if (p.createNamespace && la.app) {
        for (const auto& obj : render(*la.app).objects)
          if (obj.value("kind", "") == "Namespace") p.nsObj = obj;
      }
      if (p.createNamespace) {
        auto dry = client.apply(res::Namespace, "", p.ns, p.nsObj, "shopctl", false, true);
        if (!dry.ok()) failRequest("creating namespace " + p.ns + " (dry run; nothing was created)", dry);
      } else {
        // Into an existing namespace the ShopApp itself can be tried first.
        auto dry = client.apply(res::ShopApp, p.ns, p.name, la.document, "shopctl", o->forceConflicts, true);
        if (!dry.ok()) refused(p.ns, p.name, dry);
        p.dryApplied = std::move(dry.body);
      }
      plans.push_back(p);
    }

    if (serverDryRun) {
      // Every write a dry run (dryRun=All; the transport sends no other): the API server judges,
      // nothing is stored. The dry runs above passed; say what each would do.
      const std::string tag = " (server dry run)";
      std::set<std::string> namespaces;
      for (size_t i = 0; i < apps.size(); ++i) {
        const Plan& p = plans[i];
        const std::string app = gvkName("shopapp", "shopctl.io") + "/" + p.name;
        if (p.createNamespace) {
          if (namespaces.insert(p.ns).second) std::cout << "namespace/" << p.ns << " created" << tag << "\n";
          Json standIn = apps[i].document;
          standIn["metadata"]["namespace"] = kStandInNamespace;
          auto tried = client.createDryRun(res::ShopApp, kStandInNamespace, standIn);
          // 409 AlreadyExists comes after every check passed (a ShopApp of that name is there).
          if (!tried.ok() && !tried.conflict())
            failRequest("ShopApp " + p.ns + "/" + p.name + tag + ", tried in namespace " + kStandInNamespace +
                            " because " + p.ns + " does not exist yet",
                        tried);
          std::cout << app << " created" << tag << "\n";
          std::cerr << "shopctl apply: note: namespace " << p.ns << " does not exist yet, so the ShopApp was tried in "
                    << "namespace " << kStandInNamespace << " (its schema, CEL rules and size do not depend on the "
                    << "namespace; nothing was created)\n";
          continue;
        }
        auto before = client.get(res::ShopApp, p.ns, p.name);
        if (!before.ok() && !before.notFound()) failRequest("reading ShopApp " + p.ns + "/" + p.name, before);
        // The dry run above said what the apply would make of it.
        std::cout << app
                  << (!before.ok() ? " created"
                                   : comparable(before.body) == comparable(p.dryApplied) ? " unchanged" : " configured")
                  << tag << "\n";
      }
      return;
    }

    std::vector<Json> appliedApps;
    std::set<std::string> namespacesMade;  // by this run: a second app in it does not make it again
    for (size_t i = 0; i < apps.size(); ++i) {
      const Plan& p = plans[i];
      std::string createdUid;
      if (p.createNamespace && !namespacesMade.count(p.ns)) {
        auto made = client.apply(res::Namespace, "", p.ns, p.nsObj, "shopctl", false);
        if (!made.ok()) failRequest("creating namespace " + p.ns, made);
        createdUid = made.body["metadata"].value("uid", "");
        namespacesMade.insert(p.ns);
        std::cout << "namespace/" << p.ns << " created\n";
      }
      auto before = client.get(res::ShopApp, p.ns, p.name);
      if (!before.ok() && !before.notFound()) failRequest("reading ShopApp " + p.ns + "/" + p.name, before);
      auto applied = client.apply(res::ShopApp, p.ns, p.name, apps[i].document, "shopctl", o->forceConflicts);
      if (!applied.ok()) {
        // A namespace made a moment ago for this ShopApp goes again: a failed apply leaves nothing.
        if (!createdUid.empty()) {
          auto del = client.remove(res::Namespace, "", p.ns, "Background", createdUid);
          if (del.ok()) std::cout << "namespace/" << p.ns << " deleted again (the ShopApp was not applied)\n";
        }
        refused(p.ns, p.name, applied);
      }
      const std::string rvBefore = before.ok() ? before.body["metadata"].value("resourceVersion", "") : "";
      const std::string rvAfter = applied.body["metadata"].value("resourceVersion", "");
      std::cout << gvkName("shopapp", "shopctl.io") << "/" << p.name
                << (!before.ok() ? " created" : rvBefore == rvAfter ? " unchanged" : " configured") << "\n";
      appliedApps.push_back(applied.body);
    }
    if (!o->wait) return;

    // One deadline for all: the apps are followed one after the other.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int code = kOk;
    for (size_t i = 0; i < apps.size(); ++i)
      code = std::max(code, waitFor(client, appliedApps[i], deadline, o->timeout));
    if (code != kOk) throw ExitRequest{code};
  });
}

}  // namespace shop::cli
