/*
 * test-newidmap.c - maps an unprivileged parent may not write itself, handed
 * to newuidmap(1)/newgidmap(1) (Debian package uidmap).
 *
 * SPDX-License-Identifier: MIT
 *
 * Each test runs in a forked test child that, as root, gets a private mount
 * namespace (the host never sees what follows) in which /etc/subuid and
 * /etc/subgid hold what the test wants:
 *  - if the files exist (Debian's passwd package ships them, maybe empty),
 *    test files on a private tmpfs are bind-mounted over them;
 *  - if one is missing, an overlayfs is mounted over /etc (lower: the real
 *    /etc, upper: that tmpfs) and the files are written into it, so every
 *    other file of /etc that newuidmap reads (passwd, group, login.defs,
 *    nsswitch.conf) stays the host's.
 * The child then drops to uid/gid 65534 (dumpable) and spawns: the maps
 * "0 65534 1" + "1 200000 1000" need more than the caller's own id, so the
 * kernel refuses them to the parent and the library runs the helpers.
 */
#include "ct-helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SUB_START 200000u
#define GRANT "65534:200000:65536\n"

static const char *const helper_dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin" };

/* Where the test files live (a directory under /tmp made by the Check test
 * process; the forked child mounts a tmpfs on it). */
static char workdir[64];

struct setup {
	const char *subuid, *subgid; /* file contents */
	int hide_helpers;            /* make newuidmap/newgidmap unfindable */
	void (*body)(void);
};

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);

	NT_ASSERT(fd >= 0, "create %s: %s", path, strerror(errno));
	NT_ASSERT(write(fd, text, len) == (ssize_t)len, "write %s: %s", path, strerror(errno));
	NT_ASSERT(fchmod(fd, mode) == 0, "chmod %s: %s", path, strerror(errno));
	close(fd);
}

/* /etc/NAME shows @text in this mount namespace. */
static void provide_etc_file(const char *name, const char *text, int *overlay)
{
	char etc[64], mine[128];

	snprintf(etc, sizeof(etc), "/etc/%s", name);
	if (access(etc, F_OK) == 0) {
		snprintf(mine, sizeof(mine), "%s/%s", workdir, name);
		write_text(mine, text, 0644);
		NT_ASSERT(mount(mine, etc, NULL, MS_BIND, NULL) == 0, "bind %s on %s: %s", mine, etc,
		          strerror(errno));
		return;
	}
	if (!*overlay) {
		char upper[128], work[128], opts[512];

		snprintf(upper, sizeof(upper), "%s/upper", workdir);
		snprintf(work, sizeof(work), "%s/work", workdir);
		NT_ASSERT(mkdir(upper, 0755) == 0 && mkdir(work, 0755) == 0, "mkdir: %s", strerror(errno));
		snprintf(opts, sizeof(opts), "lowerdir=/etc,upperdir=%s,workdir=%s", upper, work);
		NT_ASSERT(mount("overlay", "/etc", "overlay", 0, opts) == 0,
		          "%s is missing and an overlayfs over /etc failed: %s", etc, strerror(errno));
		*overlay = 1;
	}
	write_text(etc, text, 0644);
}

static void hide_helpers(void)
{
	char empty[128];

	snprintf(empty, sizeof(empty), "%s/not-executable", workdir);
	write_text(empty, "", 0644);
	for (size_t i = 0; i < sizeof(helper_dirs) / sizeof(helper_dirs[0]); i++) {
		const char *names[2] = { "newuidmap", "newgidmap" };

		for (int k = 0; k < 2; k++) {
			char path[128];

			snprintf(path, sizeof(path), "%s/%s", helper_dirs[i], names[k]);
			if (access(path, F_OK) == 0)
				NT_ASSERT(mount(empty, path, NULL, MS_BIND, NULL) == 0, "bind over %s: %s", path,
				          strerror(errno));
		}
	}
}

static void setup_child(void *arg)
{
	const struct setup *st = arg;
	char got[256];
	int overlay = 0;

	NT_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	NT_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private: %s", strerror(errno));
	NT_ASSERT(mount("tmpfs", workdir, "tmpfs", 0, "mode=0755") == 0, "tmpfs on %s: %s", workdir,
	          strerror(errno));
	provide_etc_file("subuid", st->subuid, &overlay);
	provide_etc_file("subgid", st->subgid, &overlay);
	NT_ASSERT(nt_read_file("/etc/subuid", got, sizeof(got)) >= 0 && strcmp(got, st->subuid) == 0,
	          "/etc/subuid is \"%s\" in the test's mount namespace", got);
	if (st->hide_helpers)
		hide_helpers();
	ct_drop_privileges();
	st->body();
}

