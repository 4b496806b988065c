/*
 * test-creds.c - ids, groups, capabilities, no_new_privs and seccomp, seen
 * from outside the child (/proc/PID/status, /proc/PID/uid_map) and through
 * what the payload can do (a filtered mkdir fails with EPERM).
 *
 * SPDX-License-Identifier: MIT
 *
 * Needs root: the maps "0 0 1000" + "1000 300000 1000" are written by a
 * privileged parent. The unprivileged case drops to uid 65534 for real in a
 * forked test child.
 */
#include "ct-helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define KEEP ((1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_CHOWN))

/* Maps of the privileged tests: two lines each, written by the parent. */
#define UID_HI 300000u
#define GID_HI 400000u

#if defined(__x86_64__)
#define CT_SECCOMP_TESTS 1
/* mkdir(2) (not mkdirat) fails with EPERM; everything else is allowed.
 * Other architectures and x32 system calls are killed. */
static const struct sock_filter deny_mkdir[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mkdir, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
#define DENY_MKDIR_LEN ((uint32_t)(sizeof(deny_mkdir) / sizeof(deny_mkdir[0])))
#else
#define CT_SECCOMP_TESTS 0
#endif

/* A program the kernel refuses: the jump leaves the program. */
static const struct sock_filter bad_jump[] = {
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 200, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
/* Another: it does not end with a return. */
static const struct sock_filter no_ret[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
};
static const struct sock_filter allow_all[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* ---- helpers of this file ---- */

static void add_two_line_maps(nsbox_config *cfg)
{
	CT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1000));
	CT_OK(nsbox_config_add_uid_map(cfg, 1000, UID_HI, 1000));
	CT_OK(nsbox_config_add_gid_map(cfg, 0, 0, 1000));
	CT_OK(nsbox_config_add_gid_map(cfg, 1000, GID_HI, 1000));
	CT_OK(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_ALLOW));
}

/* "a\tb\tc\td" of the Uid:/Gid: lines, all four equal to @id. */
static void expect_ids(pid_t pid, const char *field, unsigned id)
{
	char v[128], want[128];

	ct_status(pid, field, v, sizeof(v));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", id, id, id, id);
	CT_ASSERT(strcmp(v, want) == 0, "/proc/%d/status %s: \"%s\", expected \"%s\"", (int)pid, field, v,
	          want);
}

