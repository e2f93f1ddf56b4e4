// shopctl diff: what would change, against a cluster (server-side dry run, as the operator
// applies) or against a GitOps directory (object by object).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include "core/util/match.hpp"
#include <set>

#include "cli/cluster.hpp"
#include "core/apply/intent.hpp"
#include "core/diff/kustomize.hpp"
#include "core/diff/objects.hpp"
#include "core/diff/unified.hpp"
#include "core/render/meta.hpp"
#include "core/render/render.hpp"
#include "kube/discovery.hpp"

namespace fs = std::filesystem;

namespace shop::cli {

namespace {

namespace res = kube::resources;
using diff::Action;
using diff::Entry;

struct DiffResult {
  std::vector<Entry> entries;
  std::vector<std::string> notes;   // printed on stderr, and in -o json
  std::vector<std::string> errors;  // the run fails (exit 3) after printing what it could
  std::string beforeDir = "LIVE", afterDir = "MERGED";  // for SHOPCTL_EXTERNAL_DIFF
};

Json normalized(const Json& obj) {
  return diff::withoutAnnotation(diff::stripServerFields(obj), apply::kHashAnnotation);
}

Entry makeEntry(const diff::ObjectKey& key, Json before, Json after, const std::string& beforeSource,
                const std::string& afterSource) {
  diff::maskSecrets(before, after);
  Entry e = diff::compareObject(key, before, after);
  e.beforeSource = beforeSource;
  e.afterSource = afterSource;
  return e;
}

// The kinds the operator prunes, from the apply intent it shares with this command.
std::vector<const kube::Resource*> prunableKinds(kube::Discovery& disc) {
  std::vector<const kube::Resource*> kinds;
  auto add = [&](const std::vector<apply::Kind>& ks) {
    for (const auto& k : ks)
      if (apply::isPrunableKind(k.kind))
        if (const auto* r = res::forKind(k.apiVersion, k.kind)) kinds.push_back(r);
  };
  add(apply::baseKinds());
  for (auto cap : {apply::Capability::Mesh, apply::Capability::Monitoring}) {
    bool present = true;
    for (const auto& k : apply::capabilityKinds(cap)) {
      const auto* r = res::forKind(k.apiVersion, k.kind);
      present = present && r && disc.has(*r, 0);
    }
    if (present) add(apply::capabilityKinds(cap));
  }
  return kinds;
}

DiffResult againstCluster(const LoadedApp& la, const ClusterFlags& flags, const std::string& fieldManager) {
  DiffResult out;
  const ShopApp& app = *la.app;
  Cluster c = connectCluster(flags);
  kube::Client& client = *c.client;
  kube::Discovery disc(c.transport);

  // The ShopApp in the cluster, if any: its uid makes the owner references the operator adds.
  Json liveApp;
  const bool crdInstalled = shopAppCrdInstalled(c);
  if (!crdInstalled) {
    // Without the CRD there is no operator at work; a tree applied without it (a GitOps tree,
    // `render | kubectl apply`) is still worth comparing, so this is said, not refused.
    out.notes.push_back(crdMissingMessage() + "\n  Comparing the rendered objects alone (as applying the rendered tree would).");
  }
  auto got = client.get(res::ShopApp, app.namespace_, app.name);
  if (got.ok()) {
    liveApp = got.body;
  } else if (got.code == 0) {
    failRequest("cannot reach the cluster", got);
  } else if (!got.notFound()) {
    failRequest("reading ShopApp " + app.namespace_ + "/" + app.name, got);
  } else if (crdInstalled) {  // (without it, the note above says so)
    out.notes.push_back("ShopApp " + app.namespace_ + "/" + app.name +
                        " is not in the cluster: comparing the rendered objects without owner references "
                        "(as applying the rendered tree would)");
  }
  const bool appExists = liveApp.is_object();

  // The ShopApp itself, as `shopctl apply` would apply it.
  if (appExists) {
    auto merged = client.apply(res::ShopApp, app.namespace_, app.name, la.document, "shopctl", true, true);
    if (merged.ok()) {
      out.entries.push_back(makeEntry(diff::keyOf(liveApp), normalized(liveApp), normalized(merged.body), "live", "merged"));
    } else {
      out.errors.push_back("ShopApp " + app.namespace_ + "/" + app.name + ": " + merged.message());
    }
  }

  RenderResult rendered = render(app);
  // Secrets the operator would create (never change) are listed with the objects, in apply order.
  std::vector<Json> desired = rendered.objects;
  std::set<std::string> pendingSecrets;
  for (const auto& s : rendered.secrets) {
    auto live = client.get(res::Secret, app.namespace_, s.name);
    if (live.ok()) continue;
    if (!live.notFound()) {
      out.errors.push_back("Secret " + app.namespace_ + "/" + s.name + ": " + live.message());
      continue;
    }
    if (!s.generate || !appExists) {
      out.notes.push_back("Secret " + app.namespace_ + "/" + s.name + " does not exist" +
                          (appExists ? " and credentials.generate is false: create it yourself (the operator waits, Stalled)"
                                     : ": without the ShopApp in the cluster no operator creates it; create it yourself"));
      continue;
    }
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& k : s.keys) values.push_back({k.key, "(random)"});
    desired.push_back(secretObject(app, s, values));
    pendingSecrets.insert(s.name);
  }
  std::stable_sort(desired.begin(), desired.end(), [](const Json& a, const Json& b) {
    return kindRank(a["kind"].get<std::string>()) < kindRank(b["kind"].get<std::string>());
  });

