#include "core/diff/kustomize.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "core/diff/objects.hpp"
#include "core/io/yaml.hpp"
#include "core/util/text.hpp"

namespace shop::diff {

namespace {

std::vector<std::string> splitPointer(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  if (path[0] != '/') throw std::runtime_error("JSON pointer must start with '/': " + path);
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string un;
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] == '~' && i + 1 < seg.size()) {
        un += seg[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        un += seg[i];
      }
    }
    out.push_back(un);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

bool sameValue(const Json& a, const Json& b) { return objectText(a) == objectText(b); }

void patchOps(const Json& from, const Json& to, const std::string& path, Json& ops) {
  if (from.is_object() && to.is_object()) {
    for (auto it = from.begin(); it != from.end(); ++it)
      if (!to.contains(it.key())) ops.push_back({{"op", "remove"}, {"path", path + "/" + escapePointer(it.key())}});
    for (auto it = to.begin(); it != to.end(); ++it) {
      const std::string p = path + "/" + escapePointer(it.key());
      if (!from.contains(it.key())) ops.push_back({{"op", "add"}, {"path", p}, {"value", it.value()}});
      else patchOps(from[it.key()], it.value(), p, ops);
    }
    return;
  }
  if (from.is_array() && to.is_array() && from.size() == to.size()) {
    for (size_t i = 0; i < to.size(); ++i) patchOps(from[i], to[i], path + "/" + std::to_string(i), ops);
    return;
  }
  if (!sameValue(from, to)) ops.push_back({{"op", "replace"}, {"path", path}, {"value", to}});
}

Json target(const Json& obj) {
  ObjectKey k = keyOf(obj);
  Json t = Json::object();
  if (!k.group.empty()) t["group"] = k.group;
  t["version"] = k.version;
  t["kind"] = k.kind;
  t["name"] = k.name;
  if (!k.namespace_.empty()) t["namespace"] = k.namespace_;
  return t;
}

const std::vector<std::string> kListFields = {"services", "databases", "messaging"};

std::string setAt(Json& node, const std::vector<std::string>& segs, size_t i, const Json& value, const std::string& at) {
  if (node.is_null()) node = Json::object();
  if (!node.is_object()) return at + " is not an object";
  const std::string& seg = segs[i];
  const std::string here = at + "." + seg;
  if (i + 1 == segs.size()) {
    node[seg] = value;
    return "";
  }
  if (std::find(kListFields.begin(), kListFields.end(), seg) != kListFields.end()) {
    if (i + 2 >= segs.size()) return "after " + here + " give an element's name (or *) and a field, e.g. " + seg + ".NAME.replicas";
    if (!node.contains(seg) || !node[seg].is_array() || node[seg].empty()) return here + " has no elements";
    const std::string& sel = segs[i + 1];
    size_t matched = 0;
    for (size_t e = 0; e < node[seg].size(); ++e) {
      Json& elem = node[seg][e];
      if (sel != "*" && !(elem.is_object() && elem.value("name", "") == sel)) continue;
      ++matched;
      std::string err = setAt(elem, segs, i + 2, value, here + "[" + std::to_string(e) + "]");
      if (!err.empty()) return err;
    }
    if (matched == 0) return here + " has no element named \"" + sel + "\"";
    return "";
  }
  return setAt(node[seg], segs, i + 1, value, here);
}

}  // namespace

std::vector<std::string> layoutNames(const std::vector<Json>& objects) {
  std::map<std::string, int> uses;
  auto base = [](const Json& o) { return lower(o.value("kind", "")) + "-" + o["metadata"].value("name", ""); };
  for (const auto& o : objects) uses[base(o)]++;
  std::vector<std::string> names;
  for (const auto& o : objects) {
    std::string n = base(o);
    if (uses[n] > 1) {
      const ObjectKey k = keyOf(o);
      n = lower(k.kind) + (k.group.empty() ? "" : "." + k.group) + "-" + k.name;
    }
    names.push_back(n + ".yaml");
  }
  return names;
}

