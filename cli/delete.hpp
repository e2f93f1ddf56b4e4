#pragma once
// `shopctl delete`: the pure rules (what --purge may delete, when it may run without asking),
// kept apart from the requests so unit tests can feed them plain objects.
#include <string>

#include "core/io/json.hpp"

namespace shop::cli {

// The field manager the API server records for shop-operator's own writes (its User-Agent
// starts "shop-operator/"; operator/main.cpp).
inline constexpr const char* kOperatorManager = "shop-operator";

// Why `--purge` cannot go ahead, or "" when it can: it asks on a terminal; elsewhere (CI, a
// pipe) it needs --yes, since nobody can answer.
std::string purgeRefusal(bool purge, bool yes, bool stdinIsTerminal);

// A Secret --purge deletes: one shop-operator generated for the app, i.e. labelled as the app's
// credentials (shopctl.io/app=APP, app.kubernetes.io/component=credentials) AND written by the
// operator (a managedFields entry of manager shop-operator). The same labels on a Secret someone
// else made (`shopctl render --generate-secrets | kubectl apply`) do not make it generated.
bool generatedSecretOf(const Json& secret, const std::string& app);

// A PersistentVolumeClaim of the app (labelled shopctl.io/app=APP and managed by shopctl): the
// data of its databases, brokers and services' storage, which deleting the ShopApp keeps.
bool claimOf(const Json& pvc, const std::string& app);

// "y" or "yes" (any case, surrounding blanks ignored) to a [y/N] question.
bool confirmed(const std::string& answer);

}  // namespace shop::cli
