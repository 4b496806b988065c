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
 * @loopback says (-1: not set), and report whether lo is UP from outside. */
static int lo_up_after_spawn(uint32_t ns, uint32_t flags, int loopback)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET | ns);
	nsbox_proc *p = NULL;
	struct nh_snap s;
	int up;

	if (ns & NSBOX_NS_USER)
		NH_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NH_OK(nsbox_config_set_flags(cfg, flags | nh_spawn_flags()));
	if (loopback >= 0)
		NH_OK(nsbox_config_set_loopback(cfg, loopback));
	nh_snap_take(&s);
	NH_OK(nsbox_spawn(cfg, &p));
	up = nh_link_up(nsbox_proc_pid(p), "lo");
	/* the caller's own lo is not the child's */
	NH_ASSERT(nsbox_ns_same(0, nsbox_proc_pid(p), NSBOX_NS_NET) == 0, "the child has its own netns");
	nh_finish(p);
	NH_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
	return up;
}

START_TEST(default_up)
{
	NH_ASSERT(lo_up_after_spawn(0, 0, -1) == 1, "lo is UP by default");
}
END_TEST

START_TEST(setter_off_and_on)
{
	NH_ASSERT(lo_up_after_spawn(0, 0, 0) == 0, "lo stays down with set_loopback(0)");
	NH_ASSERT(lo_up_after_spawn(0, 0, 1) == 1, "lo is UP with set_loopback(1)");
}
END_TEST

START_TEST(fork_style)
{
	NH_ASSERT(lo_up_after_spawn(0, NSBOX_SPAWN_FORK, -1) == 1, "lo is UP (fork-style child)");
	NH_ASSERT(lo_up_after_spawn(0, NSBOX_SPAWN_FORK, 0) == 0, "lo down (fork-style child)");
}
END_TEST

START_TEST(in_user_namespace)
{
	NH_ASSERT(lo_up_after_spawn(NSBOX_NS_USER, 0, -1) == 1, "lo is UP in a user-owned netns");
	NH_ASSERT(lo_up_after_spawn(NSBOX_NS_USER, 0, 0) == 0, "lo down in a user-owned netns");
}
END_TEST

/* A join makes the child unshare after setns and fork once more for the
 * new PID namespace: lo is set by the process that becomes the payload. */
START_TEST(after_join_and_fork)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET | NSBOX_NS_PID);
	nsbox_proc *p = NULL;

	NH_OK(nsbox_config_join_pid(cfg, getpid(), NSBOX_NS_UTS));
	NH_OK(nsbox_spawn(cfg, &p));
	NH_ASSERT(nh_link_up(nsbox_proc_pid(p), "lo") == 1, "lo is UP after join + fork");
	nh_finish(p);
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
		nsbox_config *cfg = NULL;
		nsbox_proc *p = NULL;
		int32_t status = -1;

		NH_OK(nsbox_config_new(&cfg));
		NH_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_NET));
		NH_OK(nsbox_config_set_callback(cfg, lo_state, NULL));
		NH_OK(nsbox_config_set_loopback(cfg, lo));
		NH_OK(nsbox_spawn(cfg, &p));
		NH_OK(nsbox_proc_wait(p, 0, &status));
		NH_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == (lo ? 0 : 1),
		          "loopback %d: callback status 0x%x", lo, (unsigned)status);
		nsbox_proc_free(p);
		nsbox_config_free(cfg);
	}
}
END_TEST

/* uid 65534, user + network namespaces (the child writes its own maps):
 * lo comes up, and stays down when asked. */
static void unprivileged(void *arg)
{
	(void)arg;
	nh_drop_privileges();
	for (int lo = 1; lo >= 0; lo--) {
		nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET);
		nsbox_proc *p = NULL;
		struct nh_snap s;

		NH_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
		if (!lo)
			NH_OK(nsbox_config_set_loopback(cfg, 0));
		nh_snap_take(&s);
		NH_OK(nsbox_spawn(cfg, &p));
		NH_ASSERT(nh_link_up_user(nsbox_proc_pid(p), "lo") == lo, "unprivileged: lo UP is %d", lo);
		nh_finish(p);
		NH_SNAP_CHECK(&s);
		nsbox_config_free(cfg);
	}
}

START_TEST(unprivileged_user_namespace)
{
	nh_in_child(unprivileged, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net-loopback");
	TCase *tc = tcase_create("loopback");

	nh_init();
	if (geteuid() != 0)
		nh_skip("the net-loopback suite needs root (nsenter into the child, drop to uid 65534)");
	if (!nh_have_cmd("ip") || !nh_have_cmd("nsenter"))
		nh_skip("the net-loopback suite needs ip (iproute2) and nsenter (util-linux)");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, default_up);
	tcase_add_test(tc, setter_off_and_on);
	tcase_add_test(tc, fork_style);
	tcase_add_test(tc, in_user_namespace);
	tcase_add_test(tc, after_join_and_fork);
	tcase_add_test(tc, callback_sees_lo);
	tcase_add_test(tc, unprivileged_user_namespace);
	suite_add_tcase(s, tc);
	return nh_run(s, NULL);
}
