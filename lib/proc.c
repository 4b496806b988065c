/* SPDX-License-Identifier: MIT
 * The process handle: pid, pidfd, wait, kill. Waits name the process (by
 * pidfd where possible): never waitpid(-1). */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nsbox-private.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* waitid on the pidfd (Linux 5.4+), else on the pid. __WALL: whatever the
 * exit signal. Returns 0, -EAGAIN (WNOHANG, still running) or -errno. */
static int wait_one(pid_t pid, int pidfd, int nohang, int *status)
{
	siginfo_t si;
	int opts = WEXITED | __WALL | (nohang ? WNOHANG : 0);
	int r;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (pidfd >= 0)
			r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, opts);
		else
			r = waitid(P_PID, (id_t)pid, &si, opts);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EINVAL && pidfd >= 0) {
			pidfd = -1; /* kernel without P_PIDFD */
			continue;
		}
		break;
	}
	if (r < 0)
		return -errno;
	if (si.si_pid == 0)
		return -EAGAIN;
	switch (si.si_code) {
	case CLD_EXITED:
		*status = (si.si_status & 0xff) << 8;
		break;
	case CLD_KILLED:
		*status = si.si_status & 0x7f;
		break;
	case CLD_DUMPED:
		*status = (si.si_status & 0x7f) | 0x80;
		break;
	default:
		*status = 0;
	}
	return 0;
}

void nsbox__reap(pid_t pid, int pidfd)
{
	int st;
	(void)wait_one(pid, pidfd, 0, &st);
}

NSBOX_EXPORT int32_t nsbox_proc_pid(const nsbox_proc *proc)
{
	if (!proc)
		return nsbox__fail(-EINVAL, "nsbox_proc_pid: proc is NULL");
	return proc->pid;
}

NSBOX_EXPORT int nsbox_proc_pidfd(const nsbox_proc *proc)
{
	if (!proc)
		return nsbox__fail(-EINVAL, "nsbox_proc_pidfd: proc is NULL");
	return proc->pidfd;
}

NSBOX_EXPORT int nsbox_proc_wait(nsbox_proc *proc, uint32_t flags, int32_t *status)
{
	int st = 0, r;

	if (!proc)
		return nsbox__fail(-EINVAL, "nsbox_proc_wait: proc is NULL");
	if (flags & ~(uint32_t)NSBOX_WAIT_NOHANG)
		return nsbox__fail(-EINVAL, "nsbox_proc_wait: unknown flags 0x%x", flags);
	if (!proc->reaped) {
		r = wait_one(proc->pid, proc->pidfd, flags & NSBOX_WAIT_NOHANG, &st);
		if (r == -EAGAIN)
			return r;
		if (r == -ECHILD)
			return nsbox__fail(r, "wait: process %d was reaped by someone else "
			                      "(SIGCHLD ignored, SA_NOCLDWAIT, or a waitpid(-1) in the program)",
			                   (int)proc->pid);
		if (r < 0)
			return nsbox__fail_sys(r, "wait for process %d", (int)proc->pid);
		proc->reaped = 1;
		proc->status = st;
	}
	if (status)
		*status = proc->status;
	return 0;
}

NSBOX_EXPORT int nsbox_proc_kill(nsbox_proc *proc, int32_t sig)
{
	long r;

	if (!proc)
		return nsbox__fail(-EINVAL, "nsbox_proc_kill: proc is NULL");
	if (sig < 0 || sig > 64)
		return nsbox__fail(-EINVAL, "nsbox_proc_kill: %d is not a signal", sig);
	if (proc->reaped)
		return nsbox__fail(-ESRCH, "kill: process %d has been reaped", (int)proc->pid);
	r = proc->pidfd >= 0 ? syscall(SYS_pidfd_send_signal, proc->pidfd, sig, NULL, 0) : -1;
	/* no pidfd, or no pidfd_send_signal (Linux < 5.1, emulators): the
	 * child is not reaped yet, so its pid is still its own */
	if (proc->pidfd < 0 || (r < 0 && errno == ENOSYS))
		r = kill(proc->pid, sig);
	if (r < 0)
		return nsbox__fail_sys(-errno, "kill process %d", (int)proc->pid);
	return 0;
}

/* One handle kept for reuse. A spawn followed by wait and free is the
 * common loop; malloc() and free() there write allocator state (arena,
 * errno) on pages that each fork-style clone write-protects again, which
 * costs the caller a page fault per page and spawn. The kept handle stays
 * where `spare` points once set; taking and giving it back only flips its
 * own in_use flag, on the page that the spawn writes anyway. */
static _Atomic(nsbox_proc *) spare;

/* Under AddressSanitizer every handle is malloc'd and freed, so that a use
 * after nsbox_proc_free() is caught rather than landing on the next one. */
#if defined(__SANITIZE_ADDRESS__)
#define KEEP_SPARE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEP_SPARE 0
#endif
#endif
#ifndef KEEP_SPARE
#define KEEP_SPARE 1
#endif

nsbox_proc *nsbox__proc_alloc(void)
{
	nsbox_proc *p = atomic_load_explicit(&spare, memory_order_acquire);
	int idle = 0;

	if (p && atomic_compare_exchange_strong_explicit(&p->in_use, &idle, 1, memory_order_acquire,
	                                                 memory_order_relaxed)) {
		p->pid = p->pidfd = p->reaped = p->status = 0;
		return p;
	}
	return calloc(1, sizeof(*p));
}

void nsbox__proc_release(nsbox_proc *p)
{
	nsbox_proc *none = NULL;

	if (!p)
		return;
	if (!KEEP_SPARE) {
		free(p);
		return;
	}
	if (p->kept) {
		atomic_store_explicit(&p->in_use, 0, memory_order_release);
		return;
	}
	p->kept = 1;
	atomic_store_explicit(&p->in_use, 0, memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&spare, &none, p, memory_order_release, memory_order_relaxed))
		free(p);
}

__attribute__((destructor)) static void drop_spare(void)
{
	nsbox_proc *p = atomic_load(&spare);
	int idle = 0;

	/* (one still in use is the caller's, to free or leak) */
	if (p && atomic_compare_exchange_strong(&p->in_use, &idle, 1))
		free(p);
}

NSBOX_EXPORT void nsbox_proc_free(nsbox_proc *proc)
{
	if (!proc)
		return;
	if (proc->pidfd >= 0)
		close(proc->pidfd);
	nsbox__proc_release(proc);
}
