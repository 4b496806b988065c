/*
 * test-limits.c - hostile hosts, limits and filters: RLIMIT_NPROC reached,
 * max_user_namespaces (and max_uts_namespaces) set to 0 in the test's own
 * user namespace, clone3(2) refused by a seccomp filter with ENOSYS or
 * EPERM, and a parent that dies while its child waits for it.
 *
 * Promises checked:
 *  - process limit: -EAGAIN, a description naming RLIMIT_NPROC, nothing left;
 *  - namespace limit: -ENOSPC, a description naming the limit;
 *  - without clone3: the spawn matrix (exec, callback, user+map root, two-line
 *    maps, pid+uts, joins by pid and pidfd, fork-style, a cgroup) works on
 *    the clone(2) fallback; a new time namespace, which needs clone3, fails
 *    with -EOPNOTSUPP and says why, whatever spawned before;
 *  - a parent that dies while the child waits for it: the child exits, the
 *    payload never runs, no process remains.
 * Needs root (the unprivileged cases drop to nobody in a forked child).
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

static int cb_return7(void *arg)
{
	(void)arg;
	return 7;
}

/* Expect nsbox_spawn(@cfg) to fail with @want1 or @want2, @needle (unless
 * NULL) in the description, the out-parameter untouched and nothing leaked. */
static void expect_fail2(nsbox_config *cfg, int want1, int want2, const char *needle, const char *what)
{
	nsbox_proc *const sentinel = (nsbox_proc *)&want1;
	nsbox_proc *p = sentinel;
	struct nt_snap s;
	char want[128];
	int r;

	if (want1 == want2)
		snprintf(want, sizeof(want), "%d (%s)", want1, strerror(-want1));
	else
		snprintf(want, sizeof(want), "%d (%s) or %d (%s)", want1, strerror(-want1), want2, strerror(-want2));
	nt_snap_take(&s);
	r = nsbox_spawn(cfg, &p);
	NT_ASSERT(r == want1 || r == want2, "%s: nsbox_spawn returned %d (%s), want %s; last error \"%s\"", what, r,
	          r < 0 ? strerror(-r) : "ok", want, nsbox_last_error());
	NT_ASSERT(p == sentinel, "%s: out-parameter written on failure", what);
	NT_SNAP_CHECK(&s);
	if (needle)
		NT_ASSERT(strstr(nsbox_last_error(), needle) != NULL, "%s: \"%s\" does not mention \"%s\"", what,
		          nsbox_last_error(), needle);
}

/* expect_fail2 with a single error. */
static void expect_fail(nsbox_config *cfg, int want, const char *needle, const char *what)
{
	expect_fail2(cfg, want, want, needle, what);
}

/* Spawn (must work), wait, expect exit @code, nothing leaked. */
static void expect_exit(nsbox_config *cfg, int code, const char *what)
{
	nsbox_proc *p = NULL;
	struct nt_snap s;
	int st, r;

	nt_snap_take(&s);
	r = nsbox_spawn(cfg, &p);
	NT_ASSERT(r == 0, "%s: nsbox_spawn returned %d (%s): %s", what, r, strerror(-r), nsbox_last_error());
	st = nt_wait_free(p);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: payload %s, want exit %d", what, nt_status_str(st),
	          code);
	NT_SNAP_CHECK(&s);
}

/* ---- RLIMIT_NPROC ---------------------------------------------------------------------- */

