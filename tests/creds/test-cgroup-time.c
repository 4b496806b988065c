/*
 * test-cgroup-time.c - cgroup placement, time namespace offsets, the parent
 * hook and persistent namespaces, seen from outside the child:
 * /proc/PID/cgroup and cgroup.procs, /proc/PID/timens_offsets and the
 * payload's clocks against ours, what the hook finds while the child waits,
 * /proc/self/mountinfo and a later join of a persisted namespace.
 *
 * SPDX-License-Identifier: MIT
 *
 * Needs root (cgroups, time namespaces without a user namespace, mounts).
 */
#include "ct-helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MONO_OFF 86400
#define BOOT_OFF 100000

static pid_t suite_pid;  /* the main process, for names */
static char cg2_mnt[512];  /* where cgroup v2 is mounted, "" if nowhere */
static char cg2_root[512]; /* the cgroup that mount shows, "/" normally */

/* ---- cgroup helpers ---- */

static void find_cgroup2(void)
{
	static char text[1 << 20];
	char *line, *save = NULL;

	if (ct_read_file("/proc/self/mountinfo", text, sizeof(text)) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[512], mp[512], *dash = strstr(line, " - ");

		if (!dash || strncmp(dash, " - cgroup2 ", 11) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %511s %511s", root, mp) == 2) {
			snprintf(cg2_mnt, sizeof(cg2_mnt), "%s", mp);
			snprintf(cg2_root, sizeof(cg2_root), "%s", root);
			return;
		}
	}
}

static int cg2_has_controller(void)
{
	char path[600], text[512];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg2_mnt);
	return ct_read_file(path, text, sizeof(text)) > 0 && strspn(text, " \n") < strlen(text);
}

struct cg {
	char path[1024]; /* absolute directory */
	char name[1024]; /* as /proc/PID/cgroup shows it: "/nsbox-ct-..." */
};

static void cg_make(struct cg *c)
{
	char base[128];

	snprintf(base, sizeof(base), "nsbox-ct-%d-%s", (int)suite_pid, ct_tag());
	snprintf(c->path, sizeof(c->path), "%s/%s", cg2_mnt, base);
	snprintf(c->name, sizeof(c->name), "%s/%s", strcmp(cg2_root, "/") == 0 ? "" : cg2_root, base);
	CT_ASSERT(mkdir(c->path, 0755) == 0, "mkdir %s: %s", c->path, strerror(errno));
}

static void cg_remove(struct cg *c)
{
	CT_ASSERT(rmdir(c->path) == 0, "rmdir %s: %s", c->path, strerror(errno));
}

/* The cgroup v2 line of /proc/PID/cgroup, without "0::". */
static void proc_cgroup(pid_t pid, char *out, size_t size)
{
	char text[4096], *p;

	ct_proc_read(pid, "cgroup", text, sizeof(text));
	p = strncmp(text, "0::", 3) == 0 ? text : strstr(text, "\n0::");
	CT_ASSERT(p != NULL, "no 0:: line in /proc/%d/cgroup: \"%s\"", (int)pid, text);
	p += p == text ? 3 : 4;
	p[strcspn(p, "\n")] = '\0';
	snprintf(out, size, "%s", p);
}

static int procs_has(const struct cg *c, pid_t pid)
{
	char path[1100], text[4096], *p, *end;

	snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
	CT_ASSERT(ct_read_file(path, text, sizeof(text)) >= 0, "read %s", path);
	for (p = text;; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			return 0;
		if (v == pid)
			return 1;
	}
}

/* Kill what a failed test left in our cgroups and remove them. */
static void cg_cleanup(void)
{
	char prefix[64];
	DIR *d;
	struct dirent *e;

	if (!cg2_mnt[0] || !(d = opendir(cg2_mnt)))
		return;
	snprintf(prefix, sizeof(prefix), "nsbox-ct-%d-", (int)suite_pid);
	while ((e = readdir(d)) != NULL) {
		char path[1100], procs[1200], text[4096], *p, *end;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", cg2_mnt, e->d_name);
		snprintf(procs, sizeof(procs), "%s/sub", path);
		rmdir(procs); /* test_cgroup_busy's child cgroup */
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
		for (int tries = 0; tries < 50 && rmdir(path) < 0 && errno == EBUSY; tries++) {
			if (ct_read_file(procs, text, sizeof(text)) >= 0)
				for (p = text;; p = end) {
					long v = strtol(p, &end, 10);
					if (end == p)
						break;
					kill((pid_t)v, SIGKILL);
				}
			usleep(20000);
		}
	}
	closedir(d);
}

static void expect_in_cgroup(pid_t pid, const struct cg *c)
{
	char got[1024];

	proc_cgroup(pid, got, sizeof(got));
	CT_ASSERT(strcmp(got, c->name) == 0, "/proc/%d/cgroup says 0::%s, expected 0::%s", (int)pid, got, c->name);
	CT_ASSERT(procs_has(c, pid), "%d is not in %s/cgroup.procs", (int)pid, c->path);
}

/* A line "key=value" from the payload; returns value. */
static const char *read_kv(int rd, const char *key, char *line, size_t size)
{
	size_t k = strlen(key);
	int n = ct_read_line(rd, line, size);

	CT_ASSERT(n > 0 && strncmp(line, key, k) == 0 && line[k] == '=', "expected %s=... from the payload, got \"%s\"",
	          key, n > 0 ? line : "EOF");
	return line + k + 1;
}

