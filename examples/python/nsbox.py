# SPDX-License-Identifier: MIT
"""nsbox - libnsbox from Python, with ctypes and nothing else.

This module is an example of calling libnsbox through its C ABI. It uses
only the Python standard library and the public header include/nsbox.h: no
compiled extension, no header parsing. Read it as documentation of how a
foreign-function user binds the library; copy what you need.

    import nsbox

    with nsbox.Config() as cfg:
        cfg.map_caller(root=True)              # new user namespace, we are root inside
        cfg.namespaces |= nsbox.NS_UTS | nsbox.NS_PID
        cfg.hostname = "box"
        cfg.exec("/bin/sh", ["sh", "-c", "hostname; echo $$"])
        with cfg.spawn() as proc:              # waits for the process on exit
            print("pid", proc.pid)
        print("exit code", proc.returncode)    # 0; "box" and "1" were printed

Where the library comes from: the constructor argument ``Library(path)``,
else the environment variable NSBOX_LIBRARY, else "libnsbox.so.0" through
the dynamic linker's usual search (LD_LIBRARY_PATH, ld.so.cache).

Errors: every libnsbox function returns a negative errno value on failure.
This module turns it into ``OSError(errno, nsbox_last_error())``, so
``e.errno`` is the documented -Exxx (positive, as in the errno module) and
``e.strerror`` is the library's sentence naming the step that failed.

Not wrapped on purpose: nsbox_config_set_callback() and
nsbox_config_set_stack(). A callback payload would run Python code in a
child created by a raw clone(2) of this interpreter, where the interpreter's
locks and threads are in whatever state the parent's were; use an exec
payload instead.
"""

import ctypes
import errno as _errno
import os
import signal

__all__ = [
    "Library", "Config", "Process", "default_library",
    "version", "last_error", "join", "join_pid", "join_path",
    "detach", "detach_user", "ns_id", "ns_same",
]

# ---------------------------------------------------------------------------
# Constants, mirrored from include/nsbox.h. They are the library's own stable
# values (not the kernel's CLONE_* flags), so they can be copied as numbers.

NS_MOUNT = 0x01
NS_UTS = 0x02
NS_IPC = 0x04
NS_PID = 0x08
NS_NET = 0x10
NS_USER = 0x20
NS_CGROUP = 0x40
NS_TIME = 0x80
NS_ALL = 0xFF

SETGROUPS_DEFAULT = 0
SETGROUPS_ALLOW = 1
SETGROUPS_DENY = 2

MAP_ROOT = 0x01

PROPAGATION_PRIVATE = 0
PROPAGATION_SLAVE = 1
PROPAGATION_SHARED = 2
PROPAGATION_UNCHANGED = 3

SPAWN_FORK = 0x01
SPAWN_NO_CLONE3 = 0x02

WAIT_NOHANG = 0x01

STACK_MIN = 16384
STACK_DEFAULT = 256 * 1024
MAP_LINES_MAX = 340
HOSTNAME_MAX = 64

# The names of /proc/PID/ns/* files, by namespace bit.
NS_NAMES = {
    NS_MOUNT: "mnt", NS_UTS: "uts", NS_IPC: "ipc", NS_PID: "pid",
    NS_NET: "net", NS_USER: "user", NS_CGROUP: "cgroup", NS_TIME: "time",
}

# ---------------------------------------------------------------------------
# Prototypes. One line per function of nsbox.h that this module calls:
# (name, restype, argtypes). The opaque handles nsbox_config* and nsbox_proc*
# are plain c_void_p: Python never looks inside them.

_c_int, _u32, _i32, _u64 = ctypes.c_int, ctypes.c_uint32, ctypes.c_int32, ctypes.c_uint64
_str, _ptr, _size = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t
_pptr = ctypes.POINTER(ctypes.c_void_p)
_strv = ctypes.POINTER(ctypes.c_char_p)  # const char *const *, NULL-terminated

