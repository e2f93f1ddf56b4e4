// Focused renderer behaviour: the call graph, the mesh, data stores, and defaults.
#include <gtest/gtest.h>

#include <set>

#include "core/render/datastore.hpp"
#include "core/render/render.hpp"
#include "core/render/secret_value.hpp"
#include "test_util.hpp"

using namespace shop;

using namespace shop::test;

namespace {

std::vector<Json> renderYaml(const std::string& yaml) { return render(test::mustParse(yaml)).objects; }

std::vector<Json> renderFile(const std::string& path) {
  auto res = loadShopAppFile(path);
  if (!res.app) throw std::runtime_error(res.diags.str());
  return render(*res.app).objects;
}

std::set<std::string> egressTargets(const Json& np) {
  std::set<std::string> out;
  for (const auto& rule : np["spec"]["egress"])
    for (const auto& peer : rule["to"])
      if (peer.contains("podSelector")) out.insert(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]);
  return out;
}

std::string envOf(const Json& container, const std::string& name) {
  for (const auto& e : container["env"])
    if (e["name"] == name) return e.value("value", "");
  return "<absent>";
}

const char* kBase = R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: t, namespace: t}
spec:
)";

}  // namespace

TEST(Network, EgressIsExactlyTheDependsOnEdges) {
  auto objs = renderFile("manifests/sockshop/shopapp.yaml");
  EXPECT_EQ(egressTargets(get(objs, "NetworkPolicy", "orders")),
            (std::set<std::string>{"orders-db", "carts", "user", "payment", "shipping"}));
  EXPECT_EQ(egressTargets(get(objs, "NetworkPolicy", "front-end")),
            (std::set<std::string>{"catalogue", "carts", "orders", "user", "session-db"}));
  EXPECT_EQ(egressTargets(get(objs, "NetworkPolicy", "payment")), std::set<std::string>{});
  // A database accepts its callers and its own replicas, nothing else.
  const Json& db = get(objs, "NetworkPolicy", "carts-db");
  std::set<std::string> from;
  for (const auto& rule : db["spec"]["ingress"])
    for (const auto& peer : rule["from"])
      if (peer.contains("podSelector")) from.insert(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]);
  EXPECT_EQ(from, (std::set<std::string>{"carts", "carts-db"}));
  // The baseline isolates every pod of the app and lets only DNS out.
  const Json& base = get(objs, "NetworkPolicy", "sock-shop-baseline");
  EXPECT_EQ(base["spec"]["podSelector"]["matchLabels"]["shopctl.io/app"], "sock-shop");
  EXPECT_FALSE(base["spec"].contains("ingress"));
  EXPECT_EQ(base["spec"]["egress"][0]["ports"][0]["port"], 53);
}

TEST(Mesh, AuthorizationAllowsExactlyTheCallers) {
  auto objs = renderFile("manifests/sockshop/shopapp.yaml");
  EXPECT_EQ(get(objs, "AuthorizationPolicy", "orders")["spec"]["rules"][0]["from"][0]["source"]["principals"],
            Json::array({"cluster.local/ns/sock-shop/sa/front-end"}));
  EXPECT_EQ(get(objs, "AuthorizationPolicy", "payment")["spec"]["rules"][0]["from"][0]["source"]["principals"],
            Json::array({"cluster.local/ns/sock-shop/sa/orders"}));
  // The front-end is called by the gateway only.
  EXPECT_EQ(get(objs, "AuthorizationPolicy", "front-end")["spec"]["rules"][0]["from"][0]["source"]["principals"],
            Json::array({"cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"}));
  EXPECT_EQ(get(objs, "PeerAuthentication", "sock-shop")["spec"]["mtls"]["mode"], "STRICT");
}

TEST(Mesh, CircuitBreakerOfTalentsharePayment) {
  auto objs = renderFile("manifests/examples/talentshare.yaml");
  const Json& tp = get(objs, "DestinationRule", "payment")["spec"]["trafficPolicy"];
  EXPECT_EQ(tp["connectionPool"]["http"]["http1MaxPendingRequests"], 1);
  EXPECT_EQ(tp["connectionPool"]["http"]["maxRequestsPerConnection"], 1);
  EXPECT_EQ(tp["connectionPool"]["tcp"]["maxConnections"], 1);
  EXPECT_EQ(tp["outlierDetection"]["consecutive5xxErrors"], 1);
  EXPECT_EQ(tp["outlierDetection"]["maxEjectionPercent"], 100);
  const Json& http = get(objs, "VirtualService", "payment")["spec"]["http"][0];
  EXPECT_EQ(http["timeout"], "3s");
  EXPECT_EQ(http["retries"]["attempts"], 1);
  EXPECT_EQ(get(objs, "HorizontalPodAutoscaler", "retrieve")["spec"]["maxReplicas"], 5);
}

