// Database engines: MongoDB replica sets, MySQL GTID replication, Redis replicas and
// PostgreSQL streaming replication. Scripts are POSIX sh: they run in the official images
// (Debian- and Alpine-based), in images built on them, and (Redis, PostgreSQL, which own their
// whole lifecycle) in any image with the engine's binaries.
#include "core/render/datastore.hpp"
#include "core/model/engines.hpp"

namespace shop::steps {

namespace {

Json port(const std::string& name, int p) { return {{"name", name}, {"containerPort", p}, {"protocol", "TCP"}}; }
Json servicePort(const std::string& name, int p) {
  return {{"name", name}, {"port", p}, {"targetPort", name}, {"protocol", "TCP"}, {"appProtocol", "tcp"}};
}


const char* kMongoRun = R"SH(#!/bin/sh
# Runs mongod as a member of replica set rs0. Member 0 initiates the set once every member
# answers, then creates the users (through the localhost exception on first start).
set -eu
ordinal="${POD_NAME##*-}"
if [ "$ordinal" = "0" ]; then
  /bin/sh /scripts/init.sh &
fi
auth=""
if [ "${SHOP_CLIENT_AUTH}" = "false" ]; then
  # Members authenticate each other with the keyfile; clients may connect without credentials.
  auth="--transitionToAuth"
fi
# Extra mongod flags from the ShopApp's args come last.
exec mongod --replSet rs0 --bind_ip 0.0.0.0 --port "$SHOP_PORT" --dbpath /data/db --keyFile /keyfile/keyfile $auth "$@"
)SH";

const char* kMongoInit = R"SH(#!/bin/sh
# Initiates the replica set and creates users, once. Safe to run on every start. Passwords reach
# the shell on its standard input as JavaScript string literals (backslashes, quotes and line
# breaks escaped), never on a command line, which every process of the node can read.
set -u
shell=$(command -v mongosh || command -v mongo)
local_eval() { "$shell" --quiet --port "$SHOP_PORT" "$@"; }
# A JavaScript string literal of $1 (the x keeps trailing line breaks from $(...)).
js() {
  lit=$(printf '%sx' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')
  printf "'%s'" "${lit%x}"
}
# Runs the JavaScript of $1 on stdin, authenticated as root.
as_root() {
  printf 'db.getSiblingDB("admin").auth("root", %s);\n%s\n' "$(js "$MONGO_ROOT_PASSWORD")" "$1" | local_eval
}
until local_eval --eval 'db.adminCommand("ping").ok' >/dev/null 2>&1; do sleep 2; done
if as_root 'print("shopctl-rs-ok=" + rs.status().ok)' 2>/dev/null | grep -q 'shopctl-rs-ok=1'; then
  echo "replica set already initiated"
  exit 0
fi
members=""
i=0
while [ "$i" -lt "$SHOP_REPLICAS" ]; do
  host="${POD_NAME%-*}-$i.$SHOP_HEADLESS.$POD_NAMESPACE.svc.cluster.local:$SHOP_PORT"
  until "$shell" --quiet --host "$host" --eval 'db.adminCommand("ping").ok' >/dev/null 2>&1; do
    echo "waiting for $host"; sleep 2
  done
  priority=1; [ "$i" = "0" ] && priority=2
  members="$members{_id: $i, host: '$host', priority: $priority},"
  i=$((i + 1))
done
local_eval --eval "rs.initiate({_id: 'rs0', members: [${members%,}]})" || true
until local_eval --eval 'db.isMaster().ismaster' 2>/dev/null | grep -q true; do sleep 2; done
printf 'db.getSiblingDB("admin").createUser({user: "root", pwd: %s, roles: ["root"]});\n' "$(js "$MONGO_ROOT_PASSWORD")" |
  local_eval || true
if [ -n "${MONGO_APP_USER:-}" ]; then
  db=$(js "$MONGO_APP_DATABASE")
  as_root "db.getSiblingDB($db).createUser({user: $(js "$MONGO_APP_USER"), pwd: $(js "$MONGO_APP_PASSWORD"), roles: [{role: 'readWrite', db: $db}]})" || true
fi
echo "replica set rs0 initiated with $SHOP_REPLICAS members"
)SH";

const char* kMySqlRun = R"SH(#!/bin/sh
# Runs mysqld with GTID replication. Every member gets a distinct server id from its
# ordinal; members other than 0 become replicas of member 0 (see replica.sh).
set -eu
ordinal="${POD_NAME##*-}"
if [ "$ordinal" != "0" ]; then
  /bin/sh /scripts/replica.sh &
fi
exec docker-entrypoint.sh mysqld --server-id=$((100 + ordinal)) --log-bin=mysql-bin --gtid-mode=ON \
  --enforce-gtid-consistency=ON --relay-log=relay-bin --skip-name-resolve "$@"
)SH";

