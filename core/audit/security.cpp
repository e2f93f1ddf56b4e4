// Security context (Pod Security restricted), host access, namespace admission labels, and the
// ServiceAccounts pods run as.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

const Rule kSecurityRules[] = {
    {.id = "sec-pod-security-context",
     .level = Level::Medium,
     .family = "security",
     .title = "Pod has no pod-level securityContext",
     .rationale = "The pod-level securityContext sets the user, group, fsGroup and seccomp profile for every container "
         "at once, including ones added later (sidecars, debug containers). Without it each container must "
         "repeat every setting, and volumes are not made writable for the pod's group.",
     .fix = "Set spec.securityContext: runAsNonRoot, runAsUser/runAsGroup/fsGroup >= 10000, seccompProfile RuntimeDefault.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    const Json& sc = field(inv.podSpec(w), "securityContext");
    if (sc.is_object() && !sc.empty())
      return passed();
    else
      return failed(w.podSpecPath, "pod has no securityContext");
  })},
    {.id = "sec-run-as-non-root",
     .level = Level::High,
     .family = "security",
     .title = "Container may run as root (runAsNonRoot is not true)",
     .rationale = "Pod Security restricted requires runAsNonRoot: true. A process running as root inside the container "
         "is one kernel or runtime bug away from root on the node.",
     .fix = "Set runAsNonRoot: true in the pod securityContext (or on every container) with a non-zero runAsUser.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory& inv, const Workload& w, const ContainerRef& c, const Json& ctr) -> Verdict {
    if (effectiveSecurity(inv, w, ctr, "runAsNonRoot") == true)
      return passed();
    else
      return failed(c.path + ".securityContext", cname(c) + " does not set runAsNonRoot: true (pod or container)");
  })},
    {.id = "sec-run-as-user",
     .level = Level::Medium,
     .family = "security",
     .title = "Container user or group ID is unset or below 10000",
     .rationale = "Pod Security restricted rejects UID 0. IDs below 10000 can coincide with real users on the node, so a "
         "container breakout gets their files; an unset ID means whatever the image says, often root.",
     .fix = "Set runAsUser and runAsGroup to 10000 or more (the pod securityContext is the place).",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory& inv, const Workload& w, const ContainerRef& c, const Json& ctr) -> Verdict {
    std::vector<std::string> problems;
    for (const char* k : {"runAsUser", "runAsGroup"}) {
      const Json& v = effectiveSecurity(inv, w, ctr, k);
      if (!v.is_number_integer())
        problems.push_back(std::string(k) + " is unset");
      else if (v.get<int64_t>() == 0)
        problems.push_back(std::string(k) + " is 0 (root)");
      else if (v.get<int64_t>() < 10000)
        problems.push_back(std::string(k) + " is " + std::to_string(v.get<int64_t>()) + " (< 10000)");
    }
    if (problems.empty()) {
      return passed();
    }
    std::string msg = cname(c) + ": ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? ", " : "") + problems[i];
    return failed(c.path + ".securityContext", msg);
  })},
    {.id = "sec-privilege-escalation",
     .level = Level::High,
     .family = "security",
     .title = "allowPrivilegeEscalation is not false",
     .rationale = "Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through "
         "setuid binaries or file capabilities. Pod Security restricted requires it to be false on every "
         "container; it defaults to true.",
     .fix = "Set securityContext.allowPrivilegeEscalation: false on every container.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    const Json& v = fieldAt(ctr, "securityContext.allowPrivilegeEscalation");
    if (v == false)
      return passed();
    else
      return failed(c.path + ".securityContext",
               cname(c) + (v.is_null() ? " leaves allowPrivilegeEscalation unset (defaults to true)"
                                       : " sets allowPrivilegeEscalation: true"));
  })},
    {.id = "sec-capabilities-drop-all",
     .level = Level::High,
     .family = "security",
     .title = "Container does not drop ALL capabilities",
     .rationale = "Containers start with a default set of Linux capabilities (CHOWN, NET_RAW, SETUID, ...). Pod Security "
         "restricted requires capabilities.drop to contain ALL, spelled exactly so: a lower-case `all` is "
         "honoured by containerd and CRI-O but does not satisfy the admission check, so such pods are rejected.",
     .fix = "Set securityContext.capabilities.drop: [\"ALL\"] and add back only NET_BIND_SERVICE when needed.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    const Json& drop = fieldAt(ctr, "securityContext.capabilities.drop");
    if (drop.is_array()) {
      for (size_t i = 0; i < drop.size(); ++i) {
        if (drop[i] == "ALL") {
          return passed();
        }
      }
      for (size_t i = 0; i < drop.size(); ++i) {
        std::string s = str(drop[i]);
        std::string up;
        for (char ch : s) up += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (up == "ALL") {
          return failed(indexPath(c.path + ".securityContext.capabilities.drop", i),
                   cname(c) + " drops \"" + s + "\": Pod Security restricted only accepts upper-case \"ALL\"");
          return skipped();
        }
      }
    }
    return failed(c.path + ".securityContext", cname(c) + " does not drop ALL capabilities");
  })},
    {.id = "sec-capabilities-add",
     .level = Level::High,
     .family = "security",
     .title = "Container adds capabilities other than NET_BIND_SERVICE",
     .rationale = "Pod Security restricted allows adding back only NET_BIND_SERVICE. CHOWN, SETUID, SETGID or "
         "DAC_OVERRIDE are what an image needs to start as root and switch user; with a fixed non-root user "
         "and fsGroup-owned volumes they are not needed.",
     .fix = "Remove them; run as a non-root user and let fsGroup make volumes writable.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    const Json& add = fieldAt(ctr, "securityContext.capabilities.add");
    std::vector<std::string> extra;
    if (add.is_array())
      for (const auto& a : add)
        if (a != "NET_BIND_SERVICE") extra.push_back(str(a));
    if (extra.empty()) {
      return passed();
    }
    std::string list;
    for (size_t i = 0; i < extra.size(); ++i) list += (i ? ", " : "") + extra[i];
    return failed(c.path + ".securityContext.capabilities.add", cname(c) + " adds " + list);
  })},
    {.id = "sec-seccomp",
     .level = Level::High,
     .family = "security",
     .title = "No seccomp profile (RuntimeDefault or Localhost)",
     .rationale = "Without a seccomp profile a container may call every system call the kernel has, including the rare "
         "ones most kernel exploits need. Pod Security restricted requires RuntimeDefault or Localhost.",
     .fix = "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory& inv, const Workload& w, const ContainerRef& c, const Json& ctr) -> Verdict {
    std::string type = str(field(effectiveSecurity(inv, w, ctr, "seccompProfile"), "type"));
    if (type == "RuntimeDefault" || type == "Localhost")
      return passed();
    else
      return failed(c.path + ".securityContext",
               cname(c) + (type.empty() ? " has no seccomp profile (pod or container)"
                                        : " uses seccomp profile " + type));
  })},
    {.id = "sec-read-only-root-fs",
     .level = Level::Medium,
     .family = "security",
     .title = "Root filesystem is writable",
     .rationale = "A writable root filesystem lets an intruder drop tools and change binaries, and lets the app write "
         "data that silently disappears with the pod.",
     .fix = "Set readOnlyRootFilesystem: true and mount emptyDir volumes (or PVCs) where the app writes (/tmp, data).",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    if (fieldAt(ctr, "securityContext.readOnlyRootFilesystem") == true)
      return passed();
    else
      return failed(c.path + ".securityContext", cname(c) + " does not set readOnlyRootFilesystem: true");
  })},
    {.id = "sec-privileged",
     .level = Level::Critical,
     .family = "security",
     .title = "Container is privileged",
     .rationale = "A privileged container has every capability and all host devices: it is root on the node.",
     .fix = "Remove privileged: true; grant the specific capability the workload needs, if any.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    if (fieldAt(ctr, "securityContext.privileged") == true)
      return failed(c.path + ".securityContext.privileged", cname(c) + " is privileged");
    else
      return passed();
  })},
    {.id = "sec-host-namespaces",
     .level = Level::Critical,
     .family = "security",
     .title = "Pod shares the host's network, PID or IPC namespace",
     .rationale = "hostNetwork, hostPID and hostIPC let a pod see and reach everything on the node: its interfaces, its "
         "processes, its shared memory. Pod Security baseline already forbids them.",
     .fix = "Remove hostNetwork/hostPID/hostIPC; node agents that truly need them belong in a privileged namespace.",
     .autoFix = false,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    Verdict v;
    for (const char* k : {"hostNetwork", "hostPID", "hostIPC"})
      if (field(inv.podSpec(w), k) == true) v.fail(w.podSpecPath + "." + k, std::string("pod sets ") + k + ": true");
    return v;
  })},
    {.id = "sec-host-path",
     .level = Level::Critical,
     .family = "security",
     .title = "Pod mounts a hostPath volume",
     .rationale = "A hostPath volume exposes the node's filesystem to the pod; a writable one (or /var/run/docker.sock) "
         "is a direct route to root on the node. Pod Security baseline forbids it.",
     .fix = "Use a PersistentVolumeClaim, an emptyDir, a ConfigMap or a CSI volume instead.",
     .autoFix = false,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    Verdict v;
    const Json& vols = field(inv.podSpec(w), "volumes");
    for (size_t i = 0; vols.is_array() && i < vols.size(); ++i)
      if (field(vols[i], "hostPath").is_object())
        v.fail(indexPath(w.podSpecPath + ".volumes", i), "volume \"" + str(field(vols[i], "name")) +
                                                             "\" mounts host path " + str(fieldAt(vols[i], "hostPath.path")));
    return v;
  })},
    {.id = "sec-host-port",
     .level = Level::High,
     .family = "security",
     .title = "Container binds a host port",
     .rationale = "A hostPort opens the port on the node's own address, bypassing Services and NetworkPolicies, and "
         "limits the workload to one pod per node.",
     .fix = "Remove hostPort and reach the pod through a Service.",
     .autoFix = false,
     .check = failEachContainer(true, [](const Inventory& inv, const Workload& w, const ContainerRef& c, const Json& ctr) -> Verdict {
    Verdict v;
    // With hostNetwork every port a container listens on is a port of the node (and Kubernetes
    // sets hostPort = containerPort on each declared one).
    const bool hostNetwork = field(inv.podSpec(w), "hostNetwork") == true;
    const Json& ports = field(ctr, "ports");
    for (size_t i = 0; ports.is_array() && i < ports.size(); ++i) {
      const Json& hp = field(ports[i], "hostPort");
      const Json& cp = field(ports[i], "containerPort");
      if (hp.is_number_integer() && hp.get<int>() > 0)
        v.fail(indexPath(c.path + ".ports", i) + ".hostPort", cname(c) + " binds host port " + std::to_string(hp.get<int>()));
      else if (hostNetwork && cp.is_number_integer())
        v.fail(indexPath(c.path + ".ports", i) + ".containerPort",
               cname(c) + " binds host port " + std::to_string(cp.get<int>()) + " (the pod uses hostNetwork)");
    }
    return v;
  })},
    {.id = "sec-namespace-pod-security",
     .level = Level::Low,
     .family = "security",
     .title = "Namespace does not enforce Pod Security restricted",
     .rationale = "Hardened manifests stay hardened only if the namespace rejects pods that are not: the "
         "pod-security.kubernetes.io/enforce label makes the API server refuse them.",
     .fix = "Label the namespace pod-security.kubernetes.io/enforce: restricted (and warn/audit the same).",
     .autoFix = true,
     .check = [](const Inventory& inv, Results& res) {
    for (size_t n : inv.ofKind("Namespace")) {
      const Json& v = field(fieldAt(inv.object(n), "metadata.labels"), "pod-security.kubernetes.io/enforce");
      if (v == "restricted")
        res.pass(n);
      else
        res.fail(n, "metadata.labels",
                 v.is_null() ? "namespace has no pod-security.kubernetes.io/enforce label"
                             : "namespace enforces Pod Security \"" + str(v) + "\", not restricted");
    }
  }},
};

}  // namespace