TEST(Mesh, FaultsAreRenderedOnlyWhenAsked) {
  auto objs = renderYaml(std::string(kBase) + R"(  mesh: {enabled: true}
  services:
  - name: a
    image: x/a:1
    ports: [{port: 8080}]
    dependsOn: [b]
  - name: b
    image: x/b:1
    ports: [{port: 8080}]
    resilience:
      faults:
        delay: {fixedDelay: 5s, percentage: 10}
        abort: {httpStatus: 503, percentage: 2.5}
)");
  const Json& http = get(objs, "VirtualService", "b")["spec"]["http"][0];
  EXPECT_EQ(http["fault"]["delay"]["fixedDelay"], "5s");
  EXPECT_EQ(http["fault"]["delay"]["percentage"]["value"], 10.0);
  EXPECT_EQ(http["fault"]["abort"]["httpStatus"], 503);
  EXPECT_EQ(http["fault"]["abort"]["percentage"]["value"], 2.5);
  auto sock = renderFile("manifests/sockshop/shopapp.yaml");
  for (const auto& o : sock)
    if (o["kind"] == "VirtualService") {
      EXPECT_FALSE(o["spec"]["http"][0].contains("fault"));
    }
}

TEST(Mesh, OffMeansNoIstioObjectsAndAnIngress) {
  auto objs = renderFile("manifests/examples/cafe.yaml");
  for (const auto& o : objs) EXPECT_EQ(o["apiVersion"].get<std::string>().find("istio.io"), std::string::npos);
  const Json& ing = get(objs, "Ingress", "cafe-gateway");
  EXPECT_EQ(ing["spec"]["ingressClassName"], "nginx");
  EXPECT_EQ(ing["spec"]["tls"][0]["secretName"], "cafe-tls");
  std::vector<std::string> paths;
  for (const auto& p : ing["spec"]["rules"][0]["http"]["paths"]) paths.push_back(p["path"]);
  // Longest prefix first; "/" goes to the kiosk and comes last.
  EXPECT_EQ(paths, (std::vector<std::string>{"/notifications", "/inventories", "/beverages", "/orders", "/"}));
  EXPECT_EQ(ing["spec"]["rules"][0]["http"]["paths"][4]["backend"]["service"]["name"], "kiosk");
  for (const char* s : {"order", "beverage", "notification", "inventory"}) {
    const Json& hpa = get(objs, "HorizontalPodAutoscaler", s)["spec"];
    EXPECT_EQ(hpa["minReplicas"], 1) << s;
    EXPECT_EQ(hpa["maxReplicas"], 3) << s;
    EXPECT_EQ(hpa["metrics"][0]["resource"]["target"]["averageUtilization"], 50) << s;
  }
}

TEST(Network, TheGatewayNamespaceAdmitsOneNamespaceOrEveryOne) {
  const std::string app = "apiVersion: shopctl.io/v1alpha1\nkind: ShopApp\nmetadata: {name: s, namespace: ns}\nspec:\n"
                          "  gateway: {enabled: true, namespace: NS}\n"
                          "  services:\n  - {name: web, image: 'x/web:1', ports: [{port: 80, targetPort: 8080}], expose: {paths: [/]}}\n";
  auto fromOf = [&](const std::string& ns) {
    std::string y = app;
    y.replace(y.find("NS}"), 2, ns);
    const auto objs = renderYaml(y);
    const Json& np = get(objs, "NetworkPolicy", "web");
    for (const auto& rule : np["spec"]["ingress"])
      if (rule["ports"].size() == 1 && rule["ports"][0]["port"] == 8080) return rule["from"];
    return Json();
  };
  EXPECT_EQ(fromOf("traefik"), Json::parse(R"([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}}])"));
  // "*": an ingress controller of any namespace (import writes it: the manifests do not say where).
  EXPECT_EQ(fromOf("\"*\""), Json::parse(R"([{"namespaceSelector": {}}])"));
}

TEST(DataStores, MySqlReplicationHasDistinctServerIdsAndAPrimaryService) {
  auto objs = renderFile("manifests/sockshop/shopapp.yaml");
  const Json& sts = get(objs, "StatefulSet", "catalogue-db");
  EXPECT_EQ(sts["spec"]["podManagementPolicy"], "OrderedReady");
  const Json& cm = get(objs, "ConfigMap", "catalogue-db-scripts");
  const std::string run = cm["data"]["run.sh"];
  EXPECT_NE(run.find("--server-id=$((100 + ordinal))"), std::string::npos);
  EXPECT_NE(run.find("--gtid-mode=ON"), std::string::npos);
  EXPECT_NE(std::string(cm["data"]["replica.sh"]).find("AUTO_POSITION=1"), std::string::npos);
  const Json& svc = get(objs, "Service", "catalogue-db");
  EXPECT_EQ(svc["spec"]["selector"]["statefulset.kubernetes.io/pod-name"], "catalogue-db-0");
  // The root password comes from the Secret, never from a literal.
  EXPECT_EQ(envOf(sts["spec"]["template"]["spec"]["containers"][0], "MYSQL_ROOT_PASSWORD"), "");
}

