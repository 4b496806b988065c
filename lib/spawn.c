/* SPDX-License-Identifier: MIT
 * nsbox_spawn: validate, prepare everything the child needs, clone, and
 * collect the child's verdict.
 *
 * Three ways to make the child:
 *  A. exec payload, nothing for the parent to do: CLONE_VM|CLONE_VFORK on a
 *     separate stack, as posix_spawn does. The parent sleeps until execve,
 *     then finds a failure, if any, in the plan, which the child shares: no
 *     pipe to make, and none that a process forked meanwhile by another
 *     thread could hold. Flat in the parent's size.
 *  B. exec payload, but the parent must write maps or collect a second pid:
 *     CLONE_VM without CLONE_VFORK, synchronised over two CLOEXEC pipes.
 *  C. callback payload, NSBOX_SPAWN_FORK, or a time namespace to join:
 *     fork-style (own copy of memory), over the same pipes.
 * Where CLONE_VM without CLONE_VFORK is refused with EINVAL (an emulator
 * such as qemu-user), B is retried as C: the same result, only slower.
 * (valgrind 3.19 aborts on it instead, and knows neither clone3 nor
 * pidfd_send_signal: under valgrind only vfork-style and fork-style spawns
 * work.)
 *
 * An emulator that turns a vfork into a fork (valgrind does) gives the child
 * a copy of the plan. So mode A keeps its error pipe until a child has been
 * seen marking the shared plan as running; in such a process it keeps it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <stdatomic.h>

#include "nsbox-private.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

extern char **environ;

static const char *const step_names[] = {
	[NSBOX_STEP_NONE] = "spawn",
	[NSBOX_STEP_SETNS] = "setns",
	[NSBOX_STEP_UNSHARE] = "unshare",
	[NSBOX_STEP_SETGROUPS] = "write /proc/self/setgroups",
	[NSBOX_STEP_UID_MAP] = "write /proc/self/uid_map",
	[NSBOX_STEP_GID_MAP] = "write /proc/self/gid_map",
	[NSBOX_STEP_WAIT_PARENT] = "wait for parent",
	[NSBOX_STEP_FORK] = "clone (PID/time namespace payload)",
	[NSBOX_STEP_PROPAGATION] = "mount propagation of /",
	[NSBOX_STEP_MOUNT_PROC] = "mount /proc",
	[NSBOX_STEP_HOSTNAME] = "sethostname",
	[NSBOX_STEP_DOMAINNAME] = "setdomainname",
	[NSBOX_STEP_SIGNALS] = "sigprocmask",
	[NSBOX_STEP_EXECVE] = "execve",
	[NSBOX_STEP_MOUNTS] = "mounts",
	[NSBOX_STEP_NET] = "network",
	[NSBOX_STEP_PROCESS] = "process setup",
	[NSBOX_STEP_CREDS] = "credentials",
	[NSBOX_STEP_SECCOMP] = "seccomp",
	[NSBOX_STEP_INIT] = "init",
	[NSBOX_STEP_TIME_OFFSETS] = "write /proc/self/timens_offsets",
	[NSBOX_STEP_DIE_WITH_PARENT] = "die with parent",
};

const char *nsbox__step_name(int step)
{
	if (step < 0 || step >= NSBOX_STEP_MAX)
		return "?";
	return step_names[step];
}

/* ---- validation ---- */

static int validate(const nsbox_config *cfg)
{
	uint32_t made = cfg->ns, have = cfg->ns | nsbox__joined_kinds(cfg);
	int r;

	if (!cfg->path && !cfg->fn)
		return nsbox__fail(-EINVAL, "config: no payload (call nsbox_config_set_exec or nsbox_config_set_callback)");
	if ((cfg->hostname || cfg->domainname) && !(have & NSBOX_NS_UTS))
		return nsbox__fail(-EINVAL, "config: %s needs NSBOX_NS_UTS (a new or joined UTS namespace)",
		                   cfg->hostname ? "hostname" : "domainname");
	if ((cfg->n_uid || cfg->n_gid || cfg->setgroups != NSBOX_SETGROUPS_DEFAULT) && !(made & NSBOX_NS_USER))
		return nsbox__fail(-EINVAL, "config: uid/gid maps and setgroups need a new user namespace (NSBOX_NS_USER)");
	if (cfg->mount_proc && (!(made & NSBOX_NS_MOUNT) || !(have & NSBOX_NS_PID)))
		return nsbox__fail(-EINVAL, "config: mounting /proc needs a new mount namespace and a new or joined PID namespace");
	if (cfg->has_time_offset && !(made & NSBOX_NS_TIME))
		return nsbox__fail(-EINVAL, "config: time offsets need a new time namespace (NSBOX_NS_TIME)");
	if ((made & NSBOX_NS_TIME) && !cfg->n_joins &&
	    ((cfg->flags & NSBOX_SPAWN_NO_CLONE3) || nsbox__clone3_unavailable()))
		return nsbox__fail(-EOPNOTSUPP, "config: a new time namespace needs clone3(2), which is %s",
		                   (cfg->flags & NSBOX_SPAWN_NO_CLONE3) ? "disabled by NSBOX_SPAWN_NO_CLONE3"
		                                                       : "not available here");
	if ((r = nsbox__mount_validate(cfg)) < 0 || (r = nsbox__net_validate(cfg)) < 0 ||
	    (r = nsbox__process_validate(cfg)) < 0 || (r = nsbox__creds_validate(cfg)) < 0)
		return r;
	return 0;
}

