#!/usr/bin/env bash
# The unit, golden and CLI tests (no cluster) in a build with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer, any report fatal (CMake option SHOP_SANITIZE). `make test-sanitize`
# and the ctest test sanitize_unit (issue 15) run it.
#
#   scripts/test-sanitize.sh [--build DIR] [--jobs N]
# Warnings are not errors there: GCC 12 gives false -Wmaybe-uninitialized warnings inside
# libstdc++'s <regex> under ASan.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build-sanitize
JOBS=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "test-sanitize.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
start=$SECONDS
cmake -S . -B "$BUILD" -G Ninja -DSHOP_SANITIZE=ON -DSHOP_WERROR=OFF -DSHOP_E2E=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$JOBS"
built=$SECONDS
cd "$BUILD"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$JOBS" -LE "e2e|fuzz|sanitize"
echo "test-sanitize: built in $((built - start)) s, tests in $((SECONDS - built)) s"