// PostgreSQL and MariaDB own their lifecycle: no image entrypoint, no init directory, and no
// password on a command line (probes take it from the environment, scripts from stdin or files).
TEST(DataStores, PostgresAndMariaDbOwnTheirLifecycle) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - {name: api, image: x/api:1, ports: [{port: 8080}], dependsOn: [pg, maria]}
  databases:
  - {name: pg, engine: postgresql, user: shop, replicas: 3}
  - {name: maria, engine: mariadb, user: shop, database: orders, replicas: 3}
)");
  for (const char* name : {"pg", "maria"}) {
    SCOPED_TRACE(name);
    const Json& pod = get(objs, "StatefulSet", name)["spec"]["template"]["spec"];
    const Json& c = pod["containers"][0];
    EXPECT_EQ(c["command"], Json::array({"/bin/sh", "/scripts/run.sh"}));
    for (const auto& m : c["volumeMounts"]) EXPECT_EQ(std::string(m["mountPath"]).find("docker-entrypoint"), std::string::npos);
    for (const auto& [file, text] : get(objs, "ConfigMap", std::string(name) + "-scripts")["data"].items()) {
      EXPECT_EQ(std::string(text).find("docker-entrypoint"), std::string::npos) << file;
      // A new data directory is renamed into place only when complete.
      if (file == "run.sh") {
        EXPECT_NE(std::string(text).find(".shopctl-new\""), std::string::npos);
      }
    }
    const std::string probe = c["readinessProbe"]["exec"]["command"][2];
    EXPECT_EQ(probe.find("PASSWORD\" "), std::string::npos) << probe;  // never an argument
    EXPECT_EQ(probe.find("-p\"$"), std::string::npos) << probe;  // mysql -p"$PASSWORD"
    EXPECT_EQ(probe.find("-p$"), std::string::npos) << probe;
  }
  const Json& pg = get(objs, "StatefulSet", "pg")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(envOf(pg, "POSTGRES_DB"), "shop");  // named like the user by default
  EXPECT_NE(std::string(pg["readinessProbe"]["exec"]["command"][2]).find("-U postgres"), std::string::npos);
  const Json& maria = get(objs, "StatefulSet", "maria")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(maria["name"], "mariadb");
  EXPECT_EQ(maria["image"], "mariadb:11.4.4");
  EXPECT_EQ(envOf(maria, "MARIADB_DATABASE"), "orders");
  EXPECT_EQ(envOf(maria, "MARIADB_ROOT_PASSWORD"), "");  // from the Secret, never a literal
  EXPECT_EQ(envOf(maria, "SHOP_DATADIR"), "/var/lib/mysql/data");
  EXPECT_NE(std::string(maria["readinessProbe"]["exec"]["command"][2]).find("export MYSQL_PWD="), std::string::npos);
  const std::string run = get(objs, "ConfigMap", "maria-scripts")["data"]["run.sh"];
  EXPECT_NE(run.find("MASTER_USE_GTID=slave_pos"), std::string::npos);
  EXPECT_NE(run.find("--gtid --master-data=1"), std::string::npos);
  EXPECT_NE(run.find("exec mariadbd --no-defaults"), std::string::npos);
  EXPECT_EQ(get(objs, "Service", "maria")["spec"]["selector"]["statefulset.kubernetes.io/pod-name"], "maria-0");
  std::set<std::string> keys;
  for (const auto& k : get(objs, "StatefulSet", "maria")["spec"]["template"]["spec"]["containers"][0]["env"])
    if (k.contains("valueFrom") && k["valueFrom"].contains("secretKeyRef")) keys.insert(k["valueFrom"]["secretKeyRef"]["key"]);
  EXPECT_EQ(keys, (std::set<std::string>{"root-password", "replication-password", "password"}));
}

// No engine passes a password as a command argument (`mysql -p"$PASSWORD"`, `redis-cli -a`), where
// every process of the node could read it: probes and scripts use the environment or stdin.
TEST(DataStores, NoPasswordOnACommandLine) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - {name: api, image: x/api:1, ports: [{port: 8080}], dependsOn: [my, maria, pg, kv]}
  databases:
  - {name: my, engine: mysql, user: app}
  - {name: maria, engine: mariadb, user: app}
  - {name: pg, engine: postgresql, user: app}
  - {name: kv, engine: redis}
)");
  for (const char* name : {"my", "maria", "pg", "kv"}) {
    SCOPED_TRACE(name);
    std::vector<std::string> texts;
    for (const auto& f : get(objs, "ConfigMap", std::string(name) + "-scripts")["data"]) texts.push_back(f);
    const Json& c = get(objs, "StatefulSet", name)["spec"]["template"]["spec"]["containers"][0];
    for (const char* probe : {"readinessProbe", "livenessProbe", "startupProbe"})
      if (c.contains(probe) && c[probe].contains("exec")) texts.push_back(c[probe]["exec"]["command"][2]);
    for (const auto& t : texts) {
      EXPECT_EQ(t.find("-p\"$"), std::string::npos) << t;
      EXPECT_EQ(t.find(" -a "), std::string::npos) << t;
      EXPECT_EQ(t.find("PASSWORD\" pg_"), std::string::npos) << t;
    }
  }
}

TEST(DataStores, MongoReplicaSetUsesAKeyfileAndProtectsQuorum) {
  auto objs = renderFile("manifests/sockshop/shopapp.yaml");
  const Json& sts = get(objs, "StatefulSet", "orders-db");
  EXPECT_EQ(sts["spec"]["template"]["spec"]["initContainers"][0]["name"], "keyfile");
  const std::string run = get(objs, "ConfigMap", "orders-db-scripts")["data"]["run.sh"];
  EXPECT_NE(run.find("--replSet rs0"), std::string::npos);
  EXPECT_NE(run.find("--keyFile /keyfile/keyfile"), std::string::npos);
  EXPECT_EQ(get(objs, "PodDisruptionBudget", "orders-db")["spec"]["minAvailable"], 2);
  // The seeded user-db copies its baked-in data into the empty volume first.
  const Json& user = get(objs, "StatefulSet", "user-db");
  EXPECT_EQ(user["spec"]["template"]["spec"]["initContainers"][0]["name"], "seed");
}