/* Tasks (threads count for RLIMIT_NPROC) whose real uid is @uid. */
static long count_tasks_of(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long n = 0;

	NT_ASSERT(d != NULL, "opendir /proc");
	while ((e = readdir(d)) != NULL) {
		char path[600], text[4096], *u;
		DIR *t;
		struct dirent *te;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", e->d_name);
		if (!(t = opendir(path)))
			continue;
		while ((te = readdir(t)) != NULL) {
			if (!isdigit((unsigned char)te->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/status", e->d_name, te->d_name);
			if (nt_read_file(path, text, sizeof(text)) < 0 || !(u = strstr(text, "\nUid:")))
				continue;
			if ((uid_t)strtoul(u + 5, NULL, 10) == uid)
				n++;
		}
		closedir(t);
	}
	closedir(d);
	return n;
}

static void child_nproc(void *unused)
{
	enum hx_kind kinds[] = { HX_EXEC_PLAIN, HX_EXEC_USER_ROOT, HX_EXEC_FORK, HX_CALLBACK, HX_CALLBACK_NS };
	struct rlimit rl;
	nsbox_config *cfg;
	pid_t pid;
	int tries = 0;

	(void)unused;
	nt_drop_privileges();
	/* The soft limit at the current count of our uid's tasks (the hard one
	 * a step above, for the control at the end): the next one is refused.
	 * Control: fork(2) fails with EAGAIN (recount if a process of nobody
	 * went away meanwhile; more of them only lowers our margin). */
	for (;;) {
		long n = count_tasks_of(getuid());

		rl.rlim_cur = (rlim_t)n;
		rl.rlim_max = (rlim_t)n + 1;
		NT_ASSERT(setrlimit(RLIMIT_NPROC, &rl) == 0, "setrlimit RLIMIT_NPROC %ld: %s", n, strerror(errno));
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			NT_ASSERT(errno == EAGAIN, "control fork: %s", strerror(errno));
			break;
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		NT_ASSERT(++tries < 20, "cannot pin the task count of uid %d", (int)getuid());
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char what[128];

		/* unprivileged: every namespace comes with a user namespace in
		 * which our own ids are mapped (the child writes the maps) */
		cfg = hx_cfg(kinds[i]);
		if (kinds[i] == HX_EXEC_FORK || kinds[i] == HX_CALLBACK_NS)
			NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
		hx_set_kind_payload(cfg, kinds[i], cb_return7, "exit-after", "0", "7");
		snprintf(what, sizeof(what), "RLIMIT_NPROC reached, %s", hx_kind_name(kinds[i]));
		expect_fail(cfg, -EAGAIN, "RLIMIT_NPROC", what);
		nsbox_config_free(cfg);
	}
	/* Control: one more task allowed, and the same spawn works. */
	rl.rlim_cur = rl.rlim_max;
	NT_ASSERT(setrlimit(RLIMIT_NPROC, &rl) == 0, "setrlimit: %s", strerror(errno));
	cfg = hx_cfg(HX_EXEC_USER_ROOT);
	hx_set_payload(cfg, "exit-after", "0", "7");
	expect_exit(cfg, 7, "RLIMIT_NPROC one above the count, user+uts");
	nsbox_config_free(cfg);
}

START_TEST(test_rlimit_nproc)
{
	/* An ASan payload starts a thread of the sanitizer's own, which the
	 * limit refuses: meaningful in the plain build only. */
	if (nt_under_asan()) {
		printf("NOTE: RLIMIT_NPROC case left to the plain build (ASan's runtime needs a thread)\n");
		return;
	}
	nt_in_child(child_nproc, NULL);
}
END_TEST

/* ---- namespace limits in the test's own user namespace ---------------------------------------- */

static void enter_own_userns(int privileged)
{
	char map[64];
	uid_t uid;
	gid_t gid;

	if (!privileged)
		nt_drop_privileges();
	uid = geteuid();
	gid = getegid();
	NT_ASSERT(unshare(CLONE_NEWUSER) == 0, "unshare(CLONE_NEWUSER): %s", strerror(errno));
	NT_ASSERT(nt_write_file("/proc/self/setgroups", "deny") == 0, "setgroups deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	NT_ASSERT(nt_write_file("/proc/self/uid_map", map) == 0, "uid_map");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	NT_ASSERT(nt_write_file("/proc/self/gid_map", map) == 0, "gid_map");
}

static void child_ns_limits(void *arg)
{
	int privileged = (int)(intptr_t)arg;
	nsbox_config *cfg;
	char text[64];
	int r;

	enter_own_userns(privileged);
	/* The limits are per user namespace: ours, writable by its root. */
	r = nt_write_file("/proc/sys/user/max_user_namespaces", "0");
	NT_ASSERT(r == 0, "write max_user_namespaces in our user namespace: %s", strerror(-r));
	NT_ASSERT(nt_read_file("/proc/sys/user/max_user_namespaces", text, sizeof(text)) > 0, "read back");
	NT_ASSERT_STR_EQ(nt_chomp(text), "0");

	cfg = hx_cfg(HX_EXEC_USER_ROOT);
	hx_set_payload(cfg, "exit-after", "0", "7");
	expect_fail(cfg, -ENOSPC, "max_", "max_user_namespaces=0, user+uts");
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK | NSBOX_SPAWN_NO_CLONE3));
	expect_fail(cfg, -ENOSPC, "max_", "max_user_namespaces=0, user+uts, fork-style, clone(2)");
	nsbox_config_free(cfg);
	cfg = hx_cfg(HX_CALLBACK);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_callback(cfg, cb_return7, NULL));
	expect_fail(cfg, -ENOSPC, "max_", "max_user_namespaces=0, callback");
	nsbox_config_free(cfg);
	{
		struct nt_snap s;

		nt_snap_take(&s);
		NT_ASSERT_INT(nsbox_detach_user(0, NSBOX_MAP_ROOT), ==, -ENOSPC);
		NT_SNAP_CHECK(&s);
	}

	/* Another kind: no more UTS namespaces either (we are root in our
	 * user namespace: PID and UTS need no new user namespace). */
	NT_ASSERT(nt_write_file("/proc/sys/user/max_uts_namespaces", "0") == 0, "max_uts_namespaces");
	cfg = hx_cfg(HX_EXEC_PID_UTS);
	hx_set_payload(cfg, "exit-after", "0", "7");
	expect_fail(cfg, -ENOSPC, "max_", "max_uts_namespaces=0, pid+uts");
	{
		struct nt_snap s;

		nt_snap_take(&s);
		NT_ASSERT_INT(nsbox_detach(NSBOX_NS_UTS), ==, -ENOSPC);
		NT_SNAP_CHECK(&s);
	}
	/* Control: a PID namespace alone is not limited. */
	NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_PID));
	NT_OK(nsbox_config_set_hostname(cfg, NULL));
	expect_exit(cfg, 7, "max_uts_namespaces=0, pid only");
	nsbox_config_free(cfg);
}

