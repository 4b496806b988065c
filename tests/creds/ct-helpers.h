/*
 * ct-helpers.h - helpers of the creds / cgroup / time suites (tests/creds/).
 *
 * SPDX-License-Identifier: MIT
 *
 * Self-contained on purpose (the directory owns its helpers):
 *  - suite start-up: skip with exit 77, or fail when NSBOX_TEST_MUST_WORK=1;
 *  - CT_* assertions that work in the Check test process and in a process
 *    the test forked (ct_in_child), which reports through a pipe;
 *  - a no-leak snapshot (open fds, children and zombies, signal mask);
 *  - the payload program ct-payload (see ct-payload.c), copied to a
 *    world-readable temporary directory so that any uid can execute it;
 *  - outside views: fields of /proc/PID/status, files under /proc/PID.
 */
#ifndef NSBOX_CT_HELPERS_H
#define NSBOX_CT_HELPERS_H

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "nsbox.h"

/* nobody / nogroup on Debian: the unprivileged identity of the suites. */
#define CT_UNPRIV 65534
/* How long a read from a payload may take, in milliseconds. */
#define CT_IO_TIMEOUT_MS 20000

/* ---- start-up ---- */

/* Line-buffer stdout, remember the main pid, set a sane PATH. */
void ct_init(void);
/* Exit 77 with the reason printed (exit 1 when NSBOX_TEST_MUST_WORK=1). */
void ct_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void ct_require_root(const char *suite);
/* 1 when NSBOX_TEST_MUST_WORK=1 (CI): nothing may be left untested. */
int ct_must_work(void);
/* Run the suite (CK_ENV verbosity); the exit code for main(). */
int ct_run(Suite *s);
TCase *ct_tcase(const char *name);

/* ---- assertions ---- */

void ct_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define CT_ASSERT(cond, ...)                                                                      \
	do {                                                                                      \
		if (!(cond))                                                                      \
			ct_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                          \
	} while (0)

/* Integers; the message shows both values and nsbox_last_error(). */
#define CT_INT(a, op, b)                                                                          \
	do {                                                                                      \
		long long ct_a_ = (long long)(a), ct_b_ = (long long)(b);                         \
		if (!(ct_a_ op ct_b_))                                                            \
			ct_fail(__FILE__, __LINE__, #a " " #op " " #b,                            \
			        "%lld vs %lld (last error: \"%s\")", ct_a_, ct_b_,                \
			        nsbox_last_error());                                              \
	} while (0)

/* A libnsbox call that must return >= 0. */
#define CT_OK(call) CT_INT((call), >=, 0)
/* A libnsbox call that must return exactly @err (a negative errno). */
#define CT_ERR(call, err) CT_INT((call), ==, (err))

#define CT_CONTAINS(hay, needle)                                                                  \
	do {                                                                                      \
		const char *ct_h_ = (hay), *ct_n_ = (needle);                                     \
		if (strstr(ct_h_, ct_n_) == NULL)                                                 \
			ct_fail(__FILE__, __LINE__, #hay " contains " #needle,                    \
			        "\"%s\" not in \"%s\"", ct_n_, ct_h_);                            \
	} while (0)

/* nsbox_last_error() must mention @needle. */
#define CT_LAST_ERROR_HAS(needle) CT_CONTAINS(nsbox_last_error(), (needle))

/* ---- forked test children ---- */

/* Run @fn(@arg) in a forked child; CT_* failures in it fail the test with
 * their message; so do a crash, a non-zero exit and 60 s without ending. */
void ct_in_child(void (*fn)(void *arg), void *arg);
/* The same, but a failure comes back (0, or -1 with the message in @msg)
 * so that the caller can clean up before it fails the test. */
int ct_in_child_try(void (*fn)(void *arg), void *arg, char *msg, size_t size);
/* In a forked child of root: no groups, uid/gid CT_UNPRIV, dumpable (as a
 * process that exec'd normally), no capability left (checked). */
void ct_drop_to_nobody(void);

/* ---- no-leak snapshot ---- */

struct ct_snap {
	char *fds;      /* "N -> target\n" per open fd */
	char *children; /* pids in /proc/self/task/x/children, sorted */
	sigset_t mask;
};
void ct_snap_take(struct ct_snap *s);
/* Fails on any difference: an fd opened or closed, a child or zombie left
 * (waitid(P_ALL, WNOHANG|WNOWAIT|__WALL) must say ECHILD when there were
 * no children before), another signal mask. Frees @s. */
#define CT_SNAP_CHECK(s) ct_snap_check((s), __FILE__, __LINE__)
void ct_snap_check(struct ct_snap *s, const char *file, int line);

/* ---- payloads ---- */

/* The payload program (built by meson, copied where every uid may run it). */
const char *ct_payload(void);
/* A new config with namespaces @ns. */
nsbox_config *ct_cfg(uint32_t ns);
/*
 * Make @cfg exec ct-payload with the commands in @cmds (NULL-terminated),
 * its report fd being the write end of a new pipe. *rd gets the read end
 * (O_CLOEXEC), *wr the write end (inherited by the payload): close *wr
 * after nsbox_spawn().
 */
void ct_cfg_payload(nsbox_config *cfg, int *rd, int *wr, const char *const *cmds);
/* nsbox_spawn (must succeed), close the write end; the payload's handle. */
nsbox_proc *ct_spawn(nsbox_config *cfg, int wr);
/* One line ("\n" stripped) within CT_IO_TIMEOUT_MS; -1 at EOF. */
int ct_read_line(int fd, char *buf, size_t size);
/* Expect "ready" from the payload. */
void ct_expect_ready(int fd);
/* 1 if @fd has data or EOF within @ms milliseconds. */
int ct_readable(int fd, int ms);
/* SIGKILL if running, wait, free; returns the wait status. */
int ct_finish(nsbox_proc *proc);
/* Wait (must succeed) and free; returns the wait status. */
int ct_wait_free(nsbox_proc *proc);
const char *ct_status_str(int status);

/* ---- outside views ---- */

/* Whole file, NUL-terminated; length or -errno. */
ssize_t ct_read_file(const char *path, char *buf, size_t size);
/* Write @text to an existing file; 0 or -errno. */
int ct_write_file(const char *path, const char *text);
/* /proc/PID/NAME (pid 0: self); the read must succeed. */
void ct_proc_read(pid_t pid, const char *name, char *buf, size_t size);
/* The value of "@field:" in /proc/PID/status (tabs trimmed); must exist. */
void ct_status(pid_t pid, const char *field, char *out, size_t size);
/* A hexadecimal status field (CapEff...). */
uint64_t ct_status_hex(pid_t pid, const char *field);
/* A decimal status field's first number (NoNewPrivs, Seccomp...). */
long ct_status_long(pid_t pid, const char *field);
/* The all-capabilities mask of this kernel (cap_last_cap). */
uint64_t ct_full_caps(void);
int ct_cap_last(void);
/* "/proc/PID/ns/@kind" inode. */
uint64_t ct_ns_ino(pid_t pid, const char *kind);
/* Whether @path is a mount point listed in /proc/self/mountinfo. */
int ct_is_mounted(const char *path);
/* Unique tag "ct<pid>-<n>". */
const char *ct_tag(void);

#endif
