/*
 * test-process.c - the "process" feature module against the real kernel:
 * PID 1 init, die-with-parent, session, working directory, environment,
 * descriptor actions, resource limits, signal mask and dispositions. Every
 * effect is read from outside the child (/proc/PID/...), and every bad
 * input is checked for its exact error and for leaks.
 *
 * Runs as root (privileged PID namespaces, plus a drop to uid 65534 for the
 * unprivileged paths) or as an ordinary user with user namespaces.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pt.h"

/* Namespaces that give a new PID namespace here: plain as root, with a user
 * namespace otherwise. */
static uint32_t g_pidns;
/* CAP_SYS_RESOURCE in the effective set (raising hard limits). */
static int g_sys_resource;

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

/* ======================================================================
 * PID 1 init
 * ====================================================================== */

static void last_field(pid_t pid, const char *key, char *out, size_t size)
{
	char v[256], *sp;

	pt_status_field(pid, key, v, sizeof(v));
	sp = strrchr(v, '\t');
	if (!sp)
		sp = strrchr(v, ' ');
	snprintf(out, size, "%s", sp ? sp + 1 : v);
}

/* The init's child that is pid 2 in the namespace: the payload. */
static pid_t init_payload(pid_t init)
{
	long kids[8];
	long deadline = pt_now_ms() + 5000;
	char nspid[64];

	while (pt_now_ms() < deadline) {
		int n = pt_children(init, kids, 8);
		for (int i = 0; i < n; i++) {
			last_field((pid_t)kids[i], "NSpid", nspid, sizeof(nspid));
			if (strcmp(nspid, "2") == 0)
				return (pid_t)kids[i];
		}
		usleep(5000);
	}
	NT_ASSERT(0, "init %d has no child that is pid 2 inside", (int)init);
	return -1;
}

/* Spawn a /bin/sleep config and wait until its execve is complete. */
static nsbox_proc *spawn_sleeping(nsbox_config *cfg)
{
	nsbox_proc *proc = pt_spawn(cfg);

	pt_wait_sleeping(nsbox_proc_pid(proc));
	return proc;
}

START_TEST(init_is_pid_1)
{
	struct nt_snap snap;
	char line[64], v[256], fds[256];
	nsbox_config *cfg;
	nsbox_proc *proc;
	pid_t init, payload;
	long kids[8];
	int rd, st;

	nt_snap_take(&snap);
	cfg = pt_cfg(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = nt_spawn_sh(cfg, &rd, "echo $$; echo ready; exec /bin/sleep 30");
	init = nsbox_proc_pid(proc);
	NT_ASSERT_INT(nt_read_line(rd, line, sizeof(line)), >, 0);
	NT_ASSERT_STR_EQ(line, "2");
	nt_expect_ready(rd);

	/* From outside: the handle's pid is pid 1 inside, named nsbox-init,
	 * holding no descriptor at all; its only child is pid 2. */
	last_field(init, "NSpid", v, sizeof(v));
	NT_ASSERT_STR_EQ(v, "1");
	nt_proc_read(init, "comm", v, sizeof(v));
	NT_ASSERT_STR_EQ(v, "nsbox-init\n");
	{
		long deadline = pt_now_ms() + 5000;
		do
			pt_fd_list(init, fds, sizeof(fds));
		while (fds[0] && pt_now_ms() < deadline && usleep(2000) == 0);
	}
	NT_ASSERT_STR_EQ(fds, "");
	payload = init_payload(init);
	last_field(payload, "NSpid", v, sizeof(v));
	NT_ASSERT_STR_EQ(v, "2");
	NT_ASSERT_INT(pt_children(init, kids, 8), ==, 1);

	/* SIGTERM to the init is forwarded to sleep, which dies of it:
	 * reported as 128 + 15. */
	PT_OK(nsbox_proc_kill(proc, SIGTERM));
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "init: %s", nt_status_str(st));
	close(rd);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* An orphan of the namespace (a background sleep whose shell exited) is
 * reparented to the init, which reaps it when it ends: no zombie stays. */
START_TEST(init_reaps_orphans)
{
	struct nt_snap snap;
	char line[64], state;
	nsbox_config *cfg;
	nsbox_proc *proc;
	pid_t init, payload;
	long kids[8], orphan = 0, pgrp, sid, deadline;
	int rd, n, st;

	nt_snap_take(&snap);
	cfg = pt_cfg(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = nt_spawn_sh(cfg, &rd, "(/bin/sleep 1 >/dev/null &); echo ready; exec /bin/sleep 30");
	init = nsbox_proc_pid(proc);
	nt_expect_ready(rd);
	payload = init_payload(init);

	/* The orphan shows up as the init's second child... */
	deadline = pt_now_ms() + 900;
	while (!orphan && pt_now_ms() < deadline) {
		n = pt_children(init, kids, 8);
		for (int i = 0; i < n; i++)
			if (kids[i] != payload)
				orphan = kids[i];
		if (!orphan)
			usleep(2000);
	}
	NT_ASSERT(orphan > 0, "the orphan never became a child of the init");
	/* ...and is reaped once it has ended: gone from /proc, not a zombie. */
	deadline = pt_now_ms() + 10000;
	while (pt_proc_read((pid_t)orphan, "stat", line, sizeof(line)) >= 0 && pt_now_ms() < deadline)
		usleep(10000);
	NT_ASSERT(pt_proc_read((pid_t)orphan, "stat", line, sizeof(line)) < 0,
	          "orphan %ld still in /proc (a zombie nobody reaps?)", orphan);
	n = pt_children(init, kids, 8);
	NT_ASSERT_INT(n, ==, 1);
	NT_ASSERT_INT(kids[0], ==, payload);
	pt_stat_ids(payload, &state, &pgrp, &sid);
	NT_ASSERT(state != 'Z', "the payload is a zombie");

	st = nt_finish(proc);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "init: %s", nt_status_str(st));
	/* Killing the init ends the namespace: the payload is gone too. */
	NT_ASSERT(pt_dead_within(payload, 5000), "the payload outlived its init");
	close(rd);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* Each forwarded signal sent to the init reaches the payload, which traps
 * it and exits 40 + i. */
static const int fwd_sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
static const char *const fwd_names[] = { "TERM", "INT", "HUP", "USR1", "USR2" };

START_TEST(init_forwards_signals)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc;
	int rd, st;

	nt_snap_take(&snap);
	cfg = pt_cfg(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = nt_spawn_sh(cfg, &rd, "trap 'exit %d' %s; echo ready; /bin/sleep 30 & wait", 40 + _i, fwd_names[_i]);
	nt_expect_ready(rd);
	PT_OK(nsbox_proc_kill(proc, fwd_sigs[_i]));
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 40 + _i, "SIG%s: init %s", fwd_names[_i], nt_status_str(st));
	close(rd);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* A signal that is not forwarded (SIGWINCH here) is dropped by the init:
 * the payload's trap never runs. */
START_TEST(init_drops_other_signals)
{
	char line[64];
	nsbox_config *cfg;
	nsbox_proc *proc;
	int rd, st;

	cfg = pt_cfg(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = nt_spawn_sh(cfg, &rd, "trap 'echo got-winch' WINCH; trap 'exit 7' TERM; echo ready; "
	                             "while :; do /bin/sleep 0.05; done");
	nt_expect_ready(rd);
	PT_OK(nsbox_proc_kill(proc, SIGWINCH));
	usleep(300000);
	PT_OK(nsbox_proc_kill(proc, SIGTERM));
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7, "init: %s", nt_status_str(st));
	NT_ASSERT_INT(nt_read_line(rd, line, sizeof(line)), ==, -1); /* no "got-winch" */
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* Exit statuses: a plain exit code passes through, a death by signal N
 * comes back as 128 + N. */
static const struct {
	const char *script;
	int code;
} exits[] = {
	{ "exit 0", 0 },
	{ "exit 3", 3 },
	{ "kill -KILL $$", 128 + SIGKILL },
	{ "kill -SEGV $$", 128 + SIGSEGV },
	{ "exit 255", 255 },
};

START_TEST(init_exit_status)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc;
	int rd, st;

	nt_snap_take(&snap);
	cfg = pt_cfg(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = nt_spawn_sh(cfg, &rd, "%s", exits[_i].script);
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == exits[_i].code, "\"%s\": init %s, want exit %d",
	          exits[_i].script, nt_status_str(st), exits[_i].code);
	close(rd);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* nsbox_spawn returns as soon as the payload has exec'd: the init does not
 * hold the error pipe. A copy left in the init would block it for 30 s. */
START_TEST(init_spawn_returns_at_exec)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc;
	long t0;
	int st;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	t0 = pt_now_ms();
	proc = pt_spawn(cfg);
	NT_ASSERT_INT(pt_now_ms() - t0, <, 5000);
	st = nt_finish(proc);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "init: %s", nt_status_str(st));
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

START_TEST(init_exec_failure)
{
	static const char *const argv[] = { "/nonexistent/payload", NULL };
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;

	nt_snap_take(&snap);
	cfg = pt_cfg_exec(g_pidns, argv);
	PT_OK(nsbox_config_set_init(cfg, 1));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -ENOENT);
	NT_ASSERT(proc == NULL, "a handle came back");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "execve /nonexistent/payload");
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* The init after a join: the extra fork makes the PID namespace apply, and
 * the init is the process reported to the caller. */
START_TEST(init_after_join)
{
	struct nt_snap snap;
	char line[64], v[64], a[128], b[128], path[64];
	uint32_t join = (g_pidns & NSBOX_NS_USER) | NSBOX_NS_UTS;
	nsbox_config *cfg, *hcfg;
	nsbox_proc *proc, *holder;
	pid_t init;
	int rd, st;
	ssize_t la, lb;

	nt_snap_take(&snap);
	hcfg = pt_cfg_sleep(join);
	holder = pt_spawn(hcfg);
	nsbox_config_free(hcfg);
	cfg = pt_cfg(0);
	PT_OK(nsbox_config_join_pid(cfg, nsbox_proc_pid(holder), join));
	PT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_PID));
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = nt_spawn_sh(cfg, &rd, "echo $$; exec /bin/sleep 30");
	init = nsbox_proc_pid(proc);
	NT_ASSERT_INT(nt_read_line(rd, line, sizeof(line)), >, 0);
	NT_ASSERT_STR_EQ(line, "2");
	last_field(init, "NSpid", v, sizeof(v));
	NT_ASSERT_STR_EQ(v, "1");
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)init);
	la = readlink(path, a, sizeof(a) - 1);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)nsbox_proc_pid(holder));
	lb = readlink(path, b, sizeof(b) - 1);
	NT_ASSERT(la > 0 && la == lb && memcmp(a, b, (size_t)la) == 0, "the init is not in the joined UTS namespace");
	PT_OK(nsbox_proc_kill(proc, SIGTERM));
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "init: %s", nt_status_str(st));
	nt_finish(holder);
	close(rd);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* A caller that ignores SIGCHLD (with exit signal 0, so that it can still
 * wait for the init): the init must not let the kernel reap the payload
 * behind its back, and the payload still inherits the ignored SIGCHLD. */
