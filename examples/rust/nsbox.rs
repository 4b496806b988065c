// SPDX-License-Identifier: MIT
//! libnsbox from Rust: `extern "C"` declarations of include/nsbox.h and a
//! small safe layer over them, with std only (no crates, no build script,
//! no bindgen). Builds with rustc 1.63 (Debian 12) and later.
//!
//! Linking: the `#[link(name = "nsbox")]` below asks for libnsbox.so; give
//! rustc its directory with `-L DIR` (or rely on the system's library path
//! once libnsbox is installed), and the dynamic linker libnsbox.so.0 at run
//! time (LD_LIBRARY_PATH, or an installed copy).
//!
//! Errors: every fallible libnsbox call returns a negative errno value; the
//! safe layer turns it into `Error { errno, message }`, where `message` is
//! `nsbox_last_error()` read right after the failing call.

#![allow(dead_code)]

use std::ffi::{CStr, CString};
use std::fmt;
use std::marker::{PhantomData, PhantomPinned};
use std::os::raw::{c_char, c_int};
use std::ptr;

/// The raw C API, one declaration per function of nsbox.h, same names and
/// types (uint32_t = u32, int32_t = i32, int = c_int, size_t = usize).
pub mod sys {
    use super::*;

    /// Opaque `nsbox_config` (the Rust nomicon's idiom for an incomplete C type).
    #[repr(C)]
    pub struct nsbox_config {
        _data: [u8; 0],
        _marker: PhantomData<(*mut u8, PhantomPinned)>,
    }

    /// Opaque `nsbox_proc`.
    #[repr(C)]
    pub struct nsbox_proc {
        _data: [u8; 0],
        _marker: PhantomData<(*mut u8, PhantomPinned)>,
    }

    #[link(name = "nsbox")]
    extern "C" {
        pub fn nsbox_version() -> *const c_char;
        pub fn nsbox_last_error() -> *const c_char;
        pub fn nsbox_config_new(out: *mut *mut nsbox_config) -> c_int;
        pub fn nsbox_config_free(cfg: *mut nsbox_config);
        pub fn nsbox_config_set_namespaces(cfg: *mut nsbox_config, ns: u32) -> c_int;
        pub fn nsbox_config_set_hostname(cfg: *mut nsbox_config, name: *const c_char) -> c_int;
        pub fn nsbox_config_set_domainname(cfg: *mut nsbox_config, name: *const c_char) -> c_int;
        pub fn nsbox_config_add_uid_map(cfg: *mut nsbox_config, inside: u32, outside: u32, count: u32) -> c_int;
        pub fn nsbox_config_add_gid_map(cfg: *mut nsbox_config, inside: u32, outside: u32, count: u32) -> c_int;
        pub fn nsbox_config_set_setgroups(cfg: *mut nsbox_config, mode: u32) -> c_int;
        pub fn nsbox_config_map_caller(cfg: *mut nsbox_config, flags: u32) -> c_int;
        pub fn nsbox_config_set_exec(
            cfg: *mut nsbox_config,
            path: *const c_char,
            argv: *const *const c_char,
            envp: *const *const c_char,
        ) -> c_int;
        pub fn nsbox_config_set_stack_size(cfg: *mut nsbox_config, size: usize) -> c_int;
        pub fn nsbox_config_set_propagation(cfg: *mut nsbox_config, mode: u32) -> c_int;
        pub fn nsbox_config_set_mount_proc(cfg: *mut nsbox_config, enable: i32) -> c_int;
        pub fn nsbox_config_join(cfg: *mut nsbox_config, pidfd: i32, ns: u32) -> c_int;
        pub fn nsbox_config_join_pid(cfg: *mut nsbox_config, pid: i32, ns: u32) -> c_int;
        pub fn nsbox_config_join_path(cfg: *mut nsbox_config, path: *const c_char, ns: u32) -> c_int;
        pub fn nsbox_config_set_exit_signal(cfg: *mut nsbox_config, sig: i32) -> c_int;
        pub fn nsbox_config_set_flags(cfg: *mut nsbox_config, flags: u32) -> c_int;
        pub fn nsbox_spawn(cfg: *const nsbox_config, out: *mut *mut nsbox_proc) -> c_int;
        pub fn nsbox_proc_pid(proc_: *const nsbox_proc) -> i32;
        pub fn nsbox_proc_pidfd(proc_: *const nsbox_proc) -> c_int;
        pub fn nsbox_proc_wait(proc_: *mut nsbox_proc, flags: u32, status: *mut i32) -> c_int;
        pub fn nsbox_proc_kill(proc_: *mut nsbox_proc, sig: i32) -> c_int;
        pub fn nsbox_proc_free(proc_: *mut nsbox_proc);
        pub fn nsbox_join(pidfd: i32, ns: u32) -> c_int;
        pub fn nsbox_join_pid(pid: i32, ns: u32) -> c_int;
        pub fn nsbox_join_path(path: *const c_char, ns: u32) -> c_int;
        pub fn nsbox_detach(ns: u32) -> c_int;
        pub fn nsbox_detach_user(ns: u32, flags: u32) -> c_int;
        pub fn nsbox_ns_id(pid: i32, ns: u32, dev: *mut u64, ino: *mut u64) -> c_int;
        pub fn nsbox_ns_same(pid_a: i32, pid_b: i32, ns: u32) -> c_int;
    }
}

