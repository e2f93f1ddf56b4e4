#include "operator/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace shop::op {

namespace {
std::string escape(const std::string& v) {
  std::string o;
  for (char c : v) {
    if (c == '\\' || c == '"') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o;
}
std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string Metrics::key(const Labels& labels) {
  std::string k;
  for (const auto& [n, v] : labels) k += (k.empty() ? "" : ",") + n + "=\"" + escape(v) + "\"";
  return k;
}

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help,
                       std::vector<double> buckets) {
  std::lock_guard<std::mutex> l(mu_);
  auto& f = families_[name];
  f.type = type;
  f.help = help;
  f.buckets = std::move(buckets);
}

void Metrics::inc(const std::string& name, const Labels& labels, double by) {
  std::lock_guard<std::mutex> l(mu_);
  families_[name].values[key(labels)] += by;
}

void Metrics::set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> l(mu_);
  families_[name].values[key(labels)] = value;
}

double Metrics::value(const std::string& name, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto v = f->second.values.find(key(labels));
  return v == f->second.values.end() ? 0 : v->second;
}

void Metrics::observe(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> l(mu_);
  auto& f = families_[name];
  const std::string k = key(labels);
  auto& c = f.counts[k];
  c.resize(f.buckets.size(), 0);
  for (size_t i = 0; i < f.buckets.size(); ++i)
    if (value <= f.buckets[i]) c[i] += 1;
  f.sums[k] += value;
  f.totals[k] += 1;
}

std::string Metrics::render() {
  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    if (f.type == "histogram") {
      for (const auto& [k, counts] : f.counts) {
        const std::string sep = k.empty() ? "" : ",";
        for (size_t i = 0; i < f.buckets.size(); ++i)
          out += name + "_bucket{" + k + sep + "le=\"" + num(f.buckets[i]) + "\"} " + num(counts[i]) + "\n";
        out += name + "_bucket{" + k + sep + "le=\"+Inf\"} " + num(f.totals.at(k)) + "\n";
        const std::string lbl = k.empty() ? "" : "{" + k + "}";
        out += name + "_sum" + lbl + " " + num(f.sums.at(k)) + "\n";
        out += name + "_count" + lbl + " " + num(f.totals.at(k)) + "\n";
      }
    } else {
      for (const auto& [k, v] : f.values) out += name + (k.empty() ? "" : "{" + k + "}") + " " + num(v) + "\n";
    }
  }
  return out;
}

}  // namespace shop::op
