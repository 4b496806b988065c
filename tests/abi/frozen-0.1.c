/*
 * frozen-0.1.c - the constants of the 0.1 API are frozen.
 *
 * SPDX-License-Identifier: MIT
 *
 * Callers compile these values into their programs (and ctypes or Rust users
 * copy them by hand), so a released value must never change. This file fails
 * to compile when one does. abidiff (test-abidiff.sh) guards the function
 * signatures; this file guards the values that no function signature shows.
 * test-symbols.py checks that every constant of the header is frozen in a
 * frozen-X.Y.c. A later release adds a frozen-X.Y.c for the constants it
 * introduces (and a test for it in meson.build).
 */
#include <nsbox.h>

#include <stdio.h>

#define FROZEN(expr, value) _Static_assert((expr) == (value), #expr " changed: it is frozen at " #value)

FROZEN(NSBOX_NS_MOUNT, 0x01);
FROZEN(NSBOX_NS_UTS, 0x02);
FROZEN(NSBOX_NS_IPC, 0x04);
FROZEN(NSBOX_NS_PID, 0x08);
FROZEN(NSBOX_NS_NET, 0x10);
FROZEN(NSBOX_NS_USER, 0x20);
FROZEN(NSBOX_NS_CGROUP, 0x40);
FROZEN(NSBOX_NS_TIME, 0x80);

FROZEN(NSBOX_SETGROUPS_DEFAULT, 0);
FROZEN(NSBOX_SETGROUPS_ALLOW, 1);
FROZEN(NSBOX_SETGROUPS_DENY, 2);

FROZEN(NSBOX_MAP_ROOT, 0x01);

FROZEN(NSBOX_PROPAGATION_PRIVATE, 0);
FROZEN(NSBOX_PROPAGATION_SLAVE, 1);
FROZEN(NSBOX_PROPAGATION_SHARED, 2);
FROZEN(NSBOX_PROPAGATION_UNCHANGED, 3);

FROZEN(NSBOX_SPAWN_FORK, 0x01);
FROZEN(NSBOX_SPAWN_NO_CLONE3, 0x02);
FROZEN(NSBOX_SPAWN_NO_MAP_HELPERS, 0x04);

FROZEN(NSBOX_WAIT_NOHANG, 0x01);

FROZEN(NSBOX_CLOCK_MONOTONIC, 1);
FROZEN(NSBOX_CLOCK_BOOTTIME, 2);
FROZEN(NSBOX_FEATURE_CLONE3, 1);
FROZEN(NSBOX_FEATURE_PIDFD_SETNS, 2);
FROZEN(NSBOX_FEATURE_TIME_NS, 3);
FROZEN(NSBOX_FEATURE_INTO_CGROUP, 4);
FROZEN(NSBOX_FEATURE_UNPRIV_USERNS, 5);
FROZEN(NSBOX_FEATURE_CLEAR_SIGHAND, 6);

FROZEN(NSBOX_BIND_RO, 0x01);
FROZEN(NSBOX_BIND_TRY, 0x02);
FROZEN(NSBOX_BIND_DEV, 0x04);

FROZEN(NSBOX_ROOT_RO, 0x01);

FROZEN(NSBOX_SESSION_KEEP, 0);
FROZEN(NSBOX_SESSION_NEW, 1);
FROZEN(NSBOX_SESSION_NEW_GROUP, 2);

FROZEN(NSBOX_RLIMIT_CPU, 0);
FROZEN(NSBOX_RLIMIT_FSIZE, 1);
FROZEN(NSBOX_RLIMIT_DATA, 2);
FROZEN(NSBOX_RLIMIT_STACK, 3);
FROZEN(NSBOX_RLIMIT_CORE, 4);
FROZEN(NSBOX_RLIMIT_RSS, 5);
FROZEN(NSBOX_RLIMIT_NPROC, 6);
FROZEN(NSBOX_RLIMIT_NOFILE, 7);
FROZEN(NSBOX_RLIMIT_MEMLOCK, 8);
FROZEN(NSBOX_RLIMIT_AS, 9);
FROZEN(NSBOX_RLIMIT_LOCKS, 10);
FROZEN(NSBOX_RLIMIT_SIGPENDING, 11);
FROZEN(NSBOX_RLIMIT_MSGQUEUE, 12);
FROZEN(NSBOX_RLIMIT_NICE, 13);
FROZEN(NSBOX_RLIMIT_RTPRIO, 14);
FROZEN(NSBOX_RLIMIT_RTTIME, 15);
FROZEN(NSBOX_RLIMIT_INFINITY, UINT64_MAX);

FROZEN(NSBOX_STACK_MIN, 16384);
FROZEN(NSBOX_MAP_LINES_MAX, 340);
FROZEN(NSBOX_HOSTNAME_MAX, 64);
FROZEN(NSBOX_MOUNT_OPS_MAX, 4096);
FROZEN(NSBOX_IFNAME_MAX, 15);
FROZEN(NSBOX_VETH_MAX, 16);
FROZEN(NSBOX_ADDRESS_MAX, 64);
FROZEN(NSBOX_FD_ACTIONS_MAX, 65536);
FROZEN(NSBOX_ENV_CHANGES_MAX, 65536);

/* NSBOX_NS_ALL grows with new kinds; it must keep covering the 0.1 kinds. */
FROZEN(NSBOX_NS_ALL & 0xff, 0xff);

/* The opaque handles stay opaque: the header must not define them, so this
 * (a complete definition of our own) must compile. */
struct nsbox_config {
	int not_the_library_layout;
};
struct nsbox_proc {
	int not_the_library_layout;
};

int main(void)
{
	struct nsbox_config c = { 0 };
	struct nsbox_proc p = { 0 };

	printf("the 0.1 constants have their frozen values, and the handles are opaque\n");
	return c.not_the_library_layout + p.not_the_library_layout;
}