// Constants of nsbox.h: the library's own stable values.
pub const NS_MOUNT: u32 = 0x01;
pub const NS_UTS: u32 = 0x02;
pub const NS_IPC: u32 = 0x04;
pub const NS_PID: u32 = 0x08;
pub const NS_NET: u32 = 0x10;
pub const NS_USER: u32 = 0x20;
pub const NS_CGROUP: u32 = 0x40;
pub const NS_TIME: u32 = 0x80;
pub const NS_ALL: u32 = 0xff;

pub const SETGROUPS_DEFAULT: u32 = 0;
pub const SETGROUPS_ALLOW: u32 = 1;
pub const SETGROUPS_DENY: u32 = 2;
pub const MAP_ROOT: u32 = 0x01;
pub const PROPAGATION_PRIVATE: u32 = 0;
pub const PROPAGATION_SLAVE: u32 = 1;
pub const PROPAGATION_SHARED: u32 = 2;
pub const PROPAGATION_UNCHANGED: u32 = 3;
pub const SPAWN_FORK: u32 = 0x01;
pub const SPAWN_NO_CLONE3: u32 = 0x02;
pub const WAIT_NOHANG: u32 = 0x01;
pub const HOSTNAME_MAX: usize = 64;

/// The errno values this crate-less example compares against. std has no
/// errno table; these are Linux's asm-generic numbers (x86, arm, arm64,
/// riscv, ppc, s390; alpha, mips, parisc and sparc differ).
pub mod errno {
    pub const EPERM: i32 = 1;
    pub const ENOENT: i32 = 2;
    pub const ESRCH: i32 = 3;
    pub const EAGAIN: i32 = 11;
    pub const EACCES: i32 = 13;
    pub const EINVAL: i32 = 22;
    pub const ENOSPC: i32 = 28;
    pub const ENAMETOOLONG: i32 = 36;
    pub const EUSERS: i32 = 87;
}

/// A failed libnsbox call: the errno of its -Exxx return and the library's
/// sentence about it.
#[derive(Debug, Clone)]
pub struct Error {
    pub errno: i32,
    pub message: String,
}

impl Error {
    /// The same error as a std::io::Error (keeps the errno: raw_os_error()).
    pub fn io(&self) -> std::io::Error {
        std::io::Error::from_raw_os_error(self.errno)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.io())
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `nsbox_last_error()` as a String.
pub fn last_error() -> String {
    unsafe { CStr::from_ptr(sys::nsbox_last_error()) }.to_string_lossy().into_owned()
}

/// The library's convention: rc >= 0 is success, rc < 0 is -errno.
fn check(rc: c_int) -> Result<c_int> {
    if rc < 0 {
        Err(Error { errno: -rc, message: last_error() })
    } else {
        Ok(rc)
    }
}

/// A str as a C string; an interior NUL is EINVAL, as C would see it.
fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error { errno: errno::EINVAL, message: format!("{:?} contains a NUL byte", s) })
}