const char* kMySqlReplica = R"SH(#!/bin/sh
# Makes this member a read-only replica of member 0, once: copies the primary's data with a
# consistent dump (GTIDs included), then replicates with auto-positioning. As for MariaDB (proven
# on the real node), passwords reach the clients through MYSQL_PWD, never -p, and SQL quoted as
# literals on stdin.
set -u
mark=/var/lib/mysql/.shopctl-replica
primary="${POD_NAME%-*}-0.$SHOP_HEADLESS.$POD_NAMESPACE.svc.cluster.local"
export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"
literal() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")"; }
local_sql() { mysql --protocol=tcp -h 127.0.0.1 -P "$SHOP_PORT" -uroot "$@"; }
primary_sql() { mysql -h "$primary" -P "$SHOP_PORT" -uroot "$@"; }
until local_sql -e 'SELECT 1' >/dev/null 2>&1; do sleep 3; done
if [ -f "$mark" ]; then
  local_sql -e 'SET GLOBAL super_read_only = ON'
  exit 0
fi
until primary_sql -e 'SELECT 1' >/dev/null 2>&1; do echo "waiting for $primary"; sleep 3; done
version=$(local_sql -N -e 'SELECT VERSION()')
host=$(literal "$primary")
password=$(literal "$MYSQL_REPLICATION_PASSWORD")
case "$version" in
  5.*|8.0.[0-9]-*|8.0.1[0-9]*|8.0.2[0-2]*)
    reset="STOP SLAVE; RESET SLAVE ALL; RESET MASTER;"
    change="CHANGE MASTER TO MASTER_HOST=$host, MASTER_PORT=$SHOP_PORT, MASTER_USER='replicator', MASTER_PASSWORD=$password, MASTER_AUTO_POSITION=1; START SLAVE;" ;;
  8.0.*)
    reset="STOP REPLICA; RESET REPLICA ALL; RESET MASTER;"
    change="CHANGE REPLICATION SOURCE TO SOURCE_HOST=$host, SOURCE_PORT=$SHOP_PORT, SOURCE_USER='replicator', SOURCE_PASSWORD=$password, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1; START REPLICA;" ;;
  *)
    reset="STOP REPLICA; RESET REPLICA ALL; RESET BINARY LOGS AND GTIDS;"
    change="CHANGE REPLICATION SOURCE TO SOURCE_HOST=$host, SOURCE_PORT=$SHOP_PORT, SOURCE_USER='replicator', SOURCE_PASSWORD=$password, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1; START REPLICA;" ;;
esac
local_sql -e "$reset" || exit 1
mysqldump -h "$primary" -P "$SHOP_PORT" -uroot --all-databases --single-transaction \
  --triggers --routines --events --set-gtid-purged=ON | local_sql || exit 1
printf '%s\n' "$change SET GLOBAL super_read_only = ON;" | local_sql || exit 1
touch "$mark"
echo "replicating from $primary"
)SH";

