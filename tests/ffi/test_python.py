#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""FFI test: libnsbox through examples/python/nsbox.py (ctypes), against the
real kernel.

    test_python.py [--as-nobody] [LIBRARY]

LIBRARY is the libnsbox.so to load (default: $NSBOX_LIBRARY, then
libnsbox.so.0). With --as-nobody the checks run in a forked child that
dropped to uid/gid 65534 (needs root to drop: exit 77 otherwise), which
exercises the unprivileged user-namespace path for real.

Exit status: 0 all checks passed, 1 a check failed, 77 skipped (with a
reason); NSBOX_TEST_MUST_WORK=1 turns a skip into a failure.
"""

import ctypes
import errno
import os
import signal
import socket
import sys
import threading
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "python"))

import nsbox  # noqa: E402

NOBODY = 65534
MUST_WORK = os.environ.get("NSBOX_TEST_MUST_WORK") == "1"


def skip(reason):
    if MUST_WORK:
        print("FAIL (NSBOX_TEST_MUST_WORK=1 forbids skipping): " + reason, flush=True)
        sys.exit(1)
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


def check_eq(got, want, what):
    if got != want:
        raise CheckFailed("%s: got %r, want %r" % (what, got, want))


def expect_oserror(want_errno, fn, *args, contains=None):
    """fn(*args) must raise OSError(want_errno, message containing contains)."""
    try:
        fn(*args)
    except OSError as e:
        check_eq(errno.errorcode.get(e.errno, e.errno), errno.errorcode[want_errno],
                 "errno of %s" % getattr(fn, "__name__", fn))
        check(isinstance(e.strerror, str) and e.strerror, "OSError has the library's message")
        if contains:
            check(contains in e.strerror, "message %r mentions %r" % (e.strerror, contains))
        return e
    raise CheckFailed("%s%r succeeded, expected %s" % (getattr(fn, "__name__", fn), args,
                                                    errno.errorcode[want_errno]))


# ---------------------------------------------------------------------------
# Helpers


def open_fds():
    return sorted(int(n) for n in os.listdir("/proc/self/fd"))


def assert_no_children():
    """No child of ours is left, running or zombie."""
    try:
        pid, status = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return
    raise CheckFailed("a child process was left behind (pid %d, status %d)" % (pid, status))


class Pipe:
    """A pipe whose child end is inherited by the payload; the payload finds
    it by the number passed on its command line."""

    def __init__(self, child_end):
        self.r, self.w = os.pipe()  # both O_CLOEXEC
        self.child_fd = self.w if child_end == "w" else self.r
        self.parent_fd = self.r if child_end == "w" else self.w
        os.set_inheritable(self.child_fd, True)

    def after_spawn(self):
        os.close(self.child_fd)
        self.child_fd = None

    def close(self):
        for fd in (self.child_fd, self.parent_fd):
            if fd is not None:
                os.close(fd)
        self.child_fd = self.parent_fd = None


def read_lines(fd, n):
    """n lines from fd (fewer if the writer is gone)."""
    data = b""
    while data.count(b"\n") < n:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode().splitlines()


def readlink_ns(pid, ns):
    return os.readlink("/proc/%s/ns/%s" % (pid, nsbox.NS_NAMES[ns]))


def nspid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("NSpid:"):
                return [int(x) for x in line.split()[1:]]
    raise CheckFailed("no NSpid line in /proc/%d/status" % pid)


def dead_pid():
    """A pid that belonged to a process that is gone now."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def in_fork(fn):
    """Run fn() in a forked child (for calls that change the calling process:
    join, detach); a CheckFailed or any exception there fails the check."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            fn()
            msg, code = b"", 0
        except BaseException:
            msg, code = traceback.format_exc().encode(), 1
        os.write(w, msg)
        os._exit(code)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise CheckFailed("in forked child (status %d):\n%s" % (status, out.decode(errors="replace")))


HOSTNAME = "nsbox-ffi-py"

# The payload: report its hostname, its pid as it sees it, its uid, then
# block on the gate pipe so that the test can look at it from outside.
PAYLOAD = 'hostname >&"$1"; echo $$ >&"$1"; id -u >&"$1"; read x <&"$2"'


def spawn_reporter(flags=0):
    """Spawn PAYLOAD in new UTS+PID+user namespaces (map_caller root);
    returns (proc, out pipe, gate pipe)."""
    out, gate = Pipe("w"), Pipe("r")
    try:
        with nsbox.Config() as cfg:
            cfg.map_caller(root=True)
            cfg.namespaces |= nsbox.NS_UTS | nsbox.NS_PID
            check_eq(cfg.namespaces, nsbox.NS_USER | nsbox.NS_UTS | nsbox.NS_PID, "namespace mask")
            cfg.hostname = HOSTNAME
            cfg.set_flags(flags)
            cfg.exec("/bin/sh", ["sh", "-c", PAYLOAD, "sh", str(out.child_fd), str(gate.child_fd)])
            proc = cfg.spawn()
    except BaseException:
        out.close()
        gate.close()
        raise
    out.after_spawn()
    gate.after_spawn()
    return proc, out, gate


# ---------------------------------------------------------------------------
# Checks. Each is a function; a failed check raises CheckFailed.


def check_version():
    check_eq(nsbox.version(), "0.1.0", "nsbox_version()")
    want = os.environ.get("NSBOX_LIBRARY")
    if want:
        # The library under test is the one mapped, not an installed copy.
        with open("/proc/self/maps") as f:
            mapped = {line.split()[-1] for line in f if "libnsbox" in line}
        check_eq(mapped, {os.path.realpath(want)}, "libnsbox files mapped into the test")


def check_last_error_fresh_thread():
    got = []
    t = threading.Thread(target=lambda: got.append(nsbox.last_error()))
    t.start()
    t.join()
    check_eq(got, [""], "nsbox_last_error() of a thread that saw no failure")


def _spawn_and_inspect(flags):
    euid, egid = os.geteuid(), os.getegid()
    my_hostname = socket.gethostname()
    fds_before = open_fds()
    proc, out, gate = spawn_reporter(flags)
    try:
        with proc:
            lines = read_lines(out.parent_fd, 3)
            check_eq(lines, [HOSTNAME, "1", "0"], "payload's hostname, pid and uid as it sees them")

            # From outside, while it waits on the gate.
            pid = proc.pid
            check(pid > 1, "host pid %d" % pid)
            check_eq(nspid(pid), [pid, 1], "NSpid of the payload (host pid, pid in its namespace)")
            for ns in (nsbox.NS_UTS, nsbox.NS_PID, nsbox.NS_USER):
                check(readlink_ns(pid, ns) != readlink_ns("self", ns),
                      "%s namespace of the child is new" % nsbox.NS_NAMES[ns])
                check_eq(nsbox.ns_same(pid, 0, ns), False, "nsbox_ns_same(child, self, %s)" % nsbox.NS_NAMES[ns])
                dev, ino = nsbox.ns_id(pid, ns)
                check_eq(readlink_ns(pid, ns), "%s:[%d]" % (nsbox.NS_NAMES[ns], ino), "nsbox_ns_id inode")
            for ns in (nsbox.NS_MOUNT, nsbox.NS_NET, nsbox.NS_IPC):
                check_eq(readlink_ns(pid, ns), readlink_ns("self", ns),
                         "%s namespace not asked for is shared" % nsbox.NS_NAMES[ns])
                check_eq(nsbox.ns_same(pid, 0, ns), True, "nsbox_ns_same(child, self, %s)" % nsbox.NS_NAMES[ns])
            with open("/proc/%d/uid_map" % pid) as f:
                check_eq(f.read().split(), ["0", str(euid), "1"], "uid_map of the child")
            with open("/proc/%d/gid_map" % pid) as f:
                check_eq(f.read().split(), ["0", str(egid), "1"], "gid_map of the child")
            with open("/proc/%d/setgroups" % pid) as f:
                check_eq(f.read().strip(), "deny", "setgroups of the child")
            check_eq(socket.gethostname(), my_hostname, "our own hostname is untouched")

            pidfd = proc.pidfd
            check(os.readlink("/proc/self/fd/%d" % pidfd) == "anon_inode:[pidfd]", "proc.pidfd is a pidfd")
            check_eq(proc.wait(nohang=True), None, "wait(nohang) while the payload runs")

            os.write(gate.parent_fd, b"go\n")
            check_eq(proc.wait(), 0, "exit code after the gate opened")
            check_eq(proc.wait(), 0, "a second wait returns the same status")
    finally:
        out.close()
        gate.close()
    proc.close()
    check_eq(open_fds(), fds_before, "open descriptors after spawn, wait and free")
    assert_no_children()


def check_spawn_uts_pid_user():
    _spawn_and_inspect(0)


def check_spawn_fork_style():
    _spawn_and_inspect(nsbox.SPAWN_FORK)


def check_spawn_no_clone3():
    _spawn_and_inspect(nsbox.SPAWN_NO_CLONE3)


def check_kill():
    gate = Pipe("r")
    try:
        with nsbox.Config() as cfg:
            # No PID namespace: a pid 1 would ignore SIGTERM from outside.
            cfg.map_caller(root=True)
            cfg.exec("/bin/sh", ["sh", "-c", 'read x <&"$1"', "sh", str(gate.child_fd)])
            with cfg.spawn() as proc:
                gate.after_spawn()
                proc.kill(signal.SIGTERM)
                check_eq(proc.wait(), -signal.SIGTERM, "returncode of a process killed by SIGTERM")
                expect_oserror(errno.ESRCH, proc.kill, signal.SIGTERM, contains="reaped")
    finally:
        gate.close()
    assert_no_children()


def check_exit_signal_none():
    with nsbox.Config() as cfg:
        cfg.set_exit_signal(0)
        cfg.map_caller(root=False)
        cfg.exec("/bin/sh", ["sh", "-c", 'test "$(id -u)" = "$1" && exit 7', "sh", str(os.geteuid())])
        with cfg.spawn() as proc:
            pass
    check_eq(proc.returncode, 7, "exit code, no exit signal, caller mapped to itself")
    assert_no_children()


def check_config_join():
    """A second payload joins the first's user and UTS namespaces."""
    proc, out, gate = spawn_reporter()
    try:
        with proc:
            check_eq(read_lines(out.parent_fd, 3)[0], HOSTNAME, "first payload's hostname")
            out2, gate3 = Pipe("w"), None
            try:
                with nsbox.Config() as cfg:
                    cfg.join(proc.pidfd, nsbox.NS_USER | nsbox.NS_UTS)
                    cfg.exec("/bin/sh", ["sh", "-c", 'hostname >&"$1"', "sh", str(out2.child_fd)])
                    with cfg.spawn() as proc2:
                        out2.after_spawn()
                        check_eq(read_lines(out2.parent_fd, 1), [HOSTNAME], "hostname seen by a joiner (pidfd)")
                    check_eq(proc2.returncode, 0, "joiner's exit code")
                gate3 = Pipe("r")
                with nsbox.Config() as cfg:
                    # The joiner waits on its gate: a process that has exited
                    # has no namespaces left to compare.
                    cfg.join_pid(proc.pid, nsbox.NS_USER | nsbox.NS_UTS)
                    cfg.exec("/bin/sh", ["sh", "-c", 'read x <&"$1"', "sh", str(gate3.child_fd)])
                    with cfg.spawn() as proc3:
                        gate3.after_spawn()
                        check_eq(nsbox.ns_same(proc.pid, proc3.pid, nsbox.NS_UTS), True,
                                 "joiner by pid shares the UTS namespace")
                        check_eq(nsbox.ns_same(proc.pid, proc3.pid, nsbox.NS_USER), True,
                                 "joiner by pid shares the user namespace")
                        check_eq(nsbox.ns_same(proc3.pid, 0, nsbox.NS_UTS), False,
                                 "joiner does not share our UTS namespace")
                        os.write(gate3.parent_fd, b"go\n")
                    check_eq(proc3.returncode, 0, "joiner by pid's exit code")
            finally:
                out2.close()
                if gate3:
                    gate3.close()
            os.write(gate.parent_fd, b"go\n")
    finally:
        out.close()
        gate.close()
    check_eq(proc.returncode, 0, "first payload's exit code")
    assert_no_children()


