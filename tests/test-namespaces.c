/*
 * test-namespaces.c - each namespace kind that nsbox_spawn() creates,
 * verified from outside the child: /proc/PID/ns identities, nsenter, ip,
 * ipcs, /proc/PID/mountinfo, /proc/PID/uid_map, /proc/PID/cgroup.
 * Needs root.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* ---- mount --------------------------------------------------------------------------- */

START_TEST(test_mount_not_on_host)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT);
	static char host[1 << 18], inside[1 << 18];
	char dir[] = "/tmp/nsbox-mnt-XXXXXX", tag[64];
	struct nt_snap s;
	nsbox_proc *p;
	int rd;

	snprintf(tag, sizeof(tag), "%s", nt_tag());
	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "mount -t tmpfs %s %s && echo ready; exec sleep 30", tag, dir);
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "mnt");
	nt_proc_read(nsbox_proc_pid(p), "mountinfo", inside, sizeof(inside));
	nt_proc_read(0, "mountinfo", host, sizeof(host));
	NT_ASSERT(strstr(inside, tag) != NULL, "the payload's mount %s is not in its mountinfo", tag);
	NT_ASSERT(strstr(host, tag) == NULL, "the payload's mount %s is on the host", tag);
	NT_ASSERT(strstr(host, dir) == NULL, "something is mounted on %s on the host", dir);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
	nsbox_config_free(cfg);
}
END_TEST

struct prop_case {
	uint32_t mode;      /* NSBOX_PROPAGATION_* */
	int parent_shared;  /* make the spawning process's "/" rshared first */
	const char *root;   /* tag expected on the child's root mount: "shared:", "master:" or NULL */
	int flows_out;      /* the child's mount reaches the parent */
	int flows_in;       /* the parent's later mount reaches the child */
};

static const struct prop_case prop_cases[] = {
	{ NSBOX_PROPAGATION_PRIVATE, 1, NULL, 0, 0 },
	{ NSBOX_PROPAGATION_SLAVE, 1, "master:", 0, 1 },
	{ NSBOX_PROPAGATION_SHARED, 1, "shared:", 1, 1 },
	{ NSBOX_PROPAGATION_SHARED, 0, "shared:", 0, 0 },
	{ NSBOX_PROPAGATION_UNCHANGED, 1, "shared:", 1, 1 },
	{ NSBOX_PROPAGATION_UNCHANGED, 0, NULL, 0, 0 },
};

static int mounted(pid_t pid, const char *tag)
{
	static char text[1 << 18];

	nt_proc_read(pid, "mountinfo", text, sizeof(text));
	return strstr(text, tag) != NULL;
}

/* In a forked child with its own mount namespace (so the host is never
 * touched): "/" made rshared or left rprivate, a tmpfs with two
 * directories, then a payload with the propagation mode under test. */
static void child_propagation(void *arg)
{
	const struct prop_case *c = arg;
	char dir[] = "/tmp/nsbox-prop-XXXXXX", a[64], b[64], tag_in[64], tag_out[64];
	char root[4096], sub[128];
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT);
	nsbox_proc *p;
	pid_t pid;
	int rd;

	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	NT_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	NT_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "rprivate");
	NT_ASSERT(mount("nsbox-prop", dir, "tmpfs", 0, NULL) == 0, "tmpfs: %s", strerror(errno));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	NT_ASSERT(mkdir(a, 0755) == 0 && mkdir(b, 0755) == 0, "mkdir");
	if (c->parent_shared)
		NT_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) == 0, "rshared: %s",
		          strerror(errno));
	snprintf(tag_out, sizeof(tag_out), "%s-out", nt_tag());
	snprintf(tag_in, sizeof(tag_in), "%s-in", nt_tag());

	NT_OK(nsbox_config_set_propagation(cfg, c->mode));
	p = nt_spawn_sh(cfg, &rd, "mount -t tmpfs %s %s && echo ready; exec sleep 30", tag_out, a);
	pid = nsbox_proc_pid(p);
	nt_expect_ready(rd);
	nt_assert_ns_differs(pid, "mnt");

	nt_root_mountinfo(pid, root, sizeof(root));
	if (c->root)
		NT_ASSERT(strstr(root, c->root) != NULL, "mode %u: no %s on the child's root: %s",
		          c->mode, c->root, root);
	else
		NT_ASSERT(strstr(root, "shared:") == NULL && strstr(root, "master:") == NULL,
		          "mode %u: the child's root propagates: %s", c->mode, root);
	if (c->mode == NSBOX_PROPAGATION_SLAVE)
		NT_ASSERT(strstr(root, "shared:") == NULL, "slave root is also shared: %s", root);

	NT_ASSERT(mounted(pid, tag_out), "the payload's own mount is missing");
	NT_ASSERT(mounted(0, tag_out) == c->flows_out, "mode %u (parent %s): the child's mount %s "
	          "on the parent", c->mode, c->parent_shared ? "rshared" : "rprivate",
	          c->flows_out ? "did not show up" : "showed up");

	NT_ASSERT(mount(tag_in, b, "tmpfs", 0, NULL) == 0, "tmpfs %s: %s", b, strerror(errno));
	NT_ASSERT(mounted(pid, tag_in) == c->flows_in, "mode %u (parent %s): the parent's mount %s "
	          "in the child", c->mode, c->parent_shared ? "rshared" : "rprivate",
	          c->flows_in ? "did not show up" : "showed up");
	nt_finish(p);
	close(rd);
	umount2(b, MNT_DETACH);
	umount2(a, MNT_DETACH);
	umount2(dir, MNT_DETACH);
	snprintf(sub, sizeof(sub), "%s", dir);
	NT_ASSERT(rmdir(sub) == 0, "rmdir %s: %s", sub, strerror(errno));
	nsbox_config_free(cfg);
}

