#include "core/audit/shape.hpp"

#include <functional>
#include <map>
#include <vector>

#include "core/audit/inventory.hpp"
#include "core/io/diag.hpp"
#include "core/model/reader.hpp"

namespace shop::audit {

namespace {

enum class T { Str, Int, Bool, IntOrStr, Num, Obj, ObjList, StrList, StrMap, QuantityMap };

struct Spec;
struct Field {
  T type;
  const Spec* sub = nullptr;  // for Obj and ObjList
};
struct Spec {
  std::map<std::string, Field> fields;
  std::vector<std::string> required = {};  // required by the API server too
};

const char* want(T t) {
  switch (t) {
    case T::Str: return "a string";
    case T::Int: return "an integer";
    case T::Bool: return "true or false";
    case T::IntOrStr: return "an integer or a string";
    case T::Num: return "a number";
    case T::Obj: return "an object";
    case T::ObjList: return "a list of objects";
    case T::StrList: return "a list of strings";
    case T::StrMap: return "a map of strings";
    case T::QuantityMap: return "a map of quantities";
  }
  return "";
}

bool isIntOrStr(const Json& v) { return v.is_string() || v.is_number_integer(); }
bool isQuantityLike(const Json& v) { return v.is_string() || v.is_number(); }

// The fields audit, harden and import read, with their Kubernetes types.
const Spec& metadataSpec() {
  static const Spec s{{{"name", {T::Str}},
                       {"namespace", {T::Str}},
                       {"generateName", {T::Str}},
                       {"labels", {T::StrMap}},
                       {"annotations", {T::StrMap}},
                       {"ownerReferences", {T::ObjList}}}};
  return s;
}

const Spec& probeSpec() {
  static const Spec http{{{"path", {T::Str}}, {"port", {T::IntOrStr}}, {"scheme", {T::Str}}}};
  static const Spec tcp{{{"port", {T::IntOrStr}}}};
  static const Spec exec{{{"command", {T::StrList}}}};
  static const Spec s{{{"httpGet", {T::Obj, &http}},
                       {"tcpSocket", {T::Obj, &tcp}},
                       {"exec", {T::Obj, &exec}},
                       {"grpc", {T::Obj}},
                       {"initialDelaySeconds", {T::Int}},
                       {"periodSeconds", {T::Int}},
                       {"timeoutSeconds", {T::Int}},
                       {"failureThreshold", {T::Int}},
                       {"successThreshold", {T::Int}}}};
  return s;
}

const Spec& securityContextSpec() {
  static const Spec caps{{{"add", {T::StrList}}, {"drop", {T::StrList}}}};
  static const Spec seccomp{{{"type", {T::Str}}, {"localhostProfile", {T::Str}}}};
  static const Spec s{{{"privileged", {T::Bool}},
                       {"allowPrivilegeEscalation", {T::Bool}},
                       {"readOnlyRootFilesystem", {T::Bool}},
                       {"runAsNonRoot", {T::Bool}},
                       {"runAsUser", {T::Int}},
                       {"runAsGroup", {T::Int}},
                       {"fsGroup", {T::Int}},
                       {"capabilities", {T::Obj, &caps}},
                       {"seccompProfile", {T::Obj, &seccomp}},
                       {"procMount", {T::Str}}}};
  return s;
}

const Spec& containerSpec() {
  static const Spec port{{{"containerPort", {T::Int}},
                          {"hostPort", {T::Int}},
                          {"name", {T::Str}},
                          {"protocol", {T::Str}}},
                         {"containerPort"}};
  static const Spec keyRef{{{"name", {T::Str}}, {"key", {T::Str}}, {"optional", {T::Bool}}}};
  static const Spec fieldRef{{{"fieldPath", {T::Str}}, {"apiVersion", {T::Str}}}};
  static const Spec valueFrom{{{"secretKeyRef", {T::Obj, &keyRef}},
                               {"configMapKeyRef", {T::Obj, &keyRef}},
                               {"fieldRef", {T::Obj, &fieldRef}},
                               {"resourceFieldRef", {T::Obj}}}};
  static const Spec env{{{"name", {T::Str}}, {"value", {T::Str}}, {"valueFrom", {T::Obj, &valueFrom}}}, {"name"}};
  static const Spec ref{{{"name", {T::Str}}, {"optional", {T::Bool}}}};
  static const Spec envFrom{{{"prefix", {T::Str}},
                             {"configMapRef", {T::Obj, &ref}},
                             {"secretRef", {T::Obj, &ref}}}};
  static const Spec resources{{{"limits", {T::QuantityMap}}, {"requests", {T::QuantityMap}}}};
  static const Spec mount{{{"name", {T::Str}},
                           {"mountPath", {T::Str}},
                           {"subPath", {T::Str}},
                           {"readOnly", {T::Bool}}},
                          {"name", "mountPath"}};
  static const Spec s{{{"name", {T::Str}},
                       {"image", {T::Str}},
                       {"imagePullPolicy", {T::Str}},
                       {"command", {T::StrList}},
                       {"args", {T::StrList}},
                       {"workingDir", {T::Str}},
                       {"ports", {T::ObjList, &port}},
                       {"env", {T::ObjList, &env}},
                       {"envFrom", {T::ObjList, &envFrom}},
                       {"resources", {T::Obj, &resources}},
                       {"volumeMounts", {T::ObjList, &mount}},
                       {"livenessProbe", {T::Obj, &probeSpec()}},
                       {"readinessProbe", {T::Obj, &probeSpec()}},
                       {"startupProbe", {T::Obj, &probeSpec()}},
                       {"securityContext", {T::Obj, &securityContextSpec()}},
                       {"lifecycle", {T::Obj}},
                       {"stdin", {T::Bool}},
                       {"tty", {T::Bool}}},
                      {"name"}};
  return s;
}

const Spec& podSpec() {
  static const Spec hostPath{{{"path", {T::Str}}, {"type", {T::Str}}}};
  static const Spec claim{{{"claimName", {T::Str}}, {"readOnly", {T::Bool}}}};
  static const Spec named{{{"name", {T::Str}}, {"secretName", {T::Str}}, {"defaultMode", {T::Int}}}};
  static const Spec volume{{{"name", {T::Str}},
                            {"hostPath", {T::Obj, &hostPath}},
                            {"persistentVolumeClaim", {T::Obj, &claim}},
                            {"configMap", {T::Obj, &named}},
                            {"secret", {T::Obj, &named}},
                            {"emptyDir", {T::Obj}}},
                           {"name"}};
  static const Spec toleration{{{"key", {T::Str}}, {"operator", {T::Str}}, {"value", {T::Str}}, {"effect", {T::Str}}}};
  static const Spec pullSecret{{{"name", {T::Str}}}};
  static const Spec s{{{"containers", {T::ObjList, &containerSpec()}},
                       {"initContainers", {T::ObjList, &containerSpec()}},
                       {"ephemeralContainers", {T::ObjList, &containerSpec()}},
                       {"volumes", {T::ObjList, &volume}},
                       {"securityContext", {T::Obj, &securityContextSpec()}},
                       {"hostNetwork", {T::Bool}},
                       {"hostPID", {T::Bool}},
                       {"hostIPC", {T::Bool}},
                       {"automountServiceAccountToken", {T::Bool}},
                       {"serviceAccountName", {T::Str}},
                       {"serviceAccount", {T::Str}},
                       {"nodeSelector", {T::StrMap}},
                       {"tolerations", {T::ObjList, &toleration}},
                       {"affinity", {T::Obj}},
                       {"topologySpreadConstraints", {T::ObjList}},
                       {"imagePullSecrets", {T::ObjList, &pullSecret}},
                       {"priorityClassName", {T::Str}},
                       {"terminationGracePeriodSeconds", {T::Int}}}};
  return s;
}

const Spec& templateSpec() {
  static const Spec s{{{"metadata", {T::Obj, &metadataSpec()}}, {"spec", {T::Obj, &podSpec()}}}};
  return s;
}

const Spec& selectorSpec() {
  static const Spec s{{{"matchLabels", {T::StrMap}}, {"matchExpressions", {T::ObjList}}}};
  return s;
}

const Spec& workloadSpec() {
  static const Spec claimTemplate{{{"metadata", {T::Obj, &metadataSpec()}}, {"spec", {T::Obj}}}};
  static const Spec s{{{"replicas", {T::Int}},
                       {"selector", {T::Obj, &selectorSpec()}},
                       {"template", {T::Obj, &templateSpec()}},
                       {"serviceName", {T::Str}},
                       {"volumeClaimTemplates", {T::ObjList, &claimTemplate}},
                       {"strategy", {T::Obj}},
                       {"minReadySeconds", {T::Int}}}};
  return s;
}

const Spec& cronJobSpec() {
  static const Spec jobTemplate{{{"metadata", {T::Obj, &metadataSpec()}}, {"spec", {T::Obj, &workloadSpec()}}}};
  static const Spec s{{{"schedule", {T::Str}}, {"jobTemplate", {T::Obj, &jobTemplate}}}};
  return s;
}

const Spec& serviceSpec() {
  static const Spec port{{{"port", {T::Int}},
                          {"targetPort", {T::IntOrStr}},
                          {"nodePort", {T::Int}},
                          {"name", {T::Str}},
                          {"protocol", {T::Str}},
                          {"appProtocol", {T::Str}}},
                         {"port"}};
  static const Spec s{{{"ports", {T::ObjList, &port}},
                       {"selector", {T::StrMap}},
                       {"type", {T::Str}},
                       {"clusterIP", {T::Str}},
                       {"externalName", {T::Str}}}};
  return s;
}

const Spec* specFor(const std::string& kind) {
  if (kind == "CronJob") return &cronJobSpec();
  if (kind == "Pod") return &podSpec();
  if (kind == "Service") return &serviceSpec();
  if (!podSpecPathFor(kind).empty()) return &workloadSpec();
  return nullptr;
}

// Null means absent (as for the API server): drop null fields and items everywhere.
void dropNulls(Json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        dropNulls(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    Json kept = Json::array();
    for (auto& item : v)
      if (!item.is_null()) {
        dropNulls(item);
        kept.push_back(std::move(item));
      }
    v = std::move(kept);
  }
}

struct Checker {
  std::vector<ShapeProblem>& out;

