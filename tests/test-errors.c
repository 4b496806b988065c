/*
 * test-errors.c - every bad input of nsbox_spawn and nsbox_join* with its
 * exact documented error, and after each failure nothing leaked: fds,
 * children, the signal mask, signal dispositions, mappings. The caller's
 * signal state is made non-trivial first (a blocked signal, a handler, an
 * ignored signal), so that a library resetting it would be noticed.
 * Needs root.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static void on_usr1(int sig)
{
	(void)sig;
}

static sigset_t saved_mask;
static struct sigaction saved_usr1, saved_pipe;

static void setup(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, &saved_usr1);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, &saved_pipe);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &set, &saved_mask);
}

static void teardown(void)
{
	sigaction(SIGUSR1, &saved_usr1, NULL);
	sigaction(SIGPIPE, &saved_pipe, NULL);
	pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}

/* nsbox_spawn(@cfg) must fail with @want, write nothing to the out
 * parameter and leave everything as it was; @needle (if any) must be in
 * nsbox_last_error(). */
#define EXPECT_SPAWN(cfg, want, needle) expect_spawn((cfg), (want), (needle), 0, __LINE__)
/* The same, for a configuration error that nsbox_config_check() finds
 * without spawning: same code, same description. */
#define EXPECT_CHECK_AND_SPAWN(cfg, want, needle) expect_spawn((cfg), (want), (needle), 1, __LINE__)
static void expect_spawn(nsbox_config *cfg, int want, const char *needle, int check, int line)
{
	nsbox_proc *const sentinel = (nsbox_proc *)&line;
	nsbox_proc *p = sentinel;
	char described[1024] = "";
	struct nt_snap s;
	int r;

	nt_snap_take(&s);
	if (check) {
		r = nsbox_config_check(cfg);
		NT_ASSERT(r == want, "line %d: nsbox_config_check returned %d, want %d; \"%s\"", line,
		          r, want, nsbox_last_error());
		snprintf(described, sizeof(described), "%s", nsbox_last_error());
	}
	r = nsbox_spawn(cfg, &p);
	NT_ASSERT(r == want, "line %d: nsbox_spawn returned %d (%s), want %d (%s); last error \"%s\"",
	          line, r, r < 0 ? strerror(-r) : "ok", want, strerror(-want), nsbox_last_error());
	NT_ASSERT(p == sentinel, "line %d: out-parameter written on failure", line);
	nt_snap_check(&s, __FILE__, line);
	NT_ASSERT(nsbox_last_error()[0] != '\0', "line %d: no description of the failure", line);
	if (needle)
		NT_ASSERT(strstr(nsbox_last_error(), needle) != NULL,
		          "line %d: \"%s\" does not name \"%s\"", line, nsbox_last_error(), needle);
	if (check)
		NT_ASSERT(strcmp(described, nsbox_last_error()) == 0,
		          "line %d: nsbox_config_check said \"%s\", nsbox_spawn \"%s\"", line,
		          described, nsbox_last_error());
}

static nsbox_config *cfg_true(uint32_t ns)
{
	nsbox_config *cfg = nt_cfg(ns);
	const char *argv[] = { "true", NULL };

	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	return cfg;
}

/* A reaped child's pid. */
static pid_t dead_pid(void)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	NT_ASSERT(pid >= 0, "fork");
	if (pid == 0)
		_exit(0);
	NT_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	return pid;
}

/* ---- spawn: configuration that does not hold together ------------------------------- */

START_TEST(test_null_arguments)
{
	nsbox_config *cfg = cfg_true(0);
	nsbox_proc *p = NULL;
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_config_check(NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_check(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(NULL, &p), ==, -EINVAL);
	NT_ASSERT(p == NULL, "out-parameter written");
	NT_ASSERT_INT(nsbox_spawn(cfg, NULL), ==, -EINVAL);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_no_payload)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);

	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	/* cleared payloads count as none */
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", NULL, NULL));
	NT_OK(nsbox_config_set_exec(cfg, NULL, NULL, NULL));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_names_without_uts)
{
	nsbox_config *cfg = cfg_true(NSBOX_NS_IPC | NSBOX_NS_NET);

	NT_OK(nsbox_config_set_hostname(cfg, "nouts"));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	NT_OK(nsbox_config_set_hostname(cfg, NULL));
	NT_OK(nsbox_config_set_domainname(cfg, "nouts.dom"));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_maps_without_user)
{
	nsbox_config *cfg = cfg_true(NSBOX_NS_UTS);

	NT_OK(nsbox_config_add_uid_map(cfg, 0, 100000, 1));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);
	cfg = cfg_true(NSBOX_NS_UTS);
	NT_OK(nsbox_config_add_gid_map(cfg, 0, 100000, 1));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	/* map_caller adds the user namespace; taking it away again is an error */
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_mount_proc_without_namespaces)
{
	static const uint32_t bad[] = { 0, NSBOX_NS_PID, NSBOX_NS_MOUNT, NSBOX_NS_UTS | NSBOX_NS_NET };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nsbox_config *cfg = cfg_true(bad[i]);

		NT_OK(nsbox_config_set_mount_proc(cfg, 1));
		EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
		nsbox_config_free(cfg);
	}
}
END_TEST

