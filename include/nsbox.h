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
	NSBOX_NS_ALL = 0xff     /* all eight kinds */
};

/* setgroups(2) policy written to /proc/PID/setgroups of a new user namespace. */
enum nsbox_setgroups {
	NSBOX_SETGROUPS_DEFAULT = 0, /* "deny" when the child writes its own maps, else untouched ("allow") */
	NSBOX_SETGROUPS_ALLOW = 1,  /* setgroups(2) works inside (the parent writes the gid map) */
	NSBOX_SETGROUPS_DENY = 2    /* setgroups(2) fails inside with EPERM */
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
	NSBOX_PROPAGATION_SHARED = 2,  /* mount events flow both ways */
	NSBOX_PROPAGATION_UNCHANGED = 3 /* keep what the mount namespace was copied with */
};

/* Flags of nsbox_config_set_flags(). */
enum nsbox_spawn_flags {
	NSBOX_SPAWN_FORK = 0x01,     /* exec payloads: copy the address space (fork-style) instead of sharing it until exec */
	NSBOX_SPAWN_NO_CLONE3 = 0x02, /* use clone(2) even where clone3(2) exists */
	NSBOX_SPAWN_NO_MAP_HELPERS = 0x04 /* never run newuidmap/newgidmap for maps we may not write */
};

/* Flags of nsbox_proc_wait(). */
enum nsbox_wait_flags {
	NSBOX_WAIT_NOHANG = 0x01 /* do not block: -EAGAIN while the process runs */
};

/* Smallest stack accepted by nsbox_config_set_stack() and
 * nsbox_config_set_stack_size(), in bytes. */
#define NSBOX_STACK_MIN 16384
/* Stack size the library allocates when the caller sets none (for a child
 * that shares the caller's memory; see nsbox_config_set_stack_size()). */
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

/* Features of the running kernel, for nsbox_feature_supported(). */
enum nsbox_feature {
	NSBOX_FEATURE_CLONE3 = 1,         /* clone3(2) (Linux 5.3): needed for time namespaces */
	NSBOX_FEATURE_PIDFD_SETNS = 2,    /* setns(pidfd, kinds) (5.8): all-or-nothing joins */
	NSBOX_FEATURE_TIME_NS = 3,        /* time namespaces (5.6) */
	NSBOX_FEATURE_INTO_CGROUP = 4,    /* CLONE_INTO_CGROUP (5.7) */
	NSBOX_FEATURE_UNPRIV_USERNS = 5,  /* user namespaces for unprivileged callers */
	NSBOX_FEATURE_CLEAR_SIGHAND = 6   /* CLONE_CLEAR_SIGHAND (5.5) */
};

/**
 * nsbox_feature_supported - whether the running kernel (and its settings)
 * offers @feature, so that bindings can decide without parsing kernel
 * versions.
 * @feature: an NSBOX_FEATURE_* value.
 *
 * Probes without side effects: a clone3 call with invalid arguments, the
 * presence of /proc/self/ns/time, the kernel version for the pidfd features,
 * and kernel.unprivileged_userns_clone plus user.max_user_namespaces for
 * unprivileged user namespaces (a seccomp or LSM policy may still refuse).
 * Returns 1 if supported, 0 if not, -EINVAL for an unknown @feature.
 * @since 0.1
 */
