/*
 * test-mount.c - the filesystem feature against the real kernel, as root:
 * new roots built from binds, tmpfs, /dev, files and symlinks, checked from
 * outside the child through /proc/PID/mountinfo and the host's own
 * mountinfo and files; symlinks that try to lead out of the new root; the
 * unprivileged path (uid 65534 in a user namespace); failures with their
 * errno, step number and no leaks; and the code paths for kernels without
 * openat2(2) and mount_setattr(2), forced with a seccomp filter.
 *
 * SPDX-License-Identifier: MIT
 */
#include "mt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

#define MAXM 512

static struct mt_mount *mounts(pid_t pid, int *n)
{
	struct mt_mount *m = calloc(MAXM, sizeof(*m));

	MT_ASSERT(m != NULL, "out of memory");
	*n = mt_mountinfo(pid, m, MAXM);
	return m;
}

/* A new root (tmpfs) with /proc, read-only /usr and the /bin... links. */
static nsbox_config *root_cfg(uint32_t ns)
{
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID | ns);

	MT_OK(nsbox_config_set_mount_proc(cfg, 1));
	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	mt_min_root(cfg);
	return cfg;
}

static int allowed_point(const char *p, const char *const *extra)
{
	static const char *const base[] = { "/", "/proc", "/proc/sys", "/proc/irq", "/proc/bus",
		                            "/proc/sysrq-trigger", "/usr", NULL };

	for (int i = 0; base[i]; i++)
		if (strcmp(p, base[i]) == 0)
			return 1;
	for (int i = 0; extra && extra[i]; i++)
		if (strcmp(p, extra[i]) == 0)
			return 1;
	return 0;
}

/* Every mount of the child is one we made: the old root is gone. */
static void assert_only(pid_t pid, const char *const *extra)
{
	int n;
	struct mt_mount *m = mounts(pid, &n);
	const struct mt_mount *root;

	MT_ASSERT(n > 0, "no mountinfo for %d", (int)pid);
	for (int i = 0; i < n; i++)
		MT_ASSERT(allowed_point(m[i].point, extra), "unexpected mount point %s (%s %s) in the child",
		          m[i].point, m[i].fstype, m[i].root);
	root = mt_find(m, n, "/");
	MT_ASSERT(root != NULL, "no / in the child's mountinfo");
	free(m);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* No mount of the host lies at or under @dir or comes from it. */
static void assert_host_clean(const char *dir)
{
	int n;
	struct mt_mount *m = mounts(0, &n);
	size_t dl = strlen(dir);

	for (int i = 0; i < n; i++) {
		MT_ASSERT(!(strncmp(m[i].point, dir, dl) == 0 && (m[i].point[dl] == '\0' || m[i].point[dl] == '/')),
		          "the host has a mount on %s", m[i].point);
		MT_ASSERT(!strstr(m[i].root, base_name(dir)), "the host has a mount of %s on %s", m[i].root,
		          m[i].point);
	}
	free(m);
}

/* ---- a new root ---- */

START_TEST(bind_visible_rest_hidden)
{
	char *h = mt_tmpdir(), *secret = mt_tmpdir(), path[PATH_MAX], out[8192];
	const char *const extra[] = { "/data", NULL };
	nsbox_config *cfg = root_cfg(0);
	nsbox_proc *proc;
	int rd, n;
	struct mt_mount *m;
	const struct mt_mount *data;

	snprintf(path, sizeof(path), "%s/marker", h);
	mt_write(path, "visible-marker\n");
	snprintf(path, sizeof(path), "%s/secret", secret);
	mt_write(path, "secret\n");
	MT_OK(nsbox_config_add_bind(cfg, h, "/data", 0));
	proc = mt_start(cfg, &rd,
	                "cat /data/marker; ls /data; test -e %s && echo LEAK || echo secret-hidden; "
	                "test -e /tmp && echo LEAK-tmp; ls -A / | tr '\\n' ' '; echo; pwd; echo ready; exec sleep 100",
	                path);
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "visible-marker\nmarker\n");
	MT_CONTAINS(out, "secret-hidden");
	MT_LACKS(out, "LEAK");
	MT_CONTAINS(out, "data ");
	MT_CONTAINS(out, "proc ");
	MT_CONTAINS(out, "usr ");
	MT_CONTAINS(out, "\n/\n"); /* the working directory is the new "/" */

	/* From outside: only the new tree, the bind coming from h. */
	assert_only(nsbox_proc_pid(proc), extra);
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT(strcmp(mt_find(m, n, "/")->fstype, "tmpfs") == 0, "/ is %s", mt_find(m, n, "/")->fstype);
	data = mt_find(m, n, "/data");
	MT_ASSERT(data != NULL, "no /data in the child");
	MT_ASSERT(strstr(data->root, base_name(h)) != NULL, "/data comes from %s", data->root);
	MT_ASSERT(mt_has_opt(data->opts, "rw") && mt_has_opt(data->opts, "nosuid") && mt_has_opt(data->opts, "nodev"),
	          "/data options %s", data->opts);
	free(m);
	/* Nothing of it on the host. */
	assert_host_clean(h);
	assert_host_clean("/data");
	MT_INT(WTERMSIG(mt_kill_free(proc)), ==, SIGKILL);
	close(rd);
	nsbox_config_free(cfg);
	mt_rmtree(h);
	mt_rmtree(secret);
	free(h);
	free(secret);
}
END_TEST