// Kafka's lifecycle is the rendered script's: the properties are rendered, the script adds the
// member's identity, formats the log directory once and starts the broker with `java` alone.
TEST(DataStores, KafkaRunsInKRaftModeWithoutZooKeeper) {
  auto objs = renderFile("manifests/examples/cafe.yaml");
  const Json& c = get(objs, "StatefulSet", "cafe-events")["spec"]["template"]["spec"]["containers"][0];
  const Json& data = get(objs, "ConfigMap", "cafe-events-scripts")["data"];
  const std::string props = data["server.properties"];
  EXPECT_NE(props.find("\nprocess.roles=broker,controller\n"), std::string::npos) << props;
  EXPECT_NE(props.find("\ncontroller.quorum.voters="
                       "0@cafe-events-0.cafe-events-headless.cafe.svc.cluster.local:9093,"
                       "1@cafe-events-1.cafe-events-headless.cafe.svc.cluster.local:9093,"
                       "2@cafe-events-2.cafe-events-headless.cafe.svc.cluster.local:9093\n"),
            std::string::npos)
      << props;
  EXPECT_EQ(props.find("zookeeper"), std::string::npos);
  EXPECT_EQ(props.find("\nnode.id="), std::string::npos) << "the member's own, from the script";
  EXPECT_EQ(props.find("\nadvertised.listeners="), std::string::npos);
  EXPECT_EQ(envOf(c, "CLUSTER_ID").size(), 22u);
  EXPECT_EQ(c["command"], Json::array({"/bin/sh", "/scripts/run.sh"}));
  const std::string run = data["run.sh"];
  EXPECT_NE(run.find("printf 'node.id=%s\\n' \"${POD_NAME##*-}\""), std::string::npos) << run;
  EXPECT_NE(run.find("kafka.tools.StorageTool format"), std::string::npos);
  EXPECT_NE(run.find("--ignore-formatted"), std::string::npos);
  EXPECT_NE(run.find("exec java "), std::string::npos);
  EXPECT_EQ(run.find("/etc/kafka/docker"), std::string::npos) << "no image launcher";
  // Only /tmp is written outside the data volume; logs go to stdout.
  const Json& mounts = c["volumeMounts"];
  for (const auto& m : mounts)
    if (!m.contains("readOnly")) {
      EXPECT_TRUE(m["mountPath"] == "/tmp" || m["mountPath"] == "/var/lib/kafka/data") << m;
    }
  EXPECT_NE(std::string(data["log4j.properties"]).find("ConsoleAppender"), std::string::npos);
  // Another app gets another cluster id.
  auto lib = renderFile("manifests/examples/library.yaml");
  EXPECT_NE(envOf(get(lib, "StatefulSet", "library-events")["spec"]["template"]["spec"]["containers"][0], "CLUSTER_ID"),
            envOf(c, "CLUSTER_ID"));
}

// The properties every member shares, by member count: replication factors never exceed the
// members, and with 3 or more a write needs 2 in-sync replicas.
TEST(DataStores, KafkaServerPropertiesFollowTheMemberCount) {
  ShopApp app;
  app.name = "shop";
  app.namespace_ = "ns";
  DataStore d;
  d.name = "events";
  d.engine = Engine::Kafka;
  d.port = 9092;
  auto line = [](const std::string& props, const std::string& key) {
    const auto at = props.find("\n" + key + "=");
    if (at == std::string::npos) return std::string("<absent>");
    const auto from = at + key.size() + 2;
    return props.substr(from, props.find('\n', from) - from);
  };
  d.replicas = 1;
  std::string one = steps::kafkaServerProperties(app, d);
  EXPECT_EQ(line(one, "controller.quorum.voters"), "0@events-0.events-headless.ns.svc.cluster.local:9093");
  EXPECT_EQ(line(one, "default.replication.factor"), "1");
  EXPECT_EQ(line(one, "offsets.topic.replication.factor"), "1");
  EXPECT_EQ(line(one, "min.insync.replicas"), "1");
  EXPECT_EQ(line(one, "listeners"), "PLAINTEXT://:9092,CONTROLLER://:9093");
  EXPECT_EQ(line(one, "log.dirs"), "/var/lib/kafka/data/logs");
  d.replicas = 5;
  d.port = 19092;
  std::string five = steps::kafkaServerProperties(app, d);
  EXPECT_EQ(line(five, "default.replication.factor"), "3");
  EXPECT_EQ(line(five, "transaction.state.log.replication.factor"), "3");
  EXPECT_EQ(line(five, "min.insync.replicas"), "2");
  EXPECT_EQ(line(five, "transaction.state.log.min.isr"), "2");
  EXPECT_EQ(line(five, "listeners"), "PLAINTEXT://:19092,CONTROLLER://:9093");
  EXPECT_NE(line(five, "controller.quorum.voters").find(",4@events-4.events-headless.ns.svc.cluster.local:9093"), std::string::npos);
  EXPECT_EQ(line(five, "node.id"), "<absent>");
  EXPECT_EQ(line(five, "advertised.listeners"), "<absent>");
}