std::string kustomizationText(const std::string& comment, const Json& body) {
  std::string out;
  size_t start = 0;
  while (start < comment.size()) {
    size_t nl = comment.find('\n', start);
    std::string line = comment.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out += line.empty() ? "#\n" : "# " + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  Json k = {{"apiVersion", "kustomize.config.k8s.io/v1beta1"}, {"kind", "Kustomization"}};
  for (auto it = body.begin(); it != body.end(); ++it) k[it.key()] = it.value();
  return out + toYaml(k);
}

std::vector<LayoutFile> kustomizeBase(const std::vector<Json>& objects, const std::string& comment) {
  std::vector<LayoutFile> files;
  const auto names = layoutNames(objects);
  Json resources = Json::array();
  for (size_t i = 0; i < objects.size(); ++i) {
    files.push_back({names[i], toYaml(objects[i])});
    resources.push_back(names[i]);
  }
  files.push_back({"kustomization.yaml", kustomizationText(comment, {{"resources", resources}})});
  return files;
}

std::vector<LayoutFile> kustomizeOverlay(const std::vector<Json>& base, const std::vector<Json>& overlay,
                                         const std::string& basePath, const std::string& comment) {
  std::vector<LayoutFile> files;
  const auto baseNames = layoutNames(base);
  const auto overlayNames = layoutNames(overlay);
  Json resources = Json::array({basePath});
  Json patches = Json::array();
  auto find = [](const std::vector<Json>& objs, const ObjectKey& k) -> long {
    for (size_t i = 0; i < objs.size(); ++i)
      if (keyOf(objs[i]) == k) return static_cast<long>(i);
    return -1;
  };
  for (size_t i = 0; i < overlay.size(); ++i) {
    const long b = find(base, keyOf(overlay[i]));
    if (b < 0) {
      files.push_back({overlayNames[i], toYaml(overlay[i])});
      resources.push_back(overlayNames[i]);
      continue;
    }
    Json ops = jsonPatch(base[b], overlay[i]);
    if (ops.empty()) continue;
    const std::string file = "patch-" + baseNames[b];
    files.push_back({file, toYaml(ops)});
    patches.push_back({{"path", file}, {"target", target(base[b])}});
  }
  for (size_t i = 0; i < base.size(); ++i) {
    if (find(overlay, keyOf(base[i])) >= 0) continue;
    const std::string file = "delete-" + baseNames[i];
    Json del = {{"$patch", "delete"}, {"apiVersion", base[i]["apiVersion"]}, {"kind", base[i]["kind"]}};
    del["metadata"] = {{"name", base[i]["metadata"]["name"]}};
    if (base[i]["metadata"].contains("namespace")) del["metadata"]["namespace"] = base[i]["metadata"]["namespace"];
    files.push_back({file, toYaml(del)});
    patches.push_back({{"path", file}});
  }
  Json body = {{"resources", resources}};
  if (!patches.empty()) body["patches"] = patches;
  files.push_back({"kustomization.yaml", kustomizationText(comment, body)});
  return files;
}

Json jsonPatch(const Json& from, const Json& to) {
  Json ops = Json::array();
  patchOps(from, to, "", ops);
  return ops;
}

Json applyJsonPatch(Json doc, const Json& ops) {
  for (const auto& op : ops) {
    const std::string kind = op.value("op", "");
    const auto segs = splitPointer(op.value("path", ""));
    if (segs.empty()) {
      if (kind == "replace" || kind == "add") doc = op["value"];
      else throw std::runtime_error("cannot remove the whole document");
      continue;
    }
    Json* parent = &doc;
    for (size_t i = 0; i + 1 < segs.size(); ++i) {
      if (parent->is_object() && parent->contains(segs[i])) parent = &(*parent)[segs[i]];
      else if (parent->is_array() && !segs[i].empty() && std::all_of(segs[i].begin(), segs[i].end(), ::isdigit) &&
               std::stoul(segs[i]) < parent->size())
        parent = &(*parent)[std::stoul(segs[i])];
      else throw std::runtime_error("path does not resolve: " + op.value("path", ""));
    }
    const std::string& last = segs.back();
    if (parent->is_object()) {
      if (kind != "add" && !parent->contains(last)) throw std::runtime_error("no such field: " + op.value("path", ""));
      if (kind == "remove") parent->erase(last);
      else (*parent)[last] = op["value"];
    } else if (parent->is_array()) {
      const bool end = last == "-";
      if (!end && (last.empty() || !std::all_of(last.begin(), last.end(), ::isdigit)))
        throw std::runtime_error("bad index: " + op.value("path", ""));
      const size_t idx = end ? parent->size() : std::stoul(last);
      if (kind == "add") {
        if (idx > parent->size()) throw std::runtime_error("index out of range: " + op.value("path", ""));
        parent->insert(parent->begin() + static_cast<long>(idx), op["value"]);
      } else {
        if (idx >= parent->size()) throw std::runtime_error("index out of range: " + op.value("path", ""));
        if (kind == "remove") parent->erase(idx);
        else (*parent)[idx] = op["value"];
      }
    } else {
      throw std::runtime_error("path does not resolve: " + op.value("path", ""));
    }
  }
  return doc;
}

std::string applySet(Json& shopApp, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) return "--set " + assignment + ": expected PATH=VALUE, e.g. services.web.replicas=3";
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  std::vector<std::string> segs;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (segs[0] == "spec") segs.erase(segs.begin());
  if (segs.empty() || std::any_of(segs.begin(), segs.end(), [](const std::string& s) { return s.empty(); }))
    return "--set " + assignment + ": the path has an empty part";
  Json value = text;
  if (!text.empty()) {
    auto loaded = loadYaml(text);
    if (loaded.ok() && loaded.documents.size() == 1) value = loaded.documents[0].value;
  }
  if (!shopApp.is_object()) return "--set " + assignment + ": the ShopApp is not an object";
  std::string err = setAt(shopApp["spec"], segs, 0, value, "spec");
  return err.empty() ? "" : "--set " + assignment + ": " + err;
}

}  // namespace shop::diff