START_TEST(test_namespace_limits)
{
	nt_in_child(child_ns_limits, (void *)(intptr_t)_i);
}
END_TEST

/* ---- clone3 refused by a seccomp filter -------------------------------------------------------- */

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "add this architecture's AUDIT_ARCH_ value"
#endif

static void clone3_fails_with(int err)
{
	/* Only the native ABI: another one has its own syscall numbers. */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	long r;

	NT_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs: %s", strerror(errno));
	NT_ASSERT(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0, "seccomp: %s", strerror(errno));
	r = syscall(__NR_clone3, NULL, 0);
	NT_ASSERT(r == -1 && errno == err, "control: clone3 under the filter returned %ld, errno %d", r, errno);
}

static int clone3_err(int i)
{
	return i == 0 ? ENOSYS : EPERM;
}

static char cg_dir[700];

/* Take @s (unless NULL), then run /bin/sh -c SCRIPT as the payload of
 * @cfg; the first line of its output goes to @line. Returns the handle
 * (running or not). */
static nsbox_proc *sh_line(nsbox_config *cfg, struct nt_snap *s, const char *script, char *line, size_t size,
                           const char *what)
{
	nsbox_proc *p;
	int rd;

	if (s)
		nt_snap_take(s);
	p = nt_spawn_sh(cfg, &rd, "%s", script);
	NT_ASSERT(nt_read_line(rd, line, size) >= 0, "%s: no output", what);
	close(rd);
	return p;
}

