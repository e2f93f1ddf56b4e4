// Audit mechanics: input forms, ignore annotations, config, score, and the output formats.
#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <sstream>

#include "core/audit/audit.hpp"
#include "core/audit/harden.hpp"
#include "core/io/yaml.hpp"
#include "test_util.hpp"

using namespace shop;
using namespace shop::audit;
using shop::test::inventoryOf;

namespace {

size_t count(const AuditReport& r, const std::string& rule) {
  size_t n = 0;
  for (const auto& f : r.findings) n += f.ruleId == rule;
  return n;
}

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    shopctl.io/ignore: probe-liveness-missing, sec-read-only-root-fs
spec:
  containers:
  - name: web
    image: nginx:1.27.1
    ports:
    - containerPort: 8080
)";

const char* kDeploymentWithTemplateIgnore = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
      annotations:
        shopctl.io/ignore: all
    spec:
      containers:
      - name: api
        image: example/api
)";

}  // namespace

TEST(AuditInput, BrokenYamlIsAnErrorWithFileLineColumn) {
  auto r = loadManifests("apiVersion: v1\nkind: Service\nmetadata:\n  name: [a, b\n", "broken.yaml");
  ASSERT_TRUE(r.diags.hasErrors());
  const auto& d = r.diags.items()[0];
  EXPECT_EQ(d.file, "broken.yaml");
  EXPECT_TRUE(d.pos.known());
  EXPECT_NE(d.str().find("broken.yaml:"), std::string::npos);
  EXPECT_TRUE(r.manifests.empty());
}

TEST(AuditInput, DocumentsThatAreNotObjectsAreErrors) {
  auto r = loadManifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n", "x.yaml");
  ASSERT_EQ(r.diags.items().size(), 1u);
  EXPECT_EQ(r.diags.items()[0].pos.line, 5);
  EXPECT_EQ(r.manifests.size(), 1u);
}

TEST(AuditInput, ListObjectsAreExpandedWithPositions) {
  const char* list = R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a}
  spec:
    type: NodePort
    selector: {app: a}
    ports: [{port: 80}]
- apiVersion: v1
  kind: Service
  metadata: {name: b}
  spec:
    type: LoadBalancer
    selector: {app: b}
    ports: [{port: 80}]
)";
  Inventory inv = inventoryOf(list, "list.yaml");
  ASSERT_EQ(inv.manifests().size(), 2u);
  auto report = runAudit(inv, {});
  ASSERT_EQ(count(report, "exposure-service-type"), 2u);
  EXPECT_EQ(report.findings[0].objectRef, "Service a");  // object order
  for (const auto& f : report.findings) {
    if (f.ruleId != "exposure-service-type") continue;
    EXPECT_EQ(f.file, "list.yaml");
    EXPECT_EQ(f.pos.line, f.objectRef == "Service a" ? 8 : 15) << f.objectRef;
  }
}

TEST(AuditInput, HelmRenderedOutputAndUnknownKindsPassThrough) {
  const char* helm = R"(---
# Source: shop/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  DB_PASSWORD: hunter2
---
# Source: shop/templates/crd-object.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  anything: [1, 2]
---
)";
  Inventory inv = inventoryOf(helm, "helm.yaml");
  ASSERT_EQ(inv.manifests().size(), 2u);
  auto report = runAudit(inv, {});
  ASSERT_EQ(count(report, "secret-configmap-plaintext"), 1u);
  EXPECT_EQ(report.findings[0].pos.line, 8);
  for (const auto& f : report.findings) EXPECT_NE(f.objectRef, "Widget w");
}

TEST(AuditInput, StdinIsReadAsAFile) {
  std::istringstream in(kPod);
  auto* old = std::cin.rdbuf(in.rdbuf());
  auto y = loadYamlFile("-");
  std::cin.rdbuf(old);
  ASSERT_TRUE(y.ok());
  std::vector<Manifest> ms;
  Diagnostics d;
  addDocuments(y.documents, ms, d);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].file, "<stdin>");
  auto report = runAudit(Inventory(std::move(ms)), {});
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].file, "<stdin>");
}

