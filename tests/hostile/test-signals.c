/*
 * test-signals.c - hostile hosts, signals: the caller ignores SIGCHLD, sets
 * SA_NOCLDWAIT or reaps everything with waitpid(-1); blocks every signal or
 * catches every signal; is hit by a signal storm while it spawns.
 *
 * Promises checked (include/nsbox.h):
 *  - with exit signal 0, nsbox_proc_wait() gets the payload's status
 *    whatever the caller does with SIGCHLD; -ECHILD when someone else reaped;
 *  - the payload starts with the spawning thread's signal mask, every caught
 *    signal at its default action, ignored ones still ignored (read from
 *    outside in /proc/PID/status), and no caller handler ever runs in the
 *    child, even for a signal that arrives between clone and execve;
 *  - a signal delivered to the caller during nsbox_spawn() makes it complete
 *    or return -EINTR, and leaves nothing behind.
 * After each call: no fd, child, zombie, mask or disposition changed.
 * Needs root (the configurations create namespaces).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

/* ---- callback payloads ------------------------------------------------------- */

static int cb_exit42_later(void *arg)
{
	(void)arg;
	usleep(300 * 1000);
	return 42;
}

/* ---- SIGCHLD: ignored, SA_NOCLDWAIT, a reaping handler ------------------------------ */

enum chld_mode { CHLD_IGN, CHLD_NOCLDWAIT, CHLD_REAPER, CHLD_MODES };
static const char *const chld_names[CHLD_MODES] = { "SIG_IGN", "SA_NOCLDWAIT", "waitpid(-1) handler" };

static volatile sig_atomic_t reaped_n;
static volatile pid_t reaped[64];

static void on_chld_noop(int sig)
{
	(void)sig;
}

/* What many programs do: reap every child on SIGCHLD. */
static void on_chld_reap(int sig)
{
	int saved = errno;
	pid_t p;

	(void)sig;
	while ((p = waitpid(-1, NULL, WNOHANG)) > 0) {
		if (reaped_n < 64)
			reaped[reaped_n] = p;
		reaped_n++;
	}
	errno = saved;
}

static void chld_setup(enum chld_mode m)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (m == CHLD_IGN) {
		sa.sa_handler = SIG_IGN;
	} else if (m == CHLD_NOCLDWAIT) {
		sa.sa_handler = on_chld_noop;
		sa.sa_flags = SA_NOCLDWAIT | SA_RESTART;
	} else {
		sa.sa_handler = on_chld_reap;
		sa.sa_flags = SA_RESTART;
	}
	NT_ASSERT(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction SIGCHLD: %s", strerror(errno));
	reaped_n = 0;
}

/* Plain children that end at once while the payload runs: their SIGCHLD
 * runs the caller's handler (or they are reaped by the kernel). */
static void churn_children(enum chld_mode m)
{
	pid_t q[3];

	for (int i = 0; i < 3; i++) {
		fflush(NULL);
		q[i] = fork();
		NT_ASSERT(q[i] >= 0, "fork: %s", strerror(errno));
		if (q[i] == 0)
			_exit(0);
	}
	for (int i = 0; i < 3; i++)
		NT_ASSERT(hx_wait_gone(q[i], 10000), "%s: plain child %d was never reaped", chld_names[m],
		          (int)q[i]);
}

/* The process is a zombie or gone (reaped), within @ms. */
static int ended(pid_t pid, int ms)
{
	long deadline = hx_now_ms() + ms;
	char path[64], text[512], *c;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (;;) {
		if (nt_read_file(path, text, sizeof(text)) < 0)
			return 1;
		c = strrchr(text, ')');
		if (c && (c[2] == 'Z' || c[2] == 'X'))
			return 1;
		if (hx_now_ms() > deadline)
			return 0;
		usleep(2000);
	}
}