static void expect_caps(pid_t pid, uint64_t inh, uint64_t prm, uint64_t eff, uint64_t bnd, uint64_t amb)
{
	static const char *const names[5] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	uint64_t want[5] = { inh, prm, eff, bnd, amb };

	for (int i = 0; i < 5; i++) {
		uint64_t got = ct_status_hex(pid, names[i]);
		CT_ASSERT(got == want[i], "/proc/%d/status %s: %016llx, expected %016llx", (int)pid, names[i],
		          (unsigned long long)got, (unsigned long long)want[i]);
	}
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/* The Groups: line, as a sorted list, equals @want (sorted here too). */
static void expect_groups(pid_t pid, const unsigned long *want, size_t n)
{
	unsigned long got[64], w[64];
	char v[1024], *p = v, *end;
	size_t k = 0;

	ct_status(pid, "Groups", v, sizeof(v));
	for (;;) {
		unsigned long g = strtoul(p, &end, 10);
		if (end == p)
			break;
		CT_ASSERT(k < 64, "too many groups: \"%s\"", v);
		got[k++] = g;
		p = end;
	}
	CT_ASSERT(k == n, "/proc/%d/status Groups: \"%s\", expected %zu groups", (int)pid, v, n);
	if (n)
		memcpy(w, want, n * sizeof(*w));
	qsort(got, k, sizeof(*got), cmp_ul);
	qsort(w, n, sizeof(*w), cmp_ul);
	for (size_t i = 0; i < n; i++)
		CT_ASSERT(got[i] == w[i], "/proc/%d/status Groups: \"%s\", expected %lu among them", (int)pid, v,
		          w[i]);
}

static void expect_map(pid_t pid, const char *file, const unsigned (*lines)[3], size_t n)
{
	char text[4096], *line, *save = NULL;
	size_t k = 0;

	ct_proc_read(pid, file, text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
		unsigned a, b, c;

		CT_ASSERT(sscanf(line, "%u %u %u", &a, &b, &c) == 3, "bad %s line \"%s\"", file, line);
		CT_ASSERT(k < n, "/proc/%d/%s has more than %zu lines", (int)pid, file, n);
		CT_ASSERT(a == lines[k][0] && b == lines[k][1] && c == lines[k][2],
		          "/proc/%d/%s line %zu: \"%s\", expected %u %u %u", (int)pid, file, k + 1, line,
		          lines[k][0], lines[k][1], lines[k][2]);
	}
	CT_ASSERT(k == n, "/proc/%d/%s has %zu lines, expected %zu", (int)pid, file, k, n);
}

/* A path for the payload's mkdir: under /tmp (world-writable, so only a
 * filter can make it fail) and not existing yet. */
static const char *mkdir_target(char *buf, size_t size)
{
	snprintf(buf, size, "mkdir:/tmp/nsbox-%s", ct_tag());
	return buf;
}

/* The payload's "mkdir=E" line. */
static int read_mkdir(int rd)
{
	char line[128];
	int n = ct_read_line(rd, line, sizeof(line));

	CT_ASSERT(n > 0 && strncmp(line, "mkdir=", 6) == 0, "expected mkdir=E from the payload, got \"%s\"",
	          n > 0 ? line : "EOF");
	return atoi(line + 6);
}

/* A spawn that must fail with @err, its message naming @needle; nothing may
 * leak (fds, children, signal mask). */
static void expect_spawn_fails(nsbox_config *cfg, int err, const char *needle)
{
	struct ct_snap s;
	nsbox_proc *proc = NULL;
	int r;

	ct_snap_take(&s);
	r = nsbox_spawn(cfg, &proc);
	CT_ERR(r, err);
	CT_ASSERT(proc == NULL, "a handle came back with a failure");
	CT_SNAP_CHECK(&s);
	if (needle)
		CT_LAST_ERROR_HAS(needle);
}

/* ---- ids, groups, capabilities ---- */

START_TEST(test_ids_groups_caps_nonroot)
{
	const uint32_t groups[] = { 10, 1200, 1999 };
	const unsigned long outside_groups[] = { 10, GID_HI + 200, GID_HI + 999 };
	const unsigned map_uid[2][3] = { { 0, 0, 1000 }, { 1000, UID_HI, 1000 } };
	const unsigned map_gid[2][3] = { { 0, 0, 1000 }, { 1000, GID_HI, 1000 } };
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	struct ct_snap snap;
	pid_t pid;
	int rd, wr, st;

	ct_snap_take(&snap);
	add_two_line_maps(cfg);
	CT_OK(nsbox_config_set_ids(cfg, 1500, 1600));
	CT_OK(nsbox_config_set_groups(cfg, groups, 3));
	CT_OK(nsbox_config_set_caps(cfg, KEEP));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);

	/* Seen from the initial user namespace: the outside ids of the maps'
	 * second lines. */
	expect_ids(pid, "Uid", UID_HI + 500);
	expect_ids(pid, "Gid", GID_HI + 600);
	expect_groups(pid, outside_groups, 3);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 0);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, 0);
	expect_map(pid, "uid_map", map_uid, 2);
	expect_map(pid, "gid_map", map_gid, 2);

	st = ct_finish(proc);
	CT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "payload %s", ct_status_str(st));
	close(rd);
	nsbox_config_free(cfg);
	CT_SNAP_CHECK(&snap);
}
END_TEST

START_TEST(test_ids_caps_root)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	add_two_line_maps(cfg);
	CT_OK(nsbox_config_set_ids(cfg, 0, 0));
	CT_OK(nsbox_config_set_groups(cfg, NULL, 0));
	CT_OK(nsbox_config_set_caps(cfg, KEEP));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);

	expect_ids(pid, "Uid", 0);
	expect_ids(pid, "Gid", 0);
	expect_groups(pid, NULL, 0);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* Without nsbox_config_set_caps(), a non-zero uid loses every capability
 * (setuid(2) semantics) but the bounding set is untouched. */