/* ---- maps ---- */

/* The map text: in @inline_buf (in the plan, on our stack) when it fits,
 * which a single line always does; else malloc'd. The heap is kept out of
 * the common case because after a fork-style clone every page we write
 * costs a copy-on-write fault, and free() writes several. */
static char *format_map(const struct nsbox_map_line *l, uint32_t n, size_t *len, char *inline_buf,
                        size_t inline_cap)
{
	size_t cap = (size_t)n * 36 + 1, off = 0;
	char *s = cap <= inline_cap ? inline_buf : malloc(cap);

	if (!s)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%u %u %u\n", l[i].inside, l[i].outside, l[i].count);
	*len = off;
	return s;
}

static int is_self_line(const struct nsbox_map_line *l, uint32_t n, uint32_t id)
{
	return n == 0 || (n == 1 && l[0].count == 1 && l[0].outside == id);
}

static int parent_write(pid_t pid, const char *file, const char *data, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return nsbox__write_file(path, data, len, "parent: ");
}

/* Write the maps of a waiting child. A parent that may not (no CAP_SETUID or
 * CAP_SETGID over the namespace) hands them to newuidmap/newgidmap. */
static int write_maps(const struct nsbox_plan *p, pid_t pid)
{
	int r = 0;

	if (p->setgroups)
		r = parent_write(pid, "setgroups", p->setgroups, strlen(p->setgroups));
	if (!r && p->uid_map_len) {
		r = parent_write(pid, "uid_map", p->uid_map, p->uid_map_len);
		if (r == -EPERM && p->map_helpers)
			r = nsbox__map_helper("newuidmap", pid, p->uid_lines, p->n_uid_lines);
	}
	if (!r && p->gid_map_len) {
		r = parent_write(pid, "gid_map", p->gid_map, p->gid_map_len);
		if (r == -EPERM && p->map_helpers)
			r = nsbox__map_helper("newgidmap", pid, p->gid_lines, p->n_gid_lines);
	}
	return r;
}

/* ---- joins ---- */

static void close_setns(struct nsbox_plan *p)
{
	for (int i = 0; i < p->n_setns; i++)
		nsbox__fdreg_close(&p->setns_ops[i].fd);
	p->n_setns = 0;
	free(p->setns_ops);
	p->setns_ops = NULL;
}

static int open_path_join(const struct nsbox_join_entry *j, int index, struct nsbox_plan *p)
{
	const struct nsbox_kind *k = nsbox__kind_by_bit(j->ns);
	int fd = open(j->path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0)
		return nsbox__fail_sys(-errno, "join %s", j->path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 || (uint64_t)type != k->clone_flag) {
		close(fd);
		return nsbox__fail(-EINVAL, "join %s: not a %s namespace file", j->path, k->name);
	}
	p->setns_ops[p->n_setns].fd = fd;
	p->setns_ops[p->n_setns].nstype = type;
	p->setns_ops[p->n_setns].index = index;
	p->n_setns++;
	return 0;
}

static int prepare_joins(const nsbox_config *cfg, struct nsbox_plan *p)
{
	int max = NSBOX_SETNS_MAX;

	if (!(p->setns_ops = calloc(NSBOX_SETNS_MAX, sizeof(*p->setns_ops))))
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	for (uint32_t i = 0; i < cfg->n_joins; i++) {
		const struct nsbox_join_entry *j = &cfg->joins[i];
		pid_t pid;
		int r;

		if (j->type == NSBOX_JOIN_PATH) {
			r = open_path_join(j, (int)i, p);
		} else {
			pid = j->type == NSBOX_JOIN_PID ? j->id : nsbox__pidfd_pid(j->id);
			if (pid < 0)
				return nsbox__fail_sys(pid, "join: pidfd %d", j->id);
			r = nsbox__open_ns_fds(pid, j->ns, (int)i, p->setns_ops + p->n_setns, max - p->n_setns);
			if (r >= 0) {
				p->n_setns += r;
				/* The pidfd pins the target: if it died meanwhile, the
				 * files may belong to a reused pid. */
				if (j->type == NSBOX_JOIN_PIDFD &&
				    syscall(SYS_pidfd_send_signal, j->id, 0, NULL, 0) < 0 && errno == ESRCH)
					r = nsbox__fail(-ESRCH, "join: the process of pidfd %d is gone", j->id);
			}
		}
		if (r < 0)
			return r;
	}
	p->setns_user_first = !nsbox__privileged();
	return 0;
}

/* ---- plan ---- */