static void check_not_reaped_by_handler(enum chld_mode m, pid_t pid)
{
	if (m != CHLD_REAPER)
		return;
	NT_ASSERT(reaped_n >= 3, "the reaping handler ran %d times, the test is broken", (int)reaped_n);
	for (int i = 0; i < reaped_n && i < 64; i++)
		NT_ASSERT(reaped[i] != pid, "the caller's waitpid(-1) reaped the payload %d", (int)pid);
}

/* One payload kind under SIGCHLD mode @m: exit signal 0, status 42 comes back. */
static void chld_one(enum chld_mode m, enum hx_kind k)
{
	nsbox_config *cfg = hx_cfg(k);
	nsbox_proc *p = NULL;
	struct nt_snap s;
	int32_t st = -1;
	pid_t pid;
	int r;

	hx_set_kind_payload(cfg, k, cb_exit42_later, "exit-after", "300", "42");
	NT_OK(nsbox_config_set_exit_signal(cfg, 0));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	pid = nsbox_proc_pid(p);
	churn_children(m);
	/* Let the payload end while we are not waiting for it, as a host
	 * does: its handler (or the kernel) acts first. */
	NT_ASSERT(ended(pid, 10000), "%s, %s: payload never ended", chld_names[m], hx_kind_name(k));
	r = nsbox_proc_wait(p, 0, &st);
	NT_ASSERT(r == 0, "%s, %s: nsbox_proc_wait returned %d (%s), last error \"%s\"", chld_names[m],
	          hx_kind_name(k), r, strerror(-r), nsbox_last_error());
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 42, "%s, %s: payload %s", chld_names[m], hx_kind_name(k),
	          nt_status_str(st));
	check_not_reaped_by_handler(m, pid);
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

/* SIGCHLD mode @arg, then each of @kinds (@n of them) in turn. */
static void chld_kinds(void *arg, const enum hx_kind *kinds, size_t n)
{
	enum chld_mode m = (enum chld_mode)(intptr_t)arg;

	chld_setup(m);
	for (size_t i = 0; i < n; i++)
		chld_one(m, kinds[i]);
}

static void child_chld_callback(void *arg)
{
	static const enum hx_kind kinds[] = { HX_CALLBACK, HX_CALLBACK_NS };

	chld_kinds(arg, kinds, sizeof(kinds) / sizeof(kinds[0]));
}

/* Callback payloads: the child never calls execve, its exit signal stays 0. */
START_TEST(test_sigchld_callback)
{
	nt_in_child(child_chld_callback, (void *)(intptr_t)_i);
}
END_TEST

static void child_chld_exec(void *arg)
{
	static const enum hx_kind kinds[] = { HX_EXEC_PLAIN, HX_EXEC_USER_ROOT, HX_EXEC_MULTIMAP, HX_EXEC_PID_UTS,
		                              HX_EXEC_FORK };

	chld_kinds(arg, kinds, sizeof(kinds) / sizeof(kinds[0]));
}

/* Exec payloads: execve(2) resets the exit signal to SIGCHLD (de_thread in
 * the kernel), so without more from the library the payload is the
 * caller's ordinary child again: reaped by the kernel (SIG_IGN,
 * SA_NOCLDWAIT) or by the caller's waitpid(-1). The header promises that
 * nsbox_proc_wait() "still works" with exit signal 0. */
START_TEST(test_sigchld_exec)
{
	nt_in_child(child_chld_exec, (void *)(intptr_t)_i);
}
END_TEST

/* ---- -ECHILD when someone else reaped ------------------------------------------------ */

static void expect_echild(nsbox_proc *p)
{
	int32_t st = 12345;

	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st), ==, -ECHILD);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "reaped by someone else");
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, -ECHILD);
	NT_ASSERT(st == 12345, "status written on failure");
	NT_ASSERT_INT(nsbox_proc_kill(p, SIGTERM), ==, -ESRCH);
}

