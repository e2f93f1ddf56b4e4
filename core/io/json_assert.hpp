#pragma once
// Included before every translation unit (CMakeLists.txt, -include), so that nlohmann/json sees
// it before its own default. nlohmann checks its preconditions with JSON_ASSERT, which is assert()
// and so nothing in a release build: reading an absent key through a const operator[] then reads
// past the end of the object (undefined behaviour; a heap overflow under ASan). Audit, harden and
// import read manifests that nobody here wrote, and such a read is the bug class the manifests
// fuzzer kept finding. Here a failed precondition throws shop::JsonPrecondition instead, in every
// build: the command stops with an internal error (exit 3) and the operator fails that one
// reconcile, rather than reading freed memory. It is a function call, not a throw expression,
// because a few JSON_ASSERTs sit in noexcept functions, where a visible throw fails -Werror.
#include <stdexcept>
#include <string>

namespace shop {
struct JsonPrecondition : std::logic_error {
  using std::logic_error::logic_error;
};

[[noreturn]] inline void jsonPreconditionFailed(const char* expression, const char* file, int line) {
  throw JsonPrecondition(std::string("JSON precondition failed: ") + expression + " (" + file + ":" +
                         std::to_string(line) + ")");
}
}  // namespace shop

#define JSON_ASSERT(x) ((x) ? static_cast<void>(0) : ::shop::jsonPreconditionFailed(#x, __FILE__, __LINE__))
