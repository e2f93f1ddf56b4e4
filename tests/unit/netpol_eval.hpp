#pragma once
// A small NetworkPolicy evaluator for tests: the semantics of networking.k8s.io/v1 for
// podSelector (matchLabels, matchExpressions), namespaceSelector (namespaces labelled with
// kubernetes.io/metadata.name, as the API server does), policyTypes, and ports by number or by
// the destination pod's container port name, per protocol. ipBlock peers never match a pod; they
// match a client outside the cluster (externalAllowed), by IPv4 CIDR with its `except` list.
// Written here from the API reference, not taken from a CNI.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "test_util.hpp"

namespace shop::test::netpol {

struct Pod {
  std::string ns;
  Json labels;                       // the pod's labels
  Json ports = Json::object();       // its named container ports: name -> number
  bool hostNetwork = false;          // on its node's network: it has the node's address (kNodeAddress)
};

// The address of a pod on the node's network. No pod or namespace selector matches such a pod,
// and no policy selects it (the API reference leaves hostNetwork pods to the network plugin; the
// common ones treat their traffic as the node's): only an ipBlock holding this address admits it.
inline const std::string kNodeAddress = "192.0.2.10";

// A connection: to `port` (the pod's container port) over `protocol`.
struct Target {
  int port = 0;
  std::string protocol = "TCP";
};

inline bool selects(const Json& selector, const Json& labels) {
  if (!selector.is_object()) return false;
  const Json matchLabels = selector.value("matchLabels", Json::object());  // a named copy: items() must not outlive it
  for (const auto& [k, v] : matchLabels.items())
    if (!labels.is_object() || !labels.contains(k) || labels[k] != v) return false;
  for (const auto& e : selector.value("matchExpressions", Json::array())) {
    const std::string key = e.value("key", ""), op = e.value("operator", "");
    const Json values = e.value("values", Json::array());
    const bool has = labels.is_object() && labels.contains(key);
    const bool in = has && std::find(values.begin(), values.end(), labels[key]) != values.end();
    if ((op == "In" && !in) || (op == "NotIn" && in) || (op == "Exists" && !has) || (op == "DoesNotExist" && has)) return false;
  }
  return true;
}

// Whether a peer of a policy in namespace policyNs matches pod. A peer with only a podSelector
// matches pods of the policy's own namespace; with a namespaceSelector, of the namespaces it selects.
inline bool inCidr(const std::string& ip, const std::string& cidr);
inline bool ipBlockHolds(const Json& peer, const std::string& ip);

inline bool peerMatches(const Json& peer, const std::string& policyNs, const Pod& pod) {
  if (pod.hostNetwork) return ipBlockHolds(peer, kNodeAddress);
  if (peer.contains("ipBlock")) return false;  // pods are not addressed by CIDR here
  const Json nsLabels = {{"kubernetes.io/metadata.name", pod.ns}};
  const bool hasPods = peer.contains("podSelector"), hasNs = peer.contains("namespaceSelector");
  if (hasNs && !selects(peer["namespaceSelector"], nsLabels)) return false;
  if (!hasNs && pod.ns != policyNs) return false;
  return !hasPods || selects(peer["podSelector"], pod.labels);
}

// Whether a rule's ports admit the target on the destination pod (named ports resolve there).
inline bool portMatches(const Json& ports, const Target& t, const Pod& destination) {
  if (!ports.is_array() || ports.empty()) return true;
  for (const auto& p : ports) {
    if (p.value("protocol", "TCP") != t.protocol) continue;
    if (!p.contains("port")) return true;
    const Json& port = p["port"];
    if (port.is_number_integer()) {
      const int from = port.get<int>(), to = p.value("endPort", from);
      if (t.port >= from && t.port <= to) return true;
    } else if (port.is_string()) {
      const std::string name = port.get<std::string>();
      if (destination.ports.contains(name) && destination.ports[name] == t.port) return true;
    }
  }
  return false;
}

inline bool hasType(const Json& spec, const char* type) {
  const Json types = spec.value("policyTypes", Json::array());
  if (!types.empty()) return std::find(types.begin(), types.end(), Json(type)) != types.end();
  return std::string(type) == "Ingress" || spec.contains("egress");
}

// One direction: the policies selecting `subject` with this type, and whether some rule lets
// `other` through. For egress the destination is `other`, for ingress `subject`.
inline bool directionAllows(const std::vector<Json>& objects, const Pod& subject, const Pod& other, const Target& t,
                            bool ingress) {
  if (subject.hostNetwork) return true;  // no policy applies to a pod on the node's network
  bool isolated = false;
  const Pod& destination = ingress ? subject : other;
  for (const auto& o : objects) {
    if (objectKind(o) != "NetworkPolicy" || o["metadata"].value("namespace", "") != subject.ns) continue;
    const Json& spec = o["spec"];
    if (!hasType(spec, ingress ? "Ingress" : "Egress") || !selects(spec.value("podSelector", Json::object()), subject.labels))
      continue;
    isolated = true;
    for (const auto& rule : spec.value(ingress ? "ingress" : "egress", Json::array())) {
      const Json peers = rule.value(ingress ? "from" : "to", Json::array());
      bool peerOk = peers.empty();
      for (const auto& p : peers) peerOk |= peerMatches(p, subject.ns, other);
      if (peerOk && portMatches(rule.value("ports", Json::array()), t, destination)) return true;
    }
  }
  return !isolated;
}

// Whether IPv4 address ip (dotted quad) lies in cidr ("a.b.c.d/n"); an IPv6 cidr never holds it.
inline bool inCidr(const std::string& ip, const std::string& cidr) {
  auto parse = [](const std::string& text, uint32_t& out) {
    unsigned a, b, c, d;
    char extra;
    if (std::sscanf(text.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
      return false;
    out = (a << 24) | (b << 16) | (c << 8) | d;
    return true;
  };
  const size_t slash = cidr.find('/');
  uint32_t addr = 0, net = 0;
  if (slash == std::string::npos || !parse(ip, addr) || !parse(cidr.substr(0, slash), net)) return false;
  const int bits = std::stoi(cidr.substr(slash + 1));
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (addr & mask) == (net & mask);
}

// Whether peer is an ipBlock holding ip (and no `except` entry of it holds ip).
inline bool ipBlockHolds(const Json& peer, const std::string& ip) {
  if (!peer.contains("ipBlock") || !inCidr(ip, peer["ipBlock"].value("cidr", ""))) return false;
  for (const auto& e : peer["ipBlock"].value("except", Json::array()))
    if (inCidr(ip, e.get<std::string>())) return false;
  return true;
}

// Whether a client outside the cluster at address ip reaches pod `to` on target t: only the
// pod's ingress decides (the client has no policy). A rule admits it when it names no peers or
// an ipBlock holding ip (and no `except` entry holding it); pod and namespace selectors never do.
inline bool externalAllowed(const std::vector<Json>& objects, const Pod& to, const Target& t, const std::string& ip) {
  bool isolated = false;
  for (const auto& o : objects) {
    if (objectKind(o) != "NetworkPolicy" || o["metadata"].value("namespace", "") != to.ns) continue;
    const Json& spec = o["spec"];
    if (!hasType(spec, "Ingress") || !selects(spec.value("podSelector", Json::object()), to.labels)) continue;
    isolated = true;
    for (const auto& rule : spec.value("ingress", Json::array())) {
      const Json peers = rule.value("from", Json::array());
      bool peerOk = peers.empty();
      for (const auto& p : peers) peerOk |= ipBlockHolds(p, ip);
      if (peerOk && portMatches(rule.value("ports", Json::array()), t, to)) return true;
    }
  }
  return !isolated;
}

// A connection is allowed when the caller's egress and the callee's ingress both let it through.
inline bool allowed(const std::vector<Json>& objects, const Pod& from, const Pod& to, const Target& t) {
  return directionAllows(objects, from, to, t, false) && directionAllows(objects, to, from, t, true);
}
inline bool allowed(const std::vector<Json>& objects, const Pod& from, const Pod& to, int port) {
  return allowed(objects, from, to, Target{port, "TCP"});
}

// The cluster DNS pods (kube-dns in kube-system): whether `from` may resolve names (UDP 53).
inline bool dnsAllowed(const std::vector<Json>& objects, const Pod& from) {
  const Pod dns{"kube-system", {{"k8s-app", "kube-dns"}}, {{"dns", 53}}};
  return directionAllows(objects, from, dns, Target{53, "UDP"}, false);
}

}  // namespace shop::test::netpol