/* ---- cgroup tests ---- */

static void cgroup_spawn(uint32_t flags, int callback_fork)
{
	const char *cmds[] = { "cgroup", "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	struct ct_snap s;
	struct cg c;
	char line[1024];
	pid_t pid;
	int rd, wr;

	ct_snap_take(&s);
	cg_make(&c);
	CT_OK(nsbox_config_set_cgroup(cfg, c.path));
	CT_OK(nsbox_config_set_flags(cfg, flags | (callback_fork ? NSBOX_SPAWN_FORK : 0)));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	/* The payload's own view agrees, from its very first instruction. */
	CT_ASSERT(strcmp(read_kv(rd, "cgroup", line, sizeof(line)), c.name) == 0, "payload sees cgroup %s, expected %s",
	          line + 7, c.name);
	ct_expect_ready(rd);
	expect_in_cgroup(pid, &c);
	ct_finish(proc);
	close(rd);
	cg_remove(&c);
	nsbox_config_free(cfg);
	CT_SNAP_CHECK(&s);
}

START_TEST(test_cgroup_clone3)
{
	cgroup_spawn(0, 0);
}
END_TEST

/* clone(2) instead of clone3: the parent writes cgroup.procs while the
 * child waits. */
START_TEST(test_cgroup_no_clone3)
{
	cgroup_spawn(NSBOX_SPAWN_NO_CLONE3, 0);
}
END_TEST

START_TEST(test_cgroup_fork)
{
	cgroup_spawn(0, 1);
	cgroup_spawn(NSBOX_SPAWN_NO_CLONE3, 1);
}
END_TEST

static int cg_callback(void *arg)
{
	int fd = *(int *)arg;

	dprintf(fd, "cb\n");
	return 7;
}

/* A callback payload is placed too (checked while it is blocked on exit:
 * a zombie stays in its cgroup's /proc/PID/cgroup until reaped). */
START_TEST(test_cgroup_callback)
{
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	struct cg c;
	char line[64];
	int p[2], st;
	siginfo_t si;

	cg_make(&c);
	CT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	CT_OK(nsbox_config_set_cgroup(cfg, c.path));
	CT_OK(nsbox_config_set_callback(cfg, cg_callback, &p[1]));
	proc = ct_spawn(cfg, -1);
	close(p[1]);
	CT_ASSERT(ct_read_line(p[0], line, sizeof(line)) > 0 && strcmp(line, "cb") == 0, "callback said \"%s\"", line);
	/* Wait for the exit without reaping, then look. */
	memset(&si, 0, sizeof(si));
	CT_ASSERT(waitid(P_PID, (id_t)nsbox_proc_pid(proc), &si, WEXITED | WNOWAIT) == 0, "waitid: %s",
	          strerror(errno));
	proc_cgroup(nsbox_proc_pid(proc), line, sizeof(line));
	CT_ASSERT(strcmp(line, c.name) == 0, "the callback ran in 0::%s, expected 0::%s", line, c.name);
	st = ct_wait_free(proc);
	CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7, "callback %s", ct_status_str(st));
	close(p[0]);
	cg_remove(&c);
	nsbox_config_free(cfg);
}
END_TEST

/* With a new cgroup namespace: rooted at the target cgroup with
 * CLONE_INTO_CGROUP (the payload sees "/"), at the caller's cgroup with the
 * fallback (the payload sees the target's path). */
START_TEST(test_cgroup_namespace)
{
	const char *cmds[] = { "cgroup", NULL };
	char self[1024], line[1024], want[1200];

	proc_cgroup(0, self, sizeof(self));
	for (int fallback = 0; fallback < 2; fallback++) {
		nsbox_config *cfg = ct_cfg(NSBOX_NS_CGROUP);
		nsbox_proc *proc;
		struct cg c;
		int rd, wr, st;

		cg_make(&c);
		CT_OK(nsbox_config_set_cgroup(cfg, c.path));
		CT_OK(nsbox_config_set_flags(cfg, fallback ? NSBOX_SPAWN_NO_CLONE3 : 0));
		ct_cfg_payload(cfg, &rd, &wr, cmds);
		proc = ct_spawn(cfg, wr);
		read_kv(rd, "cgroup", line, sizeof(line));
		if (!fallback)
			snprintf(want, sizeof(want), "/");
		else
			/* relative to the caller's cgroup */
			snprintf(want, sizeof(want), "%s", strcmp(self, "/") == 0 ? c.name : c.name + strlen(self));
		CT_ASSERT(strcmp(line + 7, want) == 0, "%s: the payload sees its cgroup as %s, expected %s",
		          fallback ? "fallback" : "clone3", line + 7, want);
		st = ct_wait_free(proc);
		CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "payload %s", ct_status_str(st));
		close(rd);
		cg_remove(&c);
		nsbox_config_free(cfg);
	}
}
END_TEST

static void expect_spawn_fails(nsbox_config *cfg, int err)
{
	struct ct_snap s;
	nsbox_proc *proc = NULL;

	ct_snap_take(&s);
	CT_ERR(nsbox_spawn(cfg, &proc), err);
	CT_ASSERT(proc == NULL, "a handle came back with a failure");
	CT_SNAP_CHECK(&s);
}

