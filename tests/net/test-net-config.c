/*
 * test-net-config.c - the network setters' bad inputs, and the settings
 * refused at spawn without a new network namespace. Needs no privilege:
 * every failure here happens before anything is created.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdlib.h>

#include "net-helpers.h"

START_TEST(loopback_setter)
{
	nsbox_config *cfg = nt_cfg(0);
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_config_set_loopback(NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, 2), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "up must be 0 or 1");
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, -1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, 1), ==, 0);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&s);
}
END_TEST

START_TEST(veth_names)
{
	static const char *const bad[] = {
		"", "sixteen-bytes-xx", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\nb", "a\240b", "veth%d", "lo",
	};
	nsbox_config *cfg = nt_cfg(0);
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_config_add_veth(NULL, "h0", "c0"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, NULL, "c0"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h0", NULL), ==, -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		NT_ASSERT_INT(nsbox_config_add_veth(cfg, bad[i], "c0"), ==, -EINVAL);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "host_ifname");
		NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h0", bad[i]), ==, -EINVAL);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "child_ifname");
	}
	/* 15 bytes is the longest name */
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "fifteen-bytes-x", "c0"), ==, 0);
	/* names are unique over every end of the configuration */
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "same", "same"), ==, -EEXIST);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "fifteen-bytes-x", "c1"), ==, -EEXIST);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "veth pair #1 already has an end named \"fifteen-bytes-x\"");
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h1", "fifteen-bytes-x"), ==, -EEXIST);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "c0", "h1"), ==, -EEXIST);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h1", "c0"), ==, -EEXIST);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&s);
}
END_TEST

START_TEST(veth_limit)
{
	nsbox_config *cfg = nt_cfg(0);
	char h[16], c[16];

	for (int i = 0; i < NSBOX_VETH_MAX; i++) {
		snprintf(h, sizeof(h), "h%d", i);
		snprintf(c, sizeof(c), "c%d", i);
		NT_ASSERT_INT(nsbox_config_add_veth(cfg, h, c), ==, 0);
	}
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "hx", "cx"), ==, -E2BIG);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "at most 16 veth pairs");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(address_text)
{
	static const char *const bad[] = {
		"",           "10.1.0.1/",      "/24",           "10.1.0.1/33",    "10.1.0.1/-1",
		"10.1.0.1/+1", "10.1.0.1/1a",   "10.1.0.1/0024", "10.1.0",         "10.1.0.256/24",
		"fd00::1/129", "fd00::1/64/1",  "fd00::g/64",    "fd00::1%eth0/64", " 10.1.0.1/24",
		"10.1.0.1 /24", "10.1.0.1/24 ", "host/24",       "10.1.0.1/ 24",   "fd00:::1/64",
	};
	static const char *const good[] = {
		"10.1.0.1", "10.1.0.2/0", "10.1.0.3/32", "fd00::1/128", "fd00::2", "::ffff:10.1.0.9/96", "fd00::3/007",
	};
	nsbox_config *cfg = nt_cfg(0), *other;
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h0", "c0"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(NULL, "h0", "10.1.0.1/24"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, NULL, "10.1.0.1/24"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "h0", NULL), ==, -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = nsbox_config_add_address(cfg, "h0", bad[i]);
		NT_ASSERT(r == -EINVAL, "\"%s\" gave %d, not -EINVAL", bad[i], r);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "is not ADDRESS/PREFIX");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = nsbox_config_add_address(cfg, "h0", good[i]);
		NT_ASSERT(r == 0, "\"%s\" gave %d (%s)", good[i], r, nsbox_last_error());
	}
	/* an ifname over 15 bytes is bad text; an unknown one names no end */
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "sixteen-bytes-xx", "10.1.0.1/24"), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "longer than 15 bytes");
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "eth0", "10.1.0.1/24"), ==, -ENODEV);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "no veth end is named \"eth0\"");
	other = nt_cfg(0); /* no veth at all */
	NT_ASSERT_INT(nsbox_config_add_address(other, "h0", "10.1.0.1/24"), ==, -ENODEV);
	nsbox_config_free(other);
	/* the same address twice on one end, whatever the prefix */
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "h0", "10.1.0.1/16"), ==, -EEXIST);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "h0 already has address 10.1.0.1/32");
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "h0", "FD00::0001/64"), ==, -EEXIST);
	/* but the same address on the other end is fine */
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "c0", "10.1.0.1/24"), ==, 0);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&s);
}
END_TEST

START_TEST(address_limit)
{
	nsbox_config *cfg = nt_cfg(0);
	char a[32];

	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h0", "c0"), ==, 0);
	for (int i = 0; i < NSBOX_ADDRESS_MAX; i++) {
		snprintf(a, sizeof(a), "10.1.%d.1/24", i);
		NT_ASSERT_INT(nsbox_config_add_address(cfg, i % 2 ? "h0" : "c0", a), ==, 0);
	}
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "h0", "10.2.0.1/24"), ==, -E2BIG);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "at most 64 addresses");
	nsbox_config_free(cfg);
}
END_TEST

/* Settings that need NSBOX_NS_NET are refused by nsbox_spawn() before
 * anything is created: -EINVAL, no fd, no child. */
static void spawn_refused(nsbox_config *cfg, const char *why)
{
	static const char *const argv[] = { "/bin/true", NULL };
	nsbox_proc *p = NULL;
	struct nt_snap s;

	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL), ==, 0);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), why);
	NT_ASSERT(p == NULL, "no handle on failure");
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(needs_netns)
{
	nsbox_config *cfg;

	cfg = nt_cfg(0);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h0", "c0"), ==, 0);
	spawn_refused(cfg, "veth pairs and addresses need a new network namespace (NSBOX_NS_NET)");

	cfg = nt_cfg(0);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "h0", "c0"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "c0", "10.1.0.2/24"), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS | NSBOX_NS_MOUNT), ==, 0);
	spawn_refused(cfg, "veth pairs and addresses need a new network namespace");

	cfg = nt_cfg(0);
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, 0), ==, 0);
	spawn_refused(cfg, "the loopback setting needs a new network namespace (NSBOX_NS_NET)");

	/* saying "up" explicitly is a setting too */
	cfg = nt_cfg(0);
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, 1), ==, 0);
	spawn_refused(cfg, "the loopback setting needs a new network namespace");
}
END_TEST

/* Without any network setting, a spawn without NSBOX_NS_NET is untouched. */
START_TEST(no_setting_no_effect)
{
	static const char *const argv[] = { "/bin/true", NULL };
	nsbox_config *cfg = nt_cfg(0);
	nsbox_proc *p = NULL;

	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT_INT(nt_wait_free(p), ==, 0);
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net-config");
	TCase *tc = nt_tcase("setters");

	nt_init();
	tcase_add_test(tc, loopback_setter);
	tcase_add_test(tc, veth_names);
	tcase_add_test(tc, veth_limit);
	tcase_add_test(tc, address_text);
	tcase_add_test(tc, address_limit);
	tcase_add_test(tc, needs_netns);
	tcase_add_test(tc, no_setting_no_effect);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
