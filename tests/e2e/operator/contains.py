#!/usr/bin/env python3
"""Check that every rendered object exists live and holds every field it was rendered with.

usage: contains.py RENDERED.json LIVE.json
RENDERED.json is `shopctl render -o json` (a List); LIVE.json is a List of the live objects
(`kubectl get ... -o json`). Live objects may carry more (server defaults, ownerReferences,
status); quantities compare by value ("1000Mi" == "1000Mi", "0.5" == "500m").
Prints each mismatch; exits 1 if there is any.
"""
import json
import re
import sys

SUFFIX = {"": 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
QTY = re.compile(r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|m|k|M|G)?$")


def qty(v):
    m = QTY.match(v) if isinstance(v, str) else None
    return float(m.group(1)) * SUFFIX[m.group(2) or ""] if m else None


def contains(live, want, path, out):
    if isinstance(want, dict):
        if not isinstance(live, dict):
            out.append(f"{path}: live is {type(live).__name__}")
            return
        for k, v in want.items():
            if k not in live:
                if v in ({}, []):
                    continue
                out.append(f"{path}.{k}: missing live")
            else:
                contains(live[k], v, f"{path}.{k}", out)
    elif isinstance(want, list):
        if not isinstance(live, list) or len(live) != len(want):
            out.append(f"{path}: live has {len(live) if isinstance(live, list) else 'no'} items, rendered {len(want)}")
            return
        for i, (l, w) in enumerate(zip(live, want)):
            contains(l, w, f"{path}[{i}]", out)
    elif live != want:
        a, b = qty(live), qty(want)
        if a is None or b is None or abs(a - b) > 1e-9 * max(1, abs(b)):
            out.append(f"{path}: live {live!r}, rendered {want!r}")


def key(o):
    m = o["metadata"]
    return (o["kind"], m.get("namespace", ""), m["name"])


rendered = json.load(open(sys.argv[1]))["items"]
live = {key(o): o for o in json.load(open(sys.argv[2]))["items"]}
problems = []
for o in rendered:
    k = key(o)
    if k not in live:
        problems.append(f"{'/'.join(k)}: not in the cluster")
        continue
    contains(live[k], o, "/".join(k), problems)
for p in problems[:50]:
    print(p)
print(f"{len(rendered)} rendered objects checked, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
