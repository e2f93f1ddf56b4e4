#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>

#include "cli/common.hpp"
#include "core/model/parse.hpp"
#include "core/render/collisions.hpp"
#include "core/render/render.hpp"
#include "core/render/secret_value.hpp"
#include "core/util/text.hpp"

namespace shop::cli {

namespace {

const Json* findObject(const std::vector<Json>& objs, const char* kind, const std::string& name) {
  for (const auto& o : objs)
    if (o["kind"] == kind && o["metadata"]["name"] == name) return &o;
  return nullptr;
}

std::string pad(const std::string& s, size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); }

void printSummary(const ShopApp& app, const RenderResult& r) {
  std::cout << "ShopApp " << app.namespace_ << "/" << app.name << ": " << app.services.size() << " services, "
            << app.databases.size() << " databases, " << app.messaging.size() << " brokers -> " << r.objects.size()
            << " Kubernetes objects\n\n";
  std::cout << pad("COMPONENT", 16) << pad("KIND", 12) << pad("REPLICAS", 10) << pad("PDB", 6) << pad("CALLS", 34) << "IMAGE\n";
  // pdb: the budget's name (a service's versions share the service's); "" for the row's own.
  auto row = [&](const std::string& name, const std::string& kind, const std::string& image, const std::vector<std::string>& deps,
                 const std::string& pdb = "") {
    std::string replicas;
    const Json* hpa = findObject(r.objects, "HorizontalPodAutoscaler", name);
    const Json* w = findObject(r.objects, kind == "database" || kind == "broker" ? "StatefulSet" : "Deployment", name);
    if (hpa) {
      replicas = std::to_string((*hpa)["spec"]["minReplicas"].get<int>()) + ".." + std::to_string((*hpa)["spec"]["maxReplicas"].get<int>());
    } else if (w) {
      replicas = std::to_string((*w)["spec"]["replicas"].get<int>());
    }
    std::string calls;
    for (const auto& d : deps) calls += (calls.empty() ? "" : ",") + d;
    if (calls.size() > 32) calls = calls.substr(0, 29) + "...";
    std::cout << pad(name, 16) << pad(kind, 12) << pad(replicas, 10)
              << pad(findObject(r.objects, "PodDisruptionBudget", pdb.empty() ? name : pdb) ? "yes" : "-", 6) << pad(calls.empty() ? "-" : calls, 34)
              << image << "\n";
  };
  for (const auto& s : app.services) {
    if (s.versions.empty()) row(s.name, "service", s.image, s.dependsOn);
    for (const auto& v : s.versions) row(s.deploymentOf(v), "service", v.image, s.dependsOn, s.name);  // one row per version
  }
  for (const auto& d : app.databases) row(d.name, "database", d.image, {});
  for (const auto& d : app.messaging) row(d.name, "broker", d.image, {});
  std::map<std::string, int> kinds;
  for (const auto& o : r.objects) kinds[o["kind"].get<std::string>()]++;
  std::cout << "\nObjects:";
  for (const auto& [k, n] : kinds) std::cout << " " << k << "=" << n;
  std::cout << "\nHardening: Pod Security " << app.security.podSecurity << ", runAsUser " << app.security.runAsUser
            << ", read-only root filesystems, NetworkPolicies " << (app.security.networkPolicies ? "on" : "off") << ", mesh "
            << (app.mesh.enabled ? "on (mTLS " + app.mesh.mtls + ")" : std::string("off")) << ", gateway "
            << (app.gateway.enabled ? app.gateway.host + (app.gateway.tlsSecret ? " (TLS)" : "") : std::string("off")) << "\n";
  if (!r.secrets.empty()) {
    std::cout << "Secrets the app needs:";
    for (const auto& s : r.secrets) std::cout << " " << s.name << (s.generate ? "" : " (you create it)");
    std::cout << "\n  (shop-operator creates the others with random values; it never overwrites one)";
    std::cout << "\n";
  }
}

}  // namespace

