/* SPDX-License-Identifier: MIT
 * Raw system calls for the child, and clone3(2)/clone(2) onto a given stack.
 *
 * clone3 has no libc wrapper that takes a function, so on x86_64 a small
 * trampoline makes the call: in the child (which starts on the new stack)
 * it calls fn(arg) and exits with its value. Elsewhere clone(2) of libc is
 * used, and clone3-only features are reported as unsupported. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>

#include "nsbox-private.h"

#if defined(__x86_64__)
long nsbox__sys(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* long nsbox__clone3_raw(struct clone_args *args, size_t size, int (*fn)(void *), void *arg)
 * fn and arg are kept in r12/r13 (callee-saved, and preserved by the kernel
 * for the child). The parent restores them before returning. */
long nsbox__clone3_raw(void *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl nsbox__clone3_raw\n"
        ".hidden nsbox__clone3_raw\n"
        ".type nsbox__clone3_raw,@function\n"
        "nsbox__clone3_raw:\n"
        "	push %r12\n"
        "	push %r13\n"
        "	mov %rdx, %r12\n"
        "	mov %rcx, %r13\n"
        "	mov $" NSBOX_STR(__NR_clone3) ", %eax\n"
        "	syscall\n"
        "	test %rax, %rax\n"
        "	jz .Lnsbox_clone_child\n"
        "	pop %r13\n"
        "	pop %r12\n"
        "	ret\n"
        /* the child, of both trampolines: fn(arg), then exit with its value */
        ".Lnsbox_clone_child:\n"
        "	xor %ebp, %ebp\n"
        "	and $-16, %rsp\n"
        "	mov %r13, %rdi\n"
        "	call *%r12\n"
        "	mov %eax, %edi\n"
        "	mov $" NSBOX_STR(__NR_exit) ", %eax\n"
        "	syscall\n"
        "	hlt\n"
        ".size nsbox__clone3_raw, .-nsbox__clone3_raw\n");

/* long nsbox__clone_raw(unsigned long flags, int *ptid, int (*fn)(void *), void *arg)
 * clone(2) with no new stack: the child goes on, like fork(), on its own
 * copy of the caller's stack, which libc's clone() does not allow. Only
 * for children that do not share memory (no CLONE_VM). With CLONE_PIDFD
 * the kernel writes the pidfd to *ptid. */
long nsbox__clone_raw(unsigned long flags, int *ptid, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl nsbox__clone_raw\n"
        ".hidden nsbox__clone_raw\n"
        ".type nsbox__clone_raw,@function\n"
        "nsbox__clone_raw:\n"
        "	push %r12\n"
        "	push %r13\n"
        "	mov %rdx, %r12\n"
        "	mov %rcx, %r13\n"
        "	mov %rsi, %rdx\n" /* parent_tid */
        "	xor %esi, %esi\n" /* newsp: none */
        "	xor %r10d, %r10d\n" /* child_tid */
        "	xor %r8d, %r8d\n" /* tls */
        "	mov $" NSBOX_STR(__NR_clone) ", %eax\n"
        "	syscall\n"
        "	test %rax, %rax\n"
        "	jz .Lnsbox_clone_child\n" /* in nsbox__clone3_raw */
        "	pop %r13\n"
        "	pop %r12\n"
        "	ret\n"
        ".size nsbox__clone_raw, .-nsbox__clone_raw\n");
#define HAVE_CLONE3_TRAMPOLINE 1
#else
long nsbox__sys(long nr, long a, long b, long c, long d, long e, long f)
{
	/* No raw path on this architecture: syscall(2) sets errno, which the
	 * CLONE_VM child shares with the calling thread; callers of the
	 * library never read errno. */
	long r = syscall(nr, a, b, c, d, e, f);
	return r < 0 ? -errno : r;
}
#define HAVE_CLONE3_TRAMPOLINE 0
#endif

/* 0: not known yet, 1: clone3 works, -1: ENOSYS seen or no trampoline. */
static atomic_int clone3_state = HAVE_CLONE3_TRAMPOLINE ? 0 : -1;

