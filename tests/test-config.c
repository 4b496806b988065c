/*
 * test-config.c - the nsbox_config builder: every setter's validation with
 * its exact documented error, version and nsbox_last_error() contracts.
 * Needs no privileges.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* Each test checks that the failing calls leaked nothing. */
static struct nt_snap snap;
static nsbox_config *cfg;

static void setup(void)
{
	cfg = nt_cfg(0);
	nt_snap_take(&snap);
}

static void teardown(void)
{
	NT_SNAP_CHECK(&snap);
	nsbox_config_free(cfg);
	cfg = NULL;
}

static int cb_zero(void *arg)
{
	(void)arg;
	return 0;
}

START_TEST(test_version)
{
	char expect[64];

	NT_ASSERT(nsbox_version() != NULL, "nsbox_version() is NULL");
	NT_ASSERT_STR_EQ(nsbox_version(), NSBOX_VERSION_STRING);
	snprintf(expect, sizeof(expect), "%d.%d.%d", NSBOX_VERSION_MAJOR, NSBOX_VERSION_MINOR,
	         NSBOX_VERSION_MICRO);
	NT_ASSERT_STR_EQ(nsbox_version(), expect);
}
END_TEST

START_TEST(test_new_free)
{
	nsbox_config *c = NULL;

	NT_ASSERT_INT(nsbox_config_new(NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_new(&c), ==, 0);
	NT_ASSERT(c != NULL, "no config");
	nsbox_config_free(c);
	nsbox_config_free(NULL);
	nsbox_proc_free(NULL);
}
END_TEST

/* Every setter refuses a NULL config with -EINVAL. */
START_TEST(test_null_config)
{
	int pfd = 0;

	NT_ASSERT_INT(nsbox_config_set_namespaces(NULL, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_hostname(NULL, "x"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_domainname(NULL, "x"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_uid_map(NULL, 0, 0, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_gid_map(NULL, 0, 0, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_setgroups(NULL, NSBOX_SETGROUPS_DENY), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_map_caller(NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_exec(NULL, "/bin/true", NULL, NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_callback(NULL, cb_zero, NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(NULL, NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack_size(NULL, NSBOX_STACK_DEFAULT), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_propagation(NULL, NSBOX_PROPAGATION_PRIVATE), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join(NULL, pfd, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_pid(NULL, getpid(), NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_path(NULL, "/proc/self/ns/uts", NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_exit_signal(NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_flags(NULL, 0), ==, -EINVAL);
	NT_ASSERT(nsbox_last_error()[0] != '\0', "no description after a failure");
}
END_TEST

START_TEST(test_namespaces_bits)
{
	uint32_t bit;

	NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, NSBOX_NS_ALL), ==, 0);
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1)
		NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, bit), ==, 0);
	for (bit = 0x100; bit; bit <<= 1)
		NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, bit | NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, 0xffffffffu), ==, -EINVAL);
}
END_TEST

START_TEST(test_hostname_length)
{
	char name[NSBOX_HOSTNAME_MAX + 2];

	memset(name, 'h', sizeof(name));
	name[NSBOX_HOSTNAME_MAX] = '\0'; /* exactly 64 bytes: fine */
	NT_ASSERT_INT(nsbox_config_set_hostname(cfg, name), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_domainname(cfg, name), ==, 0);
	name[NSBOX_HOSTNAME_MAX] = 'h';
	name[NSBOX_HOSTNAME_MAX + 1] = '\0'; /* 65 bytes */
	NT_ASSERT_INT(nsbox_config_set_hostname(cfg, name), ==, -ENAMETOOLONG);
	NT_ASSERT_INT(nsbox_config_set_domainname(cfg, name), ==, -ENAMETOOLONG);
	NT_ASSERT_INT(nsbox_config_set_hostname(cfg, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_domainname(cfg, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_hostname(cfg, ""), ==, 0);
}
END_TEST

static int (*const add_map[2])(nsbox_config *, uint32_t, uint32_t, uint32_t) = {
	nsbox_config_add_uid_map, nsbox_config_add_gid_map
};

START_TEST(test_map_count_zero)
{
	NT_ASSERT_INT(add_map[_i](cfg, 0, 100000, 0), ==, -EINVAL);
	NT_ASSERT_INT(add_map[_i](cfg, 0, 100000, 1), ==, 0);
}
END_TEST

START_TEST(test_map_overlap)
{
	NT_ASSERT_INT(add_map[_i](cfg, 0, 100000, 10), ==, 0);
	/* inside range overlaps 0..9 */
	NT_ASSERT_INT(add_map[_i](cfg, 9, 200000, 5), ==, -EINVAL);
	NT_ASSERT_INT(add_map[_i](cfg, 0, 300000, 1), ==, -EINVAL);
	/* outside range overlaps 100000..100009 */
	NT_ASSERT_INT(add_map[_i](cfg, 50, 100005, 1), ==, -EINVAL);
	NT_ASSERT_INT(add_map[_i](cfg, 50, 99999, 2), ==, -EINVAL);
	/* a line that encloses the first */
	NT_ASSERT_INT(add_map[_i](cfg, 1000, 99990, 100), ==, -EINVAL);
	/* adjacent ranges are fine */
	NT_ASSERT_INT(add_map[_i](cfg, 10, 100010, 10), ==, 0);
}
END_TEST

START_TEST(test_map_overflow)
{
	/* inside + count reaches 2^32 */
	NT_ASSERT_INT(add_map[_i](cfg, 0xffffff00u, 1000, 0x100), ==, -EOVERFLOW);
	NT_ASSERT_INT(add_map[_i](cfg, 0xfffffff0u, 1000, 0x20), ==, -EOVERFLOW);
	NT_ASSERT_INT(add_map[_i](cfg, 1, 1000, 0xffffffffu), ==, -EOVERFLOW);
	/* outside + count reaches 2^32 */
	NT_ASSERT_INT(add_map[_i](cfg, 1000, 0xffffff00u, 0x100), ==, -EOVERFLOW);
	NT_ASSERT_INT(add_map[_i](cfg, 1000, 0xffffffffu, 0xffffffffu), ==, -EOVERFLOW);
	/* up to 2^32-1 is fine */
	NT_ASSERT_INT(add_map[_i](cfg, 0xffffff00u, 2000, 0xff), ==, 0);
}
END_TEST

START_TEST(test_map_too_many_lines)
{
	uint32_t i;

	for (i = 0; i < NSBOX_MAP_LINES_MAX; i++)
		NT_ASSERT_INT(add_map[_i](cfg, i * 10, 100000 + i * 10, 1), ==, 0);
	NT_ASSERT_INT(add_map[_i](cfg, i * 10, 100000 + i * 10, 1), ==, -E2BIG);
	NT_ASSERT_INT(add_map[_i](cfg, i * 10 + 5000, 900000, 1), ==, -E2BIG);
}
END_TEST

START_TEST(test_setgroups_mode)
{
	NT_ASSERT_INT(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DEFAULT), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_ALLOW), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DENY), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_setgroups(cfg, 3), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_setgroups(cfg, 0xffffffffu), ==, -EINVAL);
}
END_TEST

START_TEST(test_map_caller_flags)
{
	NT_ASSERT_INT(nsbox_config_map_caller(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT), ==, 0);
	NT_ASSERT_INT(nsbox_config_map_caller(cfg, 0x2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_map_caller(cfg, 0x80000000u), ==, -EINVAL);
}
END_TEST

START_TEST(test_exec_and_callback_exclusive)
{
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", NULL, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_callback(cfg, cb_zero, NULL), ==, -EINVAL);
	/* clearing the exec payload lets a callback in */
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, NULL, NULL, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_callback(cfg, cb_zero, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", NULL, NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_callback(cfg, NULL, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", NULL, NULL), ==, 0);
}
END_TEST

START_TEST(test_exec_vectors_too_big)
{
	size_t n = 65537, i;
	const char **vec = calloc(n + 1, sizeof(*vec));
	const char *small[] = { "true", NULL };

	NT_ASSERT(vec != NULL, "calloc");
	for (i = 0; i < n; i++)
		vec[i] = "x";
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", vec, NULL), ==, -E2BIG);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", small, vec), ==, -E2BIG);
	free(vec);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", small, small), ==, 0);
}
END_TEST

/* A 16-byte aligned buffer for nsbox_config_set_stack(). */
static unsigned char stack_buf[NSBOX_STACK_MIN * 4] __attribute__((aligned(64)));

START_TEST(test_stack_validation)
{
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, NULL, NSBOX_STACK_MIN), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf, NSBOX_STACK_MIN - 16), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf + 8, NSBOX_STACK_MIN), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf + 1, NSBOX_STACK_MIN * 2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf, NSBOX_STACK_MIN + 8), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf, NSBOX_STACK_MIN), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, stack_buf + 16, NSBOX_STACK_MIN * 2), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_stack(cfg, NULL, 0), ==, 0);
}
END_TEST