TEST(DataStores, RabbitMqFormsAClusterFromAStaticMemberList) {
  auto objs = renderFile("manifests/sockshop/shopapp.yaml");
  const std::string conf = get(objs, "ConfigMap", "rabbitmq-scripts")["data"]["rabbitmq.conf"];
  EXPECT_NE(conf.find("cluster_formation.peer_discovery_backend = classic_config"), std::string::npos);
  EXPECT_NE(conf.find("nodes.3 = rabbit@rabbitmq-2.rabbitmq-headless.sock-shop.svc.cluster.local"), std::string::npos);
  EXPECT_EQ(get(objs, "Service", "rabbitmq")["spec"]["selector"].size(), 2u) << "clients reach every member";
}

// Scaling a store must not change its pod template, or the StatefulSet rolls every member:
// for RabbitMQ that restarted the whole cluster with a removed member still in it (real node).
TEST(DataStores, ScalingChangesNeitherPodTemplateNorScripts) {
  auto render = [](int replicas) {
    return renderYaml(std::string(kBase) + "  services:\n  - {name: api, image: x/api:1, ports: [{port: 8080}], dependsOn: [r, pg, maria, kv]}\n" +
                      "  databases:\n  - {name: pg, engine: postgresql, replicas: " + std::to_string(replicas) + "}\n" +
                      "  - {name: maria, engine: mariadb, replicas: " + std::to_string(replicas) + "}\n" +
                      "  - {name: kv, engine: redis, replicas: " + std::to_string(replicas) + "}\n" +
                      "  messaging:\n  - {name: r, engine: rabbitmq, replicas: " + std::to_string(replicas) + "}\n");
  };
  auto two = render(2), three = render(3);
  for (const char* name : {"r", "pg", "maria", "kv"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(get(two, "StatefulSet", name)["spec"]["template"], get(three, "StatefulSet", name)["spec"]["template"]);
    EXPECT_EQ(get(two, "ConfigMap", std::string(name) + "-scripts")["data"], get(three, "ConfigMap", std::string(name) + "-scripts")["data"]);
  }
  const std::string conf = get(two, "ConfigMap", "r-scripts")["data"]["rabbitmq.conf"];
  EXPECT_NE(conf.find("nodes.9 = rabbit@r-8.r-headless.t.svc.cluster.local"), std::string::npos) << conf;
}

TEST(DataStores, StorageCanBeReleasedOnlyWhenAsked) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - {name: a, image: "x/a:1", ports: [{port: 80}], dependsOn: [db]}
  databases:
  - {name: db, engine: postgresql, storage: {size: 3Gi, storageClass: fast, whenDeleted: Delete}}
)");
  const Json& sts = get(objs, "StatefulSet", "db");
  EXPECT_EQ(sts["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"], "Delete");
  EXPECT_EQ(sts["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"], "Retain");
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"], "fast");
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"], "3Gi");
}

TEST(Secrets, TheRendererListsCredentialsButNeverInventsThem) {
  auto res = loadShopAppFile("manifests/sockshop/shopapp.yaml");
  ASSERT_TRUE(res.app);
  auto r = render(*res.app);
  EXPECT_FALSE(has(r.objects, "Secret"));
  std::vector<std::string> names;
  for (const auto& s : r.secrets) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"carts-db-credentials", "catalogue-db-credentials", "orders-db-credentials",
                                             "rabbitmq-credentials", "user-db-credentials"}));
}

TEST(Defaults, ServicesInheritDefaultsAndOverrideThemFieldByField) {
  auto app = test::mustParse(std::string(kBase) + R"(  defaults:
    replicas: 3
    resources: {requests: {cpu: 200m}, limits: {memory: 1Gi}}
  services:
  - name: a
    image: x/a:1
    ports: [{port: 80}]
  - name: b
    image: x/b:1
    ports: [{port: 80}]
    replicas: 1
    resources: {requests: {memory: 64Mi}}
)");
  EXPECT_EQ(app.services[0].replicas, 3);
  EXPECT_EQ(app.services[1].replicas, 1);
  EXPECT_EQ(*app.services[1].resources.requests.cpu, "200m");     // from defaults
  EXPECT_EQ(*app.services[1].resources.requests.memory, "64Mi");  // its own
  EXPECT_EQ(*app.services[1].resources.limits.memory, "1Gi");     // from defaults
  EXPECT_EQ(*app.services[0].resources.limits.cpu, "500m");       // built-in default
}

