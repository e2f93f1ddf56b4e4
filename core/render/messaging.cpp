// Message brokers: a RabbitMQ cluster formed from a static member list (no API access needed
// in the broker pods) and Kafka in KRaft mode (every member a controller and a broker, node
// id from the pod ordinal, no ZooKeeper).
#include "core/render/datastore.hpp"
#include "core/render/meta.hpp"
#include "core/model/engines.hpp"

namespace shop::steps {

namespace {

Json port(const std::string& name, int p) { return {{"name", name}, {"containerPort", p}, {"protocol", "TCP"}}; }
Json servicePort(const std::string& name, int p, const char* appProtocol = "tcp") {
  return {{"name", name}, {"port", p}, {"targetPort", name}, {"protocol", "TCP"}, {"appProtocol", appProtocol}};
}

Json smallInit(const DataStore& d, const std::string& name, const std::string& script, Json mounts) {
  Json c = Json::object();
  c["name"] = name;
  c["image"] = d.image;
  c["imagePullPolicy"] = d.imagePullPolicy;
  c["command"] = {"/bin/sh", "-c", script};
  c["resources"] = {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}, {"ephemeral-storage", "1Mi"}}},
                    {"limits", {{"cpu", "100m"}, {"memory", "64Mi"}, {"ephemeral-storage", "8Mi"}}}};
  c["securityContext"] = {{"allowPrivilegeEscalation", false}, {"privileged", false}, {"readOnlyRootFilesystem", true},
                          {"runAsNonRoot", true}, {"capabilities", {{"drop", {"ALL"}}}},
                          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  c["volumeMounts"] = std::move(mounts);
  return c;
}

// A 22-character KRaft cluster id derived from the app's identity: stable across renders,
// different for every app and broker.
std::string clusterId(const ShopApp& app, const DataStore& d) {
  const std::string seed = app.namespace_ + "/" + app.name + "/" + d.name;
  std::string hex = stableHash("a:" + seed) + stableHash("b:" + seed);
  unsigned char bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  int bits = 0, acc = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
  return out;
}

}  // namespace

StorePlan planRabbit(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  const std::string& secret = d.credentials.secretName;
  p.secretKeys = {{"username", SecretKeySpec::Token}, {"password", SecretKeySpec::Password},
                  {"erlang-cookie", SecretKeySpec::Keyfile}};
  // Every member a store can have, not just today's: the config (and so the pods) must not
  // change when the ShopApp scales. A scale that rolled every member restarted the whole
  // cluster while a removed member was still in it, and the restarted nodes waited for each
  // other's Mnesia tables (found on the real node). Names of members that do not exist do not
  // resolve; peer discovery skips them.
  std::string conf =
      "# Rendered by shopctl. Members find each other from this static list.\n"
      "cluster_formation.peer_discovery_backend = classic_config\n";
  for (int i = 0; i < kMaxStoreMembers; ++i)
    conf += "cluster_formation.classic_config.nodes." + std::to_string(i + 1) + " = rabbit@" + memberHost(app, d, i) + "\n";
  conf +=
      "cluster_partition_handling = pause_minority\n"
      "listeners.tcp.default = " + std::to_string(d.port) + "\n"
      "prometheus.tcp.port = 15692\n"
      "log.console = true\n"
      "log.file = false\n";
  const bool management = d.image.find("management") != std::string::npos;
  if (management) conf += "management.tcp.port = 15672\n";
  p.files = {{"rabbitmq.conf", conf},
             {"enabled_plugins", management ? "[rabbitmq_management,rabbitmq_prometheus].\n" : "[rabbitmq_prometheus].\n"}};
  p.fileMounts = {{"/etc/rabbitmq/rabbitmq.conf", "rabbitmq.conf"}, {"/etc/rabbitmq/enabled_plugins", "enabled_plugins"}};
  p.env = Json::array({
      envValue("RABBITMQ_USE_LONGNAME", "true"),
      envValue("RABBITMQ_NODENAME", "rabbit@$(POD_NAME)." + headlessName(d) + ".$(POD_NAMESPACE).svc.cluster.local"),
      envSecret("RABBITMQ_DEFAULT_USER", secret, "username"),
      envSecret("RABBITMQ_DEFAULT_PASS", secret, "password"),
      envValue("HOME", "/var/lib/rabbitmq"),
  });
  p.writable = {"/tmp", "/var/log/rabbitmq"};
  p.ports = Json::array({port("amqp", d.port), port("epmd", 4369), port("dist", 25672), port("prometheus", 15692)});
  if (management) p.ports.push_back(port("management", 15672));
  p.servicePorts = Json::array({servicePort("amqp", d.port), servicePort("epmd", 4369), servicePort("dist", 25672),
                                servicePort("prometheus", 15692, "http")});
  // The Erlang cookie must be private to the user running the node. The copy of the previous
  // start is read-only (0400), so cp could not overwrite it: remove it first.
  p.initContainers.push_back(smallInit(
      d, "erlang-cookie",
      "rm -f /var/lib/rabbitmq/.erlang.cookie && cp /secret/erlang-cookie /var/lib/rabbitmq/.erlang.cookie && "
      "chmod 0400 /var/lib/rabbitmq/.erlang.cookie",
      Json::array({{{"name", "erlang-cookie"}, {"mountPath", "/secret"}, {"readOnly", true}},
                   {{"name", "data"}, {"mountPath", "/var/lib/rabbitmq"}}})));
  p.extraVolumes = Json::array({{{"name", "erlang-cookie"},
                                 {"secret", {{"secretName", secret}, {"defaultMode", 0400},
                                             {"items", Json::array({{{"key", "erlang-cookie"}, {"path", "erlang-cookie"}}})}}}}});
  p.readiness = execProbe("rabbitmq-diagnostics -q check_running && rabbitmq-diagnostics -q check_local_alarms", 15, 10, 3);
  p.liveness = tcpProbe(d.port, 20, 5, 6);
  p.startup = tcpProbe(d.port, 5, 3, 60);
  p.podManagementPolicy = "Parallel";
  p.clientToPrimary = false;
  p.quorum = true;
  if (app.monitoring.prometheus == "annotations")
    p.podAnnotations = {{"prometheus.io/scrape", "true"}, {"prometheus.io/port", "15692"}, {"prometheus.io/path", "/metrics"}};
  return p;
}

