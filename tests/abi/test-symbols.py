#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ABI symbol test of libnsbox.

Checks, for the built libnsbox.so:
  - every function declared in include/nsbox.h is exported (nm -D), is listed
    in lib/nsbox.sym, carries a /** doc comment with @since, and is bound to
    the version node of its @since (NSBOX_<since>);
  - nothing else is exported: the dynamic symbol table holds exactly the
    header's functions plus the version-node names of nsbox.sym;
  - every exported function has the nsbox_ prefix and is a function;
  - lib/nsbox.sym lists nothing that the header does not declare, its first
    node ends in "local: *;" and each later node inherits the one before;
  - the SONAME is libnsbox.so.0 (readelf -d);
  - NSBOX_VERSION_STRING and friends match the project version;
  - tests/abi/call-all.c calls every function and uses no NSBOX_* macro;
  - libnsbox.a defines no global symbol without the nsbox_ prefix, so
    static linking cannot clash with the application's own names;
  - every NSBOX_* constant of the header (enum constant or #define) is
    frozen by a tests/abi/frozen-X.Y.c, except those that change by design.

Usage: test-symbols.py --header H --symfile S --shared LIB.so --static LIB.a
                       --call-all C --frozen-dir D --project-version V
Exit 0 pass, 1 fail, 77 skip (a tool is missing; a failure when
NSBOX_TEST_MUST_WORK=1).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

SONAME = "libnsbox.so.0"

# Header constants whose value is not a contract: the include guard, the
# version (it changes with every release), the library's default stack size.
NOT_FROZEN = {
    "NSBOX_H",
    "NSBOX_VERSION_MAJOR", "NSBOX_VERSION_MINOR", "NSBOX_VERSION_MICRO", "NSBOX_VERSION_STRING",
    "NSBOX_STACK_DEFAULT",
}
PREFIX = "nsbox_"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok   " + msg)


def skip(reason):
    print("SKIP: " + reason)
    if os.environ.get("NSBOX_TEST_MUST_WORK") == "1":
        print("NSBOX_TEST_MUST_WORK=1: a skip is a failure")
        sys.exit(1)
    sys.exit(77)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        print("FAIL: %s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stderr))
        sys.exit(1)
    return p.stdout


def blank_comments(text):
    """Return text with every comment replaced by spaces (newlines kept),
    and the list of (start, end, comment) of the /* */ comments."""
    comments = []
    out = []
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise SystemExit("FAIL: unterminated comment in header")
            j += 2
            comments.append((i, j, text[i:j]))
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text[i] in "\"'":
            q = text[i]
            j = i + 1
            while j < n and text[j] != q:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out), comments


def parse_header(path):
    text = open(path, encoding="utf-8").read()
    code, comments = blank_comments(text)
    # Drop preprocessor lines (with continuations) so that macros are not
    # mistaken for declarations.
    code_nopp = re.sub(r"(?m)^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), code)
    macros = set(re.findall(r"(?m)^[ \t]*#[ \t]*define[ \t]+(\w+)", code))

    enum_consts = set()
    for body in re.findall(r"\benum\s+\w*\s*\{([^}]*)\}", code_nopp):
        enum_consts.update(re.findall(r"\b(NSBOX_\w+)\s*(?:=|,|$)", body.strip() + ","))

    funcs = {}
    # A declaration: at the start of a line, a return type, the name, "(".
    decl = re.compile(r"(?m)^[ \t]*((?:[A-Za-z_]\w*[ \t\*]+)+?)\**[ \t]*(\w+)[ \t]*\(")
    for m in decl.finditer(code_nopp):
        rtype, name = m.group(1).strip(), m.group(2)
        if rtype.split()[0] in ("typedef", "return", "if", "while", "for", "switch"):
            continue
        # Must be a prototype: parentheses balanced, then ";".
        depth = 0
        j = m.end() - 1
        while j < len(code_nopp):
            c = code_nopp[j]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        rest = code_nopp[j + 1:].lstrip()
        if not rest.startswith(";"):
            fail("%s: declaration of %s is not a plain prototype" % (path, name))
            continue
        # Its doc comment: the last comment before it, with only blanks between.
        start = m.start()
        doc = None
        for (cs, ce, ctext) in comments:
            if ce <= start and text[ce:start].strip() == "":
                doc = ctext
        funcs[name] = {"doc": doc, "line": text.count("\n", 0, start) + 1}
    return funcs, macros, enum_consts, text


def parse_symfile(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"#[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    nodes = []
    for m in re.finditer(r"(\w[\w.]*)\s*\{(.*?)\}\s*([\w.]*)\s*;", text, re.S):
        name, body, parent = m.group(1), m.group(2), m.group(3) or None
        glob = []
        local_all = False
        section = None
        for tok in re.split(r"\s*;\s*|\s+", body):
            if not tok:
                continue
            if tok.endswith(":"):
                section = tok[:-1]
                continue
            if section == "global":
                glob.append(tok)
            elif section == "local" and tok == "*":
                local_all = True
            elif section == "local":
                fail("%s: node %s has a named local symbol %s" % (path, name, tok))
        nodes.append({"name": name, "global": glob, "local_all": local_all, "parent": parent})
    return nodes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--header", required=True)
    ap.add_argument("--symfile", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--static", required=True)
    ap.add_argument("--call-all", required=True)
    ap.add_argument("--frozen-dir", required=True)
    ap.add_argument("--project-version", required=True)
    a = ap.parse_args()

    for tool in ("nm", "readelf"):
        if shutil.which(tool) is None:
            skip("%s not found (install binutils)" % tool)

    # ---- header ----
    funcs, macros, enum_consts, htext = parse_header(a.header)
    if len(funcs) == 0:
        fail("no function found in %s" % a.header)
    ok("%d functions declared in %s" % (len(funcs), os.path.basename(a.header)))
    since_of = {}
    for name in sorted(funcs):
        f = funcs[name]
        if not name.startswith(PREFIX):
            fail("header line %d: %s lacks the %s prefix" % (f["line"], name, PREFIX))
        doc = f["doc"]
        if doc is None or not doc.startswith("/**"):
            fail("header line %d: %s has no /** doc comment right before it" % (f["line"], name))
            continue
        if not re.search(r"(?m)^[ \t/*]*" + re.escape(name) + r"\b", doc):
            fail("header line %d: the doc comment before %s does not start with its name" % (f["line"], name))
        m = re.search(r"@since\s+(\d+\.\d+)", doc)
        if not m:
            fail("header line %d: the doc comment of %s has no '@since X.Y'" % (f["line"], name))
            continue
        since_of[name] = m.group(1)

    # ---- header version macros vs project version ----
    pv = a.project_version
    want = dict(zip(("MAJOR", "MINOR", "MICRO"), pv.split(".")))
    for k, v in want.items():
        m = re.search(r"#define\s+NSBOX_VERSION_%s\s+(\d+)" % k, htext)
        if not m or m.group(1) != v:
            fail("NSBOX_VERSION_%s is %s, project version is %s" % (k, m.group(1) if m else "missing", pv))
    m = re.search(r'#define\s+NSBOX_VERSION_STRING\s+"([^"]*)"', htext)
    if not m or m.group(1) != pv:
        fail("NSBOX_VERSION_STRING is %s, project version is %s" % (m.group(1) if m else "missing", pv))
    else:
        ok("header version macros match project version %s" % pv)

    # ---- version script ----
    nodes = parse_symfile(a.symfile)
    if not nodes:
        fail("no version node found in %s" % a.symfile)
    sym_node = {}
    for i, node in enumerate(nodes):
        if not re.match(r"^NSBOX_\d+\.\d+$", node["name"]):
            fail("version node %s is not named NSBOX_X.Y" % node["name"])
        if i == 0:
            if not node["local_all"]:
                fail("first version node %s does not end in 'local: *;'" % node["name"])
            if node["parent"]:
                fail("first version node %s inherits %s" % (node["name"], node["parent"]))
        else:
            if node["parent"] != nodes[i - 1]["name"]:
                fail("version node %s must inherit %s (found %s)" % (node["name"], nodes[i - 1]["name"], node["parent"]))
        for s in node["global"]:
            if "*" in s or "?" in s:
                fail("%s: wildcard %s in global list of %s" % (a.symfile, s, node["name"]))
            if s in sym_node:
                fail("%s: %s listed twice (%s and %s)" % (a.symfile, s, sym_node[s], node["name"]))
            sym_node[s] = node["name"]
    node_names = set(n["name"] for n in nodes)

    for name in sorted(funcs):
        if name not in sym_node:
            fail("%s is declared in the header but not listed in %s" % (name, os.path.basename(a.symfile)))
        elif name in since_of and sym_node[name] != "NSBOX_" + since_of[name]:
            fail("%s is @since %s but in version node %s" % (name, since_of[name], sym_node[name]))
    for s in sorted(sym_node):
        if s not in funcs:
            fail("%s is listed in %s but not declared in the header" % (s, os.path.basename(a.symfile)))
    ok("%s lists %d symbols in %d node(s)" % (os.path.basename(a.symfile), len(sym_node), len(nodes)))

    # ---- exports of the shared library ----
    exported = {}
    for line in run(["nm", "-D", "--defined-only", a.shared]).splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        typ, sym = parts[-2], parts[-1]
        sym = sym.split("@")[0]
        exported[sym] = typ
    for name in sorted(funcs):
        if name not in exported:
            fail("%s is declared in the header but not exported by %s" % (name, os.path.basename(a.shared)))
        elif exported[name] not in ("T", "i"):
            fail("%s is exported as nm type %s, not as a function (T)" % (name, exported[name]))
    for sym, typ in sorted(exported.items()):
        if typ == "A" and sym in node_names:
            continue  # the version node's own definition
        if not sym.startswith(PREFIX):
            fail("%s exports %s (type %s), which lacks the %s prefix" % (os.path.basename(a.shared), sym, typ, PREFIX))
        elif sym not in funcs:
            fail("%s exports %s (type %s), which the header does not declare" % (os.path.basename(a.shared), sym, typ))
    ok("%s exports %d symbols" % (os.path.basename(a.shared), len(exported)))

    # Symbol versions, as the dynamic linker sees them.
    versions = {}
    for line in run(["readelf", "-W", "--dyn-syms", a.shared]).splitlines():
        parts = line.split()
        if len(parts) < 8 or not parts[0].endswith(":"):
            continue
        if parts[6] == "UND":
            continue
        m = re.match(r"^([^@]+)@@?(.+)$", parts[7])
        if m:
            versions[m.group(1)] = m.group(2)
    for name in sorted(funcs):
        if name in sym_node and name in exported:
            v = versions.get(name)
            if v != sym_node[name]:
                fail("%s is exported with version %s, %s says %s" % (name, v, os.path.basename(a.symfile), sym_node[name]))
    ok("symbol versions match the version script")

    # ---- SONAME ----
    dyn = run(["readelf", "-d", a.shared])
    sonames = re.findall(r"\(SONAME\)\s+Library soname: \[([^\]]*)\]", dyn)
    if sonames != [SONAME]:
        fail("SONAME is %s, expected %s" % (sonames, SONAME))
    else:
        ok("SONAME %s" % SONAME)

    # ---- call-all.c ----
    ctext = open(a.call_all, encoding="utf-8").read()
    ccode, _ = blank_comments(ctext)
    uncalled = [name for name in sorted(funcs) if not re.search(r"\b" + re.escape(name) + r"\s*\(", ccode)]
    if uncalled:
        fail("%s does not call %s" % (os.path.basename(a.call_all), ", ".join(uncalled)))
    used = sorted(mac for mac in macros if mac != "NSBOX_H" and re.search(r"\b" + mac + r"\b", ccode))
    if used:
        fail("%s uses header macros %s; the API must be callable without them" % (os.path.basename(a.call_all), ", ".join(used)))
    if not uncalled and not used:
        ok("%s calls all %d functions without any header macro" % (os.path.basename(a.call_all), len(funcs)))

    # ---- every constant is frozen ----
    frozen_text = ""
    frozen_files = sorted(f for f in os.listdir(a.frozen_dir) if re.match(r"^frozen-\d+\.\d+\.c$", f))
    for f in frozen_files:
        frozen_text += blank_comments(open(os.path.join(a.frozen_dir, f), encoding="utf-8").read())[0]
    consts = sorted((enum_consts | set(m for m in macros if m.startswith("NSBOX_"))) - NOT_FROZEN)
    missing = [c for c in consts if not re.search(r"\bFROZEN\(\s*" + c + r"\b", frozen_text)]
    if not frozen_files:
        fail("no frozen-X.Y.c in %s" % a.frozen_dir)
    elif missing:
        fail("header constants not frozen in any %s: %s (add FROZEN(NAME, value) lines to the "
             "frozen-X.Y.c of the release that introduces them)" % ("/".join(frozen_files), ", ".join(missing)))
    else:
        ok("all %d header constants are frozen (%s)" % (len(consts), ", ".join(frozen_files)))

    # ---- static archive namespace ----
    bad = []
    for line in run(["nm", "-g", "--defined-only", a.static]).splitlines():
        parts = line.split()
        if len(parts) < 3 or line.endswith(":"):
            continue
        typ, sym = parts[-2], parts[-1]
        if typ in ("T", "D", "B", "R", "V", "W", "i", "G", "S", "C", "u") and not sym.startswith(PREFIX):
            bad.append("%s (%s)" % (sym, typ))
    if bad:
        fail("%s defines global symbols without the %s prefix, which can clash with an "
             "application that links it statically: %s" % (os.path.basename(a.static), PREFIX, ", ".join(sorted(bad))))
    else:
        ok("every global symbol of %s has the %s prefix" % (os.path.basename(a.static), PREFIX))

    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