// Placement: spec.defaults' nodeSelector merges under every workload's (databases and brokers
// too), its tolerations are replaced by a workload's own list, and kubernetes.io/os: linux stays.
TEST(Defaults, PlacementReachesEveryWorkloadAndMergesNodeSelectors) {
  auto objs = renderYaml(std::string(kBase) + R"(  defaults:
    nodeSelector: {shopctl.io/pool: shop}
    tolerations: [{key: shopctl.io/pool, operator: Equal, value: shop, effect: NoSchedule}]
  services:
  - name: a
    image: x/a:1
    ports: [{port: 80}]
  - name: b
    image: x/b:1
    ports: [{port: 80}]
    nodeSelector: {topology.kubernetes.io/zone: zone-a}
    tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]
  databases:
  - {name: db, engine: redis, tolerations: [{operator: Exists}]}
  messaging:
  - {name: mq, engine: rabbitmq}
)");
  auto pod = [&](const char* kind, const char* name) { return get(objs, kind, name)["spec"]["template"]["spec"]; };
  const Json shopPool = Json::array({{{"key", "shopctl.io/pool"}, {"operator", "Equal"}, {"value", "shop"}, {"effect", "NoSchedule"}}});
  EXPECT_EQ(pod("Deployment", "a")["nodeSelector"], (Json{{"kubernetes.io/os", "linux"}, {"shopctl.io/pool", "shop"}}));
  EXPECT_EQ(pod("Deployment", "a")["tolerations"], shopPool);
  EXPECT_EQ(pod("Deployment", "b")["nodeSelector"],
            (Json{{"kubernetes.io/os", "linux"}, {"shopctl.io/pool", "shop"}, {"topology.kubernetes.io/zone", "zone-a"}}));
  EXPECT_EQ(pod("Deployment", "b")["tolerations"],
            Json::array({{{"key", "node.kubernetes.io/unreachable"}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 60}}}));
  EXPECT_EQ(pod("StatefulSet", "db")["nodeSelector"], (Json{{"kubernetes.io/os", "linux"}, {"shopctl.io/pool", "shop"}}));
  EXPECT_EQ(pod("StatefulSet", "db")["tolerations"], Json::array({{{"operator", "Exists"}}}));
  EXPECT_EQ(pod("StatefulSet", "mq")["tolerations"], shopPool);
}

TEST(Defaults, NoPlacementRendersOnlyTheLinuxSelector) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - {name: a, image: x/a:1, ports: [{port: 80}]}
)");
  const Json& spec = get(objs, "Deployment", "a")["spec"]["template"]["spec"];
  EXPECT_EQ(spec["nodeSelector"], (Json{{"kubernetes.io/os", "linux"}}));
  EXPECT_FALSE(spec.contains("tolerations"));
}

// The baseline's one egress, DNS: kube-system's kube-dns pods unless the cluster resolves
// elsewhere (OpenShift's openshift-dns, NodeLocal DNSCache at 169.254.20.10, a resolver on the node).
TEST(Network, DnsEgressGoesWhereTheClusterResolves) {
  auto dnsRule = [](const std::vector<Json>& objs) { return get(objs, "NetworkPolicy", "t-baseline")["spec"]["egress"][0]; };
  const Json byDefault = dnsRule(renderYaml(std::string(kBase) + R"(  services:
  - {name: a, image: x/a:1, ports: [{port: 80}]}
)"));
  EXPECT_EQ(byDefault["to"], Json::parse(R"([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                               "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}])"));
  const Json custom = dnsRule(renderYaml(std::string(kBase) + R"(  security:
    dns: {namespace: openshift-dns, podLabels: {dns.operator.openshift.io/daemonset-dns: default}, cidrs: [169.254.20.10/32]}
  services:
  - {name: a, image: x/a:1, ports: [{port: 80}]}
)"));
  EXPECT_EQ(custom["to"], Json::parse(R"([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "openshift-dns"}},
                                             "podSelector": {"matchLabels": {"dns.operator.openshift.io/daemonset-dns": "default"}}},
                                            {"ipBlock": {"cidr": "169.254.20.10/32"}}])"));
  EXPECT_EQ(custom["ports"], byDefault["ports"]);
}

TEST(Defaults, ResilienceWithoutTheMeshIsAWarning) {
  auto loaded = loadYaml(std::string(kBase) + R"(  services:
  - name: a
    image: x/a:1
    ports: [{port: 80}]
    resilience: {timeout: 2s}
)", "w.yaml");
  auto res = parseShopApp(loaded.documents[0]);
  ASSERT_TRUE(res.app);
  ASSERT_EQ(res.diags.items().size(), 1u);
  EXPECT_EQ(res.diags.items()[0].severity, Severity::Warning);
  EXPECT_NE(res.diags.items()[0].message.find("need the Istio mesh"), std::string::npos);
}

TEST(Probes, ReadinessOverHttpGetsATcpLivenessCheck) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - name: a
    image: x/a:1
    ports: [{name: web, port: 80, targetPort: 8080}]
    probes:
      readiness: {http: {path: /ready, port: web}}
)");
  const Json& c = get(objs, "Deployment", "a")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/ready");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"], 8080);
  EXPECT_EQ(c["livenessProbe"]["tcpSocket"]["port"], 8080);
}

TEST(Workloads, ConfigFilesAreMountedReadOnlyAndRollThePodsOnChange) {
  const std::string app = std::string(kBase) + R"(  services:
  - name: a
    image: x/a:1
    ports: [{port: 80}]
    config:
      files: [{path: /etc/a/a.conf, content: "x = CONTENT\n"}]
      env: {LOG_LEVEL: info}
)";
  auto one = renderYaml(app);
  auto two = renderYaml(std::string(app).replace(app.find("CONTENT"), 7, "OTHER"));
  const Json& t1 = get(one, "Deployment", "a")["spec"]["template"];
  const Json& t2 = get(two, "Deployment", "a")["spec"]["template"];
  EXPECT_NE(t1["metadata"]["annotations"]["shopctl.io/config-hash"], t2["metadata"]["annotations"]["shopctl.io/config-hash"]);
  bool mounted = false;
  for (const auto& m : t1["spec"]["containers"][0]["volumeMounts"])
    if (m["mountPath"] == "/etc/a/a.conf") mounted = m["readOnly"] == true && m["subPath"] == "file-0";
  EXPECT_TRUE(mounted);
  EXPECT_EQ(t1["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"], "a-config");
}

