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

static char *long_path(void)
{
	char *p = malloc(PATH_MAX + 2);

	MT_ASSERT(p != NULL, "out of memory");
	p[0] = '/';
	memset(p + 1, 'a', PATH_MAX);
	p[PATH_MAX + 1] = '\0';
	return p;
}

START_TEST(null_config)
{
	struct mt_snap s;

	mt_snap_take(&s);
	MT_INT(nsbox_config_add_bind(NULL, "/usr", "/usr", 0), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "cfg is NULL");
	MT_INT(nsbox_config_add_tmpfs(NULL, "/tmp", 0, 0755), ==, -EINVAL);
	MT_INT(nsbox_config_add_proc(NULL, "/proc"), ==, -EINVAL);
	MT_INT(nsbox_config_add_sysfs(NULL, "/sys"), ==, -EINVAL);
	MT_INT(nsbox_config_add_dev(NULL, "/dev"), ==, -EINVAL);
	MT_INT(nsbox_config_add_mqueue(NULL, "/dev/mqueue"), ==, -EINVAL);
	MT_INT(nsbox_config_add_dir(NULL, "/d", 0755), ==, -EINVAL);
	MT_INT(nsbox_config_add_symlink(NULL, "x", "/l"), ==, -EINVAL);
	MT_INT(nsbox_config_add_file(NULL, "/f", "x", 1, 0644), ==, -EINVAL);
	MT_INT(nsbox_config_add_remount_ro(NULL, "/"), ==, -EINVAL);
	MT_INT(nsbox_config_set_root(NULL, NULL, 0), ==, -EINVAL);
	MT_INT(nsbox_config_clear_mounts(NULL), ==, -EINVAL);
	MT_SNAP_CHECK(&s);
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
	nsbox_config *cfg = mt_cfg(0);
	char *lp = long_path();
	struct mt_snap s;

	mt_snap_take(&s);
	for (int w = 0; w < 10; w++) {
		MT_INT(add_target(cfg, w, NULL), ==, -EINVAL);
		MT_CONTAINS(nsbox_last_error(), "is NULL");
		MT_INT(add_target(cfg, w, ""), ==, -EINVAL);
		MT_CONTAINS(nsbox_last_error(), "is empty");
		MT_INT(add_target(cfg, w, "relative/path"), ==, -EINVAL);
		MT_CONTAINS(nsbox_last_error(), "not an absolute path");
		MT_INT(add_target(cfg, w, "/a/../b"), ==, -EINVAL);
		MT_CONTAINS(nsbox_last_error(), "\"..\"");
		MT_INT(add_target(cfg, w, "/.."), ==, -EINVAL);
		MT_INT(add_target(cfg, w, lp), ==, -ENAMETOOLONG);
		/* ".." inside a name is a name */
		MT_OK(add_target(cfg, w, "/a/..b/c.."));
	}
	MT_SNAP_CHECK(&s);
	free(lp);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(bad_bind)
{
	nsbox_config *cfg = mt_cfg(0);
	char *lp = long_path();
	struct mt_snap s;

	mt_snap_take(&s);
	MT_INT(nsbox_config_add_bind(cfg, NULL, "/mnt", 0), ==, -EINVAL);
	MT_INT(nsbox_config_add_bind(cfg, "", "/mnt", 0), ==, -EINVAL);
	MT_INT(nsbox_config_add_bind(cfg, "usr", "/mnt", 0), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "source \"usr\" is not an absolute path");
	MT_INT(nsbox_config_add_bind(cfg, lp, "/mnt", 0), ==, -ENAMETOOLONG);
	MT_INT(nsbox_config_add_bind(cfg, "/usr", "/mnt", 0x08), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "unknown flags 0x8");
	MT_INT(nsbox_config_add_bind(cfg, "/usr", "/mnt", 0x80000000u), ==, -EINVAL);
	MT_OK(nsbox_config_add_bind(cfg, "/usr", "/mnt", NSBOX_BIND_RO | NSBOX_BIND_TRY | NSBOX_BIND_DEV));
	MT_SNAP_CHECK(&s);
	free(lp);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(bad_modes_and_data)
{
	nsbox_config *cfg = mt_cfg(0);
	char *lp = long_path();
	struct mt_snap s;

	mt_snap_take(&s);
	MT_INT(nsbox_config_add_tmpfs(cfg, "/t", 0, 010000), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "above 07777");
	MT_INT(nsbox_config_add_dir(cfg, "/d", 0170755), ==, -EINVAL);
	MT_INT(nsbox_config_add_file(cfg, "/f", "x", 1, 0100644), ==, -EINVAL);
	MT_INT(nsbox_config_add_file(cfg, "/f", NULL, 3, 0644), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "data is NULL");
	MT_OK(nsbox_config_add_file(cfg, "/f", NULL, 0, 0644));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/t", UINT64_MAX, 07777));
	MT_INT(nsbox_config_add_symlink(cfg, NULL, "/l"), ==, -EINVAL);
	MT_INT(nsbox_config_add_symlink(cfg, "", "/l"), ==, -EINVAL);
	MT_INT(nsbox_config_add_symlink(cfg, lp, "/l"), ==, -ENAMETOOLONG);
	MT_OK(nsbox_config_add_symlink(cfg, "../relative/is/fine", "/l"));
	MT_SNAP_CHECK(&s);
	free(lp);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(bad_root)
{
	nsbox_config *cfg = mt_cfg(0);
	char *lp = long_path();
	struct mt_snap s;

	mt_snap_take(&s);
	MT_INT(nsbox_config_set_root(cfg, "", 0), ==, -EINVAL);
	MT_INT(nsbox_config_set_root(cfg, "srv/root", 0), ==, -EINVAL);
	MT_INT(nsbox_config_set_root(cfg, lp, 0), ==, -ENAMETOOLONG);
	MT_INT(nsbox_config_set_root(cfg, NULL, 0x2), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "unknown flags 0x2");
	MT_OK(nsbox_config_set_root(cfg, "/srv/root", NSBOX_ROOT_RO));
	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	MT_SNAP_CHECK(&s);
	free(lp);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(too_many)
{
	nsbox_config *cfg = mt_cfg(0);

	for (int i = 0; i < NSBOX_MOUNT_OPS_MAX; i++)
		MT_OK(nsbox_config_add_dir(cfg, "/d", 0755));
	MT_INT(nsbox_config_add_dir(cfg, "/d", 0755), ==, -E2BIG);
	MT_INT(nsbox_config_add_bind(cfg, "/usr", "/usr", 0), ==, -E2BIG);
	MT_CONTAINS(nsbox_last_error(), "more than 4096");
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_add_dir(cfg, "/d", 0755));
	nsbox_config_free(cfg);
}
END_TEST

static int spawn_true(nsbox_config *cfg)
{
	const char *argv[] = { "/bin/true", NULL };
	nsbox_proc *proc = NULL;
	int r;

	MT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	r = nsbox_spawn(cfg, &proc);
	if (r == 0)
		MT_INT(WEXITSTATUS(mt_wait_free(proc)), ==, 0);
	else
		MT_ASSERT(proc == NULL, "a process came back from a failed spawn");
	return r;
}

/* Refused at spawn, before any process exists. */
START_TEST(spawn_needs_mount_ns)
{
	nsbox_config *cfg = mt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	struct mt_snap s;

	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777));
	mt_snap_take(&s);
	MT_INT(spawn_true(cfg), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "mount operations need a new mount namespace (NSBOX_NS_MOUNT)");
	MT_SNAP_CHECK(&s);

	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	mt_snap_take(&s);
	MT_INT(spawn_true(cfg), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "a new root needs a new mount namespace");
	MT_SNAP_CHECK(&s);

	/* Cleared, the same configuration spawns (no namespace: no privilege). */
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_set_namespaces(cfg, 0));
	mt_snap_take(&s);
	MT_INT(spawn_true(cfg), ==, 0);
	MT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(spawn_root_needs_private)
{
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT);
	struct mt_snap s;

	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	MT_OK(nsbox_config_set_propagation(cfg, NSBOX_PROPAGATION_SHARED));
	mt_snap_take(&s);
	MT_INT(spawn_true(cfg), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "private or slave");
	MT_OK(nsbox_config_set_propagation(cfg, NSBOX_PROPAGATION_UNCHANGED));
	MT_INT(spawn_true(cfg), ==, -EINVAL);
	MT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(spawn_slash_needs_root)
{
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT);
	struct mt_snap s;

	MT_OK(nsbox_config_add_dir(cfg, "/tmp", 0755));
	MT_OK(nsbox_config_add_tmpfs(cfg, "//./", 0, 0755));
	mt_snap_take(&s);
	MT_INT(spawn_true(cfg), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "mount #2 targets / without a new root");
	MT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mount-config");
	TCase *tc = mt_tcase("setters");

	mt_init();
	tcase_add_test(tc, null_config);
	tcase_add_test(tc, bad_targets);
	tcase_add_test(tc, bad_bind);
	tcase_add_test(tc, bad_modes_and_data);
	tcase_add_test(tc, bad_root);
	tcase_add_test(tc, too_many);
	suite_add_tcase(s, tc);
	tc = mt_tcase("spawn-validation");
	tcase_add_test(tc, spawn_needs_mount_ns);
	tcase_add_test(tc, spawn_root_needs_private);
	tcase_add_test(tc, spawn_slash_needs_root);
	suite_add_tcase(s, tc);
	return mt_run(s);
}