pub fn version() -> String {
    unsafe { CStr::from_ptr(sys::nsbox_version()) }.to_string_lossy().into_owned()
}

/// Identity (dev, ino) of the namespace of kind `ns` of `pid` (0: ourselves).
pub fn ns_id(pid: i32, ns: u32) -> Result<(u64, u64)> {
    let (mut dev, mut ino) = (0u64, 0u64);
    check(unsafe { sys::nsbox_ns_id(pid, ns, &mut dev, &mut ino) })?;
    Ok((dev, ino))
}

/// Whether two processes (0: ourselves) share their namespace of kind `ns`.
pub fn ns_same(pid_a: i32, pid_b: i32, ns: u32) -> Result<bool> {
    Ok(check(unsafe { sys::nsbox_ns_same(pid_a, pid_b, ns) })? == 1)
}

/// Enter namespaces of the process behind `pidfd`, in the calling thread.
pub fn join(pidfd: i32, ns: u32) -> Result<()> {
    check(unsafe { sys::nsbox_join(pidfd, ns) }).map(|_| ())
}

pub fn join_pid(pid: i32, ns: u32) -> Result<()> {
    check(unsafe { sys::nsbox_join_pid(pid, ns) }).map(|_| ())
}

pub fn join_path(path: &str, ns: u32) -> Result<()> {
    let path = cstring(path)?;
    check(unsafe { sys::nsbox_join_path(path.as_ptr(), ns) }).map(|_| ())
}

/// Move the calling process into new namespaces (unshare(2)).
pub fn detach(ns: u32) -> Result<()> {
    check(unsafe { sys::nsbox_detach(ns) }).map(|_| ())
}

/// unshare -r: a new user namespace (plus `ns`) mapping our ids.
pub fn detach_user(ns: u32, root: bool) -> Result<()> {
    check(unsafe { sys::nsbox_detach_user(ns, if root { MAP_ROOT } else { 0 }) }).map(|_| ())
}

/// An `nsbox_config`, freed on drop.
pub struct Config {
    raw: *mut sys::nsbox_config,
}

