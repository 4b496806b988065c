/*
 * test-nsid.c - nsbox_ns_id and nsbox_ns_same against stat() of
 * /proc/PID/ns/KIND. Runs as root or unprivileged (the child gets a user
 * namespace of its own).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sched.h>
#include <sys/syscall.h>
#include "helpers.h"

START_TEST(test_self_every_kind)
{
	uint32_t bit;

	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1) {
		struct nt_nsid want = nt_ns(0, nt_ns_name(bit)), want2 = nt_ns(getpid(),
		                                                                nt_ns_name(bit));
		uint64_t dev = 0, ino = 0, dev2 = 0, ino2 = 0;

		NT_ASSERT_INT(nsbox_ns_id(0, bit, &dev, &ino), ==, 0);
		NT_ASSERT(dev == want.dev && ino == want.ino, "%s: %llu:%llu vs stat %llu:%llu",
		          nt_ns_name(bit), (unsigned long long)dev, (unsigned long long)ino,
		          (unsigned long long)want.dev, (unsigned long long)want.ino);
		NT_ASSERT_INT(nsbox_ns_id(getpid(), bit, &dev2, &ino2), ==, 0);
		NT_ASSERT(dev2 == want2.dev && ino2 == want2.ino, "%s by pid", nt_ns_name(bit));
		NT_ASSERT_INT(nsbox_ns_same(0, getpid(), bit), ==, 1);
	}
}
END_TEST

/* A child in new user, UTS, IPC and net namespaces (allowed unprivileged). */
START_TEST(test_child)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_IPC | NSBOX_NS_NET);
	struct nt_snap s;
	nsbox_proc *p;
	pid_t pid;
	uint32_t bit;
	int rd;

	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	nt_expect_ready(rd);
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1) {
		const char *k = nt_ns_name(bit);
		struct nt_nsid want = nt_ns(pid, k);
		int differs = !nt_ns_eq(want, nt_ns(0, k));
		int expect = (bit & (NSBOX_NS_UTS | NSBOX_NS_IPC | NSBOX_NS_NET | NSBOX_NS_USER)) != 0;
		uint64_t dev = 0, ino = 0;

		NT_ASSERT(differs == expect, "%s: the kernel says %s", k, differs ? "differs" : "same");
		NT_ASSERT_INT(nsbox_ns_id(pid, bit, &dev, &ino), ==, 0);
		NT_ASSERT(dev == want.dev && ino == want.ino, "%s of the child: %llu vs stat %llu", k,
		          (unsigned long long)ino, (unsigned long long)want.ino);
		NT_ASSERT_INT(nsbox_ns_same(0, pid, bit), ==, !differs);
		NT_ASSERT_INT(nsbox_ns_same(pid, 0, bit), ==, !differs);
		NT_ASSERT_INT(nsbox_ns_same(pid, pid, bit), ==, 1);
	}
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

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

START_TEST(test_bad_arguments)
{
	uint64_t dev = 77, ino = 88;
	pid_t gone = dead_pid();
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_ns_id(0, 0, &dev, &ino), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_id(0, NSBOX_NS_UTS | NSBOX_NS_NET, &dev, &ino), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_id(0, 0x100, &dev, &ino), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_id(0, NSBOX_NS_ALL, &dev, &ino), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_id(0, NSBOX_NS_UTS, NULL, &ino), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_id(0, NSBOX_NS_UTS, &dev, NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_id(gone, NSBOX_NS_UTS, &dev, &ino), ==, -ESRCH);
	NT_ASSERT(dev == 77 && ino == 88, "out-parameters written on failure");
	NT_ASSERT_INT(nsbox_ns_same(0, 0, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_same(0, 0, NSBOX_NS_UTS | NSBOX_NS_IPC), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_ns_same(0, gone, NSBOX_NS_UTS), ==, -ESRCH);
	NT_ASSERT_INT(nsbox_ns_same(gone, 0, NSBOX_NS_UTS), ==, -ESRCH);
	NT_ASSERT(nsbox_last_error()[0] != '\0', "no description");
	NT_SNAP_CHECK(&s);
}
END_TEST

/* nsbox_feature_supported() against what the kernel does when asked. */
static void child_unpriv_userns(void *arg)
{
	(void)arg;
	nt_drop_privileges();
	NT_ASSERT(unshare(CLONE_NEWUSER) == 0, "feature says unprivileged user namespaces work, unshare: %s",
	          strerror(errno));
}

START_TEST(test_feature_probe)
{
	struct nt_snap s;
	long r;
	int saved;

	nt_snap_take(&s);
	errno = 0;
	r = syscall(SYS_clone3, NULL, 0);
	saved = errno;
	NT_ASSERT_INT(nsbox_feature_supported(NSBOX_FEATURE_CLONE3), ==, !(r < 0 && saved == ENOSYS));
	NT_ASSERT_INT(nsbox_feature_supported(NSBOX_FEATURE_TIME_NS), ==, access("/proc/self/ns/time", F_OK) == 0);
	/* features this kernel (5.8 or later, as the suites need) has */
	NT_ASSERT_INT(nsbox_feature_supported(NSBOX_FEATURE_PIDFD_SETNS), ==, 1);
	/* both ride on clone3 (which valgrind, for one, does not offer) */
	NT_ASSERT_INT(nsbox_feature_supported(NSBOX_FEATURE_INTO_CGROUP), ==, !(r < 0 && saved == ENOSYS));
	NT_ASSERT_INT(nsbox_feature_supported(NSBOX_FEATURE_CLEAR_SIGHAND), ==, !(r < 0 && saved == ENOSYS));
	if (nsbox_feature_supported(NSBOX_FEATURE_UNPRIV_USERNS) == 1 && geteuid() == 0 && !nt_under_valgrind())
		nt_in_child(child_unpriv_userns, NULL);
	NT_ASSERT_INT(nsbox_feature_supported(0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_feature_supported(7), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "unknown feature");
	NT_SNAP_CHECK(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nsid");
	TCase *tc = nt_tcase("nsid");

	nt_init();
	nt_require_userns();
	tcase_add_test(tc, test_self_every_kind);
	tcase_add_test(tc, test_child);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_feature_probe);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
