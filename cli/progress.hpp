#pragma once
// Following a ShopApp's status: when is it done, and a live view of its components (a table
// redrawn in place on a terminal, one line per change in CI logs).
#include <string>

#include "core/io/json.hpp"

namespace shop::cli {

struct WaitState {
  bool done = false;     // Ready=True or Stalled=True for the current generation
  bool ready = false;    // done and Ready
  std::string reason;    // of the deciding condition
  std::string message;
  std::string blocking;  // what is still awaited, when not done
};

// The state of a ShopApp for `apply --wait`: nothing counts until status.observedGeneration
// has reached `generation` (or the object's newer generation).
WaitState waitState(const Json& app, int64_t generation);

// The components of a ShopApp's status as a table (header included), each line indented.
std::string componentsTable(const Json& app, const std::string& indent);

class ProgressView {
 public:
  explicit ProgressView(bool terminal) : terminal_(terminal) {}
  void show(const Json& app, const WaitState& st, double seconds);
  void finish();

 private:
  bool terminal_;
  size_t lines_ = 0;
  std::string last_;
};

}  // namespace shop::cli
