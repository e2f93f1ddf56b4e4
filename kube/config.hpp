#pragma once
// Where the API server is and who we are: kubeconfig files (current context or a chosen one,
// KUBECONFIG lists, client certificates and keys from files or inline data, bearer tokens,
// token files, CAs, exec credential plugins) and the in-cluster service account.
// TLS verification is always on: there is no way to turn it off.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kube {

struct ExecPlugin {
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string apiVersion = "client.authentication.k8s.io/v1";
};

struct Config {
  std::string server;      // https://host:port
  std::string caPem;       // the server's CA (PEM); required
  std::string certPem;     // client certificate (PEM), optional
  std::string keyPem;      // client key (PEM), optional
  std::string token;       // bearer token, optional
  std::string tokenFile;   // re-read periodically and after a 401
  std::optional<ExecPlugin> exec;
  std::string tlsServerName;  // override of the name checked in the server certificate
  std::string namespace_ = "default";
  std::string context;  // the context this came from ("" in-cluster)
  std::string source;   // a file path or "in-cluster", for messages
};

struct ConfigResult {
  std::optional<Config> config;
  std::string error;  // set when config is empty
};

// The kubeconfig files to read: explicit path, else $KUBECONFIG (a ':'-separated list, merged
// first-wins as kubectl does), else ~/.kube/config.
std::vector<std::string> kubeconfigPaths(const std::string& explicitPath);
ConfigResult loadKubeconfig(const std::vector<std::string>& paths, const std::string& context);
ConfigResult inClusterConfig();
// kubectl's order: --kubeconfig, KUBECONFIG, ~/.kube/config, then in-cluster.
ConfigResult loadConfig(const std::string& kubeconfigFlag, const std::string& context);

// Credentials that can change while the process runs: token files are re-read, exec plugins
// re-run when their credential expires. Thread-safe.
class Credentials {
 public:
  explicit Credentials(Config cfg);
  struct Current {
    std::string token;
    std::string certPem;
    std::string keyPem;
  };
  Current get();
  // After a 401: drop cached tokens so the next get() reads them anew.
  void invalidate();
  std::string error() const;

 private:
  void refreshLocked(bool force);
  Config cfg_;
  mutable std::mutex mu_;
  Current cur_;
  std::chrono::steady_clock::time_point readAt_{};
  std::chrono::system_clock::time_point expiresAt_{};
  bool haveExpiry_ = false;
  std::string error_;
};

std::string readFileText(const std::string& path, std::string* error = nullptr);
std::string base64Decode(const std::string& in);

}  // namespace kube