def check_join_in_caller():
    """nsbox_join / nsbox_join_pid / nsbox_join_path move the calling
    process; done in forked children of the test."""
    proc, out, gate = spawn_reporter()
    try:
        with proc:
            read_lines(out.parent_fd, 3)

            def by_pidfd():
                nsbox.join(proc.pidfd, nsbox.NS_USER | nsbox.NS_UTS)
                check_eq(socket.gethostname(), HOSTNAME, "hostname after nsbox_join")
                check_eq(os.geteuid(), 0, "euid after joining the user namespace")

            def by_pid():
                nsbox.join_pid(proc.pid, nsbox.NS_USER | nsbox.NS_UTS)
                check_eq(socket.gethostname(), HOSTNAME, "hostname after nsbox_join_pid")

            def by_path():
                nsbox.join_path("/proc/%d/ns/user" % proc.pid, nsbox.NS_USER)
                nsbox.join_path("/proc/%d/ns/uts" % proc.pid, 0)
                check_eq(socket.gethostname(), HOSTNAME, "hostname after nsbox_join_path")

            def bad_path():
                expect_oserror(errno.ENOENT, nsbox.join_path, "/nonexistent/ns/uts", nsbox.NS_UTS)
                expect_oserror(errno.EINVAL, nsbox.join_path, "/proc/%d/ns/uts" % proc.pid, nsbox.NS_NET)

            for fn in (by_pidfd, by_pid, by_path, bad_path):
                in_fork(fn)
            os.write(gate.parent_fd, b"go\n")
    finally:
        out.close()
        gate.close()
    assert_no_children()


