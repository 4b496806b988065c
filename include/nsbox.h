/*
 * nsbox.h - libnsbox, Linux namespaces as one library call.
 *
 * SPDX-License-Identifier: MIT
 *
 * This is the whole public API of libnsbox. It needs no other header of the
 * project and no macro to call any function: every function takes and returns
 * plain fixed-width integers, pointers and opaque handles, so that a Python
 * ctypes or Rust extern "C" user can manage with this file alone.
 *
 * Conventions (they hold for every function below):
 *  - A fallible function returns an int: 0 (or a documented non-negative
 *    value) on success, a negative errno value (-EINVAL, -ENOMEM, ...) on
 *    failure. errno is never part of the contract.
 *  - Objects come back through out-parameters, which are left untouched on
 *    failure.
 *  - Every *_free function accepts NULL.
 *  - Flag words have reserved bits: they must be zero, or the call fails
 *    with -EINVAL.
 *  - After a failure, nsbox_last_error() describes it in a sentence.
 *
 * The namespace bits below are the library's own stable values; they are
 * not the kernel's CLONE_* flags.
 */
#ifndef NSBOX_H
#define NSBOX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compile-time version of this header. The run-time version of the library
 * is returned by nsbox_version(). */
#define NSBOX_VERSION_MAJOR 0
#define NSBOX_VERSION_MINOR 1
#define NSBOX_VERSION_MICRO 0
#define NSBOX_VERSION_STRING "0.1.0"

/* Namespace kinds: the library's stable bit values. */
enum nsbox_ns {
	NSBOX_NS_MOUNT = 0x01,  /* mount_namespaces(7) */
	NSBOX_NS_UTS = 0x02,    /* hostname and NIS domain name */
	NSBOX_NS_IPC = 0x04,    /* System V IPC, POSIX message queues */
	NSBOX_NS_PID = 0x08,    /* pid_namespaces(7) */
	NSBOX_NS_NET = 0x10,    /* network_namespaces(7) */
	NSBOX_NS_USER = 0x20,   /* user_namespaces(7) */
	NSBOX_NS_CGROUP = 0x40, /* cgroup_namespaces(7) */
	NSBOX_NS_TIME = 0x80,   /* time_namespaces(7) */
	NSBOX_NS_ALL = 0xff
};

/* setgroups(2) policy written to /proc/PID/setgroups of a new user namespace. */
enum nsbox_setgroups {
	NSBOX_SETGROUPS_DEFAULT = 0, /* "deny" when the child writes its own maps, else untouched ("allow") */
	NSBOX_SETGROUPS_ALLOW = 1,
	NSBOX_SETGROUPS_DENY = 2
};

/* Flags of nsbox_config_map_caller() and nsbox_detach_user(). */
enum nsbox_map_flags {
	NSBOX_MAP_ROOT = 0x01 /* map the caller's uid/gid to 0 inside (else to themselves) */
};

/* Mount propagation applied to "/" (recursively) in a new mount namespace,
 * before anything else is mounted. */
enum nsbox_propagation {
	NSBOX_PROPAGATION_PRIVATE = 0, /* default: nothing flows either way */
	NSBOX_PROPAGATION_SLAVE = 1,   /* host mounts flow in, nothing flows out */
	NSBOX_PROPAGATION_SHARED = 2,
	NSBOX_PROPAGATION_UNCHANGED = 3 /* keep what the mount namespace was copied with */
};

/* Flags of nsbox_config_set_flags(). */
enum nsbox_spawn_flags {
	NSBOX_SPAWN_FORK = 0x01,     /* exec payloads: copy the address space (fork-style) instead of sharing it until exec */
	NSBOX_SPAWN_NO_CLONE3 = 0x02 /* use clone(2) even where clone3(2) exists */
};

/* Flags of nsbox_proc_wait(). */
enum nsbox_wait_flags {
	NSBOX_WAIT_NOHANG = 0x01 /* do not block: -EAGAIN while the process runs */
};

/* Smallest stack accepted by nsbox_config_set_stack() and
 * nsbox_config_set_stack_size(), in bytes. */
#define NSBOX_STACK_MIN 16384
/* Stack size the library allocates when the caller sets none. */
#define NSBOX_STACK_DEFAULT (256 * 1024)
/* Most lines in one uid or gid map (the kernel's limit). */
#define NSBOX_MAP_LINES_MAX 340
/* Longest hostname or NIS domain name, in bytes, without the NUL. */
#define NSBOX_HOSTNAME_MAX 64

