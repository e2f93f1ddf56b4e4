#!/usr/bin/env bash
# An operator e2e test with the shop-operator of the sanitized build (AddressSanitizer,
# LeakSanitizer, UndefinedBehaviorSanitizer; scripts/test-sanitize.sh builds it, ctest test
# sanitize_unit, which these tests wait for). Issue 15.
#
#   sanitized.sh SANITIZE_BUILD_DIR TEST SHOPCTL
# runs tests/e2e/operator/TEST.sh with SANITIZE_BUILD_DIR/operator/shop-operator. Every report
# is fatal to the operator process (halt_on_error), and is written to a file of its own: the
# test fails if any is written, even when the script under it passed (a leak is reported when an
# operator exits after SIGTERM, when the script may no longer look).
set -euo pipefail
build=$1 t=$2 shopctl=$3
op="$build/operator/shop-operator"
[ -x "$op" ] || { echo "FAIL [sanitized $t] no sanitized operator at $op: the ctest test sanitize_unit builds it, and failed or did not run" >&2; exit 1; }
reports=$(mktemp -d "/tmp/e2e-sanitized-$t.XXXXXX")
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
rc=0
bash "$(dirname "$0")/$t.sh" "$op" "$shopctl" || rc=$?
if compgen -G "$reports/*" >/dev/null; then
  for f in "$reports"/*; do echo "----- $f" >&2; head -n 60 "$f" >&2; done
  echo "FAIL [sanitized $t] the sanitizers reported in shop-operator (above)" >&2
  exit 1
fi
rm -rf "$reports"
[ "$rc" = 0 ] || { echo "FAIL [sanitized $t] the test failed with the sanitized operator" >&2; exit "$rc"; }
echo "ok   [sanitized $t] passed with ASan, LSan and UBSan in shop-operator, and no report"
