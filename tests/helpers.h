/*
 * helpers.h - shared helpers of the libnsbox Check suites.
 *
 * SPDX-License-Identifier: MIT
 *
 * What lives here:
 *  - suite start-up: skip with exit 77 (or fail, with NSBOX_TEST_MUST_WORK=1)
 *    when the suite needs root or a tool that is missing;
 *  - NT_ASSERT*: assertions that work both in the Check test process and in
 *    a process the test forked (nt_in_child), where they report the failure
 *    through a pipe and _exit(1);
 *  - the no-leak snapshot: open fds, children (and zombies), the signal
 *    mask, every signal disposition and /proc/self/maps, taken before a call
 *    and compared after it;
 *  - payload helpers: spawn /bin/sh -c SCRIPT with its stdout on a pipe,
 *    read lines with a timeout, kill and reap;
 *  - outside views of a process: /proc/PID/ns/KIND identities, files under
 *    /proc/PID, and commands (nsenter, ip, ipcs) run from the test.
 */
#ifndef NSBOX_TEST_HELPERS_H
#define NSBOX_TEST_HELPERS_H

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "nsbox.h"

/* Unprivileged identity the suites drop to (nobody/nogroup on Debian). */
#define NT_UNPRIV_ID 65534

/* How long a helper waits for a payload's output, in milliseconds. */
#define NT_IO_TIMEOUT_MS 20000

/* ---- suite start-up ----------------------------------------------------- */

/* Set PATH so that nsenter, ip, ipcs... are found, and line-buffer stdout. */
void nt_init(void);
/* Skip the whole suite: exit 77, or exit 1 when NSBOX_TEST_MUST_WORK=1. */
void nt_skip(const char *reason) __attribute__((noreturn));
/* Skip unless the effective uid is 0. */
void nt_require_root(const char *suite);
/* Skip unless @cmd is found in PATH. */
void nt_require_cmd(const char *cmd);
/* Skip unless unprivileged user namespaces can be created. */
void nt_require_userns(void);
/* Run @s with CK_ENV verbosity; returns the exit code for main(). */
int nt_run_suite(Suite *s);
/* A test case with a timeout suited to these suites (60 s). */
TCase *nt_tcase(const char *name);
/* 1 when running under valgrind (NSBOX_TEST_VALGRIND=1 or LD_PRELOAD). */
int nt_under_valgrind(void);
/* In a test: return early, saying why, when under valgrind, for what
 * valgrind cannot emulate (clone3, clone(CLONE_VM) without CLONE_VFORK,
 * pidfd_send_signal in valgrind 3.19). Never skips a normal run. */
#define NT_NOT_UNDER_VALGRIND(why)                                                                \
	do {                                                                                      \
		if (nt_under_valgrind()) {                                                        \
			printf("%s:%d: not under valgrind: %s\n", __FILE__, __LINE__, (why));    \
			return;                                                                   \
		}                                                                                 \
	} while (0)

/* ---- assertions ------------------------------------------------------------ */

void nt_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define NT_ASSERT(cond, ...)                                                                      \
	do {                                                                                      \
		if (!(cond))                                                                      \
			nt_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                          \
	} while (0)

/* Compare two integers; the message shows both and nsbox_last_error(). */
#define NT_ASSERT_INT(a, op, b)                                                                   \
	do {                                                                                      \
		long long nt_a_ = (long long)(a), nt_b_ = (long long)(b);                         \
		if (!(nt_a_ op nt_b_))                                                            \
			nt_fail(__FILE__, __LINE__, #a " " #op " " #b,                            \
			        "%lld vs %lld (last error: \"%s\")", nt_a_, nt_b_,                \
			        nsbox_last_error());                                              \
	} while (0)

/* A libnsbox call that must succeed (return >= 0). */
#define NT_OK(call) NT_ASSERT_INT((call), >=, 0)

#define NT_ASSERT_STR_EQ(a, b)                                                                    \
	do {                                                                                      \
		const char *nt_sa_ = (a), *nt_sb_ = (b);                                          \
		if (strcmp(nt_sa_, nt_sb_) != 0)                                                  \
			nt_fail(__FILE__, __LINE__, #a " == " #b, "\"%s\" vs \"%s\"", nt_sa_,     \
			        nt_sb_);                                                          \
	} while (0)

#define NT_ASSERT_CONTAINS(hay, needle)                                                           \
	do {                                                                                      \
		const char *nt_h_ = (hay), *nt_n_ = (needle);                                     \
		if (strstr(nt_h_, nt_n_) == NULL)                                                 \
			nt_fail(__FILE__, __LINE__, #hay " contains " #needle,                    \
			        "\"%s\" not in \"%s\"", nt_n_, nt_h_);                            \
	} while (0)

/* ---- forked test children ---------------------------------------------- */

/*
 * Run @fn(@arg) in a forked child of the test (for calls that change the
 * calling process: nsbox_join, nsbox_detach, dropping privileges...).
 * NT_ASSERT* in @fn report through a pipe; the test fails with that message
 * when the child fails, crashes or does not end within 60 s. The child exits
 * 0 when @fn returns.
 */
void nt_in_child(void (*fn)(void *arg), void *arg);
/* The same, without failing: returns 1 when @fn succeeded, else 0 with the
 * reason in @why (for tests that must clean up before they fail). */
int nt_in_child_try(void (*fn)(void *arg), void *arg, char *why, size_t size);
/* Remove a cgroup directory a test made, killing what is left in it (only
 * the test's own processes can be there); returns 0 or -errno. */
