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
#include <string_view>

namespace shop {
struct JsonPrecondition : std::logic_error {
  using std::logic_error::logic_error;
};

[[noreturn]] inline void jsonPreconditionFailed(const char* expression, const char* file, int line) {
  throw JsonPrecondition(std::string("JSON precondition failed: ") + expression + " (" + file + ":" +
                         std::to_string(line) + ")");
}
}  // namespace shop

namespace shop::json_assert_detail {
// nlohmann also checks its own representation (an object value holds a non-null map...) in
// every constructor and destructor: assert_invariant(). No input reaches those, they were never
// compiled into a release build, and under the throwing JSON_ASSERT they cost 4-5 % of a
// `shopctl render` (bench/RESULTS.md). They stay out; the preconditions stay in.
constexpr bool representationInvariant(std::string_view expression) {
  return expression.starts_with("m_type != value_t::");
}
}  // namespace shop::json_assert_detail

#define JSON_ASSERT(x)                                                                    \
  do {                                                                                    \
    if constexpr (!::shop::json_assert_detail::representationInvariant(#x)) {             \
      if (!(x)) ::shop::jsonPreconditionFailed(#x, __FILE__, __LINE__);                   \
    }                                                                                     \
  } while (false)
