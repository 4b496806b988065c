/*
 * test-mount-config.c - bad inputs of the filesystem setters, and the
 * combinations nsbox_spawn() refuses before it creates anything. Needs no
 * privilege: nothing here reaches clone(2), which the leak checks confirm.
 *
 * SPDX-License-Identifier: MIT
 */
#include "mt.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

/* What most setter tests share: a configuration, a path one byte over
 * PATH_MAX, and a snapshot taken after both, checked by setters_end(). */
struct setters {
	nsbox_config *cfg;
	char *lp;
	struct nt_snap s;
};

static void setters_begin(struct setters *t)
{
	t->cfg = nt_cfg(0);
	t->lp = malloc(PATH_MAX + 2);
	NT_ASSERT(t->lp != NULL, "out of memory");
	t->lp[0] = '/';
	memset(t->lp + 1, 'a', PATH_MAX);
	t->lp[PATH_MAX + 1] = '\0';
	nt_snap_take(&t->s);
}

static void setters_end(struct setters *t)
{
	NT_SNAP_CHECK(&t->s);
	free(t->lp);
	nsbox_config_free(t->cfg);
}

START_TEST(null_config)
{
	struct nt_snap s;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_config_add_bind(NULL, "/usr", "/usr", 0), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "cfg is NULL");
	NT_ASSERT_INT(nsbox_config_add_tmpfs(NULL, "/tmp", 0, 0755), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_proc(NULL, "/proc"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_sysfs(NULL, "/sys"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_dev(NULL, "/dev"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_mqueue(NULL, "/dev/mqueue"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_dir(NULL, "/d", 0755), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_symlink(NULL, "x", "/l"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_file(NULL, "/f", "x", 1, 0644), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_remount_ro(NULL, "/"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_root(NULL, NULL, 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_clear_mounts(NULL), ==, -EINVAL);
	NT_SNAP_CHECK(&s);
}
END_TEST

/* Every setter that takes a target refuses the same bad paths. */
static int add_target(nsbox_config *cfg, int which, const char *t)
{
	switch (which) {
	case 0:
		return nsbox_config_add_bind(cfg, "/usr", t, 0);
	case 1:
		return nsbox_config_add_tmpfs(cfg, t, 0, 0755);
	case 2:
		return nsbox_config_add_proc(cfg, t);
	case 3:
		return nsbox_config_add_sysfs(cfg, t);
	case 4:
		return nsbox_config_add_dev(cfg, t);
	case 5:
		return nsbox_config_add_mqueue(cfg, t);
	case 6:
		return nsbox_config_add_dir(cfg, t, 0755);
	case 7:
		return nsbox_config_add_symlink(cfg, "x", t);
	case 8:
		return nsbox_config_add_file(cfg, t, "x", 1, 0644);
	default:
		return nsbox_config_add_remount_ro(cfg, t);
	}
}

START_TEST(bad_targets)
{
	struct setters t;

	setters_begin(&t);
	for (int w = 0; w < 10; w++) {
		NT_ASSERT_INT(add_target(t.cfg, w, NULL), ==, -EINVAL);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "is NULL");
		NT_ASSERT_INT(add_target(t.cfg, w, ""), ==, -EINVAL);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "is empty");
		NT_ASSERT_INT(add_target(t.cfg, w, "relative/path"), ==, -EINVAL);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "not an absolute path");
		NT_ASSERT_INT(add_target(t.cfg, w, "/a/../b"), ==, -EINVAL);
		NT_ASSERT_CONTAINS(nsbox_last_error(), "\"..\"");
		NT_ASSERT_INT(add_target(t.cfg, w, "/.."), ==, -EINVAL);
		NT_ASSERT_INT(add_target(t.cfg, w, t.lp), ==, -ENAMETOOLONG);
		/* ".." inside a name is a name */
		NT_ASSERT_INT(add_target(t.cfg, w, "/a/..b/c.."), ==, 0);
	}
	setters_end(&t);
}
END_TEST

START_TEST(bad_bind)
{
	struct setters t;

	setters_begin(&t);
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, NULL, "/mnt", 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, "", "/mnt", 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, "usr", "/mnt", 0), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "source \"usr\" is not an absolute path");
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, t.lp, "/mnt", 0), ==, -ENAMETOOLONG);
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, "/usr", "/mnt", 0x08), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "unknown flags 0x8");
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, "/usr", "/mnt", 0x80000000u), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_bind(t.cfg, "/usr", "/mnt", NSBOX_BIND_RO | NSBOX_BIND_TRY | NSBOX_BIND_DEV),
	              ==, 0);
	setters_end(&t);
}
END_TEST

