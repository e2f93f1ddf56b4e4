// shopctl loadtest: send HTTP load at one service of a running app from a Job in its namespace,
// and follow the service's autoscaler while it runs.
#include <algorithm>
#include <csignal>
#include <sstream>
#include <thread>

#include "cli/cluster.hpp"
#include "core/render/loadtest.hpp"
#include "core/util/text.hpp"

namespace shop::cli {

namespace {

namespace res = kube::resources;

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

struct Opts {
  std::vector<std::string> targets;  // [APP] SERVICE
  std::string file;
  std::string ns;
  std::string duration = "60s";
  std::string interval = "5s";
  bool dryRun = false;
  bool noWait = false;
  std::string output = "yaml";
  LoadTestSpec spec;
  ClusterFlags cluster;
};

bool jobFinished(const Json& job, bool& succeeded, std::string& why) {
  for (const auto& c : job.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("status", "") != "True") continue;
    const std::string t = c.value("type", "");
    if (t == "Complete" || t == "SuccessCriteriaMet") {
      succeeded = true;
      return true;
    }
    if (t == "Failed" || t == "FailureTarget") {
      succeeded = false;
      why = c.value("reason", "") + (c.value("message", "").empty() ? "" : ": " + c.value("message", ""));
      return true;
    }
  }
  return false;
}

// A waiting reason of the load generator's container that will not fix itself.
std::string stuckReason(const Json& pod) {
  const Json st = pod.value("status", Json::object());
  Json all = st.value("initContainerStatuses", Json::array());
  for (const auto& cs : st.value("containerStatuses", Json::array())) all.push_back(cs);
  for (const auto& cs : all) {
    const Json w = cs.value("state", Json::object()).value("waiting", Json::object());
    const std::string r = w.value("reason", "");
    if (r == "ImagePullBackOff" || r == "ErrImagePull" || r == "ErrImageNeverPull" || r == "InvalidImageName" ||
        r == "CreateContainerConfigError" || r == "CreateContainerError")
      return r + (w.value("message", "").empty() ? "" : ": " + w.value("message", ""));
  }
  return "";
}

// What hey's summary says about the responses: lines of "Status code distribution" and
// "Error distribution". Returns false when there is no summary at all.
struct HeySummary {
  long ok = 0, notOk = 0, errors = 0;
  std::string requestsPerSecond;
};
bool readHey(const std::string& log, HeySummary& s) {
  std::istringstream in(log);
  std::string line, section;
  bool any = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.rfind("Requests/sec:", 0) == 0) {
      s.requestsPerSecond = trim(t.substr(13));
      any = true;
    }
    if (t == "Status code distribution:" || t == "Error distribution:") {
      section = t;
      continue;
    }
    if (t.empty() || t.back() == ':') {
      if (t.back() == ':') section.clear();
      continue;
    }
    if (section == "Status code distribution:" && t.size() > 5 && t[0] == '[') {
      const int code = std::atoi(t.c_str() + 1);
      const size_t close = t.find(']');
      const long n = close == std::string::npos ? 0 : std::atol(t.c_str() + close + 1);
      (code >= 200 && code < 300 ? s.ok : s.notOk) += n;
    } else if (section == "Error distribution:" && t[0] == '[') {
      s.errors += std::atol(t.c_str() + 1);
    }
  }
  return any;
}

void printObjects(const LoadTestPlan& plan, const std::string& format) {
  std::vector<Json> objs = {plan.job};
  objs.insert(objs.end(), plan.policies.begin(), plan.policies.end());
  if (format == "json") {
    std::cout << Json({{"apiVersion", "v1"}, {"kind", "List"}, {"items", objs}}).dump(2) << "\n";
    return;
  }
  for (size_t i = 0; i < objs.size(); ++i) std::cout << (i ? "---\n" : "") << toYaml(objs[i]);
}

