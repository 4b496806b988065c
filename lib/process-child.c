/* SPDX-License-Identifier: MIT
 * Feature module "process": child side. Runs between clone and execve,
 * often sharing the caller's memory: raw system calls only, no libc
 * function, no errno, small frames (see child.c). Everything was prepared in
 * the parent by nsbox__process_prepare() (process.c).
 *
 *   early (first thing):     die-with-parent
 *   child (after the mounts): session, rlimits, descriptor actions,
 *                             close the others, working directory
 *   late (before exec):       die-with-parent again (credentials may have
 *                             cleared it), the PID 1 init, then in the
 *                             payload: signal reset, mask, environ */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsbox-private.h"
#include "process.h"

#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif

extern char **environ;

__attribute__((noreturn)) static void leave(int code)
{
	for (;;)
		(void)NSBOX_SYS1(__NR_exit, code);
}

__attribute__((noreturn)) static void leave_group(int code)
{
	for (;;)
		(void)NSBOX_SYS1(__NR_exit_group, code);
}

static int failed(int *detail, int what, int index, long r)
{
	*detail = NSBOX_PROC_DETAIL(what, index);
	return (int)r;
}

/* ---- die with parent ---- */

/* 1 if the calling process is gone, 0 if not, -errno. */
static long parent_gone(const struct nsbox_process_plan *pl)
{
	if (pl->child_pidfd >= 0) {
		struct pollfd pfd;
		struct timespec zero = { 0, 0 };
		long r;

		pfd.fd = pl->child_pidfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = NSBOX_SYS5(__NR_ppoll, &pfd, 1, &zero, NULL, 8);
		if (r < 0)
			return r;
		/* A pidfd is readable once its process has exited. */
		return r > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
	} else {
		/* No pidfd_open (before Linux 5.3): a child whose parent died
		 * has been reparented. In a new PID namespace getppid() is 0
		 * and tells nothing. */
		long ppid = NSBOX_SYS0(__NR_getppid);
		return ppid != 0 && ppid != pl->parent_pid;
	}
}

static int arm_pdeathsig(struct nsbox_process_plan *pl, int *detail)
{
	long r = NSBOX_SYS2(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL);

	if (r < 0)
		return failed(detail, NSBOX_PROC_PDEATHSIG, 0, r);
	/* The parent may have died before the prctl: nobody would send the
	 * signal then. Nobody is left to report to either. */
	r = parent_gone(pl);
	if (r < 0)
		return failed(detail, NSBOX_PROC_PIDFD_POLL, 0, r);
	if (r > 0)
		leave(127);
	return 0;
}

int nsbox__process_child_early(struct nsbox_plan *p, int *detail)
{
	struct nsbox_process_plan *pl = p->process;

	if (!pl || !pl->die_with_parent)
		return 0;
	return arm_pdeathsig(pl, detail);
}

/* ---- descriptors ---- */

static int is_target(const struct nsbox_process_plan *pl, long fd, uint32_t *at)
{
	uint32_t lo = 0, hi = pl->n_fds;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pl->targets[mid] < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at)
		*at = lo;
	return lo < pl->n_fds && pl->targets[lo] == fd;
}

/* Duplicate fd (close-on-exec) to a number that no action asks for. *hint
 * only grows: every number below it is in use or asked for. */
static long move_out(const struct nsbox_process_plan *pl, long fd, long *hint)
{
	for (;;) {
		uint32_t k;
		long r = NSBOX_SYS3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, *hint);

		if (r < 0)
			return r;
		if (!is_target(pl, r, &k)) {
			*hint = r + 1;
			return r;
		}
		/* Skip the whole run of asked-for numbers at once. */
		(void)NSBOX_SYS1(__NR_close, r);
		while (k + 1 < pl->n_fds && pl->targets[k + 1] <= pl->targets[k] + 1)
			k++;
		*hint = (long)pl->targets[k] + 1;
	}
}

/* The library's own descriptor *fd (error pipe, pidfd) must survive until
 * exec: when an action asks for its number, it moves. */
static long save_lib_fd(const struct nsbox_process_plan *pl, int *fd, long *hint)
{
	long r;

	if (*fd < 0 || !is_target(pl, *fd, NULL))
		return 0;
	r = move_out(pl, *fd, hint);
	if (r < 0)
		return r;
	(void)NSBOX_SYS1(__NR_close, *fd);
	*fd = (int)r;
	return 0;
}

