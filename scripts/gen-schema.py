#!/usr/bin/env python3
"""Generate the ShopApp CRD and its JSON Schema from one source.

Sources (edit these):
  core/model/shopapps.crd.in.yaml  the CRD's structure: types, bounds, enums, patterns, CEL rules
                                   (YAML anchors allowed), without descriptions
  docs/shopapp.md                  every field's description: the reference tables that follow a
                                   `<!-- schema: PATH -->` marker, and the prose between such a
                                   marker and its table (the description of PATH itself)

Outputs (never edit by hand; the unit test `schema_generated` fails when they are stale):
  crds/shopapps.shopctl.io.yaml    the CRD, anchors expanded, a description on every field
  docs/shopapp.schema.json         a JSON Schema (draft-07) of a whole ShopApp, for
                                   editors (yaml-language-server); `shopctl schema` prints it

Usage:
  scripts/gen-schema.py            write both outputs
  scripts/gen-schema.py --check    write nothing; exit 1 naming each output that differs from
                                   what the sources give (drift), or each field without a
                                   description
Exit status: 0 ok, 1 stale output or a field without a description, 2 a bad source (a marker or
table row naming a field the CRD does not have; the message names file:line).

Markers in docs/shopapp.md (HTML comments, invisible when rendered):
  <!-- schema: P [P2 ...] -->   (`.` is the ShopApp itself) the first paragraph that follows (and the next one when the first ends
                               with a colon) describes P; the next table's rows describe fields of P
                               (`a.b` in a row's first cell is P.a.b; several back-quoted names
                               in one cell share the row; `[]` may be written or left out)
  <!-- schema-same: A = B -->   a field under A with no row of its own takes the description of
                               the same field under B (spec.defaults = spec.services[], ...)
  <!-- schema-same: A = B (without default) -->  as above, leaving out B's Default line, which
                               does not hold under A
A row's description is its columns other than the first, each as "Header: text" (Renders or
Meaning first), markdown links and back quotes removed.
"""
import argparse
import copy
import difflib
import json
import os
import re
import sys

try:
    import yaml
except ImportError:  # Debian: python3-yaml (scripts/install-deps.sh installs it)
    sys.stderr.write("gen-schema: python3 needs the yaml module (apt-get install python3-yaml)\n")
    sys.exit(3)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKELETON = "core/model/shopapps.crd.in.yaml"
DOCS = "docs/shopapp.md"
CRD_OUT = "crds/shopapps.shopctl.io.yaml"
JSON_OUT = "docs/shopapp.schema.json"


# Described in the docs and present in the JSON Schema, but not in the CRD: the API server owns
# metadata and lets a CRD constrain only metadata.name.
JSON_ONLY = {"metadata.namespace"}


class SourceError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The schema tree: every property node of openAPIV3Schema gets a path such as
# `spec.services[].resilience.timeout` (`[]` marks the items of a list). The root is "".


def children(node):
    """(name, schema) for each property of an object node."""
    if "properties" in node:
        for k, v in node["properties"].items():
            yield k, v


def descend(node):
    """The node whose properties a path continues into: an array's items, else the node."""
    while node.get("type") == "array" and isinstance(node.get("items"), dict):
        node = node["items"]
    return node


def walk(node, path, out):
    out.append((path, node))
    inner = descend(node)
    for k, v in children(inner):
        sep = "[]." if inner is not node else "."
        walk(v, (path + sep + k) if path else k, out)


def canon(path):
    """A path as written in the docs (`[]` optional) to the form walk() produces."""
    return re.sub(r"\[\]", "", path)


def resolve(schema, path):
    """The node at a path written with or without `[]`; None when there is none."""
    node = schema
    if path == "":
        return node
    for seg in canon(path).split("."):
        node = descend(node)
        props = node.get("properties", {})
        if seg not in props:
            return None
        node = props[seg]
    return node


# ---------------------------------------------------------------------------------------------
# The docs: markers, prose and tables.

MARKER = re.compile(r"^<!--\s*schema:\s*(.+?)\s*-->\s*$")
SAME = re.compile(r"^<!--\s*schema-same:\s*(\S+)\s*=\s*(\S+)\s*(\(without default\))?\s*-->\s*$")