START_TEST(read_only_bind)
{
	char *ro = mt_tmpdir(), *rw = mt_tmpdir(), path[PATH_MAX], out[8192];
	nsbox_config *cfg = root_cfg(0);
	const struct mt_mount *a;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	MT_OK(nsbox_config_add_bind(cfg, ro, "/ro", NSBOX_BIND_RO));
	MT_OK(nsbox_config_add_bind(cfg, rw, "/rw", 0));
	proc = mt_start(cfg, &rd,
	                "touch /ro/x && echo ro-writable || echo ro-refused; touch /rw/y && echo rw-ok; "
	                "echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "Read-only file system");
	MT_CONTAINS(out, "ro-refused");
	MT_CONTAINS(out, "rw-ok");
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((a = mt_find(m, n, "/ro")) && mt_has_opt(a->opts, "ro"), "/ro is not read-only");
	MT_ASSERT((a = mt_find(m, n, "/rw")) && mt_has_opt(a->opts, "rw"), "/rw is not read-write");
	MT_ASSERT((a = mt_find(m, n, "/usr")) && mt_has_opt(a->opts, "ro"), "/usr is not read-only");
	free(m);
	mt_kill_free(proc);
	close(rd);
	snprintf(path, sizeof(path), "%s/x", ro);
	MT_ASSERT(!mt_exists(path), "%s was written", path);
	snprintf(path, sizeof(path), "%s/y", rw);
	MT_ASSERT(mt_exists(path), "%s was not written", path);
	nsbox_config_free(cfg);
	mt_rmtree(ro);
	mt_rmtree(rw);
	free(ro);
	free(rw);
}
END_TEST

/* Device nodes work through a bind only with NSBOX_BIND_DEV. */
START_TEST(dev_bind)
{
	char out[8192];
	nsbox_config *cfg = root_cfg(0);
	const struct mt_mount *a;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	MT_OK(nsbox_config_add_bind(cfg, "/dev/null", "/devices/null", NSBOX_BIND_DEV));
	MT_OK(nsbox_config_add_bind(cfg, "/dev/zero", "/nodev/zero", 0));
	proc = mt_start(cfg, &rd,
	                "test -c /devices/null && echo x > /devices/null && echo dev-ok; "
	                "test -c /nodev/zero && head -c 1 /nodev/zero || echo nodev-refused; echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "dev-ok\n");
	MT_CONTAINS(out, "Permission denied");
	MT_CONTAINS(out, "nodev-refused\n");
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((a = mt_find(m, n, "/devices/null")) && !mt_has_opt(a->opts, "nodev"), "/devices/null has nodev");
	MT_ASSERT((a = mt_find(m, n, "/nodev/zero")) && mt_has_opt(a->opts, "nodev"), "/nodev/zero lacks nodev");
	free(m);
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(tmpfs_size_mode)
{
	char out[8192];
	nsbox_config *cfg = root_cfg(0);
	const struct mt_mount *t;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	MT_OK(nsbox_config_add_dev(cfg, "/dev"));
	MT_OK(nsbox_config_add_tmpfs(cfg, "//scratch/./", 1 << 20, 0750));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/big", 0, 01777));
	proc = mt_start(cfg, &rd,
	                "stat -c '%%a' /scratch /big; head -c 2097152 /dev/zero > /scratch/f || echo full; "
	                "stat -c 'size %%s' /scratch/f; echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "750\n1777\n");
	MT_CONTAINS(out, "No space left on device");
	MT_CONTAINS(out, "size 1048576\n");
	m = mounts(nsbox_proc_pid(proc), &n);
	t = mt_find(m, n, "/scratch");
	MT_ASSERT(t && strcmp(t->fstype, "tmpfs") == 0, "no tmpfs on /scratch");
	MT_ASSERT(mt_has_opt(t->super, "size=1024k") && mt_has_opt(t->super, "mode=750"), "/scratch: %s", t->super);
	MT_ASSERT(mt_has_opt(t->opts, "nosuid") && mt_has_opt(t->opts, "nodev"), "/scratch: %s", t->opts);
	t = mt_find(m, n, "/big");
	MT_ASSERT(t && strcmp(t->fstype, "tmpfs") == 0, "no tmpfs on /big");
	MT_ASSERT(!strstr(t->super, "size="), "/big: %s", t->super);
	free(m);
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(dev)
{
	char out[8192];
	nsbox_config *cfg = root_cfg(0);
	const struct mt_mount *t;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

	MT_OK(nsbox_config_add_dev(cfg, "/dev"));
	proc = mt_start(cfg, &rd,
	                "for n in null zero full random urandom tty; do test -c /dev/$n && echo c-$n; done; "
	                "echo hello > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; "
	                "echo x > /dev/full || echo full-refused; head -c 16 /dev/urandom | wc -c; "
	                "for l in fd stdin stdout stderr ptmx; do echo \"$l=$(readlink /dev/$l)\"; done; "
	                "test -d /dev/pts && test -d /dev/shm && echo dirs-ok; echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "c-%s\n", nodes[i]);
		MT_CONTAINS(out, want);
	}
	MT_CONTAINS(out, "null-ok");
	MT_CONTAINS(out, " 00 00 00 00");
	MT_CONTAINS(out, "full-refused");
	MT_CONTAINS(out, "16\n");
	MT_CONTAINS(out, "fd=/proc/self/fd\nstdin=/proc/self/fd/0\nstdout=/proc/self/fd/1\n"
	                 "stderr=/proc/self/fd/2\nptmx=pts/ptmx\n");
	MT_CONTAINS(out, "dirs-ok");
	m = mounts(nsbox_proc_pid(proc), &n);
	t = mt_find(m, n, "/dev");
	MT_ASSERT(t && strcmp(t->fstype, "tmpfs") == 0 && mt_has_opt(t->opts, "nodev"), "/dev is not a nodev tmpfs");
	t = mt_find(m, n, "/dev/null");
	MT_ASSERT(t && strcmp(t->root, "/null") == 0 && !mt_has_opt(t->opts, "nodev") && mt_has_opt(t->opts, "nosuid"),
	          "/dev/null is not a bind of the host's null without nodev");
	t = mt_find(m, n, "/dev/pts");
	MT_ASSERT(t && strcmp(t->fstype, "devpts") == 0 && mt_has_opt(t->super, "ptmxmode=666"), "no devpts");
	t = mt_find(m, n, "/dev/shm");
	MT_ASSERT(t && strcmp(t->fstype, "tmpfs") == 0, "no tmpfs on /dev/shm");
	free(m);
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(files_dirs_symlinks)
{
	static const char data[] = "hello\nworld\n\0bin\xff";
	char out[8192];
	nsbox_config *cfg = root_cfg(0);

	MT_OK(nsbox_config_add_file(cfg, "/etc/greeting", data, sizeof(data) - 1, 0640));
	MT_OK(nsbox_config_add_file(cfg, "/empty", NULL, 0, 0600));
	MT_OK(nsbox_config_add_symlink(cfg, "target-text", "/lnk"));
	MT_OK(nsbox_config_add_symlink(cfg, "target-text", "/lnk")); /* the same again: fine */
	MT_OK(nsbox_config_add_symlink(cfg, "/etc/greeting", "/etc/abs"));
	MT_OK(nsbox_config_add_dir(cfg, "/a/b/c", 02750));
	MT_OK(nsbox_config_add_dir(cfg, "/a/b/c", 0700)); /* there already: left as it is */
	MT_INT(mt_run_sh(cfg, out, sizeof(out),
	                 "stat -c '%%n %%a %%s' /etc/greeting /empty /a /a/b /a/b/c; head -n 2 /etc/abs; "
	                 "od -An -c /etc/greeting | tr -s ' ' | tr -d '\\n'; echo; readlink /lnk"),
	       ==, 0);
	MT_CONTAINS(out, "/etc/greeting 640 17\n/empty 600 0\n/a 755 ");
	MT_CONTAINS(out, "\n/a/b 755 ");
	MT_CONTAINS(out, "\n/a/b/c 2750 ");
	MT_CONTAINS(out, "hello\nworld\n");
	MT_CONTAINS(out, " h e l l o \\n w o r l d \\n \\0 b i n 377\n");
	MT_CONTAINS(out, "\ntarget-text\n");

	/* Something else where a symlink goes: -EEXIST, named. */
	MT_OK(nsbox_config_add_symlink(cfg, "other-text", "/lnk"));
	{
		struct mt_snap s;
		nsbox_proc *proc = NULL;
		int rd;

		mt_snap_take(&s);
		MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -EEXIST);
		MT_CONTAINS(nsbox_last_error(), "mount #");
		MT_CONTAINS(nsbox_last_error(), "(symlink /lnk -> other-text): something else than this symlink is there: File exists");
		MT_SNAP_CHECK(&s);
	}
	nsbox_config_free(cfg);
}
END_TEST

/* A symlink inside the new root pointing out of it, used as a target,
 * lands inside the new root. */
START_TEST(symlink_target_stays_inside)
{
	char *h = mt_tmpdir(), path[PATH_MAX], out[8192];
	const char *const extra[] = { "/etc", NULL };
	nsbox_config *cfg = root_cfg(0);
	const struct mt_mount *e;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	snprintf(path, sizeof(path), "%s/marker", h);
	mt_write(path, "bound-through-evil\n");
	MT_OK(nsbox_config_add_symlink(cfg, "/etc", "/evil"));
	MT_OK(nsbox_config_add_symlink(cfg, "../../../../../../../../etc", "/evil2"));
	MT_OK(nsbox_config_add_dir(cfg, "/etc", 0755));
	MT_OK(nsbox_config_add_bind(cfg, h, "/evil", 0));
	MT_OK(nsbox_config_add_file(cfg, "/evil2/through-evil2", "in\n", 3, 0644));
	proc = mt_start(cfg, &rd, "cat /etc/marker; ls /etc; echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "bound-through-evil\n");
	MT_CONTAINS(out, "through-evil2\n"); /* ".." stopped at the new root: on the bind */
	assert_only(nsbox_proc_pid(proc), extra);
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((e = mt_find(m, n, "/etc")) && strstr(e->root, base_name(h)), "the bind is not on the new /etc");
	free(m);
	mt_kill_free(proc);
	close(rd);
	/* The file op ran after the bind: it went through the new /etc into h,
	 * never into the host's /etc. */
	snprintf(path, sizeof(path), "%s/through-evil2", h);
	MT_ASSERT(mt_exists(path), "%s missing", path);
	MT_ASSERT(!mt_exists("/etc/through-evil2"), "the host's /etc was written");
	nsbox_config_free(cfg);
	mt_rmtree(h);
	free(h);
}
END_TEST

/* A caller-given root holding symlinks to host paths: nothing leads out. */
START_TEST(caller_root_symlinks_stay_inside)
{
	char *r = mt_tmpdir(), *h2 = mt_tmpdir(), path[PATH_MAX], text[PATH_MAX], out[8192];
	nsbox_config *cfg;
	struct mt_snap s;
	nsbox_proc *proc = NULL;
	int rd;

	snprintf(path, sizeof(path), "%s/abs", r);
	MT_ASSERT(symlink(h2, path) == 0, "symlink");
	snprintf(path, sizeof(path), "%s/up", r);
	snprintf(text, sizeof(text), "../../../../../../../..%s", h2);
	MT_ASSERT(symlink(text, path) == 0, "symlink");
	snprintf(path, sizeof(path), "%s/passwd", r);
	MT_ASSERT(symlink("/etc/passwd", path) == 0, "symlink");

	for (int i = 0; i < 4; i++) {
		cfg = mt_cfg(NSBOX_NS_MOUNT);
		MT_OK(nsbox_config_set_root(cfg, r, 0));
		if (i == 0)
			MT_OK(nsbox_config_add_file(cfg, "/abs/pwned", "x", 1, 0644));
		else if (i == 1)
			MT_OK(nsbox_config_add_file(cfg, "/up/pwned", "x", 1, 0644));
		else if (i == 2)
			MT_OK(nsbox_config_add_tmpfs(cfg, "/abs/pwned", 0, 0755));
		else
			MT_OK(nsbox_config_add_file(cfg, "/passwd", "pwned\n", 6, 0644));
		mt_snap_take(&s);
		MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, i == 3 ? -ELOOP : -ENOENT);
		MT_CONTAINS(nsbox_last_error(), "child: mount #1 (");
		MT_SNAP_CHECK(&s);
		nsbox_config_free(cfg);
		snprintf(path, sizeof(path), "%s/pwned", h2);
		MT_ASSERT(!mt_exists(path), "%s was created through a symlink of the new root", path);
	}
	MT_ASSERT(mt_read_file("/etc/passwd", out, sizeof(out)) > 0 && !strstr(out, "pwned"), "/etc/passwd written");
	/* Created mount points and files land in the caller's directory. */
	cfg = mt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID);
	MT_OK(nsbox_config_set_root(cfg, r, NSBOX_ROOT_RO));
	MT_OK(nsbox_config_set_mount_proc(cfg, 1));
	mt_min_root(cfg);
	MT_OK(nsbox_config_add_file(cfg, "/made/here", "yes\n", 4, 0644));
	MT_INT(mt_run_sh(cfg, out, sizeof(out), "cat /made/here; touch /x || echo root-ro; readlink /abs"), ==, 0);
	MT_CONTAINS(out, "yes\n");
	MT_CONTAINS(out, "root-ro\n");
	MT_CONTAINS(out, h2);
	snprintf(path, sizeof(path), "%s/made/here", r);
	MT_ASSERT(mt_exists(path), "%s not created", path);
	nsbox_config_free(cfg);
	mt_rmtree(r);
	mt_rmtree(h2);
	free(r);
	free(h2);
}
END_TEST

/* bwrap --ro-bind / / --tmpfs /tmp: later targets land on the bind that
 * covers the new root's "/", not under it. */
START_TEST(bind_over_new_root)
{
	char out[8192];
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID);

	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	MT_OK(nsbox_config_add_bind(cfg, "/", "/", NSBOX_BIND_RO));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777));
	MT_OK(nsbox_config_add_proc(cfg, "/proc"));
	MT_OK(nsbox_config_add_dir(cfg, "/", 0755));
	MT_INT(mt_run_sh(cfg, out, sizeof(out),
	                 "test -s /etc/os-release && echo host-root; touch /etc/x 2>&- || echo root-ro; "
	                 "touch /tmp/y && echo tmp-rw; ls /tmp; echo \"$(awk '$5 == \"/tmp\" {print $9}' /proc/self/mountinfo)\"; "
	                 "(echo x > /dev/null) 2>&- || echo host-dev-nodev"),
	       ==, 0);
	/* One tmpfs on /tmp: ours (the staging one is not in the bind of "/");
	 * the host's devices came in with nodev: a --dev is needed for them. */
	MT_CONTAINS(out, "host-root\nroot-ro\ntmp-rw\ny\ntmpfs\nhost-dev-nodev\n");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(root_read_only)
{
	char out[8192];
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID);

	MT_OK(nsbox_config_set_mount_proc(cfg, 1));
	MT_OK(nsbox_config_set_root(cfg, NULL, NSBOX_ROOT_RO));
	mt_min_root(cfg);
	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777));
	MT_INT(mt_run_sh(cfg, out, sizeof(out),
	                 "touch /x || echo root-ro; touch /tmp/y && echo tmp-rw; grep ' / / ' /proc/self/mountinfo"),
	       ==, 0);
	MT_CONTAINS(out, "root-ro\n");
	MT_CONTAINS(out, "tmp-rw\n");
	MT_CONTAINS(out, " / / ro,");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(proc_sysfs_mqueue)
{
	char out[8192];
	nsbox_config *cfg = root_cfg(NSBOX_NS_NET | NSBOX_NS_IPC);
	const char *const extra[] = { "/sys", "/dev/mqueue", NULL };
	const struct mt_mount *t;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	MT_OK(nsbox_config_add_sysfs(cfg, "/sys"));
	MT_OK(nsbox_config_add_mqueue(cfg, "/dev/mqueue"));
	proc = mt_start(cfg, &rd,
	                "ls /sys/class/net; echo 1 > /proc/sys/kernel/ns_last_pid || echo sys-ro; "
	                "echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "lo\n");
	MT_LACKS(out, "eth");
	MT_CONTAINS(out, "sys-ro\n");
	assert_only(nsbox_proc_pid(proc), extra);
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((t = mt_find(m, n, "/sys")) && !strcmp(t->fstype, "sysfs") && mt_has_opt(t->opts, "ro"),
	          "no read-only sysfs");
	MT_ASSERT((t = mt_find(m, n, "/dev/mqueue")) && !strcmp(t->fstype, "mqueue"), "no mqueue");
	MT_ASSERT((t = mt_find(m, n, "/proc")) && !strcmp(t->fstype, "proc") && mt_has_opt(t->opts, "noexec"),
	          "no proc");
	MT_ASSERT((t = mt_find(m, n, "/proc/sys")) && mt_has_opt(t->opts, "ro"), "/proc/sys is writable");
	free(m);
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- without a new root ---- */

START_TEST(no_root_private)
{
	char *h = mt_tmpdir(), src[1024], dst[1024], t[1024], path[PATH_MAX], cwd[PATH_MAX], out[8192];
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT);
	const struct mt_mount *a;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	snprintf(src, sizeof(src), "%s/src", h);
	snprintf(dst, sizeof(dst), "%s/dst", h);
	snprintf(t, sizeof(t), "%s/t", h);
	MT_ASSERT(mkdir(src, 0755) == 0 && mkdir(dst, 0755) == 0 && mkdir(t, 0755) == 0, "mkdir");
	snprintf(path, sizeof(path), "%s/marker", src);
	mt_write(path, "from-src\n");
	MT_OK(nsbox_config_add_bind(cfg, src, dst, 0));
	MT_OK(nsbox_config_add_tmpfs(cfg, t, 0, 0700));
	snprintf(path, sizeof(path), "%s/inside", t);
	MT_OK(nsbox_config_add_file(cfg, path, "on-tmpfs\n", 9, 0644));
	MT_OK(nsbox_config_add_remount_ro(cfg, t));
	MT_ASSERT(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	proc = mt_start(cfg, &rd, "cat %s/marker %s; touch %s/x || echo t-ro; pwd; echo ready; exec sleep 100", dst,
	                path, t);
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "from-src\non-tmpfs\n");
	MT_CONTAINS(out, "t-ro\n");
	MT_CONTAINS(out, cwd); /* the working directory is kept */
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((a = mt_find(m, n, dst)) != NULL, "no %s in the child", dst);
	MT_ASSERT((a = mt_find(m, n, t)) && mt_has_opt(a->opts, "ro") && !strcmp(a->fstype, "tmpfs"), "no ro tmpfs");
	free(m);
	assert_host_clean(h);
	snprintf(path, sizeof(path), "%s/marker", dst);
	MT_ASSERT(!mt_exists(path), "the host sees the bind");
	snprintf(path, sizeof(path), "%s/inside", t);
	MT_ASSERT(!mt_exists(path), "the host sees the tmpfs");
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);
	mt_rmtree(h);
	free(h);
}
END_TEST