TEST(AuditIgnore, AnnotationOnObjectSilencesListedRules) {
  Inventory inv = inventoryOf(kPod);
  auto report = runAudit(inv, {});
  EXPECT_EQ(count(report, "probe-liveness-missing"), 0u);
  EXPECT_EQ(count(report, "sec-read-only-root-fs"), 0u);
  EXPECT_EQ(count(report, "probe-readiness-missing"), 1u);  // not listed
  EXPECT_EQ(report.summary.suppressed, 2u);
}

TEST(AuditIgnore, AllOnThePodTemplateSilencesEverythingForThatWorkload) {
  Inventory inv = inventoryOf(kDeploymentWithTemplateIgnore);
  auto report = runAudit(inv, {});
  EXPECT_TRUE(report.findings.empty());
  EXPECT_GT(report.summary.suppressed, 10u);
}

TEST(AuditConfig, DisableListAndUnknownIds) {
  Diagnostics d;
  Json cfg = {{"disable", {"probe-readiness-missing", "no-such-rule"}}};
  AuditConfig c = parseAuditConfig(cfg, d);
  EXPECT_EQ(c.disabled, (std::set<std::string>{"probe-readiness-missing"}));
  ASSERT_EQ(d.errorCount(), 1u);
  EXPECT_EQ(d.items()[0].path, "disable[1]");
  auto report = runAudit(inventoryOf(kPod), c);
  EXPECT_EQ(count(report, "probe-readiness-missing"), 0u);
  for (const Rule* r : report.rules) EXPECT_NE(r->id, "probe-readiness-missing");
}

TEST(AuditScore, WeighsPassedAndFailedChecksBySeverity) {
  // One NodePort Service: deprecated-api-version (high, 5) passes, exposure-service-type
  // (medium, 3) fails: 100 * 5 / 8 = 62.
  Inventory inv = inventoryOf("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, selector: {a: b}}\n");
  auto report = runAudit(inv, {});
  EXPECT_EQ(report.summary.checks, 2u);
  EXPECT_EQ(report.summary.score, 62);
  Inventory ok = inventoryOf("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}}\n");
  EXPECT_EQ(runAudit(ok, {}).summary.score, 100);
  // A Namespace without the PSA label (low, 1, fails) and a ClusterIP Service (medium, 3), both
  // on a current API version (high, 5 each): 100 * 13 / 14 = 92.
  Inventory mixed = inventoryOf(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}}\n");
  EXPECT_EQ(runAudit(mixed, {}).summary.score, 92);
}

TEST(AuditFailOn, ThresholdsCompareBySeverity) {
  auto report = runAudit(inventoryOf("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, selector: {a: b}}\n"), {});
  EXPECT_TRUE(failsAt(report, Level::Info));
  EXPECT_TRUE(failsAt(report, Level::Medium));
  EXPECT_FALSE(failsAt(report, Level::High));
  EXPECT_FALSE(failsAt(report, Level::Critical));
}

