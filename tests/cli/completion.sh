#!/usr/bin/env bash
# `shopctl completion bash|zsh|fish`, exercised in the shells themselves:
#  - bash: the script is sourced, COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT are set as bash sets
#    them, the function `complete -p shopctl` registered is called, and COMPREPLY is checked;
#  - fish: `complete -C 'shopctl ...'` asks fish what it would offer;
#  - zsh: the script parses (zsh -n), registers _shopctl after compinit, and an interactive zsh on
#    a pseudo-terminal offers the right words on TAB.
# zsh and fish are skipped (and said so) when not installed (scripts/install-deps.sh installs them).
#
#   tests/cli/completion.sh SHOPCTL
set -uo pipefail
SHOPCTL=${1:?usage: completion.sh SHOPCTL}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*" >&2; failed=$((failed + 1)); }

# The usage errors and the help.
rc=0; "$SHOPCTL" completion >"$WORK/out" 2>"$WORK/err" || rc=$?
[ "$rc" = 2 ] && grep -q "which shell" "$WORK/err" && [ ! -s "$WORK/out" ] &&
  ok "completion without a shell: exit 2, says which shells" || bad "completion without a shell: exit $rc: $(cat "$WORK/err")"
rc=0; "$SHOPCTL" completion tcsh >"$WORK/out" 2>"$WORK/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'unknown shell "tcsh"' "$WORK/err" && grep -q "bash, zsh and fish" "$WORK/err" &&
  ok "completion tcsh: exit 2, names it" || bad "completion tcsh: exit $rc: $(cat "$WORK/err")"
rc=0; "$SHOPCTL" completion --help >"$WORK/out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q 'source <(shopctl completion bash)' "$WORK/out" && grep -q 'fpath' "$WORK/out" &&
  grep -q 'completions/shopctl.fish' "$WORK/out" && ok "completion --help tells how to install it" ||
  bad "completion --help: exit $rc: $(head -c 400 "$WORK/out")"

for sh in bash zsh fish; do
  if "$SHOPCTL" completion $sh >"$WORK/shopctl.$sh" 2>"$WORK/err" && [ -s "$WORK/shopctl.$sh" ]; then
    ok "completion $sh prints a script"
  else
    bad "completion $sh: $(cat "$WORK/err")"
  fi
done

# Files for -f and --output-dir to find.
mkdir -p "$WORK/files/apps" "$WORK/files/out"
touch "$WORK/files/shop.yaml" "$WORK/files/other.json" "$WORK/files/notes.txt"