START_TEST(init_caller_ignores_sigchld)
{
	struct sigaction ign, old;
	char v[64];
	nsbox_config *cfg;
	nsbox_proc *proc;
	pid_t payload;
	int st;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	NT_ASSERT(sigaction(SIGCHLD, &ign, &old) == 0, "sigaction");
	cfg = pt_cfg_sleep(g_pidns);
	PT_OK(nsbox_config_set_exit_signal(cfg, 0));
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = pt_spawn(cfg);
	payload = init_payload(nsbox_proc_pid(proc));
	pt_wait_sleeping(payload);
	pt_status_field(payload, "SigIgn", v, sizeof(v));
	NT_ASSERT(strtoull(v, NULL, 16) & BIT(SIGCHLD), "the payload's SigIgn %s lacks SIGCHLD", v);
	PT_OK(nsbox_proc_kill(proc, SIGTERM));
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "init: %s", nt_status_str(st));
	sigaction(SIGCHLD, &old, NULL);
	nsbox_config_free(cfg);
}
END_TEST

static int cb_pid(void *arg)
{
	(void)arg;
	return getpid() == 2 ? 7 : 1;
}

/* A callback payload under the init: it runs as pid 2. */
START_TEST(init_callback)
{
	struct nt_snap snap;
	nsbox_config *cfg = NULL;
	nsbox_proc *proc;
	int st;

	nt_snap_take(&snap);
	cfg = pt_cfg(g_pidns);
	PT_OK(nsbox_config_set_callback(cfg, cb_pid, NULL));
	PT_OK(nsbox_config_set_init(cfg, 1));
	proc = pt_spawn(cfg);
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7, "callback under init: %s", nt_status_str(st));
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

static void unpriv_init(void *arg)
{
	char line[64];
	nsbox_config *cfg;
	nsbox_proc *proc;
	int rd, st;

	(void)arg;
	if (geteuid() == 0)
		nt_drop_privileges();
	cfg = pt_cfg(NSBOX_NS_USER | NSBOX_NS_PID);
	PT_OK(nsbox_config_set_init(cfg, 1));
	PT_OK(nsbox_config_set_die_with_parent(cfg, 1));
	PT_OK(nsbox_config_set_session(cfg, NSBOX_SESSION_NEW));
	proc = nt_spawn_sh(cfg, &rd, "echo $$ $(id -u); exit 5");
	NT_ASSERT_INT(nt_read_line(rd, line, sizeof(line)), >, 0);
	NT_ASSERT_STR_EQ(line, "2 0");
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 5, "init: %s", nt_status_str(st));
	close(rd);
	nsbox_config_free(cfg);
}