START_TEST(test_ids_without_caps)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	add_two_line_maps(cfg);
	CT_OK(nsbox_config_set_ids(cfg, 1001, 1002));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", UID_HI + 1);
	expect_ids(pid, "Gid", GID_HI + 2);
	expect_caps(pid, 0, 0, 0, ct_full_caps(), 0);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* Keep nothing as uid 0 of a new user namespace: all five sets empty,
 * although root of the namespace would otherwise have every capability. */
START_TEST(test_caps_keep_none_root)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	add_two_line_maps(cfg);
	CT_OK(nsbox_config_set_caps(cfg, 0));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", 0);
	expect_caps(pid, 0, 0, 0, 0, 0);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* The control of the test above: without the call, uid 0 of the namespace
 * has every capability there. */
START_TEST(test_caps_default_root)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	add_two_line_maps(cfg);
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	expect_caps(pid, 0, ct_full_caps(), ct_full_caps(), ct_full_caps(), 0);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 0);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, 0);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* Capabilities without a user namespace: those of the initial namespace. */
START_TEST(test_caps_no_userns)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	CT_OK(nsbox_config_set_caps(cfg, KEEP));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", 0);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* Ids without a user namespace: the initial namespace's ids, capabilities
 * kept across the uid change as ambient ones. */
START_TEST(test_ids_no_userns)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	CT_OK(nsbox_config_set_ids(cfg, 1500, 1600));
	CT_OK(nsbox_config_set_groups(cfg, NULL, 0));
	CT_OK(nsbox_config_set_caps(cfg, KEEP));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", 1500);
	expect_ids(pid, "Gid", 1600);
	expect_groups(pid, NULL, 0);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_no_new_privs)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	pid_t pid;
	int rd, wr;

	CT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 1);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, 0);
	ct_finish(proc);
	close(rd);

	/* Turned off again: the payload has it off. */
	CT_OK(nsbox_config_set_no_new_privs(cfg, 0));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	ct_expect_ready(rd);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 0);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- seccomp ---- */

#if CT_SECCOMP_TESTS
/* Everything at once, in a user namespace, as a non-root uid. */
START_TEST(test_all_confinement)
{
	const uint32_t groups[] = { 1001 };
	const unsigned long outside_groups[] = { GID_HI + 1 };
	char target[128];
	const char *cmds[] = { mkdir_target(target, sizeof(target)), "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	nsbox_proc *proc;
	struct ct_snap snap;
	pid_t pid;
	int rd, wr;

	ct_snap_take(&snap);
	add_two_line_maps(cfg);
	CT_OK(nsbox_config_set_ids(cfg, 1500, 1600));
	CT_OK(nsbox_config_set_groups(cfg, groups, 1));
	CT_OK(nsbox_config_set_caps(cfg, KEEP));
	CT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	CT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	CT_INT(read_mkdir(rd), ==, EPERM);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", UID_HI + 500);
	expect_ids(pid, "Gid", GID_HI + 600);
	expect_groups(pid, outside_groups, 1);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 1);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, SECCOMP_MODE_FILTER);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
	CT_SNAP_CHECK(&snap);
}
END_TEST

/* The filter and nothing else: mkdir(2) gets EPERM, mkdirat(2) works, and
 * no_new_privs came with the filter. */
START_TEST(test_seccomp_mkdir_eperm)
{
	char t1[128], t2[128];
	const char *cmds[] = { mkdir_target(t1, sizeof(t1)), NULL, "ready", "wait", NULL };
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	char line[128];
	pid_t pid;
	int rd, wr;

	snprintf(t2, sizeof(t2), "mkdirat:/tmp/nsbox-%s", ct_tag());
	cmds[1] = t2;
	CT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	CT_INT(read_mkdir(rd), ==, EPERM);
	CT_ASSERT(ct_read_line(rd, line, sizeof(line)) > 0 && strcmp(line, "mkdirat=0") == 0,
	          "mkdirat is not filtered, yet the payload said \"%s\"", line);
	ct_expect_ready(rd);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, SECCOMP_MODE_FILTER);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 1);
	ct_finish(proc);
	close(rd);

	/* Control: the same payload without the filter creates the directory. */
	CT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	CT_INT(read_mkdir(rd), ==, 0);
	CT_ASSERT(ct_read_line(rd, line, sizeof(line)) > 0 && strcmp(line, "mkdirat=0") == 0, "got \"%s\"",
	          line);
	ct_expect_ready(rd);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, 0);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 0);
	ct_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