START_TEST(test_cgroup_bad)
{
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg = ct_cfg(0);
	char missing[1100], file[1100];
	struct cg c;
	int rd, wr;

	cg_make(&c);
	snprintf(missing, sizeof(missing), "%s/no-such-cgroup", c.path);
	snprintf(file, sizeof(file), "%s/cgroup.procs", c.path);
	ct_cfg_payload(cfg, &rd, &wr, cmds);

	CT_ERR(nsbox_config_set_cgroup(NULL, c.path), -EINVAL);
	CT_ERR(nsbox_config_set_cgroup(cfg, "sys/fs/cgroup"), -EINVAL);
	CT_ERR(nsbox_config_set_cgroup(cfg, ""), -EINVAL);
	for (int no_clone3 = 0; no_clone3 < 2; no_clone3++) {
		CT_OK(nsbox_config_set_flags(cfg, no_clone3 ? NSBOX_SPAWN_NO_CLONE3 : 0));
		CT_OK(nsbox_config_set_cgroup(cfg, "/tmp"));
		expect_spawn_fails(cfg, -EINVAL);
		CT_LAST_ERROR_HAS("cgroup v2");
		CT_OK(nsbox_config_set_cgroup(cfg, missing));
		expect_spawn_fails(cfg, -ENOENT);
		CT_LAST_ERROR_HAS(missing);
		CT_OK(nsbox_config_set_cgroup(cfg, file));
		expect_spawn_fails(cfg, -ENOTDIR);
	}
	/* NULL clears the setting: the spawn works and the payload stays in
	 * our cgroup. */
	CT_OK(nsbox_config_set_cgroup(cfg, NULL));
	CT_OK(nsbox_config_set_flags(cfg, 0));
	{
		nsbox_proc *proc = ct_spawn(cfg, -1);
		char a[1024], b[1024];

		proc_cgroup(nsbox_proc_pid(proc), a, sizeof(a));
		proc_cgroup(0, b, sizeof(b));
		CT_ASSERT(strcmp(a, b) == 0, "payload in %s, we are in %s", a, b);
		ct_finish(proc);
	}
	close(wr);
	close(rd);
	cg_remove(&c);
	nsbox_config_free(cfg);
}
END_TEST

static void refused_child(void *arg)
{
	const struct cg *c = arg;
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg = ct_cfg(0);
	int rd, wr;

	ct_drop_to_nobody();
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	CT_OK(nsbox_config_set_cgroup(cfg, c->path));
	expect_spawn_fails(cfg, -EACCES);
	CT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3));
	expect_spawn_fails(cfg, -EACCES);
	CT_LAST_ERROR_HAS("cgroup.procs");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

/* The kernel refuses the move: -EACCES for a caller that may not write the
 * cgroup's cgroup.procs (uid 65534, a root-owned cgroup), both ways. */
START_TEST(test_cgroup_refused)
{
	struct cg c;

	cg_make(&c);
	ct_in_child(refused_child, &c);
	cg_remove(&c);
}
END_TEST

/* A cgroup with controllers enabled for its children takes no process
 * ("no internal processes"): the kernel says EBUSY, both ways. Needs a
 * controller that the root cgroup hands down (none in a hybrid hierarchy,
 * where the v1 hierarchies hold them all): main() registers it only then. */
START_TEST(test_cgroup_busy)
{
	char ctrl[512], path[1100], plus[128], *tok, *save = NULL;
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg;
	struct cg c;
	int rd, wr;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg2_mnt);
	CT_ASSERT(ct_read_file(path, ctrl, sizeof(ctrl)) >= 0 && (tok = strtok_r(ctrl, " \n", &save)),
	          "no controller in %s", path);
	cfg = ct_cfg(0);
	cg_make(&c);
	snprintf(path, sizeof(path), "%s/sub", c.path);
	CT_ASSERT(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
	snprintf(plus, sizeof(plus), "+%s", tok);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", c.path);
	CT_ASSERT(ct_write_file(path, plus) == 0, "enable %s in %s", tok, path);
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	CT_OK(nsbox_config_set_cgroup(cfg, c.path));
	expect_spawn_fails(cfg, -EBUSY);
	CT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3));
	expect_spawn_fails(cfg, -EBUSY);
	CT_LAST_ERROR_HAS("cgroup.procs");
	close(wr);
	close(rd);
	snprintf(path, sizeof(path), "%s/sub", c.path);
	CT_ASSERT(rmdir(path) == 0, "rmdir %s", path);
	cg_remove(&c);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- time namespace offsets ---- */

