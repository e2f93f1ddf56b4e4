#include "kube/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>

namespace kube {

namespace {
std::atomic<int> gLevel{static_cast<int>(Level::Info)};
std::atomic<bool> gText{false};
std::mutex gMu;
const char* name(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    default: return "error";
  }
}
}  // namespace

void setLogLevel(Level l) { gLevel = static_cast<int>(l); }
Level logLevel() { return static_cast<Level>(gLevel.load()); }
void setLogText(bool text) { gText = text; }

bool parseLogLevel(const std::string& s, Level& out) {
  if (s == "debug") out = Level::Debug;
  else if (s == "info") out = Level::Info;
  else if (s == "warn") out = Level::Warn;
  else if (s == "error") out = Level::Error;
  else return false;
  return true;
}

static std::string format(bool micro) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = buf;
  if (micro) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us));
    s += frac;
  }
  return s + "Z";
}

std::string nowRfc3339() { return format(false); }
std::string nowRfc3339Micro() { return format(true); }

void log(Level l, const std::string& msg, const Json& fields) {
  if (static_cast<int>(l) < gLevel.load()) return;
  std::string line;
  if (gText) {
    line = nowRfc3339() + " " + name(l) + " " + msg;
    for (auto it = fields.begin(); it != fields.end(); ++it)
      line += " " + it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  } else {
    Json j = {{"ts", nowRfc3339Micro()}, {"level", name(l)}, {"msg", msg}};
    for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = *it;
    line = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  std::lock_guard<std::mutex> lock(gMu);
  std::cerr << line << "\n";
  std::cerr.flush();
}

}  // namespace kube