/* The unprivileged path: uid 65534, a user namespace, the init. */
START_TEST(init_unprivileged)
{
	nt_require_userns();
	nt_in_child(unpriv_init, NULL);
}
END_TEST

START_TEST(init_needs_pid_namespace)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(NSBOX_NS_USER | NSBOX_NS_UTS);
	PT_OK(nsbox_config_set_init(cfg, 1));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -EINVAL);
	NT_ASSERT(proc == NULL, "a handle came back");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "NSBOX_NS_PID");
	/* Joining a PID namespace is not creating one. */
	nsbox_config_free(cfg);
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_set_init(cfg, 1));
	PT_OK(nsbox_config_join_pid(cfg, getpid(), NSBOX_NS_PID));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -EINVAL);
	/* Turned off again, the same config spawns. */
	PT_OK(nsbox_config_set_init(cfg, 0));
	proc = pt_spawn(cfg);
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* ======================================================================
 * die with parent
 * ====================================================================== */

enum { DWP_PLAIN, DWP_PIDNS, DWP_INIT, DWP_UNPRIV, DWP_OFF, DWP_N };
static const char *const dwp_names[] = { "plain", "pid namespace", "init", "unprivileged", "off (control)" };

/* A process of the test spawns /bin/sleep 30 and exits at once; the
 * test, a child subreaper, inherits the sleep (or the init) and waits. */
START_TEST(dwp_process_exits)
{
	struct nt_snap snap;
	int p[2], st = 0;
	pid_t h, pids[2] = { 0, 0 };
	long deadline;

	if (_i == DWP_UNPRIV)
		nt_require_userns();
	NT_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	nt_snap_take(&snap);
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	fflush(NULL);
	h = fork();
	NT_ASSERT(h >= 0, "fork");
	if (h == 0) {
		nsbox_config *cfg;
		nsbox_proc *proc = NULL;
		uint32_t ns = _i == DWP_PLAIN || _i == DWP_OFF ? 0 : g_pidns;

		close(p[0]);
		if (_i == DWP_UNPRIV) {
			if (geteuid() == 0)
				nt_drop_privileges();
			ns = NSBOX_NS_USER | NSBOX_NS_PID;
		}
		cfg = pt_cfg_sleep(ns);
		if (_i != DWP_OFF)
			nsbox_config_set_die_with_parent(cfg, 1);
		if (_i == DWP_INIT)
			nsbox_config_set_init(cfg, 1);
		if (nsbox_spawn(cfg, &proc) < 0)
			_exit(3);
		pids[0] = nsbox_proc_pid(proc);
		if (_i == DWP_INIT)
			pids[1] = init_payload(pids[0]);
		if (write(p[1], pids, sizeof(pids)) != sizeof(pids))
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	NT_ASSERT_INT(read(p[0], pids, sizeof(pids)), ==, sizeof(pids));
	close(p[0]);
	NT_ASSERT_INT(waitpid(h, &st, 0), ==, h);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "spawning process: %s", nt_status_str(st));

	if (_i == DWP_OFF) {
		/* Control: without the setting the sleep lives on. */
		usleep(300000);
		NT_ASSERT_INT(waitpid(pids[0], &st, WNOHANG), ==, 0);
		kill(pids[0], SIGKILL);
		NT_ASSERT_INT(waitpid(pids[0], &st, 0), ==, pids[0]);
		NT_SNAP_CHECK(&snap);
		return;
	}
	/* The orphan (sleep, or the init) comes to us, killed within 1 s. */
	deadline = pt_now_ms() + 1000;
	while ((h = waitpid(pids[0], &st, WNOHANG)) == 0 && pt_now_ms() < deadline)
		usleep(2000);
	if (h == 0) {
		kill(pids[0], SIGKILL);
		waitpid(pids[0], &st, 0);
		NT_ASSERT(0, "%s: the child outlived its parent by more than 1 s", dwp_names[_i]);
	}
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: %s", dwp_names[_i], nt_status_str(st));
	if (pids[1])
		NT_ASSERT(pt_dead_within(pids[1], 1000), "the init's payload outlived it");
	NT_SNAP_CHECK(&snap);
}
END_TEST

struct spawner {
	int die;
	nsbox_proc *proc;
	int r;
};

static void *spawn_thread(void *arg)
{
	struct spawner *s = arg;
	nsbox_config *cfg = NULL;

	if (nsbox_config_new(&cfg) < 0)
		return NULL;
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	nsbox_config_set_exec(cfg, argv[0], argv, NULL);
	nsbox_config_set_die_with_parent(cfg, s->die);
	s->r = nsbox_spawn(cfg, &s->proc);
	nsbox_config_free(cfg);
	return NULL;
}

/* The kernel's "parent" is the spawning thread: when it exits, the child
 * dies although the process lives on (documented). Control: without the
 * setting it survives the thread. */
START_TEST(dwp_thread_exits)
{
	struct spawner s = { _i == 0, NULL, -1 };
	pthread_t t;
	int32_t st = 0;
	long deadline;
	int r;

	NT_ASSERT_INT(pthread_create(&t, NULL, spawn_thread, &s), ==, 0);
	NT_ASSERT_INT(pthread_join(t, NULL), ==, 0);
	NT_ASSERT_INT(s.r, ==, 0);
	if (!s.die) {
		usleep(300000);
		NT_ASSERT_INT(nsbox_proc_wait(s.proc, NSBOX_WAIT_NOHANG, &st), ==, -EAGAIN);
		nt_finish(s.proc);
		return;
	}
	deadline = pt_now_ms() + 1000;
	while ((r = nsbox_proc_wait(s.proc, NSBOX_WAIT_NOHANG, &st)) == -EAGAIN && pt_now_ms() < deadline)
		usleep(2000);
	if (r == -EAGAIN) {
		nt_finish(s.proc);
		NT_ASSERT(0, "the child outlived the spawning thread by more than 1 s");
	}
	NT_ASSERT_INT(r, ==, 0);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s", nt_status_str(st));
	nsbox_proc_free(s.proc);
}
END_TEST

/* While the spawning process lives, the setting changes nothing. */
START_TEST(dwp_parent_alive)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc;
	int32_t st;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_set_die_with_parent(cfg, 1));
	proc = pt_spawn(cfg);
	usleep(100000);
	NT_ASSERT_INT(nsbox_proc_wait(proc, NSBOX_WAIT_NOHANG, &st), ==, -EAGAIN);
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* ======================================================================
 * session and process group
 * ====================================================================== */

