/*
 * test-net-loopback.c - lo comes up in every new network namespace unless
 * nsbox_config_set_loopback(cfg, 0) says otherwise; checked from outside
 * the child with `nsenter -t PID -n ip -o link show lo`, in each way a
 * child is made (CLONE_VM exec, fork-style exec, callback, user namespace,
 * the extra fork after a join) and unprivileged, as uid 65534 in a user
 * namespace. Needs root (to run nsenter and to drop to 65534).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net-helpers.h"

/* Spawn sleep in a new network namespace (plus @ns), with lo set as
 * @loopback says (-1: not set), and report whether lo is UP from outside
 * (entering the child's user namespace first when the caller is not root). */
static int lo_up_after_spawn(uint32_t ns, uint32_t flags, int loopback)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET | ns);
	nsbox_proc *p = NULL;
	struct nt_snap s;
	int up;

	if (ns & NSBOX_NS_USER)
		NT_ASSERT_INT(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, flags | nh_spawn_flags()), ==, 0);
	if (loopback >= 0)
		NT_ASSERT_INT(nsbox_config_set_loopback(cfg, loopback), ==, 0);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	up = geteuid() ? nh_link_up_user(nsbox_proc_pid(p), "lo") : nh_link_up(nsbox_proc_pid(p), "lo");
	/* the caller's own lo is not the child's */
	NT_ASSERT(nsbox_ns_same(0, nsbox_proc_pid(p), NSBOX_NS_NET) == 0, "the child has its own netns");
	nt_finish(p);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
	return up;
}

START_TEST(default_up)
{
	NT_ASSERT(lo_up_after_spawn(0, 0, -1) == 1, "lo is UP by default");
}
END_TEST

START_TEST(setter_off_and_on)
{
	NT_ASSERT(lo_up_after_spawn(0, 0, 0) == 0, "lo stays down with set_loopback(0)");
	NT_ASSERT(lo_up_after_spawn(0, 0, 1) == 1, "lo is UP with set_loopback(1)");
}
END_TEST

START_TEST(fork_style)
{
	NT_ASSERT(lo_up_after_spawn(0, NSBOX_SPAWN_FORK, -1) == 1, "lo is UP (fork-style child)");
	NT_ASSERT(lo_up_after_spawn(0, NSBOX_SPAWN_FORK, 0) == 0, "lo down (fork-style child)");
}
END_TEST

START_TEST(in_user_namespace)
{
	NT_ASSERT(lo_up_after_spawn(NSBOX_NS_USER, 0, -1) == 1, "lo is UP in a user-owned netns");
	NT_ASSERT(lo_up_after_spawn(NSBOX_NS_USER, 0, 0) == 0, "lo down in a user-owned netns");
}
END_TEST

/* A join makes the child unshare after setns and fork once more for the
 * new PID namespace: lo is set by the process that becomes the payload. */
START_TEST(after_join_and_fork)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET | NSBOX_NS_PID);
	nsbox_proc *p = NULL;

	NT_ASSERT_INT(nsbox_config_join_pid(cfg, getpid(), NSBOX_NS_UTS), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT(nh_link_up(nsbox_proc_pid(p), "lo") == 1, "lo is UP after join + fork");
	nt_finish(p);
	nsbox_config_free(cfg);
}
END_TEST

/* The callback checks lo itself: exit 0 when UP, 1 when down. */
static int lo_state(void *arg)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)arg;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return 2;
	return (ifr.ifr_flags & IFF_UP) ? 0 : 1;
}

START_TEST(callback_sees_lo)
{
	for (int lo = 0; lo <= 1; lo++) {
		nsbox_config *cfg = nt_cfg(NSBOX_NS_NET);
		nsbox_proc *p = NULL;
		int status;

		NT_ASSERT_INT(nsbox_config_set_callback(cfg, lo_state, NULL), ==, 0);
		NT_ASSERT_INT(nsbox_config_set_loopback(cfg, lo), ==, 0);
		NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
		status = nt_wait_free(p);
		NT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == (lo ? 0 : 1),
		          "loopback %d: callback %s", lo, nt_status_str(status));
		nsbox_config_free(cfg);
	}
}
END_TEST

/* uid 65534, user + network namespaces (the child writes its own maps):
 * lo comes up, and stays down when asked. */
static void unprivileged(void *arg)
{
	(void)arg;
	nt_drop_privileges();
	NT_ASSERT(lo_up_after_spawn(NSBOX_NS_USER, 0, -1) == 1, "unprivileged: lo is UP");
	NT_ASSERT(lo_up_after_spawn(NSBOX_NS_USER, 0, 0) == 0, "unprivileged: lo stays down");
}

START_TEST(unprivileged_user_namespace)
{
	nt_in_child(unprivileged, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net-loopback");
	TCase *tc = nt_tcase("loopback");

	nt_init();
	nt_require_root("net-loopback"); /* nsenter into the child, drop to uid 65534 */
	nt_require_cmd("ip");
	nt_require_cmd("nsenter");
	tcase_add_test(tc, default_up);
	tcase_add_test(tc, setter_off_and_on);
	tcase_add_test(tc, fork_style);
	tcase_add_test(tc, in_user_namespace);
	tcase_add_test(tc, after_join_and_fork);
	tcase_add_test(tc, callback_sees_lo);
	tcase_add_test(tc, unprivileged_user_namespace);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
