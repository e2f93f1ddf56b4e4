#!/usr/bin/env python3
"""shopctl against the tools its users would run instead (issue 14: bench/compare).

Whole processes, as a user runs them: each command's CPU (user + system) comes from the kernel's
accounting of the finished child (wait4, microseconds exact), its peak resident memory from GNU
time (/usr/bin/time -f %M), which starts it.
Every pair runs alternately (A B A B ..., after one warm-up each) and the ratio A/B is taken
pair by pair, so a machine that speeds up or slows down during the run moves both sides.
The figures printed are medians, with min and max; nothing is asserted.

Render (the same objects, three ways):
  shopctl render -f manifests/sockshop/shopapp.yaml             the Sock Shop ShopApp -> N objects
  helm template of a chart whose templates are those N objects   Helm's cost for the same output with
      as rendered (no template logic at all)                    no templating: a lower bound for any
                                                                chart that renders them
  kubectl kustomize of a kustomization listing those N objects  kustomize's, likewise
  kubectl kustomize of the upstream complete-demo.yaml          the stock Sock Shop manifests
Audit, on the upstream complete-demo.yaml:
  shopctl audit    vs    kube-score score    vs    kube-linter lint

The upstream Sock Shop Helm chart is not measured: only its values.yaml is in ../shared/fixtures,
and the Go module proxy does not serve that repository, so its templates cannot be had here.

Tools: kubectl from testenv's build cache (bash testenv/build), Helm from testenv/helm, kube-score
and kube-linter from tests/peers/run.sh's cache; a tool that is missing is skipped and said.

  python3 bench/compare.py [--build build] [--runs 20]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "shopctl")


TIME = "/usr/bin/time"  # GNU time: the peak RSS of the command itself, not of this Python forking it
RSS_FILE = os.path.join(tempfile.gettempdir(), f"shop-compare-rss-{os.getpid()}")


def run_once(cmd, cwd):
    """(cpu seconds, wall seconds, peak RSS KiB, exit code) of one run, output discarded. CPU is the
    kernel's account of the child and what it waited for (GNU time's own share, a fraction of a
    millisecond, is in it: see the floor printed first)."""
    with open(os.devnull, "wb") as null:
        t0 = time.monotonic()
        p = subprocess.Popen([TIME, "-f", "%M %x", "-o", RSS_FILE] + cmd, cwd=cwd, stdout=null, stderr=null)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    with open(RSS_FILE) as f:
        rss, code = (int(x) for x in f.read().split()[-2:])
    return ru.ru_utime + ru.ru_stime, wall, rss, code


def measure(a, b, runs, cwd):
    """Runs a and b alternately; returns per-command samples and the pairwise CPU ratios a/b."""
    run_once(a, cwd)
    if b:
        run_once(b, cwd)
    sa, sb, ratios = [], [], []
    for _ in range(runs):
        ra = run_once(a, cwd)
        sa.append(ra)
        if b:
            rb = run_once(b, cwd)
            sb.append(rb)
            if rb[0] > 0:
                ratios.append(ra[0] / rb[0])
    return sa, sb, ratios


def fmt(samples):
    cpu = sorted(s[0] * 1000 for s in samples)
    rss = sorted(s[2] / 1024 for s in samples)
    codes = sorted({s[3] for s in samples})
    return (f"CPU {statistics.median(cpu):7.1f} ms (min {cpu[0]:.1f}, max {cpu[-1]:.1f})   "
            f"peak RSS {statistics.median(rss):6.1f} MiB   exit {','.join(map(str, codes))}")


def report(title, a_name, a, b_name, b, runs, cwd):
    sa, sb, ratios = measure(a, b, runs, cwd)
    print(f"\n{title}")
    print(f"  {a_name:<48} {fmt(sa)}")
    print(f"  {b_name:<48} {fmt(sb)}")
    r = sorted(ratios)
    print(f"  {'CPU ratio, pair by pair':<48} {statistics.median(r):.3f} (min {r[0]:.3f}, max {r[-1]:.3f}, "
          f"{len(r)} pairs): shopctl uses {100 * statistics.median(r):.0f}% of the other's CPU")


def tool(path, what, how):
    if path and os.access(path, os.X_OK):
        return path
    print(f"skip: {what} not found ({how})")
    return None


def newest(pattern_dir, name):
    """The newest <pattern_dir>/*/<name> (the caches are keyed by version)."""
    if not os.path.isdir(pattern_dir):
        return None
    found = [os.path.join(pattern_dir, d, name) for d in os.listdir(pattern_dir)]
    found = [f for f in found if os.access(f, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    if not os.access(TIME, os.X_OK):
        sys.exit(f"compare: {TIME} is missing (Debian package time: apt-get install time)")
    shopctl = os.path.join(os.path.abspath(args.build), "cli", "shopctl")
    if not os.access(shopctl, os.X_OK):
        sys.exit(f"compare: no shopctl at {shopctl}: build first (cmake --build {args.build})")
    upstream = os.path.normpath(os.path.join(ROOT, "..", "shared", "fixtures", "sockshop-upstream", "complete-demo.yaml"))
    if not os.path.isfile(upstream):
        sys.exit(f"compare: the upstream Sock Shop is not at {upstream}")
    kubectl = tool(newest(os.path.join(CACHE, "testenv"), "bin/kubectl"), "kubectl", "bash testenv/build")
    helm = tool(newest(os.path.join(CACHE, "helm"), "helm"), "helm", "bash testenv/helm")
    kube_score = tool(newest(os.path.join(CACHE, "peers"), "kube-score"), "kube-score", "bash tests/peers/run.sh build/cli/shopctl")
    kube_linter = tool(newest(os.path.join(CACHE, "peers"), "kube-linter"), "kube-linter", "bash tests/peers/run.sh build/cli/shopctl")

    work = tempfile.mkdtemp(prefix="shop-compare-")
    try:
        app = os.path.join(ROOT, "manifests", "sockshop", "shopapp.yaml")
        rendered = subprocess.run([shopctl, "render", "-f", app], capture_output=True, text=True, check=True).stdout
        docs = [d for d in rendered.split("\n---\n") if d.strip()]
        print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; {args.runs} runs of each, after a warm-up")
        print(f"shopctl render of the Sock Shop ShopApp: {len(docs)} objects, {len(rendered)} bytes of YAML")
        floor = sorted(run_once(["/bin/true"], work) for _ in range(5))[2]
        print(f"floor: /bin/true measured the same way: CPU {floor[0] * 1000:.1f} ms, peak RSS {floor[2] / 1024:.1f} MiB")
        render = [shopctl, "render", "-f", app]
        if helm:
            chart = os.path.join(work, "chart")
            os.makedirs(os.path.join(chart, "templates"))
            with open(os.path.join(chart, "Chart.yaml"), "w") as f:
                f.write("apiVersion: v2\nname: sockshop-static\nversion: 0.1.0\n")
            for i, d in enumerate(docs):  # {{ in a value would be template syntax: none in these
                with open(os.path.join(chart, "templates", f"{i:03d}.yaml"), "w") as f:
                    f.write(d.replace("{{", '{{ "{{" }}') + "\n")
            report("render: the same objects", "shopctl render (ShopApp -> YAML)", render,
                   f"helm template (the {len(docs)} objects, static)", [helm, "template", "sockshop", chart], args.runs, work)
        if kubectl:
            kdir = os.path.join(work, "kustomize")
            os.makedirs(kdir)
            with open(os.path.join(kdir, "all.yaml"), "w") as f:
                f.write(rendered)
            with open(os.path.join(kdir, "kustomization.yaml"), "w") as f:
                f.write("resources: [all.yaml]\n")
            report("render: the same objects", "shopctl render (ShopApp -> YAML)", render,
                   f"kubectl kustomize (the {len(docs)} objects)", [kubectl, "kustomize", kdir], args.runs, work)
            udir = os.path.join(work, "upstream")
            os.makedirs(udir)
            shutil.copy(upstream, os.path.join(udir, "complete-demo.yaml"))
            with open(os.path.join(udir, "kustomization.yaml"), "w") as f:
                f.write("resources: [complete-demo.yaml]\n")
            report("render: the Sock Shop, each tool's own input", "shopctl render (ShopApp -> YAML)", render,
                   "kubectl kustomize (upstream complete-demo.yaml)", [kubectl, "kustomize", udir], args.runs, work)
        audit = [shopctl, "audit", "-f", upstream]
        if kube_score:
            report("audit: the upstream complete-demo.yaml", "shopctl audit", audit, "kube-score score",
                   [kube_score, "score", upstream], args.runs, work)
        if kube_linter:
            report("audit: the upstream complete-demo.yaml", "shopctl audit", audit, "kube-linter lint",
                   [kube_linter, "lint", upstream], args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.path.exists(RSS_FILE):
            os.remove(RSS_FILE)


if __name__ == "__main__":
    main()