static void child_echild(void *unused)
{
	nsbox_config *cfg = hx_cfg(HX_EXEC_PLAIN);
	nsbox_proc *p = NULL;
	struct nt_snap s;
	pid_t pid;
	int st;

	(void)unused;
	/* The caller reaps the payload by pid itself. */
	hx_set_payload(cfg, "pause", NULL, NULL);
	nt_snap_take(&s);
	NT_OK(nsbox_spawn(cfg, &p));
	pid = nsbox_proc_pid(p);
	NT_ASSERT(kill(pid, SIGKILL) == 0, "kill: %s", strerror(errno));
	NT_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	expect_echild(p);
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);

	/* SIGCHLD ignored and the default exit signal: the kernel reaps. */
	chld_setup(CHLD_IGN);
	hx_set_payload(cfg, "exit-after", "100", "0");
	nt_snap_take(&s);
	NT_OK(nsbox_spawn(cfg, &p));
	NT_ASSERT(hx_wait_gone(nsbox_proc_pid(p), 10000), "payload never went away");
	expect_echild(p);
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);

	/* Exit signal 0, and a handler that reaps clone children too (__WALL):
	 * nobody can protect a child from that. */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
	}
	NT_OK(nsbox_config_set_exit_signal(cfg, 0));
	hx_set_payload(cfg, "pause", NULL, NULL);
	nt_snap_take(&s);
	NT_OK(nsbox_spawn(cfg, &p));
	pid = nsbox_proc_pid(p);
	NT_ASSERT(kill(pid, SIGKILL) == 0, "kill: %s", strerror(errno));
	NT_ASSERT(waitpid(-1, &st, __WALL) == pid, "waitpid(-1, __WALL): %s", strerror(errno));
	expect_echild(p);
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(test_wait_echild)
{
	nt_in_child(child_echild, NULL);
}
END_TEST

/* ---- the payload's signal mask and dispositions, seen from outside ------------------- */

enum mask_mode { MASK_ALL, MASK_SOME, MASK_NONE, MASK_MODES };
static const char *const mask_names[MASK_MODES] = { "all blocked", "some blocked", "none blocked" };

static void set_mask(enum mask_mode m)
{
	sigset_t set;

	sigemptyset(&set);
	if (m == MASK_ALL) {
		sigfillset(&set);
	} else if (m == MASK_SOME) {
		sigaddset(&set, SIGUSR2);
		sigaddset(&set, SIGWINCH);
		sigaddset(&set, SIGRTMIN + 3);
	}
	NT_ASSERT(pthread_sigmask(SIG_SETMASK, &set, NULL) == 0, "pthread_sigmask");
}

/* Handlers: they write "H <sig> <pid>" to this pipe, so a handler that ran
 * in a child leaves its pid behind. */
static int handler_pipe[2] = { -1, -1 };

static void on_any(int sig)
{
	int saved = errno;
	char buf[48];
	int n = snprintf(buf, sizeof(buf), "H %d %d\n", sig, (int)syscall(SYS_getpid));

	if (n > 0)
		(void)!write(handler_pipe[1], buf, (size_t)n);
	errno = saved;
}

/* A handler on every catchable signal, SIGPIPE and SIGTSTP ignored. Returns
 * how many handlers were installed. */
static int catch_everything(void)
{
	struct sigaction sa;
	int n = 0;

	if (handler_pipe[0] < 0) {
		NT_ASSERT(pipe2(handler_pipe, O_CLOEXEC | O_NONBLOCK) == 0, "pipe2: %s", strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_any;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &sa, NULL) == 0) /* glibc refuses its own 32 and 33 */
			n++;
	}
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	NT_ASSERT(sigaction(SIGPIPE, &sa, NULL) == 0, "sigaction");
	NT_ASSERT(sigaction(SIGTSTP, &sa, NULL) == 0, "sigaction");
	return n;
}

/* Everything the handlers (and callback payloads) wrote so far. */
static char pipe_text[65536];
static size_t pipe_len;