START_TEST(read_only_is_recursive)
{
	char *h = mt_tmpdir(), src[1024], sub[1024], dst[1024], path[PATH_MAX], out[8192];
	nsbox_config *cfg = mt_cfg(NSBOX_NS_MOUNT);
	const struct mt_mount *a;
	struct mt_mount *m;
	nsbox_proc *proc;
	int rd, n;

	snprintf(src, sizeof(src), "%s/src", h);
	snprintf(sub, sizeof(sub), "%s/src/sub", h);
	snprintf(dst, sizeof(dst), "%s/dst", h);
	MT_ASSERT(mkdir(src, 0755) == 0 && mkdir(sub, 0755) == 0 && mkdir(dst, 0755) == 0, "mkdir");
	MT_OK(nsbox_config_add_tmpfs(cfg, sub, 0, 0755));
	MT_OK(nsbox_config_add_bind(cfg, src, dst, NSBOX_BIND_RO));
	proc = mt_start(cfg, &rd, "touch %s/sub/x && echo LEAK || echo sub-ro; touch %s/y && echo src-sub-rw; "
	                "echo ready; exec sleep 100", dst, sub);
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "sub-ro\n");
	MT_CONTAINS(out, "src-sub-rw\n");
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((a = mt_find(m, n, dst)) && mt_has_opt(a->opts, "ro"), "%s is not read-only", dst);
	snprintf(path, sizeof(path), "%s/sub", dst);
	MT_ASSERT((a = mt_find(m, n, path)) && mt_has_opt(a->opts, "ro"), "%s is not read-only", path);
	MT_ASSERT((a = mt_find(m, n, sub)) && mt_has_opt(a->opts, "rw"), "%s became read-only", sub);
	free(m);
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);
	mt_rmtree(h);
	free(h);
}
END_TEST

