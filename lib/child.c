/* SPDX-License-Identifier: MIT
 * Everything that runs in the child between clone and execve.
 *
 * Rules: raw system calls only (nsbox__sys never touches errno, which a
 * CLONE_VM child shares with the calling thread), no malloc, no stdio, no
 * locks, nothing that the parent did not prepare in the plan. The only
 * caller code run here is the callback payload, at the very end. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nsbox-private.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static long report(struct nsbox_plan *p, int type, int step, int err, int value)
{
	struct nsbox_msg m;

	m.type = type;
	m.step = step;
	m.err = err;
	m.value = value;
	if (p->vfork && p->err_wfd < 0) {
		/* The parent sleeps until we exec or exit, in the memory we
		 * share: the first error is all it needs (fail() exits next). */
		p->vfork_msg = m;
		return sizeof(m);
	}
	/* A pipe write of 16 bytes is atomic; if the parent is gone there is
	 * nobody to tell. */
	return NSBOX_SYS3(__NR_write, p->err_wfd, &m, sizeof(m));
}

/* The payload's pid by pidfd over the socket (nested PID namespaces: our
 * pid numbers are not the caller's). */
static long report_pidfd(struct nsbox_plan *p, int pidfd, long pid)
{
	/* value: the payload's pid as we see it, for a parent that could not
	 * take the descriptor (its table full) and must find it another way */
	struct nsbox_msg m = { NSBOX_MSG_PID, NSBOX_STEP_FORK, 0, (int32_t)pid };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh;
	struct cmsghdr *c;

	for (size_t i = 0; i < sizeof(u.buf); i++)
		u.buf[i] = 0;
	for (size_t i = 0; i < sizeof(mh); i++)
		((char *)&mh)[i] = 0;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)(void *)CMSG_DATA(c) = pidfd;
	return NSBOX_SYS3(__NR_sendmsg, p->err_wfd, &mh, MSG_NOSIGNAL);
}

__attribute__((noreturn)) static void child_exit(int code)
{
	for (;;)
		(void)NSBOX_SYS1(__NR_exit, code);
}

/* A child that cannot report leaves with the errno as its exit status,
 * which the parent reads when no report came. */
__attribute__((noreturn)) static void fail(struct nsbox_plan *p, int step, long r, int value)
{
	if (report(p, NSBOX_MSG_ERROR, step, (int)-r, value) != sizeof(struct nsbox_msg))
		child_exit((int)-r);
	child_exit(127);
}

