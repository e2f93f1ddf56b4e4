// shopctl version: the client's version, the API server's, and the operator's in the cluster.
#include "cli/version.hpp"

#include <algorithm>

#include "cli/cluster.hpp"
#include "core/audit/k8s.hpp"
#include "core/model/shopapp.hpp"

namespace shop::cli {

Json operatorVersion(const Json& deployment) {
  const Json meta = deployment.value("metadata", Json::object());
  const Json tmpl = deployment.value("spec", Json::object()).value("template", Json::object());
  const Json containers = tmpl.value("spec", Json::object()).value("containers", Json::array());
  std::string image;
  for (const auto& c : containers)
    if (c.is_object() && c.value("name", "") == "shop-operator") image = c.value("image", "");
  if (image.empty() && !containers.empty() && containers[0].is_object()) image = containers[0].value("image", "");
  const char* kVersionLabel = "app.kubernetes.io/version";
  std::string version = meta.value("labels", Json::object()).value(kVersionLabel, "");
  if (version.empty())
    version = tmpl.value("metadata", Json::object()).value("labels", Json::object()).value(kVersionLabel, "");
  if (version.empty()) {
    // registry:5000/shop-operator:0.2.0@sha256:...: the tag, else the digest, which names the
    // image exactly.
    const audit::ImageRef ref = audit::parseImage(image);
    version = !ref.tag.empty() ? ref.tag : ref.digest;
  }
  if (version.empty()) version = "unknown";
  return {{"deployment", meta.value("namespace", "") + "/" + meta.value("name", "")},
          {"namespace", meta.value("namespace", "")},
          {"image", image},
          {"version", version}};
}

Json operatorVersions(const Json& deploymentList) {
  Json out = Json::array();
  for (const auto& d : deploymentList.value("items", Json::array()))
    if (d.is_object()) out.push_back(operatorVersion(d));
  std::sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a["deployment"].get<std::string>() < b["deployment"].get<std::string>();
  });
  return out;
}

std::string versionText(const Json& v) {
  const Json& c = v["clientVersion"];
  std::string out = "Client Version: shopctl " + c.value("version", "") + " (api " + c.value("apiVersion", "") +
                    ", kind " + c.value("kind", "") + ")\n";
  if (v.contains("serverVersion")) out += "Server Version: " + v["serverVersion"].value("gitVersion", "unknown") + "\n";
  if (v.contains("operatorVersions")) {
    for (const auto& o : v["operatorVersions"])
      out += "Operator Version: " + o.value("version", "") + " (Deployment " + o.value("deployment", "") + ", image " +
             o.value("image", "") + ")\n";
    if (v["operatorVersions"].empty())
      out += std::string("Operator Version: not found (no Deployment labelled ") + kOperatorSelector + ")\n";
  }
  return out;
}

void addVersion(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "version",
      "Print the versions of shopctl, the cluster's API server and shop-operator\n\n"
      "The operator's version is read from its Deployment (found by the label\n"
      "app.kubernetes.io/name=shop-operator, in any namespace): its app.kubernetes.io/version\n"
      "label, else its image's tag. Every such Deployment gets a line, sorted by namespace and\n"
      "name, with its namespace and image (two operators in a cluster, e.g. one per watched\n"
      "namespace, are both shown). --client needs no cluster.\n\n"
      "-o json|yaml: clientVersion, serverVersion (the API server's /version), operatorVersions\n"
      "(a list: deployment, namespace, image, version) and operatorVersion (the first of them,\n"
      "or null).\n\n"
      "Examples:\n"
      "  shopctl version\n"
      "  shopctl version --client\n"
      "  shopctl version -o json | jq -r '.operatorVersions[] | .deployment + \" \" + .version'\n\n"
      "Exit status: 0 printed (an operator that is not installed is \"not found\", not an error),\n"
      "2 usage, 3 the cluster cannot be reached (the client version is printed first).");
  struct Opts {
    bool client = false;
    std::string output = "text";
    ClusterFlags cluster;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_flag("--client", o->client, "Only the client's version; no cluster needed");
  cmd->add_option("-o,--output", o->output, "text (default), json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}));
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o] {
    Json v = {{"clientVersion", {{"version", SHOPCTL_VERSION}, {"apiVersion", kApiVersion}, {"kind", kKind}}}};
    auto print = [&] {
      if (o->output == "json") std::cout << v.dump(2) << "\n";
      else if (o->output == "yaml") std::cout << toYaml(v);
      else std::cout << versionText(v);
      std::cout << std::flush;
    };
    if (o->client) {
      print();
      return;
    }
    // Without a cluster: the client's version first, then why the rest is missing (exit 3).
    auto printClientThen = [&](const std::string& error) {
      print();
      std::cerr << "shopctl: " << error << "\n";
      throw ExitRequest{kRuntime};
    };
    const ClusterFlags flags = effectiveClusterFlags(o->cluster);
    auto cfg = kube::loadConfig(flags.kubeconfig, flags.context);
    if (!cfg.config) printClientThen("cannot reach a cluster: " + cfg.error);
    Cluster c = connectCluster(o->cluster);
    kube::Client& client = *c.client;
    auto server = client.raw("/version");
    if (server.code == 0) printClientThen(noAnswerMessage(server));
    if (!server.ok()) printClientThen("reading the server version: " + server.message());
    v["serverVersion"] = server.body;
    // Every namespace when allowed; else the namespace the install manifests use.
    kube::ListOptions lo;
    lo.labelSelector = kOperatorSelector;
    auto deps = client.list(kube::resources::Deployment, "", lo);
    if (deps.code == 403) deps = client.list(kube::resources::Deployment, "shop-system", lo);
    if (deps.code == 0) printClientThen(noAnswerMessage(deps));
    Json ops = Json::array();
    if (deps.ok()) ops = operatorVersions(deps.body);
    else if (deps.code == 403)
      std::cerr << "shopctl: note: not allowed to list Deployments (" << deps.message()
                << "), so the operator was not found\n";
    else if (!deps.ok()) printClientThen("looking for the operator's Deployment: " + deps.message());
    v["operatorVersions"] = ops;
    v["operatorVersion"] = ops.empty() ? Json(nullptr) : ops[0];  // (the one field before operatorVersions)
    print();
  });
}

}  // namespace shop::cli