/* ---- failures ---- */

START_TEST(nonexistent_source)
{
	char *h = mt_tmpdir(), missing[PATH_MAX], out[8192];
	nsbox_config *cfg = root_cfg(0);
	nsbox_proc *proc = NULL;
	struct mt_snap s;
	int rd;

	/* Skipped with NSBOX_BIND_TRY: no mount point is made. */
	MT_OK(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", "/mnt", NSBOX_BIND_TRY));
	MT_INT(mt_run_sh(cfg, out, sizeof(out), "test -e /mnt && echo present || echo absent"), ==, 0);
	MT_CONTAINS(out, "absent");

	/* Without it: -ENOENT, with the step number and both paths. */
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777));
	MT_OK(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", "/mnt", 0));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -ENOENT);
	MT_ASSERT(proc == NULL, "a process came back");
	MT_CONTAINS(nsbox_last_error(),
	            "child: mount #2 (bind /nonexistent-nsbox-source -> /mnt): open source: No such file or directory");
	MT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);

	/* The same without a new root, and a missing target there (nothing
	 * is created on the host). */
	snprintf(missing, sizeof(missing), "%s/missing", h);
	cfg = mt_cfg(NSBOX_NS_MOUNT);
	MT_OK(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", h, NSBOX_BIND_RO));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -ENOENT);
	MT_CONTAINS(nsbox_last_error(), "child: mount #1 (ro-bind /nonexistent-nsbox-source -> ");
	MT_SNAP_CHECK(&s);
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_add_bind(cfg, "/usr", missing, 0));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -ENOENT);
	MT_CONTAINS(nsbox_last_error(), "resolve the target: No such file or directory");
	MT_SNAP_CHECK(&s);
	MT_ASSERT(!mt_exists(missing), "%s was created on the host", missing);
	/* Remount of what is not a mount: -EINVAL. */
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_add_remount_ro(cfg, h));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -EINVAL);
	MT_CONTAINS(nsbox_last_error(), "(remount-ro ");
	MT_CONTAINS(nsbox_last_error(), "make read-only: Invalid argument");
	MT_SNAP_CHECK(&s);
	/* A caller root that does not exist. */
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_set_root(cfg, missing, 0));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -ENOENT);
	MT_CONTAINS(nsbox_last_error(), "child: new root ");
	MT_CONTAINS(nsbox_last_error(), "open the directory: No such file or directory");
	MT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
	mt_rmtree(h);
	free(h);
}
END_TEST

