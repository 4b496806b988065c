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

	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_NET), ==, 0);
	nh_links(links, sizeof(links));
	NT_ASSERT(strcmp(links, "lo") == 0, "a fresh namespace has only lo, not \"%s\"", links);
}

/* The usual pair: nsth0 here, nstc0 in the child, addresses on both. */
static nsbox_config *pair_cfg(uint32_t ns)
{
	nsbox_config *cfg = nh_sleep_cfg(NSBOX_NS_NET | ns);

	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "nsth0", "nstc0"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nsth0", H4), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nstc0", C4), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nsth0", H6), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nstc0", C6), ==, 0);
	return cfg;
}

/* `ip -o addr show dev IF` (in @pid's namespace via nsenter when > 0). */
static void addresses(pid_t pid, const char *nsopts, const char *ifname, char *out, size_t size)
{
	char ns[128] = "";
	int st;

	if (pid > 0)
		snprintf(ns, sizeof(ns), "nsenter -t %d %s ", (int)pid, nsopts);
	st = nt_sh(out, size, "%sip -o addr show dev %s 2>&1", ns, ifname);
	NT_ASSERT(st == 0, "ip addr show %s: %s: %s", ifname, nt_status_str(st), out);
}

/* The line of @out that contains @needle (copied into @line). */
static const char *line_with(const char *out, const char *needle, char *line, size_t size)
{
	const char *at = strstr(out, needle), *start, *end;

	NT_ASSERT(at != NULL, "\"%s\" not in \"%s\"", needle, out);
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
	char out[2048], line[512];

	/* IPv6 addresses without duplicate address detection: never tentative */
	addresses(0, "", "nsth0", out, sizeof(out));
	NT_ASSERT_CONTAINS(out, "inet " H4 " scope global nsth0");
	line_with(out, "inet6 " H6, line, sizeof(line));
	NT_ASSERT_CONTAINS(line, " nodad");
	NT_ASSERT(!strstr(line, "tentative"), "tentative: \"%s\"", line);
	addresses(pid, nsopts, "nstc0", out, sizeof(out));
	NT_ASSERT_CONTAINS(out, "inet " C4 " scope global nstc0");
	line_with(out, "inet6 " C6, line, sizeof(line));
	NT_ASSERT_CONTAINS(line, " nodad");
	NT_ASSERT(!strstr(line, "tentative"), "tentative: \"%s\"", line);

	nt_sh(out, sizeof(out), "ip -o link show dev nsth0 2>&1");
	NT_ASSERT_CONTAINS(out, ",UP,LOWER_UP>");
	nt_sh(out, sizeof(out), "nsenter -t %d %s ip -o link show dev nstc0 2>&1", (int)pid, nsopts);
	NT_ASSERT_CONTAINS(out, ",UP,LOWER_UP>");
	/* each end only in its own namespace */
	nh_links(out, sizeof(out));
	NT_ASSERT(strcmp(out, "lo nsth0") == 0, "test namespace has \"%s\"", out);
	NT_ASSERT(nt_sh(out, sizeof(out), "nsenter -t %d %s ip -o link show dev nsth0 2>&1", (int)pid, nsopts) != 0,
	          "nsth0 is not in the child's namespace");
}

/* After the child is gone, its namespace and the pair go (asynchronously). */
static void pair_gone(void)
{
	NT_ASSERT(nh_links_become("lo", 10000), "the pair disappears with the child's namespace");
}

/* Spawn @cfg (a pair_cfg), check the pair from both sides and lo up in
 * the child, end it, and see the pair go; no fd, child or signal state is
 * left behind. Frees @cfg. */
static void pair_lifecycle(nsbox_config *cfg)
{
	nsbox_proc *p = NULL;
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	check_pair(nsbox_proc_pid(p), "-n");
	NT_ASSERT(nh_link_up(nsbox_proc_pid(p), "lo") == 1, "lo is up next to the veth end");
	nt_finish(p);
	NT_SNAP_CHECK(&s);
	pair_gone();
	nsbox_config_free(cfg);
}