static int make_plan(const nsbox_config *cfg, struct nsbox_plan *p)
{
	uint32_t jn = nsbox__joined_kinds(cfg);
	uint64_t made = nsbox__clone_flags(cfg->ns);
	int r;

	p->err_rfd = p->err_wfd = p->go_rfd = p->go_wfd = -1;
	p->no_clone3 = !!(cfg->flags & NSBOX_SPAWN_NO_CLONE3);

	p->cgroup_fd = -1;
	if (cfg->n_joins) {
		if ((r = prepare_joins(cfg, p)) < 0)
			return r;
		/* Created after the joins, so they nest inside the joined ones. */
		p->unshare_flags = made;
		p->need_fork = (jn & NSBOX_NS_PID) || (made & (CLONE_NEWPID | CLONE_NEWTIME));
		if ((jn & NSBOX_NS_PID) && (made & CLONE_NEWPID)) {
			p->unshare_flags &= ~(uint64_t)CLONE_NEWPID;
			p->pid_nested = 1;
		}
	} else {
		p->clone_ns = made;
	}

	p->userns = !!(cfg->ns & NSBOX_NS_USER);
	if (p->userns && (cfg->n_uid || cfg->n_gid || cfg->setgroups)) {
		int self = is_self_line(cfg->uid_map, cfg->n_uid, (uint32_t)geteuid()) &&
		           is_self_line(cfg->gid_map, cfg->n_gid, (uint32_t)getegid()) &&
		           (cfg->n_gid == 0 || cfg->setgroups != NSBOX_SETGROUPS_ALLOW);
		p->self_maps = self;
		p->parent_maps = !self;
		if (cfg->setgroups == NSBOX_SETGROUPS_DENY || (self && cfg->n_gid && cfg->setgroups == NSBOX_SETGROUPS_DEFAULT))
			p->setgroups = "deny";
		else if (cfg->setgroups == NSBOX_SETGROUPS_ALLOW)
			p->setgroups = "allow";
		p->uid_lines = cfg->uid_map;
		p->n_uid_lines = cfg->n_uid;
		p->gid_lines = cfg->gid_map;
		p->n_gid_lines = cfg->n_gid;
		p->map_helpers = !(cfg->flags & NSBOX_SPAWN_NO_MAP_HELPERS);
		if (cfg->n_uid && !(p->uid_map = format_map(cfg->uid_map, cfg->n_uid, &p->uid_map_len, p->uid_map_inline,
		                                            sizeof(p->uid_map_inline))))
			return nsbox__fail(-ENOMEM, "spawn: out of memory");
		if (cfg->n_gid && !(p->gid_map = format_map(cfg->gid_map, cfg->n_gid, &p->gid_map_len, p->gid_map_inline,
		                                            sizeof(p->gid_map_inline))))
			return nsbox__fail(-ENOMEM, "spawn: out of memory");
	}

	if (cfg->ns & NSBOX_NS_MOUNT) {
		static const unsigned long prop[] = { MS_PRIVATE, MS_SLAVE, MS_SHARED, 0 };
		p->propagation = prop[cfg->propagation];
	}
	p->mount_proc = cfg->mount_proc;
	if (cfg->hostname) {
		p->hostname = cfg->hostname;
		p->hostname_len = strlen(cfg->hostname);
	}
	if (cfg->domainname) {
		p->domainname = cfg->domainname;
		p->domainname_len = strlen(cfg->domainname);
	}
	p->path = cfg->path;
	p->argv = cfg->argv;
	p->envp = cfg->envp ? cfg->envp : environ;
	p->fn = cfg->fn;
	p->fn_arg = cfg->fn_arg;

	/* A time namespace cannot be joined by a process that shares its
	 * memory (setns refuses with EUSERS), so that takes the fork-style way. */
	p->vm = !cfg->fn && !(cfg->flags & NSBOX_SPAWN_FORK) && !(jn & NSBOX_NS_TIME);

	if (cfg->has_time_offset) {
		static const char *const clock_names[2] = { "monotonic", "boottime" };
		size_t off = 0;
		for (int c = 0; c < 2; c++)
			off += (size_t)snprintf(p->time_offsets + off, sizeof(p->time_offsets) - off, "%s %lld %lld\n",
			                        clock_names[c], (long long)cfg->time_offset[c][0],
			                        (long long)cfg->time_offset[c][1]);
		p->time_offsets_len = off;
		/* Offsets can only be written before a process enters the
		 * namespace, and a fork-style clone3(CLONE_NEWTIME) enters it at
		 * once: unshare it in the child instead, write, then exec (which
		 * enters it) or fork once more for a callback. */
		if (!p->vm && (p->clone_ns & CLONE_NEWTIME)) {
			p->clone_ns &= ~(uint64_t)CLONE_NEWTIME;
			p->unshare_flags |= CLONE_NEWTIME;
			if (cfg->fn)
				p->need_fork = 1;
		}
	}
	if (cfg->cgroup && (r = nsbox__cgroup_prepare(cfg, p)) < 0)
		return r;
	/* A callback with no step that can fail before it runs has nothing to
	 * report: the parent need not wait for it to start. */
	p->fallible = p->path || p->n_setns || p->unshare_flags || p->need_fork || p->self_maps ||
	              p->parent_maps || p->propagation || p->mount_proc || p->hostname || p->domainname;
	p->hook = cfg->hook;
	p->hook_arg = cfg->hook_arg;
	/* With an extra fork, the hook is for the payload, not the first child:
	 * the payload asks for it itself (late_hook). */
	p->late_hook = cfg->hook && p->need_fork;
	p->parent_sync = p->parent_maps || (cfg->hook && !p->late_hook) || p->cgroup_fallback;

	/* Feature modules may turn CLONE_VM off, or ask for a parent step. */
	if ((r = nsbox__mount_prepare(cfg, p)) < 0 || (r = nsbox__net_prepare(cfg, p)) < 0 ||
	    (r = nsbox__process_prepare(cfg, p)) < 0 || (r = nsbox__creds_prepare(cfg, p)) < 0)
		return r;
	if (p->parent_sync || p->late_hook)
		p->fallible = 1;
	p->vfork = p->vm && !p->parent_sync && !p->need_fork;
	return 0;
}

