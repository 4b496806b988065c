#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen-man.py - the libnsbox man pages, generated from include/nsbox.h.

The header stays the single source: every public function's /** doc comment
becomes a section 3 page, and the header's top comment, enums, typedefs and
constants become the overview page nsbox(7). Python 3 standard library only.

  gen-man.py --header include/nsbox.h --outdir DIR      write every page
  gen-man.py --header include/nsbox.h --list            print the page names
  gen-man.py --header include/nsbox.h --check           lint the doc comments

Options:
  --symfile lib/nsbox.sym   add the symbol version node to HISTORY and check
                            that it matches @since
  --examples DIR            DIR/FUNCTION.c becomes the EXAMPLES section of
                            FUNCTION's page (a complete program, inlined)
  --version V               the project version, for the page footer
  --expect PAGE...          the outputs the build system expects (meson's
                            explicit list): fail when the header no longer
                            yields one of them, warn about pages not in it

The doc comment format (kernel-doc-like, as used by nsbox.h):

  /**
   * nsbox_fn - one-line summary, may continue on the next lines.
   * @param: its description; indented lines continue it.
   * @a, @b: one description for two parameters.
   *
   * Body paragraphs. The first sentence that starts with "Returns" begins
   * the return value text: "Returns 0; -EINVAL for ...; -ENOMEM." Every
   * -Exxx in it becomes an ERRORS entry, with the text up to the next one.
   * "Returns as nsbox_x()", "an error of nsbox_x()", "Same rules and errors
   * as nsbox_x()" and "see nsbox_x() for the rules and errors" pull in the
   * errors of nsbox_x(); "-EINVAL (as nsbox_x() ...)" and "-EINVAL
   * nsbox_x() would return" pull in its EINVAL.
   * @since 0.1
   */