static double ts_now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* @got (the child's clock) is @off ahead of ours, read between @before and
 * @after, within a small tolerance. */
static void expect_shift(const char *what, double got, double before, double after, double off)
{
	CT_ASSERT(got >= before + off - 0.5 && got <= after + off + 3.0,
	          "%s in the child is %.3f; ours was %.3f..%.3f, so expected %.3f..%.3f (offset %.0f)", what, got,
	          before, after, before + off, after + off, off);
}

static void parse_clocks(const char *line, double *mono, double *boot)
{
	CT_ASSERT(sscanf(line, "mono=%lf boot=%lf", mono, boot) == 2, "bad clocks line \"%s\"", line);
}

static void expect_offsets(pid_t pid, long long mono_s, long long mono_ns, long long boot_s, long long boot_ns)
{
	char text[512], *line, *save = NULL;
	int seen = 0;

	ct_proc_read(pid, "timens_offsets", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		long long s, ns;

		CT_ASSERT(sscanf(line, "%31s %lld %lld", name, &s, &ns) == 3, "bad timens_offsets line \"%s\"", line);
		if (strcmp(name, "monotonic") == 0) {
			CT_ASSERT(s == mono_s && ns == mono_ns, "/proc/%d/timens_offsets: \"%s\"", (int)pid, line);
			seen |= 1;
		} else if (strcmp(name, "boottime") == 0) {
			CT_ASSERT(s == boot_s && ns == boot_ns, "/proc/%d/timens_offsets: \"%s\"", (int)pid, line);
			seen |= 2;
		}
	}
	CT_ASSERT(seen == 3, "/proc/%d/timens_offsets lacks a clock", (int)pid);
}

static void time_exec(uint32_t flags)
{
	const char *cmds[] = { "clocks", "uptime", "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_TIME);
	double m0, b0, m1, b1, mono, boot, up;
	nsbox_proc *proc;
	struct ct_snap s;
	char line[256];
	pid_t pid;
	int rd, wr;

	ct_snap_take(&s);
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, MONO_OFF, 0));
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_BOOTTIME, BOOT_OFF, 250000000));
	CT_OK(nsbox_config_set_flags(cfg, flags));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	m0 = ts_now(CLOCK_MONOTONIC);
	b0 = ts_now(CLOCK_BOOTTIME);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	CT_ASSERT(ct_read_line(rd, line, sizeof(line)) > 0, "no clocks from the payload");
	parse_clocks(line, &mono, &boot);
	up = atof(read_kv(rd, "uptime", line, sizeof(line)));
	ct_expect_ready(rd);
	m1 = ts_now(CLOCK_MONOTONIC);
	b1 = ts_now(CLOCK_BOOTTIME);
	expect_shift("CLOCK_MONOTONIC", mono, m0, m1, MONO_OFF);
	expect_shift("CLOCK_BOOTTIME", boot, b0, b1, BOOT_OFF + 0.25);
	expect_shift("/proc/uptime", up + 0.01, b0, b1, BOOT_OFF + 0.25);
	/* From outside: the namespace and its offsets. */
	CT_ASSERT(ct_ns_ino(pid, "time") != ct_ns_ino(0, "time"), "the payload shares our time namespace");
	expect_offsets(pid, MONO_OFF, 0, BOOT_OFF, 250000000);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
	CT_SNAP_CHECK(&s);
}

START_TEST(test_time_exec)
{
	time_exec(0);
}
END_TEST

START_TEST(test_time_fork)
{
	time_exec(NSBOX_SPAWN_FORK);
}
END_TEST

static int clocks_callback(void *arg)
{
	struct timespec m, b;
	int fd = *(int *)arg;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	dprintf(fd, "mono=%lld.%09ld boot=%lld.%09ld\n", (long long)m.tv_sec, m.tv_nsec, (long long)b.tv_sec,
	        b.tv_nsec);
	return 0;
}

START_TEST(test_time_callback)
{
	nsbox_config *cfg = ct_cfg(NSBOX_NS_TIME);
	double m0, b0, m1, b1, mono, boot;
	nsbox_proc *proc;
	char line[256];
	int p[2], st;

	CT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, MONO_OFF, 0));
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_BOOTTIME, BOOT_OFF, 0));
	CT_OK(nsbox_config_set_callback(cfg, clocks_callback, &p[1]));
	m0 = ts_now(CLOCK_MONOTONIC);
	b0 = ts_now(CLOCK_BOOTTIME);
	proc = ct_spawn(cfg, -1);
	close(p[1]);
	CT_ASSERT(ct_read_line(p[0], line, sizeof(line)) > 0, "no clocks from the callback");
	m1 = ts_now(CLOCK_MONOTONIC);
	b1 = ts_now(CLOCK_BOOTTIME);
	parse_clocks(line, &mono, &boot);
	expect_shift("CLOCK_MONOTONIC (callback)", mono, m0, m1, MONO_OFF);
	expect_shift("CLOCK_BOOTTIME (callback)", boot, b0, b1, BOOT_OFF);
	st = ct_wait_free(proc);
	CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "callback %s", ct_status_str(st));
	close(p[0]);
	nsbox_config_free(cfg);
}
END_TEST

/* A new time namespace without offsets: the clocks are ours. */
START_TEST(test_time_no_offset)
{
	const char *cmds[] = { "clocks", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_TIME);
	double m0, b0, mono, boot;
	nsbox_proc *proc;
	char line[256];
	int rd, wr;

	/* Set, then back to 0: no setting at all. */
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, MONO_OFF, 0));
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, 0, 0));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	m0 = ts_now(CLOCK_MONOTONIC);
	b0 = ts_now(CLOCK_BOOTTIME);
	proc = ct_spawn(cfg, wr);
	CT_ASSERT(ct_read_line(rd, line, sizeof(line)) > 0, "no clocks from the payload");
	parse_clocks(line, &mono, &boot);
	expect_shift("CLOCK_MONOTONIC", mono, m0, ts_now(CLOCK_MONOTONIC), 0);
	expect_shift("CLOCK_BOOTTIME", boot, b0, ts_now(CLOCK_BOOTTIME), 0);
	ct_wait_free(proc);
	close(rd);

	/* And without a time namespace, since nothing asks for one any more. */
	CT_OK(nsbox_config_set_namespaces(cfg, 0));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	ct_wait_free(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_time_bad)
{
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg = ct_cfg(0);
	int rd, wr;

	CT_ERR(nsbox_config_set_time_offset(NULL, NSBOX_CLOCK_MONOTONIC, 1, 0), -EINVAL);
	CT_ERR(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, 1, 1000000000), -EINVAL);
	CT_ERR(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_BOOTTIME, 1, -1), -EINVAL);
	CT_ERR(nsbox_config_set_time_offset(cfg, 0, 1, 0), -EINVAL);
	CT_ERR(nsbox_config_set_time_offset(cfg, 3, 1, 0), -EINVAL);
	CT_ERR(nsbox_config_set_time_offset(cfg, 1u << 31, 1, 0), -EINVAL);
	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_BOOTTIME, 1, 999999999));

	/* An offset without a new time namespace. */
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	expect_spawn_fails(cfg, -EINVAL);
	CT_LAST_ERROR_HAS("NSBOX_NS_TIME");
	/* A time namespace without clone3. */
	CT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_TIME));
	CT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3));
	expect_spawn_fails(cfg, -EOPNOTSUPP);
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- parent hook ---- */