START_TEST(test_propagation)
{
	nt_in_child(child_propagation, (void *)&prop_cases[_i]);
}
END_TEST

/* ---- UTS --------------------------------------------------------------------------- */

START_TEST(test_uts)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	char host[256], dom[256], tag[64], dtag[64], out[256], line[256];
	struct nt_snap s;
	nsbox_proc *p;
	pid_t pid;
	int rd;

	nt_hostname(host, sizeof(host));
	NT_ASSERT(nt_read_file("/proc/sys/kernel/domainname", dom, sizeof(dom)) >= 0, "domainname");
	snprintf(tag, sizeof(tag), "%s", nt_tag());
	snprintf(dtag, sizeof(dtag), "%s.dom", nt_tag());
	NT_OK(nsbox_config_set_hostname(cfg, tag));
	NT_OK(nsbox_config_set_domainname(cfg, dtag));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "hostname; echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, tag);
	nt_expect_ready(rd);
	nt_assert_ns_differs(pid, "uts");
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u hostname", (int)pid);
	NT_ASSERT_STR_EQ(nt_chomp(out), tag);
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u cat /proc/sys/kernel/domainname", (int)pid);
	NT_ASSERT_STR_EQ(nt_chomp(out), dtag);
	/* the host's names are untouched */
	nt_hostname(line, sizeof(line));
	NT_ASSERT_STR_EQ(line, host);
	NT_ASSERT(nt_read_file("/proc/sys/kernel/domainname", out, sizeof(out)) >= 0, "domainname");
	NT_ASSERT_STR_EQ(out, dom);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

/* Without a name the child keeps a copy of the host's. */
START_TEST(test_uts_copy)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	char host[256], out[256];
	nsbox_proc *p;
	int rd;

	nt_hostname(host, sizeof(host));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "uts");
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u hostname", nsbox_proc_pid(p));
	NT_ASSERT_STR_EQ(nt_chomp(out), host);
	nt_finish(p);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- IPC ------------------------------------------------------------------------------ */