/* ---- the child's state afterwards ---- */

struct cb_arg {
	int wfd;
	char fds[4096];
	mode_t umask;
};

static void list_fds(char *buf, size_t size, int skip)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int fd = 0; fd < 1024; fd++)
		if (fd != skip && fcntl(fd, F_GETFD) >= 0 && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%d ", fd);
}

static int callback(void *p)
{
	struct cb_arg *a = p;
	char cwd[PATH_MAX], fds[4096], msg[8192];
	mode_t um = umask(0);
	int n;

	list_fds(fds, sizeof(fds), -1);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "(getcwd failed)");
	n = snprintf(msg, sizeof(msg), "cwd=%s\numask=%o\nfds-%s\n%s\n%s\n", cwd, (unsigned)um,
	             strcmp(fds, a->fds) == 0 ? "same" : "differ", fds, a->fds);
	if (write(a->wfd, msg, (size_t)n) != n)
		return 2;
	return 0;
}

START_TEST(callback_state)
{
	nsbox_config *cfg = root_cfg(0);
	struct cb_arg a;
	nsbox_proc *proc = NULL;
	char out[8192], want[64];
	int p[2];
	mode_t old = umask(027);

	MT_OK(nsbox_config_add_dev(cfg, "/dev"));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777));
	MT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	a.wfd = p[1];
	a.umask = 027;
	list_fds(a.fds, sizeof(a.fds), -1);
	MT_OK(nsbox_config_set_callback(cfg, callback, &a));
	MT_OK(nsbox_spawn(cfg, &proc));
	close(p[1]);
	mt_read_all(p[0], out, sizeof(out));
	close(p[0]);
	MT_INT(WEXITSTATUS(mt_wait_free(proc)), ==, 0);
	umask(old);
	MT_CONTAINS(out, "cwd=/\n");
	snprintf(want, sizeof(want), "umask=%o\n", 027);
	MT_CONTAINS(out, want);
	MT_CONTAINS(out, "fds-same\n"); /* the library's descriptors are all closed */
	nsbox_config_free(cfg);
}
END_TEST