struct hook_rec {
	int calls;
	int32_t pid, pidfd;
	int pidfd_pid;      /* the Pid: line of the pidfd's fdinfo */
	int payload_ran;    /* the payload had written something */
	char uid_map[512];  /* /proc/PID/uid_map as the hook saw it */
	char comm[64];      /* /proc/PID/comm as the hook saw it */
	int rd;             /* the payload's report pipe */
	int ret;            /* what the hook returns */
};

static int hook(int32_t pid, int32_t pidfd, void *arg)
{
	struct hook_rec *h = arg;
	char path[64], text[1024], *p;

	h->calls++;
	h->pid = pid;
	h->pidfd = pidfd;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", (int)pidfd);
	if (ct_read_file(path, text, sizeof(text)) >= 0 && (p = strstr(text, "Pid:")))
		h->pidfd_pid = atoi(p + 4);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (ct_read_file(path, h->uid_map, sizeof(h->uid_map)) < 0)
		h->uid_map[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (ct_read_file(path, h->comm, sizeof(h->comm)) < 0)
		h->comm[0] = '\0';
	/* Give a payload that does not wait for us time to show itself. */
	h->payload_ran = h->rd >= 0 && ct_readable(h->rd, 200);
	return h->ret;
}

static int hook_callback(void *arg)
{
	dprintf(*(int *)arg, "pid=%d\n", (int)getpid());
	return 0;
}

static void hook_case(int callback)
{
	const char *cmds[] = { "pid", "ready", "wait", NULL };
	struct hook_rec h = { 0 };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	struct ct_snap s;
	char line[256];
	int rd, wr, p[2];

	ct_snap_take(&s);
	CT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1000));
	CT_OK(nsbox_config_add_uid_map(cfg, 1000, 300000, 1000));
	CT_OK(nsbox_config_add_gid_map(cfg, 0, 0, 1000));
	if (callback) {
		CT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
		rd = p[0];
		wr = p[1];
		CT_OK(nsbox_config_set_callback(cfg, hook_callback, &wr));
	} else {
		ct_cfg_payload(cfg, &rd, &wr, cmds);
	}
	h.rd = rd;
	CT_OK(nsbox_config_set_parent_hook(cfg, hook, &h));
	proc = ct_spawn(cfg, -1);
	close(wr);
	CT_INT(h.calls, ==, 1);
	CT_INT(h.pid, ==, nsbox_proc_pid(proc));
	CT_INT(h.pidfd_pid, ==, h.pid);
	CT_ASSERT(!h.payload_ran, "the payload ran before the hook returned");
	CT_ASSERT(strstr(h.uid_map, "300000") && strstr(h.uid_map, "1000"),
	          "the hook saw uid_map \"%s\": the maps were not written before it", h.uid_map);
	if (!callback)
		CT_ASSERT(strncmp(h.comm, "ct-payload", 10) != 0, "the hook saw comm \"%s\": already exec'd", h.comm);
	CT_INT(atoi(read_kv(rd, "pid", line, sizeof(line))), ==, h.pid);
	if (!callback) {
		ct_expect_ready(rd);
		ct_finish(proc);
	} else {
		int st = ct_wait_free(proc);
		CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "callback %s", ct_status_str(st));
	}
	close(rd);

	/* Removed: not called any more. */
	CT_OK(nsbox_config_set_parent_hook(cfg, NULL, &h));
	proc = ct_spawn(cfg, -1);
	CT_INT(h.calls, ==, 1);
	ct_finish(proc);
	nsbox_config_free(cfg);
	CT_SNAP_CHECK(&s);
}

START_TEST(test_hook_exec)
{
	hook_case(0);
}
END_TEST

START_TEST(test_hook_callback)
{
	hook_case(1);
}
END_TEST