  bool namespaceMissing = false;
  size_t meshSkipped = 0;
  std::set<std::string> desiredKeys;
  for (const auto& o : desired) {
    const diff::ObjectKey key = diff::keyOf(o);
    desiredKeys.insert(key.kind + "/" + key.namespace_ + "/" + key.name);
    const kube::Resource* r = res::forObject(o);
    if (!r) {
      out.errors.push_back(key.str() + ": shopctl does not know the resource of " + o.value("apiVersion", ""));
      continue;
    }
    if (apply::capabilityOf(o) != apply::Capability::Always && !disc.has(*r, 0)) {
      ++meshSkipped;
      continue;
    }
    if (key.kind == "Secret" && pendingSecrets.count(key.name)) {
      out.entries.push_back(makeEntry(key, Json(), o, "absent", "created by the operator, random values"));
      continue;
    }
    auto live = client.get(*r, key.namespace_, key.name);
    if (!live.ok() && !live.notFound()) {
      out.errors.push_back(key.str() + ": " + live.message());
      continue;
    }
    if (key.kind == "Namespace" && live.notFound()) namespaceMissing = true;
    Json intent = apply::withOwnership(o, appExists ? liveApp : la.document, apply::isOwnedKind(key.kind) && appExists);
    // As the operator applies it: the shared Namespace under the app's own manager, unforced.
    const bool shared = apply::isShared(key.kind) && fieldManager == apply::kFieldManager;
    auto merged = shared ? client.apply(*r, key.namespace_, key.name, intent, apply::sharedFieldManager(app.name), false, true)
                         : client.apply(*r, key.namespace_, key.name, intent, fieldManager, true, true);
    Json after;
    if (merged.ok()) {
      after = merged.body;
    } else if (merged.notFound() && namespaceMissing && live.notFound()) {
      // A dry run cannot create into a namespace that does not exist yet (kubectl diff has the
      // same limit): show the object as it would be sent, without the server's defaults.
      after = intent;
    } else {
      out.errors.push_back(key.str() + ": " + merged.message());
      continue;
    }
    out.entries.push_back(makeEntry(key, live.ok() ? normalized(live.body) : Json(), normalized(after),
                                    live.ok() ? "live" : "absent", live.ok() ? "merged" : "created"));
  }
  if (namespaceMissing)
    out.notes.push_back("namespace " + app.namespace_ +
                        " does not exist yet: its objects are shown as rendered, without the API server's defaults");
  if (meshSkipped > 0)
    out.notes.push_back(std::to_string(meshSkipped) +
                        " mesh or monitoring object(s) not compared: their CRDs are not installed, so the operator "
                        "does not apply them either");