std::vector<Rule> securityRules() { return {std::begin(kSecurityRules), std::end(kSecurityRules)}; }

namespace {

const Rule kServiceAccountRules[] = {
    {.id = "sa-default",
     .level = Level::Medium,
     .family = "service-accounts",
     .title = "Pod runs as the namespace's default ServiceAccount",
     .rationale = "Every pod without its own ServiceAccount shares `default`: a Role granted to one workload is granted "
         "to all of them, and audit logs cannot tell them apart.",
     .fix = "Create one ServiceAccount per workload and set serviceAccountName.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    if (serviceAccountOf(inv.podSpec(w)) == "default")
      return failed(w.podSpecPath, "pod uses the default ServiceAccount");
    else
      return passed();
  })},
    {.id = "sa-token-automount",
     .level = Level::Medium,
     .family = "service-accounts",
     .title = "ServiceAccount token is mounted into the pod",
     .rationale = "Most services never call the Kubernetes API, yet by default each pod gets a token for it: whoever "
         "breaks into the pod gets the ServiceAccount's permissions.",
     .fix = "Set automountServiceAccountToken: false on the pod (or its ServiceAccount); mount a projected token only where needed.",
     .autoFix = true,
     .check = failEachWorkload([](const Inventory& inv, const Workload& w) -> Verdict {
    const Json& spec = inv.podSpec(w);
    const Json& pod = field(spec, "automountServiceAccountToken");
    bool off = pod == false;
    if (pod.is_null()) {
      auto sa = inv.find("ServiceAccount", namespaceOf(inv.object(w.object)), serviceAccountOf(spec));
      if (sa && field(inv.object(*sa), "automountServiceAccountToken") == false) off = true;
    }
    if (off)
      return passed();
    else
      return failed(w.podSpecPath, "the ServiceAccount token is mounted (automountServiceAccountToken is not false)");
  })},
};

}  // namespace

