#pragma once
// A database container's command line -> spec.databases[].args. The operator starts each engine
// itself (its start script owns replication, the port, the data path and authentication) and
// appends the ShopApp's args to the server's own command line, so what carries over from an
// imported container is the server flags that tune the engine (`--maxmemory 256mb`,
// `-c max_connections=200`, `--character-set-server=utf8mb4`), and nothing the script owns.
#include <string>
#include <vector>

namespace shop::importer {

struct EngineArgs {
  std::vector<std::string> args;     // server flags to carry into spec.databases[].args, in order
  std::vector<std::string> leftOut;  // why each part of the command line was left out, a sentence each
  std::string replicaOf;             // redis --replicaof/--slaveof HOST: the server this one copied
  bool otherProgram = false;         // the container ran something other than the server: nothing carries
};

// `engine` is a ShopApp database engine (mongodb, mysql, mariadb, redis, postgresql); `version`
// the engine version the ShopApp will run ("": not known); `argv` the container's command
// followed by its args, as written. A flag the server removed before `version` is left out, as
// the server would refuse to start with it.
EngineArgs engineArgs(const std::string& engine, const std::string& version, const std::vector<std::string>& argv);

}  // namespace shop::importer