static void free_plan(struct nsbox_plan *p)
{
	nsbox__fdreg_close(&p->cgroup_fd);
	nsbox__mount_plan_free(p);
	nsbox__net_plan_free(p);
	nsbox__process_plan_free(p);
	nsbox__creds_plan_free(p);
	close_setns(p);
	if (p->uid_map != p->uid_map_inline)
		free(p->uid_map);
	if (p->gid_map != p->gid_map_inline)
		free(p->gid_map);
}

/* The parent's own ends of the pipes. The plan's copies are the child's
 * view and are never changed after clone (a CLONE_VM child reads them). */
struct pipes {
	int err_r, err_w, go_r, go_w;
};

static void close_fd(int *fd)
{
	nsbox__fdreg_close(fd);
}

static void close_pipes(struct pipes *pp)
{
	close_fd(&pp->err_r);
	close_fd(&pp->err_w);
	close_fd(&pp->go_r);
	close_fd(&pp->go_w);
}

/* ---- errors ---- */

static int clone_error(long r, uint64_t flags, int used_clone3)
{
	const char *why = "";

	if (used_clone3 < 0)
		return nsbox__fail_sys((int)r, "clone3 (%s needs clone3(2), which %s; clone(2) cannot do it)",
		                       (flags & CLONE_NEWTIME) ? "a new time namespace" : "this request",
		                       r == -EOPNOTSUPP ? "is not available (ENOSYS)" : "was refused");
	if (r == -EPERM && (flags & CLONE_NEWUSER))
		why = " (creating a user namespace was refused: see user_namespaces(7), "
		      "kernel.unprivileged_userns_clone or a seccomp/LSM policy)";
	else if (r == -EPERM)
		why = " (creating namespaces other than a user namespace needs CAP_SYS_ADMIN; "
		      "add NSBOX_NS_USER to create them unprivileged)";
	else if (r == -ENOSPC || r == -EUSERS)
		why = " (a namespace limit was reached: /proc/sys/user/max_*_namespaces, or nesting deeper than 32)";
	else if (r == -EINVAL)
		why = " (the kernel rejected this combination of namespaces)";
	else if (r == -EAGAIN)
		why = " (process limit reached: RLIMIT_NPROC or pids cgroup)";
	else if (r == -EOPNOTSUPP)
		why = " (a time namespace needs clone3(2))";
	return nsbox__fail_sys((int)r, "clone%s", why);
}

static int child_error(const struct nsbox_msg *m, const struct nsbox_plan *p)
{
	if (m->step == NSBOX_STEP_SETNS) {
		const struct nsbox_kind *k = nsbox__kind_by_clone_flag((uint64_t)(unsigned)p->setns_ops[m->value].nstype);
		return nsbox__fail_sys(-m->err, "child: setns(%s) of join #%d", k ? k->name : "?",
		                       p->setns_ops[m->value].index + 1);
	}
	if (m->step == NSBOX_STEP_EXECVE)
		return nsbox__fail_sys(-m->err, "child: execve %s", p->path);
	switch (m->step) {
	case NSBOX_STEP_MOUNTS:
		return nsbox__mount_child_error(p, m->err, m->value);
	case NSBOX_STEP_NET:
		return nsbox__net_child_error(p, m->err, m->value);
	case NSBOX_STEP_PROCESS:
	case NSBOX_STEP_INIT:
	case NSBOX_STEP_DIE_WITH_PARENT:
		return nsbox__process_child_error(p, m->err, m->value);
	case NSBOX_STEP_CREDS:
	case NSBOX_STEP_SECCOMP:
		return nsbox__creds_child_error(p, m->err, m->value);
	default:
		break;
	}
	if ((m->step == NSBOX_STEP_SETGROUPS || m->step == NSBOX_STEP_UID_MAP || m->step == NSBOX_STEP_GID_MAP) &&
	    m->err == EACCES && prctl(PR_GET_DUMPABLE) == 0)
		return nsbox__fail_sys(-m->err, "child: %s (this process is not dumpable, as after a uid change "
		                                "without exec, so its /proc files belong to root: call "
		                                "prctl(PR_SET_DUMPABLE, 1) first)",
		                       nsbox__step_name(m->step));
	if (m->step == NSBOX_STEP_UNSHARE && m->err == EINVAL)
		return nsbox__fail_sys(-m->err, "child: unshare after join");
	return nsbox__fail_sys(-m->err, "child: %s", nsbox__step_name(m->step));
}

/* ---- the stack ---- */

