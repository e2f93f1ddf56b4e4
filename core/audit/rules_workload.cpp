// Rules about what runs in a pod: probes, resources, security contexts, images.
#include <algorithm>
#include <cctype>

#include "core/audit/rules_util.hpp"

namespace shop::audit {

namespace {

template <class F>
void eachContainer(const Inventory& inv, bool withInit, F f) {
  for (const auto& w : inv.workloads())
    for (const auto& c : inv.containers(w, withInit)) f(w, c, containerJson(inv, w, c));
}

std::string cname(const ContainerRef& c) {
  return std::string(c.init ? "init container \"" : "container \"") + c.name + "\"";
}

bool probed(const Workload& w) { return w.role != Role::Batch; }

Rule probeReadiness() {
  Rule r;
  r.id = "probe-readiness-missing";
  r.level = Level::High;
  r.family = "probes";
  r.title = "Container has no readiness probe";
  r.rationale =
      "Without a readiness probe a pod receives traffic from its Services as soon as the process starts, "
      "before it can answer, and keeps receiving it while it is overloaded or lost its database.";
  r.fix = "Add a readinessProbe that checks the service can do its job (an HTTP health endpoint, or the port).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, false, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      if (!probed(w)) return;
      if (field(ctr, "readinessProbe").is_object())
        res.pass(w.object);
      else
        res.fail(w.object, c.path, cname(c) + " has no readinessProbe");
    });
  };
  return r;
}

Rule probeLiveness() {
  Rule r;
  r.id = "probe-liveness-missing";
  r.level = Level::Medium;
  r.family = "probes";
  r.title = "Container has no liveness probe";
  r.rationale =
      "A process that hangs without exiting is never restarted without a liveness probe; its pod stays in "
      "rotation (or out of it) forever.";
  r.fix =
      "Add a livenessProbe that only checks the process itself (its port or a cheap endpoint), never its "
      "dependencies, so an outage downstream does not restart every pod. Pair it with a startupProbe for slow "
      "starters instead of a long initialDelaySeconds.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, false, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      if (!probed(w)) return;
      if (field(ctr, "livenessProbe").is_object())
        res.pass(w.object);
      else
        res.fail(w.object, c.path, cname(c) + " has no livenessProbe");
    });
  };
  return r;
}

Rule probeIdentical() {
  Rule r;
  r.id = "probe-identical";
  r.level = Level::Medium;
  r.family = "probes";
  r.title = "Readiness and liveness probes are the same check";
  r.rationale =
      "When readiness and liveness ask the same question, a slow or overloaded pod is first taken out of "
      "rotation and then killed, and a dependency outage that the health endpoint reports restarts every pod "
      "at once.";
  r.fix = "Keep the health endpoint for readiness; make liveness a cheaper check of the process (its TCP port).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, false, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& rp = field(ctr, "readinessProbe");
      const Json& lp = field(ctr, "livenessProbe");
      if (!rp.is_object() || !lp.is_object()) return;
      if (probesIdentical(rp, lp))
        res.fail(w.object, c.path + ".livenessProbe", cname(c) + " uses the same check for liveness and readiness");
      else
        res.pass(w.object);
    });
  };
  return r;
}

Rule resourceRequests() {
  Rule r;
  r.id = "resources-requests-missing";
  r.level = Level::High;
  r.family = "resources";
  r.title = "Container has no CPU or memory requests";
  r.rationale =
      "The scheduler places pods by their requests. Without them a pod lands on a full node, is the first "
      "to be evicted under memory pressure (BestEffort), and an HPA cannot compute CPU utilization.";
  r.fix = "Set resources.requests.cpu and resources.requests.memory to what the container uses at steady state.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& req = fieldAt(ctr, "resources.requests");
      std::vector<std::string> missing;
      for (const char* k : {"cpu", "memory"})
        if (field(req, k).is_null()) missing.push_back(k);
      if (missing.empty()) {
        res.pass(w.object);
        return;
      }
      std::string what = missing.size() == 2 ? "cpu and memory" : missing[0];
      res.fail(w.object, c.path + ".resources", cname(c) + " has no " + what + " request");
    });
  };
  return r;
}