TEST(AuditFormat, SarifIsValid210Shape) {
  Inventory inv = inventoryOf(kPod, "dir/my pod.yaml");
  auto report = runAudit(inv, {});
  Json s = Json::parse(formatSarif(report, "1.2.3"));
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_TRUE(s["$schema"].get<std::string>().find("sarif-2.1.0") != std::string::npos);
  ASSERT_EQ(s["runs"].size(), 1u);
  const Json& driver = s["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "shopctl");
  EXPECT_EQ(driver["version"], "1.2.3");
  std::set<std::string> ids;
  for (const auto& r : driver["rules"]) {
    ASSERT_TRUE(r["id"].is_string());
    ids.insert(r["id"]);
    EXPECT_FALSE(r["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(r["help"]["text"].get<std::string>().empty());
    EXPECT_TRUE(r["defaultConfiguration"]["level"] == "error" || r["defaultConfiguration"]["level"] == "warning" ||
                r["defaultConfiguration"]["level"] == "note");
  }
  EXPECT_EQ(ids.size(), ruleCatalog().size());
  const Json& results = s["runs"][0]["results"];
  ASSERT_EQ(results.size(), report.findings.size());
  ASSERT_FALSE(results.empty());
  for (const auto& r : results) {
    EXPECT_TRUE(ids.count(r["ruleId"].get<std::string>()));
    EXPECT_EQ(driver["rules"][r["ruleIndex"].get<size_t>()]["id"], r["ruleId"]);
    EXPECT_TRUE(r["level"] == "error" || r["level"] == "warning" || r["level"] == "note");
    EXPECT_FALSE(r["message"]["text"].get<std::string>().empty());
    const Json& phys = r["locations"][0]["physicalLocation"];
    EXPECT_EQ(phys["artifactLocation"]["uri"], "dir/my%20pod.yaml");
    EXPECT_GE(phys["region"]["startLine"].get<int>(), 1);
    EXPECT_GE(phys["region"]["startColumn"].get<int>(), 1);
  }
}

TEST(AuditFormat, JsonAndTable) {
  auto report = runAudit(inventoryOf(kPod, "pod.yaml"), {});
  Json j = Json::parse(formatJson(report));
  ASSERT_EQ(j["findings"].size(), report.findings.size());
  EXPECT_EQ(j["findings"][0]["file"], "pod.yaml");
  EXPECT_EQ(j["summary"]["findings"], report.findings.size());
  EXPECT_EQ(j["summary"]["score"], report.summary.score);
  std::string table = formatTable(report, false);
  EXPECT_EQ(table.rfind("Pod web  (pod.yaml)\n", 0), 0u) << table;
  EXPECT_NE(table.find("HIGH     probe-readiness-missing"), std::string::npos) << table;
  EXPECT_NE(table.find("score: " + std::to_string(report.summary.score) + "/100"), std::string::npos);
  EXPECT_EQ(table.find("\033["), std::string::npos);
  EXPECT_NE(formatTable(report, true).find("\033[31m"), std::string::npos);
}

TEST(AuditCatalog, EveryRuleIsDocumentedAndUnique) {
  std::set<std::string> ids;
  for (const auto& r : ruleCatalog()) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_GT(r.rationale.size(), 40u) << r.id;
    EXPECT_FALSE(r.fix.empty()) << r.id;
    EXPECT_TRUE(r.check) << r.id;
  }
  std::set<std::string> families;
  for (const auto& r : ruleCatalog()) families.insert(r.family);
  EXPECT_EQ(families, (std::set<std::string>{"probes", "resources", "security", "images", "availability", "data",
                                             "secrets", "exposure", "deprecation", "network", "mesh",
                                             "service-accounts"}));
}

TEST(AuditRules, LowerCaseAllFailsButUpperCasePasses) {
  auto yaml = [](const char* drop) {
    return std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1.0\n"
                       "    securityContext:\n      capabilities:\n        drop: [") + drop + "]\n";
  };
  EXPECT_EQ(count(runAudit(inventoryOf(yaml("all")), {}), "sec-capabilities-drop-all"), 1u);
  EXPECT_EQ(count(runAudit(inventoryOf(yaml("ALL")), {}), "sec-capabilities-drop-all"), 0u);
}

TEST(AuditRules, MeshRulesOnlyWhenIstioIsInUse) {
  const char* app = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example/web:1.0
        env:
        - {name: API_URL, value: "http://api:8080/v1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1.0, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080}]
)";
  Inventory inv = inventoryOf(app);
  EXPECT_TRUE(inv.istioInUse());
  auto report = runAudit(inv, {});
  EXPECT_EQ(count(report, "mesh-timeout-retries"), 1u);
  EXPECT_EQ(count(report, "mesh-outlier-detection"), 1u);
  std::string noIstio = app;
  noIstio.replace(noIstio.find("  labels: {istio-injection: enabled}\n"), 37, "");
  EXPECT_EQ(count(runAudit(inventoryOf(noIstio), {}), "mesh-timeout-retries"), 0u);
}

TEST(AuditRules, HostReferencesInConfigValues) {
  auto refs = findHostRefs("catalogue_user:default_password@tcp(catalogue-db:3306)/socksdb", false);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "catalogue-db");
  EXPECT_EQ(refs[0].port, 3306);
  refs = findHostRefs("mongodb://user:secret@orders-db:27017/data", false);
  ASSERT_EQ(refs.size(), 1u);  // not the userinfo "user"
  EXPECT_EQ(refs[0].name, "orders-db");
  refs = findHostRefs("http://carts/carts/1/items", false);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "carts");
  refs = findHostRefs("zipkin.jaeger.svc.cluster.local", false);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].ns, "jaeger");
  EXPECT_TRUE(findHostRefs("-Xms64m -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false", false).empty());
  EXPECT_TRUE(findHostRefs("user", false).empty());   // a bare word is not a host...
  EXPECT_EQ(findHostRefs("user", true).size(), 1u);   // ...unless the variable is named like one
  // "name.ns" could be a domain: reported, but not as a certain cluster Service
  refs = findHostRefs("https://example.com/x", false);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_FALSE(refs[0].svcForm);
}