START_TEST(session_modes)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc;
	char state;
	long pgrp, sid;
	pid_t pid;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_set_session(cfg, (uint32_t)_i));
	proc = pt_spawn(cfg);
	pid = nsbox_proc_pid(proc);
	pt_stat_ids(pid, &state, &pgrp, &sid);
	switch (_i) {
	case NSBOX_SESSION_KEEP:
		NT_ASSERT_INT(pgrp, ==, getpgrp());
		NT_ASSERT_INT(sid, ==, getsid(0));
		break;
	case NSBOX_SESSION_NEW:
		NT_ASSERT_INT(pgrp, ==, pid);
		NT_ASSERT_INT(sid, ==, pid);
		NT_ASSERT(sid != getsid(0), "same session as the test");
		break;
	case NSBOX_SESSION_NEW_GROUP:
		NT_ASSERT_INT(pgrp, ==, pid);
		NT_ASSERT_INT(sid, ==, getsid(0));
		break;
	}
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* With an init, the init leads the session and the payload is in it. */
START_TEST(session_with_init)
{
	nsbox_config *cfg;
	nsbox_proc *proc;
	char state;
	long pgrp, sid;
	pid_t init, payload;

	cfg = pt_cfg_sleep(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	PT_OK(nsbox_config_set_session(cfg, NSBOX_SESSION_NEW));
	proc = pt_spawn(cfg);
	init = nsbox_proc_pid(proc);
	payload = init_payload(init);
	pt_stat_ids(init, &state, &pgrp, &sid);
	NT_ASSERT_INT(sid, ==, init);
	NT_ASSERT_INT(pgrp, ==, init);
	pt_stat_ids(payload, &state, &pgrp, &sid);
	NT_ASSERT_INT(sid, ==, init);
	NT_ASSERT_INT(pgrp, ==, init);
	nt_finish(proc);
	nsbox_config_free(cfg);
}
END_TEST

/* ======================================================================
 * working directory
 * ====================================================================== */

START_TEST(cwd_set)
{
	struct nt_snap snap;
	char dir[] = "/tmp/nsbox-pt-XXXXXX", link[PATH_MAX], here[PATH_MAX], path[64];
	nsbox_config *cfg;
	nsbox_proc *proc;
	ssize_t n;

	nt_snap_take(&snap);
	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_set_cwd(cfg, dir));
	proc = pt_spawn(cfg);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)nsbox_proc_pid(proc));
	n = readlink(path, link, sizeof(link) - 1);
	NT_ASSERT(n > 0, "readlink %s: %s", path, strerror(errno));
	link[n] = '\0';
	NT_ASSERT_STR_EQ(link, dir);
	nt_finish(proc);
	/* NULL goes back to the caller's directory. */
	PT_OK(nsbox_config_set_cwd(cfg, NULL));
	proc = pt_spawn(cfg);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)nsbox_proc_pid(proc));
	n = readlink(path, link, sizeof(link) - 1);
	NT_ASSERT(n > 0, "readlink %s", path);
	link[n] = '\0';
	NT_ASSERT(getcwd(here, sizeof(here)) != NULL, "getcwd");
	NT_ASSERT_STR_EQ(link, here);
	nt_finish(proc);
	rmdir(dir);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

static int cb_cwd(void *arg)
{
	char here[PATH_MAX];
	return getcwd(here, sizeof(here)) && strcmp(here, (const char *)arg) == 0 ? 9 : 1;
}

START_TEST(cwd_callback)
{
	char dir[] = "/tmp/nsbox-pt-XXXXXX";
	nsbox_config *cfg = NULL;
	nsbox_proc *proc;
	int st;

	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	PT_OK(nsbox_config_new(&cfg));
	PT_OK(nsbox_config_set_callback(cfg, cb_cwd, dir));
	PT_OK(nsbox_config_set_cwd(cfg, dir));
	proc = pt_spawn(cfg);
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 9, "callback: %s", nt_status_str(st));
	rmdir(dir);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(cwd_errors)
{
	struct nt_snap snap;
	char file[] = "/tmp/nsbox-pt-XXXXXX", big[PATH_MAX + 1];
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;
	int fd;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_set_cwd(cfg, "/nonexistent/dir"));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -ENOENT);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "child: chdir /nonexistent/dir: ");
	fd = mkstemp(file);
	NT_ASSERT(fd >= 0, "mkstemp");
	close(fd);
	PT_OK(nsbox_config_set_cwd(cfg, file));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -ENOTDIR);
	unlink(file);
	NT_ASSERT(proc == NULL, "a handle came back");
	NT_ASSERT_INT(nsbox_config_set_cwd(cfg, ""), ==, -EINVAL);
	memset(big, 'a', PATH_MAX);
	big[0] = '/';
	big[PATH_MAX] = '\0';
	NT_ASSERT_INT(nsbox_config_set_cwd(cfg, big), ==, -ENAMETOOLONG);
	NT_ASSERT_INT(nsbox_config_set_cwd(NULL, "/"), ==, -EINVAL);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* ======================================================================
 * environment
 * ====================================================================== */

static void expect_environ(pid_t pid, const char *want, size_t want_len)
{
	char got[8192];
	ssize_t n = pt_proc_read(pid, "environ", got, sizeof(got));

	NT_ASSERT(n >= 0, "read /proc/%d/environ", (int)pid);
	for (ssize_t i = 0; i < n; i++)
		if (got[i] == '\0')
			got[i] = '|';
	{
		char w[8192];
		memcpy(w, want, want_len);
		for (size_t i = 0; i < want_len; i++)
			if (w[i] == '\0')
				w[i] = '|';
		w[want_len] = '\0';
		NT_ASSERT_STR_EQ(got, w);
	}
}

