#!/usr/bin/env python3
"""Reads a case of the hostile corpus (tests/hostile/README.md).

  case.py expand FILE NS     the ShopApp to apply: __NS__ replaced by NS (or by the case's own
                             `# namespace:`), each <<C*N>> by N times the character C
  case.py expect FILE WHAT   WHAT is validate, api or operator: prints the verdict (accept,
                             reject, ready, stalled) and, on a second line, the substring the
                             message must hold ("" when none)
  case.py namespace FILE NS  the namespace the case goes to: its `# namespace:` line, else NS
"""
import re
import sys


def header(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if not line.startswith("# "):
            break
        m = re.match(r'# expect (validate|api|operator): (\w+)(?: "(.*)")?\s*$', line)
        if m:
            out[m.group(1)] = (m.group(2), (m.group(3) or "").replace('\\"', '"'))
        m = re.match(r"# namespace: (\S+)\s*$", line)
        if m:
            out["namespace"] = m.group(1)
    return out


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    h = header(path)
    if cmd == "namespace":
        print(h.get("namespace", sys.argv[3]))
    elif cmd == "expand":
        ns = h.get("namespace", sys.argv[3])
        text = open(path, encoding="utf-8").read().replace("__NS__", ns)
        sys.stdout.write(re.sub(r"<<(.)\*(\d+)>>", lambda m: m.group(1) * int(m.group(2)), text))
    elif cmd == "expect":
        verdict, sub = h.get(sys.argv[3], ("", ""))
        if not verdict:
            sys.exit("%s: no `# expect %s:` line" % (path, sys.argv[3]))
        print(verdict)
        print(sub)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