Rule resourceLimits() {
  Rule r;
  r.id = "resources-limits-missing";
  r.level = Level::Medium;
  r.family = "resources";
  r.title = "Container has no CPU or memory limits";
  r.rationale =
      "A container without a memory limit can take a node's memory until the kernel kills something else; "
      "without a CPU limit one busy pod starves its neighbours.";
  r.fix = "Set resources.limits.memory (and cpu) at or above the requests.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& lim = fieldAt(ctr, "resources.limits");
      std::vector<std::string> missing;
      for (const char* k : {"cpu", "memory"})
        if (field(lim, k).is_null()) missing.push_back(k);
      if (missing.empty()) {
        res.pass(w.object);
        return;
      }
      std::string what = missing.size() == 2 ? "cpu and memory" : missing[0];
      res.fail(w.object, c.path + ".resources", cname(c) + " has no " + what + " limit");
    });
  };
  return r;
}

Rule resourceEphemeral() {
  Rule r;
  r.id = "resources-ephemeral-storage";
  r.level = Level::Low;
  r.family = "resources";
  r.title = "Container has no ephemeral-storage request and limit";
  r.rationale =
      "Logs, emptyDir volumes and writable layers use node disk. Without a limit one pod can fill it and get "
      "every pod on the node evicted.";
  r.fix = "Set resources.requests and resources.limits for ephemeral-storage.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      bool req = !fieldAt(ctr, "resources.requests").is_null() &&
                 !field(fieldAt(ctr, "resources.requests"), "ephemeral-storage").is_null();
      bool lim = !fieldAt(ctr, "resources.limits").is_null() &&
                 !field(fieldAt(ctr, "resources.limits"), "ephemeral-storage").is_null();
      if (req && lim)
        res.pass(w.object);
      else
        res.fail(w.object, c.path + ".resources", cname(c) + " has no ephemeral-storage " +
                                                     (req ? "limit" : lim ? "request" : "request or limit"));
    });
  };
  return r;
}

// ---- security ------------------------------------------------------------------------------

Rule podSecurityContext() {
  Rule r;
  r.id = "sec-pod-security-context";
  r.level = Level::Medium;
  r.family = "security";
  r.title = "Pod has no pod-level securityContext";
  r.rationale =
      "The pod-level securityContext sets the user, group, fsGroup and seccomp profile for every container "
      "at once, including ones added later (sidecars, debug containers). Without it each container must "
      "repeat every setting, and volumes are not made writable for the pod's group.";
  r.fix = "Set spec.securityContext: runAsNonRoot, runAsUser/runAsGroup/fsGroup >= 10000, seccompProfile RuntimeDefault.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      const Json& sc = field(inv.podSpec(w), "securityContext");
      if (sc.is_object() && !sc.empty())
        res.pass(w.object);
      else
        res.fail(w.object, w.podSpecPath, "pod has no securityContext");
    }
  };
  return r;
}

Rule runAsNonRoot() {
  Rule r;
  r.id = "sec-run-as-non-root";
  r.level = Level::High;
  r.family = "security";
  r.title = "Container may run as root (runAsNonRoot is not true)";
  r.rationale =
      "Pod Security restricted requires runAsNonRoot: true. A process running as root inside the container "
      "is one kernel or runtime bug away from root on the node.";
  r.fix = "Set runAsNonRoot: true in the pod securityContext (or on every container) with a non-zero runAsUser.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      if (effectiveSecurity(inv, w, ctr, "runAsNonRoot") == true)
        res.pass(w.object);
      else
        res.fail(w.object, c.path + ".securityContext", cname(c) + " does not set runAsNonRoot: true (pod or container)");
    });
  };
  return r;
}

Rule runAsUser() {
  Rule r;
  r.id = "sec-run-as-user";
  r.level = Level::Medium;
  r.family = "security";
  r.title = "Container user or group ID is unset or below 10000";
  r.rationale =
      "Pod Security restricted rejects UID 0. IDs below 10000 can coincide with real users on the node, so a "
      "container breakout gets their files; an unset ID means whatever the image says, often root.";
  r.fix = "Set runAsUser and runAsGroup to 10000 or more (the pod securityContext is the place).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
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
        res.pass(w.object);
        return;
      }
      std::string msg = cname(c) + ": ";
      for (size_t i = 0; i < problems.size(); ++i) msg += (i ? ", " : "") + problems[i];
      res.fail(w.object, c.path + ".securityContext", msg);
    });
  };
  return r;
}

