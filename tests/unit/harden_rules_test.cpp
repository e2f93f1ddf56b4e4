// harden on small inputs: pass-through, ignore annotations, API conversions, args credentials.
#include <gtest/gtest.h>

#include "test_util.hpp"

#include "core/audit/audit.hpp"
#include "core/audit/harden.hpp"
#include "core/io/yaml.hpp"

using namespace shop;
using namespace shop::audit;

using namespace shop::test;

namespace {

std::vector<Manifest> load(const std::string& yaml) {
  auto r = loadManifests(yaml, "in.yaml");
  EXPECT_FALSE(r.diags.hasErrors()) << r.diags.str();
  return r.manifests;
}

}  // namespace

TEST(HardenRules, UnknownKindsAndConfigMapsPassThroughUntouched) {
  const char* in = R"(apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {replicas: 1, image: "x"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {PASSWORD: hunter2}
)";
  auto ms = load(in);
  auto out = harden(ms, {});
  ASSERT_EQ(out.objects.size(), 2u);
  EXPECT_EQ(out.objects[0], ms[0].object);
  EXPECT_EQ(out.objects[1], ms[1].object);
  EXPECT_TRUE(out.changes.empty());
}

TEST(HardenRules, IgnoreAnnotationAndDisabledRulesAreNotFixed) {
  const char* in = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations: {shopctl.io/ignore: "sec-read-only-root-fs,image-pull-policy"}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "example/api:1.2.3", ports: [{containerPort: 8080}]}]
)";
  HardenOptions opts;
  opts.disabled.insert("avail-no-hpa");
  auto out = harden(load(in), opts);
  const Json* d = find(out.objects, "Deployment", "api");
  ASSERT_NE(d, nullptr);
  const Json& c = (*d)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_FALSE(c["securityContext"].contains("readOnlyRootFilesystem"));
  EXPECT_FALSE(c.contains("imagePullPolicy"));
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);  // not ignored
  EXPECT_EQ(find(out.objects, "HorizontalPodAutoscaler", "api"), nullptr);
  EXPECT_EQ((*d)["spec"]["replicas"], 2);  // no HPA: replicas instead
  for (const auto& ch : out.changes) {
    EXPECT_NE(ch.ruleId, "sec-read-only-root-fs");
    EXPECT_NE(ch.ruleId, "avail-no-hpa");
  }
  // an unknown image gets a TCP readiness probe and no liveness probe (with a warning)
  EXPECT_EQ(c["readinessProbe"]["tcpSocket"]["port"], 8080);
  EXPECT_FALSE(c.contains("livenessProbe"));
  bool warned = false;
  for (const auto& w : out.warnings) warned |= w.find("no livenessProbe added") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(HardenRules, RemovedApiVersionsAreConverted) {
  const char* in = R"(apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
spec:
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: old, image: "example/old:1.0"}]
---
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: a.example.test
    http:
      paths:
      - path: /
        backend: {serviceName: old, servicePort: 80}
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: old}
spec:
  scaleTargetRef: {apiVersion: extensions/v1beta1, kind: Deployment, name: old}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, targetAverageUtilization: 60}
)";
  auto out = harden(load(in), {});
  const Json* d = find(out.objects, "Deployment", "old");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ((*d)["apiVersion"], "apps/v1");
  EXPECT_EQ((*d)["spec"]["selector"], (Json{{"matchLabels", {{"app", "old"}}}}));
  const Json* ing = find(out.objects, "Ingress", "web");
  EXPECT_EQ((*ing)["apiVersion"], "networking.k8s.io/v1");
  const Json& path = (*ing)["spec"]["rules"][0]["http"]["paths"][0];
  EXPECT_EQ(path["backend"], Json::parse(R"({"service":{"name":"old","port":{"number":80}}})"));
  EXPECT_EQ(path["pathType"], "ImplementationSpecific");
  const Json* hpa = find(out.objects, "HorizontalPodAutoscaler", "old");
  EXPECT_EQ((*hpa)["apiVersion"], "autoscaling/v2");
  EXPECT_EQ((*hpa)["spec"]["scaleTargetRef"]["apiVersion"], "apps/v1");
  EXPECT_EQ((*hpa)["spec"]["metrics"][0]["resource"]["target"],
            (Json{{"type", "Utilization"}, {"averageUtilization", 60}}));
  EXPECT_EQ((*hpa)["spec"]["minReplicas"], 2);  // avail-single-replica
  EXPECT_FALSE((*d)["spec"].contains("replicas"));
  auto report = runAudit(Inventory(load(toYamlStream(out.objects))), {});
  for (const auto& f : report.findings) EXPECT_NE(f.ruleId, "deprecated-api-version") << f.message;
}

TEST(HardenRules, CredentialsInArgsBecomeSecretReferences) {
  const char* in = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: catalogue}
