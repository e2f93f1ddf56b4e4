#include "operator/plan.hpp"

#include "core/apply/intent.hpp"
#include "core/model/parse.hpp"
#include "core/render/collisions.hpp"
#include "kube/client.hpp"

namespace shop::op {

Result Result::after(std::chrono::milliseconds d) {
  Result r;
  r.requeueAfter = d;
  return r;
}

void Result::requeueWithin(std::chrono::milliseconds d) {
  if (requeueAfter.count() == 0 || d < requeueAfter) requeueAfter = d;
}

Result Result::failed(std::string why) {
  Result r;
  r.error = why.empty() ? "reconcile failed" : std::move(why);  // an empty error would read as success
  return r;
}

Result Result::terminalError(std::string why) {
  Result r = failed(std::move(why));
  r.terminal = true;
  return r;
}

const char* Result::metricResult() const {
  if (isError()) return "error";
  if (requeueAfter.count() > 0) return "requeue_after";
  if (requeue) return "requeue";
  return "success";
}

bool isPermanent(int code) { return code >= 400 && code < 500 && code != 409 && code != 429 && code != 401 && code != 403; }

std::string objectKey(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + "/" + ns + "/" + name;
}

Desired desire(const Json& appObj, const ClusterCapabilities& caps) {
  Desired d;
  ParseOptions po;
  po.defaultNamespace = appObj["metadata"].value("namespace", "");
  po.checkRendered = false;  // checked below on the one render
  ParseResult parsed = parseShopApp(appObj, po);
  if (!parsed.app) {
    d.invalid = std::move(parsed.diags);
    return d;
  }
  RenderResult rendered = render(*parsed.app);
  // Two parts rendering one object would overwrite each other on every reconcile.
  if (Diagnostics clash = checkRenderedObjects(*parsed.app, rendered.objects); clash.hasErrors()) {
    d.invalid = std::move(clash);
    return d;
  }
  d.app = std::move(parsed.app);
  d.secrets = std::move(rendered.secrets);
  for (auto& o : rendered.objects) {
    const apply::Capability cap = apply::capabilityOf(o);
    if (cap == apply::Capability::Mesh && !caps.mesh) {
      ++d.meshSkipped;
    } else if (cap == apply::Capability::Monitoring && !caps.monitoring) {
      ++d.monitorSkipped;
    } else {
      d.meshObjects += cap == apply::Capability::Mesh;
      const bool owned = apply::isOwnedKind(o.value("kind", ""));
      d.objects.push_back(apply::withOwnership(std::move(o), appObj, owned));
    }
  }
  return d;
}

Desired withoutObjects(const Desired& d) {
  Desired kept;
  kept.app = d.app;
  kept.invalid = d.invalid;
  kept.secrets = d.secrets;
  kept.meshSkipped = d.meshSkipped;
  kept.monitorSkipped = d.monitorSkipped;
  kept.meshObjects = d.meshObjects;
  return kept;
}

std::vector<SecretRef> secretReferences(const ShopApp& app, const ClusterCapabilities& caps) {
  std::vector<SecretRef> out;
  auto envRefs = [&](const std::vector<EnvVar>& env, const std::string& where) {
    for (const auto& e : env)
      if (e.secret && !e.secret->optional) out.push_back({e.secret->name, "env " + e.name + " of " + where, app.namespace_, false, true});
  };
  for (const auto& sv : app.services) envRefs(sv.env, "service " + sv.name);
  for (const auto& d : app.databases) envRefs(d.env, "database " + d.name);
  for (const auto& d : app.messaging) envRefs(d.env, "broker " + d.name);
  // An Ingress reads its TLS Secret in the app's namespace; Istio reads a Gateway's
  // credentialName in the namespace of the gateway pods.
  if (app.gateway.enabled && app.gateway.tlsSecret) {
    if (!app.mesh.enabled) out.push_back({*app.gateway.tlsSecret, "the gateway's TLS", app.namespace_, true, true});
    else if (caps.mesh)
      out.push_back({*app.gateway.tlsSecret, "the mesh gateway's TLS, read by the gateway pods in " + app.gateway.namespace_,
                     app.gateway.namespace_, true, false});
  }
  return out;
}

std::string secretKey(const SecretRef& ref, const std::string& appNamespace) {
  return ref.namespace_ == appNamespace ? ref.name : ref.namespace_ + "/" + ref.name;
}

namespace {

// Credentials: create what is missing, never touch what exists. Secrets the spec only names
// are the user's to make.
void planSecrets(const std::string& ns, const Desired& d, const Snapshot& s, Plan& p) {
  std::set<std::string> own, asked;
  for (const auto& sec : d.secrets) {
    own.insert(sec.name);
    if (s.secrets.count(sec.name)) continue;
    if (sec.generate) p.createSecrets.push_back(sec);
    else p.secretsMissing.push_back(sec.name + " (credentials.generate is false)");
  }
  for (const auto& ref : secretReferences(*d.app, s.caps)) {
    const std::string key = secretKey(ref, ns);
    auto check = [&](SecretCheck c) {
      if (!ref.gatewayTls) return;
      p.gatewayTls = c;
      p.gatewayTlsNamespace = ref.namespace_;
    };
    if (ref.name.empty()) continue;
    if (own.count(key)) {  // one the app generates: created above if missing
      check(SecretCheck::Found);
      continue;
    }
    if (!asked.insert(key).second) continue;
    if (s.secrets.count(key)) {
      check(SecretCheck::Found);
      continue;
    }
    // Another namespace whose Secrets the operator may not read: it cannot tell. Ready does not
    // wait for it; the status says so (GatewayTLSVerified=Unknown) and how to let it look.
    if (s.secretsForbidden.count(key)) {
      check(SecretCheck::Unreadable);
      continue;
    }
    if (auto f = s.failed.find(objectKey("Secret", ref.namespace_, ref.name)); f != s.failed.end()) {
      p.problems.push_back({"Secret/" + key + ": " + f->second.message, isPermanent(f->second.code)});
    } else {
      if (ref.required) p.secretsMissing.push_back(key + " (" + ref.by + ")");
      check(SecretCheck::Missing);
    }
  }
}

// Why a live object of a rendered name is not this app's to write, if it is not. Never take
// over an object this app did not create: another controller's (another ShopApp with a
// component of the same name, say), or one nobody controls, unless the app opts in to adopting
// those. It is reported and left alone (and never pruned either).
std::optional<std::string> refusal(const Json& live, const std::string& uid, bool adopt, const std::string& what) {
  std::string otherOwner;
  bool ours = false;
  for (const auto& ref : live["metadata"].value("ownerReferences", Json::array())) {
    if (!ref.value("controller", false)) continue;
    if (ref.value("uid", "") == uid) ours = true;
    else otherOwner = ref.value("kind", "") + " " + ref.value("name", "");
  }
  if (!otherOwner.empty())
    return what + ": already controlled by " + otherOwner +
           " in this namespace; rename the component or move one app to another namespace";
  if (!ours && !adopt)
    return what + ": exists and was not created by this ShopApp; rename the component, delete the object, or annotate the ShopApp " +
           std::string(kAdoptAnnotation) + "=true to take it over";
  return std::nullopt;
}

// The live object carries the intent's hash and still holds every field of it.
bool sameHash(const Json& live, const Json& intent) {
  if (!live.contains("metadata")) return false;
  const std::string hash = intent["metadata"]["annotations"].value(apply::kHashAnnotation, "");
  return live["metadata"].value("annotations", Json::object()).value(apply::kHashAnnotation, "") == hash;
}

void planObject(const Json& appObj, bool adopt, const Json& o, const Snapshot& s, Plan& p) {
  const std::string kind = o["kind"];
  const std::string name = o["metadata"]["name"];
  const std::string what = kind + "/" + name;
  if (!kube::resources::forObject(o)) {
    p.problems.push_back({what + ": the operator does not know this kind", true});
    return;
  }
  const std::string key = objectKey(kind, o["metadata"].value("namespace", ""), name);
  if (s.verified.count(key)) {  // held the intent, and nothing but its status changed since
    p.current.push_back(key);
    return;
  }
  if (auto f = s.failed.find(key); f != s.failed.end()) {
    p.problems.push_back({what + ": " + f->second.message, isPermanent(f->second.code)});
    return;
  }
  // The Namespace is shared; PVCs hold data: neither is owned, so neither is ever collected.
  const bool owned = apply::isOwnedKind(kind);
  const auto live = s.live.find(key);
  const bool exists = live != s.live.end();
  if (exists && owned) {
    const std::string uid = appObj["metadata"].value("uid", "");
    if (auto why = refusal(*live->second, uid, adopt, what)) {
      p.problems.push_back({*why, true});
      return;
    }
  }
  const Json& intent = o;  // desire gave it its owner and applied-hash
  const bool shared = apply::isShared(kind);  // no hash: its labels alone decide (core/apply)
  Change change = Change::Create;
  if (exists) {
    const bool hashed = shared || sameHash(*live->second, intent);
    if (hashed && apply::liveContains(*live->second, intent)) {
      p.current.push_back(key);
      return;
    }
    change = hashed && !shared ? Change::Revert : Change::Update;
  }
  p.apply.push_back({intent, change});
}

bool controlledBy(const Json& obj, const std::string& uid) {
  bool ours = false;
  for (const auto& ref : obj["metadata"].value("ownerReferences", Json::array()))
    ours |= ref.value("uid", "") == uid && ref.value("controller", false);
  return ours;
}

// What this app owns and no longer renders. Never PVCs (data), never Secrets (credentials for
// retained data), never anything another owner controls.
void planPrune(const Json& appObj, const Desired& d, const Snapshot& s, Plan& p) {
  const std::string ns = appObj["metadata"].value("namespace", "");
  const std::string uid = appObj["metadata"].value("uid", "");
  std::set<std::string> desiredKeys;
  for (const auto& o : d.objects)
    desiredKeys.insert(objectKey(o["kind"], o["metadata"].value("namespace", ""), o["metadata"]["name"]));
  for (const auto& c : s.children) {
    const Json& o = *c.object;
    const std::string name = o["metadata"].value("name", "");
    if (!apply::isPrunableKind(c.kind) || !controlledBy(o, uid) || desiredKeys.count(objectKey(c.kind, ns, name))) continue;
    p.prune.push_back({c.apiVersion, c.kind, name, o["metadata"].value("uid", "")});
  }
}

// A database or broker whose live StatefulSet runs another engine (its container is named after
// the engine it was rendered for). Applying would switch its Service, NetworkPolicy and scripts
// while the old pods keep running on the old data, cut off: the whole app is refused instead.
std::vector<std::string> engineChanges(const ShopApp& app, const std::string& ns, const Snapshot& s) {
  std::vector<std::string> out;
  auto check = [&](const DataStore& d, const char* what) {
    const auto live = s.live.find(objectKey("StatefulSet", ns, d.name));
    if (live == s.live.end()) return;
    const Json containers = (*live->second)["spec"]["template"]["spec"].value("containers", Json::array());
    const std::string running = containers.empty() ? "" : containers[0].value("name", "");
    const std::string wanted = engineName(d.engine);
    // Only a container named after an engine says which one runs.
    if (!engineFromName(running) || running == wanted) return;
    out.push_back(std::string(what) + " " + d.name + ": the engine is " + wanted + " but StatefulSet/" + d.name + " runs " +
                  running + "; an engine change of a live " + what +
                  " is refused, nothing of this app is written (its Service, NetworkPolicy and scripts would switch while "
                  "the old pods keep the data). To move: add a " +
                  what + " under a new name, copy the data, point the services at it, then remove " + d.name +
                  " (its PVCs and Secret stay until you delete them); or put the engine back");
  };
  for (const auto& d : app.databases) check(d, "database");
  for (const auto& d : app.messaging) check(d, "broker");
  return out;
}

}  // namespace

Plan plan(const Json& appObj, const Desired& desired, const Snapshot& snapshot) {
  Plan p;
  const std::string ns = appObj["metadata"].value("namespace", "");
  if (desired.app) {
    const auto changes = engineChanges(*desired.app, ns, snapshot);
    for (const auto& why : changes) p.problems.push_back({why, true});
    if (!changes.empty()) return p;  // nothing applied, nothing pruned, no Secret created
  }
  const bool adopt = appObj["metadata"].value("annotations", Json::object()).value(kAdoptAnnotation, "") == "true";
  planSecrets(ns, desired, snapshot, p);
  for (const auto& o : desired.objects) planObject(appObj, adopt, o, snapshot, p);
  planPrune(appObj, desired, snapshot, p);
  return p;
}

}  // namespace shop::op