Rule privilegeEscalation() {
  Rule r;
  r.id = "sec-privilege-escalation";
  r.level = Level::High;
  r.family = "security";
  r.title = "allowPrivilegeEscalation is not false";
  r.rationale =
      "Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through "
      "setuid binaries or file capabilities. Pod Security restricted requires it to be false on every "
      "container; it defaults to true.";
  r.fix = "Set securityContext.allowPrivilegeEscalation: false on every container.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& v = fieldAt(ctr, "securityContext.allowPrivilegeEscalation");
      if (v == false)
        res.pass(w.object);
      else
        res.fail(w.object, c.path + ".securityContext",
                 cname(c) + (v.is_null() ? " leaves allowPrivilegeEscalation unset (defaults to true)"
                                         : " sets allowPrivilegeEscalation: true"));
    });
  };
  return r;
}

Rule dropAll() {
  Rule r;
  r.id = "sec-capabilities-drop-all";
  r.level = Level::High;
  r.family = "security";
  r.title = "Container does not drop ALL capabilities";
  r.rationale =
      "Containers start with a default set of Linux capabilities (CHOWN, NET_RAW, SETUID, ...). Pod Security "
      "restricted requires capabilities.drop to contain ALL, spelled exactly so: a lower-case `all` is "
      "honoured by containerd and CRI-O but does not satisfy the admission check, so such pods are rejected.";
  r.fix = "Set securityContext.capabilities.drop: [\"ALL\"] and add back only NET_BIND_SERVICE when needed.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& drop = fieldAt(ctr, "securityContext.capabilities.drop");
      if (drop.is_array()) {
        for (size_t i = 0; i < drop.size(); ++i) {
          if (drop[i] == "ALL") {
            res.pass(w.object);
            return;
          }
        }
        for (size_t i = 0; i < drop.size(); ++i) {
          std::string s = str(drop[i]);
          std::string up;
          for (char ch : s) up += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          if (up == "ALL") {
            res.fail(w.object, indexPath(c.path + ".securityContext.capabilities.drop", i),
                     cname(c) + " drops \"" + s + "\": Pod Security restricted only accepts upper-case \"ALL\"");
            return;
          }
        }
      }
      res.fail(w.object, c.path + ".securityContext", cname(c) + " does not drop ALL capabilities");
    });
  };
  return r;
}

Rule capabilitiesAdd() {
  Rule r;
  r.id = "sec-capabilities-add";
  r.level = Level::High;
  r.family = "security";
  r.title = "Container adds capabilities other than NET_BIND_SERVICE";
  r.rationale =
      "Pod Security restricted allows adding back only NET_BIND_SERVICE. CHOWN, SETUID, SETGID or "
      "DAC_OVERRIDE are what an image needs to start as root and switch user; with a fixed non-root user "
      "and fsGroup-owned volumes they are not needed.";
  r.fix = "Remove them; run as a non-root user and let fsGroup make volumes writable.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& add = fieldAt(ctr, "securityContext.capabilities.add");
      std::vector<std::string> extra;
      if (add.is_array())
        for (const auto& a : add)
          if (a != "NET_BIND_SERVICE") extra.push_back(str(a));
      if (extra.empty()) {
        res.pass(w.object);
        return;
      }
      std::string list;
      for (size_t i = 0; i < extra.size(); ++i) list += (i ? ", " : "") + extra[i];
      res.fail(w.object, c.path + ".securityContext.capabilities.add", cname(c) + " adds " + list);
    });
  };
  return r;
}

Rule seccomp() {
  Rule r;
  r.id = "sec-seccomp";
  r.level = Level::High;
  r.family = "security";
  r.title = "No seccomp profile (RuntimeDefault or Localhost)";
  r.rationale =
      "Without a seccomp profile a container may call every system call the kernel has, including the rare "
      "ones most kernel exploits need. Pod Security restricted requires RuntimeDefault or Localhost.";
  r.fix = "Set spec.securityContext.seccompProfile.type: RuntimeDefault.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      std::string type = str(field(effectiveSecurity(inv, w, ctr, "seccompProfile"), "type"));
      if (type == "RuntimeDefault" || type == "Localhost")
        res.pass(w.object);
      else
        res.fail(w.object, c.path + ".securityContext",
                 cname(c) + (type.empty() ? " has no seccomp profile (pod or container)"
                                          : " uses seccomp profile " + type));
    });
  };
  return r;
}

Rule readOnlyRoot() {
  Rule r;
  r.id = "sec-read-only-root-fs";
  r.level = Level::Medium;
  r.family = "security";
  r.title = "Root filesystem is writable";
  r.rationale =
      "A writable root filesystem lets an intruder drop tools and change binaries, and lets the app write "
      "data that silently disappears with the pod.";
  r.fix = "Set readOnlyRootFilesystem: true and mount emptyDir volumes (or PVCs) where the app writes (/tmp, data).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      if (fieldAt(ctr, "securityContext.readOnlyRootFilesystem") == true)
        res.pass(w.object);
      else
        res.fail(w.object, c.path + ".securityContext", cname(c) + " does not set readOnlyRootFilesystem: true");
    });
  };
  return r;
}