static int fd_actions(struct nsbox_plan *p, struct nsbox_process_plan *pl, int *detail)
{
	long hint = 0, r;
	uint32_t i;

	/* A CLONE_VM child writes these into the shared plan: the parent uses
	 * its own copies of both descriptors after clone. */
	if ((r = save_lib_fd(pl, &p->err_wfd, &hint)) < 0 || (r = save_lib_fd(pl, &pl->child_pidfd, &hint)) < 0)
		return failed(detail, NSBOX_PROC_FD_LIB, 0, r);
	/* A source that another action replaces is copied away first, so
	 * that every action sees the descriptors as they were at spawn. */
	for (i = 0; i < pl->n_fds; i++) {
		pl->fd_tmp[i] = -1;
		if (pl->fds[i].parent_fd != pl->fds[i].child_fd && is_target(pl, pl->fds[i].parent_fd, NULL)) {
			r = move_out(pl, pl->fds[i].parent_fd, &hint);
			if (r < 0)
				return failed(detail, NSBOX_PROC_FD_MOVE, (int)i, r);
			pl->fd_tmp[i] = (int)r;
		}
	}
	for (i = 0; i < pl->n_fds; i++) {
		const struct nsbox_fd_action *a = &pl->fds[i];
		if (a->parent_fd == a->child_fd) {
			r = NSBOX_SYS3(__NR_fcntl, a->child_fd, F_SETFD, 0);
			if (r < 0)
				return failed(detail, NSBOX_PROC_FD_KEEP, (int)i, r);
			continue;
		}
		r = NSBOX_SYS3(__NR_dup3, pl->fd_tmp[i] >= 0 ? pl->fd_tmp[i] : a->parent_fd, a->child_fd, 0);
		if (r < 0)
			return failed(detail, NSBOX_PROC_FD_DUP, (int)i, r);
	}
	for (i = 0; i < pl->n_fds; i++) {
		if (pl->fd_tmp[i] >= 0)
			(void)NSBOX_SYS1(__NR_close, pl->fd_tmp[i]);
		pl->fd_tmp[i] = -1;
	}
	return 0;
}

/* Close lo..hi (inclusive). */
static long close_span(unsigned lo, unsigned hi)
{
	struct nsbox_k_rlimit64 rl;
	long r = NSBOX_SYS3(__NR_close_range, lo, hi, 0);

	if (r != -ENOSYS)
		return r;
	/* Before Linux 5.9: one by one, up to the hard RLIMIT_NOFILE (no
	 * descriptor can have been opened above it), at most 2^20. */
	if (NSBOX_SYS4(__NR_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) < 0 || rl.max > (1u << 20))
		rl.max = 1u << 20;
	for (uint64_t fd = lo; fd <= hi && fd < rl.max; fd++)
		(void)NSBOX_SYS1(__NR_close, fd);
	return 0;
}

/* The smallest descriptor >= from that stays open, or -1. */
static long next_kept(const struct nsbox_plan *p, const struct nsbox_process_plan *pl, long from)
{
	long best = -1;
	uint32_t k;

	if (is_target(pl, from, &k) || k < pl->n_fds)
		best = pl->targets[k];
	if (p->err_wfd >= from && (best < 0 || p->err_wfd < best))
		best = p->err_wfd;
	if (pl->child_pidfd >= from && (best < 0 || pl->child_pidfd < best))
		best = pl->child_pidfd;
	return best;
}

static long close_others(const struct nsbox_plan *p, const struct nsbox_process_plan *pl)
{
	long lo = 3, k, r;

	while ((k = next_kept(p, pl, lo)) >= 0) {
		if (k > lo && (r = close_span((unsigned)lo, (unsigned)k - 1)) < 0)
			return r;
		lo = k + 1;
	}
	return close_span((unsigned)lo, ~0u);
}

/* ---- after the mounts and the network ---- */

int nsbox__process_child(struct nsbox_plan *p, int *detail)
{
	struct nsbox_process_plan *pl = p->process;
	long r;
	int e;

	if (!pl)
		return 0;
	if (pl->session == NSBOX_SESSION_NEW && (r = NSBOX_SYS0(__NR_setsid)) < 0)
		return failed(detail, NSBOX_PROC_SESSION, 0, r);
	if (pl->session == NSBOX_SESSION_NEW_GROUP && (r = NSBOX_SYS2(__NR_setpgid, 0, 0)) < 0)
		return failed(detail, NSBOX_PROC_SESSION, 0, r);
	for (uint32_t i = 0; i < pl->n_rlimits; i++)
		if ((r = NSBOX_SYS4(__NR_prlimit64, 0, pl->rl_kernel[i], &pl->rl_value[i], NULL)) < 0)
			return failed(detail, NSBOX_PROC_RLIMIT, (int)i, r);
	if (pl->n_fds && (e = fd_actions(p, pl, detail)) < 0)
		return e;
	if (pl->close_fds && (r = close_others(p, pl)) < 0)
		return failed(detail, NSBOX_PROC_CLOSE_FDS, 0, r);
	if (pl->cwd && (r = NSBOX_SYS1(__NR_chdir, pl->cwd)) < 0)
		return failed(detail, NSBOX_PROC_CWD, 0, r);
	return 0;
}

/* ---- the PID 1 init ---- */

static int forwarded(long sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2;
}

/* Leave the way the payload left: a supervisor dies by the same signal
 * (without a core dump of its own); pid 1 of a namespace cannot, and exits
 * with 128 + the signal. */
