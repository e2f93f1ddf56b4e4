#include "kube/config.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kube/https.hpp"
#include "kube/log.hpp"

namespace kube {

namespace {

// How many PEM certificates `pem` holds (OpenSSL's parser, the one the connection will use, in
// the HTTPS module); -1, with *why, when that module cannot be had.
int pemCertificates(const std::string& pem, std::string* why) {
  const https::Module* m = https::module(why);
  return m ? m->pemCertificates(pem) : -1;
}

}  // namespace

std::string readFileText(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read " + path;
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string base64Decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (unsigned char c : in) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    size_t p = chars.find(static_cast<char>(c));
    if (p == std::string::npos) {
      if (c == '-') p = 62;
      else if (c == '_') p = 63;
      else continue;
    }
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::vector<std::string> kubeconfigPaths(const std::string& explicitPath) {
  if (!explicitPath.empty()) return {explicitPath};
  std::vector<std::string> out;
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::stringstream ss(env);
    std::string p;
    while (std::getline(ss, p, ':'))
      if (!p.empty()) out.push_back(p);
    return out;
  }
  if (const char* home = std::getenv("HOME")) out.push_back(std::string(home) + "/.kube/config");
  return out;
}

namespace {

std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return dirOf(base) + "/" + p;
}

// Finds a named entry in a kubeconfig list ("clusters", "users", "contexts") across files,
// first file wins.
struct Found {
  YAML::Node node;
  std::string file;
};

std::optional<Found> findNamed(const std::vector<std::pair<std::string, YAML::Node>>& docs, const char* list,
                               const char* inner, const std::string& name) {
  for (const auto& [file, doc] : docs) {
    const YAML::Node l = doc[list];
    if (!l || !l.IsSequence()) continue;
    for (const auto& item : l)
      if (item["name"] && item["name"].as<std::string>() == name && item[inner]) return Found{item[inner], file};
  }
  return std::nullopt;
}

std::string str(const YAML::Node& n, const char* key) {
  const YAML::Node v = n[key];
  return v && v.IsScalar() ? v.as<std::string>() : "";
}

}  // namespace