def plain(text):
    """Markdown of a table cell or paragraph to plain text for kubectl explain."""
    text = text.replace("\\|", "|")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](link) -> text
    text = text.replace("**", "").replace("`", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def paragraph_text(par):
    """A paragraph as one line of plain text; a bullet list as one line per item."""
    par = par.strip()
    if not par.startswith("-"):
        return plain(" ".join(par.split("\n")))
    items = re.split(r"\n\s*-\s+", "\n" + par)[1:]
    return "\n".join("- " + plain(" ".join(item.split("\n"))) for item in items)


def cells(line):
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def parse_docs(text, docs_name):
    """{path: (description, 'file:line')}, [(A, B, keep_default, 'file:line')]"""
    lines = text.split("\n")
    descs = {}
    sames = []
    in_code = False
    i = 0

    def put(path, desc, where):
        key = canon(path)
        if key in descs:
            raise SourceError(f"{where}: {path} is described twice (also at {descs[key][1]})")
        descs[key] = (desc, where)

    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_code = not in_code
            i += 1
            continue
        if in_code:
            i += 1
            continue
        m = SAME.match(line)
        if m:
            sames.append((canon(m.group(1)), canon(m.group(2)), m.group(3) is None, f"{docs_name}:{i + 1}"))
            i += 1
            continue
        m = MARKER.match(line)
        if not m:
            i += 1
            continue
        where = f"{docs_name}:{i + 1}"
        prefixes = ["" if p == "." else p for p in m.group(1).split()]
        # The prose up to the next table, heading, code block or marker.
        j = i + 1
        prose = []
        while j < len(lines) and not lines[j].startswith(("|", "#", "```", "<!--")):
            prose.append(lines[j])
            j += 1
        # The first paragraph, and the one after it when the first ends with a colon (a list).
        paragraphs = [p for p in "\n".join(prose).split("\n\n") if p.strip()]
        if paragraphs:
            paragraphs = paragraphs[:2] if paragraphs[0].rstrip().endswith(":") else paragraphs[:1]
        intro = "\n".join(paragraph_text(p) for p in paragraphs)
        if intro:
            for p in prefixes:
                put(p, intro, where)
        if j < len(lines) and lines[j].startswith("|"):
            header = cells(lines[j])
            j += 2  # the header and the |---| line
            while j < len(lines) and lines[j].startswith("|"):
                row = cells(lines[j])
                rwhere = f"{docs_name}:{j + 1}"
                names = re.findall(r"`([^`]+)`", row[0])
                if not names:
                    raise SourceError(f"{rwhere}: the first cell names no `field`")
                parts = []
                for h, c in zip(header[1:], row[1:]):
                    c = plain(c)
                    if c:
                        parts.append(f"{plain(h)}: {c}")
                # What the field does (renders into) first, then its default, bounds and type.
                parts.sort(key=lambda t: 0 if t.startswith(("Renders:", "Meaning:")) else 1)
                desc = "\n".join(parts)
                for n in names:
                    for p in prefixes:
                        put(f"{p}.{n}" if p else n, desc, rwhere)
                j += 1
        i = j
    return descs, sames


# ---------------------------------------------------------------------------------------------
# Generation.


def load_sources(root):
    with open(os.path.join(root, SKELETON), encoding="utf-8") as f:
        skel_text = f.read()
    crd = yaml.safe_load(skel_text)
    crd = json.loads(json.dumps(crd))  # anchors shared one object; every use gets its own copy
    header = []
    for line in skel_text.split("\n"):
        if not line.startswith("#"):
            break
        header.append(line)
    with open(os.path.join(root, DOCS), encoding="utf-8") as f:
        docs_text = f.read()
    return crd, header, docs_text


def describe(crd, docs_text):
    """Put a description on every property node; returns the paths that have none."""
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    descs, sames = parse_docs(docs_text, DOCS)
    for path, (_, where) in descs.items():
        if resolve(schema, path) is None and path not in JSON_ONLY:
            raise SourceError(f"{where}: {path or '(root)'} is not a field of the CRD ({SKELETON})")
    for a, b, _, where in sames:
        if resolve(schema, a) is None or resolve(schema, b) is None:
            raise SourceError(f"{where}: schema-same names a field the CRD does not have ({a} or {b})")

    def lookup(key, depth=0):
        if key in descs:
            return descs[key][0]
        for a, b, keep_default, where in sames:
            if depth < 8 and (key == a or key.startswith(a + ".")):
                other = lookup(b + key[len(a):], depth + 1)
                if other is not None:
                    if not keep_default:
                        other = "\n".join(l for l in other.split("\n") if not l.startswith("Default"))
                    return other
        return None

    nodes = []
    walk(schema, "", nodes)
    missing = []
    for path, node in nodes:
        desc = lookup(canon(path))
        if desc:
            rest = [(k, v) for k, v in node.items() if k != "description"]
            node.clear()
            node["description"] = desc  # first, where a reader of the CRD looks
            node.update(rest)
        else:
            node.pop("description", None)
            missing.append(path or "(root)")
    return missing, {k: v[0] for k, v in descs.items()}


def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    s = str(v)
    special = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""}
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./-]*", s) and s.lower() not in special:
        return s
    return json.dumps(s, ensure_ascii=False)