static void run(const char *subuid, const char *subgid, int hide, void (*body)(void))
{
	struct setup st = { subuid, subgid, hide, body };
	char msg[8400];
	int ok;

	snprintf(workdir, sizeof(workdir), "/tmp/nsbox-subid-XXXXXX");
	NT_ASSERT(mkdtemp(workdir) != NULL, "mkdtemp: %s", strerror(errno));
	ok = nt_in_child_try(setup_child, &st, msg, sizeof(msg));
	/* The tmpfs was in the child's mount namespace: the directory is empty. */
	NT_ASSERT(rmdir(workdir) == 0, "rmdir %s: %s", workdir, strerror(errno));
	NT_ASSERT(ok, "%s", msg);
}

/* The maps of every test: root of the namespace is the caller, 1..1000 are
 * subordinate ids. */
static nsbox_config *helper_cfg(int *rd, int *wr)
{
	const char *cmds[] = { "ready", "wait", NULL };
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);

	NT_OK(nsbox_config_add_uid_map(cfg, 0, NT_UNPRIV_ID, 1));
	NT_OK(nsbox_config_add_uid_map(cfg, 1, SUB_START, 1000));
	NT_OK(nsbox_config_add_gid_map(cfg, 0, NT_UNPRIV_ID, 1));
	NT_OK(nsbox_config_add_gid_map(cfg, 1, SUB_START, 1000));
	ct_cfg_payload(cfg, rd, wr, cmds);
	return cfg;
}

static void expect_map(pid_t pid, const char *file)
{
	char text[1024];
	unsigned v[2][3];

	nt_proc_read(pid, file, text, sizeof(text));
	NT_ASSERT(sscanf(text, "%u %u %u %u %u %u", &v[0][0], &v[0][1], &v[0][2], &v[1][0], &v[1][1],
	                 &v[1][2]) == 6,
	          "/proc/%d/%s: \"%s\"", (int)pid, file, text);
	NT_ASSERT(v[0][0] == 0 && v[0][1] == NT_UNPRIV_ID && v[0][2] == 1 && v[1][0] == 1 &&
	                  v[1][1] == SUB_START && v[1][2] == 1000,
	          "/proc/%d/%s: \"%s\"", (int)pid, file, text);
}

/* No process of ours but @pid (0: none) is left: the helpers were reaped. */
static void expect_children(pid_t pid)
{
	char text[512], want[32], name[64];

	snprintf(name, sizeof(name), "task/%d/children", (int)getpid());
	nt_proc_read(0, name, text, sizeof(text));
	snprintf(want, sizeof(want), "%d ", (int)pid);
	NT_ASSERT(pid ? strcmp(text, want) == 0 : text[0] == '\0', "our children are [%s], expected [%s]", text,
	          pid ? want : "");
}

/* ---- tests ---- */

static void body_maps(void)
{
	nsbox_config *cfg;
	nsbox_proc *proc;
	struct nt_snap s;
	pid_t pid;
	int rd, wr;

	nt_snap_take(&s);
	cfg = helper_cfg(&rd, &wr);
	NT_OK(nsbox_config_set_ids(cfg, 5, 6));
	proc = ct_spawn(cfg, wr);
	pid = nsbox_proc_pid(proc);
	nt_expect_ready(rd);
	expect_children(pid);
	expect_map(pid, "uid_map");
	expect_map(pid, "gid_map");
	{
		char v[128];

		/* Inside 5 and 6 are the subordinate ids 200004 and 200005. */
		ct_status(pid, "Uid", v, sizeof(v));
		NT_ASSERT(strcmp(v, "200004\t200004\t200004\t200004") == 0, "Uid: \"%s\"", v);
		ct_status(pid, "Gid", v, sizeof(v));
		NT_ASSERT(strcmp(v, "200005\t200005\t200005\t200005") == 0, "Gid: \"%s\"", v);
	}
	nt_finish(proc);
	close(rd);
	expect_children(0);
	nsbox_config_free(cfg);
	NT_SNAP_CHECK(&s);
}

START_TEST(test_helpers_write_maps)
{
	run(GRANT, GRANT, 0, body_maps);
}
END_TEST