static int get_stack(const nsbox_config *cfg, const struct nsbox_plan *p, char **lo, size_t *size, void **map,
                     size_t *map_len)
{
	size_t page;
	char *m;

	*map = NULL;
	if (cfg->stack) {
		*lo = cfg->stack;
		*size = cfg->stack_size;
		return 0;
	}
	if (!p->vm && !cfg->alloc_stack_set && nsbox__clone_stackless()) {
		/* A fork-style child goes on, like fork(), on its own copy of
		 * the calling thread's stack: no mapping to make, copy into
		 * every later child and unmap, no fresh page to fault in. */
		*lo = NULL;
		*size = 0;
		return 0;
	}
	page = (size_t)sysconf(_SC_PAGESIZE);
	*size = (cfg->alloc_stack_size + page - 1) & ~(page - 1);
	*map_len = *size + page;
	m = mmap(NULL, *map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (m == MAP_FAILED)
		return nsbox__fail_sys(-errno, "spawn: mmap of the child stack");
	/* Guard page below the stack: an overflow faults instead of writing
	 * into whatever lies below. */
	if (mprotect(m, page, PROT_NONE) < 0) {
		int r = -errno;
		munmap(m, *map_len);
		return nsbox__fail_sys(r, "spawn: mprotect of the stack guard page");
	}
	*map = m;
	*lo = m + page;
	return 0;
}

/* ---- the children of an extra fork ---- */

#define NSBOX_KIDS_MAX 4096

/* This thread's children (CLONE_PARENT makes the payload and the
 * intermediates children of the thread that called clone). */
static int thread_children(pid_t *out, int max)
{
	char path[64];
	FILE *f;
	long c;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)syscall(SYS_gettid));
	if (!(f = fopen(path, "re")))
		return -1;
	while (n < max && fscanf(f, "%ld", &c) == 1)
		out[n++] = (pid_t)c;
	fclose(f);
	return n;
}

/* The payload of a nested PID namespace whose pidfd we could not take: the
 * child of this thread whose NSpid holds the pid the second intermediate saw. */
static pid_t find_nested_payload(pid_t seen)
{
	pid_t *kids = malloc(NSBOX_KIDS_MAX * sizeof(*kids)), found = -1;
	char path[64], line[512];
	int n = kids ? thread_children(kids, NSBOX_KIDS_MAX) : -1;

	for (int k = 0; k < n && found < 0; k++) {
		FILE *st;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)kids[k]);
		if (!(st = fopen(path, "re")))
			continue;
		while (fgets(line, sizeof(line), st))
			if (!strncmp(line, "NSpid:", 6)) {
				char *q = line + 6, *end;
				int i = 0;
				for (long v = strtol(q, &end, 10); end != q; v = strtol(q = end, &end, 10), i++)
					if (i > 0 && v == seen)
						found = kids[k];
			}
		fclose(st);
	}
	free(kids);
	return found;
}

/* After a spawn with an extra fork: reap every child this spawn made that
 * is not the payload (an intermediate whose report was lost), and on
 * failure end the payload too, known or not. */
static void reap_new_children(const pid_t *before, int nbefore, pid_t keep)
{
	pid_t *now = malloc(NSBOX_KIDS_MAX * sizeof(*now));
	int n = now && nbefore >= 0 ? thread_children(now, NSBOX_KIDS_MAX) : -1;

	for (int i = 0; i < n; i++) {
		int old = now[i] == keep;
		for (int j = 0; j < nbefore && !old; j++)
			old = now[i] == before[j];
		if (old)
			continue;
		kill(now[i], SIGKILL);
		nsbox__reap(now[i], -1);
	}
	free(now);
}

/* ---- spawn ---- */

/* Whether a CLONE_VM|CLONE_VFORK child shares our memory here: 0 not known
 * yet, 1 yes (seen), -1 no (an emulator, such as valgrind, made it a copy).
 * Until a vfork-style child has been seen writing to the plan, vfork mode
 * keeps its error pipe as well. */
static atomic_int vfork_shares;

/* Under the registry's write lock: the pipes this plan needs and does not
 * have yet (the error channel, and the go pipe of a child that waits for
 * us). vfork mode needs none once vfork is known to share memory: the child
 * is done when clone returns and leaves its error in the plan. A nested PID
 * namespace sends the payload's pidfd: that needs a socket (its pid in our
 * namespace is unknown to the child). */
static int open_pipes(struct nsbox_plan *p, struct pipes *pp)
{
	int fds[2];

	if (p->vfork && atomic_load_explicit(&vfork_shares, memory_order_relaxed) == 1)
		return 0;
	if (pp->err_r < 0) {
		/* vfork mode: the child is done when clone returns, so the
		 * parent reads what is there without waiting (a copy of the
		 * pipe leaked into a process forked meanwhile by another thread
		 * cannot stall it) */
		if (p->pid_nested ? socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0
		                  : pipe2(fds, O_CLOEXEC | (p->vfork ? O_NONBLOCK : 0)) < 0)
			return nsbox__fail_sys(-errno, "spawn: %s", p->pid_nested ? "socketpair" : "pipe2");
		p->err_rfd = pp->err_r = fds[0];
		p->err_wfd = pp->err_w = fds[1];
		nsbox__fdreg_add_locked(fds[0]);
		nsbox__fdreg_add_locked(fds[1]);
	}
	if ((p->parent_sync || p->late_hook) && pp->go_r < 0) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return nsbox__fail_sys(-errno, "spawn: pipe2");
		p->go_rfd = pp->go_r = fds[0];
		p->go_wfd = pp->go_w = fds[1];
		nsbox__fdreg_add_locked(fds[0]);
		nsbox__fdreg_add_locked(fds[1]);
	}
	return 0;
}