const char* kMySqlInit = R"SH(#!/bin/sh
# Sourced by the image's entrypoint on first start: the replication user, on member 0. The
# password is quoted as an SQL literal and the statement goes on stdin (as for MariaDB).
if [ "${POD_NAME##*-}" = "0" ]; then
  printf "CREATE USER IF NOT EXISTS 'replicator'@'%%' IDENTIFIED BY '%s'; GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%%';\n" \
    "$(printf '%s' "$MYSQL_REPLICATION_PASSWORD" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")" |
    MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot
fi
)SH";

const char* kRedisRun = R"SH(#!/bin/sh
# Member 0 is the primary; the others replicate it. The password goes into a private config
# file, not onto the command line, as one double-quoted argument (Redis unescapes \\ and \"),
# so spaces, quotes and $ in it are taken literally.
set -eu
ordinal="${POD_NAME##*-}"
conf=/tmp/redis.conf
umask 077
quoted() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }
{
  echo "port $SHOP_PORT"
  echo "dir /data"
  echo "appendonly yes"
  echo "protected-mode no"
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    # printf, not echo: dash's echo would turn \\ back into \ and act on \c
    printf 'requirepass %s\nmasterauth %s\n' "$(quoted "$REDIS_PASSWORD")" "$(quoted "$REDIS_PASSWORD")"
  fi
  if [ "$ordinal" != "0" ]; then
    echo "replicaof ${POD_NAME%-*}-0.$SHOP_HEADLESS.$POD_NAMESPACE.svc.cluster.local $SHOP_PORT"
    echo "replica-read-only yes"
  fi
} > "$conf"
exec redis-server "$conf" "$@"
)SH";

const char* kPgRun = R"SH(#!/bin/sh
# Owns PostgreSQL's lifecycle with the engine's binaries alone (initdb, pg_ctl, postgres, psql,
# pg_basebackup, pg_isready): no image entrypoint runs, so any image that has them works.
# Member 0 is the primary; the others start from a base backup of it and stream its WAL.
# A new data directory is made beside PGDATA and renamed into place only when complete, so a
# member killed half-way starts over instead of serving a half-made cluster.
set -eu
ordinal="${POD_NAME##*-}"
primary="${POD_NAME%-*}-0.$SHOP_HEADLESS.$POD_NAMESPACE.svc.cluster.local"
sock=/var/run/postgresql
new="$PGDATA.shopctl-new"
umask 077
# The replication password reaches libpq through a password file, never an argument. Its
# fields escape backslash and colon.
pgpass_field() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/:/\\:/g'; }
printf '*:*:*:replicator:%s\n' "$(pgpass_field "$POSTGRES_REPLICATION_PASSWORD")" > /tmp/.pgpass
export PGPASSFILE=/tmp/.pgpass
# initdb needs a user name for its uid. With a uid the image does not know (runAsUser, or
# OpenShift's random uid) nss_wrapper provides one, where the image has it.
named() {
  if id -un >/dev/null 2>&1; then "$@"; return; fi
  for lib in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so /usr/lib64/libnss_wrapper.so; do
    [ -e "$lib" ] || continue
    { grep -v '^postgres:' /etc/passwd || true; echo "postgres:x:$(id -u):$(id -g):PostgreSQL:$PGDATA:/bin/false"; } > /tmp/passwd
    { grep -v '^postgres:' /etc/group || true; echo "postgres:x:$(id -g):"; } > /tmp/group
    LD_PRELOAD="$lib" NSS_WRAPPER_PASSWD=/tmp/passwd NSS_WRAPPER_GROUP=/tmp/group "$@"
    return
  done
  echo "uid $(id -u) has no user name, which initdb needs: run as a uid the image's /etc/passwd lists, or use an image with libnss_wrapper" >&2
  exit 1
}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  rm -rf "$new"
  if [ "$ordinal" = "0" ]; then
    named initdb -D "$new" -U postgres -E UTF8 --auth-local=trust --auth-host=scram-sha-256
    # Only the pod's own socket is trusted; every TCP connection needs a password.
    printf '%s\n' '# written by shopctl' 'local all all trust' \
      'host replication replicator all scram-sha-256' 'host all all all scram-sha-256' > "$new/pg_hba.conf"
  else
    until pg_isready -q -h "$primary" -p "$SHOP_PORT" -U replicator -d postgres; do echo "waiting for $primary"; sleep 3; done
    until pg_basebackup -h "$primary" -p "$SHOP_PORT" -U replicator -D "$new" -X stream -c fast; do
      echo "base backup of $primary failed; retrying"; rm -rf "$new"; sleep 3
    done
    touch "$new/standby.signal"
  fi
  mv "$new" "$PGDATA"
