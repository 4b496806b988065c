/*
 * net-helpers.h - small helpers of the net suites (tests/net/).
 *
 * SPDX-License-Identifier: MIT
 *
 *  - start-up: skip with exit 77 and a reason (exit 1 when
 *    NSBOX_TEST_MUST_WORK=1);
 *  - NH_ASSERT*: assertions that work in the Check test process and in a
 *    process the test forked (nh_in_child), which reports through a pipe;
 *  - the no-leak snapshot: open fds, children, signal mask;
 *  - commands run from the test (ip, nsenter, ping) and their output;
 *  - the interfaces of the caller's network namespace (/proc/self/net/dev).
 */
#ifndef NSBOX_NET_HELPERS_H
#define NSBOX_NET_HELPERS_H

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "nsbox.h"

#define NH_UNPRIV_ID 65534

void nh_init(void);
void nh_skip(const char *reason) __attribute__((noreturn));
/* 1 when NSBOX_TEST_MUST_WORK=1. */
int nh_must_work(void);
/* 1 when @cmd is an executable in PATH. */
int nh_have_cmd(const char *cmd);
/* Run the suite; returns the exit code for main() (77 when @skipped says
 * that part was left out and everything else passed). */
int nh_run(Suite *s, const char *skipped);

void nh_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define NH_ASSERT(cond, ...)                                                                      \
	do {                                                                                      \
		if (!(cond))                                                                      \
			nh_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                          \
	} while (0)

#define NH_INT(a, op, b)                                                                          \
	do {                                                                                      \
		long long nh_a_ = (long long)(a), nh_b_ = (long long)(b);                         \
		if (!(nh_a_ op nh_b_))                                                            \
			nh_fail(__FILE__, __LINE__, #a " " #op " " #b,                            \
			        "%lld vs %lld (last error: \"%s\")", nh_a_, nh_b_,                \
			        nsbox_last_error());                                              \
	} while (0)

#define NH_OK(call) NH_INT((call), ==, 0)

#define NH_CONTAINS(hay, needle)                                                                  \
	do {                                                                                      \
		const char *nh_h_ = (hay), *nh_n_ = (needle);                                     \
		if (strstr(nh_h_, nh_n_) == NULL)                                                 \
			nh_fail(__FILE__, __LINE__, #hay " contains " #needle,                    \
			        "\"%s\" not in \"%s\"", nh_n_, nh_h_);                            \
	} while (0)

#define NH_LACKS(hay, needle)                                                                     \
	do {                                                                                      \
		const char *nh_h_ = (hay), *nh_n_ = (needle);                                     \
		if (strstr(nh_h_, nh_n_) != NULL)                                                 \
			nh_fail(__FILE__, __LINE__, #hay " lacks " #needle,                       \
			        "\"%s\" found in \"%s\"", nh_n_, nh_h_);                          \
	} while (0)

/* Run @fn(@arg) in a forked child of the test; NH_ASSERT* there fail the
 * test with their message. The child exits 0 when @fn returns. */
void nh_in_child(void (*fn)(void *arg), void *arg);
/* In a forked child: drop to uid/gid 65534, no groups, dumpable. */
void nh_drop_privileges(void);

struct nh_snap {
	char fds[4096];
	sigset_t mask;
};
void nh_snap_take(struct nh_snap *s);
/* The same fds and signal mask, and no child at all (waitid: ECHILD). */
#define NH_SNAP_CHECK(s) nh_snap_check((s), __FILE__, __LINE__)
void nh_snap_check(const struct nh_snap *s, const char *file, int line);

/* /bin/sh -c CMD, stdout (and stderr) into @out; returns the exit code
 * (128+N for a signal). */
int nh_sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "lo nsth0 ..." : the interfaces of the caller's network namespace. */
void nh_links(char *buf, size_t size);
/* Wait up to @ms for the interfaces to be @want; returns 1 if they are. */
int nh_links_become(const char *want, int ms);
/* Whether interface @name's flag list (ip -o link) has UP: in the caller's
 * namespace (pid 0) or via nsenter in @pid's. */
int nh_link_up(pid_t pid, const char *name);
/* The same, entering @pid's user namespace first (an unprivileged caller
 * that owns it). */
int nh_link_up_user(pid_t pid, const char *name);

/* 1 under valgrind (NSBOX_TEST_VALGRIND=1 or its preload). */
int nh_under_valgrind(void);
/* NSBOX_SPAWN_FORK under valgrind, which aborts on clone(CLONE_VM) without
 * CLONE_VFORK (the library's way when the parent has work to do), else 0. */
uint32_t nh_spawn_flags(void);

/* A config running /bin/sleep 60 in namespaces @ns, with nh_spawn_flags(). */
nsbox_config *nh_sleep_cfg(uint32_t ns);
/* Kill, reap, free; asserts the wait works. */
void nh_finish(nsbox_proc *p);

#endif