spec:
  selector: {matchLabels: {app: catalogue}}
  template:
    metadata: {labels: {app: catalogue}}
    spec:
      containers:
      - name: catalogue
        image: weaveworksdemos/catalogue:0.3.5
        args: ["-port=80", "-DSN=catalogue_user:default_password@tcp(catalogue-db:3306)/socksdb"]
        ports: [{containerPort: 80}]
)";
  auto out = harden(load(in), {});
  const Json* d = find(out.objects, "Deployment", "catalogue");
  const Json& c = (*d)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["args"][1], "-DSN=$(DSN)");
  EXPECT_EQ(c["env"][0]["name"], "DSN");
  EXPECT_EQ(c["env"][0]["valueFrom"]["secretKeyRef"]["name"], "catalogue-credentials");
  const Json* s = find(out.objects, "Secret", "catalogue-credentials");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ((*s)["stringData"]["DSN"], "catalogue_user:default_password@tcp(catalogue-db:3306)/socksdb");
  auto report = runAudit(Inventory(load(toYamlStream(out.objects))), {});
  for (const auto& f : report.findings) EXPECT_NE(f.ruleId, "secret-args-plaintext");
}

TEST(HardenRules, ExistingPdbIsRepairedNotDuplicated) {
  const char* in = R"(apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 0
  selector: {matchLabels: {app: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "example/web:2.1", ports: [{containerPort: 8080}]}]
)";
  auto out = harden(load(in), {});
  size_t pdbs = 0;
  for (const auto& o : out.objects) pdbs += kindOf(o) == "PodDisruptionBudget";
  EXPECT_EQ(pdbs, 1u);
  const Json* pdb = find(out.objects, "PodDisruptionBudget", "web");
  EXPECT_EQ((*pdb)["spec"]["maxUnavailable"], 1);
  EXPECT_EQ((*pdb)["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
  EXPECT_EQ((*find(out.objects, "HorizontalPodAutoscaler", "web"))["spec"]["minReplicas"], 3);
}

namespace {

const char* kHostAgentAndCache = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      hostPID: true
      containers:
      - name: agent
        image: example.com/agent:1.2.3
        ports: [{containerPort: 9100}]
        volumeMounts: [{name: root, mountPath: /host, readOnly: true}]
      volumes:
      - {name: root, hostPath: {path: /}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: ops}
spec:
  serviceName: cache-peers
  replicas: 3
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - {name: redis, image: "redis:7.2.4", ports: [{name: redis, containerPort: 6379}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ops}
spec:
  rules:
  - host: ops.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: cache-peers, port: {number: 6379}}}}]}
)";

std::vector<std::string> findingsOf(const std::vector<Manifest>& ms, const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& f : runAudit(Inventory(ms), {}).findings)
    if (f.ruleId == rule) out.push_back(f.path + ": " + f.message);
  return out;
}

}  // namespace

// Missing checks of issue 13: a StatefulSet whose serviceName has no Service, and the host ports
// hostNetwork implies.
TEST(HardenRules, StatefulSetServiceAndHostNetworkPortsAreFound) {
  const auto ms = load(kHostAgentAndCache);
  EXPECT_EQ(findingsOf(ms, "avail-statefulset-service"),
            std::vector<std::string>{"spec.serviceName: serviceName \"cache-peers\" names no Service in the input: pods get no stable DNS names"});
  EXPECT_EQ(findingsOf(ms, "sec-host-port"),
            std::vector<std::string>{"spec.template.spec.containers[0].ports[0].containerPort: container \"agent\" binds host port 9100 (the pod uses hostNetwork)"});
}

TEST(HardenRules, TheHeadlessServiceAStatefulSetNamesIsAdded) {
  auto out = harden(load(kHostAgentAndCache), {});
  const Json* svc = find(out.objects, "Service", "cache-peers");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ((*svc)["metadata"]["namespace"], "ops");
  EXPECT_EQ((*svc)["spec"]["clusterIP"], "None");
  EXPECT_EQ((*svc)["spec"]["publishNotReadyAddresses"], true);
  EXPECT_EQ((*svc)["spec"]["selector"], Json({{"app", "cache"}}));
  EXPECT_EQ((*svc)["spec"]["ports"], Json::array({{{"port", 6379}, {"targetPort", 6379}, {"name", "redis"}}}));
  // The audit of the output no longer finds it, and a second harden adds nothing more.
  std::vector<Manifest> again;
  for (const auto& o : out.objects) again.push_back({o, "", nullptr, ""});
  EXPECT_TRUE(findingsOf(again, "avail-statefulset-service").empty());
  auto twice = harden(again, {});
  int services = 0;
  for (const auto& o : twice.objects) services += o["kind"] == "Service" && o["metadata"]["name"] == "cache-peers";
  EXPECT_EQ(services, 1);
}

