/*
 * fault-payload.c - the payload of the fault-injection test: a static
 * program without libc whose only system call is pause(2) (ppoll where
 * there is no pause). After the payload's execve, strace sees no call of
 * the injected set, so every counted occurrence is the library's.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/syscall.h>

void _start(void) __attribute__((noreturn));

void _start(void)
{
	for (;;) {
#if defined(__x86_64__)
		long nr = SYS_pause;
		__asm__ volatile("syscall" : "+a"(nr) : : "rcx", "r11", "memory");
#elif defined(__aarch64__)
		register long x8 __asm__("x8") = SYS_ppoll;
		register long x0 __asm__("x0") = 0;
		register long x1 __asm__("x1") = 0;
		register long x2 __asm__("x2") = 0;
		register long x3 __asm__("x3") = 0;
		__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
#else
#error "fault-payload: add this architecture's pause"
#endif
	}
}
