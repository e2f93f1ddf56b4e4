#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# in a build directory of their own, and runs each for a while from a seed corpus made of the
# repository's own ShopApps and manifests (examples, the test corpus, the hostile corpus, the
# invalid ShopApps of the unit tests, the upstream fixtures when ../shared is beside the checkout).
#
#   bash fuzz/run.sh [--seconds N] [--build DIR] [--jobs J] [--targets "shopapp yaml manifests watch"]
#
# Defaults: 60 s per target, build directory build-fuzz, 2 jobs, all four targets: shopapp
# (ShopApp -> render -> emit), yaml (load -> emit -> load), manifests (audit, harden, import) and
# watch (kube/ watch-stream framing and event decoding). Exits non-zero when a target
# crashes, hangs, leaks, trips a sanitizer or breaks its property (see the targets' comments);
# the input that did it is kept under DIR/findings/ and its path printed. A crash found here is
# reproduced by running the target on that file: DIR/fuzz/<target>-fuzz FILE.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_EACH=60 BUILD="$ROOT/build-fuzz" JOBS=2 TARGETS="shopapp yaml manifests watch"
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
CXX=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
[ -n "$CXX" ] || { echo "fuzz/run.sh: no clang++ (apt install clang-14; scripts/install-deps.sh does)" >&2; exit 2; }

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSHOP_FUZZ=ON -DSHOP_WERROR=OFF -DBUILD_TESTING=OFF "${launcher[@]}" >"$BUILD.configure.log" 2>&1 ||
  { cat "$BUILD.configure.log" >&2; exit 2; }
nice -n 5 cmake --build "$BUILD" -j "$JOBS" --target shopapp-fuzz yaml-fuzz manifests-fuzz watch-fuzz >"$BUILD/build.log" 2>&1 ||
  { tail -n 40 "$BUILD/build.log" >&2; exit 2; }

# Seeds: every YAML file of these places (the fuzzers start from real shapes).
seeds=$BUILD/seeds
rm -rf "$seeds" && mkdir -p "$seeds/shopapp" "$seeds/yaml" "$seeds/manifests" "$seeds/watch"
cp "$ROOT"/fuzz/seeds/watch/* "$seeds/watch/"
cp "$ROOT"/fuzz/seeds/manifests/* "$seeds/manifests/"  # inputs that once crashed a target
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  if grep -q '^kind: ShopApp' "$f"; then cp "$f" "$seeds/shopapp/$n.yaml"; else cp "$f" "$seeds/manifests/$n.yaml"; fi
  cp "$f" "$seeds/yaml/$n.yaml"
done < <(find "$ROOT/manifests" "$ROOT/tests/corpus" "$ROOT/tests/hostile/cases" "$ROOT/tests/unit/data" \
              "$ROOT/../shared/fixtures" -name '*.yaml' -size -200k -print0 2>/dev/null)
echo "fuzz: $(ls "$seeds/shopapp" | wc -l) ShopApp seeds, $(ls "$seeds/manifests" | wc -l) manifest seeds, $(ls "$seeds/yaml" | wc -l) YAML seeds, $(ls "$seeds/watch" | wc -l) watch seeds; ${SECONDS_EACH}s per target"

rm -rf "$BUILD/findings" && mkdir -p "$BUILD/findings"
status=0
for t in $TARGETS; do
  corpus=$BUILD/corpus/$t
  mkdir -p "$corpus"
  # -rss_limit_mb: the loader's own limits must hold far below it; -timeout: one input, seconds.
  if ! (cd "$BUILD/findings" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$BUILD/fuzz/$t-fuzz" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1536 -max_len=65536 \
        -print_final_stats=1 "$corpus" "$seeds/$t" >"$BUILD/$t.log" 2>&1); then
    status=1
    echo "fuzz: $t-fuzz FAILED; last lines of $BUILD/$t.log:" >&2
    tail -n 40 "$BUILD/$t.log" >&2
    ls -1 "$BUILD/findings" | sed "s#^#  finding: $BUILD/findings/#" >&2
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/$t.log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$BUILD/$t.log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  echo "fuzz: $t-fuzz: $runs inputs run, coverage $cov edges, corpus $(ls "$corpus" | wc -l) files"
done
exit $status
