#pragma once
// The ShopApp model (shopctl.io/v1alpha1): what a platform engineer writes, after parsing,
// defaulting and validation. Every optional field the renderer needs is filled in by
// applyDefaults(), so the renderer never guesses.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/io/json.hpp"

namespace shop {

inline constexpr const char* kGroup = "shopctl.io";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "shopctl.io/v1alpha1";
inline constexpr const char* kKind = "ShopApp";

// ---- small value types ---------------------------------------------------------------

struct ResourceList {
  std::optional<std::string> cpu;
  std::optional<std::string> memory;
  std::optional<std::string> ephemeralStorage;
};

struct Resources {
  ResourceList requests;
  ResourceList limits;
};

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpGet {
  std::string path = "/";
  std::string port;  // number or port name, as text
  std::string scheme = "HTTP";
  std::vector<HttpHeader> headers;  // httpHeaders
};

// The gRPC Health Checking Protocol (grpc.health.v1.Health/Check), as the kubelet speaks it.
struct GrpcCheck {
  std::string port;                    // number or port name, as text; "" = the first port
  std::optional<std::string> service;  // the service name sent in the request ("" = the server)
};

struct Probe {
  std::optional<HttpGet> http;
  std::optional<std::string> tcpPort;  // number or name
  std::optional<GrpcCheck> grpc;
  std::optional<std::vector<std::string>> exec;
  std::optional<int> initialDelaySeconds;
  std::optional<int> periodSeconds;
  std::optional<int> timeoutSeconds;
  std::optional<int> failureThreshold;
  std::optional<int> successThreshold;
};

struct Probes {
  std::optional<Probe> liveness;
  std::optional<Probe> readiness;
  std::optional<Probe> startup;
  // probes.none: a worker (a service without ports) that runs with no probe at all; the kubelet
  // restarts it when its process exits. Only without ports, and with none of the three above.
  bool none = false;
};

struct KeyRef {
  std::string name;
  std::string key;
  bool optional = false;
};

struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  std::optional<KeyRef> secret;
  std::optional<KeyRef> configMap;
  std::optional<std::string> fieldPath;  // downward API, e.g. metadata.name
};

struct ConfigFile {
  std::string path;     // absolute path in the container
  std::string content;  // file content (not secret: use a Secret for credentials)
};

struct Config {
  std::vector<ConfigFile> files;
  std::map<std::string, std::string> env;  // key -> value, loaded with envFrom
};

struct Port {
  std::string name;
  int port = 0;           // Service port
  int targetPort = 0;     // container port (defaults to port)
  std::string protocol = "TCP";
  std::optional<std::string> appProtocol;
};

struct Volume {  // persistent or shared storage for a service
  std::string name;
  std::string path;
  std::string size = "1Gi";
  std::string accessMode = "ReadWriteOnce";  // ReadWriteOnce | ReadWriteMany | ReadOnlyMany
  std::optional<std::string> storageClass;
  std::optional<std::string> existingClaim;  // use a claim made elsewhere
};

struct ScalingPolicy {
  std::string type;  // Pods | Percent
  int value = 0;
  int periodSeconds = 0;
};

struct ScalingRules {
  std::optional<int> stabilizationWindowSeconds;
  std::optional<std::string> selectPolicy;  // Max | Min | Disabled
  std::vector<ScalingPolicy> policies;
};

struct Autoscaling {
  bool enabled = false;
  int min = 1;
  int max = 1;
  std::optional<int> cpu;     // target average CPU utilisation, percent of requests
  std::optional<int> memory;  // target average memory utilisation, percent of requests
  std::optional<ScalingRules> scaleUp;
  std::optional<ScalingRules> scaleDown;
};

struct Retries {
  int attempts = 0;
  std::optional<std::string> perTryTimeout;
  std::optional<std::string> retryOn;
};

struct FaultDelay {
  std::string fixedDelay;
  double percentage = 0;
};

struct FaultAbort {
  int httpStatus = 0;
  double percentage = 0;
};

struct Faults {
  std::optional<FaultDelay> delay;
  std::optional<FaultAbort> abort;
};

struct ConnectionPool {
  std::optional<int> maxConnections;
  std::optional<int> http1MaxPendingRequests;
  std::optional<int> http2MaxRequests;
  std::optional<int> maxRequestsPerConnection;
  std::optional<int> maxRetries;
  std::optional<std::string> connectTimeout;
};

struct OutlierDetection {
  std::optional<int> consecutive5xxErrors;
  std::optional<int> consecutiveGatewayErrors;
  std::optional<std::string> interval;
  std::optional<std::string> baseEjectionTime;
  std::optional<int> maxEjectionPercent;
  std::optional<int> minHealthPercent;
};

struct Resilience {
  std::optional<std::string> timeout;  // route timeout, e.g. "10s"
  std::optional<Retries> retries;
  std::optional<Faults> faults;
  std::optional<ConnectionPool> connectionPool;
  std::optional<OutlierDetection> outlierDetection;
};