/* ---- unprivileged: uid 65534, user namespace ---- */

static char *unpriv_dir;

static void unpriv_body(void *arg)
{
	const char *const extra[] = { "/data", "/dev", "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
		                      "/dev/urandom", "/dev/tty", "/dev/pts", "/dev/shm", "/tmp", NULL };
	char out[8192];
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;
	struct mt_snap s;
	int rd;

	(void)arg;
	mt_drop_privileges();
	cfg = mt_cfg(NSBOX_NS_USER | NSBOX_NS_MOUNT | NSBOX_NS_PID);
	MT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	MT_OK(nsbox_config_set_mount_proc(cfg, 1));
	MT_OK(nsbox_config_set_root(cfg, NULL, NSBOX_ROOT_RO));
	mt_min_root(cfg);
	MT_OK(nsbox_config_add_dev(cfg, "/dev"));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 1 << 20, 01777));
	MT_OK(nsbox_config_add_bind(cfg, unpriv_dir, "/data", NSBOX_BIND_RO));
	MT_OK(nsbox_config_add_file(cfg, "/tmp/note", "unpriv\n", 7, 0600));
	proc = mt_start(cfg, &rd,
	                "id -u; cat /data/marker /tmp/note; touch /data/x || echo data-ro; touch /y || echo root-ro; "
	                "echo hi > /dev/null && echo null-ok; test -e /etc && echo LEAK-etc; "
	                "ls -A / | tr '\\n' ' '; echo; echo ready; exec sleep 100");
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "0\nunpriv-marker\nunpriv\n");
	MT_CONTAINS(out, "data-ro\n");
	MT_CONTAINS(out, "root-ro\n");
	MT_CONTAINS(out, "null-ok\n");
	MT_LACKS(out, "LEAK");
	assert_only(nsbox_proc_pid(proc), extra);
	mt_kill_free(proc);
	close(rd);

	/* Failures unprivileged: the same errno and sentence. */
	MT_OK(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", "/mnt", 0));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -ENOENT);
	MT_CONTAINS(nsbox_last_error(), "(bind /nonexistent-nsbox-source -> /mnt): open source: No such file or directory");
	MT_SNAP_CHECK(&s);
	/* sysfs needs a network namespace of our own: the kernel says no. */
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	MT_OK(nsbox_config_add_sysfs(cfg, "/sys"));
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -EPERM);
	MT_CONTAINS(nsbox_last_error(), "child: mount #1 (sysfs /sys): mount: Operation not permitted");
	MT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_USER | NSBOX_NS_MOUNT | NSBOX_NS_PID | NSBOX_NS_NET));
	mt_min_root(cfg);
	MT_INT(mt_run_sh(cfg, out, sizeof(out), "ls /sys/class/net"), ==, 0);
	MT_CONTAINS(out, "lo\n");
	nsbox_config_free(cfg);
}