static size_t c_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static long write_file(const char *path, const char *data, size_t len)
{
	long fd = NSBOX_SYS4(__NR_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	long r;

	if (fd < 0)
		return fd;
	r = NSBOX_SYS3(__NR_write, fd, data, len);
	(void)NSBOX_SYS1(__NR_close, fd);
	if (r >= 0 && (size_t)r != len)
		r = -EIO;
	return r < 0 ? r : 0;
}

int nsbox__setns_ops(struct nsbox_setns_op *ops, int n, int user_first, int *failed)
{
	long r;
	int i, user = -1, deferred = 0;

	for (i = 0; i < n; i++) {
		ops[i].done = 0;
		if (ops[i].nstype == CLONE_NEWUSER)
			user = i;
	}
	/* Unprivileged: the user namespace first, it brings the capabilities
	 * over the others. Privileged: the others first, while we still hold
	 * our capabilities; an EPERM among them is retried after the user join. */
	if (user >= 0 && user_first) {
		r = NSBOX_SYS2(__NR_setns, ops[user].fd, ops[user].nstype);
		if (r < 0) {
			*failed = user;
			return (int)r;
		}
		ops[user].done = 1;
	}
	for (i = 0; i < n; i++) {
		if (ops[i].done || i == user)
			continue;
		r = NSBOX_SYS2(__NR_setns, ops[i].fd, ops[i].nstype);
		if (r == -EPERM && user >= 0 && !ops[user].done) {
			deferred = 1;
			continue;
		}
		if (r < 0) {
			*failed = i;
			return (int)r;
		}
		ops[i].done = 1;
	}
	if (user >= 0 && !ops[user].done) {
		r = NSBOX_SYS2(__NR_setns, ops[user].fd, ops[user].nstype);
		if (r < 0) {
			*failed = user;
			return (int)r;
		}
		ops[user].done = 1;
	}
	for (i = 0; deferred && i < n; i++) {
		if (ops[i].done)
			continue;
		r = NSBOX_SYS2(__NR_setns, ops[i].fd, ops[i].nstype);
		if (r < 0) {
			*failed = i;
			return (int)r;
		}
		ops[i].done = 1;
	}
	return 0;
}

static void self_maps(struct nsbox_plan *p)
{
	long r;

	if (p->setgroups && (r = write_file("/proc/self/setgroups", p->setgroups, c_strlen(p->setgroups))) < 0)
		fail(p, NSBOX_STEP_SETGROUPS, r, 0);
	if (p->uid_map_len && (r = write_file("/proc/self/uid_map", p->uid_map, p->uid_map_len)) < 0)
		fail(p, NSBOX_STEP_UID_MAP, r, 0);
	if (p->gid_map_len && (r = write_file("/proc/self/gid_map", p->gid_map, p->gid_map_len)) < 0)
		fail(p, NSBOX_STEP_GID_MAP, r, 0);
}

/* Wait until the parent has written our maps. If the parent dies first, the
 * read sees end of file (or PDEATHSIG kills us) and we leave without ever
 * running the payload. */
static void wait_for_parent(struct nsbox_plan *p, int late)
{
	char go = 0;
	long r;

	/* A parent that cannot hear us would never release us. */
	r = report(p, NSBOX_MSG_NEED_PARENT, NSBOX_STEP_WAIT_PARENT, 0, late);
	if (r != sizeof(struct nsbox_msg))
		child_exit(r < 0 ? (int)-r : EIO);
	do
		r = NSBOX_SYS3(__NR_read, p->go_rfd, &go, 1);
	while (r == -EINTR);
	if (r != 1)
		child_exit(127); /* the parent reported why, or is gone */
	if (late || !p->late_hook)
		(void)NSBOX_SYS1(__NR_close, p->go_rfd);
}

static int final_main(void *arg);

/* One more clone so that a PID (or time) namespace entered or created by
 * this process applies to the payload. CLONE_PARENT makes the new process
 * the caller's own child; we report its pid (msg) and leave. The new
 * process runs on what lies below our frame (with CLONE_VM|CLONE_VFORK we
 * sleep meanwhile; without CLONE_VM it is its own copy). */
__attribute__((noreturn)) static void fork_stage(struct nsbox_plan *p, uint64_t extra, int (*fn)(void *),
                                                 int msg)
{
	struct nsbox_clone_req req;
	/* Room below our frame for the calls we are still to make (clone's
	 * libc wrapper among them): with CLONE_VFORK the new process writes
	 * below this while we sleep in them. */
	char *sp = (char *)__builtin_frame_address(0) - 4096;
	int used, pidfd = -1;
	long pid, r;

	/* No CLONE_VFORK when the payload waits for a late hook: the parent
	 * needs our report of its pid first. */
	req.flags = CLONE_PARENT | extra | (p->vm ? CLONE_VM : 0) | (p->vm && !p->late_hook ? CLONE_VFORK : 0) |
	            (extra & CLONE_NEWPID ? CLONE_PIDFD : 0);
	req.exit_signal = 0; /* a CLONE_PARENT child inherits ours */
	/* No library stack (a fork-style child on its copy of the caller's):
	 * the new process goes on on its own copy of ours. */
	req.stack = p->stack_lo;
	req.stack_size = p->stack_lo ? ((size_t)(sp - p->stack_lo)) & ~(size_t)15 : 0;
	req.pidfd = &pidfd;
	req.cgroup_fd = -1;
	req.no_clone3 = p->no_clone3;
	req.clone3_only = 0;
	req.needs_clone3 = 0;
	req.sighand_cleared = NULL; /* our handlers are already what the payload gets */
	pid = nsbox__clone(&req, fn, p, &used);
	if (pid < 0)
		fail(p, NSBOX_STEP_FORK, pid, 0);
	r = pidfd >= 0 ? report_pidfd(p, pidfd, pid) : report(p, msg, NSBOX_STEP_FORK, 0, (int)pid);
	if (r != sizeof(struct nsbox_msg)) {
		/* the parent would never learn of it: it must not run */
		(void)NSBOX_SYS2(__NR_kill, pid, SIGKILL);
		child_exit(r < 0 ? (int)-r : EIO);
	}
	child_exit(0);
}

/* A PID namespace can only be created by a process that lives in the
 * namespace it will nest in: after setns(PID) that takes one fork. */
static int nested_pid_main(void *arg)
{
	fork_stage(arg, CLONE_NEWPID, final_main, NSBOX_MSG_PID);
}

static void reset_signals(struct nsbox_plan *p)
{
	struct nsbox_k_sigaction old, dfl = { 0 };
	long r;

	/* Caught signals go back to their default action (as execve would do),
	 * so no handler of the caller ever runs in the child; ignored ones stay
	 * ignored. Everything is still blocked here. clone3 did it already
	 * (CLONE_CLEAR_SIGHAND) unless we came from clone(2). */
	for (int sig = 1; sig <= 64 && !p->sighand_cleared; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (NSBOX_SYS4(__NR_rt_sigaction, sig, NULL, &old, 8) < 0)
			continue;
		if (old.handler != (void *)SIG_DFL && old.handler != (void *)SIG_IGN)
			(void)NSBOX_SYS4(__NR_rt_sigaction, sig, &dfl, NULL, 8);
	}
	/* Unblocked clone: the caller's mask is ours already. */
	if (!p->sig_blocked && !p->mask_custom)
		return;
	r = NSBOX_SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &p->payload_mask, NULL, 8);
	if (r < 0)
		fail(p, NSBOX_STEP_SIGNALS, r, 0);
}