  // What the operator would prune: objects of this app it controls and no longer renders.
  if (appExists) {
    const std::string uid = liveApp["metadata"].value("uid", "");
    for (const auto* r : prunableKinds(disc)) {
      kube::ListOptions lo;
      lo.labelSelector = std::string(kAppLabel) + "=" + app.name;
      auto list = client.list(*r, app.namespace_, lo);
      if (!list.ok()) {
        out.errors.push_back("listing " + r->plural + ": " + list.message());
        continue;
      }
      for (auto& item : list.body["items"]) {
        item["apiVersion"] = r->apiVersion();
        item["kind"] = r->kind;
        bool ours = false;
        for (const auto& ref : item["metadata"].value("ownerReferences", Json::array()))
          ours |= ref.value("uid", "") == uid && ref.value("controller", false);
        const std::string k = r->kind + "/" + app.namespace_ + "/" + item["metadata"].value("name", "");
        if (!ours || desiredKeys.count(k)) continue;
        out.entries.push_back(makeEntry(diff::keyOf(item), normalized(item), Json(), "live", "pruned"));
      }
    }
  }
  return out;
}

// Objects of a GitOps directory (or a file, or "-"), with the file each came from.
struct Sourced {
  Json obj;
  std::string file;
};

void readManifests(const std::string& path, std::vector<Sourced>& out, Diagnostics& diags);

bool isKustomization(const Json& d) {
  return d.is_object() && d.value("kind", "") == "Kustomization" &&
         d.value("apiVersion", "").rfind("kustomize.config.k8s.io/", 0) == 0;
}

void readFileObjects(const std::string& file, std::vector<Sourced>& out, Diagnostics& diags) {
  auto loaded = loadYamlFile(file);
  if (!loaded.ok()) {
    diags.add(*loaded.error);
    return;
  }
  for (const auto& d : loaded.documents) {
    if (isKustomization(d.value)) continue;
    if (d.value.is_object() && d.value.value("kind", "") == "List" && d.value.contains("items")) {
      for (const auto& item : d.value["items"])
        if (diff::isObject(item)) out.push_back({item, file == "-" ? "stdin" : file});
      continue;
    }
    if (!diff::isObject(d.value)) {
      diags.add({Severity::Error, file, d.start, "", "not a Kubernetes object (apiVersion, kind and metadata.name are required)"});
      continue;
    }
    out.push_back({d.value, file == "-" ? "stdin" : file});
  }
}

// A directory with a kustomization.yaml: exactly the resources it lists. Transformations
// (patches, prefixes, generators...) need kustomize itself.
void readKustomization(const fs::path& dir, const fs::path& kfile, std::vector<Sourced>& out, Diagnostics& diags) {
  auto loaded = loadYamlFile(kfile.string());
  if (!loaded.ok() || loaded.documents.empty()) {
    if (loaded.error) diags.add(*loaded.error);
    return;
  }
  const Json& k = loaded.documents[0].value;
  static const std::set<std::string> plain = {"apiVersion", "kind", "resources", "sortOptions", "metadata"};
  for (auto it = k.begin(); it != k.end(); ++it) {
    if (plain.count(it.key())) continue;
    diags.add({Severity::Error, kfile.string(), loaded.documents[0].map.lookup(it.key()), it.key(),
               "kustomize transformations are not evaluated here; build the tree first: kubectl kustomize " +
                   dir.string() + " | shopctl diff -f APP --against -"});
    return;
  }
  for (const auto& r : k.value("resources", Json::array())) {
    if (!r.is_string()) continue;
    const std::string rs = r.get<std::string>();
    if (rs.find("://") != std::string::npos) {
      diags.add({Severity::Error, kfile.string(), {}, "resources", "remote resource " + rs + " is not supported"});
      continue;
    }
    readManifests((dir / rs).lexically_normal().string(), out, diags);
  }
}

void readManifests(const std::string& path, std::vector<Sourced>& out, Diagnostics& diags) {
  if (path == "-") {
    readFileObjects(path, out, diags);
    return;
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const char* name : {"kustomization.yaml", "kustomization.yml", "Kustomization"}) {
      if (fs::exists(fs::path(path) / name, ec)) {
        readKustomization(fs::path(path), fs::path(path) / name, out, diags);
        return;
      }
    }
    for (const auto& f : expandInputs({path}, diags)) readFileObjects(f, out, diags);
    return;
  }
  if (!fs::exists(path, ec)) {
    diags.add({Severity::Error, path, {}, "", "no such file or directory"});
    return;
  }
  readFileObjects(path, out, diags);
}

