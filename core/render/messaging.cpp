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

StorePlan planKafka(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  std::string voters;
  for (int i = 0; i < d.replicas; ++i) {
    if (i) voters += ",";
    voters += std::to_string(i) + "@" + memberHost(app, d, i) + ":9093";
  }
  const int rf = std::min(3, d.replicas);
  const std::string minIsr = d.replicas >= 3 ? "2" : "1";
  p.files = {{"run.sh",
              "#!/bin/sh\n"
              "# The node id is the pod ordinal; the advertised address is the member's stable name.\n"
              "set -eu\n"
              "export KAFKA_NODE_ID=\"${POD_NAME##*-}\"\n"
              "export KAFKA_ADVERTISED_LISTENERS=\"PLAINTEXT://$POD_NAME.$SHOP_HEADLESS.$POD_NAMESPACE.svc.cluster.local:" +
                  std::to_string(d.port) +
                  "\"\n"
                  "exec /etc/kafka/docker/run\n"}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({
      envValue("CLUSTER_ID", clusterId(app, d)),
      envValue("KAFKA_PROCESS_ROLES", "broker,controller"),
      envValue("KAFKA_LISTENERS", "PLAINTEXT://:" + std::to_string(d.port) + ",CONTROLLER://:9093"),
      envValue("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"),
      envValue("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
      envValue("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
      envValue("KAFKA_CONTROLLER_QUORUM_VOTERS", voters),
      envValue("KAFKA_LOG_DIRS", std::string(engineInfo(d.engine).dataPath) + "/logs"),
      envValue("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", std::to_string(rf)),
      envValue("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", std::to_string(rf)),
      envValue("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", minIsr),
      envValue("KAFKA_DEFAULT_REPLICATION_FACTOR", std::to_string(rf)),
      envValue("KAFKA_MIN_INSYNC_REPLICAS", minIsr),
      envValue("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true"),
  });
  p.writable = {"/tmp", "/opt/kafka/logs"};
  // The image writes its generated server.properties next to its defaults: give it a
  // writable copy of the config directory.
  p.initContainers.push_back(smallInit(d, "config", "cp -R /opt/kafka/config/. /config/",
                                       Json::array({{{"name", "kafka-config"}, {"mountPath", "/config"}}})));
  p.extraVolumes = Json::array({{{"name", "kafka-config"}, {"emptyDir", {{"sizeLimit", "16Mi"}}}}});
  p.extraMounts = Json::array({{{"name", "kafka-config"}, {"mountPath", "/opt/kafka/config"}}});
  p.ports = Json::array({port("kafka", d.port), port("controller", 9093)});
  p.servicePorts = Json::array({servicePort("kafka", d.port), servicePort("controller", 9093)});
  p.readiness = tcpProbe(d.port, 10, 3, 3);
  p.liveness = tcpProbe(9093, 20, 5, 6);
  p.startup = tcpProbe(9093, 5, 3, 60);
  p.podManagementPolicy = "Parallel";  // controllers need a quorum to start
  p.clientToPrimary = false;
  p.quorum = true;
  return p;
}

}  // namespace shop::steps
