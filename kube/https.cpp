#include "kube/https.hpp"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <mutex>

#ifndef SHOP_HTTPS_MODULE_RELPATH
#define SHOP_HTTPS_MODULE_RELPATH "../lib/shopctl/shop-https.so"
#endif

// A weak reference: null unless the program links shop-https-linked.
extern "C" __attribute__((weak)) const kube::https::Module* shop_https_linked_module();

namespace kube::https {

std::vector<std::string> modulePaths() {
  // Beside the executable's real file (symlinks such as kubectl-shop resolved): first where
  // `cmake --install` and the release tarball put it, then the same folder (the build tree, or
  // a shopctl copied somewhere together with its module).
  char buf[PATH_MAX];
  std::string dir = ".";
  if (char* real = ::realpath("/proc/self/exe", buf)) {
    dir = real;
    dir = dir.substr(0, dir.rfind('/'));
    if (dir.empty()) dir = "/";
  }
  return {dir + "/" SHOP_HTTPS_MODULE_RELPATH, dir + "/shop-https.so"};
}

namespace {

struct Loaded {
  const Module* module = nullptr;
  std::string why;
};

Loaded load() {
  Loaded out;
  if (shop_https_linked_module) {
    out.module = shop_https_linked_module();
    return out;
  }
  std::string tried;
  for (const auto& path : modulePaths()) {
    if (::access(path.c_str(), F_OK) != 0) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = ::dlerror();
      out.why = "cannot load shopctl's HTTPS module " + path + ": " + (e ? e : "unknown error");
      return out;
    }
    using Entry = const Module* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(h, "shop_https_module"));
    const Module* m = entry ? entry() : nullptr;
    if (!m || m->abi != kAbi || std::string(m->version) != SHOPCTL_VERSION) {
      out.why = "shopctl's HTTPS module " + path + " is not this shopctl's (" +
                (m ? "it is from shopctl " + std::string(m->version) + ", interface " + std::to_string(m->abi)
                   : std::string("it has no shop_https_module")) +
                "; this is shopctl " SHOPCTL_VERSION ", interface " + std::to_string(kAbi) +
                "): install both from the same build";
      ::dlclose(h);
      return out;
    }
    out.module = m;  // never unloaded
    return out;
  }
  out.why = "shopctl's HTTPS module shop-https.so is missing (looked for " + tried +
            "): reaching a cluster needs it, installed beside shopctl by `cmake --install` or the release tarball";
  return out;
}

}  // namespace

const Module* module(std::string* why) {
  static const Loaded loaded = load();
  if (!loaded.module && why) *why = loaded.why;
  return loaded.module;
}

}  // namespace kube::https
