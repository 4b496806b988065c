/*
 * test-net-veth.c - veth pairs with IPv4 and IPv6 addresses.
 *
 * Every case runs in a forked test process that first moves into a network
 * namespace of its own (nsbox_detach(NSBOX_NS_NET)): the host end of each
 * pair lands there, the child's end in the child's new namespace, and no
 * interface, address or packet ever touches the machine's own namespace.
 * Checked from outside the child with ip (host side) and
 * nsenter -t PID -n ip (child side); ping both ways, IPv4 and IPv6, when
 * iputils-ping is installed (the suite exits 77 otherwise, after the rest).
 * Failures must leave no interface behind in the test's namespace, no fd
 * and no child. Needs root.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "net-helpers.h"

#define H4 "10.231.0.1/24"
#define C4 "10.231.0.2/24"
#define H6 "fd00:231::1/64"
#define C6 "fd00:231::2/64"

/* Move this (forked) test process into a network namespace of its own. */
static void private_netns(void)
{
	char links[256];

	NH_OK(nsbox_detach(NSBOX_NS_NET));
	nh_links(links, sizeof(links));
	NH_ASSERT(strcmp(links, "lo") == 0, "a fresh namespace has only lo, not \"%s\"", links);
}

/* The usual pair: nsth0 here, nstc0 in the child, addresses on both. */
static nsbox_config *pair_cfg(uint32_t ns)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET | ns);

	NH_OK(nsbox_config_add_veth(cfg, "nsth0", "nstc0"));
	NH_OK(nsbox_config_add_address(cfg, "nsth0", H4));
	NH_OK(nsbox_config_add_address(cfg, "nstc0", C4));
	NH_OK(nsbox_config_add_address(cfg, "nsth0", H6));
	NH_OK(nsbox_config_add_address(cfg, "nstc0", C6));
	return cfg;
}

/* `ip -o addr show dev IF` (in @pid's namespace via nsenter when > 0). */
static void addresses(pid_t pid, const char *nsopts, const char *ifname, char *out, size_t size)
{
	char ns[128] = "";
	int rc;

	if (pid > 0)
		snprintf(ns, sizeof(ns), "nsenter -t %d %s ", (int)pid, nsopts);
	rc = nh_sh(out, size, "%sip -o addr show dev %s", ns, ifname);
	NH_ASSERT(rc == 0, "ip addr show %s: exit %d: %s", ifname, rc, out);
}