/* Without a user namespace (the hook alone makes the child wait). */
START_TEST(test_hook_plain)
{
	const char *cmds[] = { "pid", NULL };
	struct hook_rec h = { 0 };
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	char line[64];
	int rd, wr;

	ct_cfg_payload(cfg, &rd, &wr, cmds);
	h.rd = rd;
	CT_OK(nsbox_config_set_parent_hook(cfg, hook, &h));
	proc = ct_spawn(cfg, wr);
	CT_INT(h.calls, ==, 1);
	CT_ASSERT(!h.payload_ran, "the payload ran before the hook returned");
	CT_INT(atoi(read_kv(rd, "pid", line, sizeof(line))), ==, h.pid);
	CT_INT(nsbox_proc_pid(proc), ==, h.pid);
	ct_wait_free(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* The hook's pid is the payload's in every shape of spawn: a new PID
 * namespace, a time namespace with a callback (the library forks once more
 * after the offsets), a joined PID namespace (forks once more after setns).
 * Spawns @cfg (a callback payload when @callback) with the recording hook;
 * everything is killed and reaped before the verdict. */
static void hook_pid_case(const char *what, nsbox_config *cfg, int callback, nsbox_proc *target)
{
	const char *cmds[] = { "pid", "ready", "wait", NULL };
	struct hook_rec h = { 0 };
	nsbox_proc *proc;
	char line[64];
	int32_t payload;
	int rd, wr, p[2], ran;

	if (callback) {
		CT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
		rd = p[0];
		wr = p[1];
		CT_OK(nsbox_config_set_callback(cfg, hook_callback, &wr));
	} else {
		ct_cfg_payload(cfg, &rd, &wr, cmds);
	}
	h.rd = rd;
	CT_OK(nsbox_config_set_parent_hook(cfg, hook, &h));
	proc = ct_spawn(cfg, -1);
	close(wr);
	read_kv(rd, "pid", line, sizeof(line));
	payload = nsbox_proc_pid(proc);
	ran = h.payload_ran;
	ct_finish(proc);
	if (target)
		ct_finish(target);
	close(rd);
	nsbox_config_free(cfg);
	CT_ASSERT(h.calls == 1 && h.pid == payload,
	          "%s: the hook was called %d time(s), last with pid %d, but the payload is %d", what, h.calls,
	          (int)h.pid, (int)payload);
	CT_ASSERT(!ran, "%s: the payload ran before the hook returned", what);
}

START_TEST(test_hook_pid_namespace)
{
	hook_pid_case("new PID namespace", ct_cfg(NSBOX_NS_PID), 0, NULL);
}
END_TEST

START_TEST(test_hook_time_callback)
{
	nsbox_config *cfg = ct_cfg(NSBOX_NS_TIME);

	CT_OK(nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, MONO_OFF, 0));
	hook_pid_case("time namespace + callback", cfg, 1, NULL);
}
END_TEST

START_TEST(test_hook_joined_pid)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *tcfg = ct_cfg(NSBOX_NS_PID), *cfg = ct_cfg(0);
	nsbox_proc *target;
	int rd, wr;

	ct_cfg_payload(tcfg, &rd, &wr, cmds);
	target = ct_spawn(tcfg, wr);
	ct_expect_ready(rd);
	close(rd);
	nsbox_config_free(tcfg);
	CT_OK(nsbox_config_join_pid(cfg, nsbox_proc_pid(target), NSBOX_NS_PID));
	hook_pid_case("joined PID namespace", cfg, 0, target);
}
END_TEST

static void hook_fails(int callback, int ret, int want)
{
	const char *cmds[] = { "pid", NULL };
	struct hook_rec h = { 0 };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_UTS);
	nsbox_proc *proc = NULL;
	struct ct_snap s;
	char c;
	int rd, wr, p[2];

	if (callback) {
		CT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
		rd = p[0];
		wr = p[1];
		CT_OK(nsbox_config_set_callback(cfg, hook_callback, &wr));
	} else {
		ct_cfg_payload(cfg, &rd, &wr, cmds);
	}
	h.rd = rd;
	h.ret = ret;
	CT_OK(nsbox_config_set_parent_hook(cfg, hook, &h));
	ct_snap_take(&s);
	CT_ERR(nsbox_spawn(cfg, &proc), want);
	CT_ASSERT(proc == NULL, "a handle came back with a failure");
	CT_SNAP_CHECK(&s);
	CT_LAST_ERROR_HAS("hook");
	CT_INT(h.calls, ==, 1);
	CT_ASSERT(kill(h.pid, 0) < 0 && errno == ESRCH, "process %d of the refused spawn still exists", (int)h.pid);
	close(wr);
	CT_ASSERT(read(rd, &c, 1) == 0, "the payload of a refused spawn ran");
	close(rd);
	nsbox_config_free(cfg);
}

/* A hook that fails: nsbox_spawn() returns its value, no child remains,
 * the payload never ran. */
START_TEST(test_hook_eacces)
{
	hook_fails(0, -EACCES, -EACCES);
	hook_fails(1, -EACCES, -EACCES);
	hook_fails(0, -ENOSPC, -ENOSPC);
}
END_TEST

START_TEST(test_hook_bad)
{
	CT_ERR(nsbox_config_set_parent_hook(NULL, hook, NULL), -EINVAL);
}
END_TEST

/* ---- persistent namespaces ---- */

static char persist_dir[64];

