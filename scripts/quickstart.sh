#!/usr/bin/env bash
# The main job: build shopctl, validate and render the Sock Shop, and show what would be
# deployed. (`make quickstart` runs this after installing dependencies and building.)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHOPCTL="$BUILD/cli/shopctl"
APP=manifests/sockshop/shopapp.yaml

echo "==> shopctl $("$SHOPCTL" version | cut -d' ' -f2-)"
echo "==> validating $APP"
"$SHOPCTL" validate -f "$APP"
echo "==> rendering $APP"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$SHOPCTL" render -f "$APP" --output-dir "$out/sockshop" 2>/dev/null
echo "    $(ls "$out/sockshop" | wc -l) hardened objects, one file each (try: $SHOPCTL render -f $APP --output-dir out/)"
echo
"$SHOPCTL" render -f "$APP" -o summary 2>/dev/null
cat <<NEXT

Next:
  $SHOPCTL render -f $APP | less          # every object, in apply order
  $SHOPCTL init --preset cafe > cafe.yaml  # start your own app
  $SHOPCTL validate -f cafe.yaml           # every error at once, with file:line:col
NEXT