  void bad(const std::string& path, T type, const Json& v) {
    out.push_back({path, std::string("must be ") + want(type) + ", not " + jsonTypeName(v)});
  }

  void check(const Json& v, const Field& f, const std::string& path) {
    switch (f.type) {
      case T::Str: if (!v.is_string()) bad(path, f.type, v); return;
      case T::Int: if (!v.is_number_integer()) bad(path, f.type, v); return;
      case T::Bool: if (!v.is_boolean()) bad(path, f.type, v); return;
      case T::Num: if (!v.is_number()) bad(path, f.type, v); return;
      case T::IntOrStr: if (!isIntOrStr(v)) bad(path, f.type, v); return;
      case T::Obj:
        if (!v.is_object()) return bad(path, f.type, v);
        if (f.sub) object(v, *f.sub, path);
        return;
      case T::ObjList:
        if (!v.is_array()) return bad(path, f.type, v);
        for (size_t i = 0; i < v.size(); ++i) {
          if (!v[i].is_object()) {
            bad(indexPath(path, i), T::Obj, v[i]);
          } else if (f.sub) {
            object(v[i], *f.sub, indexPath(path, i));
          }
        }
        return;
      case T::StrList:
        if (!v.is_array()) return bad(path, f.type, v);
        for (size_t i = 0; i < v.size(); ++i)
          if (!v[i].is_string()) bad(indexPath(path, i), T::Str, v[i]);
        return;
      case T::StrMap:
      case T::QuantityMap:
        if (!v.is_object()) return bad(path, f.type, v);
        for (auto it = v.begin(); it != v.end(); ++it)
          if (f.type == T::StrMap ? !it->is_string() : !isQuantityLike(*it))
            out.push_back({childPath(path, it.key()),
                           std::string("must be ") + (f.type == T::StrMap ? "a string" : "a quantity") +
                               ", not " + jsonTypeName(*it)});
        return;
    }
  }

