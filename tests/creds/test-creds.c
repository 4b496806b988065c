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
	NT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1000));
	NT_OK(nsbox_config_add_uid_map(cfg, 1000, UID_HI, 1000));
	NT_OK(nsbox_config_add_gid_map(cfg, 0, 0, 1000));
	NT_OK(nsbox_config_add_gid_map(cfg, 1000, GID_HI, 1000));
	NT_OK(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_ALLOW));
}

/* "a\tb\tc\td" of the Uid:/Gid: lines, all four equal to @id. */
static void expect_ids(pid_t pid, const char *field, unsigned id)
{
	char v[128], want[128];

	ct_status(pid, field, v, sizeof(v));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", id, id, id, id);
	NT_ASSERT(strcmp(v, want) == 0, "/proc/%d/status %s: \"%s\", expected \"%s\"", (int)pid, field, v,
	          want);
}

static void expect_caps(pid_t pid, uint64_t inh, uint64_t prm, uint64_t eff, uint64_t bnd, uint64_t amb)
{
	static const char *const names[5] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	uint64_t want[5] = { inh, prm, eff, bnd, amb };

	for (int i = 0; i < 5; i++) {
		uint64_t got = ct_status_hex(pid, names[i]);
		NT_ASSERT(got == want[i], "/proc/%d/status %s: %016llx, expected %016llx", (int)pid, names[i],
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
		NT_ASSERT(k < 64, "too many groups: \"%s\"", v);
		got[k++] = g;
		p = end;
	}
	NT_ASSERT(k == n, "/proc/%d/status Groups: \"%s\", expected %zu groups", (int)pid, v, n);
	if (n)
		memcpy(w, want, n * sizeof(*w));
	qsort(got, k, sizeof(*got), cmp_ul);
	qsort(w, n, sizeof(*w), cmp_ul);
	for (size_t i = 0; i < n; i++)
		NT_ASSERT(got[i] == w[i], "/proc/%d/status Groups: \"%s\", expected %lu among them", (int)pid, v,
		          w[i]);
}

static void expect_map(pid_t pid, const char *file, const unsigned (*lines)[3], size_t n)
{
	char text[4096], *line, *save = NULL;
	size_t k = 0;

	nt_proc_read(pid, file, text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
		unsigned a, b, c;

		NT_ASSERT(sscanf(line, "%u %u %u", &a, &b, &c) == 3, "bad %s line \"%s\"", file, line);
		NT_ASSERT(k < n, "/proc/%d/%s has more than %zu lines", (int)pid, file, n);
		NT_ASSERT(a == lines[k][0] && b == lines[k][1] && c == lines[k][2],
		          "/proc/%d/%s line %zu: \"%s\", expected %u %u %u", (int)pid, file, k + 1, line,
		          lines[k][0], lines[k][1], lines[k][2]);
	}
	NT_ASSERT(k == n, "/proc/%d/%s has %zu lines, expected %zu", (int)pid, file, k, n);
}

/* The NoNewPrivs: and Seccomp: fields of /proc/PID/status. */
static void expect_confinement(pid_t pid, long nnp, long seccomp)
{
	long got_nnp = ct_status_long(pid, "NoNewPrivs"), got_seccomp = ct_status_long(pid, "Seccomp");

	NT_ASSERT(got_nnp == nnp && got_seccomp == seccomp,
	          "/proc/%d/status NoNewPrivs: %ld, Seccomp: %ld; expected %ld and %ld", (int)pid, got_nnp,
	          got_seccomp, nnp, seccomp);
}

/* ---- ids, groups, capabilities ---- */

START_TEST(test_ids_groups_caps_nonroot)
{
	const uint32_t groups[] = { 10, 1200, 1999 };
	const unsigned long outside_groups[] = { 10, GID_HI + 200, GID_HI + 999 };
	const unsigned map_uid[2][3] = { { 0, 0, 1000 }, { 1000, UID_HI, 1000 } };
	const unsigned map_gid[2][3] = { { 0, 0, 1000 }, { 1000, GID_HI, 1000 } };
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	struct nt_snap snap;
	struct ct_live l;
	pid_t pid;
	int st;

	nt_snap_take(&snap);
	add_two_line_maps(cfg);
	NT_OK(nsbox_config_set_ids(cfg, 1500, 1600));
	NT_OK(nsbox_config_set_groups(cfg, groups, 3));
	NT_OK(nsbox_config_set_caps(cfg, KEEP));
	pid = ct_live_ready(&l, cfg);

	/* Seen from the initial user namespace: the outside ids of the maps'
	 * second lines. */
	expect_ids(pid, "Uid", UID_HI + 500);
	expect_ids(pid, "Gid", GID_HI + 600);
	expect_groups(pid, outside_groups, 3);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	expect_confinement(pid, 0, 0);
	expect_map(pid, "uid_map", map_uid, 2);
	expect_map(pid, "gid_map", map_gid, 2);

	st = ct_live_end(&l);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "payload %s", nt_status_str(st));
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* Ids @uid/@gid (below 1000: the two-line maps leave them as they are),
 * no supplementary group and KEEP kept, in a new user namespace with those
 * maps when @ns has NSBOX_NS_USER, else in the initial one: the payload
 * shows just that from outside. */
static void ids_keep_case(uint32_t ns, unsigned uid, unsigned gid)
{
	nsbox_config *cfg = nt_cfg(ns);
	struct ct_live l;
	pid_t pid;

	if (ns & NSBOX_NS_USER)
		add_two_line_maps(cfg);
	NT_OK(nsbox_config_set_ids(cfg, uid, gid));
	NT_OK(nsbox_config_set_groups(cfg, NULL, 0));
	NT_OK(nsbox_config_set_caps(cfg, KEEP));
	pid = ct_live_ready(&l, cfg);
	expect_ids(pid, "Uid", uid);
	expect_ids(pid, "Gid", gid);
	expect_groups(pid, NULL, 0);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	ct_live_end(&l);
	nsbox_config_free(cfg);
}

START_TEST(test_ids_caps_root)
{
	ids_keep_case(NSBOX_NS_USER, 0, 0);
}
END_TEST

/* Without nsbox_config_set_caps(), a non-zero uid loses every capability
 * (setuid(2) semantics) but the bounding set is untouched. */
START_TEST(test_ids_without_caps)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	struct ct_live l;
	pid_t pid;

	add_two_line_maps(cfg);
	NT_OK(nsbox_config_set_ids(cfg, 1001, 1002));
	pid = ct_live_ready(&l, cfg);
	expect_ids(pid, "Uid", UID_HI + 1);
	expect_ids(pid, "Gid", GID_HI + 2);
	expect_caps(pid, 0, 0, 0, ct_full_caps(), 0);
	ct_live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

/* Keep nothing as uid 0 of a new user namespace: all five sets empty,
 * although root of the namespace would otherwise have every capability. */
START_TEST(test_caps_keep_none_root)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	struct ct_live l;
	pid_t pid;

	add_two_line_maps(cfg);
	NT_OK(nsbox_config_set_caps(cfg, 0));
	pid = ct_live_ready(&l, cfg);
	expect_ids(pid, "Uid", 0);
	expect_caps(pid, 0, 0, 0, 0, 0);
	ct_live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

/* The control of the test above: without the call, uid 0 of the namespace
 * has every capability there. */
START_TEST(test_caps_default_root)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	struct ct_live l;
	pid_t pid;

	add_two_line_maps(cfg);
	pid = ct_live_ready(&l, cfg);
	expect_caps(pid, 0, ct_full_caps(), ct_full_caps(), ct_full_caps(), 0);
	expect_confinement(pid, 0, 0);
	ct_live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

/* Capabilities without a user namespace: those of the initial namespace. */
START_TEST(test_caps_no_userns)
{
	nsbox_config *cfg = nt_cfg(0);
	struct ct_live l;
	pid_t pid;

	NT_OK(nsbox_config_set_caps(cfg, KEEP));
	pid = ct_live_ready(&l, cfg);
	expect_ids(pid, "Uid", 0);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	ct_live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

/* Ids without a user namespace: the initial namespace's ids, capabilities
 * kept across the uid change as ambient ones. */
START_TEST(test_ids_no_userns)
{
	ids_keep_case(0, 1500, 1600);
}
END_TEST

START_TEST(test_no_new_privs)
{
	nsbox_config *cfg = nt_cfg(0);
	struct ct_live l;

	NT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	expect_confinement(ct_live_ready(&l, cfg), 1, 0);
	ct_live_end(&l);

	/* Turned off again: the payload has it off. */
	NT_OK(nsbox_config_set_no_new_privs(cfg, 0));
	expect_confinement(ct_live_ready(&l, cfg), 0, 0);
	ct_live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- seccomp ---- */

#if CT_SECCOMP_TESTS
/* A path for the payload's mkdir (@cmd "mkdir" or "mkdirat"): under /tmp
 * (world-writable, so only a filter can make it fail) and not existing yet. */
static const char *mkdir_target(char *buf, size_t size, const char *cmd)
{
	snprintf(buf, size, "%s:/tmp/%s", cmd, nt_tag());
	return buf;
}

/* The payload's "mkdir=E" line. */
static int read_mkdir(int rd)
{
	char line[128];
	int n = nt_read_line(rd, line, sizeof(line));

	NT_ASSERT(n > 0 && strncmp(line, "mkdir=", 6) == 0, "expected mkdir=E from the payload, got \"%s\"",
	          n > 0 ? line : "EOF");
	return atoi(line + 6);
}

/* Everything at once, in a user namespace, as a non-root uid. */
START_TEST(test_all_confinement)
{
	const uint32_t groups[] = { 1001 };
	const unsigned long outside_groups[] = { GID_HI + 1 };
	char target[128];
	const char *cmds[] = { mkdir_target(target, sizeof(target), "mkdir"), "ready", "wait", NULL };
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	struct nt_snap snap;
	struct ct_live l;

	nt_snap_take(&snap);
	add_two_line_maps(cfg);
	NT_OK(nsbox_config_set_ids(cfg, 1500, 1600));
	NT_OK(nsbox_config_set_groups(cfg, groups, 1));
	NT_OK(nsbox_config_set_caps(cfg, KEEP));
	NT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	NT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	ct_live_spawn(&l, cfg, cmds);
	NT_ASSERT_INT(read_mkdir(l.rd), ==, EPERM);
	nt_expect_ready(l.rd);
	expect_ids(l.pid, "Uid", UID_HI + 500);
	expect_ids(l.pid, "Gid", GID_HI + 600);
	expect_groups(l.pid, outside_groups, 1);
	expect_caps(l.pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	expect_confinement(l.pid, 1, SECCOMP_MODE_FILTER);
	ct_live_end(&l);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&snap);
}
END_TEST

/* A payload running @cmds (mkdir:PATH, mkdirat:PATH, ready, wait) under
 * @cfg: mkdir(2) gives @mkdir_err, mkdirat(2) works, and /proc/PID/status
 * shows @nnp and @seccomp. */
static void mkdir_case(nsbox_config *cfg, const char *const *cmds, int mkdir_err, long nnp, long seccomp)
{
	struct ct_live l;
	char line[128];

	ct_live_spawn(&l, cfg, cmds);
	NT_ASSERT_INT(read_mkdir(l.rd), ==, mkdir_err);
	NT_ASSERT(nt_read_line(l.rd, line, sizeof(line)) > 0 && strcmp(line, "mkdirat=0") == 0,
	          "expected mkdirat=0 (mkdirat is never filtered), the payload said \"%s\"", line);
	nt_expect_ready(l.rd);
	expect_confinement(l.pid, nnp, seccomp);
	ct_live_end(&l);
}

/* The filter and nothing else: mkdir(2) gets EPERM, mkdirat(2) works, and
 * no_new_privs came with the filter. */
START_TEST(test_seccomp_mkdir_eperm)
{
	char t1[128], t2[128];
	const char *cmds[] = { mkdir_target(t1, sizeof(t1), "mkdir"), mkdir_target(t2, sizeof(t2), "mkdirat"),
	                       "ready", "wait", NULL };
	nsbox_config *cfg = nt_cfg(0);

	NT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	mkdir_case(cfg, cmds, EPERM, 1, SECCOMP_MODE_FILTER);

	/* Control: the same payload without the filter creates the directory. */
	NT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	mkdir_case(cfg, cmds, 0, 0, 0);
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
	nsbox_config *cfg = nt_cfg(0);
	int st;

	snprintf(path, sizeof(path), "/tmp/%s", nt_tag());
	NT_OK(nsbox_config_set_callback(cfg, mkdir_callback, path));
	NT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	st = nt_wait_free(ct_spawn(cfg, -1));
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 42, "callback under the filter %s (42 means EPERM)",
	          nt_status_str(st));

	NT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	st = nt_wait_free(ct_spawn(cfg, -1));
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "callback without a filter %s", nt_status_str(st));
	nsbox_config_free(cfg);
}
END_TEST

/* Spawn @cmds (mkdir:PATH, ready, wait) under @cfg: mkdir(2) gives
 * @mkdir_err. Returns the payload, which said "ready". */
static pid_t spawn_mkdir(struct ct_live *l, nsbox_config *cfg, const char *const *cmds, int mkdir_err)
{
	ct_live_spawn(l, cfg, cmds);
	NT_ASSERT_INT(read_mkdir(l->rd), ==, mkdir_err);
	nt_expect_ready(l->rd);
	return l->pid;
}

/* Unprivileged for real: a forked test child becomes uid/gid 65534 with no
 * groups and no capabilities, maps itself to root of a new user namespace,
 * keeps no capability, sets no_new_privs and a filter. */
static void unpriv_child(void *arg)
{
	const char *cmds[] = { (const char *)arg, "ready", "wait", NULL };
	const unsigned map[1][3] = { { 0, NT_UNPRIV_ID, 1 } };
	const unsigned self[1][3] = { { NT_UNPRIV_ID, NT_UNPRIV_ID, 1 } };
	nsbox_config *cfg;
	struct ct_live l;
	pid_t pid;
	int rd, wr;

	ct_drop_privileges();
	cfg = nt_cfg(0);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_caps(cfg, 0));
	NT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	NT_OK(nsbox_config_set_seccomp(cfg, deny_mkdir, DENY_MKDIR_LEN));
	pid = spawn_mkdir(&l, cfg, cmds, EPERM);
	expect_ids(pid, "Uid", NT_UNPRIV_ID);
	expect_ids(pid, "Gid", NT_UNPRIV_ID);
	expect_caps(pid, 0, 0, 0, 0, 0);
	expect_confinement(pid, 1, SECCOMP_MODE_FILTER);
	expect_map(pid, "uid_map", map, 1);
	expect_map(pid, "gid_map", map, 1);
	ct_live_end(&l);

	/* Control: without the filter, nobody may create the directory. */
	NT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
	expect_confinement(spawn_mkdir(&l, cfg, cmds, 0), 1, 0);
	ct_live_end(&l);

	/* Mapped to itself (uid 65534 inside too, not root): the kept
	 * capabilities survive execve as ambient ones. */
	NT_OK(nsbox_config_map_caller(cfg, 0));
	NT_OK(nsbox_config_set_caps(cfg, KEEP));
	pid = spawn_mkdir(&l, cfg, cmds, 0);
	expect_ids(pid, "Uid", NT_UNPRIV_ID);
	expect_caps(pid, KEEP, KEEP, KEEP, KEEP, KEEP);
	expect_map(pid, "uid_map", self, 1);
	ct_live_end(&l);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_caps(cfg, 0));

	/* A filter the kernel refuses, unprivileged: -EINVAL, nothing left. */
	NT_OK(nsbox_config_set_seccomp(cfg, bad_jump, 2));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	ct_expect_spawn_fails(cfg, -EINVAL, "seccomp");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