/* Opaque spawn configuration (builder). */
typedef struct nsbox_config nsbox_config;
/* Opaque handle on a spawned process. */
typedef struct nsbox_proc nsbox_proc;

/**
 * nsbox_version - the run-time version of the library, e.g. "0.1.0".
 *
 * Returns a static string, never NULL.
 * @since 0.1
 */
const char *nsbox_version(void);

/**
 * nsbox_last_error - describe the last failure of this thread.
 *
 * Returns a sentence naming the step that failed and why, e.g.
 * "child: sethostname: Operation not permitted" or
 * "config: hostname needs NSBOX_NS_UTS". The text is per thread: another
 * thread's failures never change it, and a successful call leaves it as it
 * was. Never NULL; an empty string when this thread has seen no failure.
 * @since 0.1
 */
const char *nsbox_last_error(void);

/**
 * nsbox_config_new - create an empty configuration.
 * @out: receives the new configuration.
 *
 * A new configuration creates no namespace, has no payload, uses a
 * library-allocated stack of NSBOX_STACK_DEFAULT bytes, private mount
 * propagation and SIGCHLD as exit signal. A configuration is only read by
 * nsbox_spawn(), so several threads may spawn from one configuration at once
 * (except with a caller-supplied stack, see nsbox_config_set_stack()).
 *
 * Returns 0, -EINVAL if @out is NULL, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_new(nsbox_config **out);

/**
 * nsbox_config_free - free a configuration; NULL is accepted.
 * @since 0.1
 */
void nsbox_config_free(nsbox_config *cfg);

/**
 * nsbox_config_set_namespaces - choose the namespaces to create.
 * @ns: a mask of NSBOX_NS_* bits (0 for none).
 *
 * Replaces the previous mask. Creating a PID namespace makes the payload
 * pid 1 of it. A time namespace needs clone3(2) (Linux 5.6+).
 *
 * Returns 0, -EINVAL for a NULL @cfg or unknown bits.
 * @since 0.1
 */
int nsbox_config_set_namespaces(nsbox_config *cfg, uint32_t ns);

/**
 * nsbox_config_set_hostname - hostname to set in the child's UTS namespace.
 * @name: at most NSBOX_HOSTNAME_MAX bytes; NULL clears the setting.
 *
 * Needs a new or joined UTS namespace at spawn time.
 * Returns 0, -EINVAL for a NULL @cfg, -ENAMETOOLONG for a name over 64
 * bytes, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_hostname(nsbox_config *cfg, const char *name);

/**
 * nsbox_config_set_domainname - NIS domain name to set in the child's UTS
 * namespace. Same rules and errors as nsbox_config_set_hostname().
 * @since 0.1
 */
int nsbox_config_set_domainname(nsbox_config *cfg, const char *name);

/**
 * nsbox_config_add_uid_map - add a line to the uid map of the new user
 * namespace: ids @inside .. @inside+@count-1 inside are
 * @outside .. @outside+@count-1 outside.
 *
 * Needs NSBOX_NS_USER at spawn time. When the map has a single line that
 * maps the spawning process's own effective uid (and the gid map likewise),
 * the child writes its own maps, as unshare -r does; otherwise the parent
 * writes them while the child waits, which needs the privileges described
 * in user_namespaces(7).
 *
 * Returns 0; -EINVAL for a NULL @cfg, @count 0, or a line whose inside or
 * outside range overlaps an earlier line; -EOVERFLOW when @inside+@count or
 * @outside+@count passes 2^32-1; -E2BIG past NSBOX_MAP_LINES_MAX lines;
 * -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_uid_map(nsbox_config *cfg, uint32_t inside, uint32_t outside, uint32_t count);

/**
 * nsbox_config_add_gid_map - add a line to the gid map; see
 * nsbox_config_add_uid_map() for the rules and errors.
 * @since 0.1
 */
int nsbox_config_add_gid_map(nsbox_config *cfg, uint32_t inside, uint32_t outside, uint32_t count);

/**
 * nsbox_config_set_setgroups - setgroups(2) policy of the new user namespace.
 * @mode: an NSBOX_SETGROUPS_* value.
 *
 * A child that writes its own gid map must deny setgroups (the kernel's
 * rule): NSBOX_SETGROUPS_ALLOW then makes the parent write the maps.
 * Returns 0, -EINVAL for a NULL @cfg or an unknown @mode.
 * @since 0.1
 */