/* Under the write lock: list what a concurrent fork-style child must close. */
static void register_fds(const struct nsbox_plan *p)
{
	for (int i = 0; i < p->n_setns; i++)
		nsbox__fdreg_add_locked(p->setns_ops[i].fd);
	nsbox__fdreg_add_locked(p->cgroup_fd);
}

/* clone under the registry's read lock (see fdreg.c). */
static pid_t locked_clone(const struct nsbox_clone_req *req, struct nsbox_plan *p, int *used_clone3)
{
	pid_t pid;
	int locked;

	/* for the child's check that the parent it waits for is alive */
	if (p->parent_sync && !p->parent_pid)
		p->parent_pid = getpid();
	locked = nsbox__fdreg_lock(0);

	pid = (pid_t)nsbox__clone(req, nsbox__child_main, p, used_clone3);
	nsbox__fdreg_unlock(locked);
	return pid;
}

static int run_hook(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	int r = p->hook(pid, pidfd, p->hook_arg);

	if (r > 0 || r < -4095)
		r = -EINVAL;
	if (r < 0)
		return nsbox__fail_sys(r, "parent hook");
	return 0;
}

/* What the parent does while a parent_sync child waits, in this order. */
static int parent_steps(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	int r = 0;

	if (p->parent_maps && (r = write_maps(p, pid)) < 0)
		return r;
	if (p->cgroup_fallback && (r = nsbox__cgroup_parent(p, pid)) < 0)
		return r;
	if ((r = nsbox__net_parent(p, pid, pidfd)) < 0 || (r = nsbox__mount_parent(p, pid, pidfd)) < 0 ||
	    (r = nsbox__process_parent(p, pid, pidfd)) < 0 || (r = nsbox__creds_parent(p, pid, pidfd)) < 0)
		return r;
	if (p->hook && !p->late_hook)
		return run_hook(p, pid, pidfd);
	return 0;
}

static int release(struct pipes *pp, int r)
{
	char go = 1;

	if (r == 0 && write(pp->go_w, &go, 1) != 1)
		r = nsbox__fail_sys(-errno, "parent: release the child");
	return r;
}

/* One message; with a socket, also a descriptor passed along (*fd). */
static ssize_t read_msg(int sock, int fdr, struct nsbox_msg *m, int *fd, int *reserve, int *truncated)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;

	if (!sock)
		return read(fdr, m, sizeof(*m));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	/* the slot kept free for the descriptor that may come now */
	if (*reserve >= 0)
		nsbox__fdreg_close(reserve);
	n = recvmsg(fdr, &mh, MSG_CMSG_CLOEXEC);
	if (n > 0 && (mh.msg_flags & MSG_CTRUNC))
		*truncated = 1;
	for (c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(c), sizeof(got));
			if (*fd >= 0)
				close(*fd);
			*fd = got;
		}
	return n;
}

/* A child that left without a report (it could not write one) exits with
 * the errno as its status: read it without reaping. */
static int exit_errno(pid_t pid, int pidfd)
{
	siginfo_t si;
	int r;

	memset(&si, 0, sizeof(si));
	r = pidfd >= 0 ? waitid((idtype_t)3 /* P_PIDFD */, (id_t)pidfd, &si, WEXITED | WNOWAIT | __WALL)
	               : waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | __WALL);
	if (r == 0 && si.si_code == CLD_EXITED && si.si_status > 0 && si.si_status < 127)
		return -si.si_status;
	return -ECHILD;
}