static void run_pair(void *arg)
{
	uint32_t flags = (uint32_t)(uintptr_t)arg;
	nsbox_config *cfg;

	private_netns();
	cfg = pair_cfg(0);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, flags | nh_spawn_flags()), ==, 0);
	pair_lifecycle(cfg);
}

START_TEST(pair_with_addresses)
{
	nt_in_child(run_pair, (void *)(uintptr_t)0);
}
END_TEST

START_TEST(pair_fork_style)
{
	nt_in_child(run_pair, (void *)(uintptr_t)NSBOX_SPAWN_FORK);
}
END_TEST

/* The child's namespace belongs to its own user namespace. */
static void run_pair_userns(void *arg)
{
	nsbox_config *cfg;

	(void)arg;
	private_netns();
	cfg = pair_cfg(NSBOX_NS_USER);
	NT_ASSERT_INT(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT), ==, 0);
	pair_lifecycle(cfg);
}

START_TEST(pair_user_namespace)
{
	nt_in_child(run_pair_userns, NULL);
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

	(void)arg;
	private_netns();
	cfg = pair_cfg(0);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, NULL, NULL, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_callback(cfg, wait_forever, NULL), ==, 0);
	pair_lifecycle(cfg);
}

START_TEST(pair_callback)
{
	nt_in_child(run_pair_callback, NULL);
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
	NT_ASSERT_INT(nsbox_config_set_loopback(cfg, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "nsta0", "nsta1"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "nstb0", "nstb1"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nsta1", "10.231.1.2/24"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nstb0", "10.231.2.1/24"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nstb1", "10.231.2.2/24"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nstb1", "fd00:231:2::2/64"), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	pid = nsbox_proc_pid(p);
	nh_links(out, sizeof(out));
	NT_ASSERT(strcmp(out, "lo nsta0 nstb0") == 0, "test namespace has \"%s\"", out);
	addresses(0, "", "nsta0", out, sizeof(out));
	NT_ASSERT(!strstr(out, "inet "), "nsta0 has an address: \"%s\"", out);
	addresses(0, "", "nstb0", out, sizeof(out));
	NT_ASSERT_CONTAINS(out, "inet 10.231.2.1/24");
	addresses(pid, "-n", "nsta1", out, sizeof(out));
	NT_ASSERT_CONTAINS(out, "inet 10.231.1.2/24");
	addresses(pid, "-n", "nstb1", out, sizeof(out));
	NT_ASSERT_CONTAINS(out, "inet 10.231.2.2/24");
	NT_ASSERT_CONTAINS(out, "inet6 fd00:231:2::2/64");
	NT_ASSERT(nh_link_up(0, "nsta0") && nh_link_up(0, "nstb0"), "host ends up");
	NT_ASSERT(nh_link_up(pid, "nsta1") && nh_link_up(pid, "nstb1"), "child ends up");
	NT_ASSERT(nh_link_up(pid, "lo") == 0, "lo stays down");
	nt_finish(p);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(two_pairs)
{
	nt_in_child(run_two_pairs, NULL);
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
		nt_drop_privileges();
		NT_ASSERT_INT(nsbox_detach_user(NSBOX_NS_NET, NSBOX_MAP_ROOT), ==, 0);
	} else {
		private_netns();
	}
	NT_ASSERT(pipe(fds) == 0, "pipe: %s", strerror(errno));
	snprintf(script, sizeof(script),
	         (how & PING) ? "ping -c1 -W2 fd00:231::1 >&2 && ping -c1 -W2 10.231.0.1 >&2 && echo pinged >&%d; "
	                        "exec sleep 60"
	                      : "exec sleep 60 %d>&-",
	         fds[1]);
	cfg = pair_cfg(0);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL), ==, 0);
	if (userns)
		NT_ASSERT_INT(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	close(fds[1]);
	pid = nsbox_proc_pid(p);
	if (!(how & PING)) {
		check_pair(pid, nsopts);
		nt_finish(p);
		close(fds[0]);
		pair_gone();
		nsbox_config_free(cfg);
		return;
	}
	NT_ASSERT(nt_sh(out, sizeof(out), "ping -c1 -W2 fd00:231::2 2>&1") == 0, "host -> child IPv6: %s", out);
	NT_ASSERT(nt_sh(out, sizeof(out), "ping -c1 -W2 10.231.0.2 2>&1") == 0, "host -> child IPv4: %s", out);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	NT_ASSERT(poll(&pfd, 1, 10000) == 1, "the payload's pings end within 10 s");
	n = read(fds[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	NT_ASSERT(strcmp(line, "pinged\n") == 0, "child -> host, IPv6 and IPv4, from the payload's start: \"%s\"", line);
	close(fds[0]);
	check_pair(pid, nsopts);
	NT_ASSERT(nt_sh(out, sizeof(out), "nsenter -t %d %s ping -c1 -W2 10.231.0.1 2>&1", (int)pid, nsopts) == 0,
	          "child -> host IPv4: %s", out);
	NT_ASSERT(nt_sh(out, sizeof(out), "nsenter -t %d %s ping -c1 -W2 fd00:231::1 2>&1", (int)pid, nsopts) == 0,
	          "child -> host IPv6: %s", out);
	/* and a ping to an address nobody has fails: the check can fail */
	NT_ASSERT(nt_sh(out, sizeof(out), "ping -c1 -W1 10.231.0.3 2>&1") != 0, "nobody has 10.231.0.3: %s", out);
	nt_finish(p);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(ping_both_ways)
{
	nt_in_child(run_ping, (void *)(uintptr_t)PING);
}
END_TEST

/* uid 65534 in a user + network namespace of its own holds CAP_NET_ADMIN
 * over that namespace: the pair works unprivileged there. */
START_TEST(unprivileged_own_namespaces)
{
	nt_in_child(run_ping, (void *)(uintptr_t)USERNS);
}
END_TEST

START_TEST(ping_unprivileged_own_namespaces)
{
	nt_in_child(run_ping, (void *)(uintptr_t)(PING | USERNS));
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
	struct nt_snap s;

	nh_links(before, sizeof(before));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, err);
	printf("last error: %s\n", nsbox_last_error());
	NT_ASSERT_CONTAINS(nsbox_last_error(), msg);
	NT_ASSERT(p == NULL, "no handle on failure");
	NT_SNAP_CHECK(&s);
	nh_links(after, sizeof(after));
	NT_ASSERT(strcmp(before, after) == 0, "interfaces before \"%s\", after \"%s\"", before, after);
}

static void run_duplicate_host_name(void *arg)
{
	nsbox_config *cfg;
	nsbox_proc *p = NULL;
	char out[512];

	(void)arg;
	private_netns();
	nt_sh_ok(out, sizeof(out), "ip link add nstd0 type veth peer name nstd1 2>&1");

	cfg = pair_cfg(0);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "nstd0", "nstc1"), ==, 0);
	/* pair #1 is made, then #2 fails: #1's host end must go too */
	spawn_fails(cfg, -EEXIST,
	            "parent: RTM_NEWLINK nstd0/nstc1 (an interface named nstd0 exists in the spawning process's "
	            "network namespace): File exists");
	nh_links(out, sizeof(out));
	NT_ASSERT(strcmp(out, "lo nstd0 nstd1") == 0, "only the test's own pair: \"%s\"", out);
	nsbox_config_free(cfg);

	/* the child's end is made in the child's namespace directly: a name
	 * taken here is free there */
	cfg = nh_sleep_cfg(NSBOX_NS_NET);
	NT_ASSERT_INT(nsbox_config_add_veth(cfg, "nste0", "nstd0"), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT(nh_link_up(nsbox_proc_pid(p), "nstd0") == 1, "the child's nstd0 is up");
	nt_finish(p);
	NT_ASSERT(nh_links_become("lo nstd0 nstd1", 10000), "nste0 goes with the child");
	nsbox_config_free(cfg);
}

START_TEST(duplicate_host_name)
{
	nt_in_child(run_duplicate_host_name, NULL);
}
END_TEST

/* The kernel refuses an IPv6 address on the host end (IPv6 disabled on new
 * interfaces of the test's namespace): the host end is deleted again. */
static void run_host_address_refused(void *arg)
{
	nsbox_config *cfg;

	(void)arg;
	private_netns();
	NT_ASSERT_INT(nt_write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"), ==, 0);
	cfg = pair_cfg(0);
	spawn_fails(cfg, -EACCES, "parent: RTM_NEWADDR " H6 " on nsth0");
	nsbox_config_free(cfg);
}

START_TEST(host_address_refused)
{
	nt_in_child(run_host_address_refused, NULL);
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
	NT_ASSERT_INT(nsbox_config_add_address(cfg, "nstc0", "::1/128"), ==, 0);
	spawn_fails(cfg, -EADDRNOTAVAIL,
	            "child: network: RTM_NEWADDR ::1/128 on nstc0: ");
	nsbox_config_free(cfg);
}

START_TEST(child_address_refused)
{
	nt_in_child(run_child_address_refused, NULL);
}
END_TEST

/* A step after the network fails (execve): the pair goes with the child's
 * namespace. */
static void run_later_failure(void *arg)
{
	nsbox_config *cfg;
	nsbox_proc *p = NULL;
	struct nt_snap s;

	(void)arg;
	private_netns();
	cfg = pair_cfg(0);
	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/nonexistent/payload", NULL, NULL), ==, 0);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, -ENOENT);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "execve /nonexistent/payload");
	NT_SNAP_CHECK(&s);
	pair_gone();
	nsbox_config_free(cfg);
}

START_TEST(later_failure)
{
	nt_in_child(run_later_failure, NULL);
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
	nt_drop_privileges();
	cfg = pair_cfg(0);
	NT_ASSERT_INT(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT), ==, 0);
	spawn_fails(cfg, -EPERM,
	            "parent: RTM_NEWLINK nsth0/nstc0 (creating a veth pair needs CAP_NET_ADMIN over the spawning "
	            "process's network namespace): Operation not permitted");
	nsbox_config_free(cfg);
}

START_TEST(unprivileged_eperm)
{
	nt_in_child(run_unprivileged_eperm, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net-veth");
	TCase *tc = nt_tcase("veth"), *fail = nt_tcase("failures"), *ping;
	const char *skipped = NULL;
	int rc;

	nt_init();
	nt_require_root("net-veth"); /* it makes network namespaces and veth pairs */
	nt_require_cmd("ip");
	nt_require_cmd("nsenter");
	if (access("/proc/sys/net/ipv6", F_OK) != 0)
		nt_skip("the net-veth suite needs IPv6 in the kernel");
	tcase_add_test(tc, pair_with_addresses);
	tcase_add_test(tc, pair_fork_style);
	tcase_add_test(tc, pair_user_namespace);
	tcase_add_test(tc, pair_callback);
	tcase_add_test(tc, two_pairs);
	tcase_add_test(tc, unprivileged_own_namespaces);
	suite_add_tcase(s, tc);
	tcase_add_test(fail, duplicate_host_name);
	tcase_add_test(fail, host_address_refused);
	tcase_add_test(fail, child_address_refused);
	tcase_add_test(fail, later_failure);
	tcase_add_test(fail, unprivileged_eperm);
	suite_add_tcase(s, fail);
	if (nt_sh(NULL, 0, "command -v ping >/dev/null") == 0) {
		ping = nt_tcase("ping");
		tcase_add_test(ping, ping_both_ways);
		tcase_add_test(ping, ping_unprivileged_own_namespaces);
		suite_add_tcase(s, ping);
	} else {
		skipped = "ping (iputils-ping) is not installed: the ping cases were left out";
		printf("%s\n", skipped);
	}
	/* what was left out makes the suite skip (fail under
	 * NSBOX_TEST_MUST_WORK=1), once the rest has passed */
	rc = nt_run_suite(s);
	if (rc == 0 && skipped)
		nt_skip(skipped);
	return rc;
}