_PROTOTYPES = [
    ("nsbox_version", _str, []),
    ("nsbox_last_error", _str, []),
    ("nsbox_config_new", _c_int, [_pptr]),
    ("nsbox_config_free", None, [_ptr]),
    ("nsbox_config_set_namespaces", _c_int, [_ptr, _u32]),
    ("nsbox_config_set_hostname", _c_int, [_ptr, _str]),
    ("nsbox_config_set_domainname", _c_int, [_ptr, _str]),
    ("nsbox_config_add_uid_map", _c_int, [_ptr, _u32, _u32, _u32]),
    ("nsbox_config_add_gid_map", _c_int, [_ptr, _u32, _u32, _u32]),
    ("nsbox_config_set_setgroups", _c_int, [_ptr, _u32]),
    ("nsbox_config_map_caller", _c_int, [_ptr, _u32]),
    ("nsbox_config_set_exec", _c_int, [_ptr, _str, _strv, _strv]),
    ("nsbox_config_set_stack_size", _c_int, [_ptr, _size]),
    ("nsbox_config_set_propagation", _c_int, [_ptr, _u32]),
    ("nsbox_config_set_mount_proc", _c_int, [_ptr, _i32]),
    ("nsbox_config_join", _c_int, [_ptr, _i32, _u32]),
    ("nsbox_config_join_pid", _c_int, [_ptr, _i32, _u32]),
    ("nsbox_config_join_path", _c_int, [_ptr, _str, _u32]),
    ("nsbox_config_set_exit_signal", _c_int, [_ptr, _i32]),
    ("nsbox_config_set_flags", _c_int, [_ptr, _u32]),
    ("nsbox_spawn", _c_int, [_ptr, _pptr]),
    ("nsbox_proc_pid", _i32, [_ptr]),
    ("nsbox_proc_pidfd", _c_int, [_ptr]),
    ("nsbox_proc_wait", _c_int, [_ptr, _u32, ctypes.POINTER(_i32)]),
    ("nsbox_proc_kill", _c_int, [_ptr, _i32]),
    ("nsbox_proc_free", None, [_ptr]),
    ("nsbox_join", _c_int, [_i32, _u32]),
    ("nsbox_join_pid", _c_int, [_i32, _u32]),
    ("nsbox_join_path", _c_int, [_str, _u32]),
    ("nsbox_detach", _c_int, [_u32]),
    ("nsbox_detach_user", _c_int, [_u32, _u32]),
    ("nsbox_ns_id", _c_int, [_i32, _u32, ctypes.POINTER(_u64), ctypes.POINTER(_u64)]),
    ("nsbox_ns_same", _c_int, [_i32, _i32, _u32]),
]


def _bytes(s):
    """str or bytes (or os.PathLike) to bytes in the file system encoding."""
    return os.fsencode(s)


def _string_vector(items):
    """A NULL-terminated char*[] for argv/envp. The library copies the
    strings, so the array only has to live until the call returns."""
    encoded = [_bytes(s) for s in items]
    return (ctypes.c_char_p * (len(encoded) + 1))(*encoded, None)


class Library:
    """The loaded libnsbox.so with its prototypes declared.

    ``Library()`` loads $NSBOX_LIBRARY, else libnsbox.so.0; ``Library(path)``
    loads that file. The module-level functions and ``Config()`` without a
    library argument use ``default_library()``, a shared ``Library()``.
    """

    def __init__(self, path=None):
        if path is None:
            path = os.environ.get("NSBOX_LIBRARY") or "libnsbox.so.0"
        self.path = os.fspath(path)
        self.dll = ctypes.CDLL(self.path)
        for name, restype, argtypes in _PROTOTYPES:
            fn = getattr(self.dll, name)
            fn.restype = restype
            fn.argtypes = argtypes

    # -- the error convention ------------------------------------------------

    def last_error(self):
        """nsbox_last_error(): this thread's last failure, as a str."""
        return self.dll.nsbox_last_error().decode(errors="replace")

    def check(self, rc):
        """Return rc if it is >= 0; raise OSError(-rc, last error) if not.

        nsbox_last_error() is per thread and valid until the next call of
        this thread, so it is read right here, before anything else runs.
        """
        if rc < 0:
            err = -rc
            message = self.last_error() or os.strerror(err)
            raise OSError(err, message)
        return rc

    # -- functions that take no handle ---------------------------------------

    def version(self):
        """nsbox_version(): the run-time version, e.g. "0.1.0"."""
        return self.dll.nsbox_version().decode()

    def join(self, pidfd, ns):
        """Enter namespaces (NS_* bits) of the process behind pidfd, in the
        calling thread (nsbox_join)."""
        self.check(self.dll.nsbox_join(pidfd, ns))

    def join_pid(self, pid, ns):
        """nsbox_join() for a process named by pid."""
        self.check(self.dll.nsbox_join_pid(pid, ns))

    def join_path(self, path, ns=0):
        """Enter the namespace of an nsfs file such as /proc/PID/ns/net."""
        self.check(self.dll.nsbox_join_path(_bytes(path), ns))

    def detach(self, ns):
        """Move this process into new namespaces (unshare(2))."""
        self.check(self.dll.nsbox_detach(ns))

    def detach_user(self, ns=0, root=True):
        """Unshare a user namespace (plus ns) mapping our uid/gid, to 0 with
        root=True, like unshare -r. The Python interpreter must have a single
        thread for this (the kernel's rule for user namespaces)."""
        self.check(self.dll.nsbox_detach_user(ns, MAP_ROOT if root else 0))

    def ns_id(self, pid, ns):
        """(dev, ino) naming the namespace of kind ns of pid (0: ourselves)."""
        dev, ino = _u64(), _u64()
        self.check(self.dll.nsbox_ns_id(pid, ns, ctypes.byref(dev), ctypes.byref(ino)))
        return dev.value, ino.value

    def ns_same(self, pid_a, pid_b, ns):
        """Whether two processes (0: ourselves) share their namespace of kind ns."""
        return self.check(self.dll.nsbox_ns_same(pid_a, pid_b, ns)) == 1


