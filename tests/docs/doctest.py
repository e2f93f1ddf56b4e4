#!/usr/bin/env python3
"""Runs the commands the docs show (issue 12: docs that match).

A fenced ```sh block directly preceded by the line `<!-- doctest -->` is runnable offline, one
preceded by `<!-- doctest cluster -->` against a cluster. Every ```sh and ```console block of the
files carries a marker: one that cannot run here says why, `<!-- doctest skip: REASON -->` (it
needs a registry, a container engine, a GUI, writes outside the playground, ...), and is listed as
skipped with that reason; a block with no marker fails the run, so none goes untested unnoticed. Every command in it runs, in order, in
a playground directory shared by the blocks of the same Markdown file, with the shopctl under
test first on PATH.
- Offline blocks run in both modes; cluster blocks only with --cluster (KUBECONFIG from the
  environment; tests/e2e/docs_cluster.sh runs them on testenv with shop-operator running).
- An offline command passes when it exits 0 or 1 (1 is a finding or a difference, which the
  examples show); 2 (a usage or input error, such as a flag the docs name and shopctl no longer
  has) or more fails. A cluster command must exit 0, or 0 or 1 when its comment says "exit 1".
- A command holding the placeholder ` ... ` is not runnable as written: it is skipped, and said.
- A marked ```console block shows commands and what they print: a line starting with `$ ` is a
  command (a trailing backslash continues it on the next line), the lines after it up to the
  next command are its output as the docs show it. That output is a shape the real one must
  have: every shown line, trailing spaces aside, must appear in the real output, in the same
  order within stdout and within stderr; other lines may come between them, and `...` in a
  shown line stands for any text. A command shown as `$ echo $?` checks the exit code of the one before.

The playground holds what the docs assume the reader has (see PLAYGROUND below), and links to
the repository's crds/, manifests/, charts/ and scripts/ (the docs run those from its root).

  tests/docs/doctest.py --shopctl build/cli/shopctl [--fixtures DIR] [--cluster] [FILE.md ...]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_FILES = ["README.md", "docs/hardening.md", "docs/gitops.md", "docs/shopapp.md", "docs/operator.md"]
MARKERS = {"<!-- doctest -->": "offline", "<!-- doctest cluster -->": "cluster"}
SKIP = re.compile(r"^<!-- doctest skip: (\S.*\S) -->$")
FENCES = ("```sh", "```console")

# What the docs' examples take for granted, made once per Markdown file.
PLAYGROUND = """
set -e
shopctl init --preset sockshop > shop.yaml
shopctl init --preset minimal > blog.yaml
mkdir -p apps/shop deploy
cp shop.yaml apps/shop/shopapp.yaml
cp "$REPO/manifests/examples/minimal.yaml" minimal.yaml
cp blog.yaml apps/blog.yaml
cp "$FIXTURES/sockshop-upstream/complete-demo.yaml" complete-demo.yaml
cp complete-demo.yaml app.yaml
cp complete-demo.yaml deploy/complete-demo.yaml
git init -q . && git config user.email docs@example.com && git config user.name docs
for d in crds manifests charts scripts; do ln -s "$REPO/$d" "$d"; done
"""


def blocks(path):
    """(line number, kind, [command lines]) of every marked block of a Markdown file; for a
    skipped block, (line number, "skip", reason). An unmarked ```sh or ```console block is an error."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    fenced = False  # inside a fence: its lines are not markers or blocks
    for i, line in enumerate(lines):
        if line.startswith("```"):
            if not fenced and line.startswith(FENCES):
                prev = lines[i - 1].strip() if i else ""
                if not prev.startswith("<!-- doctest"):
                    raise SystemExit(
                        f"{path}:{i + 1}: a {line.strip()} block without a doctest marker on the line before it: "
                        "mark it <!-- doctest -->, <!-- doctest cluster --> or <!-- doctest skip: REASON -->")
            fenced = not fenced
            continue
        if fenced:
            continue
        skip = SKIP.match(line.strip())
        kind = "skip" if skip else MARKERS.get(line.strip())
        if kind is None:
            if line.strip().startswith("<!-- doctest"):
                raise SystemExit(f"{path}:{i + 1}: unknown marker {line.strip()} "
                                 f"(known: {', '.join(MARKERS)}, <!-- doctest skip: REASON -->)")
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith(FENCES):
            raise SystemExit(f"{path}:{i + 1}: {line.strip()} must be followed by a ```sh or ```console block")
        if skip:
            out.append((i + 2, "skip", skip.group(1)))
            continue
        body, j = [], i + 2
        while j < len(lines) and not lines[j].startswith("```"):
            body.append(lines[j])
            j += 1
        if lines[i + 1].startswith("```console"):
            out.append((i + 2, kind, console(body, i + 3, path)))
        else:
            out.append((i + 2, kind, [(n, c, None) for n, c in commands(body, i + 3)]))
    return out


