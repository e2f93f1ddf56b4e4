#pragma once
// What shopctl knows about well-known images, as data: whether an image is a database or a
// message broker, where it keeps its data, which paths it writes besides that, how to probe
// it, which tag to pin a floating reference to, and which Services it is known to call.
//
// The audit uses the role (a database run as a Deployment is a finding); `harden` uses the
// rest. docs/hardening.md prints the same table. Images not listed here are still audited and
// hardened; harden just has less to go on (e.g. it adds a TCP readiness probe but no liveness
// probe, and does not pin them unless told to with --pin).
#include <optional>
#include <string>
#include <vector>

#include "core/audit/k8s.hpp"

namespace shop::audit {

enum class Role {
  Stateless,  // a web or API service: scale it out, spread it, autoscale it
  Database,   // keeps data: a StatefulSet with a persistent volume, never scaled blindly
  Broker,     // a message broker: treated like a database
  Batch,      // Job or CronJob
  NodeAgent,  // DaemonSet
};
const char* roleName(Role r);
inline bool isDataStore(Role r) { return r == Role::Database || r == Role::Broker; }

struct ProbeSpec {
  enum class Kind { Http, Tcp, Exec } kind = Kind::Tcp;
  std::string path;                  // Http
  int port = 0;                      // Http, Tcp (0: the container's first port)
  std::vector<std::string> command;  // Exec
};

struct ImageProfile {
  std::string repository;  // as ImageRef::repository, e.g. "mongo", "weaveworksdemos/carts"
  Role role = Role::Stateless;
  std::vector<std::string> dataPaths;      // mounted from a PersistentVolumeClaim
  std::vector<std::string> writablePaths;  // emptyDir mounts needed with a read-only root
  std::optional<ProbeSpec> readiness;
  std::optional<ProbeSpec> liveness;
  std::string pinTag;     // the tag a floating or missing tag is pinned to
  std::string pinReason;  // why that tag
  std::vector<std::string> calls;  // Service names it is known to call (from its source code)
  std::string callsSource;         // where that knowledge comes from
  std::string note;                // caveats worth printing in --explain and the docs
};

// The whole table, in documentation order.
const std::vector<ImageProfile>& imageProfiles();
// The profile of an image reference, or nullptr.
const ImageProfile* findProfile(const ImageRef& image);

// Guesses the role of an image nobody described: by well-known names in the repository
// ("postgres", "mariadb", "kafka", ...) or, failing that, by well-known ports.
Role guessRole(const ImageRef& image, const std::vector<int>& ports, const std::string& workloadName);

// Where a database listening on `port` keeps its data when its image is unknown
// (27017 -> /data/db, 3306 -> /var/lib/mysql, ...); "" when the port says nothing.
std::string dataPathForPort(int port);

}  // namespace shop::audit