START_TEST(test_stack_size_validation)
{
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, NSBOX_STACK_MIN - 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, ((size_t)1 << 30) + 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, (size_t)-1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, NSBOX_STACK_MIN), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, NSBOX_STACK_MIN + 1), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_stack_size(cfg, (size_t)1 << 30), ==, 0);
}
END_TEST

START_TEST(test_propagation_mount_proc)
{
	uint32_t m;

	for (m = NSBOX_PROPAGATION_PRIVATE; m <= NSBOX_PROPAGATION_UNCHANGED; m++)
		NT_ASSERT_INT(nsbox_config_set_propagation(cfg, m), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_propagation(cfg, 4), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_propagation(cfg, 0xffffffffu), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(cfg, 1), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(cfg, 2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(cfg, -1), ==, -EINVAL);
}
END_TEST

START_TEST(test_join_validation)
{
	/* Any descriptor number will do: nothing is opened before spawn. */
	int fd = 0;

	NT_ASSERT_INT(nsbox_config_join(cfg, -1, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join(cfg, fd, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join(cfg, fd, 0x100), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join(cfg, fd, NSBOX_NS_UTS | 0x80000000u), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join(cfg, fd, NSBOX_NS_UTS | NSBOX_NS_NET), ==, 0);
	/* a kind given twice, alone or with a new one */
	NT_ASSERT_INT(nsbox_config_join(cfg, fd, NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), NSBOX_NS_NET | NSBOX_NS_IPC), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_path(cfg, "/proc/self/ns/uts", NSBOX_NS_UTS), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), NSBOX_NS_IPC), ==, 0);

	NT_ASSERT_INT(nsbox_config_join_pid(cfg, 0, NSBOX_NS_PID), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_pid(cfg, -5, NSBOX_NS_PID), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), 0x200), ==, -EINVAL);

	NT_ASSERT_INT(nsbox_config_join_path(cfg, NULL, NSBOX_NS_PID), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_path(cfg, "/proc/self/ns/pid", 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_path(cfg, "/proc/self/ns/pid", NSBOX_NS_PID | NSBOX_NS_TIME),
	              ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_path(cfg, "/proc/self/ns/pid", 0x400), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_join_path(cfg, "/proc/self/ns/pid", NSBOX_NS_PID), ==, 0);
}
END_TEST