int nsbox_config_set_setgroups(nsbox_config *cfg, uint32_t mode);

/**
 * nsbox_config_map_caller - map the calling process's effective uid and gid
 * into the new user namespace, to 0 with NSBOX_MAP_ROOT (like unshare -r),
 * else to themselves.
 *
 * Replaces any uid and gid map lines, sets setgroups to NSBOX_SETGROUPS_DENY
 * and adds NSBOX_NS_USER to the namespaces. The ids are read when this
 * function is called. Works unprivileged: the child writes its own maps.
 * Returns 0, -EINVAL for a NULL @cfg or unknown flags.
 * @since 0.1
 */
int nsbox_config_map_caller(nsbox_config *cfg, uint32_t flags);

/**
 * nsbox_config_set_exec - the child executes @path with @argv and @envp.
 * @path: the file to execute (no PATH search); NULL clears the exec payload.
 * @argv: NULL-terminated argument vector; NULL means { path, NULL }.
 * @envp: NULL-terminated environment; NULL inherits the environment of the
 *        spawning process at spawn time.
 *
 * The strings are copied. An exec payload runs on the posix_spawn-style
 * path: the child shares the parent's memory until execve(2), so the
 * parent's size does not matter. A missing file makes nsbox_spawn() return
 * -ENOENT.
 * Returns 0, -EINVAL for a NULL @cfg or when a callback is already set,
 * -E2BIG for vectors over 65536 entries, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_exec(nsbox_config *cfg, const char *path, const char *const *argv,
                          const char *const *envp);

/**
 * nsbox_config_set_callback - the child runs @fn(@arg) in its own copy of
 * the caller's memory (fork-style) and exits with its return value.
 * @fn: the entry function; NULL clears the callback payload.
 *
 * @fn runs on the configured stack after every namespace step succeeded,
 * with the signal mask of the spawning thread and every caught signal reset
 * to its default action. It is the caller's code: what it may call is what
 * may be called after fork() in the caller's program.
 * Returns 0, -EINVAL for a NULL @cfg or when an exec payload is already set.
 * @since 0.1
 */
int nsbox_config_set_callback(nsbox_config *cfg, int (*fn)(void *), void *arg);

/**
 * nsbox_config_set_stack - run the child on a caller-supplied stack.
 * @stack: lowest address of the stack memory, 16-byte aligned.
 * @size: its size in bytes, a multiple of 16, at least NSBOX_STACK_MIN.
 *
 * The memory must stay valid until nsbox_spawn() returns; the library does
 * not free it. Two spawns must not use one stack at the same time.
 * nsbox_config_set_stack(cfg, NULL, 0) returns to a library-allocated stack.
 * Returns 0; -EINVAL for a NULL @cfg, a NULL @stack with a size, a size below
 * NSBOX_STACK_MIN, or a misaligned stack or size.
 * @since 0.1
 */
int nsbox_config_set_stack(nsbox_config *cfg, void *stack, size_t size);

/**
 * nsbox_config_set_stack_size - size of the library-allocated stack.
 *
 * The stack is mmap'd with a PROT_NONE guard page below it and unmapped by
 * the library when the child no longer uses it. The size is rounded up to
 * whole pages.
 * Returns 0; -EINVAL for a NULL @cfg or a size below NSBOX_STACK_MIN or
 * above 1 GiB.
 * @since 0.1
 */
int nsbox_config_set_stack_size(nsbox_config *cfg, size_t size);

/**
 * nsbox_config_set_propagation - mount propagation in a new mount namespace.
 * @mode: an NSBOX_PROPAGATION_* value; the default is private.
 *
 * Applied recursively to "/" first thing in the child, so that nothing the
 * child mounts reaches the host.
 * Returns 0, -EINVAL for a NULL @cfg or an unknown mode.
 * @since 0.1
 */
int nsbox_config_set_propagation(nsbox_config *cfg, uint32_t mode);

/**
 * nsbox_config_set_mount_proc - mount a fresh /proc in the child
 * (like unshare --mount-proc).
 * @enable: 1 to mount, 0 not to.
 *
 * Needs a new mount namespace and a new or joined PID namespace at spawn
 * time. Returns 0, -EINVAL for a NULL @cfg or @enable other than 0 or 1.
 * @since 0.1
 */
int nsbox_config_set_mount_proc(nsbox_config *cfg, int32_t enable);