Dates: SOURCE_DATE_EPOCH when set (reproducible builds), else the header's
modification time.
"""

import argparse
import datetime
import errno
import os
import re
import sys

SYSTEM_PAGES_ALWAYS = [("namespaces", "7")]

# Pages of the overview, by function name prefix; anything else lands in
# "Other functions", so that no function can be left out.
GROUPS = [
    ("Library version and errors", ("nsbox_version", "nsbox_last_error")),
    ("Building a spawn configuration", ("nsbox_config_",)),
    ("Spawning", ("nsbox_spawn",)),
    ("Spawned processes", ("nsbox_proc_",)),
    ("Entering and leaving namespaces in the calling process", ("nsbox_join", "nsbox_detach")),
    ("Namespace identity", ("nsbox_ns_",)),
]

# Extra SEE ALSO entries by function name prefix (besides what the doc
# comment itself names).
SEE_ALSO_BY_PREFIX = [
    ("nsbox_config_", [("nsbox_config_new", "3"), ("nsbox_spawn", "3")]),
    ("nsbox_spawn", [("nsbox_config_new", "3"), ("nsbox_proc_wait", "3"),
                     ("clone", "2"), ("user_namespaces", "7")]),
    ("nsbox_proc_", [("nsbox_spawn", "3"), ("nsbox_proc_wait", "3"), ("nsbox_proc_free", "3"),
                     ("pidfd_open", "2")]),
    ("nsbox_join", [("nsbox_join", "3"), ("nsbox_join_pid", "3"), ("nsbox_join_path", "3"),
                    ("setns", "2")]),
    ("nsbox_detach", [("nsbox_detach", "3"), ("nsbox_detach_user", "3"), ("unshare", "2")]),
    ("nsbox_ns_", [("nsbox_ns_id", "3"), ("nsbox_ns_same", "3")]),
    ("nsbox_persist", [("nsbox_unpersist", "3"), ("nsbox_join_path", "3")]),
    ("nsbox_unpersist", [("nsbox_persist", "3")]),
    ("nsbox_last_error", [("nsbox_version", "3")]),
    ("nsbox_version", [("nsbox_last_error", "3")]),
]
# Pages about user namespaces point to user_namespaces(7).
USERNS_WORDS = ("uid", "gid", "user namespace", "NSBOX_NS_USER", "setgroups")
TOPIC_PAGES = [(("cgroup",), ("cgroups", "7")),
               (("time namespace", "NSBOX_NS_TIME", "NSBOX_CLOCK_"), ("time_namespaces", "7"))]

# errno.errorcode holds one name per value (ENOTSUP, not EOPNOTSUPP).
ERRNO_NAMES = {n for n in dir(errno) if re.fullmatch(r"E[A-Z0-9]+", n)}

problems = []   # (severity, message), from parsing and --check


def problem(severity, msg):
    if (severity, msg) not in problems:
        problems.append((severity, msg))


# ---------------------------------------------------------------------------
# Parsing the header


class Param:
    def __init__(self, decl, name):
        self.decl = decl      # "const char *const *argv"
        self.name = name      # "argv"


class Function:
    def __init__(self, name, proto, ret, params, doc):
        self.name = name
        self.proto = proto    # one line, single spaces, ends with ';'
        self.ret = ret        # "int", "const char *", ...
        self.params = params  # [Param]
        self.doc = doc        # comment lines, "* " stripped
        self.summary = ""
        self.tags = []        # [([names], text)]
        self.paras = []       # description paragraphs (text)
        self.returns = None   # the "Returns ..." text, without "Returns"
        self.since = None
        self.refs = []        # functions whose errors this one inherits
        self.like = []        # functions whose parameter texts it shares
        self.success = None   # what it returns on success (text)
        self.notes = []       # other sentences of the return text
        self.section = None   # title of the header section it is declared in


def strip_comment(body):
    """Lines of a /* */ comment body without the leading " * "."""
    out = []
    for i, line in enumerate(body.split("\n")):
        if re.match(r"^\s*\*(?!/)", line):
            line = re.sub(r"^\s*\* ?", "", line.rstrip())
        else:
            line = line.strip() if i == 0 else line.rstrip()
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def split_params(plist):
    """Split a C parameter list at top-level commas."""
    parts, depth, cur = [], 0, ""
    for ch in plist:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def param_name(decl):
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)   # function pointer
    if m:
        return m.group(1)
    m = re.search(r"(\w+)\s*(\[[^\]]*\])?$", decl)
    return m.group(1) if m else None


def parse_prototype(decl):
    decl = " ".join(decl.split())
    m = re.match(r"^(.*?)\b(nsbox_\w+)\s*\((.*)\)$", decl)
    if not m:
        return None
    ret, name, plist = m.group(1).strip(), m.group(2), m.group(3).strip()
    params = []
    if plist != "void":
        for p in split_params(plist):
            params.append(Param(p, param_name(p)))
    proto = "%s%s%s(%s);" % (ret, "" if ret.endswith("*") else " ", name, plist)
    return name, proto, ret, params


class Header:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.text = f.read()
        self.top = []          # top comment lines
        self.functions = []    # [Function], in header order
        self.enums = []        # [(comment lines, name, [(member, value, comment)])]
        self.defines = []      # [(comment lines, [define line])]
        self.typedefs = []     # [(comment lines, name, declaration)]
        self._parse()

    def function(self, name):
        for f in self.functions:
            if f.name == name:
                return f
        return None

    def _parse(self):
        text = self.text
        m = re.match(r"\s*/\*(.*?)\*/", text, re.S)
        if m:
            self.top = strip_comment(m.group(1))
        # Section banners: "/* ===...\n * Title: more.\n * ===... */".
        banners = []
        for m in re.finditer(r"/\*\s*={10,}\s*\n(.*?)\n\s*\*\s*={10,}\s*\*/", text, re.S):
            t = " ".join(strip_comment(m.group(1)))
            t = re.sub(r"\s*\(lib/[^)]*\)", "", t).strip()
            t = re.split(r":|\.(?:\s|$)", t)[0].strip()
            banners.append((m.start(), t))
        # Doc comments and the declaration that follows each.
        for m in re.finditer(r"/\*\*(.*?)\*/\s*([^;{}#/]*?\))\s*;", text, re.S):
            p = parse_prototype(m.group(2))
            if not p:
                problem("error", "doc comment not followed by a function declaration: %r"
                        % m.group(2)[:60])
                continue
            name, proto, ret, params = p
            f = Function(name, proto, ret, params, strip_comment(m.group(1)))
            f.section = ([t for pos, t in banners if pos < m.start()] or [None])[-1]
            self.functions.append(f)
        # Declarations without a doc comment.
        declared = set(re.findall(r"\b(nsbox_\w+)\s*\([^;{}]*\)\s*;", strip_all_comments(text)))
        for name in sorted(declared - {f.name for f in self.functions}):
            problem("error", "%s: declared without a /** doc comment" % name)
        # Enums with the comment before them.
        for m in re.finditer(r"/\*(?!\*)((?:(?!\*/).)*?)\*/\s*enum\s+(\w+)\s*\{(.*?)\}\s*;", text, re.S):
            members = []
            for mm in re.finditer(r"(NSBOX_\w+)\s*=\s*([^,/\n]+?)\s*,?\s*(?:/\*(.*?)\*/)?\s*(?=\n|$)",
                                  m.group(3)):
                comment = " ".join(mm.group(3).split()) if mm.group(3) else ""
                members.append((mm.group(1), mm.group(2).strip(), comment))
            self.enums.append((strip_comment(m.group(1)), m.group(2), members))
        # Groups of #defines after one comment (the include guard has none).
        for m in re.finditer(r"/\*(?!\*)((?:(?!\*/).)*?)\*/\s*((?:#define\s+NSBOX_\w+[^\n]*\n)+)",
                             text, re.S):
            lines = [" ".join(l.split()) for l in m.group(2).strip().split("\n")]
            self.defines.append((strip_comment(m.group(1)), lines))
        for m in re.finditer(r"/\*(?!\*)((?:(?!\*/).)*?)\*/\s*(typedef\s+struct\s+(\w+)\s+(\w+)\s*;)",
                             text, re.S):
            self.typedefs.append((strip_comment(m.group(1)), m.group(4), m.group(2)))
        for f in self.functions:
            parse_doc(f)
        for f in self.functions:
            resolve_errors(f, self)
        # "... makes nsbox_spawn() return -ENOENT.": errors that a page says
        # another function returns; that function's page points back here.
        self.mentions = {}     # {function: {errno: [mentioning function]}}
        for f in self.functions:
            for p in f.paras:
                for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z])", p):
                    targets = [g for g in re.findall(r"\b(nsbox_\w+)\(\)", sent)
                               if g != f.name and self.function(g)]
                    for g in targets[:1]:
                        for e in ERRNO_RE.findall(sent):
                            self.mentions.setdefault(g, {}).setdefault(e, [])
                            if f.name not in self.mentions[g][e]:
                                self.mentions[g][e].append(f.name)


def strip_all_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


TAG_RE = re.compile(r"^@(\w+)((?:\s*,\s*@\w+)*)\s*:\s*(.*)$")
RETURNS_RE = re.compile(r"(?:^|(?<=[.;:] ))Returns\b", re.M)
REF_FULL_RES = [
    re.compile(r"[Ss]ame\s+rules\s+and\s+errors\s+as\s+(nsbox_\w+)\(\)"),
    re.compile(r"[Ss]ee\s+(nsbox_\w+)\(\)\s+for\s+the\s+rules\s+and\s+errors"),
]
REF_RETURN_RES = [
    re.compile(r"^as\s+(nsbox_\w+)\(\)"),
    re.compile(r",?\s*(?:or\s+)?an\s+error\s+of\s+(nsbox_\w+)\(\)"),
]
ERRNO_RE = re.compile(r"-(E[A-Z0-9]+)\b")
SENTENCE_END_RE = re.compile(r"\.\s+(?=[A-Z]|[a-z_0-9]+\()")


def parse_doc(f):
    lines = f.doc
    if not lines:
        problem("error", "%s: empty doc comment" % f.name)
        return
    m = re.match(r"^(\w+)\s+-\s+(.*)$", lines[0])
    if not m:
        problem("error", "%s: doc comment does not start with \"%s - summary\"" % (f.name, f.name))
        rest = lines
        lead = []
    else:
        if m.group(1) != f.name:
            problem("error", "%s: doc comment names %s" % (f.name, m.group(1)))
        lead = [m.group(2)]
        rest = lines[1:]
    # The lead (summary) runs to a blank line or the first tag.
    i = 0
    while i < len(rest) and rest[i].strip() and not TAG_RE.match(rest[i]) \
            and not rest[i].startswith("@since"):
        lead.append(rest[i].strip())
        i += 1
    paras = [lead]            # paragraphs as lists of lines
    cur = None                # the paragraph being collected
    tag = None
    for line in rest[i:]:
        tm = TAG_RE.match(line)
        if line.startswith("@since"):
            sm = re.match(r"^@since\s+(\d+(?:\.\d+)*)\s*$", line)
            if not sm:
                problem("error", "%s: malformed @since line %r" % (f.name, line))
            else:
                f.since = sm.group(1)
            tag = None
            cur = None
        elif tm:
            names = [tm.group(1)] + re.findall(r"@(\w+)", tm.group(2))
            tag = (names, [tm.group(3)])
            f.tags.append(tag)
            cur = None
        elif not line.strip():
            tag = None
            cur = None
        elif tag is not None and line[:1].isspace():
            tag[1].append(line.strip())
        else:
            tag = None
            if cur is None:
                cur = []
                paras.append(cur)
            cur.append(line.rstrip())
    f.tags = [(names, " ".join(t)) for names, t in f.tags]
    if f.since is None:
        problem("error", "%s: no @since" % f.name)
    pnames = [p.name for p in f.params]
    for names, _ in f.tags:
        for n in names:
            if n not in pnames:
                problem("error", "%s: @%s is not a parameter" % (f.name, n))
    # Split off the return value text: from the first sentence that starts
    # with "Returns" to the end of its paragraph (of a fallible function:
    # to the end of that sentence).
    text_paras = ["\n".join(p) for p in paras if p]
    f.summary = " ".join(lead).strip()
    f.paras = []
    returns = None
    for p in text_paras:
        rm = RETURNS_RE.search(p) if returns is None else None
        if rm:
            before = p[:rm.start()].strip()
            if before:
                f.paras.append(before)
            returns = p[rm.end():].strip()
            # A fallible function's return text is one sentence; what
            # follows it ("nsbox_spawn() fails with ...") is description.
            em = SENTENCE_END_RE.search(returns)
            if em and (ERRNO_RE.search(returns[:em.start()])
                       or any(r.search(returns[:em.start()]) for r in REF_RETURN_RES)):
                rest = returns[em.end():].strip()
                returns = returns[:em.start() + 1]
                if rest:
                    f.paras.append(rest)
        else:
            f.paras.append(p)
    f.returns = returns
    # Whole-page references ("Same rules and errors as x()"), and the
    # function a summary starts from ("like x(), ...", "x() for ..."): their
    # parameter descriptions stand in for missing tags of the same name.
    for text in text_paras:
        for r in REF_FULL_RES:
            for rm in r.finditer(text):
                f.refs.append(rm.group(1))
                f.like.append(rm.group(1))
    lm = re.match(r"^(?:like\s+)?(nsbox_\w+)\(\)", f.summary)
    if lm:
        f.like.append(lm.group(1))


def clean_desc(s):
    s = s.strip()
    s = re.sub(r"^[,;:\s]+", "", s)
    s = re.sub(r"[,;\s]+$", "", s)
    s = re.sub(r"(?:[,;]?\s+or|[,;])$", "", s).strip()
    s = re.sub(r"\.$", "", s).strip()
    if s.startswith("(") and s.endswith(")") and s.count("(") == 1 + s[1:-1].count("("):
        s = s[1:-1].strip()
    return " ".join(s.split())


def resolve_errors(f, header):
    """Fill f.success, f.notes and f.errors from the return text."""
    text = f.returns
    if text is None:
        if f.ret != "void" and not f.refs:
            problem("error", "%s: returns %s but its doc comment has no \"Returns\" sentence"
                    % (f.name, f.ret))
        return
    toks = list(ERRNO_RE.finditer(text))
    pre = text[:toks[0].start()] if toks else text
    if not toks and not f.refs and not any(r.search(pre) for r in REF_RETURN_RES):
        # A function that cannot fail: the whole text is its return value.
        f.success = " ".join(pre.split())
        return
    segs = [s.strip() for s in pre.split(";")]
    first = segs[0]
    for r in REF_RETURN_RES:
        rm = r.search(first)
        if rm:
            f.refs.append(rm.group(1))
            first = (first[:rm.start()] + first[rm.end():]).strip()
    # "0 or:", "the pid, or", "0, or the": drop the words that lead to the
    # errors.
    prev = None
    while prev != first:
        prev = first
        first = re.sub(r"(?:[,:]|\b(?:or|the|an?|one\s+of))\s*$", "", first).strip()
    f.success = first or None
    f.notes = [clean_desc(s) for s in segs[1:] if clean_desc(s)]
    # One entry per errno; consecutive errnos separated only by ",", "/"
    # or "or" share the description that follows the last of them.
    own = {}
    order = []
    group = []
    for i, t in enumerate(toks):
        name = t.group(1)
        if name not in ERRNO_NAMES:
            problem("error", "%s: unknown errno -%s" % (f.name, name))
        group.append(name)
        end = toks[i + 1].start() if i + 1 < len(toks) else len(text)
        gap = text[t.end():end]
        if i + 1 < len(toks) and re.fullmatch(r"\s*(?:,|/|,?\s*or)\s*", gap):
            continue
        etc = False
        em = re.match(r"^\s*,\s*\.\.\.\s*", gap)
        if em:
            etc = True
            gap = gap[em.end():]
        desc = clean_desc(gap)
        ref = None
        rm = re.match(r"^as (nsbox_\w+)\(\)\s*(?:and\s+)?(.*)$", desc)
        if rm:
            ref = rm.group(1)
            desc = rm.group(2).strip()
        rm = re.search(r"\b(nsbox_\w+)\(\)\s+(?:would\s+)?returns?\b", desc)
        if rm and not ref and rm.group(1) != f.name:
            ref = rm.group(1)     # "-EINVAL nsbox_spawn() would return"
        for n in group:
            if n not in own:
                own[n] = {"texts": [], "refs": [], "etc": False}
                order.append(n)
            if desc:
                own[n]["texts"].append(desc)
            if ref:
                own[n]["refs"].append(ref)
            own[n]["etc"] = own[n]["etc"] or etc
        group = []
    f._own = (own, order)


def collect_errors(f, header, seen=None):
    """[(errno, [(source or None, text)], etc)] of f, with inherited ones."""
    seen = (seen or set()) | {f.name}
    own, order = getattr(f, "_own", ({}, []))
    result = {}
    names = []

    def add(n, src, text, etc=False):
        if n not in result:
            result[n] = ([], False)
            names.append(n)
        pieces, e = result[n]
        if text is not None and (src, text) not in pieces:
            pieces.append((src, text))
        result[n] = (pieces, e or etc)

    for n in order:
        e = own[n]
        if not e["texts"] and not e["refs"]:
            add(n, None, None, e["etc"])
        for t in e["texts"]:
            add(n, None, t, e["etc"])
        for r in e["refs"]:
            g = header.function(r)
            if g is None:
                problem("error", "%s: refers to unknown function %s()" % (f.name, r))
                continue
            if r in seen:
                continue
            for gn, pieces, etc in collect_errors(g, header, seen):
                if gn == n:
                    for src, t in pieces:
                        add(n, src or r, t, etc)
                    if not pieces:
                        add(n, None, None, etc)
    for r in f.refs:
        g = header.function(r)
        if g is None:
            problem("error", "%s: refers to unknown function %s()" % (f.name, r))
            continue
        if r in seen:
            continue
        for gn, pieces, etc in collect_errors(g, header, seen):
            if not pieces:
                add(gn, r, None, etc)
            for src, t in pieces:
                add(gn, src or r, t, etc)
    return [(n, result[n][0], result[n][1]) for n in names]


def success_text(f, header, seen=None):
    seen = (seen or set()) | {f.name}
    if f.success:
        return f.success
    for r in f.refs:
        g = header.function(r)
        if g is not None and r not in seen:
            s = success_text(g, header, seen)
            if s:
                return s
    return None


def parse_symfile(path):
    """{symbol: version node} of a GNU version script."""
    nodes = {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"(?:#|//)[^\n]*", "", text)
    for m in re.finditer(r"([\w.]+)\s*\{(.*?)\}\s*([\w.]*)\s*;", text, re.S):
        node, body = m.group(1), m.group(2)
        gm = re.search(r"global\s*:(.*?)(?:local\s*:|$)", body, re.S)
        if not gm:
            continue
        for sym in re.findall(r"(\w+)\s*;", gm.group(1)):
            nodes[sym] = node
    return nodes


# ---------------------------------------------------------------------------
# roff output


def esc_chars(s, code=False):
    """Escape plain text for a roff text line (not the line start)."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\e")
        elif ch == "^":
            out.append("\\(ha")
        elif ch == "~":
            out.append("\\(ti")
        elif code and ch == "'":
            out.append("\\(aq")
        elif code and ch == "`":
            out.append("\\(ga")
        elif code and ch == "-":
            out.append("\\-")
        elif ord(ch) > 126:
            out.append("\\[u%04X]" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def esc_hyphens(s):
    """'-' is a hyphen only inside a word (between a letter or digit and a
    letter: "run-time", "16-byte"); minus signs, option dashes and -Exxx
    become '\\-'. A word that starts with '-' ("--mount-proc") keeps no
    hyphen."""
    out = []
    for word in re.split(r"(\s+)", s):
        if re.match(r"^[(\"']?-", word):
            out.append(word.replace("-", "\\-"))
            continue
        w = []
        for i, ch in enumerate(word):
            if ch == "-":
                prev = word[i - 1] if i > 0 else ""
                nxt = word[i + 1] if i + 1 < len(word) else ""
                w.append("-" if prev.isalnum() and nxt.isalpha() else "\\-")
            else:
                w.append(ch)
        out.append("".join(w))
    return "".join(out)


def esc(s):
    return esc_hyphens(esc_chars(s))


INLINE_RE = re.compile(
    r"@(?P<param>\w+)"
    r"|\b(?P<func>[a-z_][a-z0-9_]*)\(\)"
    r"|\b(?P<ref>[a-z_][a-z0-9_]*)\((?P<sec>[1-8])\)"
    r"|(?P<const>-?\b(?:[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b\*?|[A-Z][A-Z0-9]*_[A-Z0-9_]*\*"
    r"|SIG[A-Z]{2,}[0-9]*|WIF[A-Z]+|E[A-Z0-9]{2,})\b\*?)")


def fmt(text):
    """Plain doc comment text to roff with fonts: @param in italics,
    functions, man page references and constants in bold."""
    out = []
    pos = 0
    for m in INLINE_RE.finditer(text):
        if m.group("const"):
            c = m.group("const")
            base = c.lstrip("-")
            if re.fullmatch(r"E[A-Z0-9]+", base) and base not in ERRNO_NAMES:
                continue
        out.append(esc(text[pos:m.start()]))
        if m.group("param"):
            out.append("\\fI%s\\fP" % esc(m.group("param")))
        elif m.group("func"):
            out.append("\\fB%s\\fP()" % esc(m.group("func")))
        elif m.group("ref"):
            out.append("\\fB%s\\fP(%s)" % (esc(m.group("ref")), m.group("sec")))
        else:
            out.append("\\fB%s\\fP" % esc_chars(m.group("const"), code=True))
        pos = m.end()
    out.append(esc(text[pos:]))
    # A word holding an identifier, a path or an option is never
    # hyphenated: \\% at its start (elsewhere in a word, \\% would mark a
    # hyphenation point instead).
    return re.sub(r"(^|(?<=\s))(?=\S*(?:\\f[BI]|[/_])|\\-)", r"\\%", "".join(out))


def text_line(s):
    """A roff text line: protect a leading control character."""
    if s[:1] in (".", "'"):
        return "\\&" + s
    return s


def para(text):
    """A paragraph of doc text as one roff text line."""
    return text_line(fmt(" ".join(text.split())))


def sentence(text, capital=True):
    text = " ".join(text.split())
    if not text:
        return text
    # Capitalize a plain word, never an identifier ("setgroups(2) ...").
    if capital and re.match(r"^[a-z]+\b(?![_(])", text):
        text = text[0].upper() + text[1:]
    if not re.search(r"[.!?]$", text):
        text += "."
    return text


def macro_arg(s):
    """A quoted macro argument (s already escaped)."""
    return '"%s"' % s.replace('"', '\\(dq')


def code_block(lines):
    out = [".in +4n", ".EX"]
    for line in lines:
        line = esc_chars(line.expandtabs(4), code=True).rstrip()
        if line[:1] in (".", "'"):
            line = "\\&" + line
        out.append(line)
    out += [".EE", ".in"]
    return out


def synopsis_proto(f):
    """The prototype as .BI lines: types bold, parameter names italic,
    wrapped after commas and aligned under the first parameter."""
    if not f.params:
        return [".BI " + macro_arg(esc_chars(f.proto, code=True))]
    head = f.proto[:f.proto.index("(") + 1]
    pieces = []
    for i, p in enumerate(f.params):
        d = p.decl
        k = d.index(p.name) if "(*" in d else d.rfind(p.name)
        last = i + 1 == len(f.params)
        pieces.append((d[:k], p.name, d[k + len(p.name):] + (");" if last else ",")))
    # Wrap at 73 columns (the page is indented by 7 of 80), continuation
    # lines aligned after the "(", or indented by 4 where a parameter would
    # not fit that way.
    width_max = 73
    indent = len(head)
    if any(indent + sum(len(x) for x in piece) > width_max for piece in pieces):
        indent = 4
    lines, cur, width = [], [], len(head)
    for piece in pieces:
        w = sum(len(x) for x in piece)
        if cur and width + 1 + w > width_max:
            lines.append(cur)
            cur, width = [], indent
        width += (1 if cur else 0) + w
        cur.append(piece)
    lines.append(cur)
    out = []
    for n, line in enumerate(lines):
        bold = head if n == 0 else " " * indent
        args = []
        for i, (before, name, after) in enumerate(line):
            bold += ("" if i == 0 else " ") + before
            args += [macro_arg(esc_chars(bold, code=True)), macro_arg(esc_chars(name, code=True))]
            bold = after
        args.append(macro_arg(esc_chars(bold, code=True)))
        out.append(".BI " + " ".join(args))
    return out


def th(name, section, date, version, manual):
    return '.TH %s %s %s %s %s' % (name, section, date,
                                   macro_arg("libnsbox " + version), macro_arg(manual))


def page_header(source):
    return ['.\\" Generated by lib/man/gen-man.py from %s; do not edit.' % source,
            '.\\" SPDX-License-Identifier: MIT']


def name_summary(f):
    """The NAME line's text: the summary's first sentence, up to a top-level
    ':' or ';' (the rest follows in DESCRIPTION)."""
    s = f.summary
    m = re.search(r"\.(?=\s+[A-Z]|\s*$)", s)
    if m:
        s = s[:m.start()]
    depth = 0
    for i, ch in enumerate(s):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in ":;" and depth == 0:
            s = s[:i]
            break
    s = re.sub(r"@(\w+)", r"\1", s)
    return " ".join(s.split()).rstrip(".")


def page_refs(f, header):
    """SEE ALSO: pages named in the doc comment, by prefix, and nsbox(7)."""
    text = "\n".join(f.doc)
    refs = set()
    for m in re.finditer(r"\b(nsbox_\w+)\(\)", text):
        if header.function(m.group(1)):
            refs.add((m.group(1), "3"))
    for m in re.finditer(r"\b([a-z_][a-z0-9_]*)\(([1-8])\)", text):
        refs.add((m.group(1), m.group(2)))
    for prefix, extra in SEE_ALSO_BY_PREFIX:
        if f.name.startswith(prefix):
            refs.update(e for e in extra if header.function(e[0]) or not e[0].startswith("nsbox_"))
    for r in f.refs:
        refs.add((r, "3"))
    if any(w in text for w in USERNS_WORDS):
        refs.add(("user_namespaces", "7"))
    for words, page in TOPIC_PAGES:
        if any(w in text for w in words):
            refs.add(page)
    for e, srcs in header.mentions.get(f.name, {}).items():
        refs.update((s, "3") for s in srcs)
    refs.update(SYSTEM_PAGES_ALWAYS)
    refs.add(("nsbox", "7"))
    refs.discard((f.name, "3"))
    return sorted(refs, key=lambda r: (r[1], r[0]))


def see_also(refs):
    out = [".SH SEE ALSO"]
    for i, (n, s) in enumerate(refs):
        out.append(".BR \\%%%s (%s)%s" % (esc(n), s, "," if i + 1 < len(refs) else ""))
    return out


def borrowed_tag(f, p, header):
    """The @tag text of parameter p in a function f refers to ("like x()",
    "Same rules and errors as x()"), if the name and type are the same."""
    for r in f.like:
        g = header.function(r)
        gp = next((q for q in g.params if q.name == p.name), None) if g else None
        gt = next((t for t in g.tags if t[0] == [p.name]), None) if g else None
        if gp and gt and " ".join(gp.decl.split()) == " ".join(p.decl.split()):
            return gt[1]
    return None


def param_list(f, header):
    """[([names], roff text)] for every parameter, in prototype order: the
    @tag text; else the tag of the same parameter (same name and type) of
    a function this one refers to; else, for an opaque handle, the
    typedef's comment; else the type and a pointer to the text."""
    out = []
    done = set()
    for p in f.params:
        if p.name in done:
            continue
        tag = next((t for t in f.tags if p.name in t[0]), None)
        if tag:
            out.append((tag[0], para(sentence(tag[1]))))
            done.update(tag[0])
            continue
        desc = None
        borrowed = borrowed_tag(f, p, header)
        if borrowed:
            desc = para(sentence(borrowed))
        if desc is None:
            for comment, tname, _ in header.typedefs:
                if re.search(r"\b%s\b" % tname, p.decl) and comment:
                    c = " ".join(comment).rstrip(".")
                    desc = text_line("The \\fB%s\\fP: %s." % (esc(tname), fmt(c[0].lower() + c[1:])))
                    break
        if desc is None:
            t = p.decl[:p.decl.rfind(p.name)].strip() if "(*" not in p.decl else p.decl
            desc = "Of type \\fI%s\\fP; see the text." % esc_chars(t, code=True)
        out.append(([p.name], desc))
        done.add(p.name)
    return out


def function_page(f, header, ctx):
    out = page_header(os.path.basename(header.path))
    out.append(th(f.name, "3", ctx["date"], ctx["version"], "Library Functions Manual"))
    out += [".SH NAME", "%s \\- %s" % (esc(f.name), esc(name_summary(f)))]
    out += [".SH LIBRARY", "libnsbox (\\fI\\-lnsbox\\fP)"]
    out += [".SH SYNOPSIS", ".nf", ".B #include <nsbox.h>", ".PP"]
    out += synopsis_proto(f)
    out += [".fi", ".PP",
            "Link with \\fI\\-lnsbox\\fP, or "
            "\\fI$(pkg\\-config \\-\\-cflags \\-\\-libs nsbox)\\fP."]
    # DESCRIPTION: the summary, the parameters as a tagged list, the body.
    out.append(".SH DESCRIPTION")
    paras = list(f.paras)
    lead = paras.pop(0) if paras else f.summary
    out.append(para(sentence(lead)))
    if f.params:
        out.append(".PP")
        out.append("Parameters:")
        for names, desc in param_list(f, header):
            out.append(".TP")
            if len(names) == 1:
                out.append(".I %s" % esc(names[0]))
            else:
                args = []
                for i, n in enumerate(names):
                    args.append(macro_arg(esc(n)))
                    if i + 1 < len(names):
                        args.append(macro_arg(", "))
                out.append(".IR " + " ".join(args))
            out.append(desc)
    for p in paras:
        out.append(".PP")
        out.append(para(p))
    # RETURN VALUE and ERRORS.
    errors = collect_errors(f, header)
    # Errors that other pages say this function returns.
    mentions = header.mentions.get(f.name, {})
    have = {n for n, _, _ in errors}
    errors += [(n, [], False) for n in mentions if n not in have]
    success = success_text(f, header)
    fname = "\\fB\\%%%s\\fP()" % esc(f.name)
    if f.ret != "void" or errors:
        out.append(".SH RETURN VALUE")
        if not errors:
            out.append(text_line("%s returns %s" % (fname, fmt(sentence(success or "", False)))))
        else:
            if success:
                out.append(text_line("On success, %s returns %s" % (fname, fmt(sentence(success, False)))))
            out.append("On failure, it returns a negative error number: " +
                       ", ".join("\\fB\\-%s\\fP" % n for n, _, _ in errors) + ".")
            out.append("It does not set \\fIerrno\\fP; after a failure, "
                       "\\fB\\%nsbox_last_error\\fP(3) describes what failed in a sentence.")
            open_groups = []
            for n, pieces, etc in errors:
                if etc and pieces and pieces[0][1] not in open_groups:
                    open_groups.append(pieces[0][1])
            for t in open_groups:
                t = re.split(r",\s", t)[0]
                out.append("Other errors %s are passed through as well." % fmt(t))
            for r in f.refs:
                out.append(".PP")
                out.append("The errors are those of \\fB\\%%%s\\fP(3)." % esc(r))
            for n in f.notes:
                out.append(".PP")
                out.append(para(sentence(n)))
    if f.ret != "void" or errors:
        out.append(".SH ERRORS")
        if not errors:
            out.append("This function does not fail.")
        for n, pieces, etc in errors:
            out.append(".TP")
            out.append(".B %s" % n)
            texts = []
            strerror = os.strerror(getattr(errno, n)) if hasattr(errno, n) else "Unknown error"
            for src, t in pieces:
                if len(t.split()) < 3:
                    # "-ENOMEM, -EMFILE resources": say which resource.
                    t = "%s (%s)" % (strerror, t)
                if src:
                    texts.append("As for \\fB\\%%%s\\fP(3): %s" % (esc(src), fmt(sentence(t, False))))
                else:
                    texts.append(fmt(sentence(t)))
            if not texts:
                texts.append(esc(strerror) + ".")
            if n in mentions:
                texts.append("See %s." % ", ".join("\\fB\\%%%s\\fP(3)" % esc(m) for m in mentions[n]))
            out.append(text_line(" ".join(texts)))
    # HISTORY from @since and the version script.
    if f.since:
        out.append(".SH HISTORY")
        node = ctx["symbols"].get(f.name) if ctx["symbols"] is not None else None
        s = "libnsbox %s" % esc(f.since)
        if node:
            s += " (symbol version \\fB%s\\fP)" % esc(node)
        out.append(s + ".")
    ex = ctx["examples"].get(f.name)
    if ex:
        out.append(".SH EXAMPLES")
        out.append("The program below is complete; build it with:")
        out.append(".PP")
        out += code_block(["cc -o %s %s.c $(pkg-config --cflags --libs nsbox)" % (f.name, f.name)])
        out.append(".SS Program source")
        with open(ex, encoding="utf-8") as fh:
            out += code_block(fh.read().rstrip("\n").split("\n"))
    out += see_also(page_refs(f, header))
    return "\n".join(out) + "\n"


def comment_paras(lines):
    """Paragraphs and " - " bullet lists of a plain comment: [(kind, text)]."""
    out = []
    cur = None
    for line in lines:
        if not line.strip():
            cur = None
            continue
        m = re.match(r"^\s*-\s+(.*)$", line)
        if m:
            cur = ["item", m.group(1).strip()]
            out.append(cur)
        elif cur is not None:
            cur[1] += " " + line.strip()
        else:
            cur = ["para", line.strip()]
            out.append(cur)
    return [(k, t) for k, t in out]


def overview_page(header, ctx):
    out = page_header(os.path.basename(header.path))
    out.append(th("nsbox", "7", ctx["date"], ctx["version"], "Miscellaneous Information Manual"))
    top = [l for l in header.top if "SPDX-License-Identifier" not in l]
    title = top[0] if top else "nsbox.h - libnsbox"
    m = re.match(r"^\S+\s+-\s+(.*?)\.?$", title)
    out += [".SH NAME", "nsbox \\- %s" % esc(m.group(1) if m else title)]
    out += [".SH LIBRARY", "libnsbox (\\fI\\-lnsbox\\fP)"]
    out += [".SH SYNOPSIS", ".nf", ".B #include <nsbox.h>", ".fi", ".PP",
            "Link with \\fI\\-lnsbox\\fP, or "
            "\\fI$(pkg\\-config \\-\\-cflags \\-\\-libs nsbox)\\fP."]
    out.append(".SH DESCRIPTION")
    first = True
    in_list = False
    for kind, text in comment_paras(top[1:]):
        if kind == "item":
            out.append(".IP \\(bu 3")
            in_list = True
        else:
            if in_list or not first:
                out.append(".PP")
            in_list = False
        out.append(para(text))
        first = False
    out.append(".SS Types")
    for comment, name, decl in header.typedefs:
        out.append(".TP")
        out.append(".B %s" % esc(name))
        out.append(para(sentence(" ".join(comment))))
    for comment, name, members in header.enums:
        out.append(".SS enum %s" % esc(name))
        out.append(para(sentence(" ".join(comment))))
        for member, value, mcomment in members:
            out.append(".TP")
            out.append(".BR %s \" (%s)\"" % (esc_chars(member, code=True), esc_chars(value, code=True)))
            out.append(para(sentence(mcomment)) if mcomment else "\\&")
    out.append(".SS Constants")
    for comment, lines in header.defines:
        out.append(".PP")
        out.append(para(sentence(" ".join(comment))))
        out.append(".PP")
        out += code_block(lines)
    out.append(".SS Functions")
    out.append("Each function has its own page in section 3.")
    # Functions under a section banner of the header are grouped by it, the
    # others by name.
    groups = [(title, [f for f in header.functions
                       if f.section is None and any(f.name.startswith(p) for p in prefixes)])
              for title, prefixes in GROUPS]
    for f in header.functions:
        if f.section is not None:
            if f.section not in [t for t, _ in groups]:
                groups.append((f.section, []))
            dict(groups)[f.section].append(f)
    listed = set()
    for title, funcs in groups:
        funcs = [f for f in funcs if f.name not in listed]
        if not funcs:
            continue
        out.append(".PP")
        out.append("\\fI%s\\fP" % esc(title))
        for f in funcs:
            listed.add(f.name)
            out.append(".TP")
            out.append(".BR \\%%%s (3)" % esc(f.name))
            out.append(text_line(fmt(name_summary(f)) + "."))
    rest = [f for f in header.functions if f.name not in listed]
    if rest:
        out.append(".PP")
        out.append("\\fIOther functions\\fP")
        for f in rest:
            out.append(".TP")
            out.append(".BR \\%%%s (3)" % esc(f.name))
            out.append(text_line(fmt(name_summary(f)) + "."))
    out.append(".SH VERSIONS")
    out.append("The header's \\fBNSBOX_VERSION_*\\fP constants give the version it belongs to; "
               "\\fB\\%nsbox_version\\fP(3) gives the version of the library in use. "
               "Each function's page names, under HISTORY, the release that added it "
               "and its symbol version.")
    if ctx["examples"]:
        out.append(".SH EXAMPLES")
        out.append("Complete programs are in " +
                   ", ".join("\\fB\\%%%s\\fP(3)" % esc(n) for n in sorted(ctx["examples"])) + ".")
    refs = [("clone", "2"), ("setns", "2"), ("unshare", "2"), ("namespaces", "7"),
            ("user_namespaces", "7")]
    for n in ("nsbox_config_new", "nsbox_spawn", "nsbox_join", "nsbox_detach"):
        if header.function(n):
            refs.append((n, "3"))
    out += see_also(sorted(set(refs), key=lambda r: (r[1], r[0])))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------


def page_names(header):
    return [f.name + ".3" for f in header.functions] + ["nsbox.7"]


def check(header, symbols):
    """Lint problems of the header that make a page incomplete."""
    for f in header.functions:
        documented = {n for names, _ in f.tags for n in names}
        text = "\n".join(f.doc)
        # Opaque handles (nsbox_config *cfg) are described by their typedef.
        handles = [t for _, t, _ in header.typedefs]
        untagged = ["%s%s" % (p.name, "" if ("@" + p.name) in text else " (never named as @%s)" % p.name)
                    for p in f.params if p.name not in documented
                    and not borrowed_tag(f, p, header)
                    and not any(re.search(r"\b%s\b" % h, p.decl) for h in handles)]
        if untagged:
            problem("warning", "%s: no @param: tag for %s" % (f.name, ", ".join(untagged)))
        for e, srcs in sorted(header.mentions.get(f.name, {}).items()):
            if e not in ERRNO_RE.findall(f.returns or ""):
                problem("warning", "%s: %s %s it returns -%s, which its own \"Returns\" text "
                        "does not list" % (f.name, ", ".join(s + "()" for s in srcs),
                                           "say" if len(srcs) > 1 else "says", e))
        if symbols is not None and f.since:
            node = symbols.get(f.name)
            if node is None:
                problem("error", "%s: not in the version script" % f.name)
            elif node != "NSBOX_" + f.since:
                problem("error", "%s: @since %s but symbol version %s" % (f.name, f.since, node))
        if f.ret != "void":
            collect_errors(f, header)
    if symbols is not None:
        for s in sorted(set(symbols) - {f.name for f in header.functions}):
            problem("error", "%s: in the version script but not declared in the header" % s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header", required=True)
    ap.add_argument("--symfile")
    ap.add_argument("--examples")
    ap.add_argument("--version", default="")
    ap.add_argument("--outdir")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--expect", nargs="*")
    a = ap.parse_args()

    header = Header(a.header)
    symbols = parse_symfile(a.symfile) if a.symfile else None
    names = page_names(header)

    if a.list:
        print("\n".join(names))
        return 1 if any(s == "error" for s, _ in problems) else 0
    if a.check:
        check(header, symbols)
        for s, msg in problems:
            print("%s: %s" % (s, msg))
        return 1 if any(s == "error" for s, _ in problems) else 0
    if not a.outdir:
        ap.error("one of --outdir, --list, --check is needed")

    examples = {}
    if a.examples and os.path.isdir(a.examples):
        for fn in sorted(os.listdir(a.examples)):
            if fn.endswith(".c"):
                name = fn[:-2]
                if not header.function(name):
                    problem("error", "example %s: no function %s() in the header" % (fn, name))
                examples[name] = os.path.join(a.examples, fn)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = int(epoch) if epoch else int(os.stat(a.header).st_mtime)
    date = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%Y-%m-%d")
    ctx = {"date": date, "version": a.version or "", "symbols": symbols, "examples": examples}

    pages = {f.name + ".3": function_page(f, header, ctx) for f in header.functions}
    pages["nsbox.7"] = overview_page(header, ctx)

    # Problems of the doc comments do not stop the build (the pages are
    # written as well as they can be); tests/man runs --check and fails.
    for m in sorted({m for s, m in problems if s == "error"}):
        print("gen-man.py: warning: %s: %s (see gen-man.py --check)" % (a.header, m),
              file=sys.stderr)
    if a.expect is not None:
        expected = [os.path.basename(p) for p in a.expect]
        missing = sorted(set(expected) - set(pages))
        extra = sorted(set(pages) - set(expected))
        if missing:
            print("gen-man.py: error: the build expects pages that the header does not yield "
                  "(update the list in lib/man/meson.build): %s" % " ".join(missing), file=sys.stderr)
            return 1
        if extra:
            print("gen-man.py: warning: pages not in the list of lib/man/meson.build, "
                  "so not installed: %s" % " ".join(extra), file=sys.stderr)
    os.makedirs(a.outdir, exist_ok=True)
    for name, text in pages.items():
        path = os.path.join(a.outdir, name)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