START_TEST(test_ipc)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_IPC);
	char line[256], inside[4096], host[4096], key[64] = "", *l, *save = NULL;
	struct nt_snap s;
	int msqid = -1, rd;
	nsbox_proc *p;
	pid_t pid;

	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "ipcmk -Q && echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output from ipcmk");
	NT_ASSERT(sscanf(line, "Message queue id: %d", &msqid) == 1, "ipcmk said \"%s\"", line);
	nt_expect_ready(rd);
	nt_assert_ns_differs(pid, "ipc");
	/* its key, as ipcs shows it inside */
	nt_sh_ok(inside, sizeof(inside), "nsenter -t %d -i ipcs -q", (int)pid);
	for (l = strtok_r(inside, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char k[64];
		int id;

		if (sscanf(l, "%63s %d", k, &id) == 2 && id == msqid && strncmp(k, "0x", 2) == 0)
			snprintf(key, sizeof(key), "%s", k);
	}
	NT_ASSERT(key[0] != '\0', "queue %d not listed by ipcs inside", msqid);
	nt_sh_ok(host, sizeof(host), "ipcs -q");
	NT_ASSERT(strstr(host, key) == NULL, "the payload's queue %s is visible on the host:\n%s", key,
	          host);
	{
		char msg[8192], dec[32];

		snprintf(dec, sizeof(dec), " %lu ", strtoul(key, NULL, 16));
		NT_ASSERT(nt_read_file("/proc/sysvipc/msg", msg, sizeof(msg)) >= 0, "sysvipc");
		NT_ASSERT(strstr(msg, dec) == NULL, "queue key %s in the host's /proc/sysvipc/msg", key);
	}
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- PID ------------------------------------------------------------------------------ */

START_TEST(test_pid_with_proc)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_PID | NSBOX_NS_MOUNT);
	char line[256], path[128], status[4096], want[64], pids[256] = "";
	char host_mi[4096], host_mi2[4096];
	struct nt_snap s;
	nsbox_proc *p;
	pid_t pid;
	DIR *d;
	struct dirent *e;
	int rd;

	NT_OK(nsbox_config_set_mount_proc(cfg, 1));
	nt_mounts_at(0, "/proc", host_mi, sizeof(host_mi));
	nt_snap_take(&s);
	/* builtins only: no process but the shell itself exists inside */
	p = nt_spawn_sh(cfg, &rd,
	                "echo $$; for d in /proc/[0-9]*; do printf '%%s ' ${d#/proc/}; done; echo; "
	                "echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no pid");
	NT_ASSERT_STR_EQ(line, "1");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no /proc listing");
	NT_ASSERT_STR_EQ(line, "1 ");
	nt_expect_ready(rd);
	nt_assert_ns_differs(pid, "pid");
	nt_assert_ns_differs(pid, "mnt");
	/* outside: its pid inside is 1 */
	nt_proc_read(pid, "status", status, sizeof(status));
	snprintf(want, sizeof(want), "NSpid:\t%d\t1\n", (int)pid);
	NT_ASSERT_CONTAINS(status, want);
	/* outside: its /proc (reached through /proc/PID/root) lists only it */
	snprintf(path, sizeof(path), "/proc/%d/root/proc", (int)pid);
	d = opendir(path);
	NT_ASSERT(d != NULL, "opendir %s: %s", path, strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), "%.20s ", e->d_name);
	closedir(d);
	NT_ASSERT_STR_EQ(pids, "1 ");
	/* the host's /proc is unchanged: no new mount on it */
	nt_mounts_at(0, "/proc", host_mi2, sizeof(host_mi2));
	NT_ASSERT_STR_EQ(host_mi2, host_mi);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_pid_exit_status)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_PID);
	const char *argv[] = { "sh", "-c", "exit $$", NULL };
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int st;

	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1, "sh -c 'exit $$': %s", nt_status_str(st));
	nsbox_config_free(cfg);
}
END_TEST

/* ---- net ------------------------------------------------------------------------------ */

START_TEST(test_net)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_NET);
	char out[4096], host[8192];
	struct nt_snap s;
	nsbox_proc *p;
	int rd;

	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "net");
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -n ip -o link", nsbox_proc_pid(p));
	NT_ASSERT(strncmp(out, "1: lo: ", 7) == 0, "first link is not lo: %s", out);
	NT_ASSERT(strchr(out, '\n') == out + strlen(out) - 1, "more than lo in the namespace: %s",
	          out);
	/* an address given to its lo from outside stays in there */
	nt_sh_ok(NULL, 0, "nsenter -t %d -n ip addr add 127.77.1.2/32 dev lo", nsbox_proc_pid(p));
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -n ip -o addr show dev lo", nsbox_proc_pid(p));
	NT_ASSERT(strstr(out, "127.77.1.2/32") != NULL, "address not set inside: %s", out);
	nt_sh_ok(host, sizeof(host), "ip -o addr show dev lo");
	NT_ASSERT(strstr(host, "127.77.1.2") == NULL, "the address reached the host: %s", host);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- user --------------------------------------------------------------------------- */

static const struct nt_map_line uid_lines[] = {
	{ 0, 100000, 1000 }, { 1000, 200000, 10 }, { 5000, 300000, 1 },
};
static const struct nt_map_line gid_lines[] = {
	{ 0, 100000, 1000 }, { 2000, 400000, 5 },
};