int nsbox__clone3_unavailable(void)
{
	return atomic_load_explicit(&clone3_state, memory_order_relaxed) < 0;
}

int nsbox__clone_stackless(void)
{
	return HAVE_CLONE3_TRAMPOLINE;
}

static long via_clone(const struct nsbox_clone_req *req, int (*fn)(void *), void *arg)
{
	int flags = (int)req->flags | (req->exit_signal & 0xff);
	long r;

#if HAVE_CLONE3_TRAMPOLINE
	if (!req->stack)
		return nsbox__clone_raw((unsigned long)(unsigned)flags, req->pidfd, fn, arg);
#endif
	r = clone(fn, req->stack + req->stack_size, flags, arg, req->pidfd, NULL, NULL);
	return r < 0 ? -errno : r;
}

long nsbox__clone(const struct nsbox_clone_req *req, int (*fn)(void *), void *arg, int *used_clone3)
{
	*used_clone3 = 0;
#if HAVE_CLONE3_TRAMPOLINE
	if (!req->no_clone3 && !nsbox__clone3_unavailable()) {
		struct clone_args ca;
		long r;

		memset(&ca, 0, sizeof(ca));
		ca.flags = req->flags;
		if (req->sighand_cleared) {
			/* Linux 5.5: caught signals start at SIG_DFL in the child,
			 * which spares it 64 rt_sigaction calls. */
			ca.flags |= CLONE_CLEAR_SIGHAND;
			*req->sighand_cleared = 1;
		}
		ca.pidfd = (uint64_t)(uintptr_t)req->pidfd;
		ca.exit_signal = (uint64_t)req->exit_signal;
		ca.stack = (uint64_t)(uintptr_t)req->stack;
		ca.stack_size = req->stack_size;
		if (req->flags & CLONE_INTO_CGROUP)
			ca.cgroup = (uint64_t)req->cgroup_fd;
		r = nsbox__clone3_raw(&ca, sizeof(ca), fn, arg);
		if (r >= 0) {
			/* Written once: after a fork-style clone every page the
			 * parent writes costs it a copy-on-write fault. */
			if (atomic_load_explicit(&clone3_state, memory_order_relaxed) != 1)
				atomic_store_explicit(&clone3_state, 1, memory_order_relaxed);
			*used_clone3 = 1;
			return r;
		}
		if (r == -ENOSYS)
			atomic_store_explicit(&clone3_state, -1, memory_order_relaxed);
		if (req->clone3_only)
			return r;
		if (r == -EINVAL && req->sighand_cleared && !(req->flags & CLONE_CLEAR_SIGHAND)) {
			/* a kernel older than 5.5: no CLONE_CLEAR_SIGHAND */
			*req->sighand_cleared = 0;
			ca.flags &= ~(uint64_t)CLONE_CLEAR_SIGHAND;
			r = nsbox__clone3_raw(&ca, sizeof(ca), fn, arg);
			if (r >= 0) {
				*used_clone3 = 1;
				return r;
			}
		}
		if (r != -ENOSYS && r != -EPERM)
			return r;
		/* ENOSYS, or EPERM that may come from a seccomp filter: clone(2)
		 * answers for itself, unless a clone3-only flag is in the request,
		 * which must not be silently dropped. */
		if (req->needs_clone3 || (req->flags & CLONE_NEWTIME)) {
			*used_clone3 = -1; /* refused, and no fallback */
			return r == -ENOSYS ? -EOPNOTSUPP : r;
		}
		if (req->flags & ~(uint64_t)0xffffffffULL)
			return r; /* CLONE_INTO_CGROUP: the caller has its own fallback */
		*used_clone3 = 0;
	}
#endif
	if (req->needs_clone3 || req->flags & ~(uint64_t)0xffffffffULL || (req->flags & CLONE_NEWTIME)) {
		*used_clone3 = -1;
		return -EOPNOTSUPP;
	}
	if (req->sighand_cleared)
		*req->sighand_cleared = 0;
	return via_clone(req, fn, arg);
}