/**
 * nsbox_config_join - make the child enter namespaces of the process that
 * @pidfd refers to, before it creates new ones.
 * @pidfd: a pidfd (pidfd_open(2), CLONE_PIDFD); it must stay open until
 *         nsbox_spawn() returns.
 * @ns: the kinds to enter, NSBOX_NS_* bits, not 0.
 *
 * Joins happen in the child, never in the caller. When a PID namespace is
 * joined (or one is created after a join) the library forks once more so
 * the payload is really in it; the payload is still the caller's child.
 * Joins of several targets are allowed as long as no kind is given twice.
 * Returns 0; -EINVAL for a NULL @cfg, a negative @pidfd, an empty or unknown
 * mask or a kind joined twice; -E2BIG past 8 join entries.
 * @since 0.1
 */
int nsbox_config_join(nsbox_config *cfg, int32_t pidfd, uint32_t ns);

/**
 * nsbox_config_join_pid - like nsbox_config_join(), naming the target by
 * pid. The pid is resolved to a pidfd by nsbox_spawn(), which fails with
 * -ESRCH when the process is gone.
 * Returns 0, -EINVAL (as nsbox_config_join() and for @pid <= 0), -E2BIG.
 * @since 0.1
 */
int nsbox_config_join_pid(nsbox_config *cfg, int32_t pid, uint32_t ns);

/**
 * nsbox_config_join_path - like nsbox_config_join(), naming one namespace
 * by an nsfs file such as /proc/PID/ns/net or /run/netns/NAME.
 * @ns: exactly one NSBOX_NS_* bit, which must be the kind of the file.
 *
 * The file is opened by nsbox_spawn(): -ENOENT if missing, -EINVAL if it is
 * no namespace file or of another kind.
 * Returns 0; -EINVAL for a NULL @cfg or @path, an @ns that is not exactly
 * one kind, or a kind joined twice; -E2BIG; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_join_path(nsbox_config *cfg, const char *path, uint32_t ns);

/**
 * nsbox_config_set_exit_signal - the signal the parent gets when the child
 * terminates: SIGCHLD by default, 0 for none (hosts that must not see
 * SIGCHLD; nsbox_proc_wait() still works).
 * Returns 0, -EINVAL for a NULL @cfg or a signal outside 0..64.
 * @since 0.1
 */
int nsbox_config_set_exit_signal(nsbox_config *cfg, int32_t sig);

/**
 * nsbox_config_set_flags - spawn behaviour, NSBOX_SPAWN_* bits; replaces the
 * previous flags.
 * Returns 0, -EINVAL for a NULL @cfg or unknown bits.
 * @since 0.1
 */
int nsbox_config_set_flags(nsbox_config *cfg, uint32_t flags);

/**
 * nsbox_spawn - start a process as @cfg describes.
 * @out: receives the process handle.
 *
 * Uses clone3(2) with CLONE_PIDFD, or clone(2) where clone3 is not
 * available (ENOSYS, or EPERM from a seccomp filter when nothing
 * clone3-only was asked for). Every namespace step happens in the child
 * before the payload runs; the call returns once the payload runs (exec
 * succeeded or the callback was entered) or the first step failed. On
 * failure the child is reaped, nothing of it remains and nothing is
 * returned in @out. All signals are blocked in the calling thread during the
 * call and its mask is restored before it returns. The library installs no
 * signal handler and never waits for other children.
 *
 * Returns 0 or:
 *  -EINVAL   NULL @cfg or @out; no payload; a hostname or domain name
 *            without a new or joined UTS namespace; maps or a setgroups
 *            policy without a new user namespace; /proc without a new mount
 *            namespace and a new or joined PID namespace; a join file that
 *            is not a namespace of the given kind;
 *  -ENOENT, -EACCES, -ENOEXEC, ...  from execve(2) of the payload;
 *  -ESRCH    a join target is gone;
 *  -EPERM, -ENOSPC, -EUSERS, ... from clone or a namespace step, with the
 *            step named by nsbox_last_error();
 *  -EOPNOTSUPP a time namespace where clone3(2) is unavailable;
 *  -ENOMEM, -EMFILE, -EAGAIN resources.
 * @since 0.1
 */
int nsbox_spawn(const nsbox_config *cfg, nsbox_proc **out);

/**
 * nsbox_proc_pid - pid of the spawned process, as seen by the caller.
 * Returns the pid, or -EINVAL for a NULL @proc.
 * @since 0.1
 */