  void object(const Json& obj, const Spec& spec, const std::string& path) {
    for (const auto& r : spec.required)
      if (!obj.contains(r)) out.push_back({childPath(path, r), "is required"});
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      auto f = spec.fields.find(it.key());
      if (f != spec.fields.end()) check(*it, f->second, childPath(path, it.key()));
    }
  }
};

}  // namespace

std::vector<ShapeProblem> normalizeShape(Json& object) {
  std::vector<ShapeProblem> out;
  dropNulls(object);
  Checker c{out};
  const Field meta{T::Obj, &metadataSpec()};
  // Every reader may then take metadata as an object: a document without it (a Kustomization,
  // a kubeconfig) gets an empty one, instead of a read past the end of a const lookup.
  if (object.is_object() && !object.contains("metadata")) object["metadata"] = Json::object();
  if (object.contains("metadata")) c.check(object["metadata"], meta, "metadata");
  const std::string kind = object.contains("kind") && object["kind"].is_string() ? object["kind"].get<std::string>() : "";
  if (const Spec* s = specFor(kind); s && object.contains("spec")) c.check(object["spec"], Field{T::Obj, s}, "spec");
  return out;
}

bool shapeOk(Json& object, const std::string& prefix,
             const std::function<void(const std::string&, const std::string&)>& report) {
  const auto problems = normalizeShape(object);
  for (const auto& p : problems) {
    std::string full = prefix;
    if (!p.path.empty()) full = full.empty() ? p.path : full + "." + p.path;
    report(full, p.message);
  }
  return problems.empty();
}

}  // namespace shop::audit