/* The last steps, in the process that becomes the payload. */
static int final_main(void *arg)
{
	struct nsbox_plan *p = arg;
	int detail = 0;
	long r;

	/* The parent hook sees the payload itself, not the first child. */
	if (p->late_hook)
		wait_for_parent(p, 1);
	/* Each module is called only when it has work: a plain spawn runs
	 * (and, fork-style, faults in) none of their code. */
	if (p->process && (r = nsbox__process_child_early(p, &detail)) < 0)
		fail(p, NSBOX_STEP_DIE_WITH_PARENT, r, detail);
	if (p->propagation && (r = NSBOX_SYS5(__NR_mount, NULL, "/", NULL, MS_REC | p->propagation, NULL)) < 0)
		fail(p, NSBOX_STEP_PROPAGATION, r, 0);
	if (p->mount_proc &&
	    (r = NSBOX_SYS5(__NR_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) < 0)
		fail(p, NSBOX_STEP_MOUNT_PROC, r, 0);
	if (p->hostname && (r = NSBOX_SYS2(__NR_sethostname, p->hostname, p->hostname_len)) < 0)
		fail(p, NSBOX_STEP_HOSTNAME, r, 0);
	if (p->domainname && (r = NSBOX_SYS2(__NR_setdomainname, p->domainname, p->domainname_len)) < 0)
		fail(p, NSBOX_STEP_DOMAINNAME, r, 0);
	if (p->mount && (r = nsbox__mount_child(p, &detail)) < 0)
		fail(p, NSBOX_STEP_MOUNTS, r, detail);
	if (p->net && (r = nsbox__net_child(p, &detail)) < 0)
		fail(p, NSBOX_STEP_NET, r, detail);
	if (p->process && (r = nsbox__process_child(p, &detail)) < 0)
		fail(p, NSBOX_STEP_PROCESS, r, detail);
	if (p->creds && (r = nsbox__creds_child(p, &detail)) < 0)
		fail(p, NSBOX_STEP_CREDS, r, detail);
	if (p->process && (r = nsbox__process_child_late(p, &detail)) < 0)
		fail(p, NSBOX_STEP_INIT, r, detail);
	reset_signals(p);
	if (p->creds && (r = nsbox__creds_seccomp(p, &detail)) < 0)
		fail(p, NSBOX_STEP_SECCOMP, r, detail);

	if (p->fn) {
		/* Setup is done: end of file on the pipe tells the parent. */
		if (p->err_wfd >= 0)
			(void)NSBOX_SYS1(__NR_close, p->err_wfd);
		return p->fn(p->fn_arg);
	}
	r = NSBOX_SYS3(__NR_execve, p->path, p->argv, p->envp);
	fail(p, NSBOX_STEP_EXECVE, r, 0);
}

/* A fork-style child is a copy of a caller whose other threads may be in
 * their own spawns: close their descriptors (see fdreg.c), keep ours. */
static void close_foreign(struct nsbox_plan *p)
{
	for (int i = 0; i < NSBOX_FDREG_MAX; i++) {
		int fd = nsbox__fdreg[i] - 1, ours = fd == p->err_wfd || fd == p->go_rfd;

		for (int j = 0; j < p->n_setns && !ours; j++)
			ours = fd == p->setns_ops[j].fd;
		if (fd >= 0 && !ours)
			(void)NSBOX_SYS1(__NR_close, fd);
	}
}

int nsbox__child_main(void *arg)
{
	struct nsbox_plan *p = arg;
	long r;
	int failed = 0;

	if (p->vfork)
		p->vfork_msg.type = 0; /* we run, in the caller's memory */
	if (!p->vm)
		close_foreign(p);
	if (p->err_rfd >= 0)
		(void)NSBOX_SYS1(__NR_close, p->err_rfd);
	if (p->go_wfd >= 0)
		(void)NSBOX_SYS1(__NR_close, p->go_wfd);
	if (p->parent_sync) {
		/* Die with the parent while we wait for it. A parent that died
		 * before the prctl is caught by the re-check (getppid is 0 in a
		 * new PID namespace) and, in any case, by end of file on the go
		 * pipe, whose only writer is the parent. */
		long ppid;
		(void)NSBOX_SYS2(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL);
		ppid = NSBOX_SYS0(__NR_getppid);
		if (ppid != 0 && ppid != p->parent_pid)
			child_exit(127);
	}
	if (p->n_setns && (r = nsbox__setns_ops(p->setns_ops, p->n_setns, p->setns_user_first, &failed)) < 0)
		fail(p, NSBOX_STEP_SETNS, r, failed);
	if (p->unshare_flags && (r = NSBOX_SYS1(__NR_unshare, p->unshare_flags)) < 0)
		fail(p, NSBOX_STEP_UNSHARE, r, 0);
	/* Descriptors of joined namespaces are not the payload's business. */
	for (int i = 0; i < p->n_setns; i++)
		(void)NSBOX_SYS1(__NR_close, p->setns_ops[i].fd);
	if (p->self_maps)
		self_maps(p);
	if (p->parent_sync) {
		wait_for_parent(p, 0);
		(void)NSBOX_SYS2(__NR_prctl, PR_SET_PDEATHSIG, 0);
	}
	/* Before anyone enters the new time namespace: with CLONE_VM it is
	 * entered at execve, otherwise it was unshared just now. */
	if (p->time_offsets_len &&
	    (r = write_file("/proc/self/timens_offsets", p->time_offsets, p->time_offsets_len)) < 0)
		fail(p, NSBOX_STEP_TIME_OFFSETS, r, 0);
	if (p->pid_nested)
		fork_stage(p, 0, nested_pid_main, NSBOX_MSG_REAP);
	if (p->need_fork)
		fork_stage(p, 0, final_main, NSBOX_MSG_PID);
	return final_main(p);
}
