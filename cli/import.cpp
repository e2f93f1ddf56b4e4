#include "cli/common.hpp"
#include "cli/manifest_input.hpp"
#include "core/importer/import.hpp"
#include "core/model/parse.hpp"

namespace shop::cli {

void addImport(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "import",
      "Turn existing manifests into a ShopApp\n\n"
      "Deployments and StatefulSets become services; the ones running a database or broker image\n"
      "(mongo, mysql, postgres, redis, rabbitmq, kafka) become replicated databases and brokers;\n"
      "Services give ports and the services' names (several Deployments behind one Service become\n"
      "versions of one service), Ingresses and NodePort/LoadBalancer Services give the gateway routes,\n"
      "and hostnames found in env, args and config give dependsOn. Everything a ShopApp cannot\n"
      "express is listed on stderr as a warning, never dropped silently.\n\n"
      "A ShopApp lives in one namespace. When the workloads name several, say which to import with\n"
      "--source-namespace: the others stay where they are, calls to them become egress rules and\n"
      "their calls to the imported services ingress rules (importing all together would move some\n"
      "and break host names such as api.back.svc). Import each namespace so, one ShopApp each.\n\n"
      "Examples:\n"
      "  shopctl import -f complete-demo.yaml --name sock-shop > shop.yaml\n"
      "  helm template my-chart | shopctl import -f - -n shop\n"
      "  shopctl import -f deploy/ --output-file shop.yaml && shopctl render -f shop.yaml\n"
      "  shopctl import -f cluster-dump.yaml --source-namespace shop > shop.yaml\n\n"
      "Exit status: 0 imported (warnings may be printed), 2 unreadable input, no workloads, no\n"
      "service (only databases and brokers), workloads in several namespaces without\n"
      "--source-namespace, or an imported ShopApp that does not validate (its errors are printed).");
  struct Opts {
    std::vector<std::string> files;
    std::string name, ns, out, oldOut, source;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-f,--filename", o->files, "Manifest files or directories ('-' for stdin)")->required();
  cmd->add_option("--name", o->name, "metadata.name of the ShopApp (default: the namespace)");
  cmd->add_option("-n,--namespace", o->ns, "metadata.namespace (default: the workloads' namespace)");
  cmd->add_option("--source-namespace", o->source,
                  "Import only the workloads of this namespace (needed when they name several); calls to "
                  "the others become egress rules, and theirs to this one ingress rules");
  cmd->add_option("--output-file", o->out, "Write the ShopApp to this file instead of stdout");
  cmd->add_option("-o,--output", o->oldOut, "Deprecated spelling of --output-file")->group("Deprecated");
  cmd->callback([o] {
    o->out = deprecatedOutputPath("import", o->oldOut, o->out, "--output-file");
    Diagnostics diags;
    auto manifests = readManifests(o->files, diags);
    if (diags.hasErrors()) {
      printDiagnostics(diags);
      throw ExitRequest{kUsage};
    }
    audit::Inventory inv(std::move(manifests));
    if (inv.workloads().empty()) {
      std::cerr << "shopctl: no workloads (Deployments, StatefulSets) in the input\n";
      throw ExitRequest{kUsage};
    }
    const auto namespaces = importer::workloadNamespaces(inv);
    auto listed = [&] {
      std::string l;
      for (const auto& [ns, n] : namespaces) l += (l.empty() ? "" : ", ") + ns + " (" + std::to_string(n) + ")";
      return l;
    };
    if (o->source.empty() && namespaces.size() > 1) {
      std::cerr << "shopctl: the workloads are in " << namespaces.size() << " namespaces: " << listed()
                << ". A ShopApp lives in one; importing them together would move some and break the host names "
                   "that name their namespace (such as api.other.svc). Import one with --source-namespace NS: the "
                   "others stay, and calls between them become egress and ingress rules.\n";
      throw ExitRequest{kUsage};
    }
    if (!o->source.empty() && !namespaces.empty() && !namespaces.count(o->source)) {
      std::cerr << "shopctl: --source-namespace " << o->source << ": no workload names that namespace; they name "
                << listed() << "\n";
      throw ExitRequest{kUsage};
    }
    importer::ImportOptions opts{o->name, o->ns, o->source};
    auto result = importer::importShopApp(inv, opts);
    printDiagnostics(result.notes);
    if (const Json& services = result.app["spec"]["services"]; !services.is_array() || services.empty()) {
      std::string stores;
      for (const char* list : {"databases", "messaging"})
        for (const auto& d : result.app["spec"].value(list, Json::array()))
          stores += (stores.empty() ? "" : ", ") + d.value("name", "");
      std::cerr << "shopctl: no service to import: every workload of the input runs a database or broker (" << stores
                << "), and a ShopApp needs at least one service (spec.services); import them together with the "
                   "services that use them\n";
      throw ExitRequest{kUsage};
    }
    // The result must be a valid ShopApp; say so if the input could not make one, at the input
    // object each error came from.
    auto check = parseShopApp(result.app);
    importer::locateInInput(inv, result, check.diags);
    for (auto& d : check.diags.items())
      if (d.file.empty()) d.file = "<imported>";
    printDiagnostics(check.diags);
    const std::string text =
        "# Imported by shopctl import; review the warnings it printed, then `shopctl validate -f` this file.\n" +
        toYaml(result.app);
    if (o->out.empty()) {
      std::cout << text;
    } else {
      writeFile(o->out, text);
      std::cerr << "wrote " << o->out << "\n";
    }
    if (!check.app) throw ExitRequest{kUsage};
  });
}

}  // namespace shop::cli
