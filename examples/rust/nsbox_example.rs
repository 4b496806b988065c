// SPDX-License-Identifier: MIT
//! libnsbox from Rust, std only: spawn `/bin/sh` in new UTS + PID + user
//! namespaces (the caller mapped to root, so it works unprivileged), check
//! its hostname and pid from here, and check that errors come back with the
//! documented errno. Exits 0 when every check passed, 1 otherwise (77: user
//! namespaces are not available to this user; a failure instead under
//! NSBOX_TEST_MUST_WORK=1).
//!
//!     rustc --edition 2021 -L build/lib -o nsbox_example examples/rust/nsbox_example.rs
//!     LD_LIBRARY_PATH=build/lib ./nsbox_example
//!
//! `mod nsbox;` below is examples/rust/nsbox.rs: the extern "C" block and a
//! small safe layer. The few libc calls this program makes itself (pipe2,
//! dup, geteuid) are declared here the same way.

mod nsbox;

use nsbox::errno::*;
use nsbox::{Config, Exit, NS_IPC, NS_MOUNT, NS_NET, NS_PID, NS_USER, NS_UTS};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::os::raw::c_int;
use std::os::unix::io::{AsRawFd, FromRawFd};

extern "C" {
    fn pipe2(fds: *mut c_int, flags: c_int) -> c_int;
    fn dup(fd: c_int) -> c_int;
    fn geteuid() -> u32;
    fn getegid() -> u32;
}

const O_CLOEXEC: c_int = 0o2000000;
const SIGTERM: i32 = 15;
const HOSTNAME: &str = "nsbox-ffi-rs";

/// A pipe whose ends close on drop. `child` is a copy of one end without
/// O_CLOEXEC (dup() clears it), for the payload to inherit; the other end
/// stays close-on-exec, so the payload never holds it.
struct Pipe {
    parent: File,
    child: Option<File>,
}

impl Pipe {
    /// `child_writes`: the payload gets the write end, we read.
    fn new(child_writes: bool) -> Pipe {
        let mut fds = [-1 as c_int; 2];
        assert_eq!(unsafe { pipe2(fds.as_mut_ptr(), O_CLOEXEC) }, 0, "pipe2");
        let (r, w) = unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) };
        let (parent, cloexec_child) = if child_writes { (r, w) } else { (w, r) };
        let inheritable = unsafe { dup(cloexec_child.as_raw_fd()) };
        assert!(inheritable >= 0, "dup");
        Pipe { parent, child: Some(unsafe { File::from_raw_fd(inheritable) }) }
    }

    /// The payload's descriptor number, for its command line.
    fn child_fd(&self) -> String {
        self.child.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1).to_string()
    }

    /// After spawn: close our copy of the payload's end.
    fn spawned(&mut self) {
        self.child = None;
    }
}

fn readlink_ns(pid: &str, name: &str) -> String {
    fs::read_link(format!("/proc/{}/ns/{}", pid, name))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|e| format!("<{}>", e))
}