/* Maps for a joined user namespace are refused. */
START_TEST(test_maps_for_joined_user)
{
	nsbox_config *t = nt_cfg(NSBOX_NS_UTS), *cfg = cfg_true(0);
	nsbox_proc *tp;
	int rd;

	NT_OK(nsbox_config_map_caller(t, NSBOX_MAP_ROOT));
	tp = nt_spawn_sh(t, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(tp), NSBOX_NS_USER));
	NT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1));
	EXPECT_CHECK_AND_SPAWN(cfg, -EINVAL, NULL);
	nt_finish(tp);
	close(rd);
	nsbox_config_free(t);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_time_without_clone3)
{
	nsbox_config *cfg = cfg_true(NSBOX_NS_TIME);

	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3));
	EXPECT_CHECK_AND_SPAWN(cfg, -EOPNOTSUPP, NULL);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- spawn: the payload cannot be executed -------------------------------------------- */

struct exec_case {
	uint32_t ns, flags;
	int map_root;
	int own_stack; /* caller-supplied stack */
};

static const struct exec_case exec_cases[] = {
	{ 0, 0, 0, 0 },
	{ NSBOX_NS_UTS, 0, 0, 0 },
	{ NSBOX_NS_UTS, NSBOX_SPAWN_FORK, 0, 0 },
	{ NSBOX_NS_UTS, NSBOX_SPAWN_NO_CLONE3, 0, 0 },
	{ NSBOX_NS_PID | NSBOX_NS_MOUNT, 0, 0, 0 },
	{ NSBOX_NS_TIME, 0, 0, 0 },
	{ NSBOX_NS_UTS, 0, 1, 0 },
	{ NSBOX_NS_UTS | NSBOX_NS_PID, 0, 1, 1 },
};

static unsigned char user_stack[64 * 1024] __attribute__((aligned(64)));

START_TEST(test_exec_missing)
{
	const struct exec_case *c = &exec_cases[_i];
	nsbox_config *cfg;
	const char *argv[] = { "nope", NULL };

	if (c->ns & NSBOX_NS_TIME)
		NT_NOT_UNDER_VALGRIND("a time namespace needs clone3");
	cfg = nt_cfg(c->ns);

	NT_OK(nsbox_config_set_flags(cfg, c->flags));
	if (c->map_root)
		NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	if (c->own_stack)
		NT_OK(nsbox_config_set_stack(cfg, user_stack, sizeof(user_stack)));
	NT_OK(nsbox_config_set_exec(cfg, "/nonexistent/nsbox-test-binary", argv, NULL));
	EXPECT_SPAWN(cfg, -ENOENT, "execve");
	nsbox_config_free(cfg);
}
END_TEST