/* End a case that sh_line started with a snapshot: the payload, still
 * running, dies of nt_finish's SIGKILL, nothing is left, @cfg is freed. */
#define SH_CASE_END(p, cfg, s, what)                                                              \
	do {                                                                                      \
		hx_finish_killed((p), (what));                                                    \
		NT_SNAP_CHECK(s);                                                                 \
		nsbox_config_free(cfg);                                                           \
	} while (0)

/* The representative spawn matrix, on whatever clone the library can use. */
static void spawn_matrix(const char *why)
{
	struct nt_map_line lines[4];
	nsbox_config *cfg;
	nsbox_proc *p, *target;
	struct nt_snap s;
	char what[160], line[512], text[512];
	int n;

	/* exec, nothing else */
	snprintf(what, sizeof(what), "%s: exec", why);
	cfg = hx_cfg(HX_EXEC_PLAIN);
	hx_set_payload(cfg, "exit-after", "0", "7");
	expect_exit(cfg, 7, what);
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
	snprintf(what, sizeof(what), "%s: exec fork-style", why);
	expect_exit(cfg, 7, what);
	nsbox_config_free(cfg);

	/* callbacks, with and without namespaces */
	snprintf(what, sizeof(what), "%s: callback", why);
	cfg = hx_cfg(HX_CALLBACK);
	NT_OK(nsbox_config_set_callback(cfg, cb_return7, NULL));
	expect_exit(cfg, 7, what);
	nsbox_config_free(cfg);
	snprintf(what, sizeof(what), "%s: callback pid+uts", why);
	cfg = hx_cfg(HX_CALLBACK_NS);
	NT_OK(nsbox_config_set_callback(cfg, cb_return7, NULL));
	expect_exit(cfg, 7, what);
	nsbox_config_free(cfg);

	/* user namespace, caller mapped to root (the child writes the maps) */
	snprintf(what, sizeof(what), "%s: user+uts map root", why);
	cfg = hx_cfg(HX_EXEC_USER_ROOT);
	p = sh_line(cfg, &s, "cat /proc/self/uid_map; exec sleep 30", line, sizeof(line), what);
	n = nt_parse_map(line, lines, 4);
	NT_ASSERT(n == 1 && lines[0].inside == 0 && lines[0].outside == 0 && lines[0].count == 1,
	          "%s: uid_map \"%s\"", what, line);
	nt_assert_ns_differs(nsbox_proc_pid(p), "user");
	nt_assert_ns_differs(nsbox_proc_pid(p), "uts");
	SH_CASE_END(p, cfg, &s, what);

	/* two-line maps: the parent writes them while the child waits */
	snprintf(what, sizeof(what), "%s: user two-line maps", why);
	cfg = hx_cfg(HX_EXEC_MULTIMAP);
	p = sh_line(cfg, &s, "echo ready; exec sleep 30", line, sizeof(line), what);
	nt_proc_read(nsbox_proc_pid(p), "uid_map", text, sizeof(text));
	n = nt_parse_map(text, lines, 4);
	NT_ASSERT(n == 2 && lines[1].inside == 1 && lines[1].outside == 100000 && lines[1].count == 1000,
	          "%s: uid_map \"%s\"", what, text);
	SH_CASE_END(p, cfg, &s, what);

	/* pid+uts with a hostname: pid 1, the name set */
	snprintf(what, sizeof(what), "%s: pid+uts", why);
	cfg = hx_cfg(HX_EXEC_PID_UTS);
	p = sh_line(cfg, &s, "echo $$ $(hostname); exec sleep 30", line, sizeof(line), what);
	NT_ASSERT_STR_EQ(line, "1 hx-host");
	nt_assert_ns_differs(nsbox_proc_pid(p), "pid");
	target = p; /* kept as the join target below */

	/* joins: by pid (uts+ipc... the target's pid and uts namespaces), by
	 * pidfd with a new PID namespace nested in the joined one */
	snprintf(what, sizeof(what), "%s: join pid+uts by pid", why);
	nsbox_config_free(cfg);
	cfg = nt_cfg(0);
	NT_OK(nsbox_config_join_pid(cfg, nsbox_proc_pid(target), NSBOX_NS_PID | NSBOX_NS_UTS));
	p = sh_line(cfg, NULL, "echo $$ $(hostname); exec sleep 30", line, sizeof(line), what);
	NT_ASSERT(strcmp(line, "1 hx-host") != 0 && strstr(line, " hx-host") != NULL,
	          "%s: payload says \"%s\" (want a pid other than 1 in the target's namespace, hx-host)", what,
	          line);
	NT_ASSERT(nt_ns_eq(nt_ns(nsbox_proc_pid(p), "pid"), nt_ns(nsbox_proc_pid(target), "pid")),
	          "%s: not in the target's PID namespace", what);
	nt_finish(p);
	nsbox_config_free(cfg);

	snprintf(what, sizeof(what), "%s: join uts by pidfd + new pid", why);
	cfg = nt_cfg(NSBOX_NS_PID);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(target), NSBOX_NS_UTS | NSBOX_NS_PID));
	p = sh_line(cfg, NULL, "echo $$ $(hostname); exec sleep 30", line, sizeof(line), what);
	NT_ASSERT_STR_EQ(line, "1 hx-host");
	nt_finish(p);
	nsbox_config_free(cfg);
	snprintf(what, sizeof(what), "%s: pid+uts, the join target", why);
	hx_finish_killed(target, what);
	NT_SNAP_CHECK(&s);

	/* a cgroup: CLONE_INTO_CGROUP needs clone3; the documented fallback
	 * writes cgroup.procs from the parent */
	if (cg_dir[0]) {
		char root[512], want[800];

		snprintf(what, sizeof(what), "%s: cgroup", why);
		nt_cgroup2_mount(root, sizeof(root));
		snprintf(want, sizeof(want), "0::%s", cg_dir + strlen(root));
		for (int k = 0; k < 2; k++) {
			cfg = hx_cfg(k ? HX_EXEC_USER_ROOT : HX_EXEC_PLAIN);
			NT_OK(nsbox_config_set_cgroup(cfg, cg_dir));
			p = sh_line(cfg, &s, "grep '^0::' /proc/self/cgroup; exec sleep 30", line, sizeof(line), what);
			NT_ASSERT(strcmp(line, want) == 0, "%s (%s): the payload is in \"%s\", want \"%s\"", what,
			          k ? "user+uts" : "exec", line, want);
			SH_CASE_END(p, cfg, &s, what);
		}
	}
}

