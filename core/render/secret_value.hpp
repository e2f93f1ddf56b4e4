#pragma once
// The value a generated Secret key gets, in one place for the two that create credentials:
// shop-operator (a missing Secret, once) and `shopctl render --generate-secrets`. Not part of
// the pure renderer: it draws from the operating system (core/util/random.hpp).
#include <string>

#include "core/render/render.hpp"
#include "core/util/random.hpp"

namespace shop {

// Password: 32 alphanumerics. Keyfile (MongoDB replica-set key, Erlang cookie): 64. Token (a
// user name): "u" and 11 lower-case alphanumerics, so it starts with a letter as engines want.
inline std::string secretValue(const SecretKeySpec& key) {
  switch (key.kind) {
    case SecretKeySpec::Keyfile: return randomSecret(64);
    case SecretKeySpec::Token: return "u" + randomSecret(11, "abcdefghijklmnopqrstuvwxyz0123456789");
    case SecretKeySpec::Password: break;
  }
  return randomSecret(32);
}

}  // namespace shop
