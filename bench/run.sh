#!/usr/bin/env bash
# Runs the benchmarks and prints figures (`make bench`). Nothing here is a pass/fail test.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
cmake --build "$BUILD" -j 2 --target shop-bench shopctl >/dev/null
echo "== core benchmarks (Sock Shop ShopApp: 8 services, 5 databases, 1 broker)"
"$BUILD/bench/shop-bench" --benchmark_min_time=0.5 "${@:2}"
echo
echo "== shopctl render -f manifests/sockshop/shopapp.yaml, whole process (10 runs)"
start=$(date +%s%N)
for _ in $(seq 10); do "$BUILD/cli/shopctl" render -f manifests/sockshop/shopapp.yaml >/dev/null 2>&1; done
end=$(date +%s%N)
echo "mean wall time: $(( (end - start) / 10000000 )) ms"
if command -v valgrind >/dev/null 2>&1; then
  echo
  echo "== instructions (valgrind --tool=callgrind; repeatable on any machine)"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BUILD/cli/shopctl" render -f manifests/sockshop/shopapp.yaml 2>&1 >/dev/null |
    grep -E "Collected" || true
fi