START_TEST(test_unprivileged)
{
	char target[128];

	mkdir_target(target, sizeof(target), "mkdir");
	nt_in_child(unpriv_child, target);
}
END_TEST
#endif /* CT_SECCOMP_TESTS */

/* ---- bad inputs ---- */

START_TEST(test_bad_caps)
{
	nsbox_config *cfg = nt_cfg(0);
	int last = ct_cap_last();

	NT_ASSERT_INT(nsbox_config_set_caps(NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_caps(cfg, 1ULL << 50), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "50");
	NT_ASSERT_INT(nsbox_config_set_caps(cfg, KEEP | (1ULL << 63)), ==, -EINVAL);
	if (last < 63)
		NT_ASSERT_INT(nsbox_config_set_caps(cfg, 1ULL << (last + 1)), ==, -EINVAL);
	NT_OK(nsbox_config_set_caps(cfg, 1ULL << last));
	NT_OK(nsbox_config_set_caps(cfg, ct_full_caps()));
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_bad_seccomp_args)
{
	static struct sock_filter big[4097];
	nsbox_config *cfg = nt_cfg(0);

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	NT_ASSERT_INT(nsbox_config_set_seccomp(NULL, allow_all, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_seccomp(cfg, NULL, 5), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_seccomp(cfg, allow_all, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_seccomp(cfg, big, 4097), ==, -E2BIG);
	NT_ASSERT_INT(nsbox_config_set_seccomp(cfg, big, UINT32_MAX), ==, -E2BIG);
	NT_OK(nsbox_config_set_seccomp(cfg, big, 4096));
	NT_OK(nsbox_config_set_seccomp(cfg, NULL, 0));
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
			nsbox_config *cfg = nt_cfg(0);

			NT_OK(nsbox_config_set_seccomp(cfg, progs[i].f, progs[i].n));
			rd = wr = -1;
			if (mode < 2)
				ct_cfg_payload(cfg, &rd, &wr, cmds);
			else
				NT_OK(nsbox_config_set_callback(cfg, noop_callback, NULL));
			if (mode == 1)
				NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
			ct_expect_spawn_fails(cfg, -EINVAL, "seccomp");
			if (wr >= 0) {
				close(wr);
				/* The payload never ran: nothing was written. */
				NT_ASSERT(!ct_readable(rd, 0) || read(rd, &(char){ 0 }, 1) == 0,
				          "the payload ran despite the refused filter");
				close(rd);
			}
			nsbox_config_free(cfg);
		}
}
END_TEST

START_TEST(test_bad_ids)
{
	nsbox_config *cfg = nt_cfg(0);

	NT_ASSERT_INT(nsbox_config_set_ids(NULL, 0, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_ids(cfg, 4294967295u, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_ids(cfg, 0, 4294967295u), ==, -EINVAL);
	NT_OK(nsbox_config_set_ids(cfg, 4294967294u, 4294967294u));
	nsbox_config_free(cfg);
}
END_TEST

/* Ids outside the maps: setresgid (first) or setresuid fails with EINVAL. */
START_TEST(test_ids_not_mapped)
{
	const char *cmds[] = { "ready", NULL };
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	int rd, wr;

	add_two_line_maps(cfg);
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	NT_OK(nsbox_config_set_ids(cfg, 5000, 5000));
	ct_expect_spawn_fails(cfg, -EINVAL, "setresgid");
	NT_OK(nsbox_config_set_ids(cfg, 5000, 10));
	ct_expect_spawn_fails(cfg, -EINVAL, "setresuid");
	/* Fork-style the same. */
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
	ct_expect_spawn_fails(cfg, -EINVAL, "setresuid");
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
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	int rd, wr;

	NT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1000));
	NT_OK(nsbox_config_add_gid_map(cfg, 0, 0, 1000));
	NT_OK(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DENY));
	NT_OK(nsbox_config_set_groups(cfg, groups, 1));
	ct_cfg_payload(cfg, &rd, &wr, cmds);
	ct_expect_spawn_fails(cfg, -EPERM, "setgroups");
	/* The same unprivileged way: map_caller denies setgroups. */
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	ct_expect_spawn_fails(cfg, -EPERM, "setgroups");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_bad_groups)
{
	static uint32_t many[65537];
	nsbox_config *cfg = nt_cfg(0);

	NT_ASSERT_INT(nsbox_config_set_groups(NULL, many, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_groups(cfg, NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_groups(cfg, many, 65537), ==, -E2BIG);
	NT_OK(nsbox_config_set_groups(cfg, many, 65536));
	NT_OK(nsbox_config_set_groups(cfg, NULL, 0));
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_bad_no_new_privs)
{
	nsbox_config *cfg = nt_cfg(0);

	NT_ASSERT_INT(nsbox_config_set_no_new_privs(NULL, 1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_no_new_privs(cfg, 2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_no_new_privs(cfg, -1), ==, -EINVAL);
	NT_OK(nsbox_config_set_no_new_privs(cfg, 1));
	NT_OK(nsbox_config_set_no_new_privs(cfg, 0));
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("creds");
	TCase *tc;

	ct_init();
	nt_require_root("creds");

	tc = nt_tcase("ids-caps");
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
	tc = nt_tcase("seccomp");
	tcase_add_test(tc, test_all_confinement);
	tcase_add_test(tc, test_seccomp_mkdir_eperm);
	tcase_add_test(tc, test_seccomp_callback);
	tcase_add_test(tc, test_unprivileged);
	suite_add_tcase(s, tc);
#else
	printf("NOTE: the seccomp behaviour tests filter x86_64 system calls; not run on this architecture\n");
#endif

	tc = nt_tcase("errors");
	tcase_add_test(tc, test_bad_caps);
	tcase_add_test(tc, test_bad_seccomp_args);
	tcase_add_test(tc, test_seccomp_rejected);
	tcase_add_test(tc, test_bad_ids);
	tcase_add_test(tc, test_ids_not_mapped);
	tcase_add_test(tc, test_groups_denied);
	tcase_add_test(tc, test_bad_groups);
	tcase_add_test(tc, test_bad_no_new_privs);
	suite_add_tcase(s, tc);

	return nt_run_suite(s);
}
