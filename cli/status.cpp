// shopctl status: ShopApps in a namespace (or all), or one app in detail: conditions,
// components, database members, mesh policies, recent events.
#include <algorithm>
#include <map>
#include <thread>

#include "cli/status.hpp"

#include "cli/cluster.hpp"
#include "cli/progress.hpp"
#include "core/util/text.hpp"
#include "core/diff/kstatus.hpp"
#include "core/render/loadtest.hpp"
#include "core/render/meta.hpp"
#include "kube/discovery.hpp"

namespace shop::cli {

namespace {

namespace res = kube::resources;

std::string conditionStatus(const Json& app, const std::string& type) {
  const Json* c = findCondition(app, type);
  return c ? c->value("status", "") : "-";
}

Json kstatusJson(const Json& app) {
  auto k = diff::kstatus(app);
  return {{"status", diff::kstatusName(k.status)}, {"reason", k.reason}, {"message", k.message}};
}

// What a person wants to read next to the status: the Ready condition's message when the app is
// Current, otherwise kstatus's reason for its verdict.
std::string statusMessage(const Json& app) {
  auto k = diff::kstatus(app);
  const Json* ready = findCondition(app, "Ready");
  if (k.status == diff::KStatus::Current && ready) return ready->value("message", k.message);
  return k.message;
}

Json listRow(const Json& app) {
  const Json meta = app.value("metadata", Json::object());
  const Json status = app.value("status", Json::object());
  Json row = {{"namespace", meta.value("namespace", "")},
              {"name", meta.value("name", "")},
              {"ready", conditionStatus(app, "Ready")},
              {"kstatus", kstatusJson(app)},
              {"message", statusMessage(app)},
              {"components", status.is_object() && status.contains("summary") ? status["summary"].value("ready", "") : ""},
              {"generation", meta.value("generation", int64_t{0})}};
  if (status.is_object() && status.contains("observedGeneration")) row["observedGeneration"] = status["observedGeneration"];
  row["creationTimestamp"] = meta.value("creationTimestamp", "");
  return row;
}

std::string listTable(const std::vector<Json>& rows, bool allNamespaces) {
  std::vector<std::vector<std::string>> t;
  std::vector<std::string> head = {"NAME", "READY", "STATUS", "COMPONENTS", "AGE", "MESSAGE"};
  if (allNamespaces) head.insert(head.begin(), "NAMESPACE");
  t.push_back(head);
  for (const auto& r : rows) {
    std::string msg = r.value("message", "");
    if (msg.size() > 100) msg = msg.substr(0, 97) + "...";
    std::vector<std::string> row = {r.value("name", ""), r.value("ready", ""), r["kstatus"].value("status", ""),
                                    r.value("components", ""), age(r.value("creationTimestamp", "")), msg};
    if (allNamespaces) row.insert(row.begin(), r.value("namespace", ""));
    t.push_back(row);
  }
  return formatTable(t);
}

std::string eventTime(const Json& e) {
  if (e.contains("series") && e["series"].is_object()) return e["series"].value("lastObservedTime", "");
  std::string t = e.value("eventTime", "");
  if (t.empty()) t = e.value("deprecatedLastTimestamp", "");
  if (t.empty()) t = e["metadata"].value("creationTimestamp", "");
  return t;
}

// Everything `status NAME` shows, as data: the -o json/yaml output and the source of the text.
Json details(kube::Client& client, kube::Discovery& disc, const Json& app) {
  const Json meta = app.value("metadata", Json::object());
  const std::string ns = meta.value("namespace", ""), name = meta.value("name", "");
  const Json status = app.value("status", Json::object());
  Json d = {{"namespace", ns},
            {"name", name},
            {"generation", meta.value("generation", int64_t{0})},
            {"observedGeneration", status.is_object() ? status.value("observedGeneration", Json()) : Json()},
            {"kstatus", kstatusJson(app)},
            {"message", statusMessage(app)},
            {"conditions", status.is_object() ? status.value("conditions", Json::array()) : Json::array()},
            {"summary", status.is_object() ? status.value("summary", Json::object()) : Json::object()},
            {"components", status.is_object() ? status.value("components", Json::array()) : Json::array()},
            {"secrets", status.is_object() ? status.value("secrets", Json::array()) : Json::array()}};

  // Replication members of the data stores: their StatefulSet's pods.
  Json members = Json::object();
  kube::ListOptions lo;
  lo.labelSelector = std::string(kAppLabel) + "=" + name;
  auto pods = client.list(res::Pod, ns, lo);
  if (pods.ok()) {
    for (const auto& c : d["components"]) {
      const std::string kind = c.value("kind", "");
      if (kind != "database" && kind != "broker") continue;
      const std::string cname = c.value("name", "");
      Json list = Json::array();
      for (const auto& p : pods.body["items"]) {
        const Json labels = p["metadata"].value("labels", Json::object());
        if (labels.value("app.kubernetes.io/name", "") != cname) continue;
        bool ready = false;
        for (const auto& pc : p.value("status", Json::object()).value("conditions", Json::array()))
          ready |= pc.value("type", "") == "Ready" && pc.value("status", "") == "True";
        list.push_back({{"pod", p["metadata"].value("name", "")},
                        {"phase", p.value("status", Json::object()).value("phase", "")},
                        {"ready", ready}});
      }
      std::sort(list.begin(), list.end(), [](const Json& a, const Json& b) { return a["pod"] < b["pod"]; });
      members[cname] = list;
    }
  }
  d["members"] = members;

  // Autoscalers of the app's services, and load tests against it (shopctl loadtest).
  Json scaling = Json::array();
  auto hpas = client.list(res::HorizontalPodAutoscaler, ns, lo);
  if (hpas.ok()) {
    for (const auto& h : hpas.body["items"]) {
      const Json st = h.value("status", Json::object());
      scaling.push_back({{"name", h["metadata"].value("name", "")},
                         {"min", h["spec"].value("minReplicas", 1)},
                         {"max", h["spec"].value("maxReplicas", 0)},
                         {"current", st.value("currentReplicas", 0)},
                         {"desired", st.value("desiredReplicas", 0)},
                         {"metrics", hpaMetricsText(h)},
                         {"lastScaleTime", st.value("lastScaleTime", "")}});
    }
  }
  std::sort(scaling.begin(), scaling.end(), [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
  d["autoscaling"] = scaling;
  Json tests = Json::array();
  kube::ListOptions byTest;
  byTest.labelSelector = std::string(kLoadTestOfLabel) + "=" + name;
  auto jobs = client.list(res::Job, ns, byTest);
  if (jobs.ok()) {
    for (const auto& j : jobs.body["items"]) {
      std::string state = "running";
      for (const auto& c : j.value("status", Json::object()).value("conditions", Json::array()))
        if (c.value("status", "") == "True" && (c.value("type", "") == "Complete" || c.value("type", "") == "Failed"))
          state = c.value("type", "") == "Complete" ? "finished" : "failed";
      tests.push_back({{"job", j["metadata"].value("name", "")},
                       {"target", j["metadata"].value("labels", Json::object()).value(kLoadTestTargetLabel, "")},
                       {"state", state},
                       {"creationTimestamp", j["metadata"].value("creationTimestamp", "")}});
    }
  }
  d["loadTests"] = tests;

  // Mesh policies present in the namespace for this app.
  Json mesh = {{"enabled", status.is_object() && status.contains("mesh")}};
  if (status.is_object() && status.contains("mesh")) {
    mesh["available"] = status["mesh"].value("available", false);
    mesh["applied"] = status["mesh"].value("objects", 0);
  }
  Json present = Json::object();
  for (const auto* r : {&res::PeerAuthentication, &res::AuthorizationPolicy, &res::DestinationRule,
                        &res::VirtualService, &res::Gateway}) {
    if (!disc.has(*r, 60)) continue;
    auto l = client.list(*r, ns, lo);
    if (l.ok() && !l.body["items"].empty()) present[r->kind] = l.body["items"].size();
  }
  mesh["present"] = present;
  d["mesh"] = mesh;

  // Recent events about the ShopApp (events.k8s.io/v1; filtered here, since field selectors on
  // `regarding` are not served for that API everywhere).
  Json events = Json::array();
  auto ev = client.list(res::Event, ns);
  if (ev.ok()) {
    std::vector<Json> mine;
    for (const auto& e : ev.body["items"]) {
      const Json reg = e.value("regarding", Json::object());
      if (reg.value("kind", "") == "ShopApp" && reg.value("name", "") == name) mine.push_back(e);
    }
    std::sort(mine.begin(), mine.end(), [](const Json& a, const Json& b) { return eventTime(a) < eventTime(b); });
    const size_t from = mine.size() > 10 ? mine.size() - 10 : 0;
    for (size_t i = from; i < mine.size(); ++i) {
      const Json& e = mine[i];
      events.push_back({{"time", eventTime(e)},
                        {"type", e.value("type", "")},
                        {"reason", e.value("reason", "")},
                        {"note", e.value("note", "")},
                        {"count", e.contains("series") ? e["series"].value("count", 1) : 1}});
    }
  }
  d["events"] = events;
  return d;
}

std::string detailsText(const Json& d) {
  std::string out = "ShopApp " + d.value("namespace", "") + "/" + d.value("name", "") + "\n";
  const Json& k = d["kstatus"];
  out += "  Status:      " + k.value("status", "") + (d.value("message", "").empty() ? "" : " (" + d.value("message", "") + ")") + "\n";
  out += "  Generation:  " + std::to_string(d.value("generation", int64_t{0})) + " (observed " +
         (d["observedGeneration"].is_number() ? std::to_string(d["observedGeneration"].get<int64_t>()) : std::string("-")) +
         ")\n";
  const Json& sum = d["summary"];
  out += "  Components:  " + (sum.contains("ready") ? sum.value("ready", "") + " ready" : std::string("-")) + " (" +
         std::to_string(sum.value("services", 0)) + " services, " + std::to_string(sum.value("databases", 0)) +
         " databases, " + std::to_string(sum.value("brokers", 0)) + " brokers)\n";
  const Json& mesh = d["mesh"];
  std::string meshText = mesh.value("enabled", false)
                             ? std::string("on, Istio ") + (mesh.value("available", false) ? "available" : "NOT installed") +
                                   ", " + std::to_string(mesh.value("applied", 0)) + " objects applied"
                             : std::string("off");
  if (!mesh["present"].empty()) {
    meshText += "; present:";
    for (auto it = mesh["present"].begin(); it != mesh["present"].end(); ++it)
      meshText += " " + it.key() + "=" + std::to_string(it.value().get<int>());
  }
  out += "  Mesh:        " + meshText + "\n";
  if (!d["secrets"].empty()) {
    std::string s;
    for (const auto& x : d["secrets"]) s += (s.empty() ? "" : ", ") + x.get<std::string>();
    out += "  Secrets:     " + s + "\n";
  }

  std::vector<std::vector<std::string>> conds = {{"TYPE", "STATUS", "REASON", "AGE", "MESSAGE"}};
  for (const auto& c : d["conditions"])
    conds.push_back({c.value("type", ""), c.value("status", ""), c.value("reason", ""),
                     age(c.value("lastTransitionTime", "")), c.value("message", "")});
  out += "\nCONDITIONS\n" + formatTable(conds, "  ");

  Json app = {{"status", {{"components", d["components"]}}}};
  out += "\nCOMPONENTS\n" + componentsTable(app, "  ");
  bool anyMembers = false;
  for (auto it = d["members"].begin(); it != d["members"].end(); ++it) anyMembers |= !it.value().empty();
  if (anyMembers) {
    std::vector<std::vector<std::string>> mem = {{"COMPONENT", "MEMBERS"}};
    for (auto it = d["members"].begin(); it != d["members"].end(); ++it) {
      std::string line;
      for (const auto& m : it.value())
        line += (line.empty() ? "" : " ") + m.value("pod", "") +
                (m.value("ready", false) ? " (ready)" : " (" + m.value("phase", "") + ")");
      mem.push_back({it.key(), line});
    }
    out += "\nREPLICATION MEMBERS\n" + formatTable(mem, "  ");
  }
  if (!d["autoscaling"].empty()) {
    std::vector<std::vector<std::string>> t = {{"AUTOSCALER", "MIN", "MAX", "CURRENT", "DESIRED", "METRICS", "LAST SCALE"}};
    for (const auto& h : d["autoscaling"]) {
      const std::string last = h.value("lastScaleTime", "");
      t.push_back({h.value("name", ""), std::to_string(h.value("min", 0)), std::to_string(h.value("max", 0)),
                   std::to_string(h.value("current", 0)), std::to_string(h.value("desired", 0)),
                   h.value("metrics", "").empty() ? "-" : h.value("metrics", ""), last.empty() ? "-" : age(last) + " ago"});
    }
    out += "\nAUTOSCALING\n" + formatTable(t, "  ");
  }
  if (!d["loadTests"].empty()) {
    std::vector<std::vector<std::string>> t = {{"LOAD TEST", "TARGET", "STATE", "AGE"}};
    for (const auto& j : d["loadTests"])
      t.push_back({j.value("job", ""), j.value("target", ""), j.value("state", ""), age(j.value("creationTimestamp", ""))});
    out += "\nLOAD TESTS\n" + formatTable(t, "  ");
  }
  out += "\nEVENTS\n";
  if (d["events"].empty()) out += "  (none)\n";
  std::vector<std::vector<std::string>> ev = {{"AGE", "TYPE", "REASON", "MESSAGE"}};
  for (const auto& e : d["events"])
    ev.push_back({age(e.value("time", "")), e.value("type", ""), e.value("reason", ""),
                  e.value("note", "") + (e.value("count", 1) > 1 ? " (x" + std::to_string(e.value("count", 1)) + ")" : "")});
  if (!d["events"].empty()) out += formatTable(ev, "  ");
  return out;
}

std::string dashIfEmpty(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

bool parseStatusOutput(const std::string& given, StatusOutput& out, std::string& error) {
  std::string v = given;
  if (!v.empty() && v[0] == '=') v.erase(0, 1);  // -o=json
  static const std::pair<const char*, StatusOutput::Kind> kSimple[] = {
      {"table", StatusOutput::kTable}, {"wide", StatusOutput::kWide}, {"name", StatusOutput::kName},
      {"json", StatusOutput::kJson},   {"yaml", StatusOutput::kYaml}};
  for (const auto& [n, k] : kSimple) {
    if (v == n) {
      out.kind = k;
      return true;
    }
  }
  if (v == "jsonpath" || v.rfind("jsonpath=", 0) == 0) {
    const std::string tmpl = v.size() > 9 ? v.substr(9) : "";
    if (tmpl.empty()) {
      error = "-o jsonpath needs a template, e.g. -o jsonpath='{.metadata.name}'";
      return false;
    }
    std::string why;
    if (!out.jsonpath.parse(tmpl, why)) {
      error = "-o jsonpath=" + shop::quotedValue(tmpl) + ": " + why;
      return false;
    }
    out.kind = StatusOutput::kJsonPath;
    return true;
  }
  const std::string name = v.substr(0, v.find('='));
  if (name == "jsonpath-file" || name == "jsonpath-as-json" || name == "go-template" || name == "go-template-file" ||
      name == "template" || name == "templatefile" || name == "custom-columns" || name == "custom-columns-file") {
    error = "-o " + name + " is not supported by shopctl status; the formats are table, wide, name, json, yaml and "
            "jsonpath=TEMPLATE";
    return false;
  }
  error = "-o " + shop::quotedValue(v) + ": unknown format; the formats are table, wide, name, json, yaml and "
          "jsonpath=TEMPLATE";
  return false;
}

std::string shopAppResourceName(const Json& app) {
  return res::ShopApp.plural.substr(0, res::ShopApp.plural.size() - 1) + "." + res::ShopApp.group + "/" +
         app.value("metadata", Json::object()).value("name", "");
}

Json listObject(const std::vector<Json>& apps) {
  Json items = Json::array();
  for (const auto& a : apps) {
    Json item = a;
    // The API server's list items carry both, for custom resources; kubectl shows them.
    if (!item.contains("apiVersion")) item["apiVersion"] = res::ShopApp.apiVersion();
    if (!item.contains("kind")) item["kind"] = res::ShopApp.kind;
    items.push_back(std::move(item));
  }
  return {{"apiVersion", "v1"}, {"items", items}, {"kind", "List"}, {"metadata", {{"resourceVersion", ""}}}};
}

std::string wideTable(const std::vector<Json>& apps) {
  std::vector<std::vector<std::string>> t = {{"NAMESPACE", "NAME", "READY", "STATUS", "REASON", "COMPONENTS", "SERVICES",
                                              "DATABASES", "BROKERS", "GENERATION", "OBSERVED", "AGE", "MESSAGE"}};
  for (const auto& app : apps) {
    const Json meta = app.value("metadata", Json::object());
    const Json status = app.value("status", Json::object());
    const Json sum = status.is_object() ? status.value("summary", Json::object()) : Json::object();
    auto count = [&](const char* k) { return sum.contains(k) && sum[k].is_number() ? sum[k].dump() : std::string("-"); };
    const auto k = diff::kstatus(app);
    const Json gen = meta.value("generation", Json());
    const Json obs = status.is_object() ? status.value("observedGeneration", Json()) : Json();
    t.push_back({meta.value("namespace", ""), meta.value("name", ""), conditionStatus(app, "Ready"),
                 diff::kstatusName(k.status), dashIfEmpty(k.reason),
                 dashIfEmpty(sum.contains("ready") && sum["ready"].is_string() ? sum["ready"].get<std::string>() : ""),
                 count("services"), count("databases"), count("brokers"), gen.is_number() ? gen.dump() : "-",
                 obs.is_number() ? obs.dump() : "-", dashIfEmpty(age(meta.value("creationTimestamp", ""))),
                 statusMessage(app)});
  }
  return formatTable(t);
}

void addStatus(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "status",
      "Show ShopApps and how far the operator got with them\n\n"
      "Without a name: one line per ShopApp (READY is the Ready condition; STATUS is the kstatus\n"
      "result Flux and other tools compute: Current, InProgress, Failed or Terminating). With a\n"
      "name: its conditions, components (desired and ready replicas), the replication members of\n"
      "its databases and brokers, its autoscalers (current and desired replicas, metrics now and\n"
      "target), load tests run by `shopctl loadtest`, the mesh policies present, and recent events.\n\n"
      "Examples:\n"
      "  shopctl status                         # ShopApps in the current namespace\n"
      "  shopctl status -A                      # in every namespace\n"
      "  shopctl status sock-shop -n sock-shop  # one app in detail\n"
      "  shopctl status sock-shop -n sock-shop -w    # redraw as it changes (Ctrl-C to stop)\n"
      "  shopctl status sock-shop -n sock-shop -o json | jq .kstatus.status\n"
      "  shopctl status -A -o wide              # more columns: reason, generations, counts\n"
      "  shopctl status -o name                 # shopapp.shopctl.io/NAME, one a line\n"
      "  shopctl status shop -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}'\n"
      "  shopctl status -A -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.summary.ready}{\"\\n\"}{end}'\n\n"
      "-o json|yaml print what the table shows, as data. -o name, wide and jsonpath= work on the\n"
      "ShopApp as kubectl gets it (with a name: that object; without: a List of them), so\n"
      "`kubectl get shopapp` templates work unchanged. JSONPath: fields, [i], [a:b], [*], .*,\n"
      "filters [?(@.f==\"x\")] (== != < > <= >=), {range}...{end}, quoted text {\"\\n\"}; a missing\n"
      "field prints nothing; recursive descent (..) and unions ([a,b]) are refused (exit 2).\n\n"
      "Exit status: 0 shown, 1 the named ShopApp does not exist, 2 usage (an unknown -o, a\n"
      "JSONPath error), 3 cluster error.");
  struct Opts {
    std::string name;
    std::string ns;
    bool all = false;
    bool watch = false;
    std::string output = "table";
    std::string interval = "2s";
    ClusterFlags cluster;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("name", o->name, "A ShopApp to show in detail");
  cmd->add_option("-n,--namespace", o->ns, "Namespace (default: the kubeconfig context's)");
  cmd->add_flag("-A,--all-namespaces", o->all, "ShopApps in every namespace");
  cmd->add_flag("-w,--watch", o->watch, "Keep showing the status as it changes");
  cmd->add_option("--interval", o->interval, "How often -w looks (default 2s)");
  // The check is the callback's (its errors name the JSONPath column); the validator only says,
  // as CLI::IsMember would, which words `shopctl completion` offers after -o.
  cmd->add_option("-o,--output", o->output, "table (default), wide, name, json, yaml or jsonpath=TEMPLATE")
      ->check(CLI::Validator([](std::string&) { return std::string(); }, "{table,wide,name,json,yaml}"));
  addClusterFlags(cmd, o->cluster);
  cmd->callback([o] {
    if (o->all && !o->name.empty()) {
      std::cerr << "shopctl: a name and -A do not go together\n";
      throw ExitRequest{kUsage};
    }
    StatusOutput out;
    std::string outError;
    if (!parseStatusOutput(o->output, out, outError)) {
      std::cerr << "shopctl: " << outError << "\n";
      throw ExitRequest{kUsage};
    }
    // The detail view (and its data) takes more requests; the kubectl-shaped formats need only
    // the ShopApps.
    const bool detailed = out.kind == StatusOutput::kTable || out.kind == StatusOutput::kJson ||
                          out.kind == StatusOutput::kYaml;
    std::chrono::milliseconds interval{};
    if (!parseDuration(o->interval, interval) || interval.count() == 0) {
      std::cerr << "shopctl: --interval " << shop::quotedValue(o->interval) << ": expected a duration such as 2s\n";
      throw ExitRequest{kUsage};
    }
    Cluster c = connectCluster(o->cluster);
    exitIfNoShopAppCrd(c);
    kube::Client& client = *c.client;
    kube::Discovery disc(c.transport);
    const std::string ns = o->ns.empty() ? c.config.namespace_ : o->ns;
    const bool tty = stdoutIsTerminal();

    // One look at the cluster: `data` is what -o json|yaml print and what decides whether -w
    // prints again (without the ages, which move every second); the return value is the text.
    auto snapshot = [&](Json& data) -> std::string {
      std::vector<Json> apps;
      if (!o->name.empty()) {
        auto got = client.get(res::ShopApp, ns, o->name);
        if (got.notFound()) {
          std::cerr << "shopctl: ShopApp " << ns << "/" << o->name << " not found\n";
          throw ExitRequest{kFindings};
        }
        if (!got.ok()) failRequest("reading ShopApp " + ns + "/" + o->name, got);
        if (detailed) {
          data = details(client, disc, got.body);
          return detailsText(data);
        }
        apps.push_back(got.body);
      } else {
        auto list = client.list(res::ShopApp, o->all ? "" : ns);
        if (!list.ok()) failRequest("listing ShopApps", list);
        for (const auto& a : list.body["items"]) apps.push_back(a);
        std::sort(apps.begin(), apps.end(), [](const Json& a, const Json& b) {
          return std::make_pair(a["metadata"].value("namespace", ""), a["metadata"].value("name", "")) <
                 std::make_pair(b["metadata"].value("namespace", ""), b["metadata"].value("name", ""));
        });
      }
      const std::string none = o->all ? "No ShopApps found.\n" : "No ShopApps found in namespace " + ns + ".\n";
      switch (out.kind) {
        case StatusOutput::kTable:
        case StatusOutput::kJson:
        case StatusOutput::kYaml: {
          std::vector<Json> rows;
          for (const auto& a : apps) rows.push_back(listRow(a));
          data = {{"items", rows}};
          return rows.empty() ? none : listTable(rows, o->all);
        }
        case StatusOutput::kWide: {
          Json rows = Json::array();
          for (const auto& a : apps) rows.push_back(listRow(a));
          data = rows;
          // No rows: kubectl says so on stderr and prints nothing.
          return apps.empty() ? "" : wideTable(apps);
        }
        case StatusOutput::kName: {
          std::string names;
          for (const auto& a : apps) names += shopAppResourceName(a) + "\n";
          data = names;
          return names;
        }
        case StatusOutput::kJsonPath: {
          const Json obj = o->name.empty() ? listObject(apps) : apps.front();
          std::string text, why;
          if (!out.jsonpath.execute(obj, text, why)) {
            std::cout << text << std::flush;
            std::cerr << "shopctl: -o jsonpath: " << why << "\n";
            throw ExitRequest{kUsage};
          }
          data = text;
          return text;
        }
      }
      return "";
    };
    // kubectl's -o name|wide|jsonpath print nothing for no ShopApps and say so on stderr.
    auto printEmptyNote = [&](const Json& data) {
      if (detailed || !o->name.empty()) return;
      const bool empty = data.is_array() ? data.empty() : data.is_string() && data.get<std::string>().empty();
      if (empty && out.kind != StatusOutput::kJsonPath)
        std::cerr << (o->all ? "No ShopApps found.\n" : "No ShopApps found in namespace " + ns + ".\n");
    };
    const bool redraws = out.kind == StatusOutput::kTable || out.kind == StatusOutput::kWide;
    auto print = [&](const Json& data, const std::string& text) {
      if (out.kind == StatusOutput::kJson) std::cout << data.dump(2) << "\n";
      else if (out.kind == StatusOutput::kYaml) std::cout << (o->watch ? "---\n" : "") << toYaml(data);
      else std::cout << text;
      std::cout << std::flush;
      printEmptyNote(data);
    };

    Json data;
    std::string text = snapshot(data);
    if (o->watch && tty && redraws) std::cout << "\033[H\033[2J";
    print(data, text);
    if (!o->watch) return;
    std::string shown = data.dump();
    while (true) {
      std::this_thread::sleep_for(interval);
      Json next;
      std::string nextText = snapshot(next);
      // Ages move every second; redraw only when the data itself changes.
      if (next.dump() == shown) continue;
      shown = next.dump();
      if (tty && redraws) std::cout << "\033[H\033[2J";
      else if (redraws) std::cout << "\n";
      print(next, nextText);
    }
  });
}

}  // namespace shop::cli
