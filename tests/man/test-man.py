#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Man page test of libnsbox.

Checks the pages that lib/man/gen-man.py generated from include/nsbox.h:
  - the build's list of pages (lib/man/meson.build) is exactly what
    `gen-man.py --list` derives from the header, and every page exists;
  - `gen-man.py --check` finds no error in the header's doc comments;
  - every exported symbol (lib/nsbox.sym, and `nm -D --defined-only` of the
    built libnsbox.so) has a section 3 page, and every section 3 page
    belongs to an exported symbol;
  - every page renders without a warning, with
      LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l PAGE
    and with groff -man -ww -z (all warnings), no rendered line is wider
    than 80 columns, and lexgrog (man-db's whatis parser) reads its NAME;
  - each function page's NAME names it, LIBRARY says "libnsbox (-lnsbox)",
    its SYNOPSIS holds #include <nsbox.h>, the header's exact prototype
    (compared after rendering, whitespace-insensitive) and the link line,
    ERRORS names every -Exxx that the doc comment's "Returns" text names,
    and HISTORY gives the @since release;
  - nsbox(7) lists every function as name(3) and names every enum member
    and NSBOX_* constant of the header;
  - each example program lib/man/examples/FUNCTION.c compiles and links
    against the built library with -Wall -Wextra -Werror (also as
    -std=c99 -pedantic), and is rendered in FUNCTION(3) line for line.

Usage: test-man.py --header H --symfile S --gen GEN --examples DIR
                   [--example-files F.c...] [--shared LIB.so] --pages PAGE...
Environment: NSBOX_CC (C compiler command, may hold words),
             NSBOX_TEST_MUST_WORK=1 (a skip is a failure).
Exit 0 pass, 1 fail, 77 skip (man/groff or the compiler missing).
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

failures = []
skips = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok   " + msg)


def skip_part(reason):
    skips.append(reason)
    print("SKIP: " + reason)


def run(cmd, env=None, cwd=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, cwd=cwd, universal_newlines=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


# ---------------------------------------------------------------------------
# The header, read independently of gen-man.py.


def blank_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def norm_proto(s):
    s = " ".join(s.split())
    return re.sub(r"\s*([*(),;])\s*", r"\1", s)


def header_functions(text):
    """{name: (prototype, doc comment text)} of the header's functions."""
    code = "\n".join(l for l in blank_comments(text).split("\n") if not l.lstrip().startswith("#"))
    protos = {}
    for chunk in code.split(";"):
        if "{" in chunk or "}" in chunk or "typedef" in chunk:
            # the declaration follows the last brace ("extern "C" {", enums)
            chunk = re.split(r"[{}]", chunk)[-1]
            if "typedef" in chunk:
                continue
        m = re.search(r"\b(nsbox_\w+)\s*\(", chunk)
        if m:
            protos[m.group(1)] = norm_proto(chunk.strip() + ";")
    docs = {}
    for m in re.finditer(r"/\*\*(.*?)\*/\s*[^;]*?\b(nsbox_\w+)\s*\(", text, re.S):
        body = "\n".join(re.sub(r"^\s*\* ?", "", l) for l in m.group(1).split("\n"))
        docs[m.group(2)] = body
    return {n: (p, docs.get(n, "")) for n, p in protos.items()}


def doc_errnos(doc):
    """The -Exxx names in the "Returns" text of a doc comment."""
    m = re.search(r"(?:^|(?<=[.;:] ))Returns\b", doc, re.M)
    if not m:
        return []
    text = doc[m.start():]
    # to the end of the sentence ("... -ENOMEM. nsbox_spawn() fails ...")
    end = re.search(r"\.\s+(?=[A-Z@]|[a-z_0-9]+\()", text)
    if end:
        text = text[:end.start()]
    return sorted(set(re.findall(r"-(E[A-Z0-9]+)\b", text)))


def doc_since(doc):
    m = re.search(r"@since\s+(\S+)", doc)
    return m.group(1) if m else None


def sym_globals(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"#[^\n]*", "", f.read())
    names = []
    for m in re.finditer(r"global\s*:(.*?)(?:local\s*:|\})", text, re.S):
        names += re.findall(r"(\w+)\s*;", m.group(1))
    return names


# ---------------------------------------------------------------------------
# Rendering


MAN_ENV = dict(os.environ, LC_ALL="C.UTF-8", MANROFFSEQ="", MANWIDTH="80")
MAN_ENV.pop("MAN_KEEP_FORMATTING", None)
MAN_ENV.pop("MANPAGER", None)
MAN_ENV.pop("PAGER", None)


def plain(text):
    text = re.sub(r".\x08", "", text)                  # overstrike bold/underline
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)          # SGR
    for a, b in (("\u2010", "-"), ("\u2011", "-"), ("\u2212", "-"), ("\u2018", "'"),
                 ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u00a0", " ")):
        text = text.replace(a, b)
    return text


def render(tools, page):
    """(rc, text, warnings) of a page rendered for an 80-column terminal."""
    if tools["man"]:
        rc, out, err = run([tools["man"], "--warnings", "-E", "UTF-8", "-l", page], env=MAN_ENV)
    else:
        rc, out, err = run([tools["groff"], "-man", "-Tutf8", "-ww", "-rLL=80n", "-P-c", page],
                           env=MAN_ENV)
    return rc, plain(out), err


def sections(text):
    """{SECTION: text} of a rendered page."""
    out = {}
    cur = None
    for line in text.split("\n"):
        if re.match(r"^[A-Z][A-Z ]+$", line):
            cur = line.strip()
            out[cur] = []
        elif cur:
            out[cur].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def unwrap(text):
    """Join lines of filled text: undo hyphenation at line ends."""
    text = re.sub(r"(\w)-\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--header", required=True)
    ap.add_argument("--symfile", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--examples", required=True)
    ap.add_argument("--example-files", nargs="*",
                    help="the examples lib/man/meson.build lists (its rebuild dependencies)")
    ap.add_argument("--shared")
    ap.add_argument("--pages", nargs="+", required=True)
    a = ap.parse_args()

    with open(a.header, encoding="utf-8") as f:
        htext = f.read()
    funcs = header_functions(htext)
    pages = {os.path.basename(p): p for p in a.pages}

    # 1. The build's list is complete and every page exists.
    rc, out, err = run([sys.executable, a.gen, "--header", a.header, "--list"])
    if rc != 0:
        fail("gen-man.py --list failed:\n" + err)
        listed = []
    else:
        listed = out.split()
    missing = sorted(set(listed) - set(pages))
    extra = sorted(set(pages) - set(listed))
    if missing:
        fail("lib/man/meson.build lacks pages the header yields: " + " ".join(missing))
    if extra:
        fail("lib/man/meson.build lists pages the header does not yield: " + " ".join(extra))
    if len(a.pages) != len(pages):
        fail("lib/man/meson.build lists a page twice")
    if not missing and not extra:
        ok("lib/man/meson.build lists exactly the %d pages of gen-man.py --list" % len(listed))
    for name, path in sorted(pages.items()):
        if not os.path.isfile(path):
            fail("%s was not generated" % path)

    # 2. The header's doc comments have what a page needs.
    rc, out, err = run([sys.executable, a.gen, "--header", a.header, "--symfile", a.symfile,
                        "--check"])
    for line in out.splitlines():
        print("     " + line)
    if rc != 0:
        fail("gen-man.py --check reports errors in the header's doc comments")
    else:
        ok("gen-man.py --check: no errors (warnings above are for the header's authors)")

    # 3. Every exported symbol has a page, every page an exported symbol.
    exported = set(sym_globals(a.symfile))
    nm = shutil.which("nm")
    if a.shared and nm:
        rc, out, err = run([nm, "-D", "--defined-only", a.shared])
        if rc != 0:
            fail("nm -D %s: %s" % (a.shared, err))
        else:
            dyn = {l.split()[-1].split("@")[0] for l in out.splitlines()
                   if len(l.split()) >= 3 and l.split()[1] in ("T", "W", "i")}
            if dyn - exported:
                fail("exported by libnsbox.so but not in nsbox.sym: " + " ".join(sorted(dyn - exported)))
            exported |= dyn
    elif a.shared:
        skip_part("nm not found: symbols read from nsbox.sym only")
    nopage = sorted(s for s in exported if s + ".3" not in pages)
    if nopage:
        fail("exported symbols without a man page: " + " ".join(nopage))
    else:
        ok("all %d exported symbols have a page" % len(exported))
    stale = sorted(p for p in pages if p.endswith(".3") and p[:-2] not in exported)
    if stale:
        fail("pages of functions that are not exported: " + " ".join(stale))
    if "nsbox.7" not in pages:
        fail("no overview page nsbox.7")

    # 4.-6. Rendering.
    tools = {"man": shutil.which("man"), "groff": shutil.which("groff"),
             "lexgrog": shutil.which("lexgrog")}
    if not tools["man"] and not tools["groff"]:
        skip_part("neither man (man-db) nor groff is installed: pages not rendered "
                  "(apt-get install man-db groff-base)")
    else:
        if not tools["man"]:
            skip_part("man (man-db) not installed: rendered with groff alone")
        if not tools["groff"]:
            skip_part("groff not installed: no groff -ww pass")
        check_rendering(a, tools, pages, funcs, htext)

    # 7. Examples.
    check_examples(a, tools, pages)

    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    if skips:
        if os.environ.get("NSBOX_TEST_MUST_WORK") == "1":
            print("NSBOX_TEST_MUST_WORK=1: a skip is a failure")
            return 1
        return 77
    return 0


def check_rendering(a, tools, pages, funcs, htext):
    clean = 0
    texts = {}
    for name, path in sorted(pages.items()):
        if not os.path.isfile(path):
            continue
        rc, text, err = render(tools, path)
        bad = False
        if rc != 0 or err.strip():
            fail("%s: rendering printed warnings (exit %d):\n%s" % (name, rc, err.rstrip()))
            bad = True
        if tools["groff"]:
            rc2, _, err2 = run([tools["groff"], "-man", "-ww", "-z", path], env=MAN_ENV)
            if rc2 != 0 or err2.strip():
                fail("%s: groff -man -ww -z warns (exit %d):\n%s" % (name, rc2, err2.rstrip()))
                bad = True
        if tools["lexgrog"]:
            # The whatis/apropos entry, as mandb reads it.
            rc3, out3, err3 = run([tools["lexgrog"], path], env=MAN_ENV)
            want = name[:-2] if name.endswith(".3") else "nsbox"
            if rc3 != 0 or not out3.startswith('%s: "%s - ' % (path, want)):
                fail("%s: lexgrog cannot read the NAME line: %s%s" % (name, out3, err3))
                bad = True
        wide = [l for l in text.split("\n") if len(l) > 80]
        if wide:
            fail("%s: %d rendered line(s) wider than 80 columns, e.g.\n%s"
                 % (name, len(wide), wide[0]))
            bad = True
        if not bad:
            clean += 1
        texts[name] = text
    ok("%d of %d pages render without warnings and within 80 columns%s"
       % (clean, len(pages), ", lexgrog reads their NAME" if tools["lexgrog"] else ""))

    for fname, (proto, doc) in sorted(funcs.items()):
        page = fname + ".3"
        if page not in texts:
            continue
        sec = sections(texts[page])
        problems = []
        name = unwrap(sec.get("NAME", ""))
        if not name.startswith(fname + " - "):
            problems.append("NAME is %r" % name[:60])
        if unwrap(sec.get("LIBRARY", "")) != "libnsbox (-lnsbox)":
            problems.append("LIBRARY is %r" % unwrap(sec.get("LIBRARY", "")))
        syn = " ".join(sec.get("SYNOPSIS", "").split())
        m = re.match(r"^#include <nsbox\.h> (.*?;) (Link with .*)$", syn)
        if not m:
            problems.append("SYNOPSIS is not '#include <nsbox.h>', the prototype, the link "
                            "line: %r" % syn[:120])
        else:
            if norm_proto(m.group(1)) != proto:
                problems.append("SYNOPSIS prototype\n       %s\n     differs from the header's\n"
                                "       %s" % (norm_proto(m.group(1)), proto))
            if "-lnsbox" not in m.group(2) or "pkg-config --cflags --libs nsbox" not in m.group(2):
                problems.append("SYNOPSIS link line is %r" % m.group(2))
        errs = unwrap(sec.get("ERRORS", ""))
        tags = set(re.findall(r"(?:^|\s)(E[A-Z0-9]+)(?=\s)", sec.get("ERRORS", "")))
        for e in doc_errnos(doc):
            if e not in tags:
                problems.append("ERRORS has no entry for %s (named by the doc comment)" % e)
        if doc_errnos(doc) and "-" + doc_errnos(doc)[0] not in unwrap(sec.get("RETURN VALUE", "")):
            problems.append("RETURN VALUE does not list -%s" % doc_errnos(doc)[0])
        if not doc_errnos(doc) and errs and "does not fail" not in errs and \
                not re.search(r"as\s+nsbox_|error of nsbox_|errors as nsbox_|rules and errors", doc):
            problems.append("ERRORS lists errors that the doc comment does not name")
        since = doc_since(doc)
        if since and "libnsbox %s" % since not in unwrap(sec.get("HISTORY", "")):
            problems.append("HISTORY does not say libnsbox %s" % since)
        if "DESCRIPTION" not in sec or "SEE ALSO" not in sec:
            problems.append("no DESCRIPTION or SEE ALSO")
        if problems:
            fail("%s: %s" % (page, "\n     ".join(problems)))
    ok("function pages: NAME, LIBRARY, SYNOPSIS prototype, ERRORS and HISTORY checked "
       "against the header")

    if "nsbox.7" in texts:
        t = unwrap(texts["nsbox.7"])
        missing = [f for f in funcs if "%s(3)" % f not in t]
        code = blank_comments(htext)
        names = set(re.findall(r"^\s*(NSBOX_\w+)\s*=", code, re.M))
        names |= set(re.findall(r"^#define\s+(NSBOX_\w+)\s", code, re.M)) - {"NSBOX_H"}
        missing += sorted(n for n in names if not re.search(r"\b%s\b" % n, t))
        if missing:
            fail("nsbox.7 does not name: " + " ".join(missing))
        else:
            ok("nsbox.7 lists all %d functions and %d constants" % (len(funcs), len(names)))


def check_examples(a, tools, pages):
    examples = sorted(f for f in os.listdir(a.examples) if f.endswith(".c"))
    if not examples:
        fail("no example programs in " + a.examples)
        return
    if a.example_files is not None:
        listed = sorted(os.path.basename(f) for f in a.example_files)
        if listed != examples:
            fail("lib/man/meson.build lists the examples %s, but %s holds %s"
                 % (" ".join(listed), a.examples, " ".join(examples)))
        else:
            ok("lib/man/meson.build lists every example program")
    for ex in examples:
        page = ex[:-2] + ".3"
        if page not in pages:
            fail("example %s belongs to no page" % ex)
        elif (tools["man"] or tools["groff"]) and os.path.isfile(pages[page]):
            # The page shows the program, line for line.
            _, text, _ = render(tools, pages[page])
            body = sections(text).get("EXAMPLES", "")
            body = body.split("Program source", 1)[-1]
            shown = [l for l in body.split("\n") if l.strip()]
            with open(os.path.join(a.examples, ex), encoding="utf-8") as f:
                src = [l.expandtabs(4).rstrip() for l in f.read().split("\n") if l.strip()]
            indent = min((len(l) - len(l.lstrip()) for l in shown), default=0)
            shown = [l[indent:].rstrip() for l in shown]
            if shown != src:
                diff = next((i for i, (x, y) in enumerate(zip(shown, src)) if x != y),
                            min(len(shown), len(src)))
                fail("%s: EXAMPLES differs from %s at line %d:\n  page:   %r\n  source: %r"
                     % (page, ex, diff + 1, shown[diff] if diff < len(shown) else None,
                        src[diff] if diff < len(src) else None))
            else:
                ok("%s shows %s line for line" % (page, ex))

    cc = shlex.split(os.environ.get("NSBOX_CC", "") or "cc")
    if not shutil.which(cc[0]):
        skip_part("C compiler %s not found: examples not compiled" % cc[0])
        return
    include = os.path.join(os.path.dirname(os.path.abspath(a.header)))
    with tempfile.TemporaryDirectory(prefix="nsbox-man-") as tmp:
        for ex in examples:
            src = os.path.join(a.examples, ex)
            for std in ([], ["-std=c99", "-pedantic"]):
                out = os.path.join(tmp, ex[:-2])
                cmd = cc + std + ["-Wall", "-Wextra", "-Werror", "-I", include, "-o", out, src]
                cmd += [os.path.abspath(a.shared)] if a.shared else ["-c"]
                if not a.shared:
                    cmd[cmd.index("-o") + 1] = out + ".o"
                rc, so, se = run(cmd)
                what = " ".join(cmd[len(cc):len(cc) + len(std)] + ["-Wall -Wextra -Werror"])
                if rc != 0:
                    fail("%s does not build (%s):\n%s" % (ex, " ".join(cmd), (so + se).rstrip()))
                else:
                    ok("%s compiles%s with %s" % (ex, " and links" if a.shared else "", what))


if __name__ == "__main__":
    sys.exit(main())
