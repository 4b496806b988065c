/* SPDX-License-Identifier: MIT
 * Private declarations shared by the files of lib/. Nothing here is ABI. */
#ifndef NSBOX_PRIVATE_H
#define NSBOX_PRIVATE_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "nsbox.h"

#define NSBOX_EXPORT __attribute__((visibility("default")))
#define NSBOX_XSTR(x) #x
#define NSBOX_STR(x) NSBOX_XSTR(x)

#define NSBOX_NKINDS 8
#define NSBOX_JOIN_MAX 8
#define NSBOX_SETNS_MAX (NSBOX_NKINDS * NSBOX_JOIN_MAX)
#define NSBOX_ARGV_MAX 65536

/* One namespace kind: our bit, the kernel's CLONE_ flag, its /proc/PID/ns name. */
struct nsbox_kind {
	uint32_t bit;
	uint64_t clone_flag;
	const char *name;
};
extern const struct nsbox_kind nsbox__kinds[NSBOX_NKINDS];
/* Inline, so that a join or a detach touches no other page of the library
 * (a freshly forked caller faults every page it runs in). */
static inline uint64_t nsbox__clone_flags(uint32_t ns)
{
	return ((ns & NSBOX_NS_MOUNT) ? 0x00020000ULL : 0) |  /* CLONE_NEWNS */
	       ((ns & NSBOX_NS_UTS) ? 0x04000000ULL : 0) |    /* CLONE_NEWUTS */
	       ((ns & NSBOX_NS_IPC) ? 0x08000000ULL : 0) |    /* CLONE_NEWIPC */
	       ((ns & NSBOX_NS_PID) ? 0x20000000ULL : 0) |    /* CLONE_NEWPID */
	       ((ns & NSBOX_NS_NET) ? 0x40000000ULL : 0) |    /* CLONE_NEWNET */
	       ((ns & NSBOX_NS_USER) ? 0x10000000ULL : 0) |   /* CLONE_NEWUSER */
	       ((ns & NSBOX_NS_CGROUP) ? 0x02000000ULL : 0) | /* CLONE_NEWCGROUP */
	       ((ns & NSBOX_NS_TIME) ? 0x00000080ULL : 0);    /* CLONE_NEWTIME */
}
const struct nsbox_kind *nsbox__kind_by_bit(uint32_t bit);
const struct nsbox_kind *nsbox__kind_by_clone_flag(uint64_t flag);

/* The kernel's struct sigaction for rt_sigaction (x86_64/generic layout),
 * used by the child-side code. */
