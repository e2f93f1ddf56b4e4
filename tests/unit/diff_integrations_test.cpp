// manifests/integrations: the Argo CD and Flux files fit together, the health check in argocd-cm
// is health.lua verbatim, and the Config Management Plugin's own discover and generate commands,
// run by sh as Argo CD runs them, find and render ShopApp files (and fail on a bad one).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/yaml.hpp"
#include "core/render/render.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace shop;

namespace {

const std::string kDir = std::string(SHOP_SOURCE_DIR) + "/manifests/integrations/";

std::vector<Json> docs(const std::string& path) {
  auto l = loadYaml(test::readFile(path), path);
  if (!l.ok()) throw std::runtime_error(l.error->str());
  std::vector<Json> out;
  for (auto& d : l.documents) out.push_back(d.value);
  return out;
}

Json plugin() {
  const Json cm = docs(kDir + "argocd/cmp-plugin.yaml").at(0);
  auto l = loadYaml(cm["data"]["plugin.yaml"].get<std::string>(), "plugin.yaml");
  if (!l.ok()) throw std::runtime_error(l.error->str());
  return l.documents.at(0).value;
}

struct ShellRun {
  int code;
  std::string out;
  std::string err;
};

// `sh -c SCRIPT` in dir, as Argo CD's CMP server runs a command, with shopctl on PATH.
ShellRun sh(const std::string& script, const fs::path& dir, const std::string& env = "") {
  const fs::path tmp = fs::temp_directory_path() / ("shopctl-cmp-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  std::ofstream(tmp / "script.sh") << script;
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const fs::path cli = self.parent_path().parent_path().parent_path() / "cli";
  const std::string cmd = "cd '" + dir.string() + "' && env PATH='" + cli.string() + ":/usr/bin:/bin' " + env +
                          " sh '" + (tmp / "script.sh").string() + "' >'" + (tmp / "out").string() + "' 2>'" +
                          (tmp / "err").string() + "'";
  const int status = std::system(cmd.c_str());
  ShellRun r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::readFile((tmp / "out").string()),
        test::readFile((tmp / "err").string())};
  fs::remove_all(tmp);
  return r;
}

std::string renderText(const std::string& file, const std::string& ns) {
  ParseOptions po;
  po.defaultNamespace = ns;
  auto r = loadShopAppFile(file, po);
  if (!r.app) throw std::runtime_error(r.diags.str());
  return toYamlStream(render(*r.app).objects);
}

}  // namespace

TEST(ArgoCd, ArgocdCmCarriesHealthLuaVerbatim) {
  const Json cm = docs(kDir + "argocd/argocd-cm-patch.yaml").at(0);
  EXPECT_EQ(cm["metadata"]["name"], "argocd-cm");
  EXPECT_EQ(cm["data"]["resource.customizations.health.shopctl.io_ShopApp"].get<std::string>(),
            test::readFile(kDir + "argocd/health.lua"));
  EXPECT_EQ(cm["data"]["application.resourceTrackingMethod"], "annotation");
}