// Deletes a finished Job of the same name (and its policies), waiting until it is gone.
void clearPrevious(kube::Client& client, const std::string& ns, const LoadTestPlan& plan) {
  auto old = client.get(res::Job, ns, plan.name);
  if (old.notFound()) return;
  if (!old.ok()) failRequest("reading Job " + ns + "/" + plan.name, old);
  bool ok = false;
  std::string why;
  if (!jobFinished(old.body, ok, why)) {
    std::cerr << "shopctl: a load test of this service is still running (Job " << ns << "/" << plan.name
              << ", started " << age(old.body["metadata"].value("creationTimestamp", "")) << " ago).\n"
              << "Wait for it, or stop it: kubectl delete job " << plan.name << " -n " << ns << "\n";
    throw ExitRequest{kRuntime};
  }
  auto del = client.remove(res::Job, ns, plan.name, "Background", old.body["metadata"].value("uid", ""));
  if (!del.ok() && !del.notFound()) failRequest("deleting the finished Job " + ns + "/" + plan.name, del);
  for (const auto& p : plan.policies) {
    auto d = client.remove(res::NetworkPolicy, ns, p["metadata"].value("name", ""));
    if (!d.ok() && !d.notFound()) failRequest("deleting NetworkPolicy " + p["metadata"].value("name", ""), d);
  }
  for (int i = 0; i < 60; ++i) {
    if (client.get(res::Job, ns, plan.name).notFound()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::cerr << "shopctl: the finished Job " << ns << "/" << plan.name << " was not gone 30s after its deletion\n";
  throw ExitRequest{kRuntime};
}

// The Deployments a service runs: its own, or one per version (<service>-<version>), each with
// its autoscaler when it has one (named as the Deployment).
struct Workload {
  std::string deployment, version;  // version: empty for a service without versions
  bool autoscaled = false;
};

std::vector<Workload> workloadsOf(const Service& s) {
  if (s.versions.empty()) return {{s.name, "", s.autoscaling.enabled}};
  std::vector<Workload> out;
  for (const auto& v : s.versions) out.push_back({s.deploymentOf(v), v.name, v.autoscaling.enabled});
  return out;
}

// What the service's Deployments and autoscalers say now: replicas summed over the versions, and
// a line such as " 3 replicas (3 ready), autoscaler wants 3 of 1-3 (cpu 270%/50%)" or, with
// versions, " 3 replicas (3 ready): v1 2 (2 ready), autoscaler wants 2 of 1-2 (...); v2 1 (1 ready)".
struct Watched {
  std::string text;
  int replicas = 0, hpaMax = 0;
  bool anyDeployment = false;
};

std::string autoscalerText(const Json& h) {
  const Json st = h.value("status", Json::object());
  const int max = h["spec"].value("maxReplicas", 0);
  const std::string m = hpaMetricsText(h);
  const std::string range = std::to_string(h["spec"].value("minReplicas", 1)) + "-" + std::to_string(max);
  // An autoscaler never wants fewer than its minimum (at least 1): 0 means not computed yet,
  // even when a metric is listed without a value.
  if (st.value("desiredReplicas", 0) == 0) return "autoscaler (" + range + ") has no metrics yet";
  return "autoscaler wants " + std::to_string(st.value("desiredReplicas", 0)) + " of " + range +
         (m.empty() ? "" : " (" + m + ")");
}

Watched watchWorkloads(kube::Client& client, const std::string& ns, const std::vector<Workload>& workloads) {
  Watched w;
  int ready = 0;
  std::vector<std::string> parts;  // per version, or the one Deployment's autoscaler
  for (const auto& wl : workloads) {
    std::string part = wl.version;
    auto dep = client.get(res::Deployment, ns, wl.deployment);
    if (dep.ok()) {
      const int r = dep.body["spec"].value("replicas", 0);
      const int rd = dep.body.value("status", Json::object()).value("readyReplicas", 0);
      w.replicas += r;
      ready += rd;
      w.anyDeployment = true;
      if (!wl.version.empty()) part += " " + std::to_string(r) + " (" + std::to_string(rd) + " ready)";
    } else if (!wl.version.empty()) {
      part += " no Deployment " + wl.deployment;
    }
    if (wl.autoscaled) {
      auto h = client.get(res::HorizontalPodAutoscaler, ns, wl.deployment);
      if (h.ok()) {
        w.hpaMax += h.body["spec"].value("maxReplicas", 0);
        part += (part.empty() ? "" : ", ") + autoscalerText(h.body);
      }
    }
    if (!part.empty()) parts.push_back(part);
  }
  if (!w.anyDeployment)
    w.text = " no Deployment";
  else
    w.text = " " + std::to_string(w.replicas) + " replicas (" + std::to_string(ready) + " ready)";
  if (workloads.size() == 1 && workloads[0].version.empty()) {
    if (!parts.empty()) w.text += ", " + parts[0];
  } else {
    w.text += ":";
    for (size_t i = 0; i < parts.size(); ++i) w.text += (i ? "; " : " ") + parts[i];
  }
  return w;
}

int follow(kube::Client& client, const std::string& ns, const ShopApp& app, const LoadTestPlan& plan,
           const LoadTestSpec& spec, std::chrono::milliseconds interval) {
  const Service* svc = app.findService(spec.service);
  const std::vector<Workload> workloads = workloadsOf(*svc);
  const bool hpa = std::any_of(workloads.begin(), workloads.end(), [](const Workload& w) { return w.autoscaled; });
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(spec.durationSeconds + 360);
  int firstReplicas = -1, peak = 0, hpaMax = 0;
  std::string lastLine;
  kube::ListOptions byJob;
  byJob.labelSelector = "job-name=" + plan.name;
  while (true) {
    const long secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    auto job = client.get(res::Job, ns, plan.name);
    if (job.notFound()) {
      std::cerr << "shopctl: Job " << ns << "/" << plan.name << " was deleted while the load test ran\n";
      return kRuntime;
    }
    if (!job.ok()) failRequest("reading Job " + ns + "/" + plan.name, job);
    bool succeeded = false;
    std::string why;
    const bool done = jobFinished(job.body, succeeded, why);
    std::string state = done ? (succeeded ? "finished" : "failed") : "running";
    auto pods = client.list(res::Pod, ns, byJob);
    if (!done && pods.ok()) {
      if (pods.body["items"].empty()) state = "starting";
      for (const auto& p : pods.body["items"]) {
        const std::string phase = p.value("status", Json::object()).value("phase", "");
        if (phase == "Pending") state = "starting";
        if (std::string stuck = stuckReason(p); !stuck.empty()) {
          std::cerr << "shopctl: the load generator cannot start: " << stuck << "\n"
                    << "(image " << spec.image << "; --image names another with `hey` and `sh` on PATH)\n"
                    << "The Job is left for you to inspect: kubectl describe job " << plan.name << " -n " << ns << "\n";
          return kRuntime;
        }
      }
    }
    std::string line = state + "   " + svc->name + ":";
    const Watched now = watchWorkloads(client, ns, workloads);
    line += now.text;
    if (now.anyDeployment) {
      if (firstReplicas < 0) firstReplicas = now.replicas;
      peak = std::max(peak, now.replicas);
    }
    if (now.hpaMax > 0) hpaMax = now.hpaMax;
    if (line != lastLine || done) std::cout << "  " << secs << "s\t" << line << "\n" << std::flush;
    lastLine = line;
    if (done) {
      std::string log;
      std::string podName;
      if (pods.ok() && !pods.body["items"].empty()) {
        podName = pods.body["items"][0]["metadata"].value("name", "");
        auto l = client.podLog(ns, podName, "hey");
        if (l.ok() && l.body.is_string()) log = l.body.get<std::string>();
      }
      if (!log.empty()) {
        std::cout << "\nhey's summary (kubectl logs job/" << plan.name << " -n " << ns << "):\n";
        std::istringstream in(log);
        for (std::string l; std::getline(in, l);) std::cout << "  " << l << "\n";
      }
      std::cout << "\n" << svc->name << ": " << firstReplicas << " replicas at the start, " << peak << " at most during the test";
      if (hpa) std::cout << " (autoscaler maximum " << hpaMax << ")";
      std::cout << ".\n";
      if (hpa && peak > firstReplicas)
        std::cout << "The autoscaler brings it back down after its scale-down window; follow it with: shopctl status "
                  << app.name << " -n " << ns << " -w\n";
      if (!succeeded) {
        std::cerr << "shopctl: the load test failed: " << why << "\n";
        if (!podName.empty()) {  // the init container says why it gave up, if it did
          auto w = client.podLog(ns, podName, "wait-for-target", 5);
          if (w.ok() && w.body.is_string() && !w.body.get<std::string>().empty())
            std::cerr << "wait-for-target: " << w.body.get<std::string>();
        }
        return kRuntime;
      }
      HeySummary s;
      if (!readHey(log, s)) {
        std::cerr << "shopctl: the load generator finished but printed no summary (is `hey` what --image runs?)\n";
        return kRuntime;
      }
      if (s.notOk + s.errors > 0) {
        std::cerr << "shopctl: " << s.notOk << " responses were not 2xx and " << s.errors << " requests failed (of "
                  << s.ok + s.notOk + s.errors << ")\n";
        return kFindings;
      }
      if (s.ok == 0) {
        std::cerr << "shopctl: no request was answered\n";
        return kFindings;
      }
      return kOk;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "shopctl: the load test had not finished " << spec.durationSeconds + 360 << "s after it started\n";
      return kRuntime;
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace

void addLoadtest(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "loadtest",
      "Send HTTP load at one service of a running ShopApp and watch it autoscale\n\n"
      "Creates a Job in the app's namespace that runs hey (an HTTP load generator) against the\n"
      "service's Service for --duration, with --concurrency workers, plus two NetworkPolicies that\n"
      "let exactly that traffic through the app's default-deny policies (they belong to the Job and\n"
      "go with it, 10 minutes after it finishes). While it runs, one line per change shows the\n"
      "service's replicas and what its HorizontalPodAutoscaler wants, from real metrics; at the\n"
      "end, hey's summary (requests/s, latency histogram, status codes).\n\n"
      "The app is read from the cluster (APP SERVICE) or from a file (-f FILE SERVICE). The pod runs\n"
      "under Pod Security restricted, where the service's pods may run (its nodeSelector and\n"
      "tolerations). Any image with `hey` and a POSIX `sh` on PATH works (--image). An init container\n"
      "first waits (60 tries, at most 3 minutes) until the service answers the pod at all, so the load starts\n"
      "once the network lets it through.\n\n"
      "Examples:\n"
      "  shopctl loadtest sock-shop front-end -n sock-shop\n"
      "  shopctl loadtest sock-shop front-end -n sock-shop --duration 3m --concurrency 20 --rate 10\n"
      "  shopctl loadtest -f shop.yaml catalogue --path /catalogue --port 80\n"
      "  shopctl loadtest -f shop.yaml front-end --dry-run      # print the Job and policies, create nothing\n"
      "  shopctl status sock-shop -n sock-shop -w               # watch it scale back down afterwards\n\n"
      "Exit status: 0 every response 2xx, 1 some responses were not 2xx or failed, 2 usage or input\n"
      "error, 3 cluster error, or the load generator could not run.");
  auto o = std::make_shared<Opts>();
  cmd->add_option("target", o->targets, "APP SERVICE (the ShopApp in the cluster), or SERVICE with -f")
      ->expected(1, 2);
  cmd->add_option("-f,--filename", o->file, "Read the ShopApp from this file instead of the cluster");
  cmd->add_option("-n,--namespace", o->ns, "Namespace (default: the kubeconfig context's; with -f, the file's, which -n must match)");
  cmd->add_option("-d,--duration", o->duration, "How long to send load: 30s, 5m (default 60s)");
  cmd->add_option("-c,--concurrency", o->spec.concurrency, "Concurrent workers (default 10)");
  cmd->add_option("-q,--rate", o->spec.rate, "Requests per second per worker; 0 = as fast as answered (default 0)");
  cmd->add_option("--path", o->spec.path, "Request path and query (default /)");
  cmd->add_option("--port", o->spec.port, "Service port name or number (default: the exposed port, else the first)");
  cmd->add_option("-m,--method", o->spec.method, "GET (default), POST, PUT, DELETE, HEAD or OPTIONS");
  cmd->add_option("--image", o->spec.image, std::string("Load generator image, with hey and sh on PATH (default ") +
                                                kDefaultLoadTestImage + ")");
  cmd->add_option("--image-pull-policy", o->spec.imagePullPolicy, "Always, IfNotPresent (default) or Never")
      ->check(CLI::IsMember({"Always", "IfNotPresent", "Never"}));
  cmd->add_option("--interval", o->interval, "How often progress is checked (default 5s)");
  cmd->add_flag("--no-wait", o->noWait, "Create the Job and return; follow it with kubectl logs -f job/NAME");
  cmd->add_flag("--dry-run", o->dryRun, "Print the Job and NetworkPolicies (-o yaml|json); create nothing");
  cmd->add_option("-o,--output", o->output, "With --dry-run: yaml (default) or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o] {
    const bool fromFile = !o->file.empty();
    if (o->targets.size() != (fromFile ? 1u : 2u)) {
      std::cerr << "shopctl: loadtest takes " << (fromFile ? "SERVICE with -f FILE" : "APP SERVICE (or -f FILE SERVICE)")
                << ", got " << o->targets.size() << " name" << (o->targets.size() == 1 ? "" : "s") << "\n";
      throw ExitRequest{kUsage};
    }
    o->spec.service = o->targets.back();
    std::chrono::milliseconds d{}, interval{};
    if (!parseDuration(o->duration, d) || d.count() < 1000 || d.count() % 1000 != 0) {
      std::cerr << "shopctl: --duration " << shop::quotedValue(o->duration) << ": expected whole seconds such as 60s or 5m\n";
      throw ExitRequest{kUsage};
    }
    if (!parseDuration(o->interval, interval) || interval.count() == 0) {
      std::cerr << "shopctl: --interval " << shop::quotedValue(o->interval) << ": expected a duration such as 5s\n";
      throw ExitRequest{kUsage};
    }
    o->spec.durationSeconds = static_cast<int>(std::min<long long>(d.count() / 1000, 1000000));

    std::optional<Cluster> cluster;
    auto connect = [&]() -> Cluster& {
      if (!cluster) cluster = connectCluster(o->cluster);
      return *cluster;
    };
    ShopApp model;
    Json liveApp;  // the ShopApp as the cluster has it, with its status
    if (fromFile) {
      LoadedApp loaded = loadApp(o->file, o->ns);
      model = *loaded.app;  // loadApp refused a -n other than the file's namespace
    } else {
      Cluster& c = connect();
      exitIfNoShopAppCrd(c);
      const std::string ns = o->ns.empty() ? c.config.namespace_ : o->ns;
      auto got = c.client->get(res::ShopApp, ns, o->targets[0]);
      if (got.notFound()) {
        std::cerr << "shopctl: ShopApp " << ns << "/" << o->targets[0] << " not found\n";
        throw ExitRequest{kUsage};
      }
      if (!got.ok()) failRequest("reading ShopApp " + ns + "/" + o->targets[0], got);
      ParseOptions po;
      po.defaultNamespace = ns;
      po.checkRendered = false;
      ParseResult parsed = parseShopApp(got.body, po);
      if (!parsed.app) {
        printDiagnostics(parsed.diags);
        std::cerr << "shopctl: ShopApp " << ns << "/" << o->targets[0] << " in the cluster is not valid\n";
        throw ExitRequest{kUsage};
      }
      model = *parsed.app;
      liveApp = got.body;
    }
    LoadTestPlan plan = planLoadTest(model, o->spec);
    if (!plan.error.empty()) {
      std::cerr << "shopctl: " << plan.error << "\n";
      throw ExitRequest{kUsage};
    }
    if (o->dryRun) {
      printObjects(plan, o->output);
      return;
    }
    Cluster& c = connect();
    kube::Client& client = *c.client;
    const std::string& ns = model.namespace_;
    if (liveApp.is_null()) {
      auto got = client.get(res::ShopApp, ns, model.name);
      if (got.ok()) liveApp = got.body;
      else if (!got.notFound()) failRequest("reading ShopApp " + ns + "/" + model.name, got);
    }
    // The mesh's policies are in effect when the operator found Istio and applied them.
    const Json status = liveApp.is_object() ? liveApp.value("status", Json::object()) : Json::object();
    const bool meshInEffect = model.mesh.enabled && status.is_object() &&
                              status.value("mesh", Json::object()).value("available", false);
    if (meshInEffect) {
      std::cerr << "shopctl: ShopApp " << ns << "/" << model.name << " " << kLoadTestMeshRefusal << "\n";
      throw ExitRequest{kUsage};
    }
    clearPrevious(client, ns, plan);
    auto made = client.create(res::Job, ns, plan.job);
    if (!made.ok()) failRequest("creating Job " + ns + "/" + plan.name, made);
    for (Json p : plan.policies) {
      ownByJob(p, made.body);
      const std::string pname = p["metadata"].value("name", "");
      auto r = client.apply(res::NetworkPolicy, ns, pname, p, "shopctl-loadtest");
      if (!r.ok()) {
        client.remove(res::Job, ns, plan.name, "Background");
        failRequest("creating NetworkPolicy " + ns + "/" + pname + " (the Job was deleted again)", r);
      }
    }
    std::cout << "Load test " << ns << "/" << plan.name << ": " << o->spec.concurrency << " workers"
              << (o->spec.rate > 0 ? " at " + std::to_string(o->spec.rate) + " requests/s each" : std::string())
              << " for " << o->spec.durationSeconds << "s against " << plan.url << "\n"
              << "(stop it early: kubectl delete job " << plan.name << " -n " << ns << ")\n"
              << std::flush;
    if (o->noWait) return;
    const int code = follow(client, ns, model, plan, o->spec, interval);
    if (code != kOk) throw ExitRequest{code};
  });
}

}  // namespace shop::cli