static void persist_child(void *arg)
{
	const char *cmds[] = { "ready", "wait", NULL };
	char hostname[64], uts[128], net[128], self_net[128];
	uint64_t uts_ino, net_ino;
	nsbox_config *cfg = ct_cfg(NSBOX_NS_NET | NSBOX_NS_UTS);
	nsbox_proc *proc;
	struct ct_snap s;
	struct stat st;
	pid_t pid;
	int rd, wr;

	(void)arg;
	/* Our own mount namespace: a failed test leaves no mount on the host. */
	CT_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	CT_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private: %s", strerror(errno));
	snprintf(hostname, sizeof(hostname), "%s", ct_tag());
	snprintf(uts, sizeof(uts), "%s/uts", persist_dir);
	snprintf(net, sizeof(net), "%s/net", persist_dir);
	snprintf(self_net, sizeof(self_net), "%s/self-net", persist_dir);
	CT_OK(nsbox_config_set_hostname(cfg, hostname));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	uts_ino = ct_ns_ino(pid, "uts");
	net_ino = ct_ns_ino(pid, "net");

	ct_snap_take(&s);
	CT_OK(nsbox_persist(pid, NSBOX_NS_UTS, uts));
	CT_OK(nsbox_persist(pid, NSBOX_NS_NET, net));
	CT_OK(nsbox_persist(0, NSBOX_NS_NET, self_net));
	CT_SNAP_CHECK(&s);
	CT_ASSERT(ct_is_mounted(uts) && ct_is_mounted(net) && ct_is_mounted(self_net),
	          "a persisted namespace is not in /proc/self/mountinfo");
	CT_ASSERT(stat(uts, &st) == 0 && st.st_ino == uts_ino, "%s is not the payload's UTS namespace", uts);
	CT_ASSERT(stat(self_net, &st) == 0 && st.st_ino == ct_ns_ino(0, "net"), "%s is not our net namespace",
	          self_net);

	/* The payload goes; its namespaces stay. */
	ct_finish(proc);
	close(rd);
	CT_ASSERT(stat(uts, &st) == 0 && st.st_ino == uts_ino, "%s lost the namespace", uts);

	/* A forked child joins them by path. */
	{
		pid_t c;
		int status = 0;

		fflush(NULL);
		c = fork();
		CT_ASSERT(c >= 0, "fork");
		if (c == 0) {
			char name[128] = "";
			int ok;

			ok = nsbox_join_path(uts, NSBOX_NS_UTS) == 0 && gethostname(name, sizeof(name)) == 0 &&
			     strcmp(name, hostname) == 0 && nsbox_join_path(net, NSBOX_NS_NET) == 0 &&
			     ct_ns_ino(0, "net") == net_ino && ct_ns_ino(0, "uts") == uts_ino;
			if (!ok)
				fprintf(stderr, "join of the persisted namespaces: hostname \"%s\", last error \"%s\"\n",
				        name, nsbox_last_error());
			_exit(ok ? 0 : 1);
		}
		CT_ASSERT(waitpid(c, &status, 0) == c, "waitpid");
		CT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		          "the joiner did not find the payload's hostname %s and net namespace (%s)", hostname,
		          ct_status_str(status));
	}

	ct_snap_take(&s);
	CT_OK(nsbox_unpersist(uts));
	CT_OK(nsbox_unpersist(net));
	CT_OK(nsbox_unpersist(self_net));
	CT_SNAP_CHECK(&s);
	CT_ASSERT(!ct_is_mounted(uts) && !ct_is_mounted(net) && !ct_is_mounted(self_net),
	          "still in /proc/self/mountinfo after nsbox_unpersist");
	CT_ASSERT(access(uts, F_OK) < 0 && errno == ENOENT, "%s still exists", uts);
	CT_ASSERT(access(net, F_OK) < 0 && errno == ENOENT, "%s still exists", net);
	/* Now the namespace is gone: a join by the old path fails. */
	CT_ERR(nsbox_join_path(uts, NSBOX_NS_UTS), -ENOENT);
	nsbox_config_free(cfg);
}

/* Run @fn in a forked child with its own mount namespace in a fresh
 * persist_dir; remove what it left there before judging. */
static void persist_run(void (*fn)(void *))
{
	static const char *const names[] = { "uts", "net", "self-net", "ns", "regular", "bound", "mnt" };
	char msg[8400], path[128];
	int r, left = 0;

	snprintf(persist_dir, sizeof(persist_dir), "/tmp/nsbox-persist-XXXXXX");
	CT_ASSERT(mkdtemp(persist_dir) != NULL, "mkdtemp");
	r = ct_in_child_try(fn, NULL, msg, sizeof(msg));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", persist_dir, names[i]);
		left += unlink(path) == 0;
	}
	CT_ASSERT(rmdir(persist_dir) == 0, "rmdir %s: %s", persist_dir, strerror(errno));
	CT_ASSERT(r == 0, "%s", msg);
	CT_ASSERT(left == 0, "%d file(s) left in %s", left, persist_dir);
}

START_TEST(test_persist)
{
	persist_run(persist_child);
}
END_TEST