static int mkdir_callback(void *arg)
{
	const char *path = arg;
	long r = syscall(SYS_mkdir, path, 0700);
	int e = r == 0 ? 0 : errno;

	if (r == 0)
		rmdir(path);
	return e == EPERM ? 42 : e == 0 ? 0 : 1;
}

/* A callback payload runs under the filter as well (exit code 42: EPERM). */
START_TEST(test_seccomp_callback)
{
	char path[128];
	nsbox_config *cfg = ct_cfg(0);
	nsbox_proc *proc;
	int st;

	snprintf(path, sizeof(path), "/tmp/nsbox-%s", ct_tag());
	CT_OK(nsbox_config_set_callback(cfg, mkdir_callback, path));
	CT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	proc = ct_spawn(cfg, -1);
	st = ct_wait_free(proc);
	CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 42, "callback under the filter %s (42 means EPERM)",
	          ct_status_str(st));

	CT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	proc = ct_spawn(cfg, -1);
	st = ct_wait_free(proc);
	CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "callback without a filter %s", ct_status_str(st));
	nsbox_config_free(cfg);
}
END_TEST

/* Unprivileged for real: a forked test child becomes uid/gid 65534 with no
 * groups and no capabilities, maps itself to root of a new user namespace,
 * keeps no capability, sets no_new_privs and a filter. */