fn open_fds() -> usize {
    fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

/// A pid whose process has exited and been reaped.
fn dead_pid() -> i32 {
    let mut child = std::process::Command::new("/bin/true").spawn().expect("spawn /bin/true");
    let pid = child.id() as i32;
    child.wait().expect("wait /bin/true");
    pid
}

type Check = std::result::Result<(), String>;

fn ensure(cond: bool, what: &str) -> Check {
    if cond {
        Ok(())
    } else {
        Err(what.to_string())
    }
}

fn ensure_eq<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Check {
    if got == want {
        Ok(())
    } else {
        Err(format!("{}: got {:?}, want {:?}", what, got, want))
    }
}

/// `r` must be an nsbox error with errno `want` whose message mentions `contains`.
fn ensure_errno<T>(r: nsbox::Result<T>, want: i32, contains: &str, what: &str) -> Check {
    match r {
        Ok(_) => Err(format!("{}: succeeded, want errno {}", what, want)),
        Err(e) => {
            ensure_eq(e.errno, want, &format!("{}: errno ({})", what, e))?;
            ensure(e.message.contains(contains), &format!("{}: message {:?} mentions {:?}", what, e.message, contains))
        }
    }
}

fn nserr(e: nsbox::Error) -> String {
    e.to_string()
}

/// The payload reports its hostname, pid and uid on `out`, then waits on
/// `gate` so that we can look at it from outside.
fn check_spawn(flags: u32) -> Check {
    let fds_before = open_fds();
    let my_hostname = fs::read_to_string("/proc/sys/kernel/hostname").map_err(|e| e.to_string())?;
    let mut out = Pipe::new(true);
    let mut gate = Pipe::new(false);

    let mut cfg = Config::new().map_err(nserr)?;
    cfg.map_caller(true).map_err(nserr)?;
    cfg.set_namespaces(NS_USER | NS_UTS | NS_PID).map_err(nserr)?;
    cfg.set_hostname(Some(HOSTNAME)).map_err(nserr)?;
    cfg.set_flags(flags).map_err(nserr)?;
    let script = "hostname >&\"$1\"; echo $$ >&\"$1\"; id -u >&\"$1\"; read x <&\"$2\"";
    let (o, g) = (out.child_fd(), gate.child_fd());
    cfg.set_exec("/bin/sh", &["sh", "-c", script, "sh", &o, &g], None).map_err(nserr)?;
    let mut proc_ = cfg.spawn().map_err(nserr)?;
    drop(cfg);
    out.spawned();
    gate.spawned();

    let result = (|| -> Check {
        let mut reader = BufReader::new(&out.parent);
        let mut lines = Vec::new();
        for _ in 0..3 {
            let mut line = String::new();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            lines.push(line.trim_end().to_string());
        }
        ensure_eq(lines, vec![HOSTNAME.to_string(), "1".to_string(), "0".to_string()],
                  "payload's hostname, pid and uid as it sees them")?;

        let pid = proc_.pid();
        let pids = pid.to_string();
        let status = fs::read_to_string(format!("/proc/{}/status", pid)).map_err(|e| e.to_string())?;
        let nspid = status.lines().find(|l| l.starts_with("NSpid:")).unwrap_or("").to_string();
        ensure_eq(nspid.split_whitespace().skip(1).collect::<Vec<_>>(), vec![pids.as_str(), "1"],
                  "NSpid of the payload (host pid, pid in its namespace)")?;
        for &(ns, name) in &[(NS_UTS, "uts"), (NS_PID, "pid"), (NS_USER, "user")] {
            ensure(readlink_ns(&pids, name) != readlink_ns("self", name), &format!("{} namespace is new", name))?;
            ensure_eq(nsbox::ns_same(pid, 0, ns).map_err(nserr)?, false, &format!("nsbox_ns_same {}", name))?;
            let (_dev, ino) = nsbox::ns_id(pid, ns).map_err(nserr)?;
            ensure_eq(readlink_ns(&pids, name), format!("{}:[{}]", name, ino), "nsbox_ns_id inode")?;
        }
        for &(ns, name) in &[(NS_MOUNT, "mnt"), (NS_NET, "net"), (NS_IPC, "ipc")] {
            ensure_eq(readlink_ns(&pids, name), readlink_ns("self", name), &format!("{} namespace is shared", name))?;
            ensure_eq(nsbox::ns_same(pid, 0, ns).map_err(nserr)?, true, &format!("nsbox_ns_same {}", name))?;
        }
        let uid_map = fs::read_to_string(format!("/proc/{}/uid_map", pid)).map_err(|e| e.to_string())?;
        let euid = unsafe { geteuid() }.to_string();
        ensure_eq(uid_map.split_whitespace().collect::<Vec<_>>(), vec!["0", euid.as_str(), "1"], "uid_map")?;
        let gid_map = fs::read_to_string(format!("/proc/{}/gid_map", pid)).map_err(|e| e.to_string())?;
        let egid = unsafe { getegid() }.to_string();
        ensure_eq(gid_map.split_whitespace().collect::<Vec<_>>(), vec!["0", egid.as_str(), "1"], "gid_map")?;
        let host_now = fs::read_to_string("/proc/sys/kernel/hostname").map_err(|e| e.to_string())?;
        ensure_eq(host_now, my_hostname.clone(), "our own hostname is untouched")?;
        ensure_eq(fs::read_link(format!("/proc/self/fd/{}", proc_.pidfd())).map_err(|e| e.to_string())?
                      .to_string_lossy().into_owned(), "anon_inode:[pidfd]".to_string(), "pidfd")?;
        ensure_eq(proc_.wait(true).map_err(nserr)?, None, "wait(nohang) while it runs")?;
        Ok(())
    })();

    // Open the gate in every case, so that the payload ends and is reaped.
    let _ = gate.parent.write_all(b"go\n");
    let exit = proc_.wait(false).map_err(nserr)?;
    result?;
    ensure_eq(exit, Some(Exit::Code(0)), "exit after the gate opened")?;
    drop(proc_);
    drop(out);
    drop(gate);
    ensure_eq(open_fds(), fds_before, "open descriptors after spawn, wait and drop")
}

fn check_kill() -> Check {
    let mut gate = Pipe::new(false);
    let mut cfg = Config::new().map_err(nserr)?;
    // No PID namespace here: a pid 1 ignores SIGTERM from outside.
    cfg.map_caller(true).map_err(nserr)?;
    let g = gate.child_fd();
    cfg.set_exec("/bin/sh", &["sh", "-c", "read x <&\"$1\"", "sh", &g], None).map_err(nserr)?;
    let mut p = cfg.spawn().map_err(nserr)?;
    gate.spawned();
    p.kill(SIGTERM).map_err(nserr)?;
    ensure_eq(p.wait(false).map_err(nserr)?, Some(Exit::Signal(SIGTERM)), "killed by SIGTERM")?;
    ensure_errno(p.kill(SIGTERM), ESRCH, "reaped", "kill after reap")
}

fn check_errors() -> Check {
    let fds_before = open_fds();

    let mut cfg = Config::new().map_err(nserr)?;
    cfg.map_caller(true).map_err(nserr)?;
    cfg.set_namespaces(NS_USER | NS_UTS | NS_PID).map_err(nserr)?;
    cfg.set_exec("/nonexistent/nsbox-ffi-test", &["x"], None).map_err(nserr)?;
    ensure_errno(cfg.spawn(), ENOENT, "execve", "spawn of a missing file")?;

    let long = "h".repeat(nsbox::HOSTNAME_MAX + 1);
    ensure_errno(cfg.set_hostname(Some(&long)), ENAMETOOLONG, "", "hostname of 65 bytes")?;
    cfg.set_hostname(Some(&long[..nsbox::HOSTNAME_MAX])).map_err(nserr)?;
    ensure_errno(cfg.set_namespaces(0x100), EINVAL, "", "unknown namespace bit")?;
    ensure_errno(cfg.set_exit_signal(65), EINVAL, "", "exit signal 65")?;
    ensure_errno(cfg.set_hostname(Some("a\0b")), EINVAL, "NUL", "hostname with a NUL byte")?;

    let mut cfg = Config::new().map_err(nserr)?;
    cfg.set_hostname(Some("x")).map_err(nserr)?;
    cfg.set_exec("/bin/true", &["true"], None).map_err(nserr)?;
    ensure_errno(cfg.spawn(), EINVAL, "NSBOX_NS_UTS", "hostname without a UTS namespace")?;

    let mut cfg = Config::new().map_err(nserr)?;
    cfg.join_pid(dead_pid(), NS_UTS).map_err(nserr)?;
    cfg.set_exec("/bin/true", &["true"], None).map_err(nserr)?;
    ensure_errno(cfg.spawn(), ESRCH, "", "join of a process that is gone")?;
    drop(cfg);

    ensure_errno(nsbox::ns_id(0, NS_UTS | NS_PID), EINVAL, "", "nsbox_ns_id of two kinds")?;
    ensure_errno(nsbox::ns_id(dead_pid(), NS_UTS), ESRCH, "", "nsbox_ns_id of a process that is gone")?;

    // NULL where a pointer is due, through the raw declarations.
    ensure_eq(unsafe { nsbox::sys::nsbox_config_new(std::ptr::null_mut()) }, -EINVAL, "nsbox_config_new(NULL)")?;
    let mut p = std::ptr::null_mut();
    ensure_eq(unsafe { nsbox::sys::nsbox_spawn(std::ptr::null(), &mut p) }, -EINVAL, "nsbox_spawn(NULL, &p)")?;
    ensure(p.is_null(), "out-parameter untouched on failure")?;
    ensure(!nsbox::last_error().is_empty(), "nsbox_last_error() after a failure")?;
    unsafe {
        nsbox::sys::nsbox_config_free(std::ptr::null_mut());
        nsbox::sys::nsbox_proc_free(std::ptr::null_mut());
    }
    ensure_eq(open_fds(), fds_before, "open descriptors after the failures")
}

/// Whether we may create a user namespace at all; the reason if not.
fn probe_userns() -> Option<nsbox::Error> {
    let r = Config::new().and_then(|mut cfg| {
        cfg.map_caller(true)?;
        cfg.set_exec("/bin/true", &["true"], None)?;
        let mut p = cfg.spawn()?;
        p.wait(false)
    });
    r.err()
}

fn main() {
    let uid = unsafe { geteuid() };
    println!("libnsbox {} from Rust, as uid {}", nsbox::version(), uid);
    if let Some(e) = probe_userns() {
        if [EPERM, EACCES, ENOSPC, EUSERS].contains(&e.errno) && std::env::var("NSBOX_TEST_MUST_WORK").as_deref() != Ok("1") {
            println!("SKIP: cannot create a user namespace as uid {}: {}", uid, e);
            std::process::exit(77);
        }
        println!("FAIL: cannot create a user namespace as uid {}: {}", uid, e);
        std::process::exit(1);
    }

    let checks: Vec<(&str, Box<dyn Fn() -> Check>)> = vec![
        ("version", Box::new(|| ensure_eq(nsbox::version(), "0.1.0".to_string(), "nsbox_version()"))),
        ("spawn_uts_pid_user", Box::new(|| check_spawn(0))),
        ("spawn_fork_style", Box::new(|| check_spawn(nsbox::SPAWN_FORK))),
        ("spawn_no_clone3", Box::new(|| check_spawn(nsbox::SPAWN_NO_CLONE3))),
        ("kill", Box::new(check_kill)),
        ("errors", Box::new(check_errors)),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, f) in &checks {
        match f() {
            Ok(()) => {
                passed += 1;
                println!("ok   uid{} {}", uid, name);
            }
            Err(e) => {
                failed += 1;
                println!("FAIL uid{} {}: {}", uid, name, e);
            }
        }
    }
    println!("{} passed, {} failed", passed, failed);
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