struct Capabilities {
  std::vector<std::string> add;  // only NET_BIND_SERVICE passes the restricted profile
};

// Where a workload's pods may run: node labels they require and node taints they tolerate.
struct Toleration {
  std::string key;                 // empty with operator Exists: every taint
  std::string op = "Equal";        // Equal | Exists
  std::string value;               // Equal only
  std::string effect;              // NoSchedule | PreferNoSchedule | NoExecute; empty: all
  std::optional<int64_t> seconds;  // NoExecute only: how long the pod stays after the taint
};

struct Placement {
  std::map<std::string, std::string> nodeSelector;  // added to kubernetes.io/os: linux
  std::vector<Toleration> tolerations;
};

struct SecurityOverrides {  // per service or database
  std::optional<int64_t> runAsUser;
  std::optional<int64_t> runAsGroup;
  std::optional<int64_t> fsGroup;
  std::optional<bool> readOnlyRootFilesystem;
  std::vector<std::string> addCapabilities;
};

struct Expose {
  std::vector<std::string> paths;      // path prefixes routed from the gateway
  std::optional<std::string> port;     // Service port name or number; default the first
  std::optional<std::string> rewrite;  // rewrite the matched prefix to this
};

struct Scrape {
  bool enabled = true;
  std::string path = "/metrics";
  std::optional<std::string> port;  // default: the first port
};

// ---- the parts of an app -------------------------------------------------------------

// One version of a service (services[].versions[]): its own Deployment behind the service's one
// Service, its pods labelled version: <name>. What it leaves out it takes from the service; the
// parser fills image, replicas, autoscaling and env in, so the renderer never guesses.
struct ServiceVersion {
  std::string name;                                     // a DNS label of at most 15 characters
  std::string image;                                    // the service's unless given
  int replicas = 0;                                     // the service's unless given
  std::optional<int> weight;                            // percent of the traffic (mesh), 0..100
  std::vector<EnvVar> env;                              // the service's, overridden by name
  std::map<std::string, std::string> labels;            // added to the service's pod labels
  std::map<std::string, std::string> podAnnotations;    // added to the service's pod annotations
  Autoscaling autoscaling;                              // the service's, or derived from replicas
};

inline constexpr size_t kMaxVersions = 8;           // services[].versions entries (parser and CRD)
inline constexpr size_t kMaxVersionNameLen = 15;    // a version name (it names a subset and a label)
inline constexpr const char* kVersionLabel = "version";  // the pod label a version's pods carry

// spec.defaults holds service settings (see policyKeys() in parse_fields.cpp); they are merged into
// each service while parsing, so the model has no separate defaults.
// Traffic between a service and what is outside the app (the rendered NetworkPolicies allow
// nothing else): addresses (cidrs), or pods of another namespace (namespace, optionally
// podLabels), on ports. A service's egress is what it calls there; its ingress, who calls it from
// there (ports empty: every port the component listens on). Services and data stores take ingress.
struct EgressRule {
  std::vector<std::string> cidrs;
  std::string namespace_;
  std::map<std::string, std::string> podLabels;  // empty: every pod of namespace_
  struct PortSpec {
    int port = 0;
    std::string protocol = "TCP";
  };
  std::vector<PortSpec> ports;
};

struct Service {
  std::string name;
  std::string image;
  std::vector<Port> ports;
  int replicas = 2;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  Config config;
  Resources resources;
  Probes probes;
  std::vector<std::string> writablePaths;  // emptyDir mounts under a read-only root
  std::string writableSizeLimit = "256Mi";
  std::vector<Volume> storage;
  std::vector<std::string> dependsOn;  // services, databases and brokers this one calls
  std::vector<EgressRule> egress;      // what it calls outside the app
  std::vector<EgressRule> ingress;     // who calls it from outside the app
  std::optional<Expose> expose;
  Autoscaling autoscaling;
  Resilience resilience;
  SecurityOverrides security;
  std::string imagePullPolicy = "Always";
  int terminationGracePeriodSeconds = 30;
  bool spread = true;
  std::optional<std::string> priorityClassName;
  Placement placement;
  std::map<std::string, std::string> podAnnotations;
  std::map<std::string, std::string> labels;
  std::optional<bool> meshInject;  // per-service sidecar injection override
  Scrape scrape;
  std::vector<ServiceVersion> versions;  // empty: one Deployment named as the service

  // The Deployment of a version: <service>-<version>.
  std::string deploymentOf(const ServiceVersion& v) const { return name + "-" + v.name; }
  bool weighted() const { return !versions.empty() && versions.front().weight.has_value(); }
  // The most pods the service runs: its autoscaler's max or its replicas, summed over its versions.
  int podCeiling() const;

  // The container port metrics are scraped on: metrics.port as a port name, a Service port
  // or a container port number; the first port by default.
  int scrapeContainerPort() const;
};

struct Credentials {
  std::string secretName;  // default <db>-credentials
  bool generate = true;    // the caller may create it with random values when absent
};