Rule privileged() {
  Rule r;
  r.id = "sec-privileged";
  r.level = Level::Critical;
  r.family = "security";
  r.title = "Container is privileged";
  r.rationale = "A privileged container has every capability and all host devices: it is root on the node.";
  r.fix = "Remove privileged: true; grant the specific capability the workload needs, if any.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      if (fieldAt(ctr, "securityContext.privileged") == true)
        res.fail(w.object, c.path + ".securityContext.privileged", cname(c) + " is privileged");
      else
        res.pass(w.object);
    });
  };
  return r;
}

Rule hostNamespaces() {
  Rule r;
  r.id = "sec-host-namespaces";
  r.level = Level::Critical;
  r.family = "security";
  r.title = "Pod shares the host's network, PID or IPC namespace";
  r.rationale =
      "hostNetwork, hostPID and hostIPC let a pod see and reach everything on the node: its interfaces, its "
      "processes, its shared memory. Pod Security baseline already forbids them.";
  r.fix = "Remove hostNetwork/hostPID/hostIPC; node agents that truly need them belong in a privileged namespace.";
  r.autoFix = false;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      bool any = false;
      for (const char* k : {"hostNetwork", "hostPID", "hostIPC"}) {
        if (field(inv.podSpec(w), k) == true) {
          res.fail(w.object, w.podSpecPath + "." + k, std::string("pod sets ") + k + ": true");
          any = true;
        }
      }
      if (!any) res.pass(w.object);
    }
  };
  return r;
}

Rule hostPath() {
  Rule r;
  r.id = "sec-host-path";
  r.level = Level::Critical;
  r.family = "security";
  r.title = "Pod mounts a hostPath volume";
  r.rationale =
      "A hostPath volume exposes the node's filesystem to the pod; a writable one (or /var/run/docker.sock) "
      "is a direct route to root on the node. Pod Security baseline forbids it.";
  r.fix = "Use a PersistentVolumeClaim, an emptyDir, a ConfigMap or a CSI volume instead.";
  r.autoFix = false;
  r.check = [](const Inventory& inv, Results& res) {
    for (const auto& w : inv.workloads()) {
      const Json& vols = field(inv.podSpec(w), "volumes");
      bool any = false;
      if (vols.is_array()) {
        for (size_t i = 0; i < vols.size(); ++i) {
          if (field(vols[i], "hostPath").is_object()) {
            res.fail(w.object, indexPath(w.podSpecPath + ".volumes", i),
                     "volume \"" + str(field(vols[i], "name")) + "\" mounts host path " +
                         str(fieldAt(vols[i], "hostPath.path")));
            any = true;
          }
        }
      }
      if (!any) res.pass(w.object);
    }
  };
  return r;
}

Rule hostPort() {
  Rule r;
  r.id = "sec-host-port";
  r.level = Level::High;
  r.family = "security";
  r.title = "Container binds a host port";
  r.rationale =
      "A hostPort opens the port on the node's own address, bypassing Services and NetworkPolicies, and "
      "limits the workload to one pod per node.";
  r.fix = "Remove hostPort and reach the pod through a Service.";
  r.autoFix = false;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      const Json& ports = field(ctr, "ports");
      bool any = false;
      if (ports.is_array()) {
        for (size_t i = 0; i < ports.size(); ++i) {
          const Json& hp = field(ports[i], "hostPort");
          if (hp.is_number_integer() && hp.get<int>() > 0) {
            res.fail(w.object, indexPath(c.path + ".ports", i) + ".hostPort",
                     cname(c) + " binds host port " + std::to_string(hp.get<int>()));
            any = true;
          }
        }
      }
      if (!any) res.pass(w.object);
    });
  };
  return r;
}

Rule namespacePsa() {
  Rule r;
  r.id = "sec-namespace-pod-security";
  r.level = Level::Low;
  r.family = "security";
  r.title = "Namespace does not enforce Pod Security restricted";
  r.rationale =
      "Hardened manifests stay hardened only if the namespace rejects pods that are not: the "
      "pod-security.kubernetes.io/enforce label makes the API server refuse them.";
  r.fix = "Label the namespace pod-security.kubernetes.io/enforce: restricted (and warn/audit the same).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    for (size_t n : inv.ofKind("Namespace")) {
      const Json& v = field(fieldAt(inv.object(n), "metadata.labels"), "pod-security.kubernetes.io/enforce");
      if (v == "restricted")
        res.pass(n);
      else
        res.fail(n, "metadata.labels",
                 v.is_null() ? "namespace has no pod-security.kubernetes.io/enforce label"
                             : "namespace enforces Pod Security \"" + str(v) + "\", not restricted");
    }
  };
  return r;
}