int32_t nsbox_proc_pid(const nsbox_proc *proc);

/**
 * nsbox_proc_pidfd - the pidfd of the spawned process, owned by the handle
 * (closed by nsbox_proc_free()).
 * Returns the descriptor, or -EINVAL for a NULL @proc.
 * @since 0.1
 */
int nsbox_proc_pidfd(const nsbox_proc *proc);

/**
 * nsbox_proc_wait - wait for the process to terminate and reap it.
 * @flags: 0 or NSBOX_WAIT_NOHANG.
 * @status: receives the wait status in waitpid(2) form (WIFEXITED ...);
 *          may be NULL.
 *
 * Waits for this process only (by pidfd), whatever its exit signal. Once
 * reaped, later calls return the same status.
 * Returns 0; -EAGAIN with NSBOX_WAIT_NOHANG while it runs; -EINVAL for a
 * NULL @proc or unknown flags; -ECHILD when someone else reaped it (e.g.
 * the caller ignores SIGCHLD or calls waitpid(-1)).
 * @since 0.1
 */
int nsbox_proc_wait(nsbox_proc *proc, uint32_t flags, int32_t *status);

/**
 * nsbox_proc_kill - send signal @sig to the process (pidfd_send_signal(2)).
 * Returns 0; -EINVAL for a NULL @proc or a bad signal; -ESRCH once it has
 * been reaped; -EPERM.
 * @since 0.1
 */
int nsbox_proc_kill(nsbox_proc *proc, int32_t sig);

/**
 * nsbox_proc_free - close the handle; NULL is accepted.
 *
 * Does not wait: a process not yet reaped stays a child of the caller, to be
 * reaped with nsbox_proc_wait() before freeing or with waitpid(2) on its
 * pid.
 * @since 0.1
 */
void nsbox_proc_free(nsbox_proc *proc);

/**
 * nsbox_join - enter namespaces of the process @pidfd refers to, in the
 * calling thread.
 * @ns: NSBOX_NS_* kinds, not 0.
 *
 * Uses setns(pidfd, kinds) (Linux 5.8+), which enters all or none; on older
 * kernels opens every /proc/PID/ns/KIND first and enters them in an order
 * that works for privileged and unprivileged callers. PID and time
 * namespace joins take effect for the caller's children only. The kernel
 * refuses user and mount namespace joins from a multithreaded process.
 * Returns 0; -EINVAL for bad arguments or a refusal of the kernel (see
 * setns(2)); -ESRCH if the process is gone; -EPERM; -EOPNOTSUPP for a kind
 * the kernel lacks.
 * @since 0.1
 */
int nsbox_join(int32_t pidfd, uint32_t ns);

/**
 * nsbox_join_pid - nsbox_join() for a process named by pid.
 * Returns as nsbox_join(); -EINVAL for @pid <= 0.
 * @since 0.1
 */
int nsbox_join_pid(int32_t pid, uint32_t ns);

/**
 * nsbox_join_path - enter the namespace of an nsfs file (/proc/PID/ns/KIND,
 * /run/netns/NAME, a persisted namespace).
 * @ns: the expected kind, exactly one NSBOX_NS_* bit, or 0 for any kind.
 * Returns 0; -ENOENT; -EINVAL for a NULL @path, a file that is no namespace
 * or of another kind; -EPERM.
 * @since 0.1
 */
int nsbox_join_path(const char *path, uint32_t ns);

/**
 * nsbox_detach - move the calling process into new namespaces
 * (unshare(2)).
 * @ns: NSBOX_NS_* kinds, not 0.
 *
 * PID and time namespaces take effect for children created afterwards.
 * Returns 0; -EINVAL for an empty or unknown mask or a kernel refusal, such
 * as a user or mount namespace from a multithreaded process (named by
 * nsbox_last_error()); -EPERM; -ENOSPC (a namespace limit was reached);
 * -ENOMEM.
 * @since 0.1
 */
int nsbox_detach(uint32_t ns);

/**
 * nsbox_detach_user - unshare a new user namespace (plus the kinds in @ns)
 * and map the caller's uid and gid in it, to 0 with NSBOX_MAP_ROOT, like
 * unshare -r; setgroups is denied.
 * Returns as nsbox_detach(); the map writes' errors name the file.
 * @since 0.1
 */
int nsbox_detach_user(uint32_t ns, uint32_t flags);