/* A missing file after a PID namespace join (the extra fork). */
START_TEST(test_exec_missing_joined_pid)
{
	nsbox_config *t, *cfg;
	nsbox_proc *tp;
	int rd;

	NT_NOT_UNDER_VALGRIND("a PID join takes clone(CLONE_VM) without CLONE_VFORK");
	t = nt_cfg(NSBOX_NS_PID);
	cfg = nt_cfg(0);
	tp = nt_spawn_sh(t, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(tp), NSBOX_NS_PID));
	NT_OK(nsbox_config_set_exec(cfg, "/nonexistent/nsbox-test-binary", NULL, NULL));
	EXPECT_SPAWN(cfg, -ENOENT, "execve");
	nt_finish(tp);
	close(rd);
	nsbox_config_free(t);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_exec_not_executable)
{
	char dir[] = "/tmp/nsbox-exec-XXXXXX", file[64], garbage[64];
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	int fd;

	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(file, sizeof(file), "%s/plain", dir);
	snprintf(garbage, sizeof(garbage), "%s/garbage", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	NT_ASSERT(fd >= 0 && write(fd, "#!/bin/sh\n", 10) == 10, "write %s", file);
	close(fd);
	fd = open(garbage, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	NT_ASSERT(fd >= 0 && write(fd, "\x01\x02\x03\x04 not a program\n", 20) == 20, "write");
	close(fd);

	NT_OK(nsbox_config_set_exec(cfg, file, NULL, NULL));
	EXPECT_SPAWN(cfg, -EACCES, "execve");
	NT_OK(nsbox_config_set_exec(cfg, dir, NULL, NULL));
	EXPECT_SPAWN(cfg, -EACCES, "execve");
	NT_OK(nsbox_config_set_exec(cfg, garbage, NULL, NULL));
	EXPECT_SPAWN(cfg, -ENOEXEC, "execve");
	unlink(file);
	unlink(garbage);
	rmdir(dir);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- spawn: join targets ------------------------------------------------------------------ */

START_TEST(test_join_gone_pid)
{
	nsbox_config *cfg = cfg_true(NSBOX_NS_UTS);

	NT_OK(nsbox_config_join_pid(cfg, dead_pid(), NSBOX_NS_NET));
	EXPECT_SPAWN(cfg, -ESRCH, NULL);
	nsbox_config_free(cfg);
}
END_TEST

/* A pidfd whose process was reaped. */
START_TEST(test_join_gone_pidfd)
{
	nsbox_config *t = cfg_true(NSBOX_NS_UTS), *cfg = cfg_true(0);
	nsbox_proc *tp = NULL;
	int32_t st;

	NT_ASSERT_INT(nsbox_spawn(t, &tp), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(tp, 0, &st), ==, 0);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(tp), NSBOX_NS_UTS));
	EXPECT_SPAWN(cfg, -ESRCH, NULL);
	nsbox_proc_free(tp);
	nsbox_config_free(t);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_join_path_bad_files)
{
	nsbox_config *cfg = cfg_true(0);

	NT_OK(nsbox_config_join_path(cfg, "/etc/hostname", NSBOX_NS_UTS));
	EXPECT_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);

	cfg = cfg_true(0);
	NT_OK(nsbox_config_join_path(cfg, "/proc/self/status", NSBOX_NS_NET));
	EXPECT_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);

	/* a namespace file of another kind */
	cfg = cfg_true(0);
	NT_OK(nsbox_config_join_path(cfg, "/proc/self/ns/uts", NSBOX_NS_NET));
	EXPECT_SPAWN(cfg, -EINVAL, NULL);
	nsbox_config_free(cfg);

	cfg = cfg_true(0);
	NT_OK(nsbox_config_join_path(cfg, "/nonexistent/ns/net", NSBOX_NS_NET));
	EXPECT_SPAWN(cfg, -ENOENT, NULL);
	nsbox_config_free(cfg);
}
END_TEST

/* A child-side failure: the child joins a UTS namespace owned by the
 * initial user namespace and creates a user namespace of its own, so it may
 * not set that namespace's hostname. */
START_TEST(test_child_side_sethostname)
{
	nsbox_config *t = nt_cfg(NSBOX_NS_UTS), *cfg = cfg_true(0);
	char tag[64], out[256];
	nsbox_proc *tp;
	int rd;

	snprintf(tag, sizeof(tag), "%s", nt_tag());
	NT_OK(nsbox_config_set_hostname(t, tag));
	tp = nt_spawn_sh(t, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(tp), NSBOX_NS_UTS));
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_hostname(cfg, "not-allowed"));
	EXPECT_SPAWN(cfg, -EPERM, NULL);
	NT_ASSERT(strstr(nsbox_last_error(), "sethostname") || strstr(nsbox_last_error(), "setns"),
	          "\"%s\" names neither sethostname nor setns", nsbox_last_error());
	/* the target's name is untouched */
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u hostname", nsbox_proc_pid(tp));
	NT_ASSERT_STR_EQ(nt_chomp(out), tag);
	nt_finish(tp);
	close(rd);
	nsbox_config_free(t);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- nsbox_join* in the caller -------------------------------------------------------- */