/* Eight entries of one kind each are allowed: every kind once. */
START_TEST(test_join_every_kind)
{
	uint32_t bit;

	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1)
		NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), bit), ==, 0);
	NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), NSBOX_NS_UTS), ==, -EINVAL);
}
END_TEST

START_TEST(test_exit_signal_flags)
{
	NT_ASSERT_INT(nsbox_config_set_exit_signal(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_exit_signal(cfg, SIGCHLD), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_exit_signal(cfg, 64), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_exit_signal(cfg, 65), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_exit_signal(cfg, -1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK | NSBOX_SPAWN_NO_CLONE3 |
	                                              NSBOX_SPAWN_NO_MAP_HELPERS),
	              ==, 0);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, 0x8), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, 0x80000000u), ==, -EINVAL);
}
END_TEST

/* Namespace-free spawns need no privileges: the builder's result really
 * runs, and the config can be reused and changed afterwards. */
START_TEST(test_plain_spawn_reuse)
{
	const char *argv_false[] = { "false", NULL };
	nsbox_proc *p = NULL;
	int32_t st = -1;
	int i;

	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/false", argv_false, NULL), ==, 0);
	for (i = 0; i < 3; i++) {
		NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
		NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, 0);
		NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1, "/bin/false: %s", nt_status_str(st));
		nsbox_proc_free(p);
	}
	/* with no argv the payload gets { path, NULL } and still runs */
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/false", NULL, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, 0);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1, "/bin/false: %s", nt_status_str(st));
	nsbox_proc_free(p);
}
END_TEST

