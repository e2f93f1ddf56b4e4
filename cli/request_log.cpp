#include "cli/request_log.hpp"

#include <sys/time.h>

#include <cmath>
#include <ctime>

namespace shop::cli {

namespace {

void redactData(Json& obj) {
  if (!obj.is_object()) return;
  for (const char* field : {"data", "stringData"}) {
    auto it = obj.find(field);
    if (it == obj.end()) continue;
    if (it->is_object()) {
      for (auto& [k, v] : it->items()) {
        (void)k;
        v = "<redacted>";
      }
    } else {
      *it = "<redacted>";
    }
  }
}

std::string reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// A secrets URL: the collection or an object of core/v1 secrets (the path, not the query).
bool isSecretUrl(const std::string& url) {
  const std::string path = url.substr(0, url.find('?'));
  const auto at = path.find("/api/v1/");
  if (at == std::string::npos) return false;
  return path.find("/secrets", at) != std::string::npos;
}

std::string loggedBody(const std::string& body, bool secretUrl, int level) {
  Json j = Json::parse(body, nullptr, false);
  std::string text;
  if (j.is_discarded()) {
    if (secretUrl) return "[not logged: the body of a request about Secrets that is not JSON]";
    text = body;
  } else {
    text = redactSecrets(j, secretUrl).dump();
  }
  const size_t max = level >= 10 ? std::string::npos : level == 9 ? 10240 : 1024;
  if (text.size() > max) text = text.substr(0, max) + " [truncated " + std::to_string(text.size() - max) + " chars]";
  return text;
}

}  // namespace

Json redactSecrets(const Json& body, bool secretUrl) {
  Json out = body;
  if (!out.is_object()) return out;
  const std::string kind = out.value("kind", "");
  if (kind == "Secret" || (secretUrl && !out.contains("items"))) redactData(out);
  auto items = out.find("items");
  if (items != out.end() && items->is_array()) {
    const bool allSecrets = kind == "SecretList" || secretUrl;
    for (auto& item : *items)
      if (allSecrets || (item.is_object() && item.value("kind", "") == "Secret")) redactData(item);
  }
  return out;
}

std::vector<std::string> requestLogLines(const kube::Exchange& x, int level, const std::string& time) {
  std::vector<std::string> lines;
  if (level < 6) return lines;
  const std::string prefix = "I" + time + " shopctl] ";
  const bool secretUrl = isSecretUrl(x.url);
  if (level >= 8 && !x.requestBody.empty())
    lines.push_back(prefix + "Request Body: " + loggedBody(x.requestBody, secretUrl, level));
  const long ms = std::lround(x.seconds * 1000);
  std::string line = prefix + x.method + " " + x.url + " ";
  if (x.status == 0) {
    line += "(no response: " + (x.error.empty() ? std::string("unknown error") : x.error) + ") in " +
            std::to_string(ms) + " milliseconds";
  } else {
    const std::string r = reason(x.status);
    line += std::to_string(x.status) + (r.empty() ? "" : " " + r) + " in " + std::to_string(ms) + " milliseconds";
  }
  lines.push_back(line);
  if (level >= 8 && !x.responseBody.empty())
    lines.push_back(prefix + "Response Body: " + loggedBody(x.responseBody, secretUrl, level));
  return lines;
}

std::string klogTime() {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  std::tm tm{};
  const time_t secs = tv.tv_sec;
  ::localtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d%02d %02d:%02d:%02d.%06ld", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, static_cast<long>(tv.tv_usec));
  return buf;
}

}  // namespace shop::cli