fi
set -- -D "$PGDATA" -c listen_addresses='*' -c port="$SHOP_PORT" -c unix_socket_directories="$sock" \
  -c wal_level=replica -c max_wal_senders=10 -c wal_keep_size=128MB -c hot_standby=on "$@"
if [ "$ordinal" = "0" ]; then
  # The roles, the database and every password from the Secret, on each start (so a changed
  # Secret takes effect at the next restart), through the socket before any TCP client can come.
  sql=$(/bin/sh /scripts/roles.sh)
  pg_ctl -D "$PGDATA" -w -t 300 -o "-c listen_addresses='' -c unix_socket_directories=$sock -p $SHOP_PORT -c log_min_error_statement=panic" start
  printf '%s\n' "$sql" | psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$SHOP_PORT" -U postgres -d postgres
  pg_ctl -D "$PGDATA" -w -t 300 -m fast stop
  exec postgres "$@"
fi
exec postgres "$@" -c primary_conninfo="host=$primary port=$SHOP_PORT user=replicator passfile=$PGPASSFILE application_name=$POD_NAME"
)SH";

const char* kPgRoles = R"SH(#!/bin/sh
# Prints the SQL that makes the roles and the database match the Secret: values are quoted as
# SQL literals and identifiers here, so quotes, $, backslashes and spaces in them are data.
set -eu
say() { printf '%s\n' "$*"; }  # not echo: dash's echo acts on backslashes
literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
say "ALTER ROLE postgres PASSWORD $(literal "$POSTGRES_PASSWORD");"
say "SELECT 'CREATE ROLE replicator' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \\gexec"
say "ALTER ROLE replicator WITH REPLICATION LOGIN PASSWORD $(literal "$POSTGRES_REPLICATION_PASSWORD");"
if [ -n "${SHOP_APP_USER:-}" ]; then
  say "SELECT format('CREATE ROLE %I', $(literal "$SHOP_APP_USER")) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = $(literal "$SHOP_APP_USER")) \\gexec"
  say "ALTER ROLE $(ident "$SHOP_APP_USER") WITH LOGIN PASSWORD $(literal "$SHOP_APP_PASSWORD");"
fi
if [ -n "${POSTGRES_DB:-}" ]; then
  owner=postgres
  [ -z "${SHOP_APP_USER:-}" ] || owner=$SHOP_APP_USER
  say "SELECT format('CREATE DATABASE %I OWNER %I', $(literal "$POSTGRES_DB"), $(literal "$owner")) WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = $(literal "$POSTGRES_DB")) \\gexec"
fi
)SH";

const char* kMariaRun = R"SH(#!/bin/sh
# Owns MariaDB's lifecycle with the engine's binaries alone (mariadb-install-db, mariadbd,
# mariadb, mariadb-dump, mariadb-admin) and no option files (--no-defaults: an image's my.cnf
# is not ours): any image that has them works. GTID replication the MariaDB way: member 0 is
# the primary; a new member loads a consistent dump of it (its GTID position included) and
# replicates with MASTER_USE_GTID=slave_pos. Every member keeps a binary log.
# A new data directory is made beside the real one and renamed into place only when complete.
set -eu
ordinal="${POD_NAME##*-}"
primary="${POD_NAME%-*}-0.$SHOP_HEADLESS.$POD_NAMESPACE.svc.cluster.local"
new="$SHOP_DATADIR.shopctl-new"
sock=/var/run/mysqld/mysqld.sock
umask 077
# Passwords reach the clients through MYSQL_PWD, never an argument.
literal() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")"; }
set -- --server-id=$((100 + ordinal)) --log-bin=mariadb-bin --log-slave-updates --binlog-format=ROW \
  --socket="$sock" --pid-file=/var/run/mysqld/mariadbd.pid --skip-name-resolve "$@"