/**
 * nsbox_ns_id - identity of a namespace of a process.
 * @pid: the process, 0 for the caller.
 * @ns: exactly one NSBOX_NS_* kind.
 * @dev, @ino: receive the device and inode number of the namespace (the
 *             pair names it, as in /proc/PID/ns/KIND -> "kind:[ino]").
 * Returns 0; -EINVAL for bad arguments; -ESRCH if there is no such process;
 * -EOPNOTSUPP if the kernel lacks the kind; -EACCES/-EPERM.
 * @since 0.1
 */
int nsbox_ns_id(int32_t pid, uint32_t ns, uint64_t *dev, uint64_t *ino);

/**
 * nsbox_ns_same - whether processes @pid_a and @pid_b (0 for the caller)
 * share their namespace of kind @ns.
 * Returns 1 if the same, 0 if not, or an error of nsbox_ns_id().
 * @since 0.1
 */
int nsbox_ns_same(int32_t pid_a, int32_t pid_b, uint32_t ns);

/* ======================================================================
 * Filesystem: mount operations in a new mount namespace, a new root.
 * (lib/mount.c)
 * ====================================================================== */

/* ---- end of filesystem ---- */


/* ======================================================================
 * Network: loopback, veth pairs. (lib/net.c)
 * ====================================================================== */

/* ---- end of network ---- */


/* ======================================================================
 * Process: PID 1 init, die-with-parent, session, working directory,
 * environment, descriptors, resource limits, signals. (lib/process.c)
 * ====================================================================== */

/* Session and process group of the child (nsbox_config_set_session()). */
enum nsbox_session {
	NSBOX_SESSION_KEEP = 0,     /* default: the caller's session and process group */
	NSBOX_SESSION_NEW = 1,      /* setsid(2): a new session without a controlling terminal */
	NSBOX_SESSION_NEW_GROUP = 2 /* setpgid(0, 0): a new process group in the caller's session */
};

/* Resource numbers of nsbox_config_add_rlimit(): the library's own stable
 * values. They equal the RLIMIT_* of <sys/resource.h> on x86, arm, riscv,
 * powerpc and s390, not on mips, sparc or alpha: use these names. */
enum nsbox_rlimit {
	NSBOX_RLIMIT_CPU = 0,
	NSBOX_RLIMIT_FSIZE = 1,
	NSBOX_RLIMIT_DATA = 2,
	NSBOX_RLIMIT_STACK = 3,
	NSBOX_RLIMIT_CORE = 4,
	NSBOX_RLIMIT_RSS = 5,
	NSBOX_RLIMIT_NPROC = 6,
	NSBOX_RLIMIT_NOFILE = 7,
	NSBOX_RLIMIT_MEMLOCK = 8,
	NSBOX_RLIMIT_AS = 9,
	NSBOX_RLIMIT_LOCKS = 10,
	NSBOX_RLIMIT_SIGPENDING = 11,
	NSBOX_RLIMIT_MSGQUEUE = 12,
	NSBOX_RLIMIT_NICE = 13,
	NSBOX_RLIMIT_RTPRIO = 14,
	NSBOX_RLIMIT_RTTIME = 15
};

/* A resource limit value meaning "no limit" (RLIM64_INFINITY). */
#define NSBOX_RLIMIT_INFINITY UINT64_MAX
/* Most descriptor actions (nsbox_config_add_fd()) in one configuration. */
#define NSBOX_FD_ACTIONS_MAX 65536
/* Most environment changes (nsbox_config_setenv()) in one configuration. */
#define NSBOX_ENV_CHANGES_MAX 65536