START_TEST(env_on_exec_envp)
{
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	static const char *const envp[] = { "A=1", "B=2", "C=3", "B=dup", "E=5", NULL };
	static const char want[] = "A=y\0B=x\0E=5\0D=4\0";
	struct nt_snap snap;
	nsbox_config *cfg = NULL;
	nsbox_proc *proc;

	nt_snap_take(&snap);
	PT_OK(nsbox_config_new(&cfg));
	PT_OK(nsbox_config_set_exec(cfg, argv[0], argv, envp));
	PT_OK(nsbox_config_setenv(cfg, "B", "x"));   /* replaced in place, the duplicate dropped */
	PT_OK(nsbox_config_setenv(cfg, "C", NULL));  /* unset */
	PT_OK(nsbox_config_setenv(cfg, "D", "4"));   /* appended */
	PT_OK(nsbox_config_setenv(cfg, "A", "y"));
	PT_OK(nsbox_config_setenv(cfg, "Z", NULL));  /* unset of nothing */
	proc = spawn_sleeping(cfg);
	expect_environ(nsbox_proc_pid(proc), want, sizeof(want) - 1);
	nt_finish(proc);
	/* A second spawn of the same config gets the same. */
	proc = spawn_sleeping(cfg);
	expect_environ(nsbox_proc_pid(proc), want, sizeof(want) - 1);
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

START_TEST(env_inherited)
{
	char got[65536], *p, *end;
	nsbox_config *cfg;
	nsbox_proc *proc;
	ssize_t n;
	int seen_inh = 0, seen_new = 0, seen_path = 0;

	NT_ASSERT(setenv("PT_INHERITED", "yes", 1) == 0, "setenv");
	NT_ASSERT(setenv("PATH", "/usr/bin:/bin", 1) == 0, "setenv");
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_setenv(cfg, "PT_NEW", "1"));
	PT_OK(nsbox_config_setenv(cfg, "PATH", NULL));
	/* The caller's environment is read at spawn, not at setenv. */
	NT_ASSERT(setenv("PT_LATE", "late", 1) == 0, "setenv");
	proc = spawn_sleeping(cfg);
	n = pt_proc_read(nsbox_proc_pid(proc), "environ", got, sizeof(got));
	NT_ASSERT(n > 0, "read environ");
	for (p = got, end = got + n; p < end; p += strlen(p) + 1) {
		seen_inh += strcmp(p, "PT_INHERITED=yes") == 0;
		seen_new += strcmp(p, "PT_NEW=1") == 0;
		seen_path += strncmp(p, "PATH=", 5) == 0;
		if (strcmp(p, "PT_LATE=late") == 0)
			seen_inh += 10;
	}
	NT_ASSERT_INT(seen_inh, ==, 11);
	NT_ASSERT_INT(seen_new, ==, 1);
	NT_ASSERT_INT(seen_path, ==, 0);
	nt_finish(proc);
	/* Our own environment is untouched. */
	NT_ASSERT_STR_EQ(getenv("PATH"), "/usr/bin:/bin");
	NT_ASSERT(getenv("PT_NEW") == NULL, "PT_NEW leaked into the caller");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(env_clear)
{
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	static const char *const envp[] = { "A=1", NULL };
	static const char want[] = "Y=2\0EMPTY=\0";
	nsbox_config *cfg = NULL;
	nsbox_proc *proc;

	PT_OK(nsbox_config_new(&cfg));
	PT_OK(nsbox_config_set_exec(cfg, argv[0], argv, envp));
	PT_OK(nsbox_config_setenv(cfg, "X", "1"));
	PT_OK(nsbox_config_clearenv(cfg)); /* forgets X=1 and A=1 */
	PT_OK(nsbox_config_setenv(cfg, "Y", "2"));
	PT_OK(nsbox_config_setenv(cfg, "EMPTY", ""));
	proc = spawn_sleeping(cfg);
	expect_environ(nsbox_proc_pid(proc), want, sizeof(want) - 1);
	nt_finish(proc);
	/* clearenv alone: an empty environment. */
	PT_OK(nsbox_config_clearenv(cfg));
	proc = spawn_sleeping(cfg);
	expect_environ(nsbox_proc_pid(proc), "", 0);
	nt_finish(proc);
	nsbox_config_free(cfg);
}
END_TEST

extern char **environ;

static int cb_env(void *arg)
{
	int n = 0;
	const char *q = getenv("Q");

	(void)arg;
	for (char **e = environ; *e; e++)
		n++;
	return n == 1 && q && strcmp(q, "7") == 0 ? 11 : 1;
}

START_TEST(env_callback)
{
	nsbox_config *cfg = NULL;
	nsbox_proc *proc;
	int st;

	PT_OK(nsbox_config_new(&cfg));
	PT_OK(nsbox_config_set_callback(cfg, cb_env, NULL));
	PT_OK(nsbox_config_clearenv(cfg));
	PT_OK(nsbox_config_setenv(cfg, "Q", "7"));
	proc = pt_spawn(cfg);
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 11, "callback: %s", nt_status_str(st));
	NT_ASSERT(getenv("Q") == NULL, "the caller's environ changed");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(env_errors)
{
	struct nt_snap snap;
	nsbox_config *cfg = NULL;
	int i, r = 0;

	nt_snap_take(&snap);
	PT_OK(nsbox_config_new(&cfg));
	NT_ASSERT_INT(nsbox_config_setenv(cfg, NULL, "x"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_setenv(cfg, "", "x"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_setenv(cfg, "A=B", "x"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_setenv(NULL, "A", "x"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_clearenv(NULL), ==, -EINVAL);
	for (i = 0; i < NSBOX_ENV_CHANGES_MAX && r == 0; i++)
		r = nsbox_config_setenv(cfg, "V", NULL);
	NT_ASSERT_INT(r, ==, 0);
	NT_ASSERT_INT(nsbox_config_setenv(cfg, "V", NULL), ==, -E2BIG);
	/* clearenv forgets the changes: room again. */
	PT_OK(nsbox_config_clearenv(cfg));
	PT_OK(nsbox_config_setenv(cfg, "V", "1"));
	nsbox_config_free(cfg);
	PT_SNAP_CHECK_BIG_HEAP(&snap);
}
END_TEST

/* ======================================================================
 * descriptors
 * ====================================================================== */

/* "0 1 2" as far as the test itself has them open. */
static void std_fds(char *out, size_t size)
{
	size_t off = 0;

	out[0] = '\0';
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			off += (size_t)snprintf(out + off, size - off, "%s%d", off ? " " : "", fd);
}

START_TEST(fd_close_others)
{
	struct nt_snap snap;
	char want[64], got[256], a[128], b[128];
	nsbox_config *cfg;
	nsbox_proc *proc;
	int p[2], leaky;
	pid_t pid;

	nt_snap_take(&snap);
	leaky = open("/dev/null", O_RDONLY); /* not close-on-exec */
	NT_ASSERT(leaky >= 0, "open");
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_add_fd(cfg, p[1], 5));
	PT_OK(nsbox_config_set_close_fds(cfg, 1));
	proc = spawn_sleeping(cfg);
	pid = nsbox_proc_pid(proc);
	std_fds(want, sizeof(want));
	strcat(want, " 5");
	pt_fd_list(pid, got, sizeof(got));
	NT_ASSERT_STR_EQ(got, want);
	pt_fd_target(pid, 5, a, sizeof(a));
	pt_fd_target(0, p[1], b, sizeof(b));
	NT_ASSERT_STR_EQ(a, b);
	nt_finish(proc);

	/* Control: without close_fds the non-close-on-exec descriptor leaks
	 * into the payload. */
	PT_OK(nsbox_config_set_close_fds(cfg, 0));
	proc = spawn_sleeping(cfg);
	pt_fd_list(nsbox_proc_pid(proc), got, sizeof(got));
	snprintf(a, sizeof(a), " %d", leaky);
	NT_ASSERT_CONTAINS(got, a);
	NT_ASSERT_CONTAINS(got, " 5");
	nt_finish(proc);
	close(leaky);
	close(p[0]);
	close(p[1]);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* The actions happen as if at once: 20 -> 21 and 21 -> 20 swap. */
START_TEST(fd_swap)
{
	struct nt_snap snap;
	char got[128], p1[128], p2[128], want[64];
	nsbox_config *cfg;
	nsbox_proc *proc;
	int a[2], b[2];
	pid_t pid;

	nt_snap_take(&snap);
	NT_ASSERT(fcntl(20, F_GETFD) < 0 && fcntl(21, F_GETFD) < 0, "fds 20/21 in use");
	NT_ASSERT(pipe2(a, O_CLOEXEC) == 0 && pipe2(b, O_CLOEXEC) == 0, "pipe2");
	NT_ASSERT(dup3(a[1], 20, O_CLOEXEC) == 20 && dup3(b[1], 21, O_CLOEXEC) == 21, "dup3");
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_add_fd(cfg, 20, 21));
	PT_OK(nsbox_config_add_fd(cfg, 21, 20));
	PT_OK(nsbox_config_set_close_fds(cfg, 1));
	proc = spawn_sleeping(cfg);
	pid = nsbox_proc_pid(proc);
	std_fds(want, sizeof(want));
	strcat(want, " 20 21");
	pt_fd_list(pid, got, sizeof(got));
	NT_ASSERT_STR_EQ(got, want);
	pt_fd_target(0, a[1], p1, sizeof(p1));
	pt_fd_target(0, b[1], p2, sizeof(p2));
	pt_fd_target(pid, 21, got, sizeof(got));
	NT_ASSERT_STR_EQ(got, p1);
	pt_fd_target(pid, 20, got, sizeof(got));
	NT_ASSERT_STR_EQ(got, p2);
	/* The caller's 20 and 21 are as they were, still close-on-exec. */
	pt_fd_target(0, 20, got, sizeof(got));
	NT_ASSERT_STR_EQ(got, p1);
	NT_ASSERT_INT(fcntl(20, F_GETFD), ==, FD_CLOEXEC);
	nt_finish(proc);
	close(20);
	close(21);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* Every low number is asked for, so the library's error pipe and the
 * die-with-parent pidfd must move out of the way: the payload gets exactly
 * the asked-for descriptors, and an exec failure is still reported. Run
 * plain, under an init, and after the extra fork of a PID namespace join
 * (the intermediate process reports through the error pipe after the
 * payload moved it). */
enum { COLL_PLAIN, COLL_INIT, COLL_JOIN, COLL_N };
static const char *const coll_names[] = { "plain", "init", "join" };

START_TEST(fd_collisions)
{
	static const char *const bad[] = { "/nonexistent/payload", NULL };
	struct nt_snap snap;
	char want[256], got[256], src[128], t[128];
	nsbox_config *cfg;
	nsbox_proc *proc, *holder = NULL;
	nsbox_proc *failed = NULL;
	int p[2], n;
	pid_t pid;

	nt_snap_take(&snap);
	if (_i == COLL_JOIN) {
		nsbox_config *h = pt_cfg_sleep(g_pidns);
		holder = pt_spawn(h);
		nsbox_config_free(h);
	}
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	cfg = pt_cfg_sleep(_i == COLL_INIT ? g_pidns : 0);
	if (_i == COLL_INIT)
		PT_OK(nsbox_config_set_init(cfg, 1));
	if (_i == COLL_JOIN)
		PT_OK(nsbox_config_join_pid(cfg, nsbox_proc_pid(holder), g_pidns));
	std_fds(want, sizeof(want));
	for (n = 3; n <= 24; n++) {
		PT_OK(nsbox_config_add_fd(cfg, p[1], n));
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " %d", n);
	}
	PT_OK(nsbox_config_set_close_fds(cfg, 1));
	PT_OK(nsbox_config_set_die_with_parent(cfg, 1));
	proc = pt_spawn(cfg);
	pid = nsbox_proc_pid(proc);
	if (_i == COLL_INIT)
		pid = init_payload(pid);
	if (_i == COLL_JOIN) {
		char a[128], b[128], path[64];

		ssize_t la, lb;

		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
		la = readlink(path, a, sizeof(a) - 1);
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)nsbox_proc_pid(holder));
		lb = readlink(path, b, sizeof(b) - 1);
		NT_ASSERT(la > 0 && lb > 0 && la == lb && memcmp(a, b, (size_t)la) == 0,
		          "%s: the payload is not in the joined PID namespace", coll_names[_i]);
	}
	pt_wait_sleeping(pid);
	pt_fd_list(pid, got, sizeof(got));
	NT_ASSERT_STR_EQ(got, want);
	pt_fd_target(0, p[1], src, sizeof(src));
	for (n = 3; n <= 24; n++) {
		pt_fd_target(pid, n, t, sizeof(t));
		NT_ASSERT_STR_EQ(t, src);
	}
	nt_finish(proc);

	PT_OK(nsbox_config_set_exec(cfg, bad[0], bad, NULL));
	NT_ASSERT_INT(nsbox_spawn(cfg, &failed), ==, -ENOENT);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "execve /nonexistent/payload");
	NT_ASSERT(failed == NULL, "a handle came back");
	close(p[0]);
	close(p[1]);
	if (holder)
		nt_finish(holder);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

START_TEST(fd_stdout_and_keep)
{
	static const char *const argv[] = { "/bin/sh", "-c", "echo hello; ls /proc/self/fd", NULL };
	struct nt_snap snap;
	char line[256], name[16];
	nsbox_config *cfg;
	nsbox_proc *proc;
	int p[2], keep, found = 0, st;

	nt_snap_take(&snap);
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
	NT_ASSERT(keep >= 0, "open");
	cfg = pt_cfg_exec(0, argv);
	PT_OK(nsbox_config_add_fd(cfg, p[1], 1));
	PT_OK(nsbox_config_add_fd(cfg, keep, keep)); /* keep: clears close-on-exec */
	proc = pt_spawn(cfg);
	close(p[1]);
	NT_ASSERT_INT(nt_read_line(p[0], line, sizeof(line)), >, 0);
	NT_ASSERT_STR_EQ(line, "hello");
	snprintf(name, sizeof(name), "%d", keep);
	while (nt_read_line(p[0], line, sizeof(line)) >= 0)
		found += strcmp(line, name) == 0;
	NT_ASSERT_INT(found, ==, 1);
	st = pt_wait_free(proc);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", nt_status_str(st));
	NT_ASSERT_INT(fcntl(keep, F_GETFD), ==, FD_CLOEXEC); /* ours unchanged */
	close(keep);
	close(p[0]);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

START_TEST(fd_errors)
{
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;
	int closed;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	NT_ASSERT_INT(nsbox_config_add_fd(cfg, -1, 3), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_fd(cfg, 0, -1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_fd(NULL, 0, 3), ==, -EINVAL);
	PT_OK(nsbox_config_add_fd(cfg, 2, 7));
	NT_ASSERT_INT(nsbox_config_add_fd(cfg, 1, 7), ==, -EINVAL); /* child fd 7 twice */
	NT_ASSERT_CONTAINS(nsbox_last_error(), "child fd 7");
	NT_ASSERT_INT(nsbox_config_set_close_fds(cfg, 2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_close_fds(NULL, 1), ==, -EINVAL);
	/* A parent fd that is closed at spawn time: -EBADF, nothing started. */
	closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	NT_ASSERT(closed >= 0, "open");
	close(closed);
	PT_OK(nsbox_config_add_fd(cfg, closed, 9));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -EBADF);
	NT_ASSERT(proc == NULL, "a handle came back");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "fd action #2");
	nsbox_config_free(cfg);
	/* At most NSBOX_FD_ACTIONS_MAX actions. */
	cfg = pt_cfg_sleep(0);
	{
		int32_t i;
		int r = 0;

		for (i = 0; i < NSBOX_FD_ACTIONS_MAX && r == 0; i++)
			r = nsbox_config_add_fd(cfg, 2, i);
		NT_ASSERT_INT(r, ==, 0);
		NT_ASSERT_INT(nsbox_config_add_fd(cfg, 2, i), ==, -E2BIG);
	}
	nsbox_config_free(cfg);
	/* A child fd above the child's RLIMIT_NOFILE: the error of the step. */
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_NOFILE, 64, 64));
	PT_OK(nsbox_config_add_fd(cfg, 2, 100));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -EBADF);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "fd action #1 (2 -> 100): dup2");
	nsbox_config_free(cfg);
	PT_SNAP_CHECK_BIG_HEAP(&snap);
}
END_TEST