DiffResult againstDirectory(const LoadedApp& la, const std::string& path) {
  DiffResult out;
  out.beforeDir = "REPO";
  out.afterDir = "RENDERED";
  const ShopApp& app = *la.app;
  std::vector<Sourced> repo;
  Diagnostics diags;
  readManifests(path, repo, diags);
  printDiagnostics(diags);
  if (diags.hasErrors()) throw ExitRequest{kUsage};

  RenderResult rendered = render(app);
  std::vector<Json> after = rendered.objects;
  std::set<std::string> secretNames;
  for (const auto& s : rendered.secrets) secretNames.insert(s.name);
  std::vector<Json> before;
  std::vector<std::string> sources;
  bool repoHasApp = false;
  for (const auto& s : repo) {
    const diff::ObjectKey k = diff::keyOf(s.obj);
    if (k.kind == "Secret" && k.group.empty() && k.namespace_ == app.namespace_ && secretNames.count(k.name)) {
      out.notes.push_back("Secret " + k.namespace_ + "/" + k.name + " in " + s.file +
                          " is not compared: the app's credentials have random values");
      continue;
    }
    if (k.kind == "ShopApp" && k.group == "shopctl.io" && k.name == app.name && k.namespace_ == app.namespace_)
      repoHasApp = true;
    before.push_back(normalized(s.obj));
    sources.push_back(s.file);
  }
  if (repoHasApp) after.insert(after.begin(), normalized(la.document));

  diff::Comparison cmp = diff::compareSets(before, after);
  for (const auto& d : cmp.duplicates) out.notes.push_back(d.str() + " appears more than once in " + path + "; the last one counts");
  for (auto& e : cmp.entries) {
    std::string src = path == "-" ? "stdin" : path;
    for (size_t i = 0; i < before.size(); ++i)
      if (diff::keyOf(before[i]) == e.key) src = sources[i];
    const std::string from = e.action == Action::Create ? "not in " + (path == "-" ? std::string("stdin") : path) : src;
    const std::string to = e.action == Action::Delete ? "not rendered" : "rendered";
    out.entries.push_back(makeEntry(e.key, e.before, e.after, from, to));
  }
  return out;
}

std::string entryDiff(const Entry& e) {
  diff::UnifiedOptions uo;
  uo.fromLabel = e.key.str() + " (" + e.beforeSource + ")";
  uo.toLabel = e.key.str() + " (" + e.afterSource + ")";
  return diff::unifiedDiff(diff::objectText(e.before), diff::objectText(e.after), uo);
}