_default = None


def default_library():
    """The Library() used when none is given, loaded on first use."""
    global _default
    if _default is None:
        _default = Library()
    return _default


class Config:
    """An nsbox_config: what nsbox_spawn() should create and run.

    Setters raise OSError at once for what the library rejects at once
    (e.g. ENAMETOOLONG for a long hostname); the rest is checked by spawn().
    Free it with close(), a with block, or leave it to the garbage collector.
    """

    def __init__(self, library=None):
        self._handle = None
        self._lib = library or default_library()
        self._dll = self._lib.dll
        self._namespaces = 0
        handle = ctypes.c_void_p()
        self._lib.check(self._dll.nsbox_config_new(ctypes.byref(handle)))
        self._handle = handle

    def close(self):
        """nsbox_config_free(). Safe to call twice."""
        if self._handle is not None:
            self._dll.nsbox_config_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _call(self, fn, *args):
        if self._handle is None:
            raise ValueError("nsbox.Config is closed")
        return self._lib.check(fn(self._handle, *args))

    # -- what to create ------------------------------------------------------

    @property
    def namespaces(self):
        """The NS_* mask of namespaces to create. map_caller() adds NS_USER."""
        return self._namespaces

    @namespaces.setter
    def namespaces(self, ns):
        self._call(self._dll.nsbox_config_set_namespaces, ns)
        self._namespaces = ns

    def set_hostname(self, name):
        """Hostname in the new UTS namespace (at most 64 bytes); None clears it."""
        self._call(self._dll.nsbox_config_set_hostname, None if name is None else _bytes(name))

    hostname = property(None, set_hostname, doc="Write-only: see set_hostname().")

    def set_domainname(self, name):
        """NIS domain name in the new UTS namespace; None clears it."""
        self._call(self._dll.nsbox_config_set_domainname, None if name is None else _bytes(name))

    domainname = property(None, set_domainname, doc="Write-only: see set_domainname().")

    def add_uid_map(self, inside, outside, count=1):
        """One uid map line of the new user namespace."""
        self._call(self._dll.nsbox_config_add_uid_map, inside, outside, count)

    def add_gid_map(self, inside, outside, count=1):
        """One gid map line of the new user namespace."""
        self._call(self._dll.nsbox_config_add_gid_map, inside, outside, count)

    def set_setgroups(self, mode):
        """SETGROUPS_DEFAULT, SETGROUPS_ALLOW or SETGROUPS_DENY."""
        self._call(self._dll.nsbox_config_set_setgroups, mode)

    def map_caller(self, root=True):
        """New user namespace mapping our euid/egid, to 0 if root (unshare -r).
        Works unprivileged."""
        self._call(self._dll.nsbox_config_map_caller, MAP_ROOT if root else 0)
        self._namespaces |= NS_USER

    def set_propagation(self, mode):
        """PROPAGATION_* of "/" in a new mount namespace."""
        self._call(self._dll.nsbox_config_set_propagation, mode)

    def set_mount_proc(self, enable=True):
        """Mount a fresh /proc in the child (needs NS_MOUNT and NS_PID)."""
        self._call(self._dll.nsbox_config_set_mount_proc, 1 if enable else 0)

    # -- what to join --------------------------------------------------------

    def join(self, pidfd, ns):
        """Make the child enter namespaces ns of the process behind pidfd,
        which must stay open until spawn() returns."""
        self._call(self._dll.nsbox_config_join, pidfd, ns)

    def join_pid(self, pid, ns):
        """Like join(), naming the target by pid."""
        self._call(self._dll.nsbox_config_join_pid, pid, ns)

    def join_path(self, path, ns):
        """Make the child enter the namespace of an nsfs file (one NS_* kind)."""
        self._call(self._dll.nsbox_config_join_path, _bytes(path), ns)

    # -- what to run, and how ------------------------------------------------

    def exec(self, path, argv=None, env=None):
        """The child executes path (no PATH search) with argv (default
        [path]) and env (a dict or a list of "K=V"; default: our environment
        at spawn time)."""
        c_argv = None if argv is None else _string_vector(argv)
        if env is None:
            c_envp = None
        else:
            if hasattr(env, "items"):
                env = [_bytes(k) + b"=" + _bytes(v) for k, v in env.items()]
            c_envp = _string_vector(env)
        self._call(self._dll.nsbox_config_set_exec, _bytes(path), c_argv, c_envp)

    def set_exit_signal(self, sig):
        """Signal the parent gets when the child ends; 0 for none."""
        self._call(self._dll.nsbox_config_set_exit_signal, int(sig))

    def set_flags(self, flags):
        """SPAWN_* bits."""
        self._call(self._dll.nsbox_config_set_flags, flags)

    def set_stack_size(self, size):
        """Size of the library-allocated child stack, at least STACK_MIN."""
        self._call(self._dll.nsbox_config_set_stack_size, size)

    def spawn(self):
        """nsbox_spawn(): start the process; returns a Process.

        Returns once the payload runs; an exec failure in the child (e.g. a
        missing file) raises OSError here, with nothing of the child left.
        """
        proc = ctypes.c_void_p()
        self._call(self._dll.nsbox_spawn, ctypes.byref(proc))
        return Process(self._lib, proc)