/* ======================================================================
 * resource limits
 * ====================================================================== */

/* Soft and hard values of the /proc/PID/limits line that starts with @name. */
static void limit_of(pid_t pid, const char *name, char *soft, char *hard)
{
	char text[8192], *l;

	NT_ASSERT_INT(pt_proc_read(pid, "limits", text, sizeof(text)), >, 0);
	l = strstr(text, name);
	NT_ASSERT(l != NULL, "no %s in /proc/%d/limits", name, (int)pid);
	NT_ASSERT(sscanf(l + 26, "%63s %63s", soft, hard) == 2, "bad limits line: %.80s", l);
}

START_TEST(rlimits_set)
{
	struct nt_snap snap;
	char soft[64], hard[64];
	nsbox_config *cfg;
	nsbox_proc *proc;
	pid_t pid;

	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_NOFILE, 50, 60));
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_CORE, 0, 0));
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_NOFILE, 100, 200)); /* replaces 50/60 */
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_MSGQUEUE, 1000, 2000));
	if (g_sys_resource)
		PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_MEMLOCK, 4096, NSBOX_RLIMIT_INFINITY));
	proc = pt_spawn(cfg);
	pid = nsbox_proc_pid(proc);
	limit_of(pid, "Max open files", soft, hard);
	NT_ASSERT_STR_EQ(soft, "100");
	NT_ASSERT_STR_EQ(hard, "200");
	limit_of(pid, "Max core file size", soft, hard);
	NT_ASSERT_STR_EQ(soft, "0");
	NT_ASSERT_STR_EQ(hard, "0");
	limit_of(pid, "Max msgqueue size", soft, hard);
	NT_ASSERT_STR_EQ(soft, "1000");
	NT_ASSERT_STR_EQ(hard, "2000");
	if (g_sys_resource) {
		limit_of(pid, "Max locked memory", soft, hard);
		NT_ASSERT_STR_EQ(soft, "4096");
		NT_ASSERT_STR_EQ(hard, "unlimited");
	}
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

