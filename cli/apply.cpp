// shopctl apply: server-side apply of the ShopApp itself, and optionally wait until the
// operator reports it Ready (or Stalled).
#include <thread>

#include "cli/cluster.hpp"
#include "cli/progress.hpp"
#include "core/util/text.hpp"
#include "core/render/render.hpp"

namespace shop::cli {

namespace {

namespace res = kube::resources;

std::string gvkName(const std::string& plural, const std::string& group) { return plural + "." + group; }

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
      "-n must agree with the file's metadata.namespace (as kubectl's); a file without one takes it.\n\n"
      "With --wait, shopctl follows the ShopApp's status until the operator has observed this\n"
      "generation and reports Ready=True (exit 0), or Stalled=True (exit 1, with the reason), or\n"
      "the timeout passes (exit 1, with what it was waiting for). On a terminal the components are\n"
      "shown as a live table; elsewhere (CI logs) one line per change.\n\n"
      "Examples:\n"
      "  shopctl apply -f shop.yaml\n"
      "  shopctl apply -f shop.yaml --wait                  # block until every component is ready\n"
      "  shopctl apply -f shop.yaml --wait --timeout 10m\n"
      "  shopctl diff -f shop.yaml && echo up to date || shopctl apply -f shop.yaml --wait\n\n"
      "Exit status: 0 applied (and Ready with --wait), 1 Stalled or not Ready in time,\n"
      "2 invalid input or a field conflict, 3 cluster or runtime error.");
  struct Opts {
    std::string file;
    std::string ns;
    bool wait = false;
    std::string timeout = "5m";
    bool forceConflicts = false;
    bool validate = true;
    ClusterFlags cluster;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-f,--filename", o->file, "The ShopApp file ('-' for stdin)")->required();
  cmd->add_option("-n,--namespace", o->ns,
                  "Namespace for a ShopApp that names none (default: default); a file naming another is "
                  "refused, as kubectl does");
  cmd->add_flag("--wait", o->wait, "Wait until the operator reports the ShopApp Ready (or Stalled)");
  cmd->add_option("--timeout", o->timeout, "How long --wait waits: 90s, 5m, 1h30m (default 5m)");
  cmd->add_flag("--force-conflicts", o->forceConflicts,
                "Take over fields another field manager owns (as kubectl apply --server-side --force-conflicts)");
  cmd->add_option("--validate", o->validate,
                  "Validate the file first (default true); false sends it as is and lets the API server "
                  "and the operator judge it")
      ->default_str("true");
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o] {
    std::chrono::milliseconds timeout{};
    if (!parseDuration(o->timeout, timeout)) {
      std::cerr << "shopctl: --timeout " << shop::quotedValue(o->timeout) << ": expected a duration such as 90s, 5m or 1h30m\n";
      throw ExitRequest{kUsage};
    }
    LoadedApp la = loadApp(o->file, o->ns, !o->validate);
    const std::string ns = la.document["metadata"].value("namespace", "default");
    const std::string name = la.document["metadata"].value("name", "");
    if (name.empty()) {
      std::cerr << "shopctl: the ShopApp has no metadata.name\n";
      throw ExitRequest{kUsage};
    }
    Cluster c = connectCluster(o->cluster);
    kube::Client& client = *c.client;
    // Everything that can fail is asked before anything is created: the CRD, then the Namespace
    // and the ShopApp as server-side dry runs (admission, RBAC, the CRD's schema and rules).
    exitIfNoShopAppCrd(c);
    auto nsGot = client.get(res::Namespace, "", ns);
    if (!nsGot.ok() && !nsGot.notFound()) failRequest("reading namespace " + ns, nsGot);
    const bool createNamespace = nsGot.notFound();
    Json nsObj = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
    if (createNamespace && la.app) {
      for (const auto& obj : render(*la.app).objects)
        if (obj.value("kind", "") == "Namespace") nsObj = obj;
    }
    auto refused = [&](const kube::Result& r) {
      if (r.conflict()) {
        std::cerr << "shopctl: applying ShopApp " << ns << "/" << name << ": " << r.message()
                  << "\n(another field manager owns these fields; re-run with --force-conflicts to take them over)\n";
        throw ExitRequest{kUsage};
      }
      failRequest("applying ShopApp " + ns + "/" + name, r);
    };
    if (createNamespace) {
      auto dry = client.apply(res::Namespace, "", ns, nsObj, "shopctl", false, true);
      if (!dry.ok()) failRequest("creating namespace " + ns + " (dry run; nothing was created)", dry);
    } else {
      // Into an existing namespace the ShopApp itself can be tried first.
      auto dry = client.apply(res::ShopApp, ns, name, la.document, "shopctl", o->forceConflicts, true);
      if (!dry.ok()) refused(dry);
    }

    std::string createdUid;
    if (createNamespace) {
      auto made = client.apply(res::Namespace, "", ns, nsObj, "shopctl", false);
      if (!made.ok()) failRequest("creating namespace " + ns, made);
      createdUid = made.body["metadata"].value("uid", "");
      std::cout << "namespace/" << ns << " created\n";
    }

    auto before = client.get(res::ShopApp, ns, name);
    if (!before.ok() && !before.notFound()) failRequest("reading ShopApp " + ns + "/" + name, before);
    auto applied = client.apply(res::ShopApp, ns, name, la.document, "shopctl", o->forceConflicts);
    if (!applied.ok()) {
      // A namespace made a moment ago for this ShopApp goes again: a failed apply leaves nothing.
      if (!createdUid.empty()) {
        auto del = client.remove(res::Namespace, "", ns, "Background", createdUid);
        if (del.ok()) std::cout << "namespace/" << ns << " deleted again (the ShopApp was not applied)\n";
      }
      refused(applied);
    }
    const std::string rvBefore = before.ok() ? before.body["metadata"].value("resourceVersion", "") : "";
    const std::string rvAfter = applied.body["metadata"].value("resourceVersion", "");
    std::cout << gvkName("shopapp", "shopctl.io") << "/" << name
              << (!before.ok() ? " created" : rvBefore == rvAfter ? " unchanged" : " configured") << "\n";
    if (!o->wait) return;

    const int64_t generation = applied.body["metadata"].value("generation", int64_t{0});
    ProgressView view(stdoutIsTerminal());
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + timeout;
    Json last = applied.body;
    while (true) {
      auto got = client.get(res::ShopApp, ns, name);
      if (got.notFound()) {
        view.finish();
        std::cerr << "shopctl: ShopApp " << ns << "/" << name << " was deleted while waiting\n";
        throw ExitRequest{kRuntime};
      }
      if (got.ok()) last = got.body;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      WaitState st = waitState(last, generation);
      view.show(last, st, secs);
      if (st.done) {
        view.finish();
        if (st.ready) {
          std::cout << "ShopApp " << ns << "/" << name << " is Ready: " << st.message << " ("
                    << static_cast<long>(secs) << "s)\n";
          return;
        }
        std::cerr << "shopctl: ShopApp " << ns << "/" << name << " is Stalled: " << st.reason << ": " << st.message << "\n";
        throw ExitRequest{kFindings};
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        view.finish();
        std::cerr << "shopctl: timed out after " << o->timeout << " waiting for ShopApp " << ns << "/" << name
                  << " to be Ready: " << st.blocking << "\n";
        throw ExitRequest{kFindings};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
}

}  // namespace shop::cli