impl Config {
    pub fn new() -> Result<Config> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::nsbox_config_new(&mut raw) })?;
        Ok(Config { raw })
    }

    /// The raw handle, for calls the safe layer does not cover.
    pub fn as_ptr(&self) -> *mut sys::nsbox_config {
        self.raw
    }

    pub fn set_namespaces(&mut self, ns: u32) -> Result<()> {
        check(unsafe { sys::nsbox_config_set_namespaces(self.raw, ns) }).map(|_| ())
    }

    /// Hostname of the new UTS namespace; None clears it.
    pub fn set_hostname(&mut self, name: Option<&str>) -> Result<()> {
        let name = match name {
            Some(n) => Some(cstring(n)?),
            None => None,
        };
        let p = name.as_ref().map_or(ptr::null(), |n| n.as_ptr());
        check(unsafe { sys::nsbox_config_set_hostname(self.raw, p) }).map(|_| ())
    }

    pub fn add_uid_map(&mut self, inside: u32, outside: u32, count: u32) -> Result<()> {
        check(unsafe { sys::nsbox_config_add_uid_map(self.raw, inside, outside, count) }).map(|_| ())
    }

    pub fn add_gid_map(&mut self, inside: u32, outside: u32, count: u32) -> Result<()> {
        check(unsafe { sys::nsbox_config_add_gid_map(self.raw, inside, outside, count) }).map(|_| ())
    }

    /// New user namespace mapping our euid/egid (to 0 if `root`); adds NS_USER.
    pub fn map_caller(&mut self, root: bool) -> Result<()> {
        check(unsafe { sys::nsbox_config_map_caller(self.raw, if root { MAP_ROOT } else { 0 }) }).map(|_| ())
    }

    /// The child executes `path` with `argv`; `env` None inherits ours.
    /// The library copies the strings, so they only live for this call.
    pub fn set_exec(&mut self, path: &str, argv: &[&str], env: Option<&[&str]>) -> Result<()> {
        let path = cstring(path)?;
        let argv: Vec<CString> = argv.iter().map(|s| cstring(s)).collect::<Result<_>>()?;
        let mut argv_ptrs: Vec<*const c_char> = argv.iter().map(|s| s.as_ptr()).collect();
        argv_ptrs.push(ptr::null());
        let env: Option<Vec<CString>> = match env {
            Some(e) => Some(e.iter().map(|s| cstring(s)).collect::<Result<_>>()?),
            None => None,
        };
        let mut env_ptrs: Vec<*const c_char> = Vec::new();
        if let Some(e) = &env {
            env_ptrs = e.iter().map(|s| s.as_ptr()).collect();
            env_ptrs.push(ptr::null());
        }
        let envp = if env.is_some() { env_ptrs.as_ptr() } else { ptr::null() };
        check(unsafe { sys::nsbox_config_set_exec(self.raw, path.as_ptr(), argv_ptrs.as_ptr(), envp) }).map(|_| ())
    }

    pub fn join(&mut self, pidfd: i32, ns: u32) -> Result<()> {
        check(unsafe { sys::nsbox_config_join(self.raw, pidfd, ns) }).map(|_| ())
    }

    pub fn join_pid(&mut self, pid: i32, ns: u32) -> Result<()> {
        check(unsafe { sys::nsbox_config_join_pid(self.raw, pid, ns) }).map(|_| ())
    }

    pub fn set_exit_signal(&mut self, sig: i32) -> Result<()> {
        check(unsafe { sys::nsbox_config_set_exit_signal(self.raw, sig) }).map(|_| ())
    }

    pub fn set_flags(&mut self, flags: u32) -> Result<()> {
        check(unsafe { sys::nsbox_config_set_flags(self.raw, flags) }).map(|_| ())
    }

    /// Start the process. An exec failure in the child (a missing file:
    /// ENOENT) is returned here, with nothing of the child left.
    pub fn spawn(&self) -> Result<Process> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::nsbox_spawn(self.raw, &mut raw) })?;
        Ok(Process { raw })
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        unsafe { sys::nsbox_config_free(self.raw) }
    }
}

/// How a process ended, decoded from the waitpid(2)-style status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

impl Exit {
    pub fn from_status(status: i32) -> Exit {
        if status & 0x7f == 0 {
            Exit::Code((status >> 8) & 0xff)
        } else {
            Exit::Signal(status & 0x7f)
        }
    }
}

/// An `nsbox_proc`. Dropping it frees the handle without waiting (as
/// nsbox_proc_free() does): wait() first, or the process stays a zombie.
pub struct Process {
    raw: *mut sys::nsbox_proc,
}

impl Process {
    /// The pid as the caller sees it.
    pub fn pid(&self) -> i32 {
        unsafe { sys::nsbox_proc_pid(self.raw) }
    }

    /// The pidfd, owned by the handle.
    pub fn pidfd(&self) -> i32 {
        unsafe { sys::nsbox_proc_pidfd(self.raw) }
    }

    /// Wait and reap; None with `nohang` while it still runs.
    pub fn wait(&mut self, nohang: bool) -> Result<Option<Exit>> {
        let mut status: i32 = 0;
        let flags = if nohang { WAIT_NOHANG } else { 0 };
        match check(unsafe { sys::nsbox_proc_wait(self.raw, flags, &mut status) }) {
            Ok(_) => Ok(Some(Exit::from_status(status))),
            Err(ref e) if nohang && e.errno == errno::EAGAIN => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn kill(&mut self, sig: i32) -> Result<()> {
        check(unsafe { sys::nsbox_proc_kill(self.raw, sig) }).map(|_| ())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        unsafe { sys::nsbox_proc_free(self.raw) }
    }
}
