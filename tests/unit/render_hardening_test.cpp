// Properties every rendered app must have, checked on every object of every shipped app:
// the renderer's promise of "hardened by default", as the issue lists it.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "core/render/render.hpp"
#include "test_util.hpp"

using namespace shop;

using namespace shop::test;

namespace {

struct Rendered {
  ShopApp app;
  std::vector<Json> objects;
};

Rendered renderApp(const std::string& path) {
  auto res = loadShopAppFile(path);
  if (!res.app) throw std::runtime_error(res.diags.str());
  auto objs = render(*res.app).objects;
  return {*res.app, objs};
}

bool isWorkload(const Json& o) { return o["kind"] == "Deployment" || o["kind"] == "StatefulSet"; }

bool selects(const Json& matchLabels, const Json& labels) {
  for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it)
    if (!labels.contains(it.key()) || labels[it.key()] != it.value()) return false;
  return true;
}

}  // namespace

TEST(Hardening, EveryContainerIsRestricted) {
  for (const auto& a : test::kApps) {
    auto r = renderApp(a[1]);
    for (const auto& o : r.objects) {
      if (!isWorkload(o)) continue;
      const std::string where = std::string(a[0]) + "/" + o["kind"].get<std::string>() + "/" + o["metadata"]["name"].get<std::string>();
      SCOPED_TRACE(where);
      const Json& pod = o["spec"]["template"]["spec"];
      const Json& psc = pod["securityContext"];
      EXPECT_EQ(psc["runAsNonRoot"], true);
      EXPECT_GE(psc["runAsUser"].get<int64_t>(), 10000);
      EXPECT_GE(psc["runAsGroup"].get<int64_t>(), 10000);
      EXPECT_EQ(psc["seccompProfile"]["type"], "RuntimeDefault");
      EXPECT_EQ(pod["automountServiceAccountToken"], false);
      EXPECT_NE(find(r.objects, "ServiceAccount", pod["serviceAccountName"]), nullptr) << "service account not rendered";
      std::vector<Json> containers;
      for (const auto& c : pod["containers"]) containers.push_back(c);
      if (pod.contains("initContainers"))
        for (const auto& c : pod["initContainers"]) containers.push_back(c);
      for (const auto& c : containers) {
        SCOPED_TRACE(c["name"].get<std::string>());
        const Json& sc = c["securityContext"];
        EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
        EXPECT_EQ(sc["privileged"], false);
        EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
        EXPECT_EQ(sc["capabilities"]["drop"], Json::array({"ALL"}));
        if (sc["capabilities"].contains("add")) {
          EXPECT_EQ(sc["capabilities"]["add"], Json::array({"NET_BIND_SERVICE"}));
          bool lowPort = false;
          for (const auto& p : c.value("ports", Json::array())) lowPort |= p["containerPort"].get<int>() < 1024;
          EXPECT_TRUE(lowPort) << "NET_BIND_SERVICE without a port below 1024";
        }
        for (const char* kind : {"requests", "limits"}) {
          EXPECT_TRUE(c["resources"][kind].contains("cpu")) << kind;
          EXPECT_TRUE(c["resources"][kind].contains("memory")) << kind;
          EXPECT_TRUE(c["resources"][kind].contains("ephemeral-storage")) << kind;
        }
        const std::string image = c["image"];
        const std::string tail = image.substr(image.rfind('/') == std::string::npos ? 0 : image.rfind('/'));
        EXPECT_NE(tail.find(':'), std::string::npos) << "untagged image " << image;
        EXPECT_EQ(image.find(":latest"), std::string::npos) << image;
        EXPECT_EQ(c["imagePullPolicy"], "Always");
        for (const auto& e : c.value("env", Json::array())) {
          static const std::regex secretName(".*(PASSWORD|SECRET|TOKEN|KEY).*", std::regex::icase);
          if (std::regex_match(e["name"].get<std::string>(), secretName)) {
            EXPECT_FALSE(e.contains("value")) << "plaintext credential in " << e["name"];
          }
        }
      }
      for (const auto& c : pod["containers"]) {
        SCOPED_TRACE(c["name"].get<std::string>());
        ASSERT_TRUE(c.contains("livenessProbe"));
        ASSERT_TRUE(c.contains("readinessProbe"));
        // kube-score's rule: the same handler on the same port for both is dangerous.
        const Json& l = c["livenessProbe"];
        const Json& rd = c["readinessProbe"];
        const bool sameHttp = l.contains("httpGet") && rd.contains("httpGet") && l["httpGet"]["path"] == rd["httpGet"]["path"] &&
                              l["httpGet"]["port"] == rd["httpGet"]["port"];
        const bool sameTcp = l.contains("tcpSocket") && rd.contains("tcpSocket") && l["tcpSocket"] == rd["tcpSocket"];
        const bool sameExec = l.contains("exec") && rd.contains("exec") && l["exec"] == rd["exec"];
        EXPECT_FALSE(sameHttp || sameTcp || sameExec) << "identical liveness and readiness probes";
      }
    }
  }
}