// A worker (no ports) with probes.none: no probe of any kind, no Service, and a NetworkPolicy that
// lets nothing in; a worker that gives its probes gets exactly those.
TEST(Workloads, AWorkerWithProbesNoneRendersNoProbeNoServiceNoIngress) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - {name: api, image: x/api:1, ports: [{port: 80}]}
  - name: worker
    image: x/worker:1
    dependsOn: [api]
    probes: {none: true}
  - name: checked
    image: x/checked:1
    probes:
      liveness: {exec: [/bin/alive]}
      readiness: {exec: [/bin/ready]}
)");
  const Json& c = get(objs, "Deployment", "worker")["spec"]["template"]["spec"]["containers"][0];
  for (const char* p : {"livenessProbe", "readinessProbe", "startupProbe"}) EXPECT_FALSE(c.contains(p)) << p << ": " << c.dump();
  EXPECT_FALSE(c.contains("ports"));
  EXPECT_EQ(find(objs, "Service", "worker"), nullptr);
  const Json& np = get(objs, "NetworkPolicy", "worker");
  EXPECT_EQ(np["spec"]["ingress"], Json::array()) << np.dump();  // an empty list: nothing comes in
  EXPECT_EQ(egressTargets(np), std::set<std::string>{"api"});
  const Json& checked = get(objs, "Deployment", "checked")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(checked["livenessProbe"]["exec"]["command"], Json::array({"/bin/alive"}));
  EXPECT_EQ(checked["readinessProbe"]["exec"]["command"], Json::array({"/bin/ready"}));
}

// The one generator of credential values, shared by shop-operator and `render --generate-secrets`.
TEST(SecretValue, ShapePerKindAndFreshEachCall) {
  auto all = [](const std::string& s, std::string_view alphabet) {
    return s.find_first_not_of(alphabet) == std::string::npos;
  };
  std::string pw = secretValue({"password", SecretKeySpec::Password});
  EXPECT_EQ(pw.size(), 32u);
  EXPECT_TRUE(all(pw, kAlphanumeric)) << pw;
  std::string key = secretValue({"keyfile", SecretKeySpec::Keyfile});
  EXPECT_EQ(key.size(), 64u);
  EXPECT_TRUE(all(key, kAlphanumeric)) << key;
  std::string user = secretValue({"username", SecretKeySpec::Token});
  ASSERT_EQ(user.size(), 12u);
  EXPECT_EQ(user[0], 'u');
  EXPECT_TRUE(all(user, "abcdefghijklmnopqrstuvwxyz0123456789")) << user;
  EXPECT_NE(secretValue({"password", SecretKeySpec::Password}), pw);
}

// A service's egress outside the app becomes egress rules of its NetworkPolicy: addresses as
// ipBlocks, another namespace's pods as a namespaceSelector with the podSelector beside it.
TEST(RenderNetwork, EgressOutsideTheAppIsRenderedAsWritten) {
  auto objs = renderYaml(R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: shop, namespace: shop}
spec:
  services:
  - name: pay
    image: example.com/pay:1.0.0
    ports: [{port: 8080}]
    egress:
    - cidrs: [0.0.0.0/0, "::/0"]
      ports: [{port: 443}]
    - namespace: observability
      podLabels: {app: otel-collector}
      ports: [{port: 4317}, {port: 8125, protocol: UDP}]
  - name: web
    image: example.com/web:1.0.0
    ports: [{port: 8080}]
    dependsOn: [pay]
)");
  const Json* pay = nullptr;
  const Json* web = nullptr;
  for (const auto& o : objs)
    if (o["kind"] == "NetworkPolicy") {
      if (o["metadata"]["name"] == "pay") pay = &o;
      if (o["metadata"]["name"] == "web") web = &o;
    }
  ASSERT_NE(pay, nullptr);
  ASSERT_NE(web, nullptr);
  const Json& egress = (*pay)["spec"]["egress"];
  EXPECT_NE(std::find(egress.begin(), egress.end(),
                      Json::parse(R"({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                                      "ports": [{"protocol": "TCP", "port": 443}]})")),
            egress.end())
      << egress.dump(1);
  EXPECT_NE(std::find(egress.begin(), egress.end(),
                      Json::parse(R"({"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}},
                                              "podSelector": {"matchLabels": {"app": "otel-collector"}}}],
                                      "ports": [{"protocol": "TCP", "port": 4317}, {"protocol": "UDP", "port": 8125}]})")),
            egress.end())
      << egress.dump(1);
  // It is pay's alone: web's policy allows no address.
  EXPECT_EQ((*web)["spec"]["egress"].dump().find("ipBlock"), std::string::npos) << (*web)["spec"]["egress"].dump(1);
}