struct DataStorage {
  std::string size = "1Gi";
  std::optional<std::string> storageClass;
  std::string whenDeleted = "Retain";  // PVCs when the StatefulSet (or app) is deleted
  std::string whenScaled = "Retain";   // PVCs of pods removed by scale-down
};

enum class Engine { MongoDB, MySQL, Redis, PostgreSQL, MariaDB, RabbitMQ, Kafka };

inline constexpr size_t kMaxEnv = 200;           // env entries, config.env keys (parser and CRD)
inline constexpr size_t kMaxEnvValue = 32768;    // bytes of one env value (parser and CRD)
inline constexpr size_t kMaxConfigFile = 262144;  // bytes of one config file (parser and CRD)
inline constexpr size_t kMaxConfigFiles = 50;     // config files of a service (parser and CRD)
inline constexpr size_t kMaxObjectBytes = 1572864;    // what etcd stores per object (the API server's default)
inline constexpr size_t kMaxDependsOn = 12;  // services[].dependsOn entries (parser and CRD: the CEL rule's cost)
inline constexpr size_t kMaxPeerRules = 10;   // egress or ingress rules of a component (parser and CRD)
inline constexpr size_t kMaxPeerLabels = 10;  // podLabels of one egress or ingress rule (parser and CRD)
inline constexpr int kMaxStoreMembers = 9;  // replicas of a database or broker: 1 .. 9 (parser and CRD)

struct DataStore {  // a database or a message broker: both are replicated StatefulSets
  std::string name;
  Engine engine = Engine::MongoDB;
  std::string version;
  std::string image;  // derived from engine + version unless given
  int replicas = 3;
  int port = 0;  // engine default unless given
  DataStorage storage;
  Resources resources;
  Credentials credentials;
  std::optional<std::string> database;  // database to create (SQL engines, MongoDB)
  std::optional<std::string> user;      // application user
  std::vector<EnvVar> env;
  std::vector<std::string> args;
  SecurityOverrides security;
  std::string imagePullPolicy = "Always";
  std::string priorityClassName;
  Placement placement;
  std::vector<EgressRule> ingress;      // who calls it from outside the app (ports empty: its port)
  std::optional<std::string> seedFrom;  // image directory copied into an empty data volume
  // A second client Service, by this name, over every member (reads: replicas serve them too).
  std::optional<std::string> readService;
  // false: clients connect without credentials (legacy clients); members still authenticate
  // each other where the engine allows it (MongoDB keyfile).
  bool clientAuth = true;
  bool isBroker() const { return engine == Engine::RabbitMQ || engine == Engine::Kafka; }
};

// Where the app's pods resolve names: the one egress every NetworkPolicy baseline allows.
struct DnsSpec {
  std::string namespace_ = "kube-system";
  std::map<std::string, std::string> podLabels = {{"k8s-app", "kube-dns"}};
  std::vector<std::string> cidrs;  // resolvers that are not pods: NodeLocal DNSCache, a node's own
};

struct SecuritySpec {
  std::string podSecurity = "restricted";  // restricted | baseline | privileged
  int64_t runAsUser = 10001;
  int64_t runAsGroup = 10001;
  int64_t fsGroup = 10001;
  bool readOnlyRootFilesystem = true;
  bool networkPolicies = true;
  bool serviceAccounts = true;
  std::vector<std::string> imagePullSecrets;
  bool allowLatestTag = false;
  DnsSpec dns;
};

struct MeshSpec {
  bool enabled = false;
  std::string mtls = "STRICT";  // STRICT | PERMISSIVE
  bool authorizationPolicies = true;
  std::string controlPlaneNamespace = "istio-system";
};

struct GatewaySpec {
  bool enabled = false;
  std::string host = "*";
  std::optional<std::string> tlsSecret;
  bool httpsRedirect = true;
  std::string ingressClassName = "nginx";          // when the mesh is off
  std::map<std::string, std::string> selector;     // Istio gateway pods; default istio=ingressgateway
  std::string namespace_ = "";                     // where gateway pods run (for NetworkPolicy)
  std::string serviceAccount;                      // gateway identity (AuthorizationPolicy)
};

struct MonitoringSpec {
  std::string prometheus = "annotations";  // annotations | serviceMonitor | none
  std::string namespace_ = "monitoring";   // where Prometheus runs (for NetworkPolicy)
  std::string interval = "30s";
};

struct ShopApp {
  std::string name;
  std::string namespace_;
  int64_t generation = 0;
  std::string uid;                            // set when read from a cluster
  SecuritySpec security;
  MeshSpec mesh;
  GatewaySpec gateway;
  MonitoringSpec monitoring;
  std::vector<Service> services;
  std::vector<DataStore> databases;
  std::vector<DataStore> messaging;

  const Service* findService(const std::string& n) const;
  const DataStore* findStore(const std::string& n) const;  // databases and messaging
};

const char* engineName(Engine e);
std::optional<Engine> engineFromName(const std::string& s);

}  // namespace shop