# A server on the socket alone with grant checks off, for this script's own statements.
pid=""
start_local() {  # DATADIR [mariadbd options]
  dir=$1; shift
  mariadbd --no-defaults --datadir="$dir" --skip-networking --skip-grant-tables --skip-slave-start "$@" &
  pid=$!
  until mariadb-admin --no-defaults --socket="$sock" ping >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "mariadbd stopped during start-up" >&2; exit 1; }
    sleep 1
  done
}
stop_local() { kill "$pid"; wait "$pid" || true; }
local_sql() { mariadb --no-defaults --socket="$sock" --batch; }
# What a killed server of an earlier container of this pod left (the run directory outlives a
# container restart): nothing else runs in this container yet.
rm -f "$sock" "$sock.lock" /var/run/mysqld/mariadbd.pid
if [ ! -d "$SHOP_DATADIR" ]; then
  rm -rf "$new"
  mariadb-install-db --no-defaults --datadir="$new" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  if [ "$ordinal" != "0" ]; then
    export MYSQL_PWD="$MARIADB_ROOT_PASSWORD"
    until mariadb --no-defaults -h "$primary" -P "$SHOP_PORT" -u root -e 'SELECT 1' >/dev/null 2>&1; do
      echo "waiting for $primary"; sleep 3
    done
    dump="$SHOP_DATADIR.shopctl-dump.sql"
    until mariadb-dump --no-defaults -h "$primary" -P "$SHOP_PORT" -u root --all-databases --single-transaction \
        --gtid --master-data=1 --routines --events --triggers > "$dump"; do
      echo "dump of $primary failed; retrying"; sleep 3
    done
    unset MYSQL_PWD
    start_local "$new" "$@"
    # The copy is not this member's own history: keep it out of its binary log.
    { echo 'SET sql_log_bin = 0;'; cat "$dump"; } | local_sql
    stop_local
    rm -f "$dump"
  fi
  mv "$new" "$SHOP_DATADIR"
fi
start_local "$SHOP_DATADIR" "$@"
if [ "$ordinal" = "0" ]; then
  # The users, the database and every password from the Secret, on each start (so a changed
  # Secret takes effect at the next restart), in the binary log so the replicas follow.
  sql=$(/bin/sh /scripts/users.sh)
  printf '%s\n' "$sql" | local_sql
else
  printf '%s\n' "STOP SLAVE; CHANGE MASTER TO MASTER_HOST=$(literal "$primary"), MASTER_PORT=$SHOP_PORT, MASTER_USER='replicator', MASTER_PASSWORD=$(literal "$MARIADB_REPLICATION_PASSWORD"), MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5;" | local_sql
  set -- "$@" --read-only
fi
stop_local
exec mariadbd --no-defaults --datadir="$SHOP_DATADIR" --bind-address=0.0.0.0 --port="$SHOP_PORT" "$@"
)SH";