static void check_map(pid_t pid, const char *file, const struct nt_map_line *want, int n)
{
	char text[4096];
	struct nt_map_line got[16];
	int i, k;

	nt_proc_read(pid, file, text, sizeof(text));
	k = nt_parse_map(text, got, 16);
	NT_ASSERT(k == n, "/proc/%d/%s has %d lines, not %d:\n%s", (int)pid, file, k, n, text);
	for (i = 0; i < n; i++)
		NT_ASSERT(got[i].inside == want[i].inside && got[i].outside == want[i].outside &&
		              got[i].count == want[i].count,
		          "/proc/%d/%s line %d: %u %u %u, want %u %u %u", (int)pid, file, i,
		          got[i].inside, got[i].outside, got[i].count, want[i].inside, want[i].outside,
		          want[i].count);
}

START_TEST(test_user_maps)
{
	static const uint32_t modes[] = { NSBOX_SETGROUPS_DEFAULT, NSBOX_SETGROUPS_ALLOW,
		                          NSBOX_SETGROUPS_DENY };
	static const char *const want[] = { "allow", "allow", "deny" };
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	char sg[64];
	struct nt_snap s;
	nsbox_proc *p;
	size_t i;
	int rd;

	for (i = 0; i < 3; i++)
		NT_OK(nsbox_config_add_uid_map(cfg, uid_lines[i].inside, uid_lines[i].outside,
		                               uid_lines[i].count));
	for (i = 0; i < 2; i++)
		NT_OK(nsbox_config_add_gid_map(cfg, gid_lines[i].inside, gid_lines[i].outside,
		                               gid_lines[i].count));
	for (i = 0; i < 3; i++) {
		NT_OK(nsbox_config_set_setgroups(cfg, modes[i]));
		nt_snap_take(&s);
		p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
		nt_expect_ready(rd);
		nt_assert_ns_differs(nsbox_proc_pid(p), "user");
		check_map(nsbox_proc_pid(p), "uid_map", uid_lines, 3);
		check_map(nsbox_proc_pid(p), "gid_map", gid_lines, 2);
		nt_proc_read(nsbox_proc_pid(p), "setgroups", sg, sizeof(sg));
		NT_ASSERT_STR_EQ(nt_chomp(sg), want[i]);
		nt_finish(p);
		close(rd);
		NT_SNAP_CHECK(&s);
	}
	nsbox_config_free(cfg);
}
END_TEST

/* ---- cgroup ----------------------------------------------------------------------------- */

static char cg_root[512], cg_dir[640];

static void child_cgroup(void *unused)
{
	char path[700], pidtext[32], line[512], out[4096], want[700];
	nsbox_config *cfg = nt_cfg(NSBOX_NS_CGROUP);
	const char *rel = cg_dir + strlen(cg_root);
	nsbox_proc *p;
	int rd;

	(void)unused;
	/* move this forked test child into the test's cgroup */
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg_dir);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)getpid());
	NT_ASSERT(nt_write_file(path, pidtext) == 0, "cannot move into %s", cg_dir);

	/* control: without a cgroup namespace the payload sees the path */
	NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS));
	p = nt_spawn_sh(cfg, &rd, "grep '^0::' /proc/self/cgroup");
	nt_read_line(rd, line, sizeof(line));
	snprintf(want, sizeof(want), "0::%s", rel);
	NT_ASSERT_STR_EQ(line, want);
	nt_wait_free(p);
	close(rd);

	NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_CGROUP));
	p = nt_spawn_sh(cfg, &rd, "grep '^0::' /proc/self/cgroup; echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, "0::/");
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "cgroup");
	/* from outside: it is in our cgroup, its namespace is rooted there */
	nt_proc_read(nsbox_proc_pid(p), "cgroup", out, sizeof(out));
	snprintf(want, sizeof(want), "0::%s\n", rel);
	NT_ASSERT_CONTAINS(out, want);
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -C grep '^0::' /proc/self/cgroup",
	         nsbox_proc_pid(p));
	NT_ASSERT_STR_EQ(nt_chomp(out), "0::/");
	nt_finish(p);
	close(rd);
	nsbox_config_free(cfg);
}