// ---- images --------------------------------------------------------------------------------

Rule imageUntagged() {
  Rule r;
  r.id = "image-untagged";
  r.level = Level::High;
  r.family = "images";
  r.title = "Image has no tag";
  r.rationale =
      "An image without a tag means :latest: every node pull can fetch a different version, a rollback "
      "rolls back nothing, and a new major release (mongo 6 for drivers written for 3.x) breaks the app "
      "on a random restart.";
  r.fix = "Pin a version tag (better: a digest). `shopctl harden` pins known images; use --pin IMAGE=TAG for others.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      ImageRef ref = parseImage(str(field(ctr, "image")));
      if (ref.tag.empty() && ref.digest.empty())
        res.fail(w.object, c.path + ".image", cname(c) + " uses image \"" + str(field(ctr, "image")) + "\" without a tag");
      else
        res.pass(w.object);
    });
  };
  return r;
}

Rule imageLatest() {
  Rule r;
  r.id = "image-latest";
  r.level = Level::High;
  r.family = "images";
  r.title = "Image uses the :latest tag";
  r.rationale = "`latest` moves with every release; what runs depends on when each node pulled.";
  r.fix = "Pin a version tag or a digest.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      ImageRef ref = parseImage(str(field(ctr, "image")));
      if (ref.tag == "latest" && ref.digest.empty())
        res.fail(w.object, c.path + ".image", cname(c) + " uses image \"" + str(field(ctr, "image")) + "\"");
      else
        res.pass(w.object);
    });
  };
  return r;
}

Rule imageFloating() {
  Rule r;
  r.id = "image-floating-tag";
  r.level = Level::Medium;
  r.family = "images";
  r.title = "Image tag floats (no major.minor version)";
  r.rationale =
      "Tags like `alpine`, `stable`, `lts` or a bare major `7` are re-pointed at every release, so they "
      "behave like `latest` with a different name.";
  r.fix = "Use a tag with at least major.minor (e.g. redis:7.2.4-alpine) or a digest.";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      ImageRef ref = parseImage(str(field(ctr, "image")));
      if (!ref.digest.empty() || ref.tag.empty() || ref.tag == "latest" || tagIsVersioned(ref.tag))
        res.pass(w.object);
      else
        res.fail(w.object, c.path + ".image",
                 cname(c) + " uses floating tag \"" + ref.tag + "\" (" + str(field(ctr, "image")) + ")");
    });
  };
  return r;
}

Rule pullPolicy() {
  Rule r;
  r.id = "image-pull-policy";
  r.level = Level::Low;
  r.family = "images";
  r.title = "imagePullPolicy is not Always";
  r.rationale =
      "With IfNotPresent a node reuses whatever it has cached under that tag, and a pod can start from a "
      "private image another tenant pulled, without presenting its own pull credentials.";
  r.fix = "Set imagePullPolicy: Always (cheap with pinned tags: the registry answers with the cached digest).";
  r.autoFix = true;
  r.check = [](const Inventory& inv, Results& res) {
    eachContainer(inv, true, [&](const Workload& w, const ContainerRef& c, const Json& ctr) {
      if (field(ctr, "imagePullPolicy") == "Always")
        res.pass(w.object);
      else
        res.fail(w.object, c.path, cname(c) + " has imagePullPolicy " +
                                       (field(ctr, "imagePullPolicy").is_null() ? std::string("unset")
                                                                                : str(field(ctr, "imagePullPolicy"))));
    });
  };
  return r;
}

}  // namespace

std::vector<Rule> workloadRules() {
  return {probeReadiness(), probeLiveness(),   probeIdentical(),  resourceRequests(), resourceLimits(),
          resourceEphemeral(), podSecurityContext(), runAsNonRoot(), runAsUser(), privilegeEscalation(),
          dropAll(), capabilitiesAdd(), seccomp(), readOnlyRoot(), privileged(), hostNamespaces(), hostPath(),
          hostPort(), namespacePsa(), imageUntagged(), imageLatest(), imageFloating(), pullPolicy()};
}

}  // namespace shop::audit
