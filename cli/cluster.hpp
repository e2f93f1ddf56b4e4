#pragma once
// What the cluster-facing subcommands (diff, apply, status) share: kubeconfig flags, a
// connected client, reading a ShopApp file as both the raw document and the validated model,
// and small formatting helpers.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/common.hpp"
#include "core/model/parse.hpp"
#include "kube/client.hpp"

namespace shop::cli {

// --kubeconfig, --context, --request-timeout and -v/--v (cli/global_options.hpp): given after the
// command, or before it (setLeadingClusterFlags); after it wins.
struct ClusterFlags {
  std::string kubeconfig;
  std::string context;
  std::string requestTimeout;  // "" = not given: the transport's own timeouts (10s to connect, 30s for data)
  std::string verbosity;       // "" = 0
};
void addClusterFlags(CLI::App* cmd, ClusterFlags& f);
// The cluster flags that came before the command (main.cpp, takeLeadingOptions).
void setLeadingClusterFlags(const ClusterFlags& f);
// f, with what it leaves empty taken from the flags before the command.
ClusterFlags effectiveClusterFlags(const ClusterFlags& f);

struct Cluster {
  kube::Config config;
  std::shared_ptr<kube::Transport> transport;
  std::unique_ptr<kube::Client> client;
};
// Loads the kubeconfig (kubectl's order) and makes a client. Nothing is sent yet. Exits with
// kRuntime and a message when there is no usable configuration. With dryRunOnly, the transport
// refuses to send any write that is not a dry run (dryRun=All): `apply --dry-run=server`.
Cluster connectCluster(const ClusterFlags& f, bool dryRunOnly = false);

// Prints "shopctl: <what>: <the API server's message>" and exits kRuntime (or kUsage for an
// invalid object the server refused with 422/400). A request that got no answer at all prints
// unreachableMessage() for the cluster connectCluster() connected to.
[[noreturn]] void failRequest(const std::string& what, const kube::Result& r);

// "host:port" of an API server URL: "https://10.0.0.1:6443" -> "10.0.0.1:6443"; without a
// port, the scheme's (443 for https, 80 for http).
std::string serverHostPort(const std::string& server);
// What every command says when the API server does not answer: where it tried, from which
// kubeconfig context, why, and (for a refused or timed-out connection) kubectl's hint:
//   cannot reach the cluster at 127.0.0.1:6443 (kubeconfig context "dev"): the connection was refused
//     Is the cluster running? Is this the right kubeconfig and context? ...
std::string unreachableMessage(const kube::Config& cfg, const std::string& transportError);
// What every command says when a request ran out of --request-timeout (given as `flagValue`):
//   the API server at 127.0.0.1:6443 (kubeconfig context "dev") did not answer within 2s (--request-timeout=2s)
//     Is the cluster running and reachable? A slow API server may need a longer --request-timeout (0: no limit).
std::string timedOutMessage(const kube::Config& cfg, const std::string& flagValue);
// unreachableMessage() or timedOutMessage() for a request that got no answer (code 0), for the
// cluster connectCluster() connected to.
std::string noAnswerMessage(const kube::Result& r);

// The one message every cluster command (status, apply, diff, delete, loadtest) prints when the
// ShopApp CRD is not installed: what to apply.
std::string crdMissingMessage();
// Whether the API server serves ShopApps (shopctl.io/v1alpha1). When it cannot be asked
// (unreachable, 5xx), prints why and exits kRuntime.
bool shopAppCrdInstalled(Cluster& c);
// shopAppCrdInstalled(), or print crdMissingMessage() and exit kRuntime.
void exitIfNoShopAppCrd(Cluster& c);

// The one document of a ShopApp file, unparsed. A file that cannot be read, does not load, is
// empty, holds several documents, or names a namespace other than `requestedNamespace` (the -n
// flag, may be empty; namespaceMismatch(), kubectl's rule) is reported at file:line and exits
// kUsage.
YamlDocument loadAppDocument(const std::string& file, const std::string& requestedNamespace);

// A ShopApp file: the document as written (for server-side apply) and the model (for the
// renderer). `requestedNamespace` is the -n flag (may be empty): metadata.namespace is filled in
// from it when absent (else "default"), and a file naming another namespace is refused at
// file:line (namespaceMismatch(), kubectl's rule), even with `allowInvalid`. Diagnostics are
// printed; on errors (unless `allowInvalid`) exits kUsage.
struct LoadedApp {
  Json document;                // apiVersion, kind, metadata (name, namespace), spec, as written
  std::optional<ShopApp> app;   // absent only with allowInvalid and errors
  Diagnostics diags;
};
LoadedApp loadApp(const std::string& file, const std::string& requestedNamespace, bool allowInvalid = false);

// "45s", "12m", "3h", "4d" since an RFC 3339 time ("" when unknown).
std::string age(const std::string& rfc3339);
// "30s", "5m", "1h30m", "90" (seconds) -> duration; false when it does not parse.
bool parseDuration(const std::string& s, std::chrono::milliseconds& out);

// The condition of a type in status.conditions, or null.
const Json* findCondition(const Json& obj, const std::string& type);

// Rows of cells as aligned columns (as kubectl prints them): each column as wide as its widest
// cell, three spaces apart, the last column not padded. Every line starts with indent.
std::string formatTable(const std::vector<std::vector<std::string>>& rows, const std::string& indent = "");

// "cpu 143%/50%, memory ?/80%": an HPA's resource metrics, now/target ("" when it has none).
std::string hpaMetricsText(const Json& hpa);

}  // namespace shop::cli