START_TEST(test_cgroup)
{
	char why[8400];
	int ok, r;

	nt_cgroup2_mount(cg_root, sizeof(cg_root));
	NT_ASSERT(cg_root[0] != '\0', "no cgroup2 mount in /proc/self/mountinfo");
	snprintf(cg_dir, sizeof(cg_dir), "%s/%s", cg_root, nt_tag());
	NT_ASSERT(mkdir(cg_dir, 0755) == 0, "mkdir %s: %s", cg_dir, strerror(errno));
	ok = nt_in_child_try(child_cgroup, NULL, why, sizeof(why));
	/* the forked child and its payloads are gone: the cgroup is empty */
	r = nt_cgroup_remove(cg_dir);
	NT_ASSERT(ok, "%s", why);
	NT_ASSERT(r == 0, "rmdir %s: %s", cg_dir, strerror(-r));
}
END_TEST

/* ---- time ------------------------------------------------------------------------------- */

static int cb_wait_pipe(void *arg)
{
	int fd = *(int *)arg;
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

START_TEST(test_time)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_TIME);
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int rd, rel[2];

	nt_snap_take(&s);
	/* exec payload: it entered the namespace at execve */
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "time");
	nt_assert_ns_differs(nsbox_proc_pid(p), "time_for_children");
	NT_ASSERT(nt_ns_eq(nt_ns(nsbox_proc_pid(p), "time"),
	                   nt_ns(nsbox_proc_pid(p), "time_for_children")),
	          "the payload is not in its own time namespace");
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);

	/* callback payload (fork-style): in it from the start */
	NT_ASSERT(pipe2(rel, O_CLOEXEC) == 0, "pipe");
	NT_OK(nsbox_config_set_exec(cfg, NULL, NULL, NULL));
	NT_OK(nsbox_config_set_callback(cfg, cb_wait_pipe, &rel[0]));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	nt_assert_ns_differs(nsbox_proc_pid(p), "time");
	NT_ASSERT(write(rel[1], "x", 1) == 1, "release");
	NT_ASSERT(WIFEXITED(nt_wait_free(p)), "callback");
	close(rel[0]);
	close(rel[1]);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- everything at once ------------------------------------------------------------- */

START_TEST(test_all_kinds)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_ALL);
	char tag[64], line[256], want[128];
	struct nt_snap s;
	nsbox_proc *p;
	uint32_t bit;
	int rd;

	snprintf(tag, sizeof(tag), "%s", nt_tag());
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_hostname(cfg, tag));
	NT_OK(nsbox_config_set_mount_proc(cfg, 1));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $$ $(hostname) $(id -u); echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	snprintf(want, sizeof(want), "1 %s 0", tag);
	NT_ASSERT_STR_EQ(line, want);
	nt_expect_ready(rd);
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1)
		nt_assert_ns_differs(nsbox_proc_pid(p), nt_ns_name(bit));
	{
		static const struct nt_map_line self0 = { 0, 0, 1 };

		check_map(nsbox_proc_pid(p), "uid_map", &self0, 1);
		check_map(nsbox_proc_pid(p), "gid_map", &self0, 1);
	}
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("namespaces");
	TCase *tc;

	nt_init();
	nt_require_root("namespaces");
	nt_require_cmd("nsenter");
	nt_require_cmd("ip");
	nt_require_cmd("ipcmk");
	nt_require_cmd("ipcs");
	nt_require_cmd("hostname");

	tc = nt_tcase("mount");
	tcase_add_test(tc, test_mount_not_on_host);
	tcase_add_loop_test(tc, test_propagation, 0, sizeof(prop_cases) / sizeof(prop_cases[0]));
	suite_add_tcase(s, tc);

	tc = nt_tcase("uts");
	tcase_add_test(tc, test_uts);
	tcase_add_test(tc, test_uts_copy);
	suite_add_tcase(s, tc);

	tc = nt_tcase("ipc");
	tcase_add_test(tc, test_ipc);
	suite_add_tcase(s, tc);

	tc = nt_tcase("pid");
	tcase_add_test(tc, test_pid_with_proc);
	tcase_add_test(tc, test_pid_exit_status);
	suite_add_tcase(s, tc);

	tc = nt_tcase("net");
	tcase_add_test(tc, test_net);
	suite_add_tcase(s, tc);

	tc = nt_tcase("user");
	tcase_add_test(tc, test_user_maps);
	suite_add_tcase(s, tc);

	tc = nt_tcase("cgroup");
	tcase_add_test(tc, test_cgroup);
	suite_add_tcase(s, tc);

	tc = nt_tcase("time");
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);

	tc = nt_tcase("all");
	tcase_add_test(tc, test_all_kinds);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