// SHOPCTL_EXTERNAL_DIFF="prog [args]": both sides written as kubectl diff does (one file per
// object, named <group.>version.kind.namespace.name, in two directories), then `prog args
// BEFORE AFTER`. Its exit status is ours.
int externalDiff(const std::string& spec, const DiffResult& r) {
  std::vector<std::string> words;
  size_t p = 0;
  while (p < spec.size()) {
    while (p < spec.size() && spec[p] == ' ') ++p;
    size_t q = spec.find(' ', p);
    if (p < spec.size()) words.push_back(spec.substr(p, q == std::string::npos ? std::string::npos : q - p));
    p = q == std::string::npos ? spec.size() : q;
  }
  if (words.empty()) return -1;
  for (size_t i = 1; i < words.size(); ++i)
    if (!match::safeWord(words[i])) {
      std::cerr << "shopctl: SHOPCTL_EXTERNAL_DIFF: argument \"" << words[i]
                << "\" is not allowed (letters, digits, '-' and '=' only, as for KUBECTL_EXTERNAL_DIFF)\n";
      return kUsage;
    }
  std::string tmpl = (fs::temp_directory_path() / "shopctl-diff-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::cerr << "shopctl: cannot create a temporary directory\n";
    return kRuntime;
  }
  const fs::path root(tmpl), b = root / r.beforeDir, a = root / r.afterDir;
  fs::create_directories(b);
  fs::create_directories(a);
  for (const auto& e : r.entries) {
    if (!e.before.is_null()) std::ofstream(b / e.key.fileName()) << diff::objectText(e.before);
    if (!e.after.is_null()) std::ofstream(a / e.key.fileName()) << diff::objectText(e.after);
  }
  std::cout.flush();
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    std::string bs = b.string(), as = a.string();
    argv.push_back(bs.data());
    argv.push_back(as.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::cerr << "shopctl: cannot run SHOPCTL_EXTERNAL_DIFF program " << words[0] << ": " << std::strerror(errno) << "\n";
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) status = -1;
  std::error_code ec;
  fs::remove_all(root, ec);
  if (status < 0 || !WIFEXITED(status)) return kRuntime;
  const int code = WEXITSTATUS(status);
  return code == 127 ? kRuntime : code;
}

Json changeJson(const diff::FieldChange& c) {
  Json j = {{"path", c.path}, {"op", !c.inBefore ? "add" : !c.inAfter ? "remove" : "replace"}};
  if (c.inBefore) j["before"] = c.before;
  if (c.inAfter) j["after"] = c.after;
  return j;
}

}  // namespace