TEST(ArgoCd, PluginSidecarAndApplicationAgree) {
  const Json p = plugin();
  EXPECT_EQ(p["apiVersion"], "argoproj.io/v1alpha1");
  EXPECT_EQ(p["kind"], "ConfigManagementPlugin");
  const std::string name = p["metadata"]["name"].get<std::string>() + "-" + p["spec"]["version"].get<std::string>();
  EXPECT_EQ(docs(kDir + "argocd/application-cmp.yaml").at(0)["spec"]["source"]["plugin"]["name"], name);

  const Json patch = docs(kDir + "argocd/repo-server-patch.yaml").at(0);
  EXPECT_EQ(patch["metadata"]["name"], "argocd-repo-server");
  const Json& c = patch["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["command"], Json::array({"/var/run/argocd/argocd-cmp-server"}));
  EXPECT_EQ(c["securityContext"]["runAsUser"], 999);
  bool config = false, tmp = false, varFiles = false, plugins = false;
  for (const auto& m : c["volumeMounts"]) {
    config |= m["mountPath"] == "/home/argocd/cmp-server/config/plugin.yaml" && m["subPath"] == "plugin.yaml";
    tmp |= m["mountPath"] == "/tmp";
    varFiles |= m["name"] == "var-files" && m["mountPath"] == "/var/run/argocd";
    plugins |= m["name"] == "plugins" && m["mountPath"] == "/home/argocd/cmp-server/plugins";
  }
  EXPECT_TRUE(config && tmp && varFiles && plugins);
  bool cmVolume = false;
  for (const auto& v : patch["spec"]["template"]["spec"]["volumes"])
    cmVolume |= v.contains("configMap") && v["configMap"]["name"] == docs(kDir + "argocd/cmp-plugin.yaml")[0]["metadata"]["name"];
  EXPECT_TRUE(cmVolume);
}

TEST(ArgoCd, PluginDiscoversAndRendersShopAppFiles) {
  const Json p = plugin();
  ASSERT_EQ(p["spec"]["discover"]["find"]["command"][0], "sh");
  const std::string discover = p["spec"]["discover"]["find"]["command"][2];
  ASSERT_EQ(p["spec"]["generate"]["command"], Json::array({"sh", "-c"}));
  const std::string generate = p["spec"]["generate"]["args"][0];

  const fs::path repo = fs::temp_directory_path() / ("shopctl-cmp-repo-" + std::to_string(getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo / "apps");
  // Without metadata.namespace, so the Application's destination namespace applies (one that
  // names another namespace is refused: below).
  auto withoutNamespace = [](std::string text) {
    const auto at = text.find("\n  namespace: ");
    if (at != std::string::npos) text.erase(at + 1, text.find('\n', at + 1) - at);
    return text;
  };
  const std::string minimal = test::readFile(std::string(SHOP_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  const std::string cafe = test::readFile(std::string(SHOP_SOURCE_DIR) + "/manifests/examples/cafe.yaml");
  ASSERT_NE(withoutNamespace(cafe), cafe);
  ASSERT_NE(withoutNamespace(minimal), minimal);
  std::ofstream(repo / "apps/b.yaml") << withoutNamespace(minimal);
  std::ofstream(repo / "a.yml") << withoutNamespace(cafe);
  std::ofstream(repo / "apps/other.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";

  ShellRun d = sh(discover, repo);
  EXPECT_EQ(d.code, 0);
  EXPECT_FALSE(d.out.empty());
  ShellRun g = sh(generate, repo, "ARGOCD_APP_NAMESPACE=argo-ns");
  ASSERT_EQ(g.code, 0) << g.err;
  // Sorted by path: ./a.yml, then ./apps/b.yaml; only objects on stdout.
  EXPECT_EQ(g.out, renderText((repo / "a.yml").string(), "argo-ns") + "---\n" +
                       renderText((repo / "apps/b.yaml").string(), "argo-ns"));
  EXPECT_NE(g.err.find("note: Secret"), std::string::npos);  // notes go to stderr

  // A ShopApp naming another namespace than the Application's fails the generation, as
  // `kubectl apply -n` refuses it.
  std::ofstream(repo / "apps/b.yaml") << minimal;
  g = sh(generate, repo, "ARGOCD_APP_NAMESPACE=argo-ns");
  EXPECT_NE(g.code, 0);
  EXPECT_NE(g.err.find("b.yaml:8:3: error: metadata.namespace: the namespace from the provided object \"hello\" does not "
                       "match the namespace \"argo-ns\""),
            std::string::npos)
      << g.err;
  std::ofstream(repo / "apps/b.yaml") << withoutNamespace(minimal);

  // A broken ShopApp fails the generation (Argo CD must not prune everything).
  std::ofstream(repo / "apps/c.yaml") << "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: c}\nspec: {services: []}\n";
  g = sh(generate, repo);
  EXPECT_NE(g.code, 0);
  EXPECT_NE(g.err.find("c.yaml"), std::string::npos) << g.err;

  // Nothing to render: no match, and generate refuses.
  fs::remove_all(repo);
  fs::create_directories(repo);
  std::ofstream(repo / "x.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
  d = sh(discover, repo);
  EXPECT_EQ(d.code, 0);
  EXPECT_TRUE(d.out.empty());
  EXPECT_NE(sh(generate, repo).code, 0);
  fs::remove_all(repo);
}

TEST(Flux, KustomizationsPointAtTheGitRepository) {
  const Json repo = docs(kDir + "flux/gitrepository.yaml").at(0);
  EXPECT_EQ(repo["apiVersion"], "source.toolkit.fluxcd.io/v1");
  EXPECT_EQ(repo["kind"], "GitRepository");
  size_t n = 0;
  for (const char* f : {"flux/kustomization-operator.yaml", "flux/kustomization-rendered.yaml"})
    for (const auto& k : docs(kDir + f)) {
      ++n;
      EXPECT_EQ(k["apiVersion"], "kustomize.toolkit.fluxcd.io/v1");
      EXPECT_EQ(k["kind"], "Kustomization");
      EXPECT_EQ(k["spec"]["sourceRef"]["kind"], "GitRepository");
      EXPECT_EQ(k["spec"]["sourceRef"]["name"], repo["metadata"]["name"]);
      EXPECT_EQ(k["metadata"]["namespace"], repo["metadata"]["namespace"]);
      EXPECT_TRUE(k["spec"].contains("interval") && k["spec"].contains("path") && k["spec"].contains("prune"));
      EXPECT_EQ(k["spec"]["wait"], true);
    }
  EXPECT_EQ(n, 4u);
}