START_TEST(bad_modes_and_data)
{
	struct setters t;

	setters_begin(&t);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(t.cfg, "/t", 0, 010000), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "above 07777");
	NT_ASSERT_INT(nsbox_config_add_dir(t.cfg, "/d", 0170755), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_file(t.cfg, "/f", "x", 1, 0100644), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_file(t.cfg, "/f", NULL, 3, 0644), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "data is NULL");
	NT_ASSERT_INT(nsbox_config_add_file(t.cfg, "/f", NULL, 0, 0644), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(t.cfg, "/t", UINT64_MAX, 07777), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_symlink(t.cfg, NULL, "/l"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_symlink(t.cfg, "", "/l"), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_add_symlink(t.cfg, t.lp, "/l"), ==, -ENAMETOOLONG);
	NT_ASSERT_INT(nsbox_config_add_symlink(t.cfg, "../relative/is/fine", "/l"), ==, 0);
	setters_end(&t);
}
END_TEST

START_TEST(bad_root)
{
	struct setters t;

	setters_begin(&t);
	NT_ASSERT_INT(nsbox_config_set_root(t.cfg, "", 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_root(t.cfg, "srv/root", 0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_config_set_root(t.cfg, t.lp, 0), ==, -ENAMETOOLONG);
	NT_ASSERT_INT(nsbox_config_set_root(t.cfg, NULL, 0x2), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "unknown flags 0x2");
	NT_ASSERT_INT(nsbox_config_set_root(t.cfg, "/srv/root", NSBOX_ROOT_RO), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(t.cfg, NULL, 0), ==, 0);
	setters_end(&t);
}
END_TEST

START_TEST(too_many)
{
	nsbox_config *cfg = nt_cfg(0);

	for (int i = 0; i < NSBOX_MOUNT_OPS_MAX; i++)
		NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/d", 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/d", 0755), ==, -E2BIG);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/usr", "/usr", 0), ==, -E2BIG);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "more than 4096");
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/d", 0755), ==, 0);
	nsbox_config_free(cfg);
}
END_TEST

/* Refused at spawn, before any process exists. */
START_TEST(spawn_needs_mount_ns)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	nsbox_proc *proc = NULL;
	struct nt_snap s;

	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777), ==, 0);
	mt_spawn_fails(cfg, -EINVAL, "mount operations need a new mount namespace (NSBOX_NS_MOUNT)");
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, 0), ==, 0);
	mt_spawn_fails(cfg, -EINVAL, "a new root needs a new mount namespace");

	/* Cleared, the same configuration (/bin/true, set by mt_spawn_fails)
	 * spawns: no namespace, no privilege needed. */
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, 0), ==, 0);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, 0);
	NT_ASSERT_INT(nt_wait_free(proc), ==, 0);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(spawn_root_needs_private)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT);

	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_propagation(cfg, NSBOX_PROPAGATION_SHARED), ==, 0);
	mt_spawn_fails(cfg, -EINVAL, "private or slave");
	NT_ASSERT_INT(nsbox_config_set_propagation(cfg, NSBOX_PROPAGATION_UNCHANGED), ==, 0);
	mt_spawn_fails(cfg, -EINVAL, "private or slave");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(spawn_slash_needs_root)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT);

	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/tmp", 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "//./", 0, 0755), ==, 0);
	mt_spawn_fails(cfg, -EINVAL, "mount #2 targets / without a new root");
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mount-config");
	TCase *tc = nt_tcase("setters");

	nt_init();
	tcase_add_test(tc, null_config);
	tcase_add_test(tc, bad_targets);
	tcase_add_test(tc, bad_bind);
	tcase_add_test(tc, bad_modes_and_data);
	tcase_add_test(tc, bad_root);
	tcase_add_test(tc, too_many);
	suite_add_tcase(s, tc);
	tc = nt_tcase("spawn-validation");
	tcase_add_test(tc, spawn_needs_mount_ns);
	tcase_add_test(tc, spawn_root_needs_private);
	tcase_add_test(tc, spawn_slash_needs_root);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