ConfigResult loadKubeconfig(const std::vector<std::string>& paths, const std::string& contextFlag) {
  ConfigResult res;
  std::vector<std::pair<std::string, YAML::Node>> docs;
  for (const auto& p : paths) {
    if (access(p.c_str(), R_OK) != 0) continue;
    try {
      docs.emplace_back(p, YAML::LoadFile(p));
    } catch (const YAML::Exception& e) {
      res.error = p + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                  ": invalid kubeconfig: " + e.msg;
      return res;
    }
  }
  if (docs.empty()) {
    res.error = "no kubeconfig found (looked at: ";
    for (size_t i = 0; i < paths.size(); ++i) res.error += (i ? ", " : "") + paths[i];
    res.error += ")";
    return res;
  }
  std::string context = contextFlag;
  if (context.empty())
    for (const auto& [file, doc] : docs)
      if (doc["current-context"] && !doc["current-context"].as<std::string>().empty()) {
        context = doc["current-context"].as<std::string>();
        break;
      }
  if (context.empty()) {
    res.error = "the kubeconfig has no current-context; pass --context";
    return res;
  }
  auto ctx = findNamed(docs, "contexts", "context", context);
  if (!ctx) {
    res.error = "context \"" + context + "\" is not in the kubeconfig";
    return res;
  }
  const std::string clusterName = str(ctx->node, "cluster");
  const std::string userName = str(ctx->node, "user");
  auto cluster = findNamed(docs, "clusters", "cluster", clusterName);
  if (!cluster) {
    res.error = "context \"" + context + "\" names cluster \"" + clusterName + "\", which is not in the kubeconfig";
    return res;
  }
  Config c;
  c.context = context;
  c.source = cluster->file;
  c.server = str(cluster->node, "server");
  if (c.server.rfind("https://", 0) != 0) {
    res.error = "cluster \"" + clusterName + "\": server \"" + c.server + "\" must be an https:// URL";
    return res;
  }
  if (cluster->node["insecure-skip-tls-verify"] && cluster->node["insecure-skip-tls-verify"].as<bool>(false)) {
    res.error = "cluster \"" + clusterName + "\" sets insecure-skip-tls-verify; shopctl always verifies the server";
    return res;
  }
  c.tlsServerName = str(cluster->node, "tls-server-name");
  if (auto d = str(cluster->node, "certificate-authority-data"); !d.empty()) {
    c.caPem = base64Decode(d);
  } else if (auto f = str(cluster->node, "certificate-authority"); !f.empty()) {
    c.caPem = readFileText(resolve(cluster->file, f), &res.error);
    if (!res.error.empty()) return res;
  }
  if (c.caPem.empty()) {
    res.error = "cluster \"" + clusterName + "\" has no certificate-authority; the server cannot be verified";
    return res;
  }
  // Only this CA is trusted for the server (never the system's bundle), so a CA that is not
  // a PEM certificate is refused here rather than failing every handshake later.
  const int caCerts = pemCertificates(c.caPem, &res.error);
  if (caCerts < 0) return res;
  if (caCerts == 0) {
    res.error = "cluster \"" + clusterName + "\": certificate-authority" +
                (str(cluster->node, "certificate-authority-data").empty() ? "" : "-data") +
                " holds no PEM certificate";
    return res;
  }
  if (!userName.empty()) {
    auto user = findNamed(docs, "users", "user", userName);
    if (!user) {
      res.error = "context \"" + context + "\" names user \"" + userName + "\", which is not in the kubeconfig";
      return res;
    }
    const YAML::Node& u = user->node;
    if (auto d = str(u, "client-certificate-data"); !d.empty()) c.certPem = base64Decode(d);
    else if (auto f = str(u, "client-certificate"); !f.empty()) c.certPem = readFileText(resolve(user->file, f), &res.error);
    if (auto d = str(u, "client-key-data"); !d.empty()) c.keyPem = base64Decode(d);
    else if (auto f = str(u, "client-key"); !f.empty()) c.keyPem = readFileText(resolve(user->file, f), &res.error);
    if (!res.error.empty()) return res;
    c.token = str(u, "token");
    if (auto f = str(u, "tokenFile"); !f.empty()) c.tokenFile = resolve(user->file, f);
    if (u["exec"]) {
      ExecPlugin e;
      e.command = str(u["exec"], "command");
      if (auto v = str(u["exec"], "apiVersion"); !v.empty()) e.apiVersion = v;
      if (u["exec"]["args"])
        for (const auto& a : u["exec"]["args"]) e.args.push_back(a.as<std::string>());
      if (u["exec"]["env"])
        for (const auto& kv : u["exec"]["env"]) e.env.emplace_back(str(kv, "name"), str(kv, "value"));
      c.exec = e;
    }
    if (!c.certPem.empty() && c.keyPem.empty()) {
      res.error = "user \"" + userName + "\" has a client certificate but no key";
      return res;
    }
  }
  if (auto ns = str(ctx->node, "namespace"); !ns.empty()) c.namespace_ = ns;
  res.config = c;
  return res;
}

ConfigResult inClusterConfig() {
  ConfigResult res;
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port) {
    res.error = "not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)";
    return res;
  }
  const std::string dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  Config c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  c.server = "https://" + h + ":" + port;
  c.caPem = readFileText(dir + "/ca.crt", &res.error);
  if (!res.error.empty()) return res;
  const int caCerts = pemCertificates(c.caPem, &res.error);
  if (caCerts < 0) return res;
  if (caCerts == 0) {
    res.error = dir + "/ca.crt holds no PEM certificate";
    return res;
  }
  c.tokenFile = dir + "/token";
  std::string nsErr;
  std::string ns = readFileText(dir + "/namespace", &nsErr);
  if (!ns.empty()) c.namespace_ = ns;
  c.source = "in-cluster";
  res.config = c;
  return res;
}

