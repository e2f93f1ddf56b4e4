// shopctl delete: the ShopApp (its children go with it, by their owner references); --purge also
// the data (PVCs) and the credentials shop-operator generated, which deleting the ShopApp keeps.
#include "cli/delete.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <thread>
#include <tuple>

#include "cli/cluster.hpp"
#include "core/render/meta.hpp"
#include "core/util/text.hpp"

namespace shop::cli {

std::string purgeRefusal(bool purge, bool yes, bool stdinIsTerminal) {
  if (!purge || yes || stdinIsTerminal) return "";
  return "--purge deletes the app's data (PersistentVolumeClaims) and generated credentials (Secrets) for good; "
         "stdin is not a terminal, so shopctl cannot ask: add --yes to confirm";
}

namespace {

std::string label(const Json& obj, const std::string& key) {
  return obj.value("metadata", Json::object()).value("labels", Json::object()).value(key, "");
}

}  // namespace

bool generatedSecretOf(const Json& secret, const std::string& app) {
  if (label(secret, kAppLabel) != app || label(secret, "app.kubernetes.io/component") != "credentials") return false;
  for (const auto& m : secret.value("metadata", Json::object()).value("managedFields", Json::array()))
    if (m.is_object() && m.value("manager", "") == kOperatorManager) return true;
  return false;
}

bool claimOf(const Json& pvc, const std::string& app) {
  return label(pvc, kAppLabel) == app && label(pvc, "app.kubernetes.io/managed-by") == kManagedBy;
}

bool confirmed(const std::string& answer) {
  std::string a;
  for (char c : answer)
    if (!std::isspace(static_cast<unsigned char>(c))) a += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return a == "y" || a == "yes";
}

namespace {

namespace res = kube::resources;

// NAME and NAMESPACE of the ShopApp in a file: metadata only (a file that no longer validates
// can still name what to delete); loadAppDocument checks -n against it, as everywhere.
std::pair<std::string, std::string> appFromFile(const std::string& file, const std::string& requestedNs) {
  const YamlDocument doc = loadAppDocument(file, requestedNs);
  const Json meta = doc.value.is_object() ? doc.value.value("metadata", Json::object()) : Json::object();
  const Json kind = doc.value.is_object() ? doc.value.value("kind", Json()) : Json();
  Diagnostic d;
  if (!kind.is_string() || kind.get<std::string>() != kKind) {
    d = {Severity::Error, "", {}, "kind", "expected a ShopApp"};
  } else if (!meta.is_object() || !meta.contains("name") || !meta["name"].is_string()) {
    d = {Severity::Error, "", {}, "metadata.name", "is required"};
  } else {
    // As apply has it: a file without a namespace goes to -n, else "default".
    const std::string ns = meta.contains("namespace") && meta["namespace"].is_string() ? meta["namespace"].get<std::string>() : "";
    return {meta["name"].get<std::string>(), !ns.empty() ? ns : !requestedNs.empty() ? requestedNs : "default"};
  }
  locate(d, doc);
  Diagnostics diags;
  diags.add(d);
  printDiagnostics(diags);
  throw ExitRequest{kUsage};
}

std::string names(const std::vector<Json>& objs) {
  std::string s;
  for (const auto& o : objs) s += (s.empty() ? "" : ", ") + o["metadata"].value("name", "");
  return s;
}

}  // namespace

void addDelete(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "delete",
      "Delete a ShopApp; with --purge also its data and generated credentials\n\n"
      "Deleting the ShopApp deletes everything shop-operator made for it (Deployments,\n"
      "StatefulSets, Services, ConfigMaps, policies...: they carry its owner reference, and the\n"
      "garbage collector removes them). Kept, as with kubectl delete: the PersistentVolumeClaims\n"
      "(the databases' data), the Secrets the operator generated (credentials that data was made\n"
      "with), your own Secrets, and the Namespace.\n\n"
      "--purge also deletes the app's PVCs and the Secrets shop-operator generated for it (labelled\n"
      "as the app's credentials and written by the operator); never a Secret you made. It asks\n"
      "first on a terminal ([y/N]); elsewhere it needs --yes.\n\n"
      "Examples:\n"
      "  shopctl delete sock-shop -n sock-shop\n"
      "  shopctl delete -f shop.yaml --wait                # until the app and its objects are gone\n"
      "  shopctl delete -f shop.yaml --purge               # asks before deleting data\n"
      "  shopctl delete sock-shop -n sock-shop --purge --yes --wait --timeout 5m\n\n"
      "Exit status: 0 deleted (and gone, with --wait), 1 not found or not gone in time,\n"
      "2 usage or input error (--purge without --yes and no terminal), 3 cluster error.");
  struct Opts {
    std::string name;
    std::string file;
    std::string ns;
    bool purge = false;
    bool yes = false;
    bool wait = false;
    std::string timeout = "5m";
    ClusterFlags cluster;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("name", o->name, "The ShopApp to delete (or -f FILE)");
  cmd->add_option("-f,--filename", o->file, "The ShopApp file naming the app to delete ('-' for stdin)");
  cmd->add_option("-n,--namespace", o->ns,
                  "Namespace (default: the kubeconfig context's; with -f, the file's, else default, and -n must not name another)");
  cmd->add_flag("--purge", o->purge, "Also delete the app's PVCs (its data) and the Secrets shop-operator generated");
  cmd->add_flag("-y,--yes", o->yes, "Do not ask before --purge");
  cmd->add_flag("--wait", o->wait, "Wait until the ShopApp and the objects it owns (and, with --purge, the PVCs and Secrets) are gone");
  cmd->add_option("--timeout", o->timeout, "How long --wait waits: 90s, 5m, 1h30m (default 5m)");
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o] {
    if (o->name.empty() == o->file.empty()) {
      std::cerr << "shopctl: delete takes a ShopApp name or -f FILE (one of them)\n";
      throw ExitRequest{kUsage};
    }
    std::chrono::milliseconds timeout{};
    if (!parseDuration(o->timeout, timeout)) {
      std::cerr << "shopctl: --timeout " << shop::quotedValue(o->timeout) << ": expected a duration such as 90s, 5m or 1h30m\n";
      throw ExitRequest{kUsage};
    }
    const bool tty = ::isatty(0);
    if (auto why = purgeRefusal(o->purge, o->yes, tty); !why.empty()) {
      std::cerr << "shopctl: " << why << "\n";
      throw ExitRequest{kUsage};
    }
    std::string name = o->name, ns = o->ns;
    if (!o->file.empty()) std::tie(name, ns) = appFromFile(o->file, o->ns);

    Cluster c = connectCluster(o->cluster);
    kube::Client& client = *c.client;
    if (ns.empty()) ns = c.config.namespace_;
    exitIfNoShopAppCrd(c);
    auto got = client.get(res::ShopApp, ns, name);
    if (got.notFound()) {
      std::cerr << "shopctl: ShopApp " << ns << "/" << name << " not found\n";
      throw ExitRequest{kFindings};
    }
    if (!got.ok()) failRequest("reading ShopApp " + ns + "/" + name, got);
    const std::string uid = got.body["metadata"].value("uid", "");

    std::vector<Json> claims, secrets;
    if (o->purge) {
      kube::ListOptions lo;
      lo.labelSelector = std::string(kAppLabel) + "=" + name;
      auto pvcs = client.list(res::PersistentVolumeClaim, ns, lo);
      if (!pvcs.ok()) failRequest("listing the PersistentVolumeClaims of " + ns + "/" + name, pvcs);
      for (const auto& p : pvcs.body["items"])
        if (claimOf(p, name)) claims.push_back(p);
      auto secs = client.list(res::Secret, ns, lo);
      if (!secs.ok()) failRequest("listing the Secrets of " + ns + "/" + name, secs);
      for (const auto& s : secs.body["items"])
        if (generatedSecretOf(s, name)) secrets.push_back(s);
      if (!o->yes) {
        std::cerr << "This deletes ShopApp " << ns << "/" << name << " and, for good:\n"
                  << "  PersistentVolumeClaims (data): " << (claims.empty() ? "none" : names(claims)) << "\n"
                  << "  Secrets shop-operator generated: " << (secrets.empty() ? "none" : names(secrets)) << "\n"
                  << "Delete? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (!confirmed(answer)) {
          std::cerr << "shopctl: nothing deleted\n";
          throw ExitRequest{kFindings};
        }
      }
    }