START_TEST(unprivileged)
{
	char path[PATH_MAX];

	unpriv_dir = mt_tmpdir();
	snprintf(path, sizeof(path), "%s/marker", unpriv_dir);
	mt_write(path, "unpriv-marker\n");
	mt_in_child(unpriv_body, NULL);
	snprintf(path, sizeof(path), "%s/x", unpriv_dir);
	MT_ASSERT(!mt_exists(path), "the read-only bind was written");
	mt_rmtree(unpriv_dir);
	free(unpriv_dir);
}
END_TEST

/* ---- kernels without openat2 and mount_setattr ---- */

static void no_new_syscalls(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat2, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount_setattr, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	MT_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs: %s", strerror(errno));
	MT_ASSERT(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0, "seccomp: %s", strerror(errno));
	MT_ASSERT(syscall(__NR_openat2, AT_FDCWD, "/", NULL, 0) == -1 && errno == ENOSYS, "the filter does not work");
}

static char *fb_dir;
static int userns_ok;

static void fallback_body(void *arg)
{
	char src[1024], sub[1024], dst[1024], path[PATH_MAX], out[8192];
	const struct mt_mount *a;
	struct mt_mount *m;
	nsbox_config *cfg;
	nsbox_proc *proc = NULL;
	struct mt_snap s;
	int rd, n;

	(void)arg;
	no_new_syscalls();
	/* Read-only applies to every submount, by remounting each one. */
	snprintf(src, sizeof(src), "%s/src", fb_dir);
	snprintf(sub, sizeof(sub), "%s/src/sub", fb_dir);
	snprintf(dst, sizeof(dst), "%s/dst", fb_dir);
	MT_ASSERT(mkdir(src, 0755) == 0 && mkdir(sub, 0755) == 0 && mkdir(dst, 0755) == 0, "mkdir");
	cfg = mt_cfg(NSBOX_NS_MOUNT);
	MT_OK(nsbox_config_add_tmpfs(cfg, sub, 0, 0755));
	snprintf(path, sizeof(path), "%s/deeper", sub);
	MT_OK(nsbox_config_add_dir(cfg, path, 0755));
	MT_OK(nsbox_config_add_tmpfs(cfg, path, 0, 0755));
	MT_OK(nsbox_config_add_bind(cfg, src, dst, NSBOX_BIND_RO));
	proc = mt_start(cfg, &rd, "touch %s/sub/x || echo sub-ro; touch %s/sub/deeper/x || echo deeper-ro; "
	                "echo ready; exec sleep 100", dst, dst);
	mt_read_until(rd, "ready", out, sizeof(out));
	MT_CONTAINS(out, "\nsub-ro\n");
	MT_CONTAINS(out, "\ndeeper-ro\n");
	m = mounts(nsbox_proc_pid(proc), &n);
	MT_ASSERT((a = mt_find(m, n, dst)) && mt_has_opt(a->opts, "ro") && mt_has_opt(a->opts, "nodev"), "%s", dst);
	snprintf(path, sizeof(path), "%s/sub/deeper", dst);
	MT_ASSERT((a = mt_find(m, n, path)) && mt_has_opt(a->opts, "ro") && mt_has_opt(a->opts, "nosuid"), "%s", path);
	free(m);
	mt_kill_free(proc);
	close(rd);
	nsbox_config_free(cfg);

	/* A whole new root works. */
	cfg = root_cfg(0);
	MT_OK(nsbox_config_add_dev(cfg, "/dev"));
	MT_OK(nsbox_config_add_bind(cfg, fb_dir, "/data/fb", NSBOX_BIND_RO));
	MT_OK(nsbox_config_add_file(cfg, "/etc/f", "fallback\n", 9, 0644));
	MT_OK(nsbox_config_set_root(cfg, NULL, NSBOX_ROOT_RO));
	MT_INT(mt_run_sh(cfg, out, sizeof(out), "cat /etc/f; ls /data/fb; echo > /dev/null && touch /data/fb/x 2>/dev/null || echo ro"),
	       ==, 0);
	MT_CONTAINS(out, "fallback\ndst\nsrc\nro\n");

	/* Any symlink in a target is refused: -ELOOP. */
	MT_OK(nsbox_config_clear_mounts(cfg));
	MT_OK(nsbox_config_set_root(cfg, NULL, 0));
	MT_OK(nsbox_config_add_dir(cfg, "/etc", 0755));
	MT_OK(nsbox_config_add_symlink(cfg, "/etc", "/evil"));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/evil", 0, 0755));
	mt_snap_take(&s);
	MT_INT(mt_spawn_sh(cfg, &proc, &rd, "true"), ==, -ELOOP);
	MT_CONTAINS(nsbox_last_error(), "child: mount #3 (tmpfs /evil): ");
	MT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

/* The same fallbacks as uid 65534 in a user namespace, where remounts must
 * repeat the flags the kernel locked. */
static void fallback_unpriv_body(void *arg)
{
	char src[1024], out[8192];
	nsbox_config *cfg;

	(void)arg;
	mt_drop_privileges();
	no_new_syscalls();
	snprintf(src, sizeof(src), "%s/src", fb_dir);
	cfg = mt_cfg(NSBOX_NS_USER | NSBOX_NS_MOUNT | NSBOX_NS_PID);
	MT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	MT_OK(nsbox_config_set_mount_proc(cfg, 1));
	MT_OK(nsbox_config_set_root(cfg, NULL, NSBOX_ROOT_RO));
	mt_min_root(cfg);
	MT_OK(nsbox_config_add_dev(cfg, "/dev"));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777));
	MT_OK(nsbox_config_add_bind(cfg, src, "/src", 0));
	MT_OK(nsbox_config_add_tmpfs(cfg, "/src/sub", 0, 0777));
	MT_OK(nsbox_config_add_remount_ro(cfg, "/src"));
	MT_INT(mt_run_sh(cfg, out, sizeof(out),
	                 "touch /src/sub/x 2>/dev/null || echo sub-ro; touch /y 2>/dev/null || echo root-ro; "
	                 "touch /tmp/z && echo tmp-rw; echo > /dev/null && echo null-ok"),
	       ==, 0);
	MT_CONTAINS(out, "sub-ro\nroot-ro\ntmp-rw\nnull-ok\n");
	nsbox_config_free(cfg);
}