/* A new time namespace cannot come from clone(2): refused, and said why.
 * ENOSYS: clone3 is not available, -EOPNOTSUPP (documented). EPERM: the
 * library may not know a filter from a real refusal, so -EPERM is fair
 * too, as long as the description names clone3 rather than blaming a
 * missing capability. */
static void expect_time_refused(int err, const char *when)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_TIME | NSBOX_NS_UTS);
	int alt = err == ENOSYS ? -EOPNOTSUPP : -EPERM;
	char what[160];

	hx_set_payload(cfg, "exit-after", "0", "7");
	snprintf(what, sizeof(what), "clone3 %s, time namespace, %s", err == ENOSYS ? "ENOSYS" : "EPERM", when);
	expect_fail2(cfg, -EOPNOTSUPP, alt, "clone3", what);
	nsbox_config_free(cfg);
	/* the callback way (fork-style, offsets written before entering) too */
	cfg = nt_cfg(NSBOX_NS_TIME);
	NT_OK(nsbox_config_set_callback(cfg, cb_return7, NULL));
	NT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, 3600, 0));
	snprintf(what, sizeof(what), "clone3 %s, time namespace with offsets (callback), %s",
	         err == ENOSYS ? "ENOSYS" : "EPERM", when);
	expect_fail2(cfg, -EOPNOTSUPP, alt, "clone3", what);
	nsbox_config_free(cfg);
}