static int collect(struct nsbox_plan *p, struct pipes *pp, pid_t pid, int pidfd, struct nsbox_msg *err,
                   pid_t *payload, pid_t *extra, int *payload_fd, int *reserve, int *asked)
{
	struct nsbox_msg m;
	int r = 0, hook_pending = 0, truncated = 0;

	for (;;) {
		ssize_t n = read_msg(p->pid_nested, pp->err_r, &m, payload_fd, reserve, &truncated);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			/* no verdict: the caller kills and reaps the child */
			r = nsbox__fail_sys(-errno, "parent: read the child's report");
			break;
		}
		if (n <= 0)
			break; /* end of file: exec'd, callback entered, or gone;
			        * EAGAIN (vfork mode): exec'd */
		if ((size_t)n != sizeof(m))
			break;
		if (m.type == NSBOX_MSG_NEED_PARENT && m.value == 0) {
			*asked = 1;
			r = release(pp, parent_steps(p, pid, pidfd));
			/* On failure closing our end makes the child leave; a
			 * late hook still needs it. */
			if (r < 0 || !p->late_hook)
				close_fd(&pp->go_w);
		} else if (m.type == NSBOX_MSG_NEED_PARENT) {
			hook_pending = 1; /* the payload of an extra fork waits */
		} else if (m.type == NSBOX_MSG_PID && p->pid_nested && *payload_fd < 0) {
			/* its descriptor did not fit in our table: find it, end it */
			*payload = find_nested_payload(m.value);
			if (*payload > 0)
				kill(*payload, SIGKILL);
			r = nsbox__fail(-EMFILE, "spawn: no descriptor free for the payload's pidfd%s",
			                truncated ? "" : " (none was sent)");
		} else if (m.type == NSBOX_MSG_PID) {
			*payload = *payload_fd >= 0 ? nsbox__pidfd_pid(*payload_fd) : m.value;
			if (*payload < 0) {
				r = nsbox__fail_sys(*payload, "parent: the pid of the payload's pidfd");
				*payload = 0;
			} else if (*payload_fd < 0 &&
			           (*payload_fd = (int)syscall(SYS_pidfd_open, *payload, 0)) < 0) {
				r = nsbox__fail_sys(-errno, "parent: pidfd_open of the payload");
			}
		} else if (m.type == NSBOX_MSG_REAP) {
			*extra = m.value;
		} else if (m.type == NSBOX_MSG_ERROR && err->type == 0) {
			*err = m;
		}
		if (hook_pending && *payload > 0 && pp->go_w >= 0) {
			hook_pending = 0;
			r = release(pp, run_hook(p, *payload, *payload_fd));
			close_fd(&pp->go_w);
		}
	}
	return r;
}

NSBOX_EXPORT int nsbox_config_check(const nsbox_config *cfg)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_check: cfg is NULL");
	return validate(cfg);
}