const char* kMariaUsers = R"SH(#!/bin/sh
# Prints the SQL that makes the users and the database match the Secret: values are quoted as
# SQL literals and identifiers here, so quotes, $, backslashes and spaces in them are data.
set -eu
say() { printf '%s\n' "$*"; }  # not echo: dash's echo acts on backslashes
literal() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")"; }
ident() { printf '`%s`' "$(printf '%s' "$1" | sed 's/`/``/g')"; }
say "FLUSH PRIVILEGES;"
# mariadb-install-db also makes root@127.0.0.1, root@::1 and root@<host> without a password.
say "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '%'));"
say "FLUSH PRIVILEGES;"
say "CREATE USER IF NOT EXISTS 'root'@'%';"
say "ALTER USER 'root'@'localhost' IDENTIFIED BY $(literal "$MARIADB_ROOT_PASSWORD");"
say "ALTER USER 'root'@'%' IDENTIFIED BY $(literal "$MARIADB_ROOT_PASSWORD");"
say "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
say "CREATE USER IF NOT EXISTS 'replicator'@'%';"
say "ALTER USER 'replicator'@'%' IDENTIFIED BY $(literal "$MARIADB_REPLICATION_PASSWORD");"
say "GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%';"
if [ -n "${MARIADB_DATABASE:-}" ]; then
  say "CREATE DATABASE IF NOT EXISTS $(ident "$MARIADB_DATABASE");"
fi
if [ -n "${MARIADB_USER:-}" ]; then
  say "CREATE USER IF NOT EXISTS $(literal "$MARIADB_USER")@'%';"
  say "ALTER USER $(literal "$MARIADB_USER")@'%' IDENTIFIED BY $(literal "$MARIADB_PASSWORD");"
  say "GRANT ALL PRIVILEGES ON $(ident "$MARIADB_DATABASE").* TO $(literal "$MARIADB_USER")@'%';"
fi
)SH";

}  // namespace

StorePlan planMongo(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  const std::string& secret = d.credentials.secretName;
  p.secretKeys = {{"root-password", SecretKeySpec::Password}, {"replica-set-key", SecretKeySpec::Keyfile}};
  if (d.user) p.secretKeys.push_back({"password", SecretKeySpec::Password});
  p.files = {{"run.sh", kMongoRun}, {"init.sh", kMongoInit}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({envValue("SHOP_PORT", std::to_string(d.port)),
                       envValue("SHOP_CLIENT_AUTH", d.clientAuth ? "true" : "false"),
                       envSecret("MONGO_ROOT_PASSWORD", secret, "root-password")});
  if (d.user) {
    p.env.push_back(envValue("MONGO_APP_USER", *d.user));
    p.env.push_back(envValue("MONGO_APP_DATABASE", d.database.value_or(*d.user)));
    p.env.push_back(envSecret("MONGO_APP_PASSWORD", secret, "password"));
  }
  p.writable = {"/tmp"};
  p.ports = Json::array({port("mongodb", d.port)});
  p.servicePorts = Json::array({servicePort("mongodb", d.port)});
  const std::string ping = "\"$(command -v mongosh || command -v mongo)\" --quiet --port " + std::to_string(d.port) +
                           " --eval 'db.adminCommand(\"ping\").ok' | grep -q 1";
  p.readiness = execProbe(ping, 10, 10, 3);
  p.liveness = tcpProbe(d.port, 20, 5, 6);
  p.startup = tcpProbe(d.port, 5, 3, 60);
  // mongod refuses a keyfile others can read; Secret volumes get group bits from fsGroup.
  Json keyfile = Json::object();
  keyfile["name"] = "keyfile";
  keyfile["image"] = d.image;
  keyfile["imagePullPolicy"] = d.imagePullPolicy;
  keyfile["command"] = {"/bin/sh", "-c", "cp /secret/replica-set-key /keyfile/keyfile && chmod 0400 /keyfile/keyfile"};
  keyfile["resources"] = {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}, {"ephemeral-storage", "1Mi"}}},
                          {"limits", {{"cpu", "100m"}, {"memory", "64Mi"}, {"ephemeral-storage", "8Mi"}}}};
  keyfile["securityContext"] = {{"allowPrivilegeEscalation", false}, {"privileged", false}, {"readOnlyRootFilesystem", true},
                                {"runAsNonRoot", true}, {"capabilities", {{"drop", {"ALL"}}}},
                                {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  keyfile["volumeMounts"] = Json::array({{{"name", "replica-set-key"}, {"mountPath", "/secret"}, {"readOnly", true}},
                                         {{"name", "keyfile"}, {"mountPath", "/keyfile"}}});
  p.initContainers.push_back(keyfile);
  p.extraVolumes = Json::array(
      {{{"name", "replica-set-key"},
        {"secret", {{"secretName", secret}, {"defaultMode", 0400}, {"items", Json::array({{{"key", "replica-set-key"}, {"path", "replica-set-key"}}})}}}},
       {{"name", "keyfile"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "1Mi"}}}}});
  p.extraMounts = Json::array({{{"name", "keyfile"}, {"mountPath", "/keyfile"}, {"readOnly", true}}});
  p.podManagementPolicy = "Parallel";  // member 0 waits for all members before initiating
  p.clientToPrimary = true;            // member 0 has the highest priority and wins elections back
  p.quorum = true;
  (void)app;
  return p;
}