static void pipe_refresh(void)
{
	ssize_t r;

	while (pipe_len < sizeof(pipe_text) - 1 &&
	       (r = read(handler_pipe[0], pipe_text + pipe_len, sizeof(pipe_text) - 1 - pipe_len)) > 0)
		pipe_len += (size_t)r;
	pipe_text[pipe_len] = '\0';
}

/* Lines "@type SIG PID" (handlers) or "@type PID" (callbacks) of the pipe
 * written by @pid, or (@pid 0) by anyone but this process; the first one
 * goes to @first. */
static int pipe_lines(char type, pid_t pid, char *first, size_t size)
{
	char copy[sizeof(pipe_text)], *line, *save = NULL;
	int count = 0;

	pipe_refresh();
	memcpy(copy, pipe_text, pipe_len + 1);
	first[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int a, b, who;
		char t;

		if (sscanf(line, "%c %d %d", &t, &a, &b) == 3)
			who = b;
		else if (sscanf(line, "%c %d", &t, &a) == 2)
			who = a;
		else
			continue;
		if (t != type)
			continue;
		if ((pid && who == pid) || (!pid && who != getpid())) {
			if (!count)
				snprintf(first, size, "%s", line);
			count++;
		}
	}
	return count;
}

static int handler_lines_of(pid_t pid, char *first, size_t size)
{
	return pipe_lines('H', pid, first, size);
}

static void check_payload_signals(pid_t pid, const char *what)
{
	uint64_t blk, ign, cgt, my_blk, my_ign;

	NT_ASSERT(hx_sigfield(pid, "SigBlk", &blk) == 0 && hx_sigfield(pid, "SigIgn", &ign) == 0 &&
	          hx_sigfield(pid, "SigCgt", &cgt) == 0, "%s: cannot read /proc/%d/status", what, (int)pid);
	NT_ASSERT(hx_sigfield(0, "SigBlk", &my_blk) == 0 && hx_sigfield(0, "SigIgn", &my_ign) == 0,
	          "cannot read /proc/self/status");
	NT_ASSERT(blk == my_blk, "%s: payload SigBlk %016llx, the caller's mask is %016llx", what,
	          (unsigned long long)blk, (unsigned long long)my_blk);
	NT_ASSERT(ign == my_ign, "%s: payload SigIgn %016llx, the caller ignores %016llx", what,
	          (unsigned long long)ign, (unsigned long long)my_ign);
	NT_ASSERT(cgt == 0, "%s: payload catches signals (SigCgt %016llx): a handler of the caller survived",
	          what, (unsigned long long)cgt);
}

static int cb_mark_and_pause(void *arg);

/* A callback payload is running once it wrote its "F" line (a callback
 * with no fallible step may still be setting up when nsbox_spawn returns). */
static void wait_callback_entered(int before, const char *what)
{
	long deadline = hx_now_ms() + 10000;
	char first[128];

	while (pipe_lines('F', 0, first, sizeof(first)) == before && hx_now_ms() < deadline)
		usleep(1000);
	NT_ASSERT(pipe_lines('F', 0, first, sizeof(first)) == before + 1, "%s: the callback never ran", what);
}

static const char *const path_names[2] = { "clone3", "clone(2)" };

/* A configuration of kind @k, on the clone(2) path when @no_clone3, whose
 * payload pauses (a callback writes its "F" line first). */
static nsbox_config *paused_cfg(enum hx_kind k, int no_clone3)
{
	nsbox_config *cfg = hx_cfg_path(k, no_clone3);

	hx_set_kind_payload(cfg, k, cb_mark_and_pause, "pause", NULL, NULL);
	return cfg;
}

/* nsbox_spawn (must return 0) and, for a callback, wait until it runs
 * (@f_before: its "F" lines before the spawn). */
static nsbox_proc *spawn_entered(nsbox_config *cfg, enum hx_kind k, int f_before, const char *what)
{
	nsbox_proc *p = NULL;

	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	if (hx_is_callback(k))
		wait_callback_entered(f_before, what);
	return p;
}

