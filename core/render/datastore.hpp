#pragma once
// Shared shape of a replicated data store (database or broker): one StatefulSet with a
// headless Service for stable member names, a client Service, a PDB that protects quorum,
// a ConfigMap of scripts, and a Secret of credentials the caller provides.
#include <map>
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"
#include "core/render/render.hpp"

namespace shop::steps {

struct StorePlan {
  std::vector<SecretKeySpec> secretKeys;
  std::map<std::string, std::string> files;  // ConfigMap <name>-scripts, mounted at /scripts
  std::map<std::string, std::string> fileMounts;  // container path -> file key (subPath mounts)
  Json command = Json::array();
  Json env = Json::array();
  std::vector<std::string> writable;  // emptyDir mounts
  Json ports = Json::array();         // container ports
  Json servicePorts = Json::array();  // client and headless Service ports
  Json readiness, liveness, startup;
  Json initContainers = Json::array();
  Json extraVolumes = Json::array();
  Json extraMounts = Json::array();
  std::string podManagementPolicy = "OrderedReady";
  bool clientToPrimary = true;  // client Service reaches member 0 only
  bool quorum = false;          // PDB keeps a majority instead of allowing one down
  std::map<std::string, std::string> podAnnotations;
};

// Engine plans (database.cpp, messaging.cpp).
StorePlan planMongo(const ShopApp& app, const DataStore& d);
StorePlan planMySQL(const ShopApp& app, const DataStore& d);
StorePlan planRedis(const ShopApp& app, const DataStore& d);
StorePlan planPostgres(const ShopApp& app, const DataStore& d);
StorePlan planMariaDB(const ShopApp& app, const DataStore& d);
StorePlan planRabbit(const ShopApp& app, const DataStore& d);
StorePlan planKafka(const ShopApp& app, const DataStore& d);

// Kafka's server.properties as rendered (KRaft, every member a controller and a broker): all but
// the member's own node.id and advertised.listeners, which its run script adds.
inline constexpr int kKafkaControllerPort = 9093;
std::string kafkaServerProperties(const ShopApp& app, const DataStore& d);

// Helpers for plans.
std::string headlessName(const DataStore& d);
// DNS name of member i: <name>-<i>.<name>-headless.<ns>.svc.cluster.local
std::string memberHost(const ShopApp& app, const DataStore& d, int i);
Json envSecret(const std::string& name, const std::string& secret, const std::string& key);
Json envValue(const std::string& name, const std::string& value);
Json envField(const std::string& name, const std::string& path);
Json execProbe(const std::string& shellCommand, int period, int timeout, int failures);
Json tcpProbe(int port, int period, int timeout, int failures);

}  // namespace shop::steps
