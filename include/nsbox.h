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