struct nsbox_k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* ---- errors (error.c) ---- */
/* Record a description of a failure for nsbox_last_error(); returns err (negative). */
int nsbox__fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, appending ": <strerror(-err)>". */
int nsbox__fail_sys(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Thread-safe strerror. */
const char *nsbox__strerror(int errnum, char *buf, size_t len);

/* ---- configuration (config.c) ---- */
struct nsbox_map_line {
	uint32_t inside, outside, count;
};

enum nsbox_join_type { NSBOX_JOIN_PIDFD, NSBOX_JOIN_PID, NSBOX_JOIN_PATH };

struct nsbox_join_entry {
	enum nsbox_join_type type;
	int32_t id; /* pidfd or pid */
	char *path;
	uint32_t ns;
};

/* Feature modules (lib/mount.c, net.c, process.c, creds.c) keep their own
 * settings and plan parts behind these pointers; see "feature modules" below. */
struct nsbox_mount_cfg;
struct nsbox_net_cfg;
struct nsbox_process_cfg;
struct nsbox_creds_cfg;
struct nsbox_mount_plan;
struct nsbox_net_plan;
struct nsbox_process_plan;
struct nsbox_creds_plan;

struct nsbox_config {
	uint32_t ns;
	char *hostname;
	char *domainname;
	struct nsbox_map_line *uid_map;
	uint32_t n_uid;
	struct nsbox_map_line *gid_map;
	uint32_t n_gid;
	uint32_t setgroups;
	char *path;
	char **argv;
	char **envp; /* NULL: inherit */
	int (*fn)(void *);
	void *fn_arg;
	void *stack; /* caller-supplied, or NULL */
	size_t stack_size;
	size_t alloc_stack_size;
	int alloc_stack_set; /* nsbox_config_set_stack_size() was called */
	uint32_t propagation;
	int32_t mount_proc;
	struct nsbox_join_entry joins[NSBOX_JOIN_MAX];
	uint32_t n_joins;
	int32_t exit_signal;
	uint32_t flags;

	/* cgroup (lib/cgroup.c) and time offsets */
	char *cgroup;
	int64_t time_offset[2][2]; /* [monotonic, boottime][sec, nsec] */
	int has_time_offset;
	/* parent hook (spawn.c) */
	int (*hook)(int32_t pid, int32_t pidfd, void *arg);
	void *hook_arg;

	struct nsbox_mount_cfg *mount;
	struct nsbox_net_cfg *net;
	struct nsbox_process_cfg *process;
	struct nsbox_creds_cfg *creds;
};

/* ---- process handle (proc.c) ---- */
struct nsbox_proc {
	pid_t pid;
	int pidfd;
	int reaped;
	int status;
	atomic_int in_use; /* the kept handle (proc.c): taken by a spawn */
	int kept;          /* this is the kept handle */
};
/* A zeroed handle (NULL when out of memory), and its return (proc.c). */
nsbox_proc *nsbox__proc_alloc(void);
void nsbox__proc_release(nsbox_proc *p);
/* Reap a child that failed or an intermediate, by pidfd when there is one. */
void nsbox__reap(pid_t pid, int pidfd);

/* ---- raw syscalls and clone (clone.c) ---- */
/* Syscall that never touches errno: returns the kernel's value (-errno on failure).
 * Safe in a CLONE_VM child that shares the caller's TLS. */
long nsbox__sys(long nr, long a, long b, long c, long d, long e, long f);
#define NSBOX_SYS0(nr) nsbox__sys((nr), 0, 0, 0, 0, 0, 0)
#define NSBOX_SYS1(nr, a) nsbox__sys((nr), (long)(a), 0, 0, 0, 0, 0)
#define NSBOX_SYS2(nr, a, b) nsbox__sys((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define NSBOX_SYS3(nr, a, b, c) nsbox__sys((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define NSBOX_SYS4(nr, a, b, c, d) nsbox__sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define NSBOX_SYS5(nr, a, b, c, d, e) \
	nsbox__sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

struct nsbox_clone_req {
	uint64_t flags;  /* CLONE_* without the exit signal */
	int exit_signal;
	char *stack;     /* lowest usable address; NULL (size 0) without CLONE_VM:
	                  * the child goes on on its copy of the caller's stack */
	size_t stack_size;
	int *pidfd;      /* with CLONE_PIDFD */
	int cgroup_fd;   /* with CLONE_INTO_CGROUP */
	int no_clone3;   /* caller asked for clone(2) */
	int needs_clone3; /* no clone(2) fallback (a new time namespace) */
	int *sighand_cleared; /* set to 1 before a clone3 with CLONE_CLEAR_SIGHAND,
	                       * to 0 before a clone(2) fallback: the child reads it */
	int clone3_only;      /* return clone3's error: no retry, no clone(2) */
};
/* Returns the child's pid in the parent, -errno on failure; the child runs
 * fn(arg) on the stack and exits with its return value. *used_clone3 tells
 * which system call made the child: 1 clone3, 0 clone, -1 none because
 * clone3 was refused and the request needs it (time namespace, cgroup). */
long nsbox__clone(const struct nsbox_clone_req *req, int (*fn)(void *), void *arg, int *used_clone3);
/* Whether clone3 is known not to exist (ENOSYS seen) or the build has no trampoline. */
int nsbox__clone3_unavailable(void);
/* Whether nsbox__clone takes a NULL stack (fork-style children only). */
int nsbox__clone_stackless(void);

/* ---- spawn plan: prepared in the parent, read by the child (spawn.c, child.c) ---- */
enum nsbox_step {
	NSBOX_STEP_NONE = 0,
	NSBOX_STEP_SETNS,
	NSBOX_STEP_UNSHARE,
	NSBOX_STEP_SETGROUPS,
	NSBOX_STEP_UID_MAP,
	NSBOX_STEP_GID_MAP,
	NSBOX_STEP_WAIT_PARENT,
	NSBOX_STEP_FORK,
	NSBOX_STEP_PROPAGATION,
	NSBOX_STEP_MOUNT_PROC,
	NSBOX_STEP_HOSTNAME,
	NSBOX_STEP_DOMAINNAME,
	NSBOX_STEP_SIGNALS,
	NSBOX_STEP_EXECVE,
	NSBOX_STEP_MOUNTS,
	NSBOX_STEP_NET,
	NSBOX_STEP_PROCESS,
	NSBOX_STEP_CREDS,
	NSBOX_STEP_SECCOMP,
	NSBOX_STEP_INIT,
	NSBOX_STEP_TIME_OFFSETS,
	NSBOX_STEP_DIE_WITH_PARENT,
	NSBOX_STEP_MAX
};
const char *nsbox__step_name(int step);

enum nsbox_msg_type {
	NSBOX_MSG_UNSEEN = -1, /* vfork_msg before the child ran (see spawn.c) */
	NSBOX_MSG_ERROR = 1,
	NSBOX_MSG_NEED_PARENT = 2,
	NSBOX_MSG_PID = 3,  /* the payload's pid, when not the first child */
	NSBOX_MSG_REAP = 4, /* an intermediate the caller must reap */
};

struct nsbox_msg {
	int32_t type;
	int32_t step;
	int32_t err;   /* positive errno */
	int32_t value; /* step detail (join index) or pid */
};

/* One setns(2) to do: an fd opened in the parent and the CLONE_ flag of its kind. */
struct nsbox_setns_op {
	int fd;
	int nstype;
	int index; /* join entry it came from */
	int done;
};

struct nsbox_plan {
	/* how the child is made */
	int vm;      /* CLONE_VM: the child shares our memory until exec */
	int vfork;   /* CLONE_VFORK: we sleep until the child has exec'd or exited */
	int fallible; /* some child step can fail: the parent waits for the verdict */
	pid_t parent_pid;

	/* namespaces */
	/* NSBOX_SETNS_MAX entries, malloc'd when the configuration joins
	 * (kept off the plan, which lives on the spawning thread's stack) */
	struct nsbox_setns_op *setns_ops;
	int n_setns;
	int setns_user_first;
	uint64_t clone_ns;      /* CLONE_NEW* flags given to clone */
	uint64_t unshare_flags; /* created after joins, by unshare(2) */
	int need_fork;          /* one more clone so PID/time namespaces apply */
	int pid_nested;         /* a PID namespace joined and one created in it: the
	                         * new one is made by a clone from inside the joined one */

	/* user namespace maps */
	int userns;
	int self_maps;   /* the child writes its own maps */
	int parent_maps; /* the parent writes them while the child waits */
	int parent_sync; /* the child waits for the parent (maps, veth, cgroup, hook) */
	const char *setgroups; /* "deny", "allow" or NULL */
	char *uid_map; /* uid_map_inline, or malloc'd when longer */
	size_t uid_map_len;
	char uid_map_inline[112], gid_map_inline[112];
	char *gid_map;
	size_t gid_map_len;
	const struct nsbox_map_line *uid_lines, *gid_lines; /* for newuidmap/newgidmap */
	uint32_t n_uid_lines, n_gid_lines;
	int map_helpers;

	/* mount and uts */
	unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED, 0 = unchanged */
	int mount_proc;
	const char *hostname;
	size_t hostname_len;
	const char *domainname;
	size_t domainname_len;

	/* payload */
	const char *path;
	char *const *argv;
	char *const *envp;
	int (*fn)(void *);
	void *fn_arg;
	uint64_t payload_mask; /* signal mask the payload starts with (kernel layout) */
	int sighand_cleared;   /* the kernel reset caught signals (CLONE_CLEAR_SIGHAND) */
	int sig_blocked;       /* the parent blocked all signals across clone */
	int mask_custom;       /* payload_mask is a chosen one (process module) */
	int late_hook;         /* the hook waits for the payload of an extra fork */

	/* cgroup: CLONE_INTO_CGROUP, or the parent writes cgroup.procs */
	int cgroup_fd;
	int cgroup_fallback;
	const char *cgroup_path;

	/* parent hook */
	int (*hook)(int32_t pid, int32_t pidfd, void *arg);
	void *hook_arg;

	/* time namespace offsets, written to /proc/self/timens_offsets */
	char time_offsets[96];
	size_t time_offsets_len;

	/* feature modules */
	struct nsbox_mount_plan *mount;
	struct nsbox_net_plan *net;
	struct nsbox_process_plan *process;
	struct nsbox_creds_plan *creds;

	/* stack (for the extra fork, the child uses what lies below its frame) */
	char *stack_lo;
	int no_clone3;

	/* reporting: the child writes nsbox_msg records to err_wfd (CLOEXEC, so
	 * end of file means exec); go_rfd releases a child waiting for maps.
	 * vfork mode has no pipe (err_wfd -1) once a vfork child has been seen
	 * sharing our memory (spawn.c, vfork_shares): the child, which runs
	 * while we sleep, leaves its error in vfork_msg. */
	int err_rfd, err_wfd, go_rfd, go_wfd;
	struct nsbox_msg vfork_msg;
};

/* The child's entry point; arg is the plan. */
int nsbox__child_main(void *arg);
/* Enter the namespaces of ops (raw syscalls only; usable by the child and by
 * nsbox_join). Returns 0 or -errno; *failed gets the failing op index. */
int nsbox__setns_ops(struct nsbox_setns_op *ops, int n, int user_first, int *failed);

/* Open /proc/PID/ns/KIND for each kind of ns into ops (O_CLOEXEC), leaving out
 * kinds the caller already shares. Returns the count or -errno (-ESRCH if the
 * process is gone). */
int nsbox__open_ns_fds(pid_t pid, uint32_t ns, int index, struct nsbox_setns_op *ops, int max);
/* Write data to a file such as /proc/PID/uid_map in one write(2); failures
 * are described with the who prefix ("parent: ", ""). Returns 0 or -errno. */
int nsbox__write_file(const char *path, const char *data, size_t len, const char *who);
/* pid of a pidfd (from /proc/self/fdinfo), or -errno. */
pid_t nsbox__pidfd_pid(int pidfd);
/* Whether the running kernel is at least major.minor (uname). */
int nsbox__kernel_at_least(int major, int minor);
/* Whether the calling process has more than one thread. */
int nsbox__multithreaded(void);
/* The NSBOX_NS_* kinds the configuration joins (config.c). */
uint32_t nsbox__joined_kinds(const nsbox_config *cfg);
/* Whether the caller has CAP_SYS_ADMIN in its effective set. */
int nsbox__privileged(void);

/* ---- fdreg.c: descriptors of spawns in progress ---- */
#define NSBOX_FDREG_MAX 256
extern int nsbox__fdreg[NSBOX_FDREG_MAX]; /* fd + 1, 0 = free */
/* Take the write (1) or read (0) lock: returns whether it was taken (not
 * with a single thread), to be handed to nsbox__fdreg_unlock. Spawns list
 * their descriptors under the write lock and clone under the read lock. */
int nsbox__fdreg_lock(int write);
void nsbox__fdreg_unlock(int locked);
void nsbox__fdreg_add_locked(int fd);
void nsbox__fdreg_close(int *fd);

/* ---- creds.c: newuidmap/newgidmap ---- */
int nsbox__map_helper(const char *name, pid_t pid, const struct nsbox_map_line *l, uint32_t n);

/* ---- cgroup.c ---- */
/* Open and check the cgroup directory of cfg into p (fd O_CLOEXEC); chooses
 * CLONE_INTO_CGROUP or the fallback. */
int nsbox__cgroup_prepare(const nsbox_config *cfg, struct nsbox_plan *p);
/* The fallback: write pid to cgroup.procs. */
int nsbox__cgroup_parent(struct nsbox_plan *p, pid_t pid);

/* ---- feature modules ----
 * Each of lib/mount.c, net.c, process.c and creds.c implements, for its X:
 *   void nsbox__X_cfg_free(struct nsbox_X_cfg *c);      config.c, NULL-safe
 *   int  nsbox__X_validate(const nsbox_config *cfg);     before any resource is taken
 *   int  nsbox__X_prepare(const nsbox_config *cfg, struct nsbox_plan *p);
 *        after the base plan: may set p->vm = 0 (fork-style), p->fallible,
 *        p->parent_sync; allocates p->X (freed by nsbox__X_plan_free)
 *   void nsbox__X_plan_free(struct nsbox_plan *p);
 *   int  nsbox__X_parent(struct nsbox_plan *p, pid_t pid, int pidfd);
 *        parent side, while a parent_sync child waits (after maps)
 *   int  nsbox__X_child(struct nsbox_plan *p, int *detail);
 *        child side, raw system calls only; returns 0 or -errno and a
 *        detail (e.g. the index of the failing entry) for the message
 *   int  nsbox__X_child_error(const struct nsbox_plan *p, int err, int detail);
 *        parent side: describe a child failure (nsbox__fail_sys), return -err
 */
#define NSBOX_FEATURE_DECL(X)                                                          \
	void nsbox__##X##_cfg_free(struct nsbox_##X##_cfg *c);                         \
	int nsbox__##X##_validate(const nsbox_config *cfg);                            \
	int nsbox__##X##_prepare(const nsbox_config *cfg, struct nsbox_plan *p);       \
	void nsbox__##X##_plan_free(struct nsbox_plan *p);                             \
	int nsbox__##X##_parent(struct nsbox_plan *p, pid_t pid, int pidfd);           \
	int nsbox__##X##_child(struct nsbox_plan *p, int *detail);                     \
	int nsbox__##X##_child_error(const struct nsbox_plan *p, int err, int detail);
NSBOX_FEATURE_DECL(mount)
NSBOX_FEATURE_DECL(net)
NSBOX_FEATURE_DECL(process)
NSBOX_FEATURE_DECL(creds)
/* net.c: delete the veth host ends made by nsbox__net_parent (idempotent),
 * for a spawn that fails after the parent steps. */
void nsbox__net_abort(struct nsbox_plan *p);
/* process.c: the steps at the start of the payload process (die with the
 * parent) and at its end (the PID 1 init forks the payload here). */
int nsbox__process_child_early(struct nsbox_plan *p, int *detail);
int nsbox__process_child_late(struct nsbox_plan *p, int *detail);
/* creds.c: the seccomp filter, last before execve or the callback. */
int nsbox__creds_seccomp(struct nsbox_plan *p, int *detail);

#endif