static void persist_bad_child(void *arg)
{
	char path[128], missing[128], regular[128];
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	struct ct_snap s;
	pid_t gone;

	(void)arg;
	CT_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	CT_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/ns", persist_dir);
	snprintf(missing, sizeof(missing), "%s/no-such-dir/ns", persist_dir);
	snprintf(regular, sizeof(regular), "%s/regular", persist_dir);

	/* A process that is gone. */
	{
		const char *cmds[] = { NULL };
		int rd, wr;

		ct_cfg_payload(cfg, &rd, &wr, cmds);
		proc = ct_spawn(cfg, wr);
		gone = nsbox_proc_pid(proc);
		ct_wait_free(proc);
		close(rd);
	}
	ct_snap_take(&s);
	CT_ERR(nsbox_persist(gone, NSBOX_NS_UTS, path), -ESRCH);
	CT_ERR(nsbox_persist(0, 0, path), -EINVAL);
	CT_ERR(nsbox_persist(0, NSBOX_NS_UTS | NSBOX_NS_NET, path), -EINVAL);
	CT_ERR(nsbox_persist(0, 0x100, path), -EINVAL);
	CT_ERR(nsbox_persist(-1, NSBOX_NS_UTS, path), -EINVAL);
	CT_ERR(nsbox_persist(0, NSBOX_NS_UTS, NULL), -EINVAL);
	CT_ERR(nsbox_persist(0, NSBOX_NS_UTS, missing), -ENOENT);
	CT_SNAP_CHECK(&s);
	CT_ASSERT(access(path, F_OK) < 0 && errno == ENOENT, "a failed nsbox_persist left %s", path);

	/* unpersist of what is not a persisted namespace. */
	{
		int fd = open(regular, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		CT_ASSERT(fd >= 0, "create %s", regular);
		close(fd);
	}
	ct_snap_take(&s);
	CT_ERR(nsbox_unpersist(regular), -EINVAL);
	CT_ERR(nsbox_unpersist(path), -ENOENT);
	CT_ERR(nsbox_unpersist(NULL), -EINVAL);
	CT_ERR(nsbox_unpersist(persist_dir), -EINVAL);
	CT_SNAP_CHECK(&s);
	CT_ASSERT(access(regular, F_OK) == 0, "nsbox_unpersist removed a regular file");

	/* A mount point, but of a plain file, not of a namespace: refused,
	 * left mounted and in place. */
	snprintf(path, sizeof(path), "%s/bound", persist_dir);
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		CT_ASSERT(fd >= 0, "create %s", path);
		close(fd);
	}
	CT_ASSERT(mount(regular, path, NULL, MS_BIND, NULL) == 0, "bind %s on %s: %s", regular, path,
	          strerror(errno));
	CT_ERR(nsbox_unpersist(path), -EINVAL);
	CT_ASSERT(ct_is_mounted(path), "nsbox_unpersist unmounted %s, which holds no namespace", path);
	CT_ASSERT(umount2(path, 0) == 0, "umount %s: %s", path, strerror(errno));
	CT_ASSERT(unlink(path) == 0, "unlink %s", path);
	CT_ASSERT(unlink(regular) == 0, "unlink %s", regular);
	nsbox_config_free(cfg);
}

START_TEST(test_persist_bad)
{
	persist_run(persist_bad_child);
}
END_TEST

static void persist_mnt_child(void *arg)
{
	char path[128];
	struct ct_snap s;

	(void)arg;
	CT_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	CT_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/mnt", persist_dir);
	ct_snap_take(&s);
	CT_ERR(nsbox_persist(0, NSBOX_NS_MOUNT, path), -EINVAL);
	CT_SNAP_CHECK(&s);
	CT_LAST_ERROR_HAS("mount namespace");
	CT_ASSERT(!ct_is_mounted(path), "%s is mounted after a failure", path);
	/* The failed call should not leave the file it created behind. */
	CT_ASSERT(access(path, F_OK) < 0 && errno == ENOENT, "the failed nsbox_persist left the file %s it created",
	          path);
}

/* A mount namespace cannot be persisted inside itself: -EINVAL. */
START_TEST(test_persist_own_mount_ns)
{
	persist_run(persist_mnt_child);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cgroup-time");
	TCase *tc;

	ct_init();
	ct_require_root("cgroup-time");
	suite_pid = getpid();
	find_cgroup2();

	if (cg2_mnt[0]) {
		tc = ct_tcase("cgroup");
		tcase_add_unchecked_fixture(tc, NULL, cg_cleanup);
		tcase_add_test(tc, test_cgroup_clone3);
		tcase_add_test(tc, test_cgroup_no_clone3);
		tcase_add_test(tc, test_cgroup_fork);
		tcase_add_test(tc, test_cgroup_callback);
		tcase_add_test(tc, test_cgroup_namespace);
		tcase_add_test(tc, test_cgroup_bad);
		tcase_add_test(tc, test_cgroup_refused);
		if (cg2_has_controller())
			tcase_add_test(tc, test_cgroup_busy);
		else
			printf("NOTE: %s/cgroup.subtree_control enables no controller (hybrid hierarchy?): "
			       "the EBUSY case is not tested here\n", cg2_mnt);
		suite_add_tcase(s, tc);
	} else if (ct_must_work()) {
		ct_skip("no cgroup v2 hierarchy is mounted (type cgroup2 in /proc/self/mountinfo)");
	} else {
		printf("NOTE: no cgroup v2 hierarchy is mounted: the cgroup tests do not run\n");
	}

	tc = ct_tcase("time");
	tcase_add_test(tc, test_time_exec);
	tcase_add_test(tc, test_time_fork);
	tcase_add_test(tc, test_time_callback);
	tcase_add_test(tc, test_time_no_offset);
	tcase_add_test(tc, test_time_bad);
	suite_add_tcase(s, tc);

	tc = ct_tcase("hook");
	tcase_add_test(tc, test_hook_exec);
	tcase_add_test(tc, test_hook_callback);
	tcase_add_test(tc, test_hook_plain);
	tcase_add_test(tc, test_hook_pid_namespace);
	tcase_add_test(tc, test_hook_time_callback);
	tcase_add_test(tc, test_hook_joined_pid);
	tcase_add_test(tc, test_hook_eacces);
	tcase_add_test(tc, test_hook_bad);
	suite_add_tcase(s, tc);

	tc = ct_tcase("persist");
	tcase_add_test(tc, test_persist);
	tcase_add_test(tc, test_persist_bad);
	tcase_add_test(tc, test_persist_own_mount_ns);
	suite_add_tcase(s, tc);

	return ct_run(s);
}