ConfigResult loadConfig(const std::string& kubeconfigFlag, const std::string& context) {
  auto paths = kubeconfigPaths(kubeconfigFlag);
  bool anyExists = false;
  for (const auto& p : paths) anyExists |= access(p.c_str(), R_OK) == 0;
  if (!kubeconfigFlag.empty() || anyExists || std::getenv("KUBECONFIG")) return loadKubeconfig(paths, context);
  auto in = inClusterConfig();
  if (in.config) return in;
  ConfigResult r;
  r.error = "no kubeconfig (set KUBECONFIG or --kubeconfig) and " + in.error;
  return r;
}

// ---- credentials --------------------------------------------------------------------

Credentials::Credentials(Config cfg) : cfg_(std::move(cfg)) {
  cur_.token = cfg_.token;
  cur_.certPem = cfg_.certPem;
  cur_.keyPem = cfg_.keyPem;
}

std::string Credentials::error() const {
  std::lock_guard<std::mutex> l(mu_);
  return error_;
}

void Credentials::invalidate() {
  std::lock_guard<std::mutex> l(mu_);
  refreshLocked(true);
}

Credentials::Current Credentials::get() {
  std::lock_guard<std::mutex> l(mu_);
  refreshLocked(false);
  return cur_;
}

namespace {

// Runs an exec credential plugin and returns its stdout, or sets error.
std::string runPlugin(const ExecPlugin& p, std::string& error) {
  int out[2];
  if (pipe(out) != 0) {
    error = "pipe failed";
    return "";
  }
  pid_t pid = fork();
  if (pid < 0) {
    error = "fork failed";
    return "";
  }
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    for (const auto& [k, v] : p.env) setenv(k.c_str(), v.c_str(), 1);
    const std::string info = std::string(R"({"apiVersion":")") + p.apiVersion +
                             R"(","kind":"ExecCredential","spec":{"interactive":false}})";
    setenv("KUBERNETES_EXEC_INFO", info.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(p.command.c_str()));
    for (const auto& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(p.command.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string data;
  std::array<char, 4096> buf{};
  ssize_t n;
  while ((n = read(out[0], buf.data(), buf.size())) > 0) data.append(buf.data(), static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "exec credential plugin \"" + p.command + "\" failed (exit " +
            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
    return "";
  }
  return data;
}

std::chrono::system_clock::time_point parseRfc3339(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return std::chrono::system_clock::now();
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

void Credentials::refreshLocked(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!cfg_.tokenFile.empty() && (force || now - readAt_ > std::chrono::minutes(1))) {
    std::string err;
    std::string t = readFileText(cfg_.tokenFile, &err);
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (!err.empty()) {
      error_ = err;
    } else {
      cur_.token = t;
      error_.clear();
    }
    readAt_ = now;
  }
  if (cfg_.exec) {
    const bool expired = haveExpiry_ && std::chrono::system_clock::now() + std::chrono::seconds(30) >= expiresAt_;
    if (force || readAt_ == std::chrono::steady_clock::time_point{} || expired) {
      std::string err;
      std::string out = runPlugin(*cfg_.exec, err);
      readAt_ = now;
      if (!err.empty()) {
        error_ = err;
        return;
      }
      try {
        auto j = nlohmann::json::parse(out);
        const auto& st = j.at("status");
        if (st.contains("token")) cur_.token = st["token"];
        if (st.contains("clientCertificateData")) cur_.certPem = st["clientCertificateData"];
        if (st.contains("clientKeyData")) cur_.keyPem = st["clientKeyData"];
        haveExpiry_ = st.contains("expirationTimestamp");
        if (haveExpiry_) expiresAt_ = parseRfc3339(st["expirationTimestamp"]);
        error_.clear();
      } catch (const std::exception& e) {
        error_ = "exec credential plugin \"" + cfg_.exec->command + "\" printed no valid ExecCredential: " + e.what();
      }
    }
  }
}

}  // namespace kube