int nsbox_feature_supported(uint32_t feature);

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
 * library-allocated stack of NSBOX_STACK_DEFAULT bytes where the child shares
 * the caller's memory (and, for a fork-style child, its own copy of the
 * calling thread's stack, as after fork()), private mount
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
 * Returns 0, -EINVAL for a NULL @cfg, -ENAMETOOLONG for a name over
 * NSBOX_HOSTNAME_MAX bytes, -ENOMEM.
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
 * @cfg: the configuration
 * @inside: first id inside the namespace
 * @outside: first id outside, in the parent user namespace
 * @count: how many ids, at least 1
 *
 * Needs NSBOX_NS_USER at spawn time. When the map has a single line that
 * maps the spawning process's own effective uid (and the gid map likewise),
 * the child writes its own maps, as unshare -r does; otherwise the parent
 * writes them while the child waits, which needs the privileges described
 * in user_namespaces(7). An unprivileged parent (no CAP_SETUID/CAP_SETGID)
 * runs newuidmap(1)/newgidmap(1) instead, which allow the ranges that
 * /etc/subuid and /etc/subgid grant the caller; nsbox_spawn() then fails
 * with -ENOENT if they are not installed and -EPERM if they refuse, and says
 * which (NSBOX_SPAWN_NO_MAP_HELPERS turns this off).
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
 * @cfg: the configuration
 * @inside: first gid inside the namespace
 * @outside: first gid outside
 * @count: how many gids, at least 1
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
 * @cfg: the configuration
 * @flags: 0 or NSBOX_MAP_ROOT
 *
 * Replaces any uid and gid map lines, sets setgroups to NSBOX_SETGROUPS_DENY
 * and adds NSBOX_NS_USER to the namespaces. The ids are read when this
 * function is called. Works unprivileged: the child writes its own maps.
 * A program that changed its uid without exec is not dumpable and its
 * /proc files belong to root: it must call prctl(PR_SET_DUMPABLE, 1) first,
 * or nsbox_spawn() fails with -EACCES (and says so).
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
 * @cfg: the configuration
 * @arg: passed to @fn as is
 *
 * @fn runs on the configured stack (with none configured: on the child's
 * copy of the calling thread's stack, as after fork()) after every
 * namespace step succeeded,
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
 * @cfg: the configuration
 * @size: bytes of stack, NSBOX_STACK_MIN to 1 GiB
 *
 * The stack is mmap'd with a PROT_NONE guard page below it and unmapped by
 * the library when the child no longer uses it. The size is rounded up to
 * whole pages. A child that shares the caller's memory until exec always
 * gets one (of NSBOX_STACK_DEFAULT bytes unless set here). A fork-style
 * child (a callback, NSBOX_SPAWN_FORK) gets one only once a size is set
 * here; until then it runs, like a child of fork(), on its own copy of the
 * calling thread's stack, and the library maps nothing.
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
 * Joins happen in the child, never in the caller. Namespaces created by the
 * same spawn (nsbox_config_set_namespaces) are created after the joins, so
 * they nest inside the joined ones. When a PID namespace is joined (or one
 * is created after a join) the library forks once more (twice for a new PID
 * namespace inside a joined one) so the payload is really in it; the
 * payload is still the caller's child and nsbox_proc_pid() gives its pid as
 * the caller sees it. Kinds the caller already shares are skipped. A target
 * the caller may not inspect makes nsbox_spawn() fail with -EPERM.
 * Joins of several targets are allowed as long as no kind is given twice.
 * Returns 0; -EINVAL for a NULL @cfg, a negative @pidfd, an empty or unknown
 * mask or a kind joined twice (so there are at most eight join entries).
 * @since 0.1
 */
int nsbox_config_join(nsbox_config *cfg, int32_t pidfd, uint32_t ns);

/**
 * nsbox_config_join_pid - like nsbox_config_join(), naming the target by
 * pid. The pid is resolved to a pidfd by nsbox_spawn(), which fails with
 * -ESRCH when the process is gone.
 * @cfg: the configuration
 * @pid: the target process, > 0
 * @ns: the kinds to enter, NSBOX_NS_* bits, not 0
 * Returns 0; -EINVAL for a NULL @cfg, @pid <= 0, an empty or unknown mask
 * or a kind joined twice.
 * @since 0.1
 */
int nsbox_config_join_pid(nsbox_config *cfg, int32_t pid, uint32_t ns);

/**
 * nsbox_config_join_path - like nsbox_config_join(), naming one namespace
 * by an nsfs file such as /proc/PID/ns/net or /run/netns/NAME.
 * @ns: exactly one NSBOX_NS_* bit, which must be the kind of the file.
 * @cfg: the configuration
 * @path: the namespace file (copied)
 *
 * The file is opened by nsbox_spawn(): -ENOENT if missing, -EINVAL if it is
 * no namespace file or of another kind.
 * Returns 0; -EINVAL for a NULL @cfg or @path, an @ns that is not exactly
 * one kind, or a kind joined twice; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_join_path(nsbox_config *cfg, const char *path, uint32_t ns);

/**
 * nsbox_config_set_exit_signal - the signal the parent gets when the child
 * terminates: SIGCHLD by default, 0 for none (hosts that must not see
 * SIGCHLD, or that ignore it: nsbox_proc_wait() still works).
 * @cfg: the configuration
 * @sig: 0..64; SIGCHLD is 17 on Linux
 *
 * execve(2) resets a process's exit signal to SIGCHLD, so with an exec
 * payload and any other exit signal the library keeps a small supervisor
 * between the caller and the payload: the supervisor is the caller's child
 * (nsbox_proc_pid() is its pid), it forwards every signal it gets to the
 * payload and exits as the payload did (killed by the same signal, or 128 +
 * the signal when it is pid 1 of a new PID namespace, where the payload is
 * then pid 2). A callback payload needs none.
 * Returns 0, -EINVAL for a NULL @cfg or a signal outside 0..64.
 * @since 0.1
 */
int nsbox_config_set_exit_signal(nsbox_config *cfg, int32_t sig);

/**
 * nsbox_config_set_flags - spawn behaviour, NSBOX_SPAWN_* bits; replaces the
 * previous flags.
 * @cfg: the configuration
 * @flags: NSBOX_SPAWN_* bits
 * Returns 0, -EINVAL for a NULL @cfg or unknown bits.
 * @since 0.1
 */
int nsbox_config_set_flags(nsbox_config *cfg, uint32_t flags);

/**
 * nsbox_config_check - check @cfg as nsbox_spawn() would before it creates
 * anything: the same validation, the same errors and the same
 * nsbox_last_error() text, without opening a file or starting a process.
 * Checks that need the target's files (join targets, cgroup directories,
 * bind sources) are left to nsbox_spawn().
 * Returns 0, or the -EINVAL / -EOPNOTSUPP nsbox_spawn() would return, or
 * -EBADF for a descriptor given to nsbox_config_add_fd() that is not open.
 * @since 0.1
 */
int nsbox_config_check(const nsbox_config *cfg);

/**
 * nsbox_spawn - start a process as @cfg describes.
 * @out: receives the process handle.
 *
 * Uses clone3(2) with CLONE_PIDFD, or clone(2) where clone3 is not
 * available (ENOSYS, or EPERM from a seccomp filter when nothing
 * clone3-only was asked for). Every namespace step happens in the child
 * before the payload runs; the call returns once the payload runs (exec
 * succeeded or the callback was entered; a callback with no step that can
 * fail returns right after clone) or the first step failed. It never
 * fails with -EINTR: signals are blocked in the calling thread meanwhile. On
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
 *            time offsets without NSBOX_NS_TIME; a cgroup directory that is
 *            not cgroup v2; a seccomp program the kernel rejects; mount
 *            operations or a new root without NSBOX_NS_MOUNT; a new root
 *            with shared or unchanged propagation; a mount on / without a
 *            new root; a remount-ro of a path that is not a mount; a
 *            loopback, veth or address setting without a new network
 *            namespace;
 *  -ENOENT, -EACCES, -ENOEXEC, ...  from execve(2) of the payload;
 *  -ENOENT   also: a missing join file, cgroup directory or bind source,
 *            or newuidmap/newgidmap not installed;
 *  -ENOTDIR, -EBUSY  a cgroup path that is no directory, or a cgroup the
 *            kernel will not put a process in;
 *  -EACCES   also: a map write of a process that is not dumpable, or a
 *            cgroup move refused;
 *  -ESRCH    a join target is gone;
 *  -EBADF    a descriptor given to nsbox_config_add_fd() is not open;
 *  -EEXIST   the name of a veth pair's host end is taken in the caller's
 *            network namespace, or a mount operation meets an existing file;
 *  -EADDRNOTAVAIL, -EACCES, ... the kernel refused a veth address;
 *  -ELOOP, -EROFS, -ENOTDIR, ... from a mount operation, named with its
 *            number by nsbox_last_error();
 *  -EPERM, -ENOSPC, -EUSERS, ... from clone or a namespace step, with the
 *            step named by nsbox_last_error(); -EPERM also when a join
 *            target may not be inspected, when newuidmap/newgidmap refuse,
 *            and for a veth pair without CAP_NET_ADMIN over the caller's
 *            network namespace;
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
 * @proc: the process handle
 * @sig: 0 (only checks the process exists) .. 64
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
 * @pidfd: a pidfd of the target process
 *
 * Uses setns(pidfd, kinds) (Linux 5.8+), which enters all or none; kinds
 * the caller already shares are left out (the kernel refuses to re-enter
 * one's own user namespace). On older kernels it opens every
 * /proc/PID/ns/KIND first and enters them one by one, in an order that
 * works for privileged and unprivileged callers. Only the calling thread
 * moves; PID and time namespace joins take effect for its children. The
 * kernel refuses user and mount namespace joins from a multithreaded
 * process (-EINVAL, and nothing is joined).
 * Returns 0; -EINVAL for bad arguments or a refusal of the kernel (see
 * setns(2)); -ESRCH if the process is gone; -EPERM; -EOPNOTSUPP for a kind
 * the kernel lacks.
 * @since 0.1
 */
int nsbox_join(int32_t pidfd, uint32_t ns);

/**
 * nsbox_join_pid - nsbox_join() for a process named by pid.
 * @pid: the target process, > 0
 * @ns: NSBOX_NS_* kinds, not 0
 * Returns as nsbox_join(); -EINVAL for @pid <= 0.
 * @since 0.1
 */
int nsbox_join_pid(int32_t pid, uint32_t ns);

/**
 * nsbox_join_path - enter the namespace of an nsfs file (/proc/PID/ns/KIND,
 * /run/netns/NAME, a persisted namespace).
 * @ns: the expected kind, exactly one NSBOX_NS_* bit, or 0 for any kind.
 * @path: the namespace file
 * Returns 0; -ENOENT; -EINVAL for a NULL @path, a file that is no namespace
 * or of another kind; -EPERM.
 * @since 0.1
 */
int nsbox_join_path(const char *path, uint32_t ns);

/**
 * nsbox_detach - move the calling thread into new namespaces
 * (unshare(2)).
 * @ns: NSBOX_NS_* kinds, not 0.
 *
 * unshare(2) acts on the calling thread: in a multithreaded process the
 * other threads stay where they were (a new mount namespace, too, is the
 * calling thread's alone), and a user namespace is refused. PID and time
 * namespaces take effect for children created afterwards.
 * Returns 0; -EINVAL for an empty or unknown mask or a kernel refusal, such
 * as a user namespace from a multithreaded process (named by
 * nsbox_last_error()); -EPERM; -ENOSPC (a namespace limit was reached);
 * -ENOMEM.
 * @since 0.1
 */
int nsbox_detach(uint32_t ns);

/**
 * nsbox_detach_user - unshare a new user namespace (plus the kinds in @ns)
 * and map the caller's uid and gid in it, to 0 with NSBOX_MAP_ROOT, like
 * unshare -r; setgroups is denied.
 * @ns: further NSBOX_NS_* kinds to create with the user namespace, 0 for none
 * @flags: 0 or NSBOX_MAP_ROOT
 * Returns 0; -EINVAL for unknown bits or flags, or a kernel refusal (a
 * multithreaded process); -EPERM; -ENOSPC; -ENOMEM; -EACCES when the
 * process is not dumpable (see nsbox_config_map_caller()); errors of the
 * map writes name the file.
 * @since 0.1
 */
int nsbox_detach_user(uint32_t ns, uint32_t flags);

/**
 * nsbox_ns_id - identity of a namespace of a process.
 * @pid: the process, 0 for the caller.
 * @ns: exactly one NSBOX_NS_* kind.
 * @dev, @ino: receive the device and inode number of the namespace (the
 *             pair names it, as in /proc/PID/ns/KIND -> "kind:[ino]").
 * Returns 0; -EINVAL for bad arguments; -ESRCH if there is no such process
 * (or it has exited); -EOPNOTSUPP if the kernel lacks the kind; -EPERM if
 * the caller may not inspect the process (ptrace access mode).
 * @since 0.1
 */
int nsbox_ns_id(int32_t pid, uint32_t ns, uint64_t *dev, uint64_t *ino);

/**
 * nsbox_ns_same - whether processes @pid_a and @pid_b (0 for the caller)
 * share their namespace of kind @ns.
 * @pid_a: a process, 0 for the caller
 * @pid_b: another process, 0 for the caller
 * @ns: exactly one NSBOX_NS_* kind
 * Returns 1 if the same, 0 if not, or an error of nsbox_ns_id().
 * @since 0.1
 */
int nsbox_ns_same(int32_t pid_a, int32_t pid_b, uint32_t ns);

/* ======================================================================
 * Filesystem: mount operations in a new mount namespace, a new root.
 * (lib/mount.c)
 *
 * The nsbox_config_add_* functions below append to one ordered list of
 * operations, which the child applies in that order after it has made
 * mount propagation private (nsbox_config_set_propagation()) and before
 * anything of the network, process or credentials features. They all need
 * a new mount namespace (NSBOX_NS_MOUNT): nsbox_spawn() refuses them with
 * -EINVAL otherwise, before anything is created.
 *
 * Paths. Every target is an absolute path; "." components, repeated and
 * trailing slashes are removed, ".." components are refused. Targets are
 * resolved by the child with openat2(2) RESOLVE_IN_ROOT relative to the
 * root being built, so a symlink met on the way (even "/evil" -> "/etc" or
 * "../../..") stays inside it; the operation then works on the descriptor
 * (mount(2) on /proc/self/fd/N, *at(2) calls), never on a path that could
 * be swapped. Bind sources are host paths: absolute, resolved normally in
 * the child's view of the host tree.
 *
 * New root (nsbox_config_set_root()). Everything is built under a fresh
 * tmpfs, or a bind mount of a caller-given directory, which becomes "/" by
 * pivot_root(2); the old root is then detached, so nothing of the host
 * stays reachable but what was bound in. Missing mount points are created
 * (directories with mode 0755, or an empty file for a bind of a file), as
 * bwrap(1) does; with a caller-given directory they are created in it, on
 * the host's file system. Bind sources are opened before anything is
 * mounted, in the host tree as the child inherited it. While it builds, the
 * child stages on a private tmpfs mounted on its /tmp (which must exist;
 * the host's /tmp is neither changed nor hidden from bind sources). The
 * working directory of the child afterwards is "/". With
 * nsbox_config_set_mount_proc(), a new /proc is mounted in the new root
 * before the first operation. The new root needs private or slave
 * propagation. A /proc mounted without a new PID namespace shows the host's
 * processes, and their /proc/PID/root leads to the host's root: sandboxes
 * want NSBOX_NS_PID.
 *
 * Without a new root, targets are paths of the child's private copy of the
 * host's mount tree, nothing is created but what nsbox_config_add_dir(),
 * _symlink() and _file() name (on the real file system, unless it lies
 * under a tmpfs added before), and a mount point must exist. Mounting on
 * "/" needs a new root.
 *
 * Every mount gets nosuid; every mount but device binds, /dev nodes and
 * devpts gets nodev; proc, sysfs and mqueue get noexec too. Read-only
 * (NSBOX_BIND_RO, nsbox_config_add_remount_ro()) applies recursively, to
 * every mount under the target, with mount_setattr(2) (Linux 5.12); older
 * kernels are served by remounting each mount listed in
 * /proc/self/mountinfo. On kernels without openat2(2) (before 5.6) paths are
 * walked one component at a time and a symlink anywhere in a target is
 * refused (-ELOOP).
 *
 * A failing operation makes nsbox_spawn() return the errno of that step,
 * with the operation's number (1 for the first nsbox_config_add_* call), its
 * paths and the failing part in nsbox_last_error(), e.g.
 * "child: mount #2 (bind /nonexistent -> /mnt): open source: No such file
 * or directory".
 * ====================================================================== */

/* Flags of nsbox_config_add_bind(). */
enum nsbox_bind_flags {
	NSBOX_BIND_RO = 0x01,  /* read-only, the submounts too (bwrap --ro-bind) */
	NSBOX_BIND_TRY = 0x02, /* skip the operation when the source does not exist (--bind-try) */
	NSBOX_BIND_DEV = 0x04  /* allow device nodes: no nodev (--dev-bind) */
};

/* Flags of nsbox_config_set_root(). */
enum nsbox_root_flags {
	NSBOX_ROOT_RO = 0x01 /* make the new root mount read-only once everything is built */
};

/* Most mount operations one configuration holds. */
#define NSBOX_MOUNT_OPS_MAX 4096

/**
 * nsbox_config_add_bind - bind-mount @source (recursively, with every mount
 * under it) on @target.
 * @source: an absolute host path; a symlink is followed.
 * @target: an absolute path (see "Paths" above).
 * @flags: NSBOX_BIND_RO, NSBOX_BIND_TRY, NSBOX_BIND_DEV, or 0.
 *
 * In a new root, a missing @target is created: a directory when @source is
 * one, else an empty file. At spawn time a missing @source fails with
 * -ENOENT (unless NSBOX_BIND_TRY), a @source the child may not reach with
 * -EACCES.
 * Returns 0; -EINVAL for a NULL @cfg, a NULL, empty or relative @source or
 * @target, a ".." in @target, or unknown @flags; -ENAMETOOLONG for a path
 * of PATH_MAX bytes or more; -E2BIG past NSBOX_MOUNT_OPS_MAX operations;
 * -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_bind(nsbox_config *cfg, const char *source, const char *target, uint32_t flags);

/**
 * nsbox_config_add_tmpfs - mount a new tmpfs on @target.
 * @target: an absolute path (see "Paths" above).
 * @size: its size limit in bytes (rounded up to pages), 0 for the kernel's
 *        default (half of the RAM).
 * @mode: permissions of its root directory, 0 to 07777 (e.g. 0755, 01777).
 *
 * Returns 0; -EINVAL for a NULL @cfg, a bad @target (as
 * nsbox_config_add_bind()) or a @mode above 07777; -ENAMETOOLONG; -E2BIG;
 * -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_tmpfs(nsbox_config *cfg, const char *target, uint64_t size, uint32_t mode);

/**
 * nsbox_config_add_proc - mount a new proc file system on @target.
 * @target: an absolute path (see "Paths" above).
 *
 * Its sys, sysrq-trigger, irq and bus entries are made read-only where the
 * child could write them. Unprivileged, the kernel allows it only in a new
 * PID namespace (NSBOX_NS_PID) owned by the child's user namespace.
 * Returns 0; -EINVAL for a NULL @cfg or a bad @target (as
 * nsbox_config_add_bind()); -ENAMETOOLONG; -E2BIG; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_proc(nsbox_config *cfg, const char *target);

/**
 * nsbox_config_add_sysfs - mount a new, read-only sysfs on @target.
 * @target: an absolute path (see "Paths" above).
 *
 * Unprivileged, the kernel allows it only in a new network namespace
 * (NSBOX_NS_NET) owned by the child's user namespace.
 * Returns as nsbox_config_add_proc().
 * @since 0.1
 */
int nsbox_config_add_sysfs(nsbox_config *cfg, const char *target);

/**
 * nsbox_config_add_dev - build a minimal /dev on @target (bwrap --dev).
 * @target: an absolute path (see "Paths" above), usually "/dev".
 *
 * A tmpfs (mode 0755) holding: null, zero, full, random, urandom and tty,
 * bind-mounted from the host's /dev (device nodes cannot be created in a
 * user namespace); a new devpts instance on pts with ptmx -> pts/ptmx; a
 * tmpfs (mode 01777) on shm; and the symlinks fd -> /proc/self/fd,
 * stdin, stdout and stderr -> /proc/self/fd/0, 1 and 2.
 * Returns as nsbox_config_add_proc().
 * @since 0.1
 */
int nsbox_config_add_dev(nsbox_config *cfg, const char *target);

/**
 * nsbox_config_add_mqueue - mount a POSIX message queue file system on
 * @target (mq_overview(7)).
 * @target: an absolute path (see "Paths" above), usually "/dev/mqueue".
 *
 * It shows the queues of the child's IPC namespace, and needs a new one
 * (NSBOX_NS_IPC) when unprivileged.
 * Returns as nsbox_config_add_proc().
 * @since 0.1
 */
int nsbox_config_add_mqueue(nsbox_config *cfg, const char *target);

/**
 * nsbox_config_add_dir - create the directory @path.
 * @path: an absolute path (see "Paths" above).
 * @mode: its permissions, 0 to 07777, set exactly (not masked by the
 *        umask).
 *
 * A directory already there (or a symlink to one inside the root) is left
 * as it is; anything else there fails the spawn with -EEXIST.
 * In a new root, missing parents are created with mode 0755; without one,
 * the parent must exist.
 * Returns 0; -EINVAL for a NULL @cfg, a bad @path (as
 * nsbox_config_add_bind()) or a @mode above 07777; -ENAMETOOLONG; -E2BIG;
 * -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_dir(nsbox_config *cfg, const char *path, uint32_t mode);

/**
 * nsbox_config_add_symlink - create the symlink @linkpath with the contents
 * @text (bwrap --symlink TEXT LINKPATH).
 * @text: any non-empty string; it is what the link says, never resolved
 *        now. An absolute @text is read by the payload relative to its root.
 * @linkpath: an absolute path (see "Paths" above).
 *
 * A symlink with the same @text already at @linkpath is accepted; anything
 * else there fails the spawn with -EEXIST. Parents are created as for
 * nsbox_config_add_dir().
 * Returns 0; -EINVAL for a NULL @cfg, a NULL or empty @text or a bad
 * @linkpath (as nsbox_config_add_bind()); -ENAMETOOLONG; -E2BIG; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_symlink(nsbox_config *cfg, const char *text, const char *linkpath);

/**
 * nsbox_config_add_file - create the regular file @path holding the @len
 * bytes at @data.
 * @path: an absolute path (see "Paths" above).
 * @data: copied now; may be NULL when @len is 0.
 * @len: the number of bytes.
 * @mode: its permissions, 0 to 07777, set exactly.
 *
 * A file already at @path is truncated and rewritten (and its permissions
 * set to @mode); a symlink there fails the spawn with -ELOOP. Parents are
 * created as for nsbox_config_add_dir().
 * Returns 0; -EINVAL for a NULL @cfg, a bad @path (as
 * nsbox_config_add_bind()), a NULL @data with a @len, or a @mode above
 * 07777; -ENAMETOOLONG; -E2BIG; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_file(nsbox_config *cfg, const char *path, const void *data, size_t len, uint32_t mode);

/**
 * nsbox_config_add_remount_ro - make the mount on @path read-only, with
 * every mount under it (bwrap --remount-ro).
 * @path: an absolute path (see "Paths" above); a symlink is followed
 *        inside the root.
 *
 * @path must be where a mount is (the root of one): otherwise the spawn
 * fails with -EINVAL.
 * Returns as nsbox_config_add_proc().
 * @since 0.1
 */
int nsbox_config_add_remount_ro(nsbox_config *cfg, const char *path);

/**
 * nsbox_config_set_root - build a new root and make it the child's "/".
 * @dir: an absolute host directory to bind-mount (recursively) as the new
 *       root, or NULL for a fresh tmpfs (mode 0755).
 * @flags: 0 or NSBOX_ROOT_RO.
 *
 * See "New root" above. Replaces an earlier setting.
 * At spawn time: -EINVAL without NSBOX_NS_MOUNT or with shared or
 * unchanged propagation; -ENOENT or -ENOTDIR for a @dir that is not a
 * directory.
 * Returns 0; -EINVAL for a NULL @cfg, a relative or empty @dir or unknown
 * @flags; -ENAMETOOLONG; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_root(nsbox_config *cfg, const char *dir, uint32_t flags);

/**
 * nsbox_config_clear_mounts - forget every mount operation and the new root
 * setting, so that @cfg can be reused without them.
 * Returns 0, -EINVAL for a NULL @cfg.
 * @since 0.1
 */
int nsbox_config_clear_mounts(nsbox_config *cfg);

/* ---- end of filesystem ---- */


/* ======================================================================
 * Network: loopback, veth pairs. (lib/net.c)
 * ====================================================================== */

/* Longest network interface name, in bytes, without the NUL (IFNAMSIZ - 1). */
#define NSBOX_IFNAME_MAX 15
/* Most veth pairs in one configuration. */
#define NSBOX_VETH_MAX 16
/* Most addresses, over all veth ends, in one configuration. */
#define NSBOX_ADDRESS_MAX 64

/**
 * nsbox_config_set_loopback - whether the child brings the loopback
 * interface "lo" of its new network namespace up.
 * @up: 1 (the default) to bring lo up, 0 to leave it down.
 *
 * Whenever NSBOX_NS_NET is created, lo is brought up by default, as
 * bubblewrap does, with ioctl(2) in the child before the payload runs; this
 * call only turns that off (or back on). The setting needs a new network
 * namespace: nsbox_spawn() fails with -EINVAL if it is made without
 * NSBOX_NS_NET.
 * Returns 0, -EINVAL for a NULL @cfg or @up other than 0 or 1, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_loopback(nsbox_config *cfg, int32_t up);

/**
 * nsbox_config_add_veth - create a veth pair at spawn time: one end,
 * @host_ifname, in the network namespace of the thread calling
 * nsbox_spawn(), the other, @child_ifname, in the child's new network
 * namespace.
 * @host_ifname: name of the end that stays with the caller.
 * @child_ifname: name of the end inside the child.
 *
 * The parent creates the pair over rtnetlink while the child waits, with the
 * child's end placed directly into the child's namespace, then assigns the
 * addresses of its own end (nsbox_config_add_address()) and sets it up; the
 * child assigns its end's addresses and sets it up before the payload runs.
 * This needs CAP_NET_ADMIN over the caller's network namespace (and over
 * the child's): an unprivileged caller in the machine's namespace makes
 * nsbox_spawn() fail with -EPERM, and an interface of the host end's name
 * already present there with -EEXIST. If the spawn fails after the pair was
 * made, the host end is deleted again. The pair disappears with the
 * child's network namespace, i.e. once every process in it is gone.
 * Every name of a configuration must be unique (so that
 * nsbox_config_add_address() can name an end), "lo" is refused, and the
 * names follow the kernel's rules: 1 to NSBOX_IFNAME_MAX bytes, not "." or
 * "..", no '/', ':', '%' or white space.
 * Needs NSBOX_NS_NET at spawn time (-EINVAL otherwise).
 * Returns 0; -EINVAL for a NULL @cfg or name, or a name that breaks the
 * rules above; -EEXIST for a name already used in @cfg; -E2BIG past
 * NSBOX_VETH_MAX pairs; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_veth(nsbox_config *cfg, const char *host_ifname, const char *child_ifname);

/**
 * nsbox_config_add_address - assign an IPv4 or IPv6 address to one end of
 * a veth pair at spawn time.
 * @ifname: the host or child name given to nsbox_config_add_veth() before.
 * @cidr: "ADDRESS/PREFIX" such as "10.1.0.1/24" or "fd00::1/64"; without
 *        "/PREFIX" the prefix is 32 (IPv4) or 128 (IPv6).
 *
 * The address goes over rtnetlink (RTM_NEWADDR) to the end's namespace;
 * IPv6 addresses are added with IFA_F_NODAD, so they are usable at once.
 * This call checks the text only: the kernel may still refuse the address
 * at spawn time (an IPv6 multicast or loopback address on a veth, IPv6
 * disabled on the interface), and nsbox_spawn() then fails with the
 * kernel's error and a sentence naming the address and the end.
 * Returns 0; -EINVAL for a NULL argument, an @ifname over NSBOX_IFNAME_MAX
 * bytes, or @cidr text that is not an address with an optional decimal
 * prefix of at most 32 (IPv4) or 128 (IPv6); -ENODEV when no veth end of
 * @cfg has that name; -EEXIST for the same address twice on one end;
 * -E2BIG past NSBOX_ADDRESS_MAX addresses; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_add_address(nsbox_config *cfg, const char *ifname, const char *cidr);

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

/**
 * nsbox_config_set_ids - uid and gid the payload runs as, inside its user
 * namespace (after the maps are written): setresgid(), then setresuid().
 * @cfg: the configuration
 * @uid: the uid inside
 * @gid: the gid inside
 *
 * The ids must be mapped in the child's user namespace. Capabilities kept
 * with nsbox_config_set_caps() survive the switch (they are raised as
 * ambient capabilities for a non-root uid); without that call, a non-zero
 * uid loses every capability, as setuid(2) does.
 * Returns 0, -EINVAL for a NULL @cfg or the id 4294967295.
 * @since 0.1
 */
int nsbox_config_set_ids(nsbox_config *cfg, uint32_t uid, uint32_t gid);

/**
 * nsbox_config_set_groups - supplementary groups of the payload
 * (setgroups(2) in the child).
 * @groups: @count gids (copied); @count 0 clears the list (setgroups(0)).
 * @cfg: the configuration
 * @count: how many gids @groups holds
 *
 * In a new user namespace setgroups must be allowed
 * (NSBOX_SETGROUPS_ALLOW, so the parent writes the maps with privilege).
 * Returns 0; -EINVAL for a NULL @cfg, or NULL @groups with a count;
 * -E2BIG past 65536 groups; -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_groups(nsbox_config *cfg, const uint32_t *groups, uint32_t count);

/**
 * nsbox_config_set_caps - drop every capability except @keep from all five
 * sets: bounding, permitted, effective, inheritable and ambient (kept ones
 * are raised as ambient, so they survive execve even as a non-root uid).
 * @keep: a mask of capability numbers (bit N = capability N, see
 *        capabilities(7)); 0 drops all.
 *
 * Without this call the payload keeps what clone and execve give it (full
 * capabilities inside a new user namespace). Capabilities are those of the
 * child's user namespace.
 * Returns 0; -EINVAL for a NULL @cfg or a capability the running kernel
 * does not know (above /proc/sys/kernel/cap_last_cap).
 * @since 0.1
 */
int nsbox_config_set_caps(nsbox_config *cfg, uint64_t keep);

/**
 * nsbox_config_set_no_new_privs - set PR_SET_NO_NEW_PRIVS for the payload:
 * execve never grants privileges again (setuid bits, file capabilities).
 * @enable: 1 or 0. A seccomp filter turns it on as well.
 * Returns 0, -EINVAL for a NULL @cfg or @enable other than 0 and 1.
 * @since 0.1
 */
int nsbox_config_set_no_new_privs(nsbox_config *cfg, int32_t enable);

/**
 * nsbox_config_set_seccomp - install a seccomp BPF program in the child,
 * last before execve (or the callback).
 * @filter: @count instructions of struct sock_filter (8 bytes each, as
 *          in <linux/filter.h>; e.g. what libseccomp's seccomp_export_bpf()
 *          writes); copied. NULL with @count 0 removes the filter.
 * @cfg: the configuration
 * @count: instructions in @filter, 1..4096
 *
 * The library does not compile filters. no_new_privs is set with the
 * filter, as the kernel requires without CAP_SYS_ADMIN.
 * Returns 0; -EINVAL for a NULL @cfg, an empty program or a NULL @filter
 * with a count; -E2BIG past 4096 instructions (BPF_MAXINSNS); -ENOMEM.
 * nsbox_spawn() fails with -EINVAL if the kernel rejects the program.
 * @since 0.1
 */
int nsbox_config_set_seccomp(nsbox_config *cfg, const void *filter, uint32_t count);

/* ---- end of credentials ---- */


/* ======================================================================
 * Cgroups, time namespace offsets, persistent namespaces, parent hook.
 * ====================================================================== */

/* Clocks of nsbox_config_set_time_offset(). */
enum nsbox_clock {
	NSBOX_CLOCK_MONOTONIC = 1, /* CLOCK_MONOTONIC (and its _RAW, _COARSE variants) */
	NSBOX_CLOCK_BOOTTIME = 2   /* CLOCK_BOOTTIME (and /proc/uptime) */
};

/**
 * nsbox_config_set_cgroup - start the child in a cgroup v2 directory.
 * @path: a directory of the cgroup v2 hierarchy (e.g. a child cgroup under
 *        /sys/fs/cgroup); NULL clears the setting.
 *
 * The child is placed there at birth with clone3's CLONE_INTO_CGROUP
 * (Linux 5.7). Where that is not available (clone(2) fallback), the parent
 * writes the child's pid to cgroup.procs before the child runs any step,
 * and a failure of that fallback says so in nsbox_last_error(). A cgroup
 * namespace created in the same spawn is rooted at this cgroup with
 * CLONE_INTO_CGROUP, at the caller's cgroup with the fallback.
 * nsbox_spawn() fails with -ENOENT or -ENOTDIR for a bad path, -EINVAL if
 * it is not in a cgroup v2 hierarchy, and -EACCES, -EPERM or -EBUSY as the
 * kernel refuses the move.
 * Returns 0, -EINVAL for a NULL @cfg or a relative path, -ENOMEM.
 * @since 0.1
 */
int nsbox_config_set_cgroup(nsbox_config *cfg, const char *path);

/**
 * nsbox_config_set_time_offset - offset of a clock in the new time
 * namespace, as unshare --monotonic/--boottime.
 * @clock: NSBOX_CLOCK_MONOTONIC or NSBOX_CLOCK_BOOTTIME.
 * @seconds, @nanoseconds: the offset; 0 <= @nanoseconds < 10^9.
 *
 * The offsets are written before any process enters the namespace. Needs
 * NSBOX_NS_TIME at spawn time (-EINVAL otherwise); setting every offset back
 * to 0 removes the setting.
 * Returns 0, -EINVAL for a NULL @cfg, an unknown clock or nanoseconds out
 * of range.
 * @since 0.1
 */
int nsbox_config_set_time_offset(nsbox_config *cfg, uint32_t clock, int64_t seconds, int64_t nanoseconds);

/**
 * nsbox_config_set_parent_hook - run @hook in the parent after the child
 * exists and before it runs any step of its own (after its maps are
 * written), e.g. to set up cgroups or networking from outside.
 * @hook: called as hook(pid, pidfd, arg) with all signals blocked; it
 *        returns 0 to go on or a negative errno value, which makes
 *        nsbox_spawn() kill and reap the child and return that value.
 *        NULL removes the hook.
 * @cfg: the configuration
 * @arg: passed to @hook as is
 *
 * A hook makes the child wait for the parent (no CLONE_VFORK).
 * Returns 0, -EINVAL for a NULL @cfg.
 * @since 0.1
 */
int nsbox_config_set_parent_hook(nsbox_config *cfg, int (*hook)(int32_t pid, int32_t pidfd, void *arg),
                                 void *arg);

/**
 * nsbox_persist - keep a namespace of a process alive in a file, by bind
 * mounting /proc/PID/ns/KIND on @path (as ip netns add does), so it
 * survives the process and nsbox_join_path() can enter it.
 * @pid: the process, 0 for the caller.
 * @ns: exactly one NSBOX_NS_* kind.
 * @path: the file; created (empty, mode 0444) if missing, its directory
 *        must exist.
 *
 * Needs CAP_SYS_ADMIN over the caller's mount namespace. A mount namespace
 * cannot be persisted inside itself (the kernel refuses with -EINVAL).
 * Returns 0; -EINVAL for bad arguments; -ESRCH if the process is gone;
 * -ENOENT for a missing directory; -EPERM; -EBUSY.
 * @since 0.1
 */
int nsbox_persist(int32_t pid, uint32_t ns, const char *path);

/**
 * nsbox_unpersist - release a namespace kept by nsbox_persist(): unmount
 * @path (lazily) and remove the file. The namespace dies when nothing else
 * @path: the file given to nsbox_persist()
 * holds it.
 * Returns 0; -EINVAL for a NULL @path or a file that is not a persisted
 * namespace; -ENOENT; -EPERM.
 * @since 0.1
 */
int nsbox_unpersist(const char *path);

/* ---- end of cgroups, time, persistence ---- */

#ifdef __cplusplus
}
#endif

#endif /* NSBOX_H */