__attribute__((noreturn)) static void die_like(int st)
{
	if (WIFSIGNALED(st) && NSBOX_SYS0(__NR_getpid) != 1) {
		struct nsbox_k_rlimit64 zero = { 0, 0 };
		struct nsbox_k_sigaction dfl = { 0 };
		uint64_t one = (uint64_t)1 << (WTERMSIG(st) - 1);

		(void)NSBOX_SYS4(__NR_prlimit64, 0, RLIMIT_CORE, &zero, NULL);
		(void)NSBOX_SYS4(__NR_rt_sigaction, WTERMSIG(st), &dfl, NULL, 8);
		(void)NSBOX_SYS2(__NR_kill, NSBOX_SYS0(__NR_getpid), WTERMSIG(st));
		(void)NSBOX_SYS4(__NR_rt_sigprocmask, SIG_UNBLOCK, &one, NULL, 8);
	}
	if (WIFEXITED(st))
		leave_group(WEXITSTATUS(st));
	leave_group(128 + WTERMSIG(st));
}

/* Reap orphans, forward signals, and leave with the payload's status. Every
 * signal stays blocked: they are taken one by one with rt_sigtimedwait. A
 * supervisor forwards every signal but SIGCHLD. */
__attribute__((noreturn)) static void init_loop(long payload, int supervise)
{
	uint64_t all = ~(uint64_t)0;
	long sig;

	(void)NSBOX_SYS2(__NR_prctl, PR_SET_NAME, supervise ? "nsbox-supervise" : "nsbox-init");
	(void)NSBOX_SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	/* Nothing of the caller stays open in the init: the error pipe (the
	 * payload keeps its copy until exec, so the parent sees end of file
	 * then), the pidfd, the caller's descriptors. */
	(void)close_span(0, ~0u);
	for (;;) {
		int st = 0;
		long r;

		sig = NSBOX_SYS4(__NR_rt_sigtimedwait, &all, NULL, NULL, 8);
		if (supervise ? sig > 0 && sig != SIGCHLD : forwarded(sig))
			(void)NSBOX_SYS2(__NR_kill, payload, sig);
		while ((r = NSBOX_SYS4(__NR_wait4, -1, &st, WNOHANG | __WALL, NULL)) > 0) {
			if (r != payload)
				continue; /* an orphan, now reaped */
			die_like(st);
		}
		if (r == -ECHILD)
			leave_group(255); /* the payload is gone unseen: cannot happen */
	}
}

/* ---- just before the signal reset and exec ---- */

int nsbox__process_child_late(struct nsbox_plan *p, int *detail)
{
	struct nsbox_process_plan *pl = p->process;
	long r;

	if (!pl)
		return 0;
	if (pl->die_with_parent) {
		int e = arm_pdeathsig(pl, detail);
		if (e < 0)
			return e;
		if (pl->child_pidfd >= 0)
			(void)NSBOX_SYS1(__NR_close, pl->child_pidfd);
		pl->child_pidfd = -1;
	}
	if (pl->init) {
		struct nsbox_k_sigaction dfl = { 0 }, old = { 0 };

		/* A SIGCHLD ignored by the caller would make the kernel reap
		 * the payload itself and the init could never learn its status. */
		if ((r = NSBOX_SYS4(__NR_rt_sigaction, SIGCHLD, &dfl, &old, 8)) < 0)
			return failed(detail, NSBOX_PROC_INIT_SIGCHLD, 0, r);
		/* fork-style (the plan made the child without CLONE_VM) */
		r = NSBOX_SYS5(__NR_clone, SIGCHLD, 0, NULL, NULL, 0);
		if (r < 0)
			return failed(detail, NSBOX_PROC_INIT_CLONE, 0, r);
		if (r > 0)
			init_loop(r, pl->supervise);
		/* The payload, pid 2: it inherits an ignored SIGCHLD as execve
		 * would let it (a caught one is reset by child.c anyway). */
		if (old.handler == (void *)SIG_IGN)
			(void)NSBOX_SYS4(__NR_rt_sigaction, SIGCHLD, &old, NULL, 8);
	}
	if (pl->signal_reset) {
		struct nsbox_k_sigaction dfl = { 0 };

		for (int sig = 1; sig <= 64; sig++) {
			if (sig == SIGKILL || sig == SIGSTOP)
				continue;
			if ((r = NSBOX_SYS4(__NR_rt_sigaction, sig, &dfl, NULL, 8)) < 0)
				return failed(detail, NSBOX_PROC_SIGNAL_RESET, sig, r);
		}
	}
	/* child.c sets the payload's mask from p->payload_mask right after
	 * this; the parent fills it in with the caller's mask just before
	 * clone when it blocks signals (else the child has the caller's mask
	 * already), so a chosen mask replaces it here. */
	if (pl->has_mask) {
		p->payload_mask = pl->mask;
		p->mask_custom = 1;
	}
	/* A callback payload (always fork-style) reads environ. */
	if (pl->env_set && p->fn)
		environ = pl->envp;
	return 0;
}