    // --wait: foreground deletion, so the ShopApp is gone only once the garbage collector has
    // removed every object it owns (the operator's owner references block its deletion).
    auto del = client.remove(res::ShopApp, ns, name, o->wait ? "Foreground" : "Background", uid);
    if (del.notFound()) {
      std::cerr << "shopctl: ShopApp " << ns << "/" << name << " not found (deleted meanwhile)\n";
      throw ExitRequest{kFindings};
    }
    if (!del.ok()) failRequest("deleting ShopApp " + ns + "/" + name, del);
    std::cout << "shopapp.shopctl.io \"" << name << "\" deleted\n";
    struct Gone {
      const kube::Resource* r;
      std::string name;
    };
    std::vector<Gone> pending = {{&res::ShopApp, name}};
    auto purge = [&](const kube::Resource& r, const char* what, const std::vector<Json>& objs) {
      for (const auto& obj : objs) {
        const std::string n = obj["metadata"].value("name", "");
        auto d = client.remove(r, ns, n, "Background", obj["metadata"].value("uid", ""));
        if (!d.ok() && !d.notFound()) failRequest(std::string("deleting ") + r.kind + " " + ns + "/" + n, d);
        std::cout << what << " \"" << n << "\" deleted\n";
        pending.push_back({&r, n});
      }
    };
    purge(res::PersistentVolumeClaim, "persistentvolumeclaim", claims);
    purge(res::Secret, "secret", secrets);
    if (!o->wait) return;

    const auto start = std::chrono::steady_clock::now();
    while (true) {
      std::vector<std::string> left;
      for (const auto& g : pending) {
        auto r = client.get(*g.r, ns, g.name);
        if (r.notFound()) continue;
        if (!r.ok()) failRequest("reading " + g.r->kind + " " + ns + "/" + g.name, r);
        left.push_back(g.r->kind + "/" + g.name);
      }
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
      if (left.empty()) {
        std::cout << "ShopApp " << ns << "/" << name << (o->purge ? ", its objects, PVCs and Secrets" : " and its objects")
                  << " are gone (" << secs << "s)\n";
        return;
      }
      if (std::chrono::steady_clock::now() - start >= timeout) {
        std::string l;
        for (const auto& x : left) l += (l.empty() ? "" : ", ") + x;
        std::cerr << "shopctl: timed out after " << o->timeout << " waiting for the deletion; still there: " << l
                  << (left[0].rfind("ShopApp/", 0) == 0 ? " (a ShopApp stays until the garbage collector has deleted the objects it owns)" : "")
                  << "\n";
        throw ExitRequest{kFindings};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
}

}  // namespace shop::cli
