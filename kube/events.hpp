#pragma once
// events.k8s.io/v1 Events about objects, deduplicated: the same reason and note about the
// same object is sent at most once per ten minutes.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "kube/client.hpp"

namespace kube {

class EventRecorder {
 public:
  EventRecorder(Client& c, std::string controller, std::string instance)
      : c_(c), controller_(std::move(controller)), instance_(std::move(instance)) {}
  // type: Normal or Warning. regarding: the object (apiVersion, kind, metadata.name/namespace/uid).
  void record(const Json& regarding, const std::string& type, const std::string& reason, const std::string& action,
              const std::string& note);

 private:
  Client& c_;
  std::string controller_, instance_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> sent_;
};

}  // namespace kube
