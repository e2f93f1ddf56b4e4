#include "kube/outage.hpp"

#include <cmath>

#include "kube/log.hpp"

namespace kube {

OutageLog& OutageLog::process() {
  static OutageLog* log = new OutageLog;  // never destroyed: reflector threads may log at exit
  return *log;
}

void OutageLog::failed(const char* what, const std::string& resource, int code, const std::string& error,
                       Clock::time_point now) {
  std::lock_guard<std::mutex> l(mu_);
  Json fields = {{"resource", resource}, {"code", code}, {"error", error}};
  if (failures_ == 0) {
    since_ = now;
    down_ = true;
  }
  ++failures_;
  resources_.insert(resource);
  // The first failure, and one a minute while they go on (a long outage, or one whose end no
  // request has shown yet: a healthy watch shows it only when it delivers something).
  if (failures_ == 1 || now - lastWarn_ >= std::chrono::minutes(1)) {
    lastWarn_ = now;
    if (failures_ > 1) {
      fields["failedRequests"] = failures_;
      fields["seconds"] = std::round(std::chrono::duration<double>(now - since_).count());
    }
    fields["note"] = "retried with backoff; until one works again, further failures are logged at debug level";
    warn(what, fields);
  } else {
    debug(what, fields);
  }
}

void OutageLog::succeeded(Clock::time_point sent, Clock::time_point now) {
  if (!down_) return;
  std::lock_guard<std::mutex> l(mu_);
  if (failures_ == 0 || sent < since_) return;
  const double secs = std::chrono::duration<double>(now - since_).count();
  info("API server answering again; watches resume",
       {{"failedRequests", failures_}, {"resources", resources_.size()}, {"seconds", std::round(secs * 10) / 10}});
  failures_ = 0;
  resources_.clear();
  down_ = false;
}

}  // namespace kube
