#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>

#include "cli/common.hpp"
#include "core/model/parse.hpp"
#include "core/render/render.hpp"

namespace shop::cli {

namespace {

std::string randomString(size_t n, const std::string& alphabet) {
  std::random_device rd;  // /dev/urandom on Linux
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[pick(rd)];
  return s;
}

std::string secretValue(const SecretKeySpec& k) {
  static const std::string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  switch (k.kind) {
    case SecretKeySpec::Keyfile: return randomString(64, alnum);
    case SecretKeySpec::Token: return "u" + randomString(11, "abcdefghijklmnopqrstuvwxyz0123456789");
    default: return randomString(32, alnum);
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

void addRender(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "render",
      "Print the hardened Kubernetes objects of a ShopApp\n\n"
      "The output is exactly what shop-operator applies: same objects, same order, same bytes.\n"
      "Credentials are never invented silently: the Secrets an app needs are listed on stderr\n"
      "(the operator creates them in the cluster); --generate-secrets adds them with random values.\n\n"
      "Examples:\n"
      "  shopctl render -f shop.yaml                      # multi-document YAML on stdout\n"
      "  shopctl render -f shop.yaml -o json              # one List object\n"
      "  shopctl render -f shop.yaml --output-dir out/    # one file per object, in apply order\n"
      "  shopctl render -f shop.yaml | kubectl apply --server-side -f -\n\n"
      "Exit status: 0 rendered, 2 invalid input, 3 cannot write.");
  struct Opts {
    std::string file;
    std::string output = "yaml";
    std::string dir;
    std::string ns;
    bool generateSecrets = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-f,--filename", o->file, "The ShopApp file ('-' for stdin)")->required();
  cmd->add_option("-o,--output", o->output, "Output format: yaml or json")->check(CLI::IsMember({"yaml", "json"}));
  cmd->add_option("--output-dir", o->dir, "Write one file per object into this directory instead of stdout");
  cmd->add_option("-n,--namespace", o->ns, "Namespace when the ShopApp does not name one (default: default)");
  cmd->add_flag("--generate-secrets", o->generateSecrets,
                "Also render the Secrets the app needs, with random values (different on every run)");
  cmd->callback([o] {
    ParseOptions popts;
    if (!o->ns.empty()) popts.defaultNamespace = o->ns;
    auto parsed = loadShopAppFile(o->file, popts);
    printDiagnostics(parsed.diags);
    if (!parsed.app) throw ExitRequest{kUsage};
    const ShopApp& shopApp = *parsed.app;
    RenderResult r = render(shopApp);
    std::vector<Json> objects;
    if (o->generateSecrets) {
      for (const auto& s : r.secrets) {
        std::vector<std::pair<std::string, std::string>> values;
        for (const auto& k : s.keys) values.push_back({k.key, secretValue(k)});
        objects.push_back(secretObject(shopApp, s, values));
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
    objects.insert(objects.end(), r.objects.begin(), r.objects.end());
    std::stable_sort(objects.begin(), objects.end(), [](const Json& a, const Json& b) {
      return kindRank(a["kind"].get<std::string>()) < kindRank(b["kind"].get<std::string>());
    });
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
  });
}

}  // namespace shop::cli