static void child_clone3_matrix(void *arg)
{
	int err = clone3_err((int)(intptr_t)arg);
	char why[64];

	clone3_fails_with(err);
	snprintf(why, sizeof(why), "clone3 %s", err == ENOSYS ? "ENOSYS" : "EPERM");
	spawn_matrix(why);
	expect_time_refused(err, "after the fallback was used");
}

START_TEST(test_clone3_filtered_matrix)
{
	nt_in_child(child_clone3_matrix, (void *)(intptr_t)_i);
}
END_TEST

static void child_clone3_time_first(void *arg)
{
	int err = clone3_err((int)(intptr_t)arg);

	clone3_fails_with(err);
	expect_time_refused(err, "as the first spawn");
}

/* Whether a refusal is reported must not depend on what the process
 * spawned before (the library caches what it learnt about clone3). */
START_TEST(test_clone3_filtered_time_first)
{
	nt_in_child(child_clone3_time_first, (void *)(intptr_t)_i);
}
END_TEST

static void cgroup_setup(void)
{
	char root[512];

	cg_dir[0] = '\0';
	nt_cgroup2_mount(root, sizeof(root));
	NT_ASSERT(root[0] != '\0', "no cgroup2 mount");
	snprintf(cg_dir, sizeof(cg_dir), "%s/%s", root, nt_tag());
	NT_ASSERT(mkdir(cg_dir, 0755) == 0, "mkdir %s: %s", cg_dir, strerror(errno));
}

static void cgroup_teardown(void)
{
	if (cg_dir[0])
		rmdir(cg_dir);
	cg_dir[0] = '\0';
}

/* ---- the parent dies while the child waits for it ---------------------------------------------- */

enum death { DIE_EXIT, DIE_RAISE_KILL, DIE_KILLED_OUTSIDE, DEATHS };
static const char *const death_names[DEATHS] = { "hook calls _exit", "hook raises SIGKILL",
	                                         "parent killed from outside during the hook" };

struct death_ctx {
	enum death how;
	int report; /* write end: the child's pid, then the parent's fate */
	const char *marker;
};

static int hook_die(int32_t pid, int32_t pidfd, void *arg)
{
	const struct death_ctx *c = arg;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	(void)pidfd;
	(void)!write(c->report, buf, (size_t)n);
	switch (c->how) {
	case DIE_EXIT:
		_exit(3);
	case DIE_RAISE_KILL:
		raise(SIGKILL);
		break;
	default:
		sleep(30); /* killed meanwhile */
		break;
	}
	return 0;
}

