#include "core/importer/engine_args.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "core/util/text.hpp"

namespace shop::importer {

namespace {

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The programs that are the server itself, per engine (an image's entrypoint script runs the
// server when its first argument is a flag, so it is taken as the server too).
bool isServer(const std::string& engine, const std::string& program) {
  const std::string p = baseName(program);
  if (p == "docker-entrypoint.sh") return true;
  if (engine == "mongodb") return p == "mongod";
  if (engine == "mysql") return p == "mysqld";
  if (engine == "mariadb") return p == "mariadbd" || p == "mysqld";
  if (engine == "redis") return p == "redis-server";
  if (engine == "postgresql") return p == "postgres";
  return false;
}

// What the start script sets (core/render/database.cpp) under the names the server knows it by,
// normalised by optionKey: a second value would break replication, the port the Service and
// NetworkPolicy name, the data path on the volume, or authentication.
const std::set<std::string>& ownedBy(const std::string& engine) {
  static const std::set<std::string> mongo = {"replSet", "bind_ip", "bind_ip_all", "port", "dbpath", "keyFile",
                                              "auth", "noauth", "transitionToAuth", "clusterAuthMode", "config",
                                              "f", "fork"};
  static const std::set<std::string> mysql = {"server-id", "log-bin", "gtid-mode", "enforce-gtid-consistency",
                                              "relay-log", "port", "datadir", "bind-address", "socket", "read-only",
                                              "super-read-only", "networking", "user", "defaults-file",
                                              "defaults-extra-file", "defaults", "P", "h"};
  static const std::set<std::string> maria = [] {
    std::set<std::string> s = mysql;
    s.insert({"log-slave-updates", "binlog-format", "pid-file", "grant-tables", "slave-start"});
    return s;
  }();
  static const std::set<std::string> redis = {"port", "dir", "requirepass", "masterauth", "masteruser",
                                              "replicaof", "slaveof", "replica-read-only", "slave-read-only",
                                              "protected-mode", "bind", "include", "daemonize"};
  static const std::set<std::string> pg = {"port", "data_directory", "listen_addresses", "unix_socket_directories",
                                           "wal_level", "max_wal_senders", "hot_standby", "primary_conninfo",
                                           "hba_file", "ident_file", "config_file"};
  static const std::set<std::string> none;
  if (engine == "mongodb") return mongo;
  if (engine == "mysql") return mysql;
  if (engine == "mariadb") return maria;
  if (engine == "redis") return redis;
  if (engine == "postgresql") return pg;
  return none;
}

// One option of the command line: its flag and the words after it up to the next flag.
struct Option {
  std::vector<std::string> words;
};

// The name an option is known by, in the spelling ownedBy uses: MySQL and MariaDB treat - and _
// alike and take skip-/disable-/enable-/loose- prefixes; PostgreSQL's -c NAME=VALUE, --NAME=VALUE
// and one-letter flags all name a setting; Redis directives ignore case.
std::string optionKey(const std::string& engine, const Option& o) {
  const std::string& flag = o.words.front();
  const size_t dashes = flag.rfind("--", 0) == 0 ? 2 : 1;
  std::string name = flag.substr(dashes);
  const size_t eq = name.find('=');
  if (eq != std::string::npos) name = name.substr(0, eq);
  if (engine == "postgresql") {
    if (dashes == 1) {
      const char letter = name.empty() ? '\0' : name[0];
      if (letter == 'c') {
        std::string setting = name.size() > 1 ? flag.substr(2) : (o.words.size() > 1 ? o.words[1] : "");
        name = setting.substr(0, setting.find('='));
      } else if (letter == 'p') {
        name = "port";
      } else if (letter == 'D') {
        name = "data_directory";
      } else if (letter == 'h') {
        name = "listen_addresses";
      } else if (letter == 'k') {
        name = "unix_socket_directories";
      }
    }
    std::replace(name.begin(), name.end(), '-', '_');
    name = lower(name);
  } else if (engine == "mysql" || engine == "mariadb") {
    std::replace(name.begin(), name.end(), '_', '-');
    for (const char* prefix : {"loose-", "skip-", "disable-", "enable-"})
      if (name.rfind(prefix, 0) == 0) name = name.substr(std::string(prefix).size());
  } else if (engine == "redis") {
    name = lower(name);
  }
  return name;
}

// Flags a server release removed, with the release: MongoDB's MMAPv1 options went in 4.2, the
// HTTP interface in 3.6, --nojournal in 6.1.
struct Removed {
  const char* engine;
  const char* option;
  int major, minor;
};
constexpr Removed kRemoved[] = {
    {"mongodb", "smallfiles", 4, 2}, {"mongodb", "noprealloc", 4, 2}, {"mongodb", "nssize", 4, 2},
    {"mongodb", "rest", 3, 6},       {"mongodb", "httpinterface", 3, 6}, {"mongodb", "jsonp", 3, 6},
    {"mongodb", "nojournal", 6, 1},
};

// MAJOR.MINOR of a version tag ("4.4.29", "7.0-jammy", "8"), or {-1, -1}.
std::pair<int, int> majorMinor(const std::string& v) {
  int major = -1, minor = 0;
  size_t i = 0;
  auto number = [&](int& out) {
    if (i >= v.size() || !std::isdigit(static_cast<unsigned char>(v[i]))) return false;
    out = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && out < 100000) out = out * 10 + (v[i++] - '0');
    return true;
  };
  if (!number(major)) return {-1, -1};
  if (i < v.size() && v[i] == '.') {
    ++i;
    number(minor);
  }
  return {major, minor};
}

}  // namespace

EngineArgs engineArgs(const std::string& engine, const std::string& version, const std::vector<std::string>& argv) {
  EngineArgs out;
  size_t i = 0;
  while (i < argv.size() && isServer(engine, argv[i])) ++i;
  // Words before the first flag: Redis's config file, or another program altogether.
  if (i < argv.size() && (argv[i].empty() || argv[i][0] != '-')) {
    const std::string& word = argv[i];
    if (engine == "redis" && word.size() > 5 && word.compare(word.size() - 5, 5, ".conf") == 0) {
      out.leftOut.push_back("config file " + word + " is left out: the operator writes the config redis-server reads; "
                            "give its directives as args (\"--maxmemory 256mb\")");
      ++i;
    } else {
      out.otherProgram = true;
      return out;
    }
  }
  std::vector<Option> options;
  for (; i < argv.size(); ++i) {
    if (!argv[i].empty() && argv[i][0] == '-' && argv[i] != "-")
      options.push_back({{argv[i]}});
    else
      options.back().words.push_back(argv[i]);  // a flag came first (checked above)
  }
  const auto& owned = ownedBy(engine);
  const auto runs = majorMinor(version);
  for (const auto& o : options) {
    const std::string key = optionKey(engine, o);
    if (engine == "redis" && (key == "replicaof" || key == "slaveof") && o.words.size() > 1) {
      out.replicaOf = o.words[1];
      continue;
    }
    const auto removed = std::find_if(std::begin(kRemoved), std::end(kRemoved), [&](const Removed& r) {
      return engine == r.engine && key == r.option && runs.first >= 0 && runs >= std::make_pair(r.major, r.minor);
    });
    if (removed != std::end(kRemoved)) {
      out.leftOut.push_back("\"" + join(o.words) + "\" is left out: " + engine + " " +
                            std::to_string(removed->major) + "." + std::to_string(removed->minor) +
                            " removed it, and version " + version + " would refuse to start with it");
      continue;
    }
    if (owned.count(key)) {
      out.leftOut.push_back("\"" + join(o.words) + "\" is left out: the operator's start script sets " + key +
                            " itself (replication, the port, the data path and authentication are its)");
      continue;
    }
    out.args.insert(out.args.end(), o.words.begin(), o.words.end());
  }
  return out;
}

}  // namespace shop::importer