def yaml_lines(v, indent):
    pad = " " * indent
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            key = yaml_scalar(k)
            if isinstance(x, dict) and x:
                out.append(f"{pad}{key}:")
                out.extend(yaml_lines(x, indent + 2))
            elif isinstance(x, list) and x and not all(not isinstance(e, (dict, list)) for e in x):
                out.append(f"{pad}{key}:")
                out.extend(yaml_lines(x, indent))
            elif isinstance(x, list):
                out.append(f"{pad}{key}: [{', '.join(yaml_scalar(e) for e in x)}]")
            elif isinstance(x, dict):
                out.append(f"{pad}{key}: {{}}")
            else:
                out.append(f"{pad}{key}: {yaml_scalar(x)}")
    elif isinstance(v, list):
        for e in v:
            if isinstance(e, dict) and e:
                inner = yaml_lines(e, indent + 2)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            else:
                out.append(f"{pad}- {yaml_scalar(e)}")
    return out


def crd_text(crd, header):
    crd = copy.deepcopy(crd)
    # The API server refuses anything but type and properties name/generateName on metadata
    # ("metadata is implicitly specified"); its description stays in the JSON Schema.
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["metadata"].pop("description", None)
    note = [
        "#",
        f"# GENERATED by scripts/gen-schema.py from {SKELETON} (structure) and {DOCS} (the",
        "# descriptions): edit those and run scripts/gen-schema.py. A unit test fails when this file differs.",
    ]
    return "\n".join(header + note + yaml_lines(crd, 0)) + "\n"


JSON_KEYS = ["description", "type", "enum", "format", "minimum", "maximum", "minLength", "maxLength", "pattern",
             "minItems", "maxItems", "maxProperties", "required"]


def to_json_schema(node):
    """One CRD (OpenAPI v3, structural) node as JSON Schema. CEL rules and list-map keys have no
    JSON Schema form and are left to the API server (and shopctl validate)."""
    out = {}
    for k in JSON_KEYS:
        if k in node:
            out[k] = copy.deepcopy(node[k])
    if out.get("format") == "int64":
        del out["format"]  # an OpenAPI format, not a JSON Schema one
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if "items" in node:
        out["items"] = to_json_schema(node["items"])
    if "properties" in node:
        out["properties"] = {k: to_json_schema(v) for k, v in node["properties"].items()}
        if not node.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False  # the API server prunes unknown fields; shopctl refuses them
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = to_json_schema(node["additionalProperties"])
    return out


def json_schema_text(crd, descs):
    version = crd["spec"]["versions"][0]
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    root = to_json_schema(version["schema"]["openAPIV3Schema"])
    props = root["properties"]
    props["apiVersion"]["const"] = f"{group}/{version['name']}"
    props["kind"]["const"] = kind
    # The API server owns the rest of metadata; a ShopApp read back from a cluster carries it.
    meta = props["metadata"]
    meta["additionalProperties"] = True
    meta["properties"]["namespace"] = {"description": descs["metadata.namespace"], "type": "string", "maxLength": 63}
    for m in ("labels", "annotations"):
        meta["properties"][m] = {"type": "object", "additionalProperties": {"type": "string"}}
    root["required"] = sorted(set(root.get("required", [])) | {"apiVersion", "kind", "metadata"})
    doc = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": f"GENERATED by scripts/gen-schema.py from {SKELETON} and {DOCS}; do not edit.",
        "title": f"{kind} ({group}/{version['name']})",
    }
    doc.update(root)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def generate(root):
    crd, header, docs_text = load_sources(root)
    missing, descs = describe(crd, docs_text)
    return {CRD_OUT: crd_text(crd, header), JSON_OUT: json_schema_text(crd, descs)}, missing


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on any difference")
    ap.add_argument("--root", default=ROOT, help="the repository (default: the one holding this script)")
    args = ap.parse_args(argv)
    try:
        outputs, missing = generate(args.root)
    except SourceError as e:
        sys.stderr.write(f"gen-schema: {e}\n")
        return 2
    except (OSError, yaml.YAMLError) as e:
        sys.stderr.write(f"gen-schema: {e}\n")
        return 2
    status = 0
    if missing:
        sys.stderr.write(f"gen-schema: {len(missing)} field(s) without a description; add a row for each to a "
                         f"table under a <!-- schema: ... --> marker in {DOCS}:\n")
        for p in missing:
            sys.stderr.write(f"  {p}\n")
        status = 1
    for name, text in outputs.items():
        path = os.path.join(args.root, name)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    old = f.read()
            except OSError:
                old = ""
            if old != text:
                diff = list(difflib.unified_diff(old.split("\n"), text.split("\n"), name + " (committed)",
                                                 name + " (generated)", lineterm="", n=1))
                sys.stderr.write(f"gen-schema: {name} is stale: run scripts/gen-schema.py and commit the result\n")
                sys.stderr.write("\n".join(diff[:40]) + ("\n  ...\n" if len(diff) > 40 else "\n"))
                status = 1
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