void addDiff(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "diff",
      "Show what would change: against a cluster, or against a GitOps directory\n\n"
      "Against a cluster (the default), every object the ShopApp renders is sent as a server-side\n"
      "dry run, exactly as shop-operator applies it (field manager shop-operator, owner references\n"
      "to the live ShopApp), and the result is compared with the live object. Objects that would be\n"
      "created, and objects the operator would prune, are listed too. What the server owns\n"
      "(managedFields, status, resourceVersion, uid, generation, creationTimestamp) and the\n"
      "operator's shopctl.io/applied-hash annotation (a checksum of the rest) are left out. Secret\n"
      "values are never printed: they read ***, or *** (before) / *** (after) when they differ.\n\n"
      "Against a directory, the rendered objects are compared with the files of a tree written by\n"
      "`shopctl render --layout kustomize` (its kustomization.yaml says which files count), or with\n"
      "any directory or file of manifests ('-' reads stdin).\n\n"
      "Against a cluster, -f is repeatable and takes directories (their *.yaml, *.yml and *.json\n"
      "files, sorted), one ShopApp per file: every file is checked first, then each app is compared\n"
      "in that order, with one summary (and with -o json, a JSON array of one document per app).\n\n"
      "Examples:\n"
      "  shopctl diff -f shop.yaml                              # what the operator would change\n"
      "  shopctl diff -f shop.yaml --against deploy/shop         # is the committed tree up to date?\n"
      "  shopctl diff -f apps/                                  # every ShopApp file below apps/\n"
      "  kubectl kustomize deploy/overlays/prod | shopctl diff -f shop.yaml --against - --set 'services.*.replicas=3'\n"
      "  shopctl diff -f shop.yaml -o json | jq '.objects[].changes'\n"
      "  SHOPCTL_EXTERNAL_DIFF=\"meld\" shopctl diff -f shop.yaml  # your own diff program\n"
      "  shopctl diff -f shop.yaml --field-manager kubectl       # as `kubectl apply --server-side` would\n\n"
      "Output: a unified diff per object (coloured on a terminal), headed by its kind, namespace\n"
      "and name; a summary on stderr. SHOPCTL_EXTERNAL_DIFF runs another program on two\n"
      "directories (one file per object, named like kubectl diff's).\n\n"
      "Exit status (as kubectl diff): 0 no differences, 1 differences, 2 invalid input,\n"
      "3 cluster or runtime error.");
  struct Opts {
    std::vector<std::string> files;
    std::string against = "cluster";
    std::string output = "unified";
    std::string ns;
    std::string fieldManager = apply::kFieldManager;
    std::vector<std::string> sets;
    ClusterFlags cluster;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-f,--filename", o->files,
                  "ShopApp file or directory ('-' for stdin); repeatable against a cluster, each file one ShopApp")
      ->required();
  cmd->add_option("--against", o->against, "cluster (default), or a directory or file of manifests ('-' for stdin)");
  cmd->add_option("-o,--output", o->output, "unified (default) or json")->check(CLI::IsMember({"unified", "json"}));
  cmd->add_option("-n,--namespace", o->ns,
                  "Namespace for a ShopApp that names none (default: default); a file naming another is "
                  "refused, as kubectl does");
  cmd->add_option("--field-manager", o->fieldManager,
                  "Field manager of the dry run (default shop-operator; kubectl, kustomize-controller, "
                  "argocd-controller for trees applied by those)");
  cmd->add_option("--set", o->sets,
                  "PATH=VALUE under spec, as for `render --overlay` (repeatable): compare an overlay with the app "
                  "rendered with the same values")
      ->allow_extra_args(false);
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o] {
    const auto files = shopAppFiles(o->files);
    if (files.size() > 1 && (o->against != "cluster" || !o->sets.empty())) {
      std::cerr << "shopctl: --against DIR and --set compare one ShopApp; -f names " << files.size() << " files ("
                << describeInputs(o->files) << ")\n";
      throw ExitRequest{kUsage};
    }
    if (o->against == "-" && files[0] == "-") {
      std::cerr << "shopctl: -f and --against cannot both read stdin\n";
      throw ExitRequest{kUsage};
    }
    // Every file first: all errors of all files are printed, and one is enough to compare nothing.
    std::vector<LoadedApp> apps;
    std::vector<AppSource> sources;
    size_t bad = 0;
    for (const auto& file : files) {
      try {
        apps.push_back(loadApp(file, o->ns));
        sources.push_back({file, apps.back().app->namespace_, apps.back().app->name});
      } catch (const ExitRequest&) {
        ++bad;  // loadApp printed why
      }
    }
    refuseBadOrDuplicate("diff", "compared", bad, files.size(), sources);
    if (!o->sets.empty()) {
      LoadedApp& la = apps[0];
      for (const auto& s : o->sets) {
        std::string err = diff::applySet(la.document, s);
        if (!err.empty()) {
          std::cerr << "shopctl: " << err << "\n";
          throw ExitRequest{kUsage};
        }
      }
      ParseOptions po;
      po.defaultNamespace = la.document["metadata"].value("namespace", "default");
      ParseResult parsed = parseShopApp(la.document, po);
      printDiagnostics(parsed.diags);
      if (!parsed.app) throw ExitRequest{kUsage};
      la.app = parsed.app;
    }
    std::vector<DiffResult> results;
    for (const auto& la : apps)
      results.push_back(o->against == "cluster" ? againstCluster(la, o->cluster, o->fieldManager)
                                                : againstDirectory(la, o->against));
    diff::Comparison cmp;
    std::vector<std::string> notes, errors;
    for (const auto& r : results) {
      cmp.entries.insert(cmp.entries.end(), r.entries.begin(), r.entries.end());
      for (const auto& n : r.notes)  // (the CRD note comes once per app)
        if (std::find(notes.begin(), notes.end(), n) == notes.end()) notes.push_back(n);
      errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    }
    const bool differs = cmp.differs();
    for (const auto& n : notes) std::cerr << "note: " << n << "\n";

    int code = differs ? kFindings : kOk;
    if (o->output == "json") {
      Json docs = Json::array();
      for (size_t i = 0; i < results.size(); ++i) {
        const DiffResult& r = results[i];
        diff::Comparison own;
        own.entries = r.entries;
        Json objs = Json::array();
        for (const auto& e : r.entries) {
          if (e.action == Action::Unchanged) continue;
          Json j = {{"apiVersion", e.key.apiVersion()}, {"kind", e.key.kind}};
          if (!e.key.namespace_.empty()) j["namespace"] = e.key.namespace_;
          j["name"] = e.key.name;
          j["action"] = diff::actionName(e.action);
          j["before"] = e.beforeSource;
          j["after"] = e.afterSource;
          if (e.action == Action::Change) {
            j["changes"] = Json::array();
            for (const auto& c : e.changes) j["changes"].push_back(changeJson(c));
          }
          j["diff"] = entryDiff(e);
          objs.push_back(j);
        }
        docs.push_back({{"against", o->against},
                        {"app", {{"namespace", apps[i].app->namespace_}, {"name", apps[i].app->name}}},
                        {"differences", own.differs()},
                        {"summary",
                         {{"create", own.count(Action::Create)},
                          {"change", own.count(Action::Change)},
                          {"delete", own.count(Action::Delete)},
                          {"unchanged", own.count(Action::Unchanged)}}},
                        {"objects", objs},
                        {"notes", r.notes},
                        {"errors", r.errors}});
      }
      // One app: its document, as always; several: an array of them, in the order of -f.
      std::cout << (docs.size() == 1 ? docs[0] : docs).dump(2) << "\n";
    } else if (const char* ext = std::getenv("SHOPCTL_EXTERNAL_DIFF"); ext && *ext) {
      DiffResult all;
      all.entries = cmp.entries;
      all.beforeDir = results[0].beforeDir;
      all.afterDir = results[0].afterDir;
      code = externalDiff(ext, all);
      if (code < 0) code = differs ? kFindings : kOk;
    } else {
      const bool color = stdoutIsTerminal();
      for (const auto& e : cmp.entries) {
        if (e.action == Action::Unchanged) continue;
        const std::string d = entryDiff(e);
        std::cout << (color ? diff::colorizeUnified(d) + "\n" : d);
      }
    }
    if (o->output != "json") {
      const bool cluster = o->against == "cluster";
      const std::string apps_ = apps.size() > 1 ? " in " + std::to_string(apps.size()) + " ShopApps" : "";
      if (differs) {
        std::cerr << (cmp.count(Action::Create) + cmp.count(Action::Change) + cmp.count(Action::Delete))
                  << " object(s) differ" << apps_ << ": " << cmp.count(Action::Create) << " to create, "
                  << cmp.count(Action::Change) << " to change, " << cmp.count(Action::Delete)
                  << (cluster ? " to prune" : " to remove") << " (" << cmp.count(Action::Unchanged) << " unchanged)\n";
      } else if (errors.empty()) {
        std::cerr << "no differences (" << cmp.count(Action::Unchanged) << " objects compared" << apps_ << ")\n";
      }
    }
    for (const auto& e : errors) std::cerr << "shopctl: error: " << e << "\n";
    if (!errors.empty()) code = kRuntime;
    throw ExitRequest{code};
  });
}

}  // namespace shop::cli