/**
 * nsbox_config_set_init - run a small init as PID 1 of the new PID
 * namespace, with the payload as its child (pid 2), instead of making the
 * payload PID 1.
 * @cfg: the configuration.
 * @enable: 1 for an init, 0 (the default) for none.
 *
 * The init is a copy of the calling process (it never executes anything):
 * it clones the payload after every other step succeeded, closes all its
 * own descriptors, keeps every signal blocked and, until the payload
 * terminates, reaps every process that ends up as its child (orphans of the
 * namespace) and forwards SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 that
 * it receives to the payload. When the payload terminates, the init exits
 * with the payload's exit status, or with 128 + N when the payload was
 * killed by signal N (137 for SIGKILL, as shells report it), which ends the
 * namespace and kills what is left in it. nsbox_proc_pid(),
 * nsbox_proc_kill() and nsbox_proc_wait() then act on the init, not the
 * payload: a signal sent with nsbox_proc_kill() is forwarded when it is one
 * of the five above, SIGKILL kills the whole namespace, others are dropped.
 * An init makes the child fork-style (the caller's memory is copied, never
 * shared, see NSBOX_SPAWN_FORK).
 * nsbox_spawn() fails with -EINVAL when NSBOX_NS_PID is not among the
 * namespaces to create.
 * Returns 0, -EINVAL for a NULL @cfg or @enable other than 0 or 1, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_init(nsbox_config *cfg, int32_t enable);

/**
 * nsbox_config_set_die_with_parent - kill the child (SIGKILL) when its
 * parent dies, as PR_SET_PDEATHSIG does.
 * @cfg: the configuration.
 * @enable: 1 to kill it, 0 (the default) not to.
 *
 * "Parent" is what the kernel means by it: the THREAD that called
 * nsbox_spawn(). The child is killed when that thread exits, even if the
 * rest of the calling process lives on; spawn from a thread that lives as
 * long as the child should. The race is closed: the parent death signal is
 * set first thing in the child, which then checks (through a pidfd of the
 * calling process) that the caller is still alive and exits otherwise, and
 * the same is done again after the credentials change (a change of uid or
 * gid clears the setting in the kernel). Executing a set-user-ID or
 * set-group-ID program or one with file capabilities clears it too
 * (prctl(2)). With nsbox_config_set_init() the init is the one killed, which
 * ends its PID namespace.
 * Returns 0, -EINVAL for a NULL @cfg or @enable other than 0 or 1, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_die_with_parent(nsbox_config *cfg, int32_t enable);

/**
 * nsbox_config_set_session - session and process group of the child.
 * @cfg: the configuration.
 * @mode: an NSBOX_SESSION_* value.
 *
 * NSBOX_SESSION_NEW calls setsid(2) in the child: it leads a new session
 * with no controlling terminal, so it cannot push input into the caller's
 * terminal (TIOCSTI) or receive its job-control signals.
 * NSBOX_SESSION_NEW_GROUP calls setpgid(0, 0): a new process group in the
 * same session (what a shell does for a job). With an init, the init does
 * it and the payload shares its session and group.
 * Returns 0, -EINVAL for a NULL @cfg or an unknown @mode, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_session(nsbox_config *cfg, uint32_t mode);

/**
 * nsbox_config_set_cwd - working directory of the payload.
 * @cfg: the configuration.
 * @path: the directory, chdir(2)'d to in the child after the mounts (so a
 *        path in the child's new root, if there is one); NULL keeps the
 *        caller's working directory (the default).
 *
 * The string is copied. A missing or unusable directory makes
 * nsbox_spawn() fail with the error of chdir(2) (-ENOENT, -ENOTDIR,
 * -EACCES...).
 * Returns 0; -EINVAL for a NULL @cfg or an empty @path; -ENAMETOOLONG for a
 * path of 4096 bytes or more; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_cwd(nsbox_config *cfg, const char *path);

/**
 * nsbox_config_clearenv - start the payload's environment empty instead of
 * from the envp of nsbox_config_set_exec() (or the caller's environment).
 * @cfg: the configuration.
 *
 * Forgets every earlier nsbox_config_setenv() of @cfg; later ones add to the
 * empty environment.
 * Returns 0, -EINVAL for a NULL @cfg, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_clearenv(nsbox_config *cfg);

/**
 * nsbox_config_setenv - set or unset one variable of the payload's
 * environment.
 * @cfg: the configuration.
 * @name: the variable's name: not empty, no '='.
 * @value: its value; NULL unsets the variable.
 *
 * The changes apply in the order they were made, on top of the envp of
 * nsbox_config_set_exec() or, when that is NULL, of the caller's environment
 * as it is when nsbox_spawn() is called (or of nothing after
 * nsbox_config_clearenv()). Setting a variable that is there replaces it in
 * its place; a new one goes at the end. The strings are copied. The
 * environment array is built by nsbox_spawn() in the caller; a callback
 * payload finds it in environ (getenv(3)).
 * Returns 0; -EINVAL for a NULL @cfg or @name, an empty @name or one with
 * '='; -E2BIG past NSBOX_ENV_CHANGES_MAX changes; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_setenv(nsbox_config *cfg, const char *name, const char *value);

/**
 * nsbox_config_add_fd - give the payload one of the caller's descriptors,
 * under a number of the caller's choice (dup2(2) in the child).
 * @cfg: the configuration.
 * @parent_fd: an open descriptor of the calling process when nsbox_spawn()
 *             is called; close-on-exec or not does not matter.
 * @child_fd: the number the payload gets it under, without close-on-exec.
 *            Equal to @parent_fd: keep that descriptor open across exec.
 *
 * All actions happen as if at once: the payload's @child_fd refers to what
 * the caller's @parent_fd referred to at spawn time, even when another
 * action replaces @parent_fd (two actions may swap two descriptors). The
 * caller's own descriptors are never changed. The library's internal
 * descriptors are moved out of the way when they have a number that is
 * asked for.
 * nsbox_spawn() fails with -EBADF (and a sentence naming the action) when
 * @parent_fd is not open at that time, and with the error of dup2 or
 * fcntl for a @child_fd above the RLIMIT_NOFILE of the child.
 * Returns 0; -EINVAL for a NULL @cfg, a negative descriptor, or a @child_fd
 * already given by an earlier action; -E2BIG past NSBOX_FD_ACTIONS_MAX
 * actions; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_fd(nsbox_config *cfg, int32_t parent_fd, int32_t child_fd);

/**
 * nsbox_config_set_close_fds - close every descriptor of the payload from 3
 * on that is not the @child_fd of an nsbox_config_add_fd() action.
 * @cfg: the configuration.
 * @enable: 1 to close them, 0 (the default) to let the payload inherit every
 *          descriptor of the caller that is not close-on-exec.
 *
 * Done in the child with close_range(2) (a loop of close(2) on kernels
 * before 5.9) after the descriptor actions; 0, 1 and 2 are left as they are.
 * Returns 0, -EINVAL for a NULL @cfg or @enable other than 0 or 1, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_close_fds(nsbox_config *cfg, int32_t enable);

/**
 * nsbox_config_add_rlimit - set a resource limit of the payload
 * (prlimit64(2) in the child, before the descriptor actions).
 * @cfg: the configuration.
 * @resource: an NSBOX_RLIMIT_* value.
 * @soft: the soft limit; NSBOX_RLIMIT_INFINITY (UINT64_MAX) for none.
 * @hard: the hard limit, not below @soft.
 *
 * A second limit for the same resource replaces the first. Raising a hard
 * limit needs CAP_SYS_RESOURCE in the initial user namespace: without it,
 * nsbox_spawn() fails with -EPERM and a sentence naming the limit.
 * Returns 0; -EINVAL for a NULL @cfg, an unknown @resource or @soft above
 * @hard; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_rlimit(nsbox_config *cfg, uint32_t resource, uint64_t soft, uint64_t hard);

/**
 * nsbox_config_set_signal_mask - the signal mask the payload starts with.
 * @cfg: the configuration.
 * @mask: bit N-1 stands for signal N (SIGHUP is bit 0); bits of SIGKILL and
 *        SIGSTOP are ignored, as the kernel cannot block them.
 *
 * Without this call the payload gets the mask of the thread that called
 * nsbox_spawn(). This replaces it for every later spawn of @cfg.
 * Returns 0, -EINVAL for a NULL @cfg, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_signal_mask(nsbox_config *cfg, uint64_t mask);

/**
 * nsbox_config_set_signal_reset - set every signal's disposition to its
 * default (SIG_DFL) in the payload, ignored ones included.
 * @cfg: the configuration.
 * @enable: 1 to reset all, 0 (the default) to reset only the signals the
 *          caller catches and keep those it ignores ignored, as execve(2)
 *          would.
 *
 * Useful when the caller ignores SIGPIPE or SIGCHLD and the payload should
 * not inherit that.
 * Returns 0, -EINVAL for a NULL @cfg or @enable other than 0 or 1, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_signal_reset(nsbox_config *cfg, int32_t enable);

/* ---- end of process ---- */


/* ======================================================================
 * Credentials and confinement: ids, groups, capabilities, no_new_privs,
 * seccomp, newuidmap/newgidmap. (lib/creds.c)
 * ====================================================================== */

/* ---- end of credentials ---- */


/* ======================================================================
 * Cgroups, time namespace offsets, persistent namespaces, parent hook.
 * ====================================================================== */

/* ---- end of cgroups, time, persistence ---- */

#ifdef __cplusplus
}
#endif

#endif /* NSBOX_H */