void addRender(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "render",
      "Print the hardened Kubernetes objects of a ShopApp\n\n"
      "The output is exactly what shop-operator applies: same objects, same order, same bytes.\n"
      "-f is repeatable and takes directories (their *.yaml, *.yml and *.json files, sorted): each\n"
      "file holds one ShopApp, and their objects follow each other in that order (one YAML stream,\n"
      "documents separated by ---, or one List with -o json). Every file is checked before anything\n"
      "is printed: one error anywhere and nothing is rendered.\n"
      "Credentials are never invented silently: the Secrets an app needs are listed on stderr\n"
      "(the operator creates them in the cluster); --generate-secrets adds them with random values.\n\n"
      "Examples:\n"
      "  shopctl render -f shop.yaml                      # multi-document YAML on stdout\n"
      "  shopctl render -f shop.yaml -o json              # one List object\n"
      "  shopctl render -f shop.yaml -o summary           # what would be deployed, as a table\n"
      "  shopctl render -f shop.yaml -f blog.yaml         # two apps, one stream\n"
      "  shopctl render -f apps/                          # every ShopApp file below apps/\n"
      "  shopctl render -f shop.yaml --output-dir out/    # one file per object, in apply order\n"
      "  shopctl render -f shop.yaml --layout kustomize --output-dir deploy/shop   # a GitOps tree\n"
      "  shopctl render -f shop.yaml --layout kustomize --output-dir deploy/shop \\\n"
      "      --overlay prod --set 'services.*.replicas=3' --set gateway.host=shop.example.com\n"
      "  shopctl render -f shop.yaml | kubectl apply --server-side -f -\n\n"
      "Exit status: 0 rendered, 2 invalid input, 3 cannot write.");
  struct Opts {
    std::vector<std::string> files;
    std::string output = "yaml";
    std::string dir;
    std::string ns;
    bool generateSecrets = false;
    std::string layout = "files";
    std::string overlay;
    std::vector<std::string> sets;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-f,--filename", o->files,
                  "ShopApp file or directory ('-' for stdin); repeatable, each file one ShopApp")
      ->required();
  cmd->add_option("-o,--output", o->output, "Output format: yaml, json, or summary (a table for people)")
      ->check(CLI::IsMember({"yaml", "json", "summary"}));
  cmd->add_option("--output-dir", o->dir, "Write one file per object into this directory instead of stdout");
  cmd->add_option("-n,--namespace", o->ns,
                  "Namespace for a ShopApp that names none (default: default); a file naming another is "
                  "refused, as kubectl does");
  cmd->add_flag("--generate-secrets", o->generateSecrets,
                "Also render the Secrets the app needs, with random values (different on every run)");
  cmd->add_option("--layout", o->layout,
                  "With --output-dir: files (default; NNN-<kind>-<name>.yaml) or kustomize (<kind>-<name>.yaml "
                  "and a kustomization.yaml, ready to commit)")
      ->check(CLI::IsMember({"files", "kustomize"}));
  cmd->add_option("--overlay", o->overlay,
                  "With --layout kustomize: write DIR/base and DIR/overlays/NAME, patched with the --set values");
  cmd->add_option("--set", o->sets,
                  "With --overlay: PATH=VALUE under spec for the overlay (repeatable), e.g. services.*.replicas=3, "
                  "services.web.resources.limits.memory=1Gi, gateway.host=shop.example.com")
      ->allow_extra_args(false);
  cmd->callback([o] {
    if (o->layout == "kustomize" || !o->overlay.empty() || !o->sets.empty()) {
      if (o->layout != "kustomize" || o->output != "yaml" || o->generateSecrets || (!o->sets.empty() && o->overlay.empty())) {
        std::cerr << "shopctl: --overlay and --set need --layout kustomize, which writes YAML and no Secrets "
                     "(no -o json|summary, no --generate-secrets); --set needs --overlay\n";
        throw ExitRequest{kUsage};
      }
      const auto files = shopAppFiles(o->files);
      if (files.size() != 1) {
        std::cerr << "shopctl: --layout kustomize writes the tree of one ShopApp; -f names " << files.size()
                  << " files (" << describeInputs(o->files) << ")\n";
        throw ExitRequest{kUsage};
      }
      renderKustomizeLayout(files[0], o->ns, o->dir, o->overlay, o->sets);
      return;
    }
    // Every file is read and checked first: an error in any prints nothing on stdout.
    const auto files = shopAppFiles(o->files);
    std::vector<ShopApp> apps;
    std::vector<RenderResult> rendered;
    std::vector<AppSource> sources;
    size_t bad = 0;
    for (const auto& file : files) {
      if (auto why = unreadableReason(file); !why.empty()) {
        std::cerr << file << ": error: cannot read: " << why << "\n";
        ++bad;
        continue;
      }
      // Rendered once: the collision check (core/render/collisions) runs on this render; only
      // when it finds a clash is the file read again with the check on, for located errors.
      ParseOptions popts;
      popts.requestedNamespace = o->ns;
      popts.checkRendered = false;
      auto parsed = loadShopAppFile(file, popts);
      if (parsed.app) {
        RenderResult r = render(*parsed.app);
        if (checkRenderedObjects(*parsed.app, r.objects).hasErrors()) {
          popts.checkRendered = true;
          parsed = loadShopAppFile(file, popts);
        } else {
          rendered.push_back(std::move(r));
        }
      }
      printDiagnostics(parsed.diags);
      if (!parsed.app) {
        ++bad;
        continue;
      }
      sources.push_back({file, parsed.app->namespace_, parsed.app->name});
      apps.push_back(std::move(*parsed.app));
    }
    refuseBadOrDuplicate("render", "rendered", bad, files.size(), sources);
    if (o->output == "summary") {
      for (size_t i = 0; i < apps.size(); ++i) {
        if (i > 0) std::cout << "\n";
        printSummary(apps[i], rendered[i]);
      }
      return;
    }
    std::vector<Json> objects;
    for (size_t i = 0; i < apps.size(); ++i) {
      const ShopApp& shopApp = apps[i];
      RenderResult& r = rendered[i];
      std::vector<Json> own;
      if (o->generateSecrets) {
        for (const auto& s : r.secrets) {
          if (!s.generate) {
            std::cerr << "note: Secret " << shopApp.namespace_ << "/" << s.name
                      << " is not generated (credentials.generate is false): create it yourself\n";
            continue;
          }
          std::vector<std::pair<std::string, std::string>> values;
          for (const auto& k : s.keys) values.push_back({k.key, secretValue(k)});
          own.push_back(secretObject(shopApp, s, values));
        }
      } else {
        for (const auto& s : r.secrets) {
          std::string keys;
          for (const auto& k : s.keys) keys += (keys.empty() ? "" : ", ") + k.key;
          std::cerr << "note: Secret " << shopApp.namespace_ << "/" << s.name << " (keys: " << keys << ") must exist; "
                    << (s.generate ? "shop-operator creates it, or use --generate-secrets"
                                   : "create it yourself (credentials.generate is false)")
                    << "\n";
        }
      }
      own.insert(own.end(), std::make_move_iterator(r.objects.begin()), std::make_move_iterator(r.objects.end()));
      // Each app's objects in apply order; the apps in the order of -f.
      std::stable_sort(own.begin(), own.end(), [](const Json& a, const Json& b) {
        return kindRank(a["kind"].get<std::string>()) < kindRank(b["kind"].get<std::string>());
      });
      objects.insert(objects.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
    }
    if (!o->dir.empty()) {
      for (size_t i = 0; i < objects.size(); ++i) {
        const Json& obj = objects[i];
        char prefix[24];
        std::snprintf(prefix, sizeof prefix, "%03zu", i);
        std::string name = std::string(prefix) + "-" + lower(obj["kind"].get<std::string>()) + "-" +
                           obj["metadata"]["name"].get<std::string>();
        writeFile(o->dir + "/" + name + (o->output == "json" ? ".json" : ".yaml"),
                  o->output == "json" ? obj.dump(2) + "\n" : toYaml(obj));
      }
      std::cerr << "wrote " << objects.size() << " objects to " << o->dir << "\n";
      return;
    }
    if (o->output == "json") {
      Json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", objects}};
      std::cout << list.dump(2) << "\n";
    } else {
      std::cout << toYamlStream(objects);
    }
    keepUntilExit(std::move(objects));
    keepUntilExit(std::move(apps));
  });
}

}  // namespace shop::cli
