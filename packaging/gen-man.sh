#!/usr/bin/env bash
# Man pages from the programs' own --help (help2man), so they never disagree with it:
# shopctl.1, one shopctl-CMD.1 per subcommand, and shop-operator.1.
#
#   packaging/gen-man.sh SHOPCTL SHOP_OPERATOR OUTDIR
set -euo pipefail
SHOPCTL=${1:?usage: gen-man.sh SHOPCTL SHOP_OPERATOR OUTDIR}
OPERATOR=${2:?usage: gen-man.sh SHOPCTL SHOP_OPERATOR OUTDIR}
OUT=${3:?usage: gen-man.sh SHOPCTL SHOP_OPERATOR OUTDIR}
command -v help2man >/dev/null || { echo "gen-man.sh: help2man is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
# The page date is the last commit's when known, so a rebuild of one commit makes the same pages.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$(dirname "$0")" log -1 --format=%ct 2>/dev/null || echo 0)
  export SOURCE_DATE_EPOCH
fi
mkdir -p "$OUT"
h2m() { help2man -N --no-discard-stderr --version-option=--version "$@"; }

h2m --name "deploy and harden microservice apps described by one ShopApp resource" \
  --include /dev/stdin "$SHOPCTL" >"$OUT/shopctl.1" <<'INC'
[SEE ALSO]
Each command has a page of its own:
.BR shopctl\-init (1),
.BR shopctl\-render (1),
.BR shopctl\-audit (1),
and so on, and
.BR shop\-operator (1).
`shopctl CMD \-\-help` prints the same text.
INC

# Subcommands and their one-line summaries, from the Subcommands: list of shopctl --help.
"$SHOPCTL" --help | sed -n '/^Subcommands:/,$p' | grep -E '^  [a-z]+ ' | while read -r cmd summary; do
  h2m --help-option="$cmd --help" --name "$summary" "$SHOPCTL" |
    sed -e "s/^\.TH SHOPCTL /.TH SHOPCTL\\\\-${cmd^^} /" -e "/^\.SH NAME/{n;s/^shopctl \\\\-/shopctl\\\\-$cmd \\\\-/}" \
    >"$OUT/shopctl-$cmd.1"
done

h2m --name "keeps every ShopApp's Kubernetes objects equal to what shopctl render prints" "$OPERATOR" >"$OUT/shop-operator.1"