static void child_join_bad(void *unused)
{
	struct nt_nsid uts = nt_ns(0, "uts"), net = nt_ns(0, "net");
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t gone = dead_pid();
	char path[64];
	struct nt_snap s;

	(void)unused;
	NT_ASSERT(devnull >= 0, "open");
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_join(-1, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join(devnull, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join(devnull, 0x100), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join(devnull, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_pid(0, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_pid(-3, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_pid(getppid(), 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_pid(getppid(), 0x8000), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_pid(gone, NSBOX_NS_UTS), ==, -ESRCH);
	NT_ASSERT_INT(nsbox_join_path(NULL, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_path("/proc/self/ns/uts", NSBOX_NS_UTS | NSBOX_NS_NET), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_path("/proc/self/ns/uts", 0x100), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_path("/proc/self/ns/uts", NSBOX_NS_NET), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_path("/etc/hostname", NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_path("/etc/hostname", 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_join_path("/nonexistent/ns/uts", NSBOX_NS_UTS), ==, -ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)gone);
	NT_ASSERT_INT(nsbox_join_path(path, NSBOX_NS_NET), ==, -ENOENT);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(nt_ns_eq(uts, nt_ns(0, "uts")) && nt_ns_eq(net, nt_ns(0, "net")),
	          "a failed join moved the caller");
	close(devnull);
}

START_TEST(test_join_caller_bad_input)
{
	nt_in_child(child_join_bad, NULL);
}
END_TEST

static void *idle_thread(void *arg)
{
	char c;

	while (read(*(int *)arg, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

struct mt_args {
	nsbox_proc *target;
};

/* The kernel refuses user and mount namespace joins to a multithreaded
 * caller: -EINVAL, and nothing is joined. */
static void child_join_threaded(void *arg)
{
	struct mt_args *a = arg;
	struct nt_nsid user = nt_ns(0, "user"), uts = nt_ns(0, "uts"), mnt = nt_ns(0, "mnt");
	pthread_t t;
	int p[2];

	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe");
	NT_ASSERT(pthread_create(&t, NULL, idle_thread, &p[0]) == 0, "pthread_create");
	NT_ASSERT_INT(nsbox_join(nsbox_proc_pidfd(a->target), NSBOX_NS_USER | NSBOX_NS_UTS), ==,
	              -EINVAL);
	NT_ASSERT(nt_ns_eq(user, nt_ns(0, "user")), "the refused join changed the user namespace");
	NT_ASSERT(nt_ns_eq(uts, nt_ns(0, "uts")),
	          "nsbox_join(USER|UTS) failed with -EINVAL but left the caller in the target's "
	          "UTS namespace (a partial join)");
	NT_ASSERT_INT(nsbox_join(nsbox_proc_pidfd(a->target), NSBOX_NS_MOUNT), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "thread");
	/* with another kind the kernel would take a mount namespace through
	 * a pidfd; the library refuses before joining anything */
	NT_ASSERT_INT(nsbox_join(nsbox_proc_pidfd(a->target), NSBOX_NS_MOUNT | NSBOX_NS_UTS), ==,
	              -EINVAL);
	NT_ASSERT(nt_ns_eq(uts, nt_ns(0, "uts")), "a refused MOUNT|UTS join moved the UTS namespace");
	NT_ASSERT(nt_ns_eq(user, nt_ns(0, "user")) && nt_ns_eq(uts, nt_ns(0, "uts")) &&
	              nt_ns_eq(mnt, nt_ns(0, "mnt")),
	          "a refused join moved the caller");
	NT_ASSERT(write(p[1], "x", 1) == 1, "release");
	pthread_join(t, NULL);
}

START_TEST(test_join_caller_multithreaded)
{
	nsbox_config *t = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_MOUNT);
	struct mt_args a;
	int rd;

	NT_OK(nsbox_config_map_caller(t, NSBOX_MAP_ROOT));
	a.target = nt_spawn_sh(t, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	nt_in_child(child_join_threaded, &a);
	nt_finish(a.target);
	close(rd);
	nsbox_config_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("errors");
	TCase *tc;

	nt_init();
	nt_require_root("errors");
	nt_require_userns();
	nt_require_cmd("nsenter");

	tc = nt_tcase("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_null_arguments);
	tcase_add_test(tc, test_no_payload);
	tcase_add_test(tc, test_names_without_uts);
	tcase_add_test(tc, test_maps_without_user);
	tcase_add_test(tc, test_mount_proc_without_namespaces);
	tcase_add_test(tc, test_maps_for_joined_user);
	tcase_add_test(tc, test_time_without_clone3);
	suite_add_tcase(s, tc);

	tc = nt_tcase("exec");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_exec_missing, 0, sizeof(exec_cases) / sizeof(exec_cases[0]));
	tcase_add_test(tc, test_exec_missing_joined_pid);
	tcase_add_test(tc, test_exec_not_executable);
	suite_add_tcase(s, tc);

	tc = nt_tcase("join");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_join_gone_pid);
	tcase_add_test(tc, test_join_gone_pidfd);
	tcase_add_test(tc, test_join_path_bad_files);
	tcase_add_test(tc, test_child_side_sethostname);
	tcase_add_test(tc, test_join_caller_bad_input);
	tcase_add_test(tc, test_join_caller_multithreaded);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