START_TEST(without_openat2_and_mount_setattr)
{
	fb_dir = mt_tmpdir();
	mt_in_child(fallback_body, NULL);
	if (userns_ok) /* else reported by main() */
		mt_in_child(fallback_unpriv_body, NULL);
	mt_rmtree(fb_dir);
	free(fb_dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mount");
	TCase *tc;

	mt_init();
	mt_require_root("mount");
	tc = mt_tcase("new-root");
	tcase_add_test(tc, bind_visible_rest_hidden);
	tcase_add_test(tc, read_only_bind);
	tcase_add_test(tc, dev_bind);
	tcase_add_test(tc, tmpfs_size_mode);
	tcase_add_test(tc, dev);
	tcase_add_test(tc, files_dirs_symlinks);
	tcase_add_test(tc, symlink_target_stays_inside);
	tcase_add_test(tc, caller_root_symlinks_stay_inside);
	tcase_add_test(tc, bind_over_new_root);
	tcase_add_test(tc, root_read_only);
	tcase_add_test(tc, proc_sysfs_mqueue);
	tcase_add_test(tc, callback_state);
	suite_add_tcase(s, tc);
	tc = mt_tcase("no-root");
	tcase_add_test(tc, no_root_private);
	tcase_add_test(tc, read_only_is_recursive);
	suite_add_tcase(s, tc);
	tc = mt_tcase("errors");
	tcase_add_test(tc, nonexistent_source);
	suite_add_tcase(s, tc);
	/* The unprivileged path needs user namespaces for uid 65534: without
	 * them its test case is left out (a failure under
	 * NSBOX_TEST_MUST_WORK=1), the rest still runs. */
	userns_ok = mt_userns_available();
	if (userns_ok) {
		tc = mt_tcase("unprivileged");
		tcase_add_test(tc, unprivileged);
		suite_add_tcase(s, tc);
	} else if (mt_must_work()) {
		printf("FAIL: unprivileged user namespaces are not available (NSBOX_TEST_MUST_WORK=1)\n");
		return 1;
	} else {
		printf("SKIP (test case unprivileged): unprivileged user namespaces are not available\n");
	}
	tc = mt_tcase("fallbacks");
	tcase_add_test(tc, without_openat2_and_mount_setattr);
	suite_add_tcase(s, tc);
	return mt_run(s);
}