static int cb_touch(void *arg)
{
	int fd = open((const char *)arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	return fd >= 0 ? 0 : 1;
}

/* The parent: two-line maps make it write them and the child wait; the
 * hook then kills the parent. Never returns. */
static void doomed_parent(const struct death_ctx *c, int callback) __attribute__((noreturn));
static void doomed_parent(const struct death_ctx *c, int callback)
{
	nsbox_config *cfg = NULL;
	nsbox_proc *p = NULL;

	if (nsbox_config_new(&cfg) < 0 || nsbox_config_set_namespaces(cfg, NSBOX_NS_USER) < 0 ||
	    nsbox_config_add_uid_map(cfg, 0, 0, 1) < 0 || nsbox_config_add_uid_map(cfg, 1, 100000, 1000) < 0 ||
	    nsbox_config_add_gid_map(cfg, 0, 0, 1) < 0 || nsbox_config_add_gid_map(cfg, 1, 100000, 1000) < 0 ||
	    nsbox_config_set_parent_hook(cfg, hook_die, (void *)c) < 0)
		_exit(50);
	if (callback) {
		if (nsbox_config_set_callback(cfg, cb_touch, (void *)c->marker) < 0)
			_exit(51);
	} else {
		const char *argv[] = { "hostile-payload", "touch", c->marker, NULL };

		if (nsbox_config_set_exec(cfg, hx_payload(), argv, NULL) < 0)
			_exit(51);
	}
	nsbox_spawn(cfg, &p);
	_exit(52); /* the hook never returns here */
}

static void child_parent_dies(void *arg)
{
	int i = (int)(intptr_t)arg, callback = i / DEATHS, r;
	struct death_ctx c = { (enum death)(i % DEATHS), -1, NULL };
	char marker[256], buf[64], what[160];
	struct pollfd pfd;
	pid_t parent, child = -1, w;
	int p[2], st = 0, cst = 0;
	long deadline;

	snprintf(what, sizeof(what), "%s payload, %s", callback ? "callback" : "exec", death_names[c.how]);
	snprintf(marker, sizeof(marker), "/tmp/%s-marker", nt_tag());
	unlink(marker);
	c.marker = marker;
	/* Orphans come to us, so we can see how the child ended. */
	NT_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	c.report = p[1];
	fflush(NULL);
	parent = fork();
	NT_ASSERT(parent >= 0, "fork: %s", strerror(errno));
	if (parent == 0) {
		close(p[0]);
		doomed_parent(&c, callback);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	NT_ASSERT(poll(&pfd, 1, 20000) == 1, "%s: the hook never ran", what);
	r = (int)read(p[0], buf, sizeof(buf) - 1);
	NT_ASSERT(r > 0, "%s: no pid from the hook", what);
	buf[r] = '\0';
	child = atoi(buf);
	close(p[0]);
	if (c.how == DIE_KILLED_OUTSIDE)
		NT_ASSERT(kill(parent, SIGKILL) == 0, "kill parent: %s", strerror(errno));
	NT_ASSERT(waitpid(parent, &st, 0) == parent, "waitpid parent: %s", strerror(errno));
	NT_ASSERT(c.how == DIE_EXIT ? WIFEXITED(st) && WEXITSTATUS(st) == 3 : WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	          "%s: the parent %s", what, nt_status_str(st));

	/* The orphaned child is reparented to us: it must end by itself. */
	deadline = hx_now_ms() + 10000;
	while ((w = waitpid(child, &cst, WNOHANG | __WALL)) == 0 && hx_now_ms() < deadline)
		usleep(2000);
	if (w == 0) {
		kill(child, SIGKILL);
		waitpid(child, &cst, __WALL);
		NT_ASSERT(0, "%s: the child %d still waited 10 s after its parent died", what, (int)child);
	}
	NT_ASSERT(w == child, "%s: waitpid child %d: %s", what, (int)child, strerror(errno));
	NT_ASSERT((WIFEXITED(cst) && WEXITSTATUS(cst) == 127) || (WIFSIGNALED(cst) && WTERMSIG(cst) == SIGKILL),
	          "%s: the child %s (want exit 127 or SIGKILL: it must not have run the payload)", what,
	          nt_status_str(cst));
	usleep(200 * 1000);
	NT_ASSERT(access(marker, F_OK) != 0, "%s: the payload ran (%s exists)", what, marker);
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL);
		NT_ASSERT(r < 0 && errno == ECHILD, "%s: a process remains (pid %d)", what, (int)si.si_pid);
	}
	unlink(marker);
}

START_TEST(test_parent_dies_while_child_waits)
{
	nt_in_child(child_parent_dies, (void *)(intptr_t)_i);
}
END_TEST

int main(void)
{
	Suite *s = hx_suite_start("hostile-limits");
	TCase *tc = hx_tcase(s, "limits");

	tcase_add_test(tc, test_rlimit_nproc);
	tcase_add_loop_test(tc, test_namespace_limits, 0, 2);

	tc = hx_tcase(s, "clone3");
	tcase_add_checked_fixture(tc, cgroup_setup, cgroup_teardown);
	tcase_add_loop_test(tc, test_clone3_filtered_matrix, 0, 2);
	tcase_add_loop_test(tc, test_clone3_filtered_time_first, 0, 2);

	tc = hx_tcase(s, "parent-death");
	tcase_add_loop_test(tc, test_parent_dies_while_child_waits, 0, 2 * DEATHS);

	return nt_run_suite(s);
}