def check_detach():
    def detach_user():
        before = readlink_ns("self", nsbox.NS_UTS)
        nsbox.detach_user(nsbox.NS_UTS, root=True)
        check_eq(os.geteuid(), 0, "euid after nsbox_detach_user(root)")
        check(readlink_ns("self", nsbox.NS_UTS) != before, "a new UTS namespace")
        socket.sethostname("nsbox-detached")  # allowed: we own the new namespace
        check_eq(socket.gethostname(), "nsbox-detached", "hostname in the detached namespace")

    def detach_plain():
        before = readlink_ns("self", nsbox.NS_UTS)
        if os.geteuid() == 0:
            nsbox.detach(nsbox.NS_UTS)
            check(readlink_ns("self", nsbox.NS_UTS) != before, "a new UTS namespace (root)")
        else:
            expect_oserror(errno.EPERM, nsbox.detach, nsbox.NS_UTS, contains="unshare")
        expect_oserror(errno.EINVAL, nsbox.detach, 0)

    my_hostname = socket.gethostname()
    in_fork(detach_user)
    in_fork(detach_plain)
    check_eq(socket.gethostname(), my_hostname, "the test's hostname is untouched")


def check_errors():
    lib = nsbox.default_library()
    fds_before = open_fds()

    # exec of a missing file: -ENOENT from nsbox_spawn, the child reaped.
    with nsbox.Config() as cfg:
        cfg.map_caller(root=True)
        cfg.namespaces |= nsbox.NS_UTS | nsbox.NS_PID
        cfg.exec("/nonexistent/nsbox-ffi-test")
        expect_oserror(errno.ENOENT, cfg.spawn, contains="execve")
    assert_no_children()

    with nsbox.Config() as cfg:
        cfg.namespaces = nsbox.NS_UTS | nsbox.NS_USER
        expect_oserror(errno.ENAMETOOLONG, cfg.set_hostname, "h" * (nsbox.HOSTNAME_MAX + 1))
        cfg.hostname = "h" * nsbox.HOSTNAME_MAX  # exactly the limit is fine
        expect_oserror(errno.EINVAL, setattr, cfg, "namespaces", 0x100)
        check_eq(cfg.namespaces, nsbox.NS_UTS | nsbox.NS_USER, "mask unchanged after a refused set")
        expect_oserror(errno.EINVAL, cfg.set_exit_signal, 65)
        expect_oserror(errno.EINVAL, cfg.set_flags, 0x80000000)
        expect_oserror(errno.EINVAL, cfg.add_uid_map, 0, 0, 0)
        expect_oserror(errno.EOVERFLOW, cfg.add_uid_map, 0xFFFFFFFF, 0, 2)
        expect_oserror(errno.EINVAL, cfg.join_pid, 0, nsbox.NS_NET)
        expect_oserror(errno.EINVAL, cfg.spawn, contains="no payload")

    # A hostname needs a UTS namespace: the spawn says so.
    with nsbox.Config() as cfg:
        cfg.hostname = "x"
        cfg.exec("/bin/true")
        expect_oserror(errno.EINVAL, cfg.spawn, contains="NSBOX_NS_UTS")

    # A join target that is gone.
    with nsbox.Config() as cfg:
        cfg.join_pid(dead_pid(), nsbox.NS_UTS)
        cfg.exec("/bin/true")
        expect_oserror(errno.ESRCH, cfg.spawn)
    assert_no_children()

    expect_oserror(errno.EINVAL, nsbox.ns_id, 0, nsbox.NS_UTS | nsbox.NS_PID)
    expect_oserror(errno.ESRCH, nsbox.ns_id, dead_pid(), nsbox.NS_UTS)
    expect_oserror(errno.EINVAL, nsbox.join_pid, -1, nsbox.NS_UTS)

    # NULL where the API wants a pointer, straight through ctypes.
    dll = lib.dll
    check_eq(dll.nsbox_config_new(None), -errno.EINVAL, "nsbox_config_new(NULL)")
    check_eq(dll.nsbox_spawn(None, ctypes.byref(ctypes.c_void_p())), -errno.EINVAL, "nsbox_spawn(NULL, &p)")
    check_eq(dll.nsbox_config_set_hostname(None, b"x"), -errno.EINVAL, "nsbox_config_set_hostname(NULL, ...)")
    check_eq(dll.nsbox_proc_pid(None), -errno.EINVAL, "nsbox_proc_pid(NULL)")
    check_eq(dll.nsbox_proc_wait(None, 0, None), -errno.EINVAL, "nsbox_proc_wait(NULL, ...)")
    check(dll.nsbox_last_error().decode(), "nsbox_last_error() after a NULL argument")
    dll.nsbox_config_free(None)
    dll.nsbox_proc_free(None)
    check_eq(lib.check(0), 0, "check(0)")

    check_eq(open_fds(), fds_before, "open descriptors after the failures")