static void unpriv_rlimit(void *arg)
{
	struct rlimit rl = { 64, 128 };
	struct nt_snap snap;
	char soft[64], hard[64];
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;

	(void)arg;
	if (geteuid() == 0)
		nt_drop_privileges();
	NT_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit: %s", strerror(errno));
	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_NOFILE, 64, 256));
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, -EPERM);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "child: rlimit #1 (RLIMIT_NOFILE soft 64 hard 256)");
	NT_ASSERT(proc == NULL, "a handle came back");
	NT_SNAP_CHECK(&snap);
	nt_snap_take(&snap); /* the check freed it: the same state again */
	/* Lowering needs no privilege. */
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_NOFILE, 32, 100));
	proc = pt_spawn(cfg);
	limit_of(nsbox_proc_pid(proc), "Max open files", soft, hard);
	NT_ASSERT_STR_EQ(soft, "32");
	NT_ASSERT_STR_EQ(hard, "100");
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}

START_TEST(rlimits_unprivileged)
{
	nt_in_child(unpriv_rlimit, NULL);
}
END_TEST

START_TEST(rlimits_errors)
{
	struct nt_snap snap;
	nsbox_config *cfg = NULL;

	nt_snap_take(&snap);
	PT_OK(nsbox_config_new(&cfg));
	NT_ASSERT_INT(nsbox_config_add_rlimit(cfg, 16, 1, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_rlimit(cfg, UINT32_MAX, 1, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_NOFILE, 2, 1), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "RLIMIT_NOFILE soft limit 2 above the hard limit 1");
	NT_ASSERT_INT(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_CPU, NSBOX_RLIMIT_INFINITY, 5), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_rlimit(NULL, NSBOX_RLIMIT_CPU, 1, 1), ==, -EINVAL);
	PT_OK(nsbox_config_add_rlimit(cfg, NSBOX_RLIMIT_RTTIME, 1, 1));
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* ======================================================================
 * signal mask and dispositions
 * ====================================================================== */

static void sig_field(pid_t pid, const char *key, uint64_t *v)
{
	char s[64];

	pt_status_field(pid, key, s, sizeof(s));
	*v = strtoull(s, NULL, 16);
}

START_TEST(signal_mask_chosen)
{
	const uint64_t mask = BIT(SIGUSR1) | BIT(SIGTERM) | BIT(40) | BIT(SIGKILL);
	struct nt_snap snap;
	nsbox_config *cfg;
	nsbox_proc *proc;
	uint64_t blk;
	sigset_t usr2, old;

	/* The caller blocks SIGUSR2: without a chosen mask the payload
	 * inherits it, with one it does not. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, &old);
	nt_snap_take(&snap);
	cfg = pt_cfg_sleep(0);
	proc = spawn_sleeping(cfg);
	sig_field(nsbox_proc_pid(proc), "SigBlk", &blk);
	NT_ASSERT(blk & BIT(SIGUSR2), "inherited mask %016llx lacks SIGUSR2", (unsigned long long)blk);
	nt_finish(proc);

	PT_OK(nsbox_config_set_signal_mask(cfg, mask));
	proc = spawn_sleeping(cfg);
	sig_field(nsbox_proc_pid(proc), "SigBlk", &blk);
	NT_ASSERT_INT(blk, ==, mask & ~BIT(SIGKILL));
	nt_finish(proc);

	/* Under an init, the payload's mask is the chosen one too. */
	nsbox_config_free(cfg);
	cfg = pt_cfg_sleep(g_pidns);
	PT_OK(nsbox_config_set_init(cfg, 1));
	PT_OK(nsbox_config_set_signal_mask(cfg, 0));
	proc = pt_spawn(cfg);
	{
		pid_t payload = init_payload(nsbox_proc_pid(proc));
		pt_wait_sleeping(payload);
		sig_field(payload, "SigBlk", &blk);
	}
	NT_ASSERT_INT(blk, ==, 0);
	nt_finish(proc);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
END_TEST

static void on_usr2(int sig)
{
	(void)sig;
}

START_TEST(signal_reset_all)
{
	nsbox_config *cfg;
	nsbox_proc *proc;
	uint64_t ign, cgt;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, on_usr2);
	cfg = pt_cfg_sleep(0);
	/* Default: ignored stays ignored, caught goes back to default. */
	proc = spawn_sleeping(cfg);
	pid = nsbox_proc_pid(proc);
	sig_field(pid, "SigIgn", &ign);
	sig_field(pid, "SigCgt", &cgt);
	NT_ASSERT((ign & (BIT(SIGPIPE) | BIT(SIGUSR1))) == (BIT(SIGPIPE) | BIT(SIGUSR1)), "SigIgn %016llx",
	          (unsigned long long)ign);
	NT_ASSERT_INT(cgt, ==, 0);
	nt_finish(proc);
	/* With the reset: nothing ignored. */
	PT_OK(nsbox_config_set_signal_reset(cfg, 1));
	proc = spawn_sleeping(cfg);
	pid = nsbox_proc_pid(proc);
	sig_field(pid, "SigIgn", &ign);
	sig_field(pid, "SigCgt", &cgt);
	NT_ASSERT_INT(ign, ==, 0);
	NT_ASSERT_INT(cgt, ==, 0);
	nt_finish(proc);
	nsbox_config_free(cfg);
	/* The caller's dispositions are untouched. */
	NT_ASSERT(signal(SIGPIPE, SIG_DFL) == SIG_IGN, "SIGPIPE disposition changed");
	NT_ASSERT(signal(SIGUSR2, SIG_DFL) == on_usr2, "SIGUSR2 disposition changed");
	signal(SIGUSR1, SIG_DFL);
}
END_TEST

/* ======================================================================
 * bad input of every setter
 * ====================================================================== */

START_TEST(bad_flags)
{
	struct nt_snap snap;
	nsbox_config *cfg = NULL;

	nt_snap_take(&snap);
	PT_OK(nsbox_config_new(&cfg));
	NT_ASSERT_INT(nsbox_config_set_init(NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_init(cfg, 2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_init(cfg, -1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_die_with_parent(NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_die_with_parent(cfg, 2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_session(NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_session(cfg, 3), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "unknown mode 3");
	NT_ASSERT_INT(nsbox_config_set_session(cfg, UINT32_MAX), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_signal_mask(NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_signal_reset(NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_signal_reset(cfg, 2), ==, -EINVAL);
	PT_OK(nsbox_config_set_session(cfg, NSBOX_SESSION_NEW_GROUP));
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

static Suite *process_suite(void)
{
	Suite *s = suite_create("process");
	TCase *tc;

#define TC(name)                                        \
	tc = nt_tcase(name);                            \
	suite_add_tcase(s, tc)

	TC("init");
	tcase_add_test(tc, init_is_pid_1);
	tcase_add_test(tc, init_reaps_orphans);
	tcase_add_loop_test(tc, init_forwards_signals, 0, 5);
	tcase_add_test(tc, init_drops_other_signals);
	tcase_add_loop_test(tc, init_exit_status, 0, (int)(sizeof(exits) / sizeof(exits[0])));
	tcase_add_test(tc, init_spawn_returns_at_exec);
	tcase_add_test(tc, init_exec_failure);
	tcase_add_test(tc, init_callback);
	tcase_add_test(tc, init_after_join);
	tcase_add_test(tc, init_caller_ignores_sigchld);
	tcase_add_test(tc, init_unprivileged);
	tcase_add_test(tc, init_needs_pid_namespace);

	TC("die-with-parent");
	tcase_add_loop_test(tc, dwp_process_exits, 0, DWP_N);
	tcase_add_loop_test(tc, dwp_thread_exits, 0, 2);
	tcase_add_test(tc, dwp_parent_alive);

	TC("session");
	tcase_add_loop_test(tc, session_modes, 0, 3);
	tcase_add_test(tc, session_with_init);

	TC("cwd");
	tcase_add_test(tc, cwd_set);
	tcase_add_test(tc, cwd_callback);
	tcase_add_test(tc, cwd_errors);

	TC("env");
	tcase_add_test(tc, env_on_exec_envp);
	tcase_add_test(tc, env_inherited);
	tcase_add_test(tc, env_clear);
	tcase_add_test(tc, env_callback);
	tcase_add_test(tc, env_errors);

	TC("fds");
	tcase_add_test(tc, fd_close_others);
	tcase_add_test(tc, fd_swap);
	tcase_add_loop_test(tc, fd_collisions, 0, COLL_N);
	tcase_add_test(tc, fd_stdout_and_keep);
	tcase_add_test(tc, fd_errors);

	TC("rlimits");
	tcase_add_test(tc, rlimits_set);
	tcase_add_test(tc, rlimits_unprivileged);
	tcase_add_test(tc, rlimits_errors);

	TC("signals");
	tcase_add_test(tc, signal_mask_chosen);
	tcase_add_test(tc, signal_reset_all);

	TC("bad-input");
	tcase_add_test(tc, bad_flags);
#undef TC
	return s;
}

int main(void)
{
	char cap[64];

	nt_init();
	pt_status_field(getpid(), "CapEff", cap, sizeof(cap));
	g_sys_resource = (strtoull(cap, NULL, 16) >> 24) & 1; /* CAP_SYS_RESOURCE */
	if (geteuid() == 0) {
		g_pidns = NSBOX_NS_PID;
	} else {
		printf("not root: the process suite makes its PID namespaces with user namespaces\n");
		nt_require_userns();
		g_pidns = NSBOX_NS_USER | NSBOX_NS_PID;
	}
	return nt_run_suite(process_suite());
}
