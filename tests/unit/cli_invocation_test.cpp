// shopctl run as the kubectl plugin kubectl-shop: which name it goes by, and how its help and
// errors are reworded (cli/invocation.*).
#include <gtest/gtest.h>

#ifdef SHOPCTL_LIB

#include <sstream>

#include "cli/invocation.hpp"

namespace {

using shop::cli::commandName;
using shop::cli::renamed;
using shop::cli::RenamingStream;

const std::vector<std::string> kCommands = {"render", "apply", "version", "validate"};

TEST(CliInvocation, PluginNameFromArgv0) {
  EXPECT_EQ(commandName("kubectl-shop"), "kubectl shop");
  EXPECT_EQ(commandName("/home/me/bin/kubectl-shop"), "kubectl shop");
  EXPECT_EQ(commandName("shopctl"), "shopctl");
  EXPECT_EQ(commandName("/usr/local/bin/shopctl"), "shopctl");
  EXPECT_EQ(commandName("/opt/kubectl-shop/shopctl"), "shopctl") << "the directory does not count";
  EXPECT_EQ(commandName("kubectl-shopping"), "shopctl");
  EXPECT_EQ(commandName(""), "shopctl");
}

TEST(CliInvocation, RenamesCommandsAndErrorPrefixesOnly) {
  const std::string k = "kubectl shop";
  EXPECT_EQ(renamed("shopctl: unknown command \"rendr\"\nRun 'shopctl --help' for the list.\n", k,
                    kCommands),
            "kubectl shop: unknown command \"rendr\"\nRun 'kubectl shop --help' for the list.\n");
  EXPECT_EQ(renamed("  shopctl render -f shop.yaml | shopctl apply -f -\n", k, kCommands),
            "  kubectl shop render -f shop.yaml | kubectl shop apply -f -\n");
  EXPECT_EQ(renamed("Usage: shopctl version [OPTIONS]\n`shopctl help CMD`", k, kCommands),
            "Usage: kubectl shop version [OPTIONS]\n`kubectl shop help CMD`");
  // Not a command: kept.
  for (const char* kept :
       {"field manager shopctl, then", "apiVersion: shopctl.io/v1alpha1", "the shopctl binary",
        "x shopctl: not at a line's start", "shopctl rendering", "noshopctl render"})
    EXPECT_EQ(renamed(kept, k, kCommands), kept);
  EXPECT_EQ(renamed("shopctl: x\nshopctl render", "shopctl", kCommands),
            "shopctl: x\nshopctl render");
}

TEST(CliInvocation, StreamRenamesAcrossPiecesAndRestores) {
  std::ostringstream sink;
  std::streambuf* before = sink.rdbuf();
  {
    RenamingStream r(sink, "kubectl shop", kCommands);
    // std::cerr flushes after every <<: pieces arrive one by one.
    sink << "shopctl" << std::flush << ": bad input; try " << std::flush << "shopctl " << std::flush
         << "validate -f x\n"
         << std::flush;
    sink << "Delete? [y/N] " << std::flush;
  }
  EXPECT_EQ(sink.rdbuf(), before);
  EXPECT_EQ(sink.str(), "kubectl shop: bad input; try kubectl shop validate -f x\nDelete? [y/N] ");
}

TEST(CliInvocation, PromptIsPassedOnAtAFlush) {
  std::ostringstream target;
  std::ostream out(target.rdbuf());
  RenamingStream r(out, "kubectl shop", kCommands);
  out << "Delete the data? [y/N] " << std::flush;
  EXPECT_EQ(target.str(), "Delete the data? [y/N] ");
  out << "shopctl " << std::flush;
  EXPECT_EQ(target.str(), "Delete the data? [y/N] ") << "\"shopctl \" waits for its next word";
  out << "render\n";
  EXPECT_EQ(target.str(), "Delete the data? [y/N] kubectl shop render\n");
}

}  // namespace

#endif