static void unpriv_child(void *arg)
{
	const char *cmds[] = { (const char *)arg, "ready", "wait", NULL };
	const unsigned map[1][3] = { { 0, CT_UNPRIV, 1 } };
	nsbox_config *cfg;
	nsbox_proc *proc;
	struct ct_snap s;
	pid_t pid;
	int rd, wr;

	ct_drop_to_nobody();
	cfg = ct_cfg(0);
	CT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	CT_OK(nsbox_config_set_caps(cfg, 0));
	CT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	CT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	CT_INT(read_mkdir(rd), ==, EPERM);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", CT_UNPRIV);
	expect_ids(pid, "Gid", CT_UNPRIV);
	expect_caps(pid, 0, 0, 0, 0, 0);
	CT_INT(ct_status_long(pid, "NoNewPrivs"), ==, 1);
	CT_INT(ct_status_long(pid, "Seccomp"), ==, SECCOMP_MODE_FILTER);
	expect_map(pid, "uid_map", map, 1);
	expect_map(pid, "gid_map", map, 1);
	ct_finish(proc);
	close(rd);

	/* Control: without the filter, nobody may create the directory. */
	CT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	CT_INT(read_mkdir(rd), ==, 0);
	ct_expect_ready(rd);
	CT_INT(ct_status_long(nsbox_proc_pid(proc), "Seccomp"), ==, 0);
	ct_finish(proc);
	close(rd);

	/* Mapped to itself (uid 65534 inside too, not root): the kept
	 * capabilities survive execve as ambient ones. */
	CT_OK(nsbox_config_map_caller(cfg, 0));
	CT_OK(nsbox_config_set_caps(cfg, KEEP));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	CT_INT(read_mkdir(rd), ==, 0);
	ct_expect_ready(rd);
	expect_ids(pid, "Uid", CT_UNPRIV);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	{
		const unsigned self[1][3] = { { CT_UNPRIV, CT_UNPRIV, 1 } };
		expect_map(pid, "uid_map", self, 1);
	}
	ct_finish(proc);
	close(rd);
	CT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	CT_OK(nsbox_config_set_caps(cfg, 0));

	/* A filter the kernel refuses, unprivileged: -EINVAL, nothing left. */
	CT_OK(nsbox_config_set_seccomp(cfg, bad_jump, 2));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	ct_snap_take(&s);
	proc = NULL;
	CT_ERR(nsbox_spawn(cfg, &proc), -EINVAL);
	CT_SNAP_CHECK(&s);
	CT_LAST_ERROR_HAS("seccomp");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

START_TEST(test_unprivileged)
{
	char target[128];

	mkdir_target(target, sizeof(target));
	ct_in_child(unpriv_child, target);
}
END_TEST
#endif /* CT_SECCOMP_TESTS */

/* ---- bad inputs ---- */

START_TEST(test_bad_caps)
{
	nsbox_config *cfg = ct_cfg(0);
	int last = ct_cap_last();

	CT_ERR(nsbox_config_set_caps(NULL, 0), -EINVAL);
	CT_ERR(nsbox_config_set_caps(cfg, 1ULL << 50), -EINVAL);
	CT_LAST_ERROR_HAS("50");
	CT_ERR(nsbox_config_set_caps(cfg, KEEP | (1ULL << 63)), -EINVAL);
	if (last < 63)
		CT_ERR(nsbox_config_set_caps(cfg, 1ULL << (last + 1)), -EINVAL);
	CT_OK(nsbox_config_set_caps(cfg, 1ULL << last));
	CT_OK(nsbox_config_set_caps(cfg, ct_full_caps()));
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_bad_seccomp_args)
{
	static struct sock_filter big[4097];
	nsbox_config *cfg = ct_cfg(0);

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	CT_ERR(nsbox_config_set_seccomp(NULL, allow_all, 1), -EINVAL);
	CT_ERR(nsbox_config_set_seccomp(cfg, NULL, 5), -EINVAL);
	CT_ERR(nsbox_config_set_seccomp(cfg, allow_all, 0), -EINVAL);
	CT_ERR(nsbox_config_set_seccomp(cfg, big, 4097), -E2BIG);
	CT_ERR(nsbox_config_set_seccomp(cfg, big, UINT32_MAX), -E2BIG);
	CT_OK(nsbox_config_set_seccomp(cfg, big, 4096));
	CT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	nsbox_config_free(cfg);
}
END_TEST

static int noop_callback(void *arg)
{
	(void)arg;
	return 0;
}

/* The kernel refuses the program: nsbox_spawn() says -EINVAL and names
 * seccomp; exec, fork-style and callback payloads alike. */
START_TEST(test_seccomp_rejected)
{
	const struct {
		const struct sock_filter *f;
		uint32_t n;
	} progs[2] = { { bad_jump, 2 }, { no_ret, 1 } };
	const char *cmds[] = { "ready", NULL };
	int rd, wr;

	for (int i = 0; i < 2; i++)
		for (int mode = 0; mode < 3; mode++) {
			nsbox_config *cfg = ct_cfg(0);

			CT_OK(nsbox_config_set_seccomp(cfg, progs[i].f, progs[i].n));
			rd = wr = -1;
			if (mode < 2)
				ct_cfg_payload(cfg, &rd, &wr, cmds);
			else
				CT_OK(nsbox_config_set_callback(cfg, noop_callback, NULL));
			if (mode == 1)
				CT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
			expect_spawn_fails(cfg, -EINVAL, "seccomp");
			if (wr >= 0) {
				close(wr);
				/* The payload never ran: nothing was written. */
				CT_ASSERT(!ct_readable(rd, 0) || read(rd, &(char){ 0 }, 1) == 0,
				          "the payload ran despite the refused filter");
				close(rd);
			}
			nsbox_config_free(cfg);
		}
}
END_TEST

START_TEST(test_bad_ids)
{
	nsbox_config *cfg = ct_cfg(0);

	CT_ERR(nsbox_config_set_ids(NULL, 0, 0), -EINVAL);
	CT_ERR(nsbox_config_set_ids(cfg, 4294967295u, 0), -EINVAL);
	CT_ERR(nsbox_config_set_ids(cfg, 0, 4294967295u), -EINVAL);
	CT_OK(nsbox_config_set_ids(cfg, 4294967294u, 4294967294u));
	nsbox_config_free(cfg);
}
END_TEST

/* Ids outside the maps: setresgid (first) or setresuid fails with EINVAL. */
START_TEST(test_ids_not_mapped)
{
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	int rd, wr;

	add_two_line_maps(cfg);
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	CT_OK(nsbox_config_set_ids(cfg, 5000, 5000));
	expect_spawn_fails(cfg, -EINVAL, "setresgid");
	CT_OK(nsbox_config_set_ids(cfg, 5000, 10));
	expect_spawn_fails(cfg, -EINVAL, "setresuid");
	/* Fork-style the same. */
	CT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
	expect_spawn_fails(cfg, -EINVAL, "setresuid");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* Groups in a user namespace whose setgroups is denied: -EPERM. */
START_TEST(test_groups_denied)
{
	const uint32_t groups[] = { 1 };
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg = ct_cfg(NSBOX_NS_USER);
	int rd, wr;

	CT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1000));
	CT_OK(nsbox_config_add_gid_map(cfg, 0, 0, 1000));
	CT_OK(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DENY));
	CT_OK(nsbox_config_set_groups(cfg, groups, 1));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	expect_spawn_fails(cfg, -EPERM, "setgroups");
	/* The same unprivileged way: map_caller denies setgroups. */
	CT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	expect_spawn_fails(cfg, -EPERM, "setgroups");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_bad_groups)
{
	static uint32_t many[65537];
	nsbox_config *cfg = ct_cfg(0);

	CT_ERR(nsbox_config_set_groups(NULL, many, 1), -EINVAL);
	CT_ERR(nsbox_config_set_groups(cfg, NULL, 1), -EINVAL);
	CT_ERR(nsbox_config_set_groups(cfg, many, 65537), -E2BIG);
	CT_OK(nsbox_config_set_groups(cfg, many, 65536));
	CT_OK(nsbox_config_set_groups(cfg, NULL, 0));
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_bad_no_new_privs)
{
	nsbox_config *cfg = ct_cfg(0);

	CT_ERR(nsbox_config_set_no_new_privs(NULL, 1), -EINVAL);
	CT_ERR(nsbox_config_set_no_new_privs(cfg, 2), -EINVAL);
	CT_ERR(nsbox_config_set_no_new_privs(cfg, -1), -EINVAL);
	CT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	CT_OK(nsbox_config_set_no_new_privs(cfg, 0));
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("creds");
	TCase *tc;

	ct_init();
	ct_require_root("creds");

	tc = ct_tcase("ids-caps");
	tcase_add_test(tc, test_ids_groups_caps_nonroot);
	tcase_add_test(tc, test_ids_caps_root);
	tcase_add_test(tc, test_ids_without_caps);
	tcase_add_test(tc, test_caps_keep_none_root);
	tcase_add_test(tc, test_caps_default_root);
	tcase_add_test(tc, test_caps_no_userns);
	tcase_add_test(tc, test_ids_no_userns);
	tcase_add_test(tc, test_no_new_privs);
	suite_add_tcase(s, tc);

#if CT_SECCOMP_TESTS
	tc = ct_tcase("seccomp");
	tcase_add_test(tc, test_all_confinement);
	tcase_add_test(tc, test_seccomp_mkdir_eperm);
	tcase_add_test(tc, test_seccomp_callback);
	tcase_add_test(tc, test_unprivileged);
	suite_add_tcase(s, tc);
#else
	printf("NOTE: the seccomp behaviour tests filter x86_64 system calls; not run on this architecture\n");
#endif

	tc = ct_tcase("errors");
	tcase_add_test(tc, test_bad_caps);
	tcase_add_test(tc, test_bad_seccomp_args);
	tcase_add_test(tc, test_seccomp_rejected);
	tcase_add_test(tc, test_bad_ids);
	tcase_add_test(tc, test_ids_not_mapped);
	tcase_add_test(tc, test_groups_denied);
	tcase_add_test(tc, test_bad_groups);
	tcase_add_test(tc, test_bad_no_new_privs);
	suite_add_tcase(s, tc);

	return ct_run(s);
}