# bash. COMP_WORDS as bash splits the line (COMP_WORDBREAKS has '=': "--output=ya" is three words).
bash_complete() {  # LINE (the cursor at its end) -> the sorted COMPREPLY, space-separated
  (
    cd "$WORK/files" || exit 1
    # shellcheck disable=SC1091
    source "$WORK/shopctl.bash" || exit 1
    spec=$(complete -p shopctl) || exit 1
    fn=$(sed -E 's/.*-F ([^ ]+).*/\1/' <<<"$spec")
    COMP_LINE=$1
    COMP_POINT=${#1}
    read -ra COMP_WORDS <<<"${1//=/ = }"
    [[ $1 == *[\ =] ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    "$fn" shopctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
  )
}
expect_bash() {  # LINE WANT
  local got
  got=$(bash_complete "$1")
  [ "$got" = "$2" ] && ok "bash: '$1' -> '$2'" || bad "bash: '$1' -> '$got', want '$2'"
}
expect_bash "shopctl ren" "render"
expect_bash "shopctl v" "validate version"
expect_bash "shopctl comp" "completion"
expect_bash "shopctl --v" "--version"
expect_bash "shopctl render --gen" "--generate-secrets"
expect_bash "shopctl apply --gen" ""
expect_bash "shopctl apply --for" "--force-conflicts"
expect_bash "shopctl render --for" ""
expect_bash "shopctl render -o " "json summary yaml"
expect_bash "shopctl render -f shop.yaml -o " "json summary yaml"
expect_bash "shopctl render --output=" "json summary yaml"
expect_bash "shopctl render --output=s" "summary"
expect_bash "shopctl status -o " "json name table wide yaml"
expect_bash "shopctl audit --fail-on h" "high"
expect_bash "shopctl init --preset sock" "sockshop"
expect_bash "shopctl render -f " "apps other.json out shop.yaml"
expect_bash "shopctl validate -f shop.yaml -f " "apps other.json out shop.yaml"
expect_bash "shopctl apply --filename=" "apps other.json out shop.yaml"
expect_bash "shopctl render --output-dir " "apps out"
expect_bash "shopctl completion " "bash fish zsh"
expect_bash "shopctl completion z" "zsh"
expect_bash "shopctl help rend" "render"
expect_bash "shopctl render -n " ""

# fish: what `complete -C` offers (the candidate, a tab, its description).
if command -v fish >/dev/null; then
  fish -n "$WORK/shopctl.fish" && ok "fish -n: the script parses" || bad "fish -n rejects the script"
  fish_complete() {  # LINE -> the sorted candidates, space-separated
    (cd "$WORK/files" && fish --no-config -c "source '$WORK/shopctl.fish'; complete -C '$1'" 2>&1) |
      cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'
  }
  expect_fish() {
    local got
    got=$(fish_complete "$1")
    [ "$got" = "$2" ] && ok "fish: '$1' -> '$2'" || bad "fish: '$1' -> '$got', want '$2'"
  }
  expect_fish "shopctl ren" "render"
  expect_fish "shopctl render --gen" "--generate-secrets"
  expect_fish "shopctl apply --gen" ""
  expect_fish "shopctl render -o " "json summary yaml"
  expect_fish "shopctl completion " "bash fish zsh"
  expect_fish "shopctl render --output-dir " "apps/ out/"
  got=$(fish_complete "shopctl render -f ")
  grep -q "shop.yaml" <<<"$got" && grep -q "apps/" <<<"$got" && ok "fish: files and directories after -f ($got)" ||
    bad "fish: after -f: '$got'"
else
  echo "skip fish: not installed (scripts/install-deps.sh installs it)"
fi

# zsh: it parses; sourced after compinit it registers _shopctl; and in an interactive zsh on a
# pseudo-terminal (zsh/zpty), TAB offers what compadd is given (a wrapper prints each match).
if command -v zsh >/dev/null; then
  zsh -n "$WORK/shopctl.zsh" && ok "zsh -n: the script parses" || bad "zsh -n rejects the script"
  got=$(HOME=$WORK zsh -f -c "autoload -Uz compinit && compinit -u -D && source '$WORK/shopctl.zsh' && print -r -- \${_comps[shopctl]}" 2>&1)
  [ "$got" = "_shopctl" ] && ok "zsh: sourced after compinit, shopctl completes with _shopctl" ||
    bad "zsh: registration: '$got'"
  cat >"$WORK/tab.zsh" <<'ZSH'
# zsh -f tab.zsh SCRIPT DIR LINE: types LINE and TAB into an interactive zsh; prints its terminal.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PROMPT='>'; cd '$2'; autoload -Uz compinit; compinit -u -D; source '$1'"
zpty -w z "compadd() { local -a m; builtin compadd -O m \"\$@\"; print -r -- \"<<\${(j: :)m}>>\" >/dev/tty; builtin compadd \"\$@\" }"
sleep 1
zpty -w -n z "$3"$'\t'
sleep 1
zpty -w z $'\C-u'"print END-\$((40+2))"
zpty -r z out '*END-42*' || exit 1
print -r -- "$out"
zpty -d z
ZSH
  zsh_complete() {  # LINE -> the sorted matches, space-separated
    HOME=$WORK timeout 30 zsh -f "$WORK/tab.zsh" "$WORK/shopctl.zsh" "$WORK/files" "$1" | tr -d '\r' |
      grep -o '<<[^$>]*>>' | sed 's/^<<//; s/>>$//' | tr ' ' '\n' | grep -v '^$' | sort -u | tr '\n' ' ' | sed 's/ $//'
  }
  expect_zsh() {
    local got
    got=$(zsh_complete "$1")
    [ "$got" = "$2" ] && ok "zsh: '$1' -> '$2'" || bad "zsh: '$1' -> '$got', want '$2'"
  }
  expect_zsh "shopctl ren" "render"
  expect_zsh "shopctl apply --f" "--filename --force-conflicts"
  expect_zsh "shopctl render --f" "--filename"
  expect_zsh "shopctl render -o " "json summary yaml"
  expect_zsh "shopctl render --output=" "json summary yaml"
  expect_zsh "shopctl render -f " "apps other.json out shop.yaml"
  expect_zsh "shopctl render --output-dir " "apps out"
  expect_zsh "shopctl completion " "bash fish zsh"
else
  echo "skip zsh: not installed (scripts/install-deps.sh installs it)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