std::string kafkaServerProperties(const ShopApp& app, const DataStore& d) {
  std::string voters;
  for (int i = 0; i < d.replicas; ++i) {
    if (i) voters += ",";
    voters += std::to_string(i) + "@" + memberHost(app, d, i) + ":" + std::to_string(kKafkaControllerPort);
  }
  const std::string rf = std::to_string(std::min(3, d.replicas));
  const std::string minIsr = d.replicas >= 3 ? "2" : "1";
  return "# Rendered by shopctl. Every member is a KRaft controller and a broker; run.sh adds\n"
         "# node.id (the pod ordinal) and advertised.listeners (the member's stable name).\n"
         "process.roles=broker,controller\n"
         "controller.quorum.voters=" + voters + "\n"
         "listeners=PLAINTEXT://:" + std::to_string(d.port) + ",CONTROLLER://:" + std::to_string(kKafkaControllerPort) + "\n"
         "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
         "controller.listener.names=CONTROLLER\n"
         "inter.broker.listener.name=PLAINTEXT\n"
         "log.dirs=" + std::string(engineInfo(d.engine).dataPath) + "/logs\n"
         "offsets.topic.replication.factor=" + rf + "\n"
         "transaction.state.log.replication.factor=" + rf + "\n"
         "transaction.state.log.min.isr=" + minIsr + "\n"
         "default.replication.factor=" + rf + "\n"
         "min.insync.replicas=" + minIsr + "\n"
         "auto.create.topics.enable=true\n";
}

namespace {

// Owns Kafka's lifecycle with the engine's jars alone: no image launcher runs, so any image with
// `java` on PATH and Kafka's jars in /opt/kafka/libs works (the official apache/kafka image, or
// one made from Debian's JRE and the jars from Maven Central).
const char* kKafkaRun = R"SH(#!/bin/sh
# The rendered properties plus this member's identity, in a writable copy: the node id is the pod
# ordinal, the advertised address the member's stable name. The log directory is formatted for
# the rendered cluster id on the first start; later starts find it formatted and leave it alone.
set -eu
libs=/opt/kafka/libs
props=/tmp/server.properties
{
  cat /scripts/server.properties
  printf 'node.id=%s\n' "${POD_NAME##*-}"
  printf 'advertised.listeners=PLAINTEXT://%s.%s.%s.svc.cluster.local:%s\n' "$POD_NAME" "$SHOP_HEADLESS" "$POD_NAMESPACE" "$SHOP_PORT"
} > "$props"
log4j=-Dlog4j.configuration=file:/scripts/log4j.properties
java -XX:MaxRAMPercentage=25 "$log4j" -cp "$libs/*" kafka.tools.StorageTool format \
  -t "$CLUSTER_ID" -c "$props" --ignore-formatted
# Heap: half the container's memory limit (the JVM reads it from the cgroup); the other half is
# for the page cache Kafka relies on, metaspace and direct buffers. KAFKA_HEAP_OPTS replaces it,
# KAFKA_OPTS adds flags (both split into words).
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=50} -XX:+ExitOnOutOfMemoryError \
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
  -Djava.awt.headless=true "$log4j" ${KAFKA_OPTS:-} -cp "$libs/*" kafka.Kafka "$props"
)SH";

// Logs go to the container's stdout only: the root filesystem is read-only and nothing reads files.
const char* kKafkaLog4j = R"(log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.zookeeper=WARN
)";

}  // namespace

StorePlan planKafka(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  p.files = {{"run.sh", kKafkaRun}, {"server.properties", kafkaServerProperties(app, d)}, {"log4j.properties", kKafkaLog4j}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({envValue("SHOP_PORT", std::to_string(d.port)), envValue("CLUSTER_ID", clusterId(app, d))});
  p.writable = {"/tmp"};
  p.ports = Json::array({port("kafka", d.port), port("controller", kKafkaControllerPort)});
  p.servicePorts = Json::array({servicePort("kafka", d.port), servicePort("controller", kKafkaControllerPort)});
  p.readiness = tcpProbe(d.port, 10, 3, 3);
  p.liveness = tcpProbe(kKafkaControllerPort, 20, 5, 6);
  p.startup = tcpProbe(kKafkaControllerPort, 5, 3, 60);
  p.podManagementPolicy = "Parallel";  // controllers need a quorum to start
  p.clientToPrimary = false;
  p.quorum = true;
  return p;
}

}  // namespace shop::steps