CHECKS = [
    check_version,
    check_last_error_fresh_thread,
    check_spawn_uts_pid_user,
    check_spawn_fork_style,
    check_spawn_no_clone3,
    check_kill,
    check_exit_signal_none,
    check_config_join,
    check_join_in_caller,
    check_detach,
    check_errors,
]


def run_checks(label):
    passed = failed = 0
    for fn in CHECKS:
        name = "%s %s" % (label, fn.__name__)
        try:
            fn()
        except Exception:
            failed += 1
            print("FAIL %s\n%s" % (name, traceback.format_exc()), flush=True)
        else:
            passed += 1
            print("ok   %s" % name, flush=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


def probe_userns():
    """Whether this process may create a user namespace; a reason if not."""
    try:
        with nsbox.Config() as cfg:
            cfg.map_caller(root=True)
            cfg.exec("/bin/true")
            with cfg.spawn():
                pass
    except OSError as e:
        return "cannot create a user namespace as uid %d: %s" % (os.geteuid(), e)
    return None


def as_nobody():
    if os.geteuid() != 0:
        skip("--as-nobody needs root to drop to uid %d (running as uid %d)" % (NOBODY, os.geteuid()))
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
            # Changing uid made this process non-dumpable: its /proc/PID files
            # now belong to root, so a child of it could not write its own
            # /proc/self/uid_map. A program that drops privileges and then uses
            # user namespaces must turn dumpable back on, as we do here (a
            # program started as an unprivileged user is dumpable anyway).
            PR_SET_DUMPABLE = 4
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")
            os.chdir("/")
            print("running as uid %d gid %d" % (os.getuid(), os.getgid()), flush=True)
            reason = probe_userns()
            if reason:
                code = 1 if MUST_WORK else 77
                print(("FAIL (NSBOX_TEST_MUST_WORK=1): " if MUST_WORK else "SKIP: ") + reason, flush=True)
            else:
                code = run_checks("nobody")
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


def main(argv):
    args = argv[1:]
    nobody = "--as-nobody" in args
    args = [a for a in args if a != "--as-nobody"]
    if args:
        os.environ["NSBOX_LIBRARY"] = os.path.abspath(args[0])
    if os.environ.get("NSBOX_TEST_VALGRIND") == "1":
        print("SKIP: the FFI tests do not run under valgrind (it would trace the interpreter)")
        return 77
    signal.alarm(120)  # a hung payload must fail the test, not stall it
    print("libnsbox %s from %s" % (nsbox.version(), nsbox.default_library().path), flush=True)
    if nobody:
        return as_nobody()
    reason = probe_userns()
    if reason:
        skip(reason)
    return run_checks("uid%d" % os.geteuid())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