static void child_mask(void *arg)
{
	enum mask_mode m = (enum mask_mode)((intptr_t)arg % MASK_MODES);
	int no_clone3 = (int)((intptr_t)arg / MASK_MODES);
	int caught = catch_everything();

	/* 62 catchable signals less those the C library keeps for itself
	 * (below SIGRTMIN: 32 and 33 for glibc, 32 to 34 for musl) */
	NT_ASSERT(caught >= 62 - (SIGRTMIN - 32), "only %d handlers installed", caught);
	set_mask(m);
	for (int i = 0; i < HX_KIND_MAX; i++) {
		enum hx_kind k = (enum hx_kind)i;
		nsbox_config *cfg = paused_cfg(k, no_clone3);
		nsbox_proc *p;
		struct nt_snap s;
		char what[128], first[128];
		int f_before = pipe_lines('F', 0, first, sizeof(first));

		snprintf(what, sizeof(what), "%s, %s, %s", mask_names[m], hx_kind_name(k), path_names[no_clone3]);
		nt_snap_take(&s);
		p = spawn_entered(cfg, k, f_before, what);
		check_payload_signals(nsbox_proc_pid(p), what);
		hx_finish_killed(p, what);
		NT_SNAP_CHECK(&s);
		NT_ASSERT(handler_lines_of(0, first, sizeof(first)) == 0, "%s: a handler ran in a child: %s", what,
		          first);
		nsbox_config_free(cfg);
	}
}

/* Every payload kind, with every signal caught (SIGPIPE, SIGTSTP ignored)
 * and the mask all-blocked, partly blocked or empty; on clone3 (where
 * CLONE_CLEAR_SIGHAND may reset the handlers) and on clone(2) (where the
 * library must). */
START_TEST(test_payload_mask_and_dispositions)
{
	nt_in_child(child_mask, (void *)(intptr_t)_i);
}
END_TEST

/* The mask and dispositions the configuration asks for
 * (nsbox_config_set_signal_mask, nsbox_config_set_signal_reset), whatever
 * the caller's are. */
static void child_mask_from_config(void *arg)
{
	int no_clone3 = (int)(intptr_t)arg;
	/* SIGHUP, SIGINT, SIGUSR2, SIGRTMIN+5 (as 1-based bit numbers), and
	 * SIGKILL, which the kernel cannot block */
	uint64_t want = (1ULL << (SIGHUP - 1)) | (1ULL << (SIGINT - 1)) | (1ULL << (SIGUSR2 - 1)) |
	                (1ULL << (SIGRTMIN + 5 - 1));
	uint64_t asked = want | (1ULL << (SIGKILL - 1));

	catch_everything();
	set_mask(MASK_SOME);
	for (int reset = 0; reset < 2; reset++)
		for (int i = 0; i < HX_KIND_MAX; i++) {
			enum hx_kind k = (enum hx_kind)i;
			nsbox_config *cfg = paused_cfg(k, no_clone3);
			uint64_t blk, ign, cgt, my_ign;
			nsbox_proc *p;
			struct nt_snap s;
			char what[160], first[128];
			int f_before = pipe_lines('F', 0, first, sizeof(first));

			snprintf(what, sizeof(what), "%s, %s, mask from the config%s", hx_kind_name(k),
			         path_names[no_clone3], reset ? ", every disposition reset" : "");
			NT_OK(nsbox_config_set_signal_mask(cfg, asked));
			NT_OK(nsbox_config_set_signal_reset(cfg, reset));
			nt_snap_take(&s);
			p = spawn_entered(cfg, k, f_before, what);
			NT_ASSERT(hx_sigfield(nsbox_proc_pid(p), "SigBlk", &blk) == 0 &&
			          hx_sigfield(nsbox_proc_pid(p), "SigIgn", &ign) == 0 &&
			          hx_sigfield(nsbox_proc_pid(p), "SigCgt", &cgt) == 0 &&
			          hx_sigfield(0, "SigIgn", &my_ign) == 0, "%s: cannot read the status", what);
			NT_ASSERT(blk == want, "%s: payload SigBlk %016llx, the config asked for %016llx", what,
			          (unsigned long long)blk, (unsigned long long)want);
			NT_ASSERT(ign == (reset ? 0 : my_ign), "%s: payload SigIgn %016llx, want %016llx", what,
			          (unsigned long long)ign, (unsigned long long)(reset ? 0 : my_ign));
			NT_ASSERT(cgt == 0, "%s: payload SigCgt %016llx", what, (unsigned long long)cgt);
			hx_finish_killed(p, what);
			NT_SNAP_CHECK(&s);
			nsbox_config_free(cfg);
		}
}

