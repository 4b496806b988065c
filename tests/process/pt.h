/*
 * pt.h - small helpers of the process suite (tests/process), kept here so
 * that the suite stands alone.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NSBOX_PT_H
#define NSBOX_PT_H

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "nsbox.h"

#define PT_UNPRIV_ID 65534

/* Skip the suite (exit 77), or fail it when NSBOX_TEST_MUST_WORK=1. */
void pt_skip(const char *reason) __attribute__((noreturn));
/* Whether unprivileged user namespaces can be created here (asked of a
 * forked process that drops to PT_UNPRIV_ID first when root). */
int pt_userns_works(void);

/* Assertions that also work in a process forked by the test (pt_in_child):
 * there they report through a pipe and _exit(1). */
void pt_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
#define PT_ASSERT(cond, ...)                                                               \
	do {                                                                               \
		if (!(cond))                                                               \
			pt_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                   \
	} while (0)
#define PT_INT(a, op, b)                                                                   \
	do {                                                                               \
		long long pt_a_ = (long long)(a), pt_b_ = (long long)(b);                  \
		if (!(pt_a_ op pt_b_))                                                     \
			pt_fail(__FILE__, __LINE__, #a " " #op " " #b,                     \
			        "%lld vs %lld (last error: \"%s\")", pt_a_, pt_b_,         \
			        nsbox_last_error());                                       \
	} while (0)
#define PT_OK(call) PT_INT((call), ==, 0)
#define PT_STR(a, b)                                                                       \
	do {                                                                               \
		const char *pt_sa_ = (a), *pt_sb_ = (b);                                   \
		if (strcmp(pt_sa_, pt_sb_) != 0)                                           \
			pt_fail(__FILE__, __LINE__, #a " == " #b, "\"%s\" vs \"%s\"",      \
			        pt_sa_, pt_sb_);                                           \
	} while (0)
#define PT_CONTAINS(hay, needle)                                                           \
	do {                                                                               \
		const char *pt_h_ = (hay), *pt_n_ = (needle);                              \
		if (!strstr(pt_h_, pt_n_))                                                 \
			pt_fail(__FILE__, __LINE__, #hay " contains " #needle,             \
			        "\"%s\" not in \"%s\"", pt_n_, pt_h_);                     \
	} while (0)

/* Run fn(arg) in a forked process; its PT_ASSERTs fail the test. The
 * process ends with _exit(0) when fn returns. */
void pt_in_child(void (*fn)(void *), void *arg);
/* In such a process: drop to PT_UNPRIV_ID (no groups, no capabilities),
 * staying dumpable. */
void pt_drop_privileges(void);

/* No-leak snapshot: open fds, children, signal mask of the calling thread. */
struct pt_snap {
	char fds[4096];
	sigset_t mask;
	int had_children;
};
void pt_snap_take(struct pt_snap *s);
#define PT_SNAP_CHECK(s) pt_snap_check((s), __FILE__, __LINE__)
void pt_snap_check(const struct pt_snap *s, const char *file, int line);

/* A config running /bin/sh -c SCRIPT with stdout on a pipe (*rd: read end,
 * close-on-exec; the write end is inherited without close-on-exec and is
 * returned in *wr for the caller to close after nsbox_spawn). */
nsbox_config *pt_cfg_sh(uint32_t ns, int *rd, int *wr, const char *script);
/* A config running argv[0] with argv (no pipe). */
nsbox_config *pt_cfg_exec(uint32_t ns, const char *const *argv);
/* A live payload: /bin/sleep 30. */
nsbox_config *pt_cfg_sleep(uint32_t ns);
/* Spawn (must succeed) and close *wr if >= 0. */
nsbox_proc *pt_spawn(nsbox_config *cfg, int *wr);
/* Read a line (no '\n') within 20 s; -1 at EOF. */
int pt_read_line(int fd, char *buf, size_t size);
/* Kill with SIGKILL if needed, wait, free; returns the wait status. */
int pt_finish(nsbox_proc *proc);
/* Wait (must succeed within 20 s) and free; returns the wait status. */
int pt_wait_free(nsbox_proc *proc);
const char *pt_status_str(int status);

/* /proc/PID/NAME into buf (NUL-terminated; NULs of the file kept, length
 * returned); -errno when it cannot be read. */
ssize_t pt_proc_read(pid_t pid, const char *name, char *buf, size_t size);
/* The value after "Key:" in /proc/PID/status, whitespace-trimmed. */
void pt_status_field(pid_t pid, const char *key, char *out, size_t size);
/* Fields 5 (pgrp) and 6 (session) of /proc/PID/stat, and the state. */
void pt_stat_ids(pid_t pid, char *state, long *pgrp, long *session);
/* The sorted open fds of /proc/PID/fd as "0 1 2 5". */
void pt_fd_list(pid_t pid, char *out, size_t size);
/* readlink /proc/PID/fd/FD (pid 0: self). */
void pt_fd_target(pid_t pid, int fd, char *out, size_t size);
/* /proc/PID/task/PID/children: up to max pids; returns the count. */
int pt_children(pid_t pid, long *pids, int max);
/* Wait (up to 5 s) until pid sleeps in clock_nanosleep/nanosleep, i.e. the
 * /bin/sleep payload has finished execve: the parent of a vfork-style spawn
 * may run again before the kernel has closed the close-on-exec descriptors
 * and reset the signal handlers. */
void pt_wait_sleeping(pid_t pid);
/* Whether pid is gone or a zombie. */
int pt_dead(pid_t pid);
long pt_now_ms(void);

#endif