/* Fork-style spawn: the same through the other clone path. */
static void body_maps_fork(void)
{
	nsbox_config *cfg;
	nsbox_proc *proc;
	int rd, wr;

	cfg = helper_cfg(&rd, &wr);
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
	proc = ct_spawn(cfg, wr);
	nt_expect_ready(rd);
	expect_map(nsbox_proc_pid(proc), "uid_map");
	expect_map(nsbox_proc_pid(proc), "gid_map");
	nt_finish(proc);
	close(rd);
	expect_children(0);
	nsbox_config_free(cfg);
}

START_TEST(test_helpers_fork)
{
	run(GRANT, GRANT, 0, body_maps_fork);
}
END_TEST

static void body_no_helpers(void)
{
	int rd, wr;
	nsbox_config *cfg = helper_cfg(&rd, &wr);

	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_MAP_HELPERS));
	ct_expect_spawn_fails(cfg, -EPERM, "uid_map");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

/* NSBOX_SPAWN_NO_MAP_HELPERS: the parent's own write fails, nothing else is
 * tried (the grants would have allowed it). */
START_TEST(test_no_map_helpers_flag)
{
	run(GRANT, GRANT, 0, body_no_helpers);
}
END_TEST

static void body_refused_uid(void)
{
	int rd, wr;
	nsbox_config *cfg = helper_cfg(&rd, &wr);

	ct_expect_spawn_fails(cfg, -EPERM, "newuidmap");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "/etc/subuid");
	expect_children(0);
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

/* /etc/subuid grants 65534 nothing (a range of another uid): newuidmap
 * refuses, nsbox_spawn() says -EPERM and names the helper and the file. */
START_TEST(test_subuid_grants_nothing)
{
	run("12345:200000:65536\n", GRANT, 0, body_refused_uid);
}
END_TEST

static void body_refused_gid(void)
{
	int rd, wr;
	nsbox_config *cfg = helper_cfg(&rd, &wr);

	ct_expect_spawn_fails(cfg, -EPERM, "newgidmap");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "/etc/subgid");
	expect_children(0);
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

START_TEST(test_subgid_grants_nothing)
{
	run(GRANT, "", 0, body_refused_gid);
}
END_TEST

static void body_missing_helpers(void)
{
	int rd, wr;
	nsbox_config *cfg = helper_cfg(&rd, &wr);

	ct_expect_spawn_fails(cfg, -ENOENT, "newuidmap");
	close(wr);
	close(rd);
	nsbox_config_free(cfg);
}

/* Helpers that cannot be run (an empty non-executable file over them):
 * -ENOENT, as documented for helpers that are not installed. */
START_TEST(test_helpers_missing)
{
	run(GRANT, GRANT, 1, body_missing_helpers);
}
END_TEST

/* Root writes the maps itself, even with NSBOX_SPAWN_NO_MAP_HELPERS: the
 * helpers are only for a parent the kernel refuses. */
static void root_child(void *arg)
{
	int rd, wr;
	nsbox_config *cfg = helper_cfg(&rd, &wr);
	nsbox_proc *proc;

	(void)arg;
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_MAP_HELPERS));
	proc = ct_spawn(cfg, wr);
	nt_expect_ready(rd);
	expect_map(nsbox_proc_pid(proc), "uid_map");
	nt_finish(proc);
	close(rd);
	nsbox_config_free(cfg);
}

START_TEST(test_root_needs_no_helpers)
{
	nt_in_child(root_child, NULL);
}
END_TEST

static int helper_installed(const char *name)
{
	for (size_t i = 0; i < sizeof(helper_dirs) / sizeof(helper_dirs[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", helper_dirs[i], name);
		if (access(path, X_OK) == 0)
			return 1;
	}
	return 0;
}

int main(void)
{
	Suite *s = suite_create("newidmap");
	TCase *tc;

	ct_init();
	nt_require_root("newidmap");
	if (!helper_installed("newuidmap") || !helper_installed("newgidmap"))
		nt_skip("newuidmap/newgidmap are not installed (Debian package uidmap)");

	tc = nt_tcase("helpers");
	tcase_add_test(tc, test_helpers_write_maps);
	tcase_add_test(tc, test_helpers_fork);
	tcase_add_test(tc, test_no_map_helpers_flag);
	tcase_add_test(tc, test_subuid_grants_nothing);
	tcase_add_test(tc, test_subgid_grants_nothing);
	tcase_add_test(tc, test_helpers_missing);
	tcase_add_test(tc, test_root_needs_no_helpers);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