NSBOX_EXPORT int nsbox_spawn(const nsbox_config *cfg, nsbox_proc **out)
{
	/* On our stack, not the heap: after a fork-style clone each page we
	 * write costs a copy-on-write fault, and free() writes several. */
	struct nsbox_plan plan, *p = &plan;
	struct nsbox_clone_req req;
	struct nsbox_msg err = { 0 };
	sigset_t all, old;
	void *map = NULL;
	size_t map_len = 0;
	pid_t pid, payload = 0, extra = 0;
	struct pipes pp = { -1, -1, -1, -1 };
	int pidfd = -1, payload_fd = -1, reserve = -1, used_clone3, r, nkids = -1, asked = 0, locked, blocked = 0;
	pid_t *kids = NULL;
	nsbox_proc *handle = NULL;

	if (!cfg || !out)
		return nsbox__fail(-EINVAL, "nsbox_spawn: cfg or out is NULL");
	if ((r = validate(cfg)) < 0)
		return r;
	memset(&plan, 0, sizeof(plan));
	plan.vfork_msg.type = NSBOX_MSG_UNSEEN;
	if (!(handle = nsbox__proc_alloc()))
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	/* Descriptors are opened and listed under the registry's write lock,
	 * so no fork-style clone of another thread copies them unlisted. */
	locked = nsbox__fdreg_lock(1);
	r = make_plan(cfg, p);
	if (r == 0 && p->fallible)
		r = open_pipes(p, &pp);
	if (r == 0)
		register_fds(p);
	nsbox__fdreg_unlock(locked);
	if (r < 0)
		goto out_plan;
	if ((r = get_stack(cfg, p, &p->stack_lo, &req.stack_size, &map, &map_len)) < 0)
		goto out_plan;
	if (p->pid_nested) {
		/* keep a descriptor slot for the payload's pidfd, which comes
		 * over the socket; an -EMFILE is better now than after clone */
		locked = nsbox__fdreg_lock(1);
		reserve = fcntl(pp.err_r, F_DUPFD_CLOEXEC, 0);
		r = reserve < 0 ? -errno : 0;
		nsbox__fdreg_add_locked(reserve);
		nsbox__fdreg_unlock(locked);
		if (r < 0) {
			r = nsbox__fail_sys(r, "spawn: a descriptor for the payload's pidfd");
			goto out_stack;
		}
	}

	req.flags = CLONE_PIDFD | (p->vm ? CLONE_VM : 0) | (p->vfork ? CLONE_VFORK : 0) | p->clone_ns |
	            (p->cgroup_fd >= 0 && !p->cgroup_fallback ? CLONE_INTO_CGROUP : 0);
	req.cgroup_fd = p->cgroup_fd;
	req.sighand_cleared = &p->sighand_cleared;
	/* A new time namespace is clone3's, even where the library creates it
	 * by unshare (offsets with a fork-style child): never a silent
	 * difference between kernels. */
	req.needs_clone3 = (cfg->ns & NSBOX_NS_TIME) && !cfg->n_joins;
	req.exit_signal = cfg->exit_signal;
	req.stack = p->stack_lo;
	/* The kernel writes the pidfd straight into the handle: the page that
	 * handle->pid goes to anyway (after a fork-style clone each page we
	 * write costs a copy-on-write fault). */
	handle->pidfd = -1;
	req.pidfd = &handle->pidfd;
	req.no_clone3 = p->no_clone3;
	req.clone3_only = 0;

	if (p->need_fork) {
		kids = malloc(NSBOX_KIDS_MAX * sizeof(*kids));
		nkids = kids ? thread_children(kids, NSBOX_KIDS_MAX) : -1;
	}

	/* No caller's handler may run in the child. A fork-style clone3 with
	 * CLONE_CLEAR_SIGHAND starts it with default dispositions and the
	 * caller's mask: nothing to block, in the parent or the child. Else
	 * (shared memory, clone(2), an old kernel, a parent that must act
	 * first) all signals are blocked across clone until the child has reset
	 * the handlers, and the payload gets the caller's mask back. */
	pid = -ENOSYS;
	if (!p->vm && !p->parent_sync && !p->need_fork && !p->no_clone3 && !nsbox__clone3_unavailable()) {
		req.clone3_only = 1;
		pid = locked_clone(&req, p, &used_clone3);
		req.clone3_only = 0;
	}
	if (pid < 0) {
		/* (a failed clone3 of the above is simply made again, blocked) */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		memcpy(&p->payload_mask, &old, sizeof(p->payload_mask));
		p->sig_blocked = blocked = 1;
		pid = locked_clone(&req, p, &used_clone3);
	}
	if ((pid == -ENOSYS || pid == -EPERM) && (req.flags & CLONE_INTO_CGROUP)) {
		/* clone3 missing or filtered: place the child from the parent
		 * instead, while it waits. */
		p->cgroup_fallback = 1;
		p->parent_sync = p->fallible = 1;
		p->vfork = 0; /* the child now waits for us: it reports by pipe */
		if (pp.err_r >= 0)
			fcntl(pp.err_r, F_SETFL, 0); /* made non-blocking for vfork mode */
		locked = nsbox__fdreg_lock(1);
		r = open_pipes(p, &pp);
		nsbox__fdreg_unlock(locked);
		if (r < 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			goto out_stack;
		}
		req.flags &= ~(uint64_t)(CLONE_INTO_CGROUP | CLONE_VFORK);
		pid = locked_clone(&req, p, &used_clone3);
	}
	if (pid == -EINVAL && p->vm && !p->vfork) {
		/* CLONE_VM without CLONE_VFORK refused: an emulator (valgrind)
		 * that only knows threads and forks. Fork-style does the same. */
		p->vm = 0;
		req.flags &= ~(uint64_t)CLONE_VM;
		pid = locked_clone(&req, p, &used_clone3);
	}
	if (pid < 0) {
		r = clone_error(pid, req.flags, used_clone3);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out_stack;
	}
	pidfd = handle->pidfd;
	close_fd(&pp.err_w);
	close_fd(&pp.go_r);
	if (p->vfork && atomic_load_explicit(&vfork_shares, memory_order_relaxed) == 0)
		atomic_store_explicit(&vfork_shares, p->vfork_msg.type == NSBOX_MSG_UNSEEN ? -1 : 1,
		                      memory_order_relaxed);
	if (p->vfork && pp.err_r < 0)
		err = p->vfork_msg; /* the child has exec'd or exited: any error is here */
	else if (p->fallible)
		r = collect(p, &pp, pid, pidfd, &err, &payload, &extra, &payload_fd, &reserve, &asked);
	if (blocked)
		pthread_sigmask(SIG_SETMASK, &old, NULL);

	if (err.type)
		r = child_error(&err, p);
	if (r == 0 && p->parent_sync && !asked)
		r = nsbox__fail_sys(exit_errno(pid, pidfd), "child: left before the parent steps without a report");
	if (r == 0 && p->need_fork && (payload <= 0 || payload_fd < 0)) {
		/* the second intermediate (nested PID namespace), else the first */
		int e = extra > 0 ? exit_errno(extra, -1) : -ECHILD;
		r = nsbox__fail_sys(e != -ECHILD ? e : exit_errno(pid, pidfd),
		                    "spawn: the intermediate process left without starting the payload");
	}
	if (extra > 0)
		nsbox__reap(extra, -1); /* the second intermediate of a nested PID namespace */
	if (r < 0) {
		/* The child may still run (a lost report, a parent step that
		 * failed): end it before reaping, and before its stack goes. */
		if (pidfd >= 0)
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		if (payload > 0) {
			kill(payload, SIGKILL);
			nsbox__reap(payload, payload_fd);
		}
		if (payload_fd >= 0)
			close(payload_fd);
		nsbox__reap(pid, pidfd);
		if (p->need_fork) {
			reap_new_children(kids, nkids, -1);
			payload = 0;
		}
		if (pidfd >= 0)
			close(pidfd);
		/* Undo what parent steps made outside the child (veth host ends). */
		nsbox__net_abort(p);
		goto out_stack;
	}
	if (p->need_fork) {
		/* The intermediate has exited; the payload is our own child. */
		nsbox__reap(pid, pidfd);
		close(pidfd);
		reap_new_children(kids, nkids, payload);
		pid = payload;
		pidfd = payload_fd;
	}
	/* The handle was allocated before clone: nothing can fail after the
	 * payload runs, and a fork-style child's copy-on-write pages are not
	 * touched by malloc here. */
	handle->pid = pid;
	handle->pidfd = pidfd;
	*out = handle;
	handle = NULL;
out_stack:
	if (map)
		munmap(map, map_len);
out_plan:
	nsbox__proc_release(handle);
	free(kids);
	nsbox__fdreg_close(&reserve);
	close_pipes(&pp);
	free_plan(p);
	return r;
}