def console(body, first_line, path):
    """(line, command, shown output lines) of a console block: `$ ` lines and what follows them."""
    out, n = [], 0
    while n < len(body):
        line = body[n]
        if not line.startswith("$ "):
            raise SystemExit(f"{path}:{first_line + n}: a console block must start with a `$ ` command line")
        start, cmd = first_line + n, line[2:]
        while cmd.rstrip().endswith("\\") and n + 1 < len(body):
            n += 1
            cmd = cmd.rstrip()[:-1] + " " + body[n].strip()
        shown = []
        n += 1
        while n < len(body) and not body[n].startswith("$ "):
            shown.append(body[n].rstrip())
            n += 1
        while shown and not shown[-1]:
            shown.pop()
        out.append((start, cmd.strip(), shown))
    return out


def shape_mismatch(shown, stdout, stderr):
    """None if every shown line appears in the output, in order within its stream (`...` matches
    any text), else the first shown line that does not. The streams are matched apart: a pipe
    buffers stdout, so how they interleave is not what a terminal shows."""
    streams = [[l.rstrip() for l in stdout.split("\n")], [l.rstrip() for l in stderr.split("\n")]]
    at = [0, 0]
    for want in shown:
        if not want.strip():
            continue
        pattern = re.compile("^" + ".*".join(re.escape(part) for part in want.split("...")) + "$")
        for k, got in enumerate(streams):
            i = at[k]
            while i < len(got) and not pattern.match(got[i]):
                i += 1
            if i < len(got):
                at[k] = i + 1
                break
        else:
            return want
    return None


def commands(body, first_line):
    """Logical command lines (a trailing backslash continues a line); comment-only lines dropped."""
    out, current, start = [], "", None
    for n, line in enumerate(body, first_line):
        if start is None:
            start = n
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            out.append((start, current.strip()))
        current, start = "", None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shopctl", required=True)
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "..", "shared", "fixtures"))
    ap.add_argument("--cluster", action="store_true", help="also run the cluster blocks (KUBECONFIG)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    shopctl_dir = os.path.dirname(os.path.abspath(args.shopctl))
    env = dict(os.environ, PATH=shopctl_dir + os.pathsep + os.environ.get("PATH", ""),
               FIXTURES=os.path.abspath(args.fixtures), REPO=ROOT, NO_COLOR="1",
               HOME=tempfile.mkdtemp(prefix="doctest-home-"))
    if not args.cluster:
        env.pop("KUBECONFIG", None)  # offline: a command that reaches for a cluster fails here
    passed = failed = skipped = skipped_blocks = 0
    files = args.files or DEFAULT_FILES
    runnable = 0
    for rel in files:
        path = os.path.join(ROOT, rel)
        found = []
        for b in blocks(path):
            if b[1] == "skip":
                print(f"skip {rel}:{b[0]}: the block is not run: {b[2]}")
                skipped_blocks += 1
            elif args.cluster or b[1] == "offline":
                found.append(b)
        if not found:
            continue
        play = tempfile.mkdtemp(prefix="doctest-")
        try:
            setup = subprocess.run(["bash", "-c", PLAYGROUND], cwd=play, env=env, capture_output=True, text=True)
            if setup.returncode != 0:
                print(f"FAIL {rel}: the playground could not be made: {setup.stderr.strip()[:400]}")
                failed += 1
                continue
            last_rc = 0
            for block_line, kind, cmds in found:
                for k, (line, cmd, shown) in enumerate(cmds):
                    runnable += 1
                    where = f"{rel}:{line}"
                    if " ... " in f" {cmd} ":
                        print(f"skip {where}: {cmd} (a placeholder, not runnable as written)")
                        skipped += 1
                        continue
                    if cmd == "echo $?" and shown is not None:
                        # The exit code of the command before, as the docs show it.
                        if [str(last_rc)] == [l for l in shown if l.strip()]:
                            print(f"ok   {where}: echo $? (exit code {last_rc}, as shown)")
                            passed += 1
                        else:
                            print(f"FAIL {where}: the command before exited {last_rc}; the docs show {shown}")
                            failed += 1
                        continue
                    r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=play, env=env,
                                       capture_output=True, text=True, timeout=300)
                    last_rc = r.returncode
                    comment = cmd.split(" # ", 1)[1] if " # " in cmd else ""
                    accepted = (0, 1) if kind == "offline" or "exit 1" in comment else (0,)
                    if shown is not None and k + 1 < len(cmds) and cmds[k + 1][1] == "echo $?":
                        accepted = range(0, 256)  # the next line shows the exit code it must have
                    miss = shape_mismatch(shown, r.stdout, r.stderr) if shown else None
                    if miss is not None:
                        real = (r.stdout + r.stderr).strip()[:800]
                        print(f"FAIL {where}: {cmd}\n     the docs show a line the output lacks: {miss!r}\n     output: {real}")
                        failed += 1
                    elif r.returncode in accepted:
                        print(f"ok   {where}: {cmd[:100]} (exit {r.returncode})")
                        passed += 1
                    else:
                        err = (r.stderr.strip() or r.stdout.strip())[:500]
                        print(f"FAIL {where}: {cmd}\n     exit {r.returncode}: {err}")
                        failed += 1
        finally:
            shutil.rmtree(play, ignore_errors=True)
    print(f"doctest: {passed} passed, {failed} failed, {skipped} skipped, in {runnable} commands; "
          f"{skipped_blocks} block(s) marked not runnable")
    if runnable == 0:
        print("doctest: no runnable block found: the markers are gone?")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
