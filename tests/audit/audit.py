#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Audit of lib/ (issue 6): two rules that review alone does not keep.

1. Every call in lib/*.c that creates a descriptor asks for close-on-exec
   (O_CLOEXEC, SOCK_CLOEXEC, MSG_CMSG_CLOEXEC, F_DUPFD_CLOEXEC, ...), or
   carries a justification comment "nsbox-audit: <why>" on the call or the
   line before it.
2. The code that runs in the child between clone and execve (the
   libnsbox-child static library) calls nothing outside an allow-list of
   async-signal-safe functions: its undefined symbols, less the library's
   own nsbox__* functions, must all be in ALLOWED.

usage: audit.py SOURCE_DIR CHILD_ARCHIVE
"""
import os
import re
import subprocess
import sys

# Calls that return a new descriptor, and the flag that makes it CLOEXEC.
FD_CALLS = {
    "open": "O_CLOEXEC", "openat": "O_CLOEXEC", "openat2": "O_CLOEXEC",
    "__NR_openat": "O_CLOEXEC", "__NR_open": "O_CLOEXEC", "creat": None,
    "pipe": None, "pipe2": "O_CLOEXEC", "__NR_pipe2": "O_CLOEXEC",
    "socket": "SOCK_CLOEXEC", "socketpair": "SOCK_CLOEXEC", "__NR_socket": "SOCK_CLOEXEC",
    "accept": None, "accept4": "SOCK_CLOEXEC",
    "dup": None, "dup2": None, "dup3": "O_CLOEXEC",
    "memfd_create": "MFD_CLOEXEC", "eventfd": "EFD_CLOEXEC", "signalfd": "SFD_CLOEXEC",
    "epoll_create": None, "epoll_create1": "EPOLL_CLOEXEC", "inotify_init": None,
    "inotify_init1": "IN_CLOEXEC", "timerfd_create": "TFD_CLOEXEC",
    "opendir": "",  # glibc opens directories O_CLOEXEC itself
    "fopen": "e",   # mode string must contain 'e'
    "recvmsg": "MSG_CMSG_CLOEXEC",
    "pidfd_open": "",  # pidfds are always close-on-exec
    "SYS_pidfd_open": "",
}
# fcntl(fd, F_DUPFD...) must be F_DUPFD_CLOEXEC.
FCNTL_DUP = re.compile(r"\bF_DUPFD\b(?!_CLOEXEC)")

# What the child may call: async-signal-safe and free of locks and errno
# use on its path (clone(3) of libc is the clone(2) fallback; it only sets
# errno on failure, __errno_location is that).
ALLOWED = {"clone", "__errno_location", "memcpy", "memset", "memmove", "strlen",
           "__stack_chk_fail",
           # not a call: the linker's table, referenced to read a global
           # (the descriptor registry) from position-independent code
           "_GLOBAL_OFFSET_TABLE_",
           # not a call: a callback child's environment is set by storing
           # the prepared array in environ (a fork-style child, its own copy)
           "environ"}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def statement(text, start):
    """Text of the call starting at start, to its closing parenthesis."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return text[start:]


def audit_sources(srcdir):
    problems = []
    for name in sorted(os.listdir(srcdir)):
        if not name.endswith(".c"):
            continue
        path = os.path.join(srcdir, name)
        raw = open(path).read()
        code = strip_comments(raw)
        lines = raw.split("\n")
        for call, flag in FD_CALLS.items():
            pat = re.compile(r"(?<![\w.>])" + re.escape(call) + r"\s*[(,]")
            for m in pat.finditer(code):
                # a declaration or a definition is not a call
                before = code[max(0, m.start() - 40):m.start()]
                if re.search(r"(int|void|ssize_t|long|static)\s+\**$", before):
                    continue
                lineno = code.count("\n", 0, m.start()) + 1
                here = lines[lineno - 1] + (lines[lineno - 2] if lineno > 1 else "")
                if "nsbox-audit:" in here:
                    continue
                if call.startswith("__NR_") or call.startswith("SYS_"):
                    # NSBOX_SYSn(__NR_openat, ...): the whole macro call
                    start = code.rfind("(", 0, m.start())
                    stmt = statement(code, start)
                else:
                    stmt = statement(code, m.end() - 1)
                if flag == "":
                    continue
                if flag is None or flag not in stmt:
                    problems.append("%s:%d: %s without %s: %s" % (
                        name, lineno, call, flag or "a close-on-exec variant",
                        " ".join(stmt.split())[:100]))
        for m in FCNTL_DUP.finditer(code):
            lineno = code.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: fcntl F_DUPFD without CLOEXEC" % (name, lineno))
    return problems


def audit_child(archive):
    out = subprocess.run(["nm", "-u", archive], check=True, capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            syms.add(parts[1])
    foreign = sorted(s for s in syms if not s.startswith("nsbox__") and s not in ALLOWED)
    return ["child code calls %s, which is not on the async-signal-safe allow-list" % s
            for s in foreign], sorted(syms)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    sources = audit_sources(sys.argv[1])
    child, syms = audit_child(sys.argv[2])
    print("child code calls: " + ", ".join(s for s in syms if not s.startswith("nsbox__")))
    for p in sources + child:
        print("FAIL: " + p)
    failed = (1 if sources else 0) + (1 if child else 0)
    print("%d passed, %d failed" % (2 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
