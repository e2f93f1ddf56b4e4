// import: a database container's command line -> spec.databases[].args (core/importer/engine_args).
#include <gtest/gtest.h>

#include "core/importer/engine_args.hpp"

namespace shop::importer {
namespace {

using Words = std::vector<std::string>;

TEST(ImportEngineArgs, TuningFlagsCarryOverAfterTheServerAndEntrypoint) {
  auto r = engineArgs("mysql", "", {"docker-entrypoint.sh", "mysqld", "--character-set-server=utf8mb4",
                                "--default-authentication-plugin=mysql_native_password"});
  EXPECT_FALSE(r.otherProgram);
  EXPECT_EQ(r.args, (Words{"--character-set-server=utf8mb4", "--default-authentication-plugin=mysql_native_password"}));
  EXPECT_TRUE(r.leftOut.empty());
}

TEST(ImportEngineArgs, FlagsTheStartScriptOwnsAreLeftOutWithAReason) {
  auto r = engineArgs("mongodb", "", {"mongod", "--replSet", "rs0", "--bind_ip_all", "--wiredTigerCacheSizeGB", "1",
                                  "--port=27018"});
  EXPECT_EQ(r.args, (Words{"--wiredTigerCacheSizeGB", "1"}));
  ASSERT_EQ(r.leftOut.size(), 3u);
  EXPECT_EQ(r.leftOut[0], "\"--replSet rs0\" is left out: the operator's start script sets replSet itself "
                          "(replication, the port, the data path and authentication are its)");
  EXPECT_NE(r.leftOut[1].find("\"--bind_ip_all\""), std::string::npos);
  EXPECT_NE(r.leftOut[2].find("\"--port=27018\""), std::string::npos);
}

TEST(ImportEngineArgs, MySqlSpellingsOfAnOwnedFlagAreAllRecognised) {
  auto r = engineArgs("mariadb", "", {"--server_id=7", "--skip-log-bin", "--loose-binlog_format=STATEMENT", "-P", "3307",
                                  "--skip-name-resolve", "--max_connections=500"});
  EXPECT_EQ(r.args, (Words{"--skip-name-resolve", "--max_connections=500"}));
  EXPECT_EQ(r.leftOut.size(), 4u);
}

TEST(ImportEngineArgs, PostgresSettingsBySettingName) {
  auto r = engineArgs("postgresql", "", {"postgres", "-c", "max_connections=200", "-c", "wal_level=logical", "-p", "5433",
                                     "-cshared_buffers=256MB", "--listen-addresses=*", "-D", "/pgdata"});
  EXPECT_EQ(r.args, (Words{"-c", "max_connections=200", "-cshared_buffers=256MB"}));
  EXPECT_EQ(r.leftOut.size(), 4u);
}

TEST(ImportEngineArgs, RedisReplicaOfIsReportedAndItsConfigFileLeftOut) {
  auto r = engineArgs("redis", "", {"redis-server", "/etc/redis/redis.conf", "--REPLICAOF", "redis-leader", "6379",
                                "--maxmemory", "256mb", "--save", "900", "1", "--requirepass", "x"});
  EXPECT_EQ(r.replicaOf, "redis-leader");
  EXPECT_EQ(r.args, (Words{"--maxmemory", "256mb", "--save", "900", "1"}));
  ASSERT_EQ(r.leftOut.size(), 2u);
  EXPECT_NE(r.leftOut[0].find("config file /etc/redis/redis.conf"), std::string::npos);
  EXPECT_NE(r.leftOut[1].find("\"--requirepass x\""), std::string::npos);
}

TEST(ImportEngineArgs, AnotherProgramCarriesNothing) {
  auto r = engineArgs("redis", "", {"sh", "-c", "redis-server --appendonly yes"});
  EXPECT_TRUE(r.otherProgram);
  EXPECT_TRUE(r.args.empty());
  EXPECT_TRUE(engineArgs("mysql", "", {"mysqld_safe", "--max_connections=9"}).otherProgram);
}

TEST(ImportEngineArgs, AFlagTheVersionRemovedIsLeftOutAndKeptForAnOlderOne) {
  const std::vector<std::string> argv = {"mongod", "--smallfiles", "--nojournal", "--wiredTigerCacheSizeGB", "1"};
  auto r = engineArgs("mongodb", "4.4.29", argv);
  EXPECT_EQ(r.args, (Words{"--nojournal", "--wiredTigerCacheSizeGB", "1"}));
  ASSERT_EQ(r.leftOut.size(), 1u);
  EXPECT_EQ(r.leftOut[0], "\"--smallfiles\" is left out: mongodb 4.2 removed it, and version 4.4.29 would refuse to "
                          "start with it");
  EXPECT_EQ(engineArgs("mongodb", "7.0.14", argv).args, (Words{"--wiredTigerCacheSizeGB", "1"}));
  EXPECT_EQ(engineArgs("mongodb", "3.4", argv).args, Words(argv.begin() + 1, argv.end()));
  // An image of its own (version unknown): nothing is taken away.
  EXPECT_EQ(engineArgs("mongodb", "", argv).args, Words(argv.begin() + 1, argv.end()));
}

TEST(ImportEngineArgs, NoCommandLineNoArgs) {
  auto r = engineArgs("postgresql", "", {});
  EXPECT_FALSE(r.otherProgram);
  EXPECT_TRUE(r.args.empty());
  EXPECT_TRUE(r.leftOut.empty());
  EXPECT_TRUE(engineArgs("mongodb", "", {"docker-entrypoint.sh", "mongod"}).args.empty());
}

}  // namespace
}  // namespace shop::importer
