/*
 * mt.h - small helpers of the mount feature's Check suites (tests/mount/).
 *
 * SPDX-License-Identifier: MIT
 *
 * Self-contained on purpose: suite start-up (skip with 77, or fail under
 * NSBOX_TEST_MUST_WORK=1), assertions usable in a forked test child, a
 * no-leak snapshot (fds, children, signal mask), shell payloads whose output
 * comes back on a pipe, host temporary directories, and /proc/PID/mountinfo
 * parsed from outside the child.
 */
#ifndef NSBOX_MT_H
#define NSBOX_MT_H

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "nsbox.h"

#define MT_UNPRIV_ID 65534
#define MT_IO_TIMEOUT_MS 20000

/* ---- start-up ---- */
void mt_init(void);
void mt_skip(const char *reason) __attribute__((noreturn));
void mt_require_root(const char *suite);
/* Whether a process dropped to MT_UNPRIV_ID (from root) can create a user
 * and a mount namespace. */
int mt_userns_available(void);
/* NSBOX_TEST_MUST_WORK=1: every skip is a failure. */
int mt_must_work(void);
int mt_run(Suite *s);
TCase *mt_tcase(const char *name);

/* ---- assertions (in the Check process or in mt_in_child) ---- */
void mt_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
#define MT_ASSERT(cond, ...)                                              \
	do {                                                              \
		if (!(cond))                                              \
			mt_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);  \
	} while (0)
#define MT_INT(a, op, b)                                                                            \
	do {                                                                                        \
		long long mt_a_ = (long long)(a), mt_b_ = (long long)(b);                           \
		if (!(mt_a_ op mt_b_))                                                              \
			mt_fail(__FILE__, __LINE__, #a " " #op " " #b, "%lld vs %lld (last error: \"%s\")", \
			        mt_a_, mt_b_, nsbox_last_error());                                  \
	} while (0)
#define MT_OK(call) MT_INT((call), ==, 0)
#define MT_CONTAINS(hay, needle)                                                               \
	do {                                                                                   \
		const char *mt_h_ = (hay), *mt_n_ = (needle);                                  \
		if (!strstr(mt_h_, mt_n_))                                                     \
			mt_fail(__FILE__, __LINE__, #hay " contains " #needle, "\"%s\" not in \"%s\"", \
			        mt_n_, mt_h_);                                                 \
	} while (0)
#define MT_LACKS(hay, needle)                                                                  \
	do {                                                                                   \
		const char *mt_h_ = (hay), *mt_n_ = (needle);                                  \
		if (strstr(mt_h_, mt_n_))                                                      \
			mt_fail(__FILE__, __LINE__, #hay " lacks " #needle, "\"%s\" is in \"%s\"", \
			        mt_n_, mt_h_);                                                 \
	} while (0)

/* Run fn(arg) in a forked child of the test; its MT_ASSERTs fail the test. */
void mt_in_child(void (*fn)(void *), void *arg);
/* In such a child: drop to MT_UNPRIV_ID, no groups, no capabilities. */
void mt_drop_privileges(void);

/* ---- no-leak snapshot ---- */
struct mt_snap {
	char *fds;
	char *children;
	sigset_t mask;
};
void mt_snap_take(struct mt_snap *s);
#define MT_SNAP_CHECK(s) mt_snap_check((s), __FILE__, __LINE__)
void mt_snap_check(struct mt_snap *s, const char *file, int line);

/* ---- configurations and payloads ---- */
nsbox_config *mt_cfg(uint32_t ns);
/* New root pieces enough for /bin/sh: read-only /usr and the merged-/usr
 * symlinks (bin, sbin, lib, lib32, lib64, libx32 where the host has them). */
void mt_min_root(nsbox_config *cfg);
/* Run /bin/sh -c SCRIPT with stdout and stderr on a pipe (read end in *rd).
 * Returns nsbox_spawn()'s result; *proc only on success. */
int mt_spawn_sh(nsbox_config *cfg, nsbox_proc **proc, int *rd, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same, asserting success. */
nsbox_proc *mt_start(nsbox_config *cfg, int *rd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Read until a line equal to @mark (not included) or EOF; returns the text. */
void mt_read_until(int fd, const char *mark, char *buf, size_t size);
/* Read until EOF. */
void mt_read_all(int fd, char *buf, size_t size);
/* Kill (SIGKILL), wait, free; returns the wait status. */
int mt_kill_free(nsbox_proc *proc);
/* Wait and free; returns the wait status. */
int mt_wait_free(nsbox_proc *proc);
/* Run to completion: output in @out (size @size), returns the exit code
 * (128+signal if killed). Asserts the spawn works. */
int mt_run_sh(nsbox_config *cfg, char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- host files ---- */
/* mkdtemp under /tmp, mode 0755; returns a static-lifetime copy to free. */
char *mt_tmpdir(void);
/* rm -rf (does not cross mount points). */
void mt_rmtree(const char *path);
void mt_write(const char *path, const char *text);
ssize_t mt_read_file(const char *path, char *buf, size_t size);
int mt_exists(const char *path);

/* ---- mountinfo ---- */
struct mt_mount {
	char point[512];  /* mount point, unescaped */
	char root[512];   /* root of the mount within its file system */
	char opts[256];   /* per-mount options (rw,nosuid,...) */
	char fstype[64];
	char super[512];  /* super block options */
};
/* Parse /proc/PID/mountinfo (pid 0: self); returns the count (at most @max). */
int mt_mountinfo(pid_t pid, struct mt_mount *m, int max);
/* The last (top) mount on @point, or NULL. */
const struct mt_mount *mt_find(const struct mt_mount *m, int n, const char *point);
/* Whether the comma-separated @opts holds @opt exactly. */
int mt_has_opt(const char *opts, const char *opt);

#endif
