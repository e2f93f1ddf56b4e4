#pragma once
// Structured JSON logs, one object per line on stderr: {"ts","level","msg",...fields}.
#include <atomic>
#include <string>

#include "core/io/json.hpp"

namespace kube {

using Json = shop::Json;

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void setLogLevel(Level l);
Level logLevel();
bool parseLogLevel(const std::string& s, Level& out);
// Human-readable text lines instead of JSON (for a terminal).
void setLogText(bool text);

void log(Level l, const std::string& msg, const Json& fields = Json::object());
inline void debug(const std::string& m, const Json& f = Json::object()) { log(Level::Debug, m, f); }
inline void info(const std::string& m, const Json& f = Json::object()) { log(Level::Info, m, f); }
inline void warn(const std::string& m, const Json& f = Json::object()) { log(Level::Warn, m, f); }
inline void error(const std::string& m, const Json& f = Json::object()) { log(Level::Error, m, f); }

// RFC 3339 UTC time with seconds ("2026-11-22T04:58:31Z"), and with microseconds.
std::string nowRfc3339();
std::string nowRfc3339Micro();

}  // namespace kube
