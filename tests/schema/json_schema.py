#!/usr/bin/env python3
"""docs/shopapp.schema.json against the ShopApps in this repository.

Every ShopApp under manifests/ and tests/ that shopctl accepts (all but tests/unit/data/invalid/
and the hostile corpus tests/hostile/)
must validate; the invalid files whose fault is one a schema can see (a type, an enum, a bound,
a pattern, a missing or unknown field), and a few made here, must not.

  tests/schema/json_schema.py SOURCE_DIR
"""
import copy
import glob
import json
import os
import sys

import jsonschema  # Debian: python3-jsonschema
import yaml  # Debian: python3-yaml

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
with open(os.path.join(root, "docs/shopapp.schema.json"), encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
passed = failed = 0


def check(cond, what):
    global passed, failed
    print(("ok   " if cond else "FAIL ") + what)
    if cond:
        passed += 1
    else:
        failed += 1


def shopapps(path):
    with open(path, encoding="utf-8") as f:
        for doc in yaml.safe_load_all(f):
            if isinstance(doc, dict) and doc.get("kind") == "ShopApp":
                yield doc


valid = []
for pattern in ("manifests/**/*.yaml", "tests/**/*.yaml"):
    for path in sorted(glob.glob(os.path.join(root, pattern), recursive=True)):
        rel = os.path.relpath(path, root)
        if rel.startswith(("tests/unit/data/invalid/", "tests/hostile/")):
            continue
        for doc in shopapps(path):
            valid.append((rel, doc))
for rel, doc in valid:
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    check(not errors, f"{rel} ({doc['metadata'].get('name')}) validates" + ("" if not errors else ": " + "; ".join(errors[:3])))
# The count guards the glob: the shipped examples, the Sock Shop, the import corpus, every-field.
check(len(valid) >= 13, f"{len(valid)} valid ShopApps found (at least 13)")

# What the schema must refuse, from the parser's own invalid inputs.
for name in ("01-missing-spec", "02-wrong-api-version", "05-bad-app-name", "06-no-services", "07-unknown-field-typo",
             "10-replicas-string", "18-env-number-value", "19-unknown-engine", "22-fault-percentage-out-of-range",
             "23-bad-duration", "30-bad-quantity"):
    docs = list(shopapps(os.path.join(root, "tests/unit/data/invalid", name + ".yaml")))
    check(len(docs) == 1 and any(True for _ in validator.iter_errors(docs[0])), f"invalid/{name}.yaml is refused")

# And a few made from a valid app, one fault each.
base = next(doc for rel, doc in valid if rel == "manifests/examples/minimal.yaml")


def refused(what, mutate):
    doc = copy.deepcopy(base)
    mutate(doc)
    errors = list(validator.iter_errors(doc))
    check(bool(errors), f"refused: {what}" + (f" ({errors[0].message[:80]})" if errors else " -- but it validates"))


refused("kind Deployment", lambda d: d.update(kind="Deployment"))
refused("an unknown field in resilience", lambda d: d["spec"]["services"][0].update(resilience={"timeot": "1s"}))
refused("retries without attempts", lambda d: d["spec"]["services"][0].update(resilience={"retries": {"retryOn": "5xx"}}))
refused("a port of 70000", lambda d: d["spec"]["services"][0]["ports"][0].update(port=70000))
refused("mesh.mtls DISABLE", lambda d: d["spec"].update(mesh={"mtls": "DISABLE"}))
refused("a nodeSelector value that is not a string", lambda d: d["spec"]["services"][0].update(nodeSelector={"a": 1}))
refused("a probe port that is a list", lambda d: d["spec"]["services"][0].update(probes={"readiness": {"tcp": {"port": [80]}}}))
refused("no metadata", lambda d: d.pop("metadata"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