StorePlan planMySQL(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  const std::string& secret = d.credentials.secretName;
  p.secretKeys = {{"root-password", SecretKeySpec::Password}, {"replication-password", SecretKeySpec::Password}};
  if (d.user) p.secretKeys.push_back({"password", SecretKeySpec::Password});
  p.files = {{"run.sh", kMySqlRun}, {"replica.sh", kMySqlReplica}, {"initdb-replication.sh", kMySqlInit}};
  p.fileMounts = {{"/docker-entrypoint-initdb.d/00-shopctl-replication.sh", "initdb-replication.sh"}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({envValue("SHOP_PORT", std::to_string(d.port)),
                       envSecret("MYSQL_ROOT_PASSWORD", secret, "root-password"),
                       envSecret("MYSQL_REPLICATION_PASSWORD", secret, "replication-password")});
  if (d.database) p.env.push_back(envValue("MYSQL_DATABASE", *d.database));
  if (d.user) {
    p.env.push_back(envValue("MYSQL_USER", *d.user));
    p.env.push_back(envSecret("MYSQL_PASSWORD", secret, "password"));
  }
  p.writable = {"/tmp", "/var/run/mysqld"};
  p.ports = Json::array({port("mysql", d.port)});
  p.servicePorts = Json::array({servicePort("mysql", d.port)});
  // The password through the environment (MYSQL_PWD, which MySQL 8 still reads), not -p.
  p.readiness = execProbe("export MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\"; mysql --protocol=tcp -h 127.0.0.1 -P " +
                              std::to_string(d.port) + " -uroot -e 'SELECT 1' >/dev/null",
                          10, 5, 3);
  p.liveness = tcpProbe(d.port, 20, 5, 6);
  p.startup = tcpProbe(d.port, 5, 3, 120);
  p.podManagementPolicy = "OrderedReady";  // the primary first; replicas copy it
  (void)app;
  return p;
}

StorePlan planRedis(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  p.files = {{"run.sh", kRedisRun}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({envValue("SHOP_PORT", std::to_string(d.port))});
  if (d.clientAuth) {
    p.secretKeys = {{"password", SecretKeySpec::Password}};
    p.env.push_back(envSecret("REDIS_PASSWORD", d.credentials.secretName, "password"));
  }
  p.writable = {"/tmp"};
  p.ports = Json::array({port("redis", d.port)});
  p.servicePorts = Json::array({servicePort("redis", d.port)});
  // The password reaches redis-cli through its environment (REDISCLI_AUTH), never its
  // command line, where every process of the node could read it.
  p.readiness = execProbe("if [ -n \"${REDIS_PASSWORD:-}\" ]; then export REDISCLI_AUTH=\"$REDIS_PASSWORD\"; fi; redis-cli -p " +
                              std::to_string(d.port) + " ping | grep -q PONG",
                          10, 3, 3);
  p.liveness = tcpProbe(d.port, 20, 3, 6);
  p.podManagementPolicy = "OrderedReady";
  (void)app;
  return p;
}

StorePlan planPostgres(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  const std::string& secret = d.credentials.secretName;
  p.secretKeys = {{"postgres-password", SecretKeySpec::Password}, {"replication-password", SecretKeySpec::Password}};
  if (d.user) p.secretKeys.push_back({"password", SecretKeySpec::Password});
  p.files = {{"run.sh", kPgRun}, {"roles.sh", kPgRoles}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({envValue("SHOP_PORT", std::to_string(d.port)),
                       envValue("PGDATA", std::string(engineInfo(d.engine).dataPath) + "/pgdata"),
                       envSecret("POSTGRES_PASSWORD", secret, "postgres-password"),
                       envSecret("POSTGRES_REPLICATION_PASSWORD", secret, "replication-password")});
  // The application's database (owned by the application user), named like the user by default.
  if (d.database || d.user) p.env.push_back(envValue("POSTGRES_DB", d.database.value_or(d.user.value_or(""))));
  if (d.user) {
    p.env.push_back(envValue("SHOP_APP_USER", *d.user));
    p.env.push_back(envSecret("SHOP_APP_PASSWORD", secret, "password"));
  }
  p.writable = {"/tmp", "/var/run/postgresql"};
  p.ports = Json::array({port("postgresql", d.port)});
  p.servicePorts = Json::array({servicePort("postgresql", d.port)});
  // -U: without it libpq takes the user name of the uid, which an image need not know (the
  // pod's runAsUser, 10001 by default), and pg_isready answers "no attempt" without asking.
  p.readiness = execProbe("pg_isready -q -h 127.0.0.1 -p " + std::to_string(d.port) + " -U postgres -d postgres", 10, 5, 3);
  p.liveness = tcpProbe(d.port, 20, 5, 6);
  p.startup = tcpProbe(d.port, 5, 3, 120);
  p.podManagementPolicy = "OrderedReady";
  (void)app;
  return p;
}

StorePlan planMariaDB(const ShopApp& app, const DataStore& d) {
  StorePlan p;
  const std::string& secret = d.credentials.secretName;
  p.secretKeys = {{"root-password", SecretKeySpec::Password}, {"replication-password", SecretKeySpec::Password}};
  if (d.user) p.secretKeys.push_back({"password", SecretKeySpec::Password});
  p.files = {{"run.sh", kMariaRun}, {"users.sh", kMariaUsers}};
  p.command = {"/bin/sh", "/scripts/run.sh"};
  p.env = Json::array({envValue("SHOP_PORT", std::to_string(d.port)),
                       envValue("SHOP_DATADIR", std::string(engineInfo(d.engine).dataPath) + "/data"),
                       envSecret("MARIADB_ROOT_PASSWORD", secret, "root-password"),
                       envSecret("MARIADB_REPLICATION_PASSWORD", secret, "replication-password")});
  // The application's database, named like the user by default.
  if (d.database || d.user) p.env.push_back(envValue("MARIADB_DATABASE", d.database.value_or(d.user.value_or(""))));
  if (d.user) {
    p.env.push_back(envValue("MARIADB_USER", *d.user));
    p.env.push_back(envSecret("MARIADB_PASSWORD", secret, "password"));
  }
  p.writable = {"/tmp", "/var/run/mysqld"};
  p.ports = Json::array({port("mysql", d.port)});
  p.servicePorts = Json::array({servicePort("mysql", d.port)});
  // The password goes through the environment (MYSQL_PWD), not -p, which would put it on a
  // command line. Over TCP: the member is ready once it serves clients, not while the script
  // works on the socket alone.
  p.readiness = execProbe("export MYSQL_PWD=\"$MARIADB_ROOT_PASSWORD\"; mariadb-admin --no-defaults --protocol=tcp -h 127.0.0.1 -P " +
                              std::to_string(d.port) + " -u root ping >/dev/null",
                          10, 5, 3);
  p.liveness = tcpProbe(d.port, 20, 5, 6);
  p.startup = tcpProbe(d.port, 5, 3, 120);
  p.podManagementPolicy = "OrderedReady";  // the primary first; replicas copy it
  (void)app;
  return p;
}

}  // namespace shop::steps