int nt_cgroup_remove(const char *dir);
/* In a forked child: drop to uid/gid NT_UNPRIV_ID with no groups and no
 * capabilities, and stay dumpable like a process that exec'd normally. */
void nt_drop_privileges(void);

/* ---- no-leak snapshot ---------------------------------------------------- */

struct nt_sigact {
	int rc;
	uintptr_t handler;
	int flags;
	sigset_t mask;
};

struct nt_snap {
	char *fds;      /* "N -> target\n" for each open fd */
	char *children; /* sorted pids from /proc/self/task/x/children */
	char *maps;     /* /proc/self/maps without [heap] and [stack] */
	int nmaps;      /* line count of /proc/self/maps */
	sigset_t mask;
	struct nt_sigact act[65];
};

void nt_snap_take(struct nt_snap *s);
/* Compare with the present state and free @s. Fails the test on any
 * difference: an fd opened or closed, a child or zombie left (and, when
 * there was none before, waitid(P_ALL, WNOHANG|__WALL) must say ECHILD),
 * another signal mask or disposition, a mapping added or removed. */
#define NT_SNAP_CHECK(s) nt_snap_check((s), __FILE__, __LINE__)
void nt_snap_check(struct nt_snap *s, const char *file, int line);
/* Number of lines in /proc/self/maps. */
int nt_maps_count(void);
/* Whether the mapping count means anything (not under valgrind or ASan). */
int nt_maps_reliable(void);
/* Built with AddressSanitizer (whose runtime starts threads of its own). */
int nt_under_asan(void);

/* ---- payloads ----------------------------------------------------------------- */

/* A new config with namespaces @ns (asserts success). */
nsbox_config *nt_cfg(uint32_t ns);
/* Make @cfg run /bin/sh -c "exec >&W; SCRIPT", W being the write end of a new
 * pipe; returns the write end through @wr and the read end (O_CLOEXEC) through
 * @rd. The caller closes @wr after nsbox_spawn() (nt_spawn_sh does it). */
void nt_cfg_sh(nsbox_config *cfg, int *rd, int *wr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* nt_cfg_sh + nsbox_spawn (which must succeed) + close the write end.
 * Returns the handle; *rd is the payload's stdout. */
nsbox_proc *nt_spawn_sh(nsbox_config *cfg, int *rd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read one line (without '\n') within NT_IO_TIMEOUT_MS; returns its length
 * or -1 at EOF before any byte; fails the test on timeout. */
int nt_read_line(int fd, char *buf, size_t size);
/* Read until EOF within NT_IO_TIMEOUT_MS; returns the length. */
size_t nt_read_all(int fd, char *buf, size_t size);
/* Expect the line "ready" (the live-payload convention). */
void nt_expect_ready(int fd);
/* Kill (SIGKILL) if still running, wait, free; returns the wait status. */
int nt_finish(nsbox_proc *proc);
/* Wait (must succeed) and free; returns the wait status. */
int nt_wait_free(nsbox_proc *proc);
/* Describe a wait status, for messages. */
const char *nt_status_str(int status);

/* ---- outside views ---------------------------------------------------------- */

/* Run /bin/sh -c CMD from the test; stdout into @out (NUL-terminated, may be
 * NULL). Returns the wait status. */
int nt_sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like nt_sh but the command must exit 0. */
void nt_sh_ok(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Read a whole file (NUL-terminated); returns the length or -errno. */
ssize_t nt_read_file(const char *path, char *buf, size_t size);
/* Read /proc/@pid/@name (pid 0: self); the read must succeed. */
void nt_proc_read(pid_t pid, const char *name, char *buf, size_t size);
/* Write a string to a file; returns 0 or -errno. */
int nt_write_file(const char *path, const char *text);

/* Identity of /proc/PID/ns/KIND (pid 0: self); asserts the stat works. */
struct nt_nsid {
	uint64_t dev, ino;
};
struct nt_nsid nt_ns(pid_t pid, const char *kind);
int nt_ns_eq(struct nt_nsid a, struct nt_nsid b);
/* Assert that @pid's namespace of @kind is not / is the caller's. */
void nt_assert_ns_differs(pid_t pid, const char *kind);
void nt_assert_ns_same(pid_t pid, const char *kind);
/* The /proc/PID/ns name of one NSBOX_NS_* bit. */
const char *nt_ns_name(uint32_t bit);

/* The line of /proc/PID/mountinfo whose mount point is "/" (the last one). */
void nt_root_mountinfo(pid_t pid, char *buf, size_t size);
/* The lines of /proc/@pid/mountinfo (0: self) whose mount point is @mp. */
void nt_mounts_at(pid_t pid, const char *mp, char *buf, size_t size);
/* Where cgroup2 is mounted (from /proc/self/mountinfo); "" if nowhere. */
void nt_cgroup2_mount(char *buf, size_t size);
/* The host's hostname (gethostname). */
void nt_hostname(char *buf, size_t size);
/* Strip trailing newlines in place; returns @s. */
char *nt_chomp(char *s);

/* A unique tag for names (hostnames, tmpfs sources...): "nsbox-t<pid>-<n>". */
const char *nt_tag(void);

/* Map lines parsed from a /proc/PID/uid_map text. */
struct nt_map_line {
	uint32_t inside, outside, count;
};
int nt_parse_map(const char *text, struct nt_map_line *lines, int max);

#endif