TEST(Hardening, AvailabilityAndIsolationCoverEveryWorkload) {
  for (const auto& a : test::kApps) {
    auto r = renderApp(a[1]);
    for (const auto& o : r.objects) {
      if (!isWorkload(o)) continue;
      const std::string name = o["metadata"]["name"];
      SCOPED_TRACE(std::string(a[0]) + "/" + name);
      const Json& podLabels = o["spec"]["template"]["metadata"]["labels"];
      const Json* hpa = find(r.objects, "HorizontalPodAutoscaler", name);
      if (hpa) {
        EXPECT_FALSE(o["spec"].contains("replicas")) << "a workload owned by an HPA must not set replicas";
        EXPECT_LE((*hpa)["spec"]["minReplicas"].get<int>(), (*hpa)["spec"]["maxReplicas"].get<int>());
      }
      const int maxPods = hpa ? (*hpa)["spec"]["maxReplicas"].get<int>() : o["spec"]["replicas"].get<int>();
      if (o["kind"] == "Deployment") {
        EXPECT_EQ(o["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
      } else {
        EXPECT_EQ(o["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"], "Retain");
        EXPECT_EQ(o["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"], "Retain");
        const Json* headless = find(r.objects, "Service", o["spec"]["serviceName"]);
        ASSERT_NE(headless, nullptr);
        EXPECT_EQ((*headless)["spec"]["clusterIP"], "None");
        EXPECT_EQ((*headless)["spec"]["publishNotReadyAddresses"], true);
        EXPECT_FALSE(o["spec"]["volumeClaimTemplates"].empty());
      }
      // PDB for every workload that can run two pods, never blocking unhealthy evictions.
      int pdbs = 0;
      for (const auto& p : r.objects)
        if (p["kind"] == "PodDisruptionBudget" && selects(p["spec"]["selector"]["matchLabels"], podLabels)) {
          ++pdbs;
          EXPECT_EQ(p["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
        }
      EXPECT_EQ(pdbs, maxPods >= 2 ? 1 : 0);
      if (maxPods >= 2) {
        EXPECT_TRUE(o["spec"]["template"]["spec"].contains("topologySpreadConstraints"));
        EXPECT_TRUE(o["spec"]["template"]["spec"].contains("affinity"));
      }
      // Isolation: a NetworkPolicy of its own, with both directions.
      int own = 0;
      for (const auto& p : r.objects)
        if (p["kind"] == "NetworkPolicy" && selects(p["spec"]["podSelector"]["matchLabels"], podLabels) &&
            p["spec"]["podSelector"]["matchLabels"].contains("app.kubernetes.io/name")) {
          ++own;
          EXPECT_EQ(p["spec"]["policyTypes"], Json::array({"Ingress", "Egress"}));
        }
      EXPECT_EQ(own, 1);
    }
  }
}

TEST(Hardening, EveryObjectIsLabelledAndNamespaced) {
  for (const auto& a : test::kApps) {
    auto r = renderApp(a[1]);
    for (const auto& o : r.objects) {
      SCOPED_TRACE(std::string(a[0]) + "/" + o["kind"].get<std::string>() + "/" + o["metadata"]["name"].get<std::string>());
      EXPECT_EQ(o["metadata"]["labels"]["app.kubernetes.io/managed-by"], "shopctl");
      if (o["kind"] == "Namespace") {
        EXPECT_EQ(o["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted");
        continue;
      }
      EXPECT_EQ(o["metadata"]["namespace"], r.app.namespace_);
      EXPECT_EQ(o["metadata"]["labels"]["shopctl.io/app"], r.app.name);
      EXPECT_EQ(o["metadata"]["labels"]["app.kubernetes.io/part-of"], r.app.name);
    }
    EXPECT_EQ(r.objects.front()["kind"], "Namespace") << "the namespace must be applied first";
  }
}

TEST(Hardening, ObjectsComeInApplyOrder) {
  for (const auto& a : test::kApps) {
    auto r = renderApp(a[1]);
    for (size_t i = 1; i < r.objects.size(); ++i)
      EXPECT_LE(kindRank(r.objects[i - 1]["kind"]), kindRank(r.objects[i]["kind"])) << a[0] << " object " << i;
  }
}
