#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
// text exposition format. Thread-safe.
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace shop::op {

class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  void describe(const std::string& name, const std::string& type, const std::string& help,
                std::vector<double> buckets = {});
  void inc(const std::string& name, const Labels& labels = {}, double by = 1);
  void set(const std::string& name, const Labels& labels, double value);
  void observe(const std::string& name, const Labels& labels, double value);
  double value(const std::string& name, const Labels& labels = {});  // counters and gauges
  std::string render();

 private:
  struct Family {
    std::string type, help;
    std::vector<double> buckets;
    std::map<std::string, double> values;  // label string -> value
    std::map<std::string, std::vector<double>> counts;  // histograms: per-bucket counts
    std::map<std::string, double> sums;
    std::map<std::string, double> totals;
  };
  static std::string key(const Labels& labels);
  std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace shop::op
