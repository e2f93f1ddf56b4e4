#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/cluster.hpp"

namespace shop::cli {

WaitState waitState(const Json& app, int64_t generation) {
  WaitState st;
  const Json meta = app.value("metadata", Json::object());
  const Json status = app.value("status", Json::object());
  const int64_t gen = std::max(generation, meta.value("generation", int64_t{0}));
  const int64_t seen = status.is_object() ? status.value("observedGeneration", int64_t{-1}) : -1;
  if (seen < gen) {
    st.blocking = "the operator has not observed generation " + std::to_string(gen) + " yet (status describes " +
                  (seen < 0 ? std::string("none") : "generation " + std::to_string(seen)) +
                  "): is shop-operator running?";
    return st;
  }
  if (const Json* s = findCondition(app, "Stalled"); s && s->value("status", "") == "True") {
    st.done = true;
    st.reason = s->value("reason", "");
    st.message = s->value("message", "");
    return st;
  }
  const Json* r = findCondition(app, "Ready");
  if (r && r->value("status", "") == "True") {
    st.done = st.ready = true;
    st.reason = r->value("reason", "");
    st.message = r->value("message", "");
    return st;
  }
  if (r) {
    st.reason = r->value("reason", "");
    st.message = r->value("message", "");
    st.blocking = "Ready=" + r->value("status", "") + " (" + st.reason + "): " + st.message;
  } else {
    st.blocking = "no Ready condition yet";
  }
  return st;
}

std::string componentsTable(const Json& app, const std::string& indent) {
  const Json status = app.value("status", Json::object());
  const Json comps = status.is_object() ? status.value("components", Json::array()) : Json::array();
  std::vector<std::vector<std::string>> t = {{"COMPONENT", "KIND", "WORKLOAD", "READY", "MESSAGE"}};
  for (const auto& c : comps)
    t.push_back({c.value("name", ""), c.value("kind", ""), c.value("workload", ""),
                 std::to_string(c.value("readyReplicas", 0)) + "/" + std::to_string(c.value("desiredReplicas", 0)),
                 c.value("message", "")});
  return formatTable(t, indent);
}

void ProgressView::show(const Json& app, const WaitState& st, double seconds) {
  const Json meta = app.value("metadata", Json::object());
  const std::string id = meta.value("namespace", "") + "/" + meta.value("name", "");
  const Json* r = findCondition(app, "Ready");
  const std::string readyText =
      r ? "Ready=" + r->value("status", "") + " " + r->value("reason", "") : std::string("Ready=?");
  if (!terminal_) {
    std::string line = st.done ? readyText + ": " + st.message : st.blocking;
    if (line == last_) return;
    last_ = line;
    char t[32];
    std::snprintf(t, sizeof t, "[%4lds] ", static_cast<long>(seconds));
    std::cout << t << "ShopApp " << id << " " << line << "\n" << std::flush;
    return;
  }
  const Json status = app.value("status", Json::object());
  std::string text = "ShopApp " + id + "  generation " + std::to_string(meta.value("generation", int64_t{0})) +
                     " (observed " +
                     (status.is_object() && status.contains("observedGeneration")
                          ? std::to_string(status["observedGeneration"].get<int64_t>())
                          : std::string("-")) +
                     ")  " + readyText + "  " + std::to_string(static_cast<long>(seconds)) + "s\n";
  text += componentsTable(app, "  ");
  if (!st.done) text += "  waiting: " + st.blocking + "\n";
  // Lines cut to the terminal's width, so each takes exactly one row and the redraw lands.
  winsize ws{};
  const size_t cols = ::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col - 1 : 200;
  std::string cut;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    cut += text.substr(start, std::min(nl - start, cols)) + "\n";
    start = nl + 1;
  }
  text = cut;
  if (lines_ > 0) std::cout << "\033[" << lines_ << "A\r\033[J";
  std::cout << text << std::flush;
  lines_ = 0;
  for (char ch : text) lines_ += ch == '\n';
}

void ProgressView::finish() { std::cout << std::flush; }

}  // namespace shop::cli