// A service's ingress from outside the app becomes ingress rules of its NetworkPolicy (on the
// ports given, or on all of the service's container ports) and, with the mesh, rules of its
// AuthorizationPolicy: by namespace (the mesh identity has no pod labels) or by address.
TEST(RenderNetwork, IngressFromOutsideTheAppIsRenderedAsWritten) {
  const std::string spec = R"(apiVersion: shopctl.io/v1alpha1
kind: ShopApp
metadata: {name: shop, namespace: backend}
spec:
  services:
  - name: catalog
    image: example.com/catalog:1.0.0
    ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9090}]
    ingress:
    - namespace: web
      podLabels: {app: storefront}
    - cidrs: [10.20.0.0/16]
      ports: [{port: 9090}]
  - name: stock
    image: example.com/stock:1.0.0
    ports: [{port: 8080}]
    dependsOn: [catalog]
)";
  auto policyOf = [](const std::vector<Json>& objs, const std::string& kind, const std::string& name) {
    for (const auto& o : objs)
      if (o["kind"] == kind && o["metadata"]["name"] == name) return o;
    return Json();
  };
  auto objs = renderYaml(spec);
  const Json np = policyOf(objs, "NetworkPolicy", "catalog");
  ASSERT_FALSE(np.is_null());
  const Json& ingress = np["spec"]["ingress"];
  const Json fromWeb = Json::parse(R"({"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}},
                                                 "podSelector": {"matchLabels": {"app": "storefront"}}}],
                                       "ports": [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 9090}]})");
  const Json fromBatch = Json::parse(R"({"from": [{"ipBlock": {"cidr": "10.20.0.0/16"}}],
                                         "ports": [{"protocol": "TCP", "port": 9090}]})");
  EXPECT_NE(std::find(ingress.begin(), ingress.end(), fromWeb), ingress.end()) << ingress.dump(1);
  EXPECT_NE(std::find(ingress.begin(), ingress.end(), fromBatch), ingress.end()) << ingress.dump(1);
  // It is catalog's alone, and the app's own caller stays admitted beside it.
  EXPECT_EQ(policyOf(objs, "NetworkPolicy", "stock")["spec"]["ingress"].dump().find("10.20.0.0"), std::string::npos);
  EXPECT_NE(ingress.dump().find("\"stock\""), std::string::npos) << ingress.dump(1);
  // Nothing of it without the mesh.
  EXPECT_TRUE(policyOf(objs, "AuthorizationPolicy", "catalog").is_null());

  auto meshed = renderYaml(spec + "  mesh: {enabled: true}\n");
  const Json ap = policyOf(meshed, "AuthorizationPolicy", "catalog");
  ASSERT_FALSE(ap.is_null());
  EXPECT_EQ(ap["spec"]["rules"], Json::parse(R"([
    {"from": [{"source": {"principals": ["cluster.local/ns/backend/sa/stock"]}}]},
    {"from": [{"source": {"namespaces": ["web"]}}]},
    {"from": [{"source": {"ipBlocks": ["10.20.0.0/16"]}}], "to": [{"operation": {"ports": ["9090"]}}]}
  ])")) << ap["spec"].dump(1);
  // A service nobody calls from outside stays closed to other namespaces.
  EXPECT_EQ(policyOf(meshed, "AuthorizationPolicy", "stock")["spec"].dump().find("namespaces"), std::string::npos);
}

// readService: a second client Service over every member (the client Service selects member 0
// alone), on the same ports, with the database's labels; absent without the field.
TEST(DataStores, ReadServiceSelectsEveryMemberOnTheClientPorts) {
  auto objs = renderYaml(std::string(kBase) + R"(  services:
  - {name: web, image: "x/web:1", ports: [{name: http, port: 80, targetPort: 8080}], dependsOn: [cache, orders]}
  databases:
  - {name: cache, engine: redis, clientAuth: false, readService: cache-replicas}
  - {name: orders, engine: postgresql}
)");
  const Json& client = get(objs, "Service", "cache");
  const Json& reads = get(objs, "Service", "cache-replicas");
  EXPECT_EQ(client["spec"]["selector"]["statefulset.kubernetes.io/pod-name"], "cache-0");
  Json everyMember = client["spec"]["selector"];
  everyMember.erase("statefulset.kubernetes.io/pod-name");
  EXPECT_EQ(reads["spec"]["selector"], everyMember);
  EXPECT_EQ(reads["spec"]["selector"], get(objs, "StatefulSet", "cache")["spec"]["selector"]["matchLabels"]);
  EXPECT_EQ(reads["spec"]["ports"], client["spec"]["ports"]);
  EXPECT_EQ(reads["spec"]["type"], "ClusterIP");
  EXPECT_EQ(reads["metadata"]["labels"], client["metadata"]["labels"]);
  EXPECT_FALSE(reads["metadata"].contains("annotations"));
  // Its pods are the database's: the one NetworkPolicy of the database admits web on every member.
  const Json& np = get(objs, "NetworkPolicy", "cache");
  EXPECT_EQ(np["spec"]["podSelector"]["matchLabels"], everyMember);
  size_t services = 0;
  for (const auto& o : objs)
    if (o["kind"] == "Service" && o["metadata"]["labels"]["app.kubernetes.io/name"] == "orders") ++services;
  EXPECT_EQ(services, 2u) << "orders has no readService: its headless and client Services only";
}