START_TEST(test_payload_mask_from_config)
{
	nt_in_child(child_mask_from_config, (void *)(intptr_t)_i);
}
END_TEST

/* ---- signals that reach the child between clone and execve ------------------------------- */

struct hook_sigs {
	int sigs[8];
	int n;
};

/* Parent hook: the child is waiting with every signal blocked; queue
 * signals for it, to be delivered when it sets the payload's mask. */
static int hook_send(int32_t pid, int32_t pidfd, void *arg)
{
	const struct hook_sigs *h = arg;

	(void)pid;
	for (int i = 0; i < h->n; i++)
		if (syscall(SYS_pidfd_send_signal, pidfd, h->sigs[i], NULL, 0) < 0)
			return -errno;
	return 0;
}

static int cb_mark_and_pause(void *arg)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "F %d\n", (int)getpid());

	(void)arg;
	(void)!write(handler_pipe[1], buf, (size_t)n);
	for (;;)
		pause();
	return 0;
}

/* The payload is pid 1 of a new PID namespace: the kernel drops signals
 * that such an init does not catch (pid_namespaces(7)), even from the
 * parent namespace, and pending ones when their handler becomes SIG_DFL. */
static int is_init(enum hx_kind k)
{
	return k == HX_EXEC_PID_UTS || k == HX_CALLBACK_NS;
}

/* After SIGUSR1: a pid-1 payload must survive it (the kernel dropped it,
 * and no handler ran); any other payload must die by it. */
static void expect_usr1_outcome(nsbox_proc *p, enum hx_kind k, const char *what)
{
	int32_t st = 0;

	if (is_init(k)) {
		usleep(100 * 1000);
		NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st), ==, -EAGAIN);
		NT_ASSERT_INT(nsbox_proc_kill(p, SIGKILL), ==, 0);
	}
	NT_OK(nsbox_proc_wait(p, 0, &st));
	if (is_init(k))
		NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: payload %s", what, nt_status_str(st));
	else
		NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "%s: payload %s, not killed by SIGUSR1", what,
		          nt_status_str(st));
}

