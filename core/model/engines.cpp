#include "core/model/engines.hpp"

#include <iterator>

namespace shop {

namespace {

const EngineInfo kEngines[] = {
    {"mongodb", "7.0.14", "mongo", 27017, "/data/db"},
    {"mysql", "8.0.39", "mysql", 3306, "/var/lib/mysql"},
    {"redis", "7.2.5", "redis", 6379, "/data"},
    {"postgresql", "16.4", "postgres", 5432, "/var/lib/postgresql/data"},
    {"mariadb", "11.4.4", "mariadb", 3306, "/var/lib/mysql"},
    {"rabbitmq", "3.13.7-management", "rabbitmq", 5672, "/var/lib/rabbitmq"},
    {"kafka", "3.9.0", "apache/kafka", 9092, "/var/lib/kafka/data"},
};

}  // namespace

const EngineInfo& engineInfo(Engine e) { return kEngines[static_cast<int>(e)]; }

const char* engineName(Engine e) { return engineInfo(e).name; }

std::optional<Engine> engineFromName(const std::string& s) {
  for (int i = 0; i < static_cast<int>(std::size(kEngines)); ++i)
    if (s == kEngines[i].name) return static_cast<Engine>(i);
  return std::nullopt;
}

}  // namespace shop