/* The line of @out that contains @needle (copied into @line). */
static const char *line_with(const char *out, const char *needle, char *line, size_t size)
{
	const char *at = strstr(out, needle), *start, *end;

	NH_ASSERT(at != NULL, "\"%s\" not in \"%s\"", needle, out);
	for (start = at; start > out && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	snprintf(line, size, "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
	return line;
}

/* Both ends exist where they should, with their addresses, up with a
 * carrier (LOWER_UP: the pair is connected and both ends are up). */
static void check_pair(pid_t pid, const char *nsopts)
{
	char out[2048];

	char line[512];

	/* IPv6 addresses without duplicate address detection: never tentative */
	addresses(0, "", "nsth0", out, sizeof(out));
	NH_CONTAINS(out, "inet " H4 " scope global nsth0");
	line_with(out, "inet6 " H6, line, sizeof(line));
	NH_CONTAINS(line, " nodad");
	NH_LACKS(line, "tentative");
	addresses(pid, nsopts, "nstc0", out, sizeof(out));
	NH_CONTAINS(out, "inet " C4 " scope global nstc0");
	line_with(out, "inet6 " C6, line, sizeof(line));
	NH_CONTAINS(line, " nodad");
	NH_LACKS(line, "tentative");

	nh_sh(out, sizeof(out), "ip -o link show dev nsth0");
	NH_CONTAINS(out, ",UP,LOWER_UP>");
	nh_sh(out, sizeof(out), "nsenter -t %d %s ip -o link show dev nstc0", (int)pid, nsopts);
	NH_CONTAINS(out, ",UP,LOWER_UP>");
	/* each end only in its own namespace */
	nh_links(out, sizeof(out));
	NH_ASSERT(strcmp(out, "lo nsth0") == 0, "test namespace has \"%s\"", out);
	NH_ASSERT(nh_sh(out, sizeof(out), "nsenter -t %d %s ip -o link show dev nsth0", (int)pid, nsopts) != 0,
	          "nsth0 is not in the child's namespace");
}

/* After the child is gone, its namespace and the pair go (asynchronously). */
static void pair_gone(void)
{
	NH_ASSERT(nh_links_become("lo", 10000), "the pair disappears with the child's namespace");
}

static void run_pair(void *arg)
{
	uint32_t flags = (uint32_t)(uintptr_t)arg;
	nsbox_config *cfg;
	nsbox_proc *p = NULL;
	struct nh_snap s;

	private_netns();
	cfg = pair_cfg(0);
	NH_OK(nsbox_config_set_flags(cfg, flags | nh_spawn_flags()));
	nh_snap_take(&s);
	NH_OK(nsbox_spawn(cfg, &p));
	check_pair(nsbox_proc_pid(p), "-n");
	NH_ASSERT(nh_link_up(nsbox_proc_pid(p), "lo") == 1, "lo is up next to the veth end");
	nh_finish(p);
	NH_SNAP_CHECK(&s);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(pair_with_addresses)
{
	nh_in_child(run_pair, (void *)(uintptr_t)0);
}
END_TEST

START_TEST(pair_fork_style)
{
	nh_in_child(run_pair, (void *)(uintptr_t)NSBOX_SPAWN_FORK);
}
END_TEST

/* The child's namespace belongs to its own user namespace. */
static void run_pair_userns(void *arg)
{
	nsbox_config *cfg;
	nsbox_proc *p = NULL;

	(void)arg;
	private_netns();
	cfg = pair_cfg(NSBOX_NS_USER);
	NH_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NH_OK(nsbox_spawn(cfg, &p));
	check_pair(nsbox_proc_pid(p), "-n");
	nh_finish(p);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(pair_user_namespace)
{
	nh_in_child(run_pair_userns, NULL);
}
END_TEST

static int wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static void run_pair_callback(void *arg)
{
	nsbox_config *cfg;
	nsbox_proc *p = NULL;

	(void)arg;
	private_netns();
	cfg = pair_cfg(0);
	NH_OK(nsbox_config_set_exec(cfg, NULL, NULL, NULL));
	NH_OK(nsbox_config_set_callback(cfg, wait_forever, NULL));
	NH_OK(nsbox_spawn(cfg, &p));
	check_pair(nsbox_proc_pid(p), "-n");
	nh_finish(p);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(pair_callback)
{
	nh_in_child(run_pair_callback, NULL);
}
END_TEST

/* Two pairs, lo left down. */
static void run_two_pairs(void *arg)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET);
	nsbox_proc *p = NULL;
	char out[2048];
	pid_t pid;

	(void)arg;
	private_netns();
	NH_OK(nsbox_config_set_loopback(cfg, 0));
	NH_OK(nsbox_config_add_veth(cfg, "nsta0", "nsta1"));
	NH_OK(nsbox_config_add_veth(cfg, "nstb0", "nstb1"));
	NH_OK(nsbox_config_add_address(cfg, "nsta1", "10.231.1.2/24"));
	NH_OK(nsbox_config_add_address(cfg, "nstb0", "10.231.2.1/24"));
	NH_OK(nsbox_config_add_address(cfg, "nstb1", "10.231.2.2/24"));
	NH_OK(nsbox_config_add_address(cfg, "nstb1", "fd00:231:2::2/64"));
	NH_OK(nsbox_spawn(cfg, &p));
	pid = nsbox_proc_pid(p);
	nh_links(out, sizeof(out));
	NH_ASSERT(strcmp(out, "lo nsta0 nstb0") == 0, "test namespace has \"%s\"", out);
	addresses(0, "", "nsta0", out, sizeof(out));
	NH_LACKS(out, "inet ");
	addresses(0, "", "nstb0", out, sizeof(out));
	NH_CONTAINS(out, "inet 10.231.2.1/24");
	addresses(pid, "-n", "nsta1", out, sizeof(out));
	NH_CONTAINS(out, "inet 10.231.1.2/24");
	addresses(pid, "-n", "nstb1", out, sizeof(out));
	NH_CONTAINS(out, "inet 10.231.2.2/24");
	NH_CONTAINS(out, "inet6 fd00:231:2::2/64");
	NH_ASSERT(nh_link_up(0, "nsta0") && nh_link_up(0, "nstb0"), "host ends up");
	NH_ASSERT(nh_link_up(pid, "nsta1") && nh_link_up(pid, "nstb1"), "child ends up");
	NH_ASSERT(nh_link_up(pid, "lo") == 0, "lo stays down");
	nh_finish(p);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(two_pairs)
{
	nh_in_child(run_two_pairs, NULL);
}
END_TEST

/* ---- ping ---- */

/* The payload pings the host end the moment it starts, and the host end
 * pings the child right after nsbox_spawn() returns: the link must carry
 * packets by the time the payload runs. */
enum { PING = 1, USERNS = 2 };

static void run_ping(void *arg)
{
	int how = (int)(uintptr_t)arg, userns = how & USERNS;
	nsbox_config *cfg;
	nsbox_proc *p = NULL;
	const char *nsopts = userns ? "-U -n --preserve-credentials" : "-n";
	char out[2048], script[512], line[64] = "";
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct pollfd pfd;
	int fds[2];
	ssize_t n;
	pid_t pid;

	if (userns) {
		/* unprivileged, in a user + network namespace of its own */
		nh_drop_privileges();
		NH_OK(nsbox_detach_user(NSBOX_NS_NET, NSBOX_MAP_ROOT));
	} else {
		private_netns();
	}
	NH_ASSERT(pipe(fds) == 0, "pipe: %s", strerror(errno));
	snprintf(script, sizeof(script),
	         (how & PING) ? "ping -c1 -W2 fd00:231::1 >&2 && ping -c1 -W2 10.231.0.1 >&2 && echo pinged >&%d; "
	                        "exec sleep 60"
	                      : "exec sleep 60 %d>&-",
	         fds[1]);
	cfg = pair_cfg(0);
	NH_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	if (userns)
		NH_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NH_OK(nsbox_spawn(cfg, &p));
	close(fds[1]);
	pid = nsbox_proc_pid(p);
	if (!(how & PING)) {
		check_pair(pid, nsopts);
		nh_finish(p);
		close(fds[0]);
		pair_gone();
		nsbox_config_free(cfg);
		return;
	}
	NH_ASSERT(nh_sh(out, sizeof(out), "ping -c1 -W2 fd00:231::2") == 0, "host -> child IPv6: %s", out);
	NH_ASSERT(nh_sh(out, sizeof(out), "ping -c1 -W2 10.231.0.2") == 0, "host -> child IPv4: %s", out);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	NH_ASSERT(poll(&pfd, 1, 10000) == 1, "the payload's pings end within 10 s");
	n = read(fds[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	NH_ASSERT(strcmp(line, "pinged\n") == 0, "child -> host, IPv6 and IPv4, from the payload's start: \"%s\"", line);
	close(fds[0]);
	check_pair(pid, nsopts);
	NH_ASSERT(nh_sh(out, sizeof(out), "nsenter -t %d %s ping -c1 -W2 10.231.0.1", (int)pid, nsopts) == 0,
	          "child -> host IPv4: %s", out);
	NH_ASSERT(nh_sh(out, sizeof(out), "nsenter -t %d %s ping -c1 -W2 fd00:231::1", (int)pid, nsopts) == 0,
	          "child -> host IPv6: %s", out);
	/* and a ping to an address nobody has fails: the check can fail */
	NH_ASSERT(nh_sh(out, sizeof(out), "ping -c1 -W1 10.231.0.3") != 0, "nobody has 10.231.0.3: %s", out);
	nh_finish(p);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(ping_both_ways)
{
	nh_in_child(run_ping, (void *)(uintptr_t)PING);
}
END_TEST

/* uid 65534 in a user + network namespace of its own holds CAP_NET_ADMIN
 * over that namespace: the pair works unprivileged there. */
START_TEST(unprivileged_own_namespaces)
{
	nh_in_child(run_ping, (void *)(uintptr_t)USERNS);
}
END_TEST

START_TEST(ping_unprivileged_own_namespaces)
{
	nh_in_child(run_ping, (void *)(uintptr_t)(PING | USERNS));
}
END_TEST

/* ---- failures ---- */

/* Spawn must fail with @err and a message containing @msg, leaving the
 * interfaces of the test's namespace as they were, at once, and no fd or
 * child. */
static void spawn_fails(nsbox_config *cfg, int err, const char *msg)
{
	char before[512], after[512];
	nsbox_proc *p = NULL;
	struct nh_snap s;

	nh_links(before, sizeof(before));
	nh_snap_take(&s);
	NH_INT(nsbox_spawn(cfg, &p), ==, err);
	printf("last error: %s\n", nsbox_last_error());
	NH_CONTAINS(nsbox_last_error(), msg);
	NH_ASSERT(p == NULL, "no handle on failure");
	NH_SNAP_CHECK(&s);
	nh_links(after, sizeof(after));
	NH_ASSERT(strcmp(before, after) == 0, "interfaces before \"%s\", after \"%s\"", before, after);
}

static void run_duplicate_host_name(void *arg)
{
	nsbox_config *cfg;
	nsbox_proc *p = NULL;
	char out[512];

	(void)arg;
	private_netns();
	NH_ASSERT(nh_sh(out, sizeof(out), "ip link add nstd0 type veth peer name nstd1") == 0, "%s", out);

	cfg = pair_cfg(0);
	NH_OK(nsbox_config_add_veth(cfg, "nstd0", "nstc1"));
	/* pair #1 is made, then #2 fails: #1's host end must go too */
	spawn_fails(cfg, -EEXIST,
	            "parent: RTM_NEWLINK nstd0/nstc1 (an interface named nstd0 exists in the spawning process's "
	            "network namespace): File exists");
	nh_links(out, sizeof(out));
	NH_ASSERT(strcmp(out, "lo nstd0 nstd1") == 0, "only the test's own pair: \"%s\"", out);
	nsbox_config_free(cfg);

	/* the child's end is made in the child's namespace directly: a name
	 * taken here is free there */
	cfg = nh_sleep_cfg(NSBOX_NS_NET);
	NH_OK(nsbox_config_add_veth(cfg, "nste0", "nstd0"));
	NH_OK(nsbox_spawn(cfg, &p));
	NH_ASSERT(nh_link_up(nsbox_proc_pid(p), "nstd0") == 1, "the child's nstd0 is up");
	nh_finish(p);
	NH_ASSERT(nh_links_become("lo nstd0 nstd1", 10000), "nste0 goes with the child");
	nsbox_config_free(cfg);
}

START_TEST(duplicate_host_name)
{
	nh_in_child(run_duplicate_host_name, NULL);
}
END_TEST

/* The kernel refuses an IPv6 address on the host end (IPv6 disabled on new
 * interfaces of the test's namespace): the host end is deleted again. */
static void run_host_address_refused(void *arg)
{
	nsbox_config *cfg;
	char out[256];

	(void)arg;
	private_netns();
	NH_ASSERT(nh_sh(out, sizeof(out), "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6") == 0, "%s", out);
	cfg = pair_cfg(0);
	spawn_fails(cfg, -EACCES, "parent: RTM_NEWADDR " H6 " on nsth0");
	nsbox_config_free(cfg);
}

START_TEST(host_address_refused)
{
	nh_in_child(run_host_address_refused, NULL);
}
END_TEST

/* The kernel refuses the child's address (::1 belongs on lo only): the
 * child reports it, the parent deletes the host end. */
static void run_child_address_refused(void *arg)
{
	nsbox_config *cfg;

	(void)arg;
	private_netns();
	cfg = pair_cfg(0);
	NH_OK(nsbox_config_add_address(cfg, "nstc0", "::1/128"));
	spawn_fails(cfg, -EADDRNOTAVAIL,
	            "child: network: RTM_NEWADDR ::1/128 on nstc0: ");
	nsbox_config_free(cfg);
}

START_TEST(child_address_refused)
{
	nh_in_child(run_child_address_refused, NULL);
}
END_TEST

/* A step after the network fails (execve): the pair goes with the child's
 * namespace. */
static void run_later_failure(void *arg)
{
	nsbox_config *cfg;
	nsbox_proc *p = NULL;
	struct nh_snap s;

	(void)arg;
	private_netns();
	cfg = pair_cfg(0);
	NH_OK(nsbox_config_set_exec(cfg, "/nonexistent/payload", NULL, NULL));
	nh_snap_take(&s);
	NH_INT(nsbox_spawn(cfg, &p), ==, -ENOENT);
	NH_CONTAINS(nsbox_last_error(), "execve /nonexistent/payload");
	NH_SNAP_CHECK(&s);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(later_failure)
{
	nh_in_child(run_later_failure, NULL);
}
END_TEST

/* uid 65534 in a network namespace owned by the initial user namespace
 * (the test's private one): no CAP_NET_ADMIN there, so -EPERM, and the
 * sentence says why. lo alone still works for it (test-net-loopback). */
static void run_unprivileged_eperm(void *arg)
{
	nsbox_config *cfg;

	(void)arg;
	private_netns();
	nh_drop_privileges();
	cfg = pair_cfg(0);
	NH_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	spawn_fails(cfg, -EPERM,
	            "parent: RTM_NEWLINK nsth0/nstc0 (creating a veth pair needs CAP_NET_ADMIN over the spawning "
	            "process's network namespace): Operation not permitted");
	nsbox_config_free(cfg);
}

START_TEST(unprivileged_eperm)
{
	nh_in_child(run_unprivileged_eperm, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net-veth");
	TCase *tc = tcase_create("veth"), *fail = tcase_create("failures"), *ping = NULL;
	const char *skipped = NULL;

	nh_init();
	if (geteuid() != 0)
		nh_skip("the net-veth suite needs root (it makes network namespaces and veth pairs)");
	if (!nh_have_cmd("ip") || !nh_have_cmd("nsenter"))
		nh_skip("the net-veth suite needs ip (iproute2) and nsenter (util-linux)");
	if (access("/proc/sys/net/ipv6", F_OK) != 0)
		nh_skip("the net-veth suite needs IPv6 in the kernel");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pair_with_addresses);
	tcase_add_test(tc, pair_fork_style);
	tcase_add_test(tc, pair_user_namespace);
	tcase_add_test(tc, pair_callback);
	tcase_add_test(tc, two_pairs);
	tcase_add_test(tc, unprivileged_own_namespaces);
	suite_add_tcase(s, tc);
	tcase_set_timeout(fail, 60);
	tcase_add_test(fail, duplicate_host_name);
	tcase_add_test(fail, host_address_refused);
	tcase_add_test(fail, child_address_refused);
	tcase_add_test(fail, later_failure);
	tcase_add_test(fail, unprivileged_eperm);
	suite_add_tcase(s, fail);
	if (nh_have_cmd("ping")) {
		ping = tcase_create("ping");
		tcase_set_timeout(ping, 60);
		tcase_add_test(ping, ping_both_ways);
		tcase_add_test(ping, ping_unprivileged_own_namespaces);
		suite_add_tcase(s, ping);
	} else {
		skipped = "ping (iputils-ping) is not installed: the ping cases were left out";
		printf("%s\n", skipped);
	}
	return nh_run(s, skipped);
}