static void child_early_signals(void *arg)
{
	int no_clone3 = (int)(intptr_t)arg;
	/* Default action "ignore" for all of these but SIGUSR1. */
	struct hook_sigs harmless = { { SIGWINCH, SIGURG, SIGCHLD, SIGCONT }, 4 };
	struct hook_sigs deadly = { { SIGWINCH, SIGURG, SIGCHLD, SIGUSR1 }, 4 };

	catch_everything();
	set_mask(MASK_NONE);
	for (int i = 0; i < HX_KIND_MAX; i++) {
		enum hx_kind k = (enum hx_kind)i;
		char what[128], first[128];
		nsbox_config *cfg;
		nsbox_proc *p = NULL;
		struct nt_snap s;
		int r, f_before;

		/* 1. Signals whose default is "ignore" arrive between clone and
		 * the payload, SIGUSR1 once it runs: the payload runs, then dies by
		 * SIGUSR1 (survives it as pid 1); no caller handler runs in it.
		 * Callbacks write "F <pid>" (pid 1 in a PID namespace): count them. */
		f_before = pipe_lines('F', 0, first, sizeof(first));
		snprintf(what, sizeof(what), "%s, %s, ignored-by-default signals before the payload", hx_kind_name(k),
		         path_names[no_clone3]);
		cfg = paused_cfg(k, no_clone3);
		NT_OK(nsbox_config_set_parent_hook(cfg, hook_send, &harmless));
		nt_snap_take(&s);
		p = spawn_entered(cfg, k, f_before, what);
		check_payload_signals(nsbox_proc_pid(p), what);
		NT_ASSERT_INT(nsbox_proc_kill(p, SIGUSR1), ==, 0);
		expect_usr1_outcome(p, k, what);
		nsbox_proc_free(p);
		NT_SNAP_CHECK(&s);
		NT_ASSERT(handler_lines_of(0, first, sizeof(first)) == 0, "%s: the caller's handler ran in the "
		          "child: %s", what, first);
		nsbox_config_free(cfg);

		/* 2. SIGUSR1 queued for the child before the payload: its default
		 * action applies when the payload's mask is set, never the caller's
		 * handler, and the payload never runs (pid 1: the kernel drops it
		 * and the payload runs). */
		snprintf(what, sizeof(what), "%s, %s, SIGUSR1 queued before the payload", hx_kind_name(k),
		         path_names[no_clone3]);
		cfg = paused_cfg(k, no_clone3);
		NT_OK(nsbox_config_set_parent_hook(cfg, hook_send, &deadly));
		f_before = pipe_lines('F', 0, first, sizeof(first));
		nt_snap_take(&s);
		p = NULL;
		r = nsbox_spawn(cfg, &p);
		if (is_init(k))
			NT_ASSERT(r == 0, "%s: nsbox_spawn returned %d: %s", what, r, nsbox_last_error());
		if (r == 0) {
			if (is_init(k) && hx_is_callback(k))
				wait_callback_entered(f_before, what);
			expect_usr1_outcome(p, k, what);
			nsbox_proc_free(p);
			if (!is_init(k))
				NT_ASSERT(pipe_lines('F', 0, first, sizeof(first)) == f_before, "%s: the callback ran "
				          "although SIGUSR1 was pending for it", what);
		} else {
			/* the child died before the payload: a failure is fair too */
			NT_ASSERT(p == NULL, "%s: out-parameter written on failure", what);
		}
		NT_SNAP_CHECK(&s);
		NT_ASSERT(handler_lines_of(0, first, sizeof(first)) == 0, "%s: the caller's handler ran in the "
		          "child: %s", what, first);
		nsbox_config_free(cfg);
	}
}

START_TEST(test_no_caller_handler_in_child)
{
	nt_in_child(child_early_signals, (void *)(intptr_t)_i);
}
END_TEST

/* ---- signals hitting the caller during nsbox_spawn ----------------------------------- */

static atomic_int storm_stop;
static atomic_long storm_hits;

static void on_storm(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&storm_hits, 1, memory_order_relaxed);
}

static void *storm_thread(void *arg)
{
	pthread_t target = *(pthread_t *)arg;

	while (!atomic_load(&storm_stop)) {
		pthread_kill(target, SIGUSR1);
		sched_yield();
	}
	return NULL;
}

/* Spawns of each storm: every kind 12 times. */
#define STORM_SPAWNS (HX_KIND_MAX * 12)

/* Spawn each kind @rounds times; each must complete or fail with -EINTR. */
static void spawn_under_fire(int rounds, const char *why, int *eintr)
{
	for (int i = 0; i < rounds; i++) {
		enum hx_kind k = (enum hx_kind)(i % HX_KIND_MAX);
		nsbox_config *cfg = hx_cfg(k);
		nsbox_proc *p = NULL;
		int32_t st = -1;
		int r;

		hx_set_kind_payload(cfg, k, cb_exit42_later, "exit-after", "0", "42");
		r = nsbox_spawn(cfg, &p);
		NT_ASSERT(r == 0 || r == -EINTR, "%s, %s: nsbox_spawn returned %d (%s): %s", why, hx_kind_name(k),
		          r, strerror(-r), nsbox_last_error());
		if (r == 0) {
			r = nsbox_proc_wait(p, 0, &st);
			NT_ASSERT(r == 0, "%s, %s: nsbox_proc_wait returned %d: %s", why, hx_kind_name(k), r,
			          nsbox_last_error());
			NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 42, "%s, %s: payload %s", why, hx_kind_name(k),
			          nt_status_str(st));
			nsbox_proc_free(p);
		} else {
			(*eintr)++;
		}
		nsbox_config_free(cfg);
	}
}

