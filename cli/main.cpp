// shopctl: render, validate, audit and harden ShopApps and Kubernetes manifests.
#include <iostream>

#include "cli/common.hpp"

int main(int argc, char** argv) {
  using namespace shop::cli;
  CLI::App app{
      "shopctl deploys and hardens microservice apps described by one ShopApp resource.\n\n"
      "Examples:\n"
      "  shopctl init --preset sockshop > shop.yaml      # a starter app\n"
      "  shopctl validate -f shop.yaml                   # every error, with file:line:col\n"
      "  shopctl render -f shop.yaml                     # the hardened Kubernetes objects\n"
      "  shopctl audit -f manifests/                     # find what is wrong in existing YAML\n",
      "shopctl"};
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_help_all_flag("--help-all", "Print help for every command");
  addInit(app);
  addValidate(app);
  addRender(app);
  addImport(app);
  addVersion(app);
  addAudit(app);
  addHarden(app);
  addDiff(app);
  addApply(app);
  addStatus(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return e.get_exit_code() == 0 ? kOk : kUsage;
  } catch (const ExitRequest& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "shopctl: internal error: " << e.what() << "\n";
    return kRuntime;
  }
  return kOk;
}
