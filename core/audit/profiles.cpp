#include "core/audit/profiles.hpp"

#include <algorithm>

namespace shop::audit {

const char* roleName(Role r) {
  switch (r) {
    case Role::Stateless: return "stateless service";
    case Role::Database: return "database";
    case Role::Broker: return "message broker";
    case Role::Batch: return "batch job";
    case Role::NodeAgent: return "node agent";
  }
  return "workload";
}

namespace {

ProbeSpec http(std::string path, int port = 0) { return {ProbeSpec::Kind::Http, std::move(path), port, {}}; }
ProbeSpec tcp(int port = 0) { return {ProbeSpec::Kind::Tcp, "", port, {}}; }
ProbeSpec exec(std::vector<std::string> cmd) { return {ProbeSpec::Kind::Exec, "", 0, std::move(cmd)}; }

// A Sock Shop service written in Java or Go with a /health endpoint. Readiness asks /health;
// liveness only asks whether the port answers, so a database outage (which /health reports)
// takes pods out of rotation instead of restarting all of them.
ImageProfile sockShopService(const std::string& name, std::vector<std::string> calls) {
  ImageProfile p;
  p.repository = "weaveworksdemos/" + name;
  p.role = Role::Stateless;
  p.readiness = http("/health");
  p.liveness = tcp();
  p.calls = std::move(calls);
  p.callsSource = "the " + name + " source (hard-coded Service names; see research/sockshop.md section 3)";
  return p;
}

// A database or broker image: where its data lives, what else it writes, how to ask it if it is up.
ImageProfile dataStore(const char* repository, Role role, std::vector<std::string> dataPaths,
                       std::vector<std::string> writablePaths, ProbeSpec readiness, ProbeSpec liveness) {
  ImageProfile p;
  p.repository = repository;
  p.role = role;
  p.dataPaths = std::move(dataPaths);
  p.writablePaths = std::move(writablePaths);
  p.readiness = std::move(readiness);
  p.liveness = std::move(liveness);
  return p;
}

// Databases and brokers: where their data lives, how to ask them if they are up, what to pin.
void addDataStores(std::vector<ImageProfile>& t) {
  const auto mongoPing = exec({"mongo", "--quiet", "--eval", "db.adminCommand('ping').ok"});
  const auto mysqlPing = exec({"mysqladmin", "ping", "-h", "127.0.0.1"});

  auto mongo = dataStore("mongo", Role::Database, {"/data/db"}, {"/tmp", "/data/configdb"}, mongoPing, tcp(27017));
  mongo.pinTag = "4.4.29";
  mongo.pinReason =
      "the Sock Shop carts and orders services use mongodb-driver 3.2, which fails on MongoDB 6 and "
      "later (OP_QUERY removed); 4.4.29 is the last 4.4 release and still ships the `mongo` shell the "
      "readiness probe runs";
  t.push_back(mongo);

  auto userDb = dataStore("weaveworksdemos/user-db", Role::Database, {"/data/db-users"}, {"/tmp", "/data/configdb"},
                          mongoPing, tcp(27017));
  userDb.note =
      "the image (FROM mongo:3) bakes its seed users into /data/db-users; a new, empty volume "
      "mounted there starts without them, so seed it once (or keep the demo data ephemeral with "
      "shopctl.io/ignore: data-no-persistent-volume,data-database-deployment)";
  t.push_back(userDb);

  auto catalogueDb = dataStore("weaveworksdemos/catalogue-db", Role::Database, {"/var/lib/mysql"},
                               {"/tmp", "/var/run/mysqld"}, mysqlPing, tcp(3306));
  catalogueDb.note = "MySQL 5.7 with a dump in /docker-entrypoint-initdb.d: it seeds an empty volume on first start";
  t.push_back(catalogueDb);

  for (const char* repo : {"mysql", "mariadb"})
    t.push_back(dataStore(repo, Role::Database, {"/var/lib/mysql"}, {"/tmp", "/var/run/mysqld"}, mysqlPing, tcp(3306)));

  t.push_back(dataStore("postgres", Role::Database, {"/var/lib/postgresql/data"}, {"/tmp", "/var/run/postgresql"},
                        exec({"pg_isready", "-h", "127.0.0.1"}), tcp(5432)));

  auto redis = dataStore("redis", Role::Database, {"/data"}, {"/tmp"}, exec({"redis-cli", "ping"}), tcp(6379));
  redis.pinTag = "7.2.4-alpine";
  redis.pinReason = "`alpine` follows the newest Redis major; 7.2.4-alpine keeps the same Alpine flavour at a fixed version";
  t.push_back(redis);

  auto rabbit = dataStore("rabbitmq", Role::Broker, {"/var/lib/rabbitmq"}, {"/tmp"}, exec({"rabbitmqctl", "status"}),
                          tcp(5672));
  rabbit.note = "/etc/rabbitmq stays on the image (it holds enabled_plugins); only data and /tmp are writable";
  t.push_back(rabbit);
}

// Stateless images of the Sock Shop (and its exporter): health checks and the Services they call.
void addServices(std::vector<ImageProfile>& t) {
  ImageProfile exporter;
  exporter.repository = "kbudde/rabbitmq-exporter";
  exporter.role = Role::Stateless;
  exporter.readiness = http("/metrics");
  exporter.liveness = tcp();
  exporter.pinTag = "v0.29.0";
  exporter.pinReason =
      "the manifests expect the exporter on port 9090, the default before 1.0 (1.0 moved it to 9419); "
      "v0.29.0 is a pre-1.0 release";
  t.push_back(exporter);

  ImageProfile frontEnd;
  frontEnd.repository = "weaveworksdemos/front-end";
  frontEnd.role = Role::Stateless;
  frontEnd.readiness = http("/");
  frontEnd.liveness = tcp();
  frontEnd.calls = {"catalogue", "carts", "orders", "user", "session-db"};
  frontEnd.callsSource = "front-end api/endpoints.js and config.js (research/sockshop.md section 3)";
  t.push_back(frontEnd);

  t.push_back(sockShopService("catalogue", {"catalogue-db"}));
  t.push_back(sockShopService("carts", {"carts-db"}));
  t.push_back(sockShopService("orders", {"orders-db", "carts", "user", "payment", "shipping"}));
  t.push_back(sockShopService("payment", {}));
  t.push_back(sockShopService("shipping", {"rabbitmq"}));
  t.push_back(sockShopService("queue-master", {"rabbitmq"}));
  t.push_back(sockShopService("user", {"user-db"}));
}

std::vector<ImageProfile> build() {
  std::vector<ImageProfile> t;
  addDataStores(t);
  addServices(t);
  return t;
}

}  // namespace

const std::vector<ImageProfile>& imageProfiles() {
  static const std::vector<ImageProfile> table = build();
  return table;
}

const ImageProfile* findProfile(const ImageRef& image) {
  for (const auto& p : imageProfiles()) {
    if (p.repository == image.repository) return &p;
  }
  return nullptr;
}

Role guessRole(const ImageRef& image, const std::vector<int>& ports, const std::string& workloadName) {
  if (const auto* p = findProfile(image)) return p->role;
  std::string repo = image.repository;
  auto base = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
  static const char* dbs[] = {"mongo", "mysql", "mariadb", "postgres", "redis", "valkey", "cassandra",
                              "elasticsearch", "opensearch", "couchdb", "influxdb", "cockroach", "neo4j"};
  static const char* brokers[] = {"rabbitmq", "kafka", "nats", "zookeeper", "activemq", "pulsar"};
  for (const char* b : brokers)
    if (base.find(b) != std::string::npos && base.find("exporter") == std::string::npos) return Role::Broker;
  for (const char* d : dbs)
    if (base.find(d) != std::string::npos && base.find("exporter") == std::string::npos) return Role::Database;
  bool dbName = workloadName.size() > 3 && (workloadName.ends_with("-db") || workloadName.ends_with("-database"));
  for (int p : ports) {
    if (p == 5672 || p == 9092 || p == 2181 || p == 4222) return Role::Broker;
    if (!dataPathForPort(p).empty() && dbName) return Role::Database;
  }
  return Role::Stateless;
}

std::string dataPathForPort(int port) {
  switch (port) {
    case 27017: return "/data/db";
    case 3306: return "/var/lib/mysql";
    case 5432: return "/var/lib/postgresql/data";
    case 6379: return "/data";
    case 5672: return "/var/lib/rabbitmq";
    default: return "";
  }
}

}  // namespace shop::audit