/* on_storm handles @sig (without SA_RESTART), counting from 0. */
static void storm_catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_storm; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	NT_ASSERT(sigaction(sig, &sa, NULL) == 0, "sigaction");
	atomic_store(&storm_hits, 0);
}

/* After STORM_SPAWNS spawns under fire (@eintr of them -EINTR): more than
 * 100 signals must have reached the caller. */
static void storm_report(const char *why, int eintr)
{
	printf("%s: %ld signals handled, %d of %d spawns returned -EINTR\n", why, atomic_load(&storm_hits), eintr,
	       STORM_SPAWNS);
	NT_ASSERT(atomic_load(&storm_hits) > 100, "%s: only %ld signals reached the caller: no storm", why,
	          atomic_load(&storm_hits));
}

static void child_storm_thread(void *unused)
{
	pthread_t me = pthread_self(), t;
	struct nt_snap s;
	int eintr = 0;

	(void)unused;
	storm_catch(SIGUSR1);
	atomic_store(&storm_stop, 0);
	NT_ASSERT(pthread_create(&t, NULL, storm_thread, &me) == 0, "pthread_create");
	nt_snap_take(&s);
	spawn_under_fire(STORM_SPAWNS, "SIGUSR1 storm", &eintr);
	NT_SNAP_CHECK(&s);
	atomic_store(&storm_stop, 1);
	pthread_join(t, NULL);
	storm_report("SIGUSR1 storm", eintr);
}

START_TEST(test_signal_storm_thread)
{
	nt_in_child(child_storm_thread, NULL);
}
END_TEST

static void child_storm_itimer(void *unused)
{
	struct itimerval it = { { 0, 100 }, { 0, 100 } }, off = { { 0, 0 }, { 0, 0 } };
	struct nt_snap s;
	int eintr = 0;

	(void)unused;
	storm_catch(SIGALRM);
	nt_snap_take(&s);
	NT_ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer: %s", strerror(errno));
	spawn_under_fire(STORM_SPAWNS, "ITIMER_REAL every 100us", &eintr);
	NT_ASSERT(setitimer(ITIMER_REAL, &off, NULL) == 0, "setitimer off");
	NT_SNAP_CHECK(&s);
	storm_report("ITIMER_REAL every 100us (SIGALRM)", eintr);
}

START_TEST(test_signal_storm_itimer)
{
	nt_in_child(child_storm_itimer, NULL);
}
END_TEST

int main(void)
{
	Suite *s = hx_suite_start("hostile-signals");
	TCase *tc = hx_tcase(s, "sigchld");

	tcase_add_loop_test(tc, test_sigchld_callback, 0, CHLD_MODES);
	tcase_add_loop_test(tc, test_sigchld_exec, 0, CHLD_MODES);
	tcase_add_test(tc, test_wait_echild);

	tc = hx_tcase(s, "dispositions");
	tcase_add_loop_test(tc, test_payload_mask_and_dispositions, 0, 2 * MASK_MODES);
	tcase_add_loop_test(tc, test_payload_mask_from_config, 0, 2);
	tcase_add_loop_test(tc, test_no_caller_handler_in_child, 0, 2);

	tc = hx_tcase(s, "storm");
	tcase_add_test(tc, test_signal_storm_thread);
	tcase_add_test(tc, test_signal_storm_itimer);

	return nt_run_suite(s);
}
