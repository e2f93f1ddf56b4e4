// Probes: readiness, liveness, and the two not asking the same question.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

// The check that every long-running container (not a Job's) has the probe `key`.
Check probeSet(const char* key) {
  return failEachContainer(false, [key](const Inventory&, const Workload& w, const ContainerRef& c, const Json& ctr) {
    if (w.role == Role::Batch) return skipped();
    if (field(ctr, key).is_object()) return passed();
    return failed(c.path, cname(c) + " has no " + key);
  });
}

const Rule kProbeRules[] = {
    {.id = "probe-readiness-missing",
     .level = Level::High,
     .family = "probes",
     .title = "Container has no readiness probe",
     .rationale = "Without a readiness probe a pod receives traffic from its Services as soon as the process starts, "
         "before it can answer, and keeps receiving it while it is overloaded or lost its database.",
     .fix = "Add a readinessProbe that checks the service can do its job (an HTTP health endpoint, or the port).",
     .autoFix = true,
     .check = probeSet("readinessProbe")},
    {.id = "probe-liveness-missing",
     .level = Level::Medium,
     .family = "probes",
     .title = "Container has no liveness probe",
     .rationale = "A process that hangs without exiting is never restarted without a liveness probe; its pod stays in "
         "rotation (or out of it) forever.",
     .fix = "Add a livenessProbe that only checks the process itself (its port or a cheap endpoint), never its "
      "dependencies, so an outage downstream does not restart every pod. Pair it with a startupProbe for slow "
      "starters instead of a long initialDelaySeconds.",
     .autoFix = true,
     .check = probeSet("livenessProbe")},
    {.id = "probe-identical",
     .level = Level::Medium,
     .family = "probes",
     .title = "Readiness and liveness probes are the same check",
     .rationale = "When readiness and liveness ask the same question, a slow or overloaded pod is first taken out of "
         "rotation and then killed, and a dependency outage that the health endpoint reports restarts every pod "
         "at once.",
     .fix = "Keep the health endpoint for readiness; make liveness a cheaper check of the process (its TCP port).",
     .autoFix = true,
     .check = failEachContainer(false, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    const Json& rp = field(ctr, "readinessProbe");
    const Json& lp = field(ctr, "livenessProbe");
    if (!rp.is_object() || !lp.is_object()) return skipped();
    if (probesIdentical(rp, lp))
      return failed(c.path + ".livenessProbe", cname(c) + " uses the same check for liveness and readiness");
    else
      return passed();
  })},
};

}  // namespace

std::vector<Rule> probeRules() { return {std::begin(kProbeRules), std::end(kProbeRules)}; }

namespace fix {

namespace {

std::string describeProbe(const Json& p) {
  if (p.contains("httpGet")) return "HTTP GET " + str(p["httpGet"]["path"]) + " on port " + p["httpGet"]["port"].dump();
  if (p.contains("tcpSocket")) return "TCP port " + p["tcpSocket"]["port"].dump();
  if (p.contains("exec")) {
    std::string cmd;
    for (const auto& a : p["exec"]["command"]) cmd += (cmd.empty() ? "" : " ") + str(a);
    return "exec `" + cmd + "`";
  }
  return "added";
}

}  // namespace

Json Hardener::probePort(const Json& c, int port) const {
  if (port > 0) return port;
  auto ports = containerPorts(c);
  if (ports.empty()) return nullptr;
  return ports[0];
}

Json Hardener::buildProbe(const ProbeSpec& p, const Json& c, ProbeUse use) const {
  switch (p.kind) {
    case ProbeSpec::Kind::Http: {
      Json port = probePort(c, p.port);
      return port.is_null() ? Json() : httpGetProbe(p.path, port, use);
    }
    case ProbeSpec::Kind::Tcp: {
      Json port = probePort(c, p.port);
      return port.is_null() ? Json() : tcpSocketProbe(port, use);
    }
    case ProbeSpec::Kind::Exec: return execProbe(p.command, use);
  }
  return Json();
}

void Hardener::probes(size_t i, Json& c, const std::string& who) {
  const ImageProfile* prof = findProfile(parseImage(str(field(c, "image"))));
  if (!has(c, "readinessProbe") && want(i, "probe-readiness-missing")) {
    Json probe;
    if (prof && prof->readiness)
      probe = buildProbe(*prof->readiness, c, ProbeUse::Readiness);
    else
      probe = buildProbe(ProbeSpec{ProbeSpec::Kind::Tcp, "", 0, {}}, c, ProbeUse::Readiness);
    if (probe.is_null()) {
      warn(i, who + ": no readinessProbe added: the container declares no port");
    } else {
      c["readinessProbe"] = probe;
      change("probe-readiness-missing", i, who + ": readinessProbe " + describeProbe(probe));
    }
  }
  if (!has(c, "livenessProbe") && want(i, "probe-liveness-missing")) {
    Json probe;
    if (prof && prof->liveness) probe = buildProbe(*prof->liveness, c, ProbeUse::Liveness);
    if (probe.is_null()) {
      warn(i, who + ": no livenessProbe added: harden knows no health check for image " + str(field(c, "image")) +
                  " that differs from its readiness check");
    } else {
      c["livenessProbe"] = probe;
      std::string msg = who + ": livenessProbe " + describeProbe(probe);
      if (!has(c, "startupProbe") && prof && prof->liveness) {
        c["startupProbe"] = buildProbe(*prof->liveness, c, ProbeUse::Startup);
        msg += ", with a startupProbe allowing 5 minutes to start";
      }
      change("probe-liveness-missing", i, msg);
    }
  }
  if (has(c, "readinessProbe") && has(c, "livenessProbe") && probesIdentical(c["readinessProbe"], c["livenessProbe"]) &&
      want(i, "probe-identical")) {
    Json& lp = c["livenessProbe"];
    Json port;
    if (lp.contains("httpGet")) port = lp["httpGet"]["port"];
    if (port.is_null() || lp.contains("tcpSocket")) {
      warn(i, who + ": readiness and liveness probes are the same check and harden has no different one to offer");
      return;
    }
    lp.erase("httpGet");
    lp.erase("exec");
    Json fresh = Json::object();
    fresh["tcpSocket"] = {{"port", port}};
    for (const auto& [k, v] : lp.items()) fresh[k] = v;
    lp = fresh;
    change("probe-identical", i, who + ": livenessProbe now checks TCP port " + port.dump() +
                                     " (readiness keeps the HTTP health check)");
  }
}

}  // namespace fix

}  // namespace shop::audit
