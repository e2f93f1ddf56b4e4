#!/usr/bin/env bash
# CTest fixture of the real-node tests:
#   fixture.sh up RUN_DIR     stop what a crashed earlier run (of any run dir) left, record the machine's state,
#                             start a testenv cluster with a real node (testenv/up --real-node)
#   fixture.sh down RUN_DIR   stop it, and fail if the machine is not as `up` found it
#                             (processes, iptables chains, ipsets, links, mounts, cgroups, sysctls)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
# shellcheck source=../../../testenv/lib/common.sh
source "$ROOT/testenv/lib/common.sh"
# shellcheck source=../../../testenv/lib/realnode-net.sh
source "$ROOT/testenv/lib/realnode-net.sh"
cmd=$1 run=$2
snap=$run.machine-before
case $cmd in
  up)
    bash "$ROOT/testenv/down" --run-dir "$run" >/dev/null 2>&1 || true
    # What any other run dir's crashed real node left (up would clean it, after the snapshot).
    rn_clean_stale "$run"
    rn_snapshot >"$snap"
    exec bash "$ROOT/testenv/up" --run-dir "$run" --real-node
    ;;
  down)
    bash "$ROOT/testenv/down" --run-dir "$run"
    [ -f "$snap" ] || { echo "no machine snapshot $snap from fixture up: nothing to compare"; exit 0; }
    if ! diff <(sort "$snap") <(rn_snapshot | sort) >"$snap.diff"; then
      echo "FAIL the real node left the machine changed (< before, > after):" >&2
      cat "$snap.diff" >&2
      exit 1
    fi
    echo "ok   the machine is as before the real node ($(wc -l <"$snap") items compared)"
    rm -f "$snap" "$snap.diff"
    ;;
  *) echo "usage: fixture.sh up|down RUN_DIR" >&2; exit 2 ;;
esac
