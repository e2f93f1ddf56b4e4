#pragma once
// The renderer: ShopApp model -> Kubernetes objects. Pure and deterministic: the same model
// gives the same objects, in the same order, byte for byte. Both `shopctl render` and the
// operator call this one function, so what a user sees is what the operator applies.
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"

namespace shop {

// A Secret the app needs but the renderer must not invent (a pure function cannot make
// random passwords). The caller creates it when absent (the operator does, once, and never
// overwrites it) or the user creates it by hand.
struct SecretKeySpec {
  std::string key;
  enum Kind { Password, Token, Keyfile } kind = Password;
};

struct SecretSpec {
  std::string name;
  std::string owner;  // the database or broker that uses it
  std::vector<SecretKeySpec> keys;
  bool generate = true;  // false: the user provides it
};

struct RenderResult {
  std::vector<Json> objects;        // in apply order
  std::vector<SecretSpec> secrets;  // what must exist for the app to start
};

RenderResult render(const ShopApp& app);

// The Secret object for a SecretSpec with the given values (key -> value), labelled like the
// app's other objects. Used by the operator and by `shopctl render --generate-secrets`.
Json secretObject(const ShopApp& app, const SecretSpec& spec, const std::vector<std::pair<std::string, std::string>>& values);

// Apply order of kinds: cluster-scoped and configuration first, workloads next, policies last.
int kindRank(const std::string& kind);

}  // namespace shop