std::vector<Rule> serviceAccountRules() { return {std::begin(kServiceAccountRules), std::end(kServiceAccountRules)}; }

namespace fix {

void Hardener::namespaceLabels(size_t n) {
  if (!want(n, "sec-namespace-pod-security")) return;
  Json& o = objs_[n];
  if (field(fieldAt(o, "metadata.labels"), "pod-security.kubernetes.io/enforce") == "restricted") return;
  Json& labels = at(o, "metadata.labels");
  if (!labels.is_object()) labels = Json::object();
  labels["pod-security.kubernetes.io/enforce"] = "restricted";
  labels["pod-security.kubernetes.io/enforce-version"] = "latest";
  labels["pod-security.kubernetes.io/warn"] = "restricted";
  labels["pod-security.kubernetes.io/audit"] = "restricted";
  change("sec-namespace-pod-security", n, "labelled pod-security.kubernetes.io/enforce=restricted (and warn, audit)");
}

void Hardener::podSecurity(const Workload& w) {
  size_t i = w.object;
  Json& spec = podSpec(i, w);
  // The user all containers agree on, if it is a good one; else 10001.
  const int64_t uid = [&]() -> int64_t {
    for (const char* key : {"containers", "initContainers"})
      for (const auto& c : fieldArr(spec, key)) {
        const Json& u = fieldAt(c, "securityContext.runAsUser");
        if (u.is_number_integer() && u.get<int64_t>() >= 10000) return u.get<int64_t>();
      }
    return 10001;
  }();
  const Json desired = podSecurityContext(uid, uid, uid);
  bool hadContext = field(spec, "securityContext").is_object() && !spec["securityContext"].empty();
  Json& sc = spec["securityContext"];
  if (!sc.is_object()) sc = Json::object();
  std::map<std::string, std::string> did;  // rule -> what
  auto set = [&](const char* rule, const char* key, bool bad) {
    if (!bad || !want(i, rule)) return;
    sc[key] = desired[key];
    std::string& d = did[rule];
    d += (d.empty() ? "" : ", ") + std::string(key) + " " +
         (desired[key].is_string() ? desired[key].get<std::string>() : desired[key].dump());
  };
  auto low = [&](const char* key) {
    return !sc.contains(key) || !sc[key].is_number_integer() || sc[key].get<int64_t>() < 10000;
  };
  set("sec-run-as-non-root", "runAsNonRoot", sc["runAsNonRoot"] != true);
  set("sec-run-as-user", "runAsUser", low("runAsUser"));
  set("sec-run-as-user", "runAsGroup", low("runAsGroup"));
  set("sec-pod-security-context", "fsGroup", !sc.contains("fsGroup"));
  set("sec-pod-security-context", "fsGroupChangePolicy", !sc.contains("fsGroupChangePolicy"));
  std::string type = str(fieldAt(sc, "seccompProfile.type"));
  set("sec-seccomp", "seccompProfile", type != "RuntimeDefault" && type != "Localhost");
  if (sc.contains("runAsNonRoot") && sc["runAsNonRoot"].is_null()) sc.erase("runAsNonRoot");
  if (sc.empty()) {
    spec.erase("securityContext");
    return;
  }
  if (!hadContext && !did.empty()) change("sec-pod-security-context", i, "added a pod securityContext");
  for (const auto& [rule, what] : did) change(rule.c_str(), i, "pod securityContext: " + what);
}

void Hardener::containerSecurity(size_t i, Json& c, const std::string& who) {
  const Json desired = containerSecurityContext(true, capabilitiesForPorts(containerPorts(c)));
  Json& sc = c["securityContext"];
  if (!sc.is_object()) sc = Json::object();
  auto note = [&](const char* rule, const std::string& msg) { change(rule, i, who + ": " + msg); };
  if (sc["allowPrivilegeEscalation"] != false && want(i, "sec-privilege-escalation")) {
    sc["allowPrivilegeEscalation"] = false;
    note("sec-privilege-escalation", "allowPrivilegeEscalation: false");
  }
  if (sc["privileged"] != false && want(i, "sec-privileged")) {
    bool was = sc["privileged"] == true;
    sc["privileged"] = false;
    if (was) note("sec-privileged", "privileged: true -> false");
  }
  if (sc["readOnlyRootFilesystem"] != true && want(i, "sec-read-only-root-fs")) {
    sc["readOnlyRootFilesystem"] = true;
    note("sec-read-only-root-fs", "readOnlyRootFilesystem: true");
  }
  if (sc["runAsNonRoot"] != true && want(i, "sec-run-as-non-root")) {
    sc["runAsNonRoot"] = true;
    note("sec-run-as-non-root", "runAsNonRoot: true");
  }
  for (const char* k : {"runAsUser", "runAsGroup"}) {
    if (sc.contains(k) && sc[k].is_number_integer() && sc[k].get<int64_t>() < 10000 && want(i, "sec-run-as-user")) {
      note("sec-run-as-user", std::string(k) + " " + sc[k].dump() + " removed (the pod's >= 10000 applies)");
      sc.erase(k);
    }
  }
  Json& caps = sc["capabilities"];
  if (!caps.is_object()) caps = Json::object();
  if (want(i, "sec-capabilities-drop-all")) {
    bool ok = caps["drop"].is_array() && std::find(caps["drop"].begin(), caps["drop"].end(), Json("ALL")) != caps["drop"].end();
    if (!ok) {
      std::string was = caps["drop"].is_array() ? caps["drop"].dump() : "nothing";
      caps["drop"] = desired["capabilities"]["drop"];
      note("sec-capabilities-drop-all", "capabilities.drop " + was + " -> [\"ALL\"]");
    }
  }
  if (want(i, "sec-capabilities-add")) {
    Json add = Json::array();
    std::string removed;
    if (caps["add"].is_array())
      for (const auto& a : caps["add"]) {
        if (a == "NET_BIND_SERVICE")
          add.push_back(a);
        else
          removed += (removed.empty() ? "" : ", ") + str(a);
      }
    const Json& need = fieldAt(desired, "capabilities.add");
    if (need.is_array())
      for (const auto& a : need)
        if (std::find(add.begin(), add.end(), a) == add.end()) add.push_back(a);
    if (!removed.empty()) note("sec-capabilities-add", "removed capabilities " + removed);
    if (add.empty())
      caps.erase("add");
    else
      caps["add"] = add;
    // Keep "add" before "drop", as the shared context prints them.
    if (caps.contains("add") && caps.contains("drop")) {
      Json ordered = Json::object();
      ordered["add"] = caps["add"];
      ordered["drop"] = caps["drop"];
      for (const auto& [k, v] : caps.items())
        if (k != "add" && k != "drop") ordered[k] = v;
      caps = ordered;
    }
  }
  for (auto it = caps.begin(); it != caps.end();) it = it->is_null() ? caps.erase(it) : std::next(it);
  if (caps.is_object() && caps.empty()) sc.erase("capabilities");
  std::string type = str(fieldAt(sc, "seccompProfile.type"));
  if (type != "RuntimeDefault" && type != "Localhost" && want(i, "sec-seccomp")) {
    sc["seccompProfile"] = desired["seccompProfile"];
  }
  for (auto it = sc.begin(); it != sc.end();) it = it->is_null() ? sc.erase(it) : std::next(it);
}

void Hardener::writablePaths(const Workload& w, Json& spec, Json& c, const std::string& who) {
  size_t i = w.object;
  if (fieldAt(c, "securityContext.readOnlyRootFilesystem") != true || !want(i, "sec-read-only-root-fs")) return;
  std::vector<std::string> paths = {"/tmp"};
  if (const auto* p = findProfile(parseImage(str(field(c, "image")))))
    for (const auto& wp : p->writablePaths)
      if (std::find(paths.begin(), paths.end(), wp) == paths.end()) paths.push_back(wp);
  for (const auto& path : paths) {
    bool mounted = false;
    for (const auto& m : fieldArr(c, "volumeMounts"))
      mounted |= str(field(m, "mountPath")) == path;
    if (mounted) continue;
    std::string name = volumeNameFor(path);
    // A volume of that name that is an emptyDir can be shared; any other name clash gets a suffix.
    auto findVol = [&](const std::string& n) -> const Json* {
      for (const auto& v : fieldArr(spec, "volumes"))
        if (str(field(v, "name")) == n) return &v;
      for (const auto& v : pendingVolumes_)
        if (str(field(v, "name")) == n) return &v;
      return nullptr;
    };
    std::string base = name;
    for (int k = 2; findVol(name) && !field(*findVol(name), "emptyDir").is_object(); ++k) name = base + "-" + std::to_string(k);
    if (!findVol(name)) pendingVolumes_.push_back({{"name", name}, {"emptyDir", {{"sizeLimit", "256Mi"}}}});
    c["volumeMounts"].push_back({{"name", name}, {"mountPath", path}});
    change("sec-read-only-root-fs", i, who + ": emptyDir \"" + name + "\" mounted at " + path + " (writable with a read-only root)");
  }
}

bool Hardener::boundByRbac(const std::string& ns, const std::string& sa) const {
  for (const char* kind : {"RoleBinding", "ClusterRoleBinding"})
    for (size_t b : inv_.ofKind(kind)) {
      const Json& subjects = field(inv_.object(b), "subjects");
      if (!subjects.is_array()) continue;
      for (const auto& s : subjects)
        if (str(field(s, "kind")) == "ServiceAccount" && str(field(s, "name")) == sa &&
            (str(field(s, "namespace")) == ns || (std::string(kind) == "RoleBinding" && namespaceOf(inv_.object(b)) == ns)))
          return true;
    }
  return false;
}

void Hardener::serviceAccount(const Workload& w) {
  size_t i = w.object;
  Json& spec = podSpec(i, w);
  const Json& o = inv_.object(i);
  std::string ns = namespaceOf(o);
  if (spec.contains("serviceAccount") && want(i, "deprecated-service-account-field")) {
    if (!has(spec, "serviceAccountName")) spec["serviceAccountName"] = spec["serviceAccount"];
    spec.erase("serviceAccount");
    change("deprecated-service-account-field", i, "spec.serviceAccount -> serviceAccountName");
  }
  std::string sa = serviceAccountOf(spec);
  if (sa == "default" && want(i, "sa-default")) {
    sa = nameOf(o);
    if (!exists("ServiceAccount", ns, sa)) {
      Json obj = newObject("v1", "ServiceAccount", sa, ns, inv_.selectorLabels(w));
      obj["automountServiceAccountToken"] = false;
      changeNew("sa-default", obj, "added for " + describe(o) + " (no API access, no token)");
      add(i, true, std::move(obj));
    }
    spec["serviceAccountName"] = sa;
    change("sa-default", i, "serviceAccountName " + sa);
  }
  if (field(spec, "automountServiceAccountToken") != false && want(i, "sa-token-automount")) {
    auto saObj = inv_.find("ServiceAccount", ns, sa);
    bool saOff = saObj && field(inv_.object(*saObj), "automountServiceAccountToken") == false;
    bool created = false;
    for (const auto& g : gens_) created |= kindOf(g.object) == "ServiceAccount" && nameOf(g.object) == sa && namespaceOf(g.object) == ns;
    if (boundByRbac(ns, sa)) {
      warn(i, "ServiceAccount " + sa + " is bound to a Role; its token stays mounted (the pod may need it)");
    } else if (!saOff || created) {
      spec["automountServiceAccountToken"] = false;
      change("sa-token-automount", i, "automountServiceAccountToken: false");
    }
  }
}

}  // namespace fix

}  // namespace shop::audit