/* nsbox_last_error() is per thread and never NULL. */
static void *fresh_thread(void *arg)
{
	const char *e = nsbox_last_error();

	(void)arg;
	return (void *)(uintptr_t)(e != NULL && e[0] == '\0');
}

START_TEST(test_last_error_per_thread)
{
	nsbox_config *c = nt_cfg(0);
	pthread_t t;
	void *ok = NULL;

	NT_ASSERT(nsbox_last_error() != NULL, "nsbox_last_error() is NULL");
	NT_ASSERT_INT(nsbox_config_set_namespaces(c, 0x100), ==, -EINVAL);
	NT_ASSERT(nsbox_last_error()[0] != '\0', "empty description after a failure");
	NT_ASSERT(pthread_create(&t, NULL, fresh_thread, NULL) == 0, "pthread_create");
	NT_ASSERT(pthread_join(t, &ok) == 0, "pthread_join");
	NT_ASSERT(ok != NULL, "another thread sees this thread's failure in nsbox_last_error()");
	NT_ASSERT(nsbox_last_error()[0] != '\0', "the failure's description went away");
	nsbox_config_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = nt_tcase("builder");
	TCase *tt = nt_tcase("threads");

	nt_init();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_new_free);
	tcase_add_test(tc, test_null_config);
	tcase_add_test(tc, test_namespaces_bits);
	tcase_add_test(tc, test_hostname_length);
	tcase_add_loop_test(tc, test_map_count_zero, 0, 2);
	tcase_add_loop_test(tc, test_map_overlap, 0, 2);
	tcase_add_loop_test(tc, test_map_overflow, 0, 2);
	tcase_add_loop_test(tc, test_map_too_many_lines, 0, 2);
	tcase_add_test(tc, test_setgroups_mode);
	tcase_add_test(tc, test_map_caller_flags);
	tcase_add_test(tc, test_exec_and_callback_exclusive);
	tcase_add_test(tc, test_exec_vectors_too_big);
	tcase_add_test(tc, test_stack_validation);
	tcase_add_test(tc, test_stack_size_validation);
	tcase_add_test(tc, test_propagation_mount_proc);
	tcase_add_test(tc, test_join_validation);
	tcase_add_test(tc, test_join_every_kind);
	tcase_add_test(tc, test_exit_signal_flags);
	tcase_add_test(tc, test_plain_spawn_reuse);
	suite_add_tcase(s, tc);
	/* threads leave glibc's stack cache mapped: no maps snapshot there */
	tcase_add_test(tt, test_last_error_per_thread);
	suite_add_tcase(s, tt);
	return nt_run_suite(s);
}