class Process:
    """An nsbox_proc: a spawned process, a child of this one.

    ``with cfg.spawn() as p:`` waits for it on leaving the block (after
    killing it with SIGKILL if the block raised). close() or the garbage
    collector only free the handle: like the C API they do not wait, so a
    process not waited for stays a zombie child of this one.
    """

    def __init__(self, library, handle):
        self._handle = handle
        self._lib = library
        self._dll = library.dll
        self.pid = self._lib.check(self._dll.nsbox_proc_pid(handle))
        self.status = None  # the waitpid(2)-style status once reaped

    @property
    def pidfd(self):
        """The process's pidfd, owned by the handle (closed by close())."""
        return self._call(self._dll.nsbox_proc_pidfd)

    @property
    def returncode(self):
        """As subprocess: the exit code, -N if killed by signal N, None if
        not yet reaped by wait()."""
        return None if self.status is None else os.waitstatus_to_exitcode(self.status)

    def _call(self, fn, *args):
        if self._handle is None:
            raise ValueError("nsbox.Process is closed")
        return self._lib.check(fn(self._handle, *args))

    def wait(self, nohang=False):
        """Wait for the process and reap it; returns returncode, or None
        with nohang=True while it still runs."""
        status = _i32()
        try:
            self._call(self._dll.nsbox_proc_wait, WAIT_NOHANG if nohang else 0, ctypes.byref(status))
        except OSError as e:
            if nohang and e.errno == _errno.EAGAIN:
                return None
            raise
        self.status = status.value
        return self.returncode

    def kill(self, sig):
        """Send signal sig (pidfd_send_signal)."""
        self._call(self._dll.nsbox_proc_kill, int(sig))

    def close(self):
        """nsbox_proc_free(). Does not wait. Safe to call twice."""
        if self._handle is not None:
            self._dll.nsbox_proc_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if self._handle is not None and self.status is None:
                if exc_type is not None:
                    try:
                        self.kill(signal.SIGKILL)
                    except OSError:
                        pass
                self.wait()
        finally:
            self.close()

    def __del__(self):
        self.close()


# ---------------------------------------------------------------------------
# Module-level shortcuts on the default library.

def version():
    return default_library().version()


def last_error():
    return default_library().last_error()


def join(pidfd, ns):
    default_library().join(pidfd, ns)


def join_pid(pid, ns):
    default_library().join_pid(pid, ns)


def join_path(path, ns=0):
    default_library().join_path(path, ns)


def detach(ns):
    default_library().detach(ns)


def detach_user(ns=0, root=True):
    default_library().detach_user(ns, root)


def ns_id(pid, ns):
    return default_library().ns_id(pid, ns)


def ns_same(pid_a, pid_b, ns):
    return default_library().ns_same(pid_a, pid_b, ns)


if __name__ == "__main__":
    # python3 nsbox.py: a smoke test of the docstring's example.
    print("libnsbox", version())
    with Config() as cfg:
        cfg.map_caller(root=True)
        cfg.namespaces |= NS_UTS | NS_PID
        cfg.hostname = "box"
        cfg.exec("/bin/sh", ["sh", "-c", "echo \"hostname $(hostname), pid $$, uid $(id -u)\""])
        with cfg.spawn() as proc:
            print("spawned host pid", proc.pid)
        print("exit code", proc.returncode)