// harden cannot remove hostNetwork, hostPID, a hostPath or invent a certificate without breaking
// the app: it leaves them, and says so.
TEST(HardenRules, WhatHardenLeavesAsItIsIsWarned) {
  auto out = harden(load(kHostAgentAndCache), {});
  std::string all;
  for (const auto& w : out.warnings) all += w + "\n";
  for (const char* want : {"DaemonSet ops/agent: left as it is: pod sets hostNetwork: true [sec-host-namespaces, critical]",
                           "DaemonSet ops/agent: left as it is: pod sets hostPID: true [sec-host-namespaces, critical]",
                           "DaemonSet ops/agent: left as it is: volume \"root\" mounts host path / [sec-host-path, critical]",
                           "DaemonSet ops/agent: left as it is: container \"agent\" binds host port 9100 (the pod uses hostNetwork)",
                           "Ingress ops/web: left as it is: Ingress has no tls section [exposure-ingress-tls, high]"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\nin:\n" << all;
  // A rule the user disabled is not warned about either.
  HardenOptions opts;
  opts.disabled.insert("exposure-ingress-tls");
  auto quiet = harden(load(kHostAgentAndCache), opts);
  for (const auto& w : quiet.warnings) EXPECT_EQ(w.find("exposure-ingress-tls"), std::string::npos) << w;
}

// A NetworkPolicy has no effect on a pod on the node's network: harden writes none for it (and
// says why), and the audit does not count one as isolating it, even when one selects its pods.
TEST(HardenRules, AHostNetworkPodGetsNoNetworkPolicyAndNoClaimOfIsolation) {
  auto out = harden(load(kHostAgentAndCache), {});
  for (const auto& o : out.objects) {
    if (o["kind"] != "NetworkPolicy") continue;
    EXPECT_NE(o["spec"]["podSelector"].value("matchLabels", Json::object()), Json({{"app", "agent"}})) << o.dump();
  }
  std::string all;
  for (const auto& w : out.warnings) all += w + "\n";
  EXPECT_NE(all.find("DaemonSet ops/agent: no NetworkPolicy added: the pods use hostNetwork, and a NetworkPolicy has no "
                     "effect on a pod that shares the node's network"),
            std::string::npos) << all;
  // The cache in the same namespace is still isolated.
  EXPECT_NE(find(out.objects, "NetworkPolicy", "cache"), nullptr);
  std::vector<Manifest> hardened;
  for (const auto& o : out.objects) hardened.push_back({o, "", nullptr, ""});
  hardened.push_back(load(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent, namespace: ops}
spec:
  podSelector: {matchLabels: {app: agent}}
  policyTypes: [Ingress, Egress]
)")[0]);
  std::vector<std::string> agent;
  for (const auto& f : runAudit(Inventory(hardened), {}).findings)
    if (f.ruleId == "network-policy-missing") agent.push_back(f.objectRef + " " + f.path + ": " + f.message);
  EXPECT_EQ(agent, std::vector<std::string>{"DaemonSet ops/agent spec.template.spec.hostNetwork: the pods use hostNetwork: "
                                            "NetworkPolicies do not apply to them (they share the node's network), so "
                                            "nothing restricts their traffic"});
}

// A hostPort is how clients outside the cluster reach the pods: the policy harden writes keeps it
// open to every address (on the container port it maps to), besides the app's own callers.
TEST(HardenRules, AHostPortStaysReachableFromOutsideTheCluster) {
  auto out = harden(load(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example.com/web:1.0.0
        ports: [{name: http, containerPort: 8080, hostPort: 80}, {name: admin, containerPort: 9000}]
)"), {});
  const Json* np = find(out.objects, "NetworkPolicy", "web");
  ASSERT_NE(np, nullptr);
  Json open;
  for (const auto& rule : (*np)["spec"].value("ingress", Json::array()))
    if (rule.value("from", Json::array()).dump().find("0.0.0.0/0") != std::string::npos) open = rule;
  EXPECT_EQ(open, Json::parse(R"({"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                                  "ports": [{"protocol": "TCP", "port": 8080}]})")) << np->dump();
}

// imagePullPolicy: Never says the image is on the nodes already (air-gapped, built locally):
// Always would leave every pod waiting on a registry that does not serve it. Kept, and said.
TEST(HardenRules, APullPolicyOfNeverIsKept) {
  const char* in = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: local, image: "localhost/shop/web:1.0", imagePullPolicy: Never, ports: [{containerPort: 8080}]}
      - {name: remote, image: "example.com/shop/side:1.0", imagePullPolicy: IfNotPresent}
)";
  auto out = harden(load(in), {});
  const Json* d = find(out.objects, "Deployment", "web");
  ASSERT_NE(d, nullptr);
  const Json& cs = (*d)["spec"]["template"]["spec"]["containers"];
  EXPECT_EQ(cs[0]["imagePullPolicy"], "Never");
  EXPECT_EQ(cs[1]["imagePullPolicy"], "Always");
  std::string all;
  for (const auto& w : out.warnings) all += w + "\n";
  EXPECT_NE(all.find("Deployment shop/web: container local: imagePullPolicy Never kept"), std::string::npos) << all;
}