// A StatefulSet pod's DNS name is a call to the Service that names it: "mongo-0.mongo" in the
// caller's namespace, "postgres-0.postgres.shop.svc[.cluster.local]" (and "pod.svc.ns.svc") in
// another.
TEST(AuditRules, PodDnsNamesAreCallsToTheirService) {
  auto refs = findHostRefs("postgres://app@postgres-0.postgres.shop.svc.cluster.local:5432/app", false);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "postgres");
  EXPECT_EQ(refs[0].ns, "shop");
  EXPECT_EQ(refs[0].pod, "postgres-0");
  EXPECT_EQ(refs[0].port, 5432);
  const std::string yaml = R"(
apiVersion: v1
kind: Service
metadata: {name: mongo, namespace: shop}
spec: {clusterIP: None, selector: {app: mongo}, ports: [{port: 27017}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mongo, namespace: shop}
spec:
  serviceName: mongo
  selector: {matchLabels: {app: mongo}}
  template:
    metadata: {labels: {app: mongo}}
    spec: {containers: [{name: mongo, image: mongo:7.0.5, ports: [{containerPort: 27017}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: postgres, namespace: shop}
spec: {clusterIP: None, selector: {app: postgres}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: shop}
spec:
  serviceName: postgres
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec: {containers: [{name: postgres, image: postgres:16.1, ports: [{containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  template:
    metadata: {labels: {app: orders}}
    spec: {containers: [{name: orders, image: orders:1.0.0, env: [{name: MONGO_URL, value: "mongodb://mongo-0.mongo:27017/orders"}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: report, namespace: ops}
spec:
  selector: {matchLabels: {app: report}}
  template:
    metadata: {labels: {app: report}}
    spec: {containers: [{name: report, image: report:1.0.0, env: [{name: DB_HOST, value: "postgres-1.postgres.shop.svc"}]}]}
)";
  const Inventory inv = inventoryOf(yaml);
  auto callee = [&](const std::string& from) {
    std::vector<std::string> out;
    for (const auto& e : inv.calls())
      if (nameOf(inv.object(inv.workloads()[e.from].object)) == from && e.toService)
        out.push_back(namespaceOf(inv.object(*e.toService)) + "/" + nameOf(inv.object(*e.toService)));
    return out;
  };
  EXPECT_EQ(callee("orders"), std::vector<std::string>{"shop/mongo"});
  EXPECT_EQ(callee("report"), std::vector<std::string>{"shop/postgres"});
}

// A digest pins the bytes: IfNotPresent cannot run another image, so image-pull-policy passes
// (and harden leaves the policy alone); a tag with IfNotPresent is still flagged and fixed.
TEST(AuditImages, PullPolicyIsNotFlaggedForDigestPinnedImages) {
  const std::string digest(64, 'a');
  const std::string yaml =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
      "  - {name: pinned, image: \"nginx@sha256:" + digest + "\", imagePullPolicy: IfNotPresent}\n"
      "  - {name: tagged, image: \"nginx:1.27.2\", imagePullPolicy: IfNotPresent}\n";
  auto report = runAudit(inventoryOf(yaml), {});
  size_t n = 0;
  for (const auto& f : report.findings)
    if (f.ruleId == "image-pull-policy") {
      ++n;
      EXPECT_NE(f.message.find("tagged"), std::string::npos) << f.message;
    }
  EXPECT_EQ(n, 1u);
  auto y = loadYaml(yaml, "p.yaml");
  std::vector<Manifest> ms;
  Diagnostics d;
  addDocuments(y.documents, ms, d);
  auto out = harden(ms, {});
  const Json* pod = nullptr;
  for (const auto& o : out.objects)
    if (o.value("kind", "") == "Pod") pod = &o;
  ASSERT_NE(pod, nullptr);
  const Json& cs = (*pod)["spec"]["containers"];
  EXPECT_EQ(cs[0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(cs[1]["imagePullPolicy"], "Always");
}
