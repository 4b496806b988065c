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
#include <stdarg.h>
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

/* A new root (tmpfs, with @flags) holding /proc, read-only /usr and the
 * /bin... links; with NSBOX_NS_USER in @ns the caller is root there. */
static nsbox_config *root_cfg(uint32_t ns, uint32_t flags)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID | ns);

	if (ns & NSBOX_NS_USER)
		NT_ASSERT_INT(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(cfg, 1), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, flags), ==, 0);
	mt_min_root(cfg);
	return cfg;
}

/* "@dir/@name" in @buf (PATH_MAX bytes). */
static char *path_in(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	NT_ASSERT(n > 0 && n < PATH_MAX, "path too long: %s/%s", dir, name);
	return buf;
}

/* The same, made as a directory. */
static char *mkdir_in(char *buf, const char *dir, const char *name)
{
	NT_ASSERT(mkdir(path_in(buf, dir, name), 0755) == 0, "mkdir %s: %s", buf, strerror(errno));
	return buf;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A payload that printed what it found, then "ready", and sleeps: what it
 * printed, and its mounts as seen from outside. */
struct live {
	nsbox_proc *proc;
	pid_t pid;
	int rd, n;
	struct mt_mount *m;
	char out[8192];
};

/* Start /bin/sh -c "SCRIPT; echo ready; exec sleep 100" (stderr with
 * stdout), read its output up to "ready", then its /proc/PID/mountinfo. */
static void live_start(struct live *l, nsbox_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void live_start(struct live *l, nsbox_config *cfg, const char *fmt, ...)
{
	char script[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(script, sizeof(script), fmt, ap);
	va_end(ap);
	l->proc = mt_start(cfg, &l->rd, "%s; echo ready; exec sleep 100", script);
	l->pid = nsbox_proc_pid(l->proc);
	mt_read_until_ready(l->rd, l->out, sizeof(l->out));
	l->m = mt_mounts(l->pid, &l->n);
}

/* Kill and reap it; returns its wait status. */
static int live_end(struct live *l)
{
	int st = nt_finish(l->proc);

	close(l->rd);
	free(l->m);
	return st;
}

/* Its top mount on @point, which must exist. */
static const struct mt_mount *at(const struct live *l, const char *point)
{
	const struct mt_mount *a = mt_find(l->m, l->n, point);

	NT_ASSERT(a != NULL, "no mount on %s in the mountinfo of %d", point, (int)l->pid);
	return a;
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

/* Every mount of the payload is one we made: the old root is gone. */
static void assert_only(const struct live *l, const char *const *extra)
{
	NT_ASSERT(l->n > 0, "no mountinfo for %d", (int)l->pid);
	for (int i = 0; i < l->n; i++)
		NT_ASSERT(allowed_point(l->m[i].point, extra), "unexpected mount point %s (%s %s) in the child",
		          l->m[i].point, l->m[i].fstype, l->m[i].root);
	at(l, "/");
}

/* No mount of the host lies at or under @dir or comes from it. */
static void assert_host_clean(const char *dir)
{
	int n;
	struct mt_mount *m = mt_mounts(0, &n);
	size_t dl = strlen(dir);

	for (int i = 0; i < n; i++) {
		NT_ASSERT(!(strncmp(m[i].point, dir, dl) == 0 && (m[i].point[dl] == '\0' || m[i].point[dl] == '/')),
		          "the host has a mount on %s", m[i].point);
		NT_ASSERT(!strstr(m[i].root, base_name(dir)), "the host has a mount of %s on %s", m[i].root,
		          m[i].point);
	}
	free(m);
}

/* ---- a new root ---- */

START_TEST(bind_visible_rest_hidden)
{
	char *h = mt_tmpdir(), *secret = mt_tmpdir(), path[PATH_MAX];
	const char *const extra[] = { "/data", NULL };
	nsbox_config *cfg = root_cfg(0, 0);
	const struct mt_mount *data;
	struct live l;

	mt_write(path_in(path, h, "marker"), "visible-marker\n");
	mt_write(path_in(path, secret, "secret"), "secret\n");
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, h, "/data", 0), ==, 0);
	live_start(&l, cfg,
	           "cat /data/marker; ls /data; test -e %s && echo LEAK || echo secret-hidden; "
	           "test -e /tmp && echo LEAK-tmp; ls -A / | tr '\\n' ' '; echo; pwd",
	           path);
	NT_ASSERT_CONTAINS(l.out, "visible-marker\nmarker\n");
	NT_ASSERT_CONTAINS(l.out, "secret-hidden");
	NT_ASSERT(!strstr(l.out, "LEAK"), "a host path is visible: \"%s\"", l.out);
	NT_ASSERT_CONTAINS(l.out, "data ");
	NT_ASSERT_CONTAINS(l.out, "proc ");
	NT_ASSERT_CONTAINS(l.out, "usr ");
	NT_ASSERT_CONTAINS(l.out, "\n/\n"); /* the working directory is the new "/" */

	/* From outside: only the new tree, the bind coming from h. */
	assert_only(&l, extra);
	NT_ASSERT(strcmp(at(&l, "/")->fstype, "tmpfs") == 0, "/ is %s", at(&l, "/")->fstype);
	data = at(&l, "/data");
	NT_ASSERT(strstr(data->root, base_name(h)) != NULL, "/data comes from %s", data->root);
	NT_ASSERT(mt_has_opt(data->opts, "rw") && mt_has_opt(data->opts, "nosuid") && mt_has_opt(data->opts, "nodev"),
	          "/data options %s", data->opts);
	/* Nothing of it on the host. */
	assert_host_clean(h);
	assert_host_clean("/data");
	NT_ASSERT_INT(WTERMSIG(live_end(&l)), ==, SIGKILL);
	nsbox_config_free(cfg);
	mt_tmpdir_remove(h);
	mt_tmpdir_remove(secret);
}
END_TEST

START_TEST(read_only_bind)
{
	char *ro = mt_tmpdir(), *rw = mt_tmpdir(), path[PATH_MAX];
	nsbox_config *cfg = root_cfg(0, 0);
	struct live l;

	NT_ASSERT_INT(nsbox_config_add_bind(cfg, ro, "/ro", NSBOX_BIND_RO), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, rw, "/rw", 0), ==, 0);
	live_start(&l, cfg, "touch /ro/x && echo ro-writable || echo ro-refused; touch /rw/y && echo rw-ok");
	NT_ASSERT_CONTAINS(l.out, "Read-only file system");
	NT_ASSERT_CONTAINS(l.out, "ro-refused");
	NT_ASSERT_CONTAINS(l.out, "rw-ok");
	NT_ASSERT(mt_has_opt(at(&l, "/ro")->opts, "ro"), "/ro is not read-only");
	NT_ASSERT(mt_has_opt(at(&l, "/rw")->opts, "rw"), "/rw is not read-write");
	NT_ASSERT(mt_has_opt(at(&l, "/usr")->opts, "ro"), "/usr is not read-only");
	live_end(&l);
	NT_ASSERT(!mt_exists(path_in(path, ro, "x")), "%s was written", path);
	NT_ASSERT(mt_exists(path_in(path, rw, "y")), "%s was not written", path);
	nsbox_config_free(cfg);
	mt_tmpdir_remove(ro);
	mt_tmpdir_remove(rw);
}
END_TEST

/* Device nodes work through a bind only with NSBOX_BIND_DEV. */
START_TEST(dev_bind)
{
	nsbox_config *cfg = root_cfg(0, 0);
	struct live l;

	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/dev/null", "/devices/null", NSBOX_BIND_DEV), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/dev/zero", "/nodev/zero", 0), ==, 0);
	live_start(&l, cfg,
	           "test -c /devices/null && echo x > /devices/null && echo dev-ok; "
	           "test -c /nodev/zero && head -c 1 /nodev/zero || echo nodev-refused");
	NT_ASSERT_CONTAINS(l.out, "dev-ok\n");
	NT_ASSERT_CONTAINS(l.out, "Permission denied");
	NT_ASSERT_CONTAINS(l.out, "nodev-refused\n");
	NT_ASSERT(!mt_has_opt(at(&l, "/devices/null")->opts, "nodev"), "/devices/null has nodev");
	NT_ASSERT(mt_has_opt(at(&l, "/nodev/zero")->opts, "nodev"), "/nodev/zero lacks nodev");
	live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(tmpfs_size_mode)
{
	nsbox_config *cfg = root_cfg(0, 0);
	const struct mt_mount *t;
	struct live l;

	NT_ASSERT_INT(nsbox_config_add_dev(cfg, "/dev"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "//scratch/./", 1 << 20, 0750), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/big", 0, 01777), ==, 0);
	live_start(&l, cfg,
	           "stat -c '%%a' /scratch /big; head -c 2097152 /dev/zero > /scratch/f || echo full; "
	           "stat -c 'size %%s' /scratch/f");
	NT_ASSERT_CONTAINS(l.out, "750\n1777\n");
	NT_ASSERT_CONTAINS(l.out, "No space left on device");
	NT_ASSERT_CONTAINS(l.out, "size 1048576\n");
	t = at(&l, "/scratch");
	NT_ASSERT(strcmp(t->fstype, "tmpfs") == 0, "no tmpfs on /scratch");
	NT_ASSERT(mt_has_opt(t->super, "size=1024k") && mt_has_opt(t->super, "mode=750"), "/scratch: %s", t->super);
	NT_ASSERT(mt_has_opt(t->opts, "nosuid") && mt_has_opt(t->opts, "nodev"), "/scratch: %s", t->opts);
	t = at(&l, "/big");
	NT_ASSERT(strcmp(t->fstype, "tmpfs") == 0, "no tmpfs on /big");
	NT_ASSERT(!strstr(t->super, "size="), "/big: %s", t->super);
	live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(dev)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	nsbox_config *cfg = root_cfg(0, 0);
	const struct mt_mount *t;
	struct live l;

	NT_ASSERT_INT(nsbox_config_add_dev(cfg, "/dev"), ==, 0);
	live_start(&l, cfg,
	           "for n in null zero full random urandom tty; do test -c /dev/$n && echo c-$n; done; "
	           "echo hello > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; "
	           "echo x > /dev/full || echo full-refused; head -c 16 /dev/urandom | wc -c; "
	           "for l in fd stdin stdout stderr ptmx; do echo \"$l=$(readlink /dev/$l)\"; done; "
	           "test -d /dev/pts && test -d /dev/shm && echo dirs-ok");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "c-%s\n", nodes[i]);
		NT_ASSERT_CONTAINS(l.out, want);
	}
	NT_ASSERT_CONTAINS(l.out, "null-ok");
	NT_ASSERT_CONTAINS(l.out, " 00 00 00 00");
	NT_ASSERT_CONTAINS(l.out, "full-refused");
	NT_ASSERT_CONTAINS(l.out, "16\n");
	NT_ASSERT_CONTAINS(l.out, "fd=/proc/self/fd\nstdin=/proc/self/fd/0\nstdout=/proc/self/fd/1\n"
	                          "stderr=/proc/self/fd/2\nptmx=pts/ptmx\n");
	NT_ASSERT_CONTAINS(l.out, "dirs-ok");
	t = at(&l, "/dev");
	NT_ASSERT(strcmp(t->fstype, "tmpfs") == 0 && mt_has_opt(t->opts, "nodev"), "/dev is not a nodev tmpfs");
	t = at(&l, "/dev/null");
	NT_ASSERT(strcmp(t->root, "/null") == 0 && !mt_has_opt(t->opts, "nodev") && mt_has_opt(t->opts, "nosuid"),
	          "/dev/null is not a bind of the host's null without nodev");
	t = at(&l, "/dev/pts");
	NT_ASSERT(strcmp(t->fstype, "devpts") == 0 && mt_has_opt(t->super, "ptmxmode=666"), "no devpts");
	NT_ASSERT(strcmp(at(&l, "/dev/shm")->fstype, "tmpfs") == 0, "no tmpfs on /dev/shm");
	live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(files_dirs_symlinks)
{
	static const char data[] = "hello\nworld\n\0bin\xff";
	char out[8192];
	nsbox_config *cfg = root_cfg(0, 0);

	NT_ASSERT_INT(nsbox_config_add_file(cfg, "/etc/greeting", data, sizeof(data) - 1, 0640), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_file(cfg, "/empty", NULL, 0, 0600), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "target-text", "/lnk"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "target-text", "/lnk"), ==, 0); /* the same again: fine */
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "/etc/greeting", "/etc/abs"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/a/b/c", 02750), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/a/b/c", 0700), ==, 0); /* there already: left as it is */
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out),
	                        "stat -c '%%n %%a %%s' /etc/greeting /empty /a /a/b /a/b/c; head -n 2 /etc/abs; "
	                        "od -An -c /etc/greeting | tr -s ' ' | tr -d '\\n'; echo; readlink /lnk"),
	              ==, 0);
	NT_ASSERT_CONTAINS(out, "/etc/greeting 640 17\n/empty 600 0\n/a 755 ");
	NT_ASSERT_CONTAINS(out, "\n/a/b 755 ");
	NT_ASSERT_CONTAINS(out, "\n/a/b/c 2750 ");
	NT_ASSERT_CONTAINS(out, "hello\nworld\n");
	NT_ASSERT_CONTAINS(out, " h e l l o \\n w o r l d \\n \\0 b i n 377\n");
	NT_ASSERT_CONTAINS(out, "\ntarget-text\n");

	/* Something else where a symlink goes: -EEXIST, named. */
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "other-text", "/lnk"), ==, 0);
	mt_spawn_fails(cfg, -EEXIST,
	               "(symlink /lnk -> other-text): something else than this symlink is there: File exists");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "mount #");
	nsbox_config_free(cfg);
}
END_TEST

/* A symlink inside the new root pointing out of it, used as a target,
 * lands inside the new root. */
START_TEST(symlink_target_stays_inside)
{
	char *h = mt_tmpdir(), path[PATH_MAX];
	const char *const extra[] = { "/etc", NULL };
	nsbox_config *cfg = root_cfg(0, 0);
	struct live l;

	mt_write(path_in(path, h, "marker"), "bound-through-evil\n");
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "/etc", "/evil"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "../../../../../../../../etc", "/evil2"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/etc", 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, h, "/evil", 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_file(cfg, "/evil2/through-evil2", "in\n", 3, 0644), ==, 0);
	live_start(&l, cfg, "cat /etc/marker; ls /etc");
	NT_ASSERT_CONTAINS(l.out, "bound-through-evil\n");
	NT_ASSERT_CONTAINS(l.out, "through-evil2\n"); /* ".." stopped at the new root: on the bind */
	assert_only(&l, extra);
	NT_ASSERT(strstr(at(&l, "/etc")->root, base_name(h)), "the bind is not on the new /etc");
	live_end(&l);
	/* The file op ran after the bind: it went through the new /etc into h,
	 * never into the host's /etc. */
	NT_ASSERT(mt_exists(path_in(path, h, "through-evil2")), "%s missing", path);
	NT_ASSERT(!mt_exists("/etc/through-evil2"), "the host's /etc was written");
	nsbox_config_free(cfg);
	mt_tmpdir_remove(h);
}
END_TEST

/* A caller-given root holding symlinks to host paths: nothing leads out. */
START_TEST(caller_root_symlinks_stay_inside)
{
	char *r = mt_tmpdir(), *h2 = mt_tmpdir(), path[PATH_MAX], text[PATH_MAX], out[8192];
	nsbox_config *cfg;

	NT_ASSERT(symlink(h2, path_in(path, r, "abs")) == 0, "symlink");
	snprintf(text, sizeof(text), "../../../../../../../..%s", h2);
	NT_ASSERT(symlink(text, path_in(path, r, "up")) == 0, "symlink");
	NT_ASSERT(symlink("/etc/passwd", path_in(path, r, "passwd")) == 0, "symlink");

	for (int i = 0; i < 4; i++) {
		cfg = nt_cfg(NSBOX_NS_MOUNT);
		NT_ASSERT_INT(nsbox_config_set_root(cfg, r, 0), ==, 0);
		if (i == 0)
			NT_ASSERT_INT(nsbox_config_add_file(cfg, "/abs/pwned", "x", 1, 0644), ==, 0);
		else if (i == 1)
			NT_ASSERT_INT(nsbox_config_add_file(cfg, "/up/pwned", "x", 1, 0644), ==, 0);
		else if (i == 2)
			NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/abs/pwned", 0, 0755), ==, 0);
		else
			NT_ASSERT_INT(nsbox_config_add_file(cfg, "/passwd", "pwned\n", 6, 0644), ==, 0);
		mt_spawn_fails(cfg, i == 3 ? -ELOOP : -ENOENT, "child: mount #1 (");
		nsbox_config_free(cfg);
		NT_ASSERT(!mt_exists(path_in(path, h2, "pwned")), "%s was created through a symlink of the new root",
		          path);
	}
	NT_ASSERT(nt_read_file("/etc/passwd", out, sizeof(out)) > 0 && !strstr(out, "pwned"), "/etc/passwd written");
	/* Created mount points and files land in the caller's directory. */
	cfg = nt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, r, NSBOX_ROOT_RO), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_mount_proc(cfg, 1), ==, 0);
	mt_min_root(cfg);
	NT_ASSERT_INT(nsbox_config_add_file(cfg, "/made/here", "yes\n", 4, 0644), ==, 0);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out), "cat /made/here; touch /x || echo root-ro; readlink /abs"),
	              ==, 0);
	NT_ASSERT_CONTAINS(out, "yes\n");
	NT_ASSERT_CONTAINS(out, "root-ro\n");
	NT_ASSERT_CONTAINS(out, h2);
	NT_ASSERT(mt_exists(path_in(path, r, "made/here")), "%s not created", path);
	nsbox_config_free(cfg);
	mt_tmpdir_remove(r);
	mt_tmpdir_remove(h2);
}
END_TEST

/* bwrap --ro-bind / / --tmpfs /tmp: later targets land on the bind that
 * covers the new root's "/", not under it. */
START_TEST(bind_over_new_root)
{
	char out[8192];
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_PID);

	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/", "/", NSBOX_BIND_RO), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_proc(cfg, "/proc"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/", 0755), ==, 0);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out),
	                        "test -s /etc/os-release && echo host-root; touch /etc/x 2>&- || echo root-ro; "
	                        "touch /tmp/y && echo tmp-rw; ls /tmp; "
	                        "echo \"$(awk '$5 == \"/tmp\" {print $9}' /proc/self/mountinfo)\"; "
	                        "(echo x > /dev/null) 2>&- || echo host-dev-nodev"),
	              ==, 0);
	/* One tmpfs on /tmp: ours (the staging one is not in the bind of "/");
	 * the host's devices came in with nodev: a --dev is needed for them. */
	NT_ASSERT_CONTAINS(out, "host-root\nroot-ro\ntmp-rw\ny\ntmpfs\nhost-dev-nodev\n");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(root_read_only)
{
	char out[8192];
	nsbox_config *cfg = root_cfg(0, NSBOX_ROOT_RO);

	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777), ==, 0);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out),
	                        "touch /x || echo root-ro; touch /tmp/y && echo tmp-rw; "
	                        "grep ' / / ' /proc/self/mountinfo"),
	              ==, 0);
	NT_ASSERT_CONTAINS(out, "root-ro\n");
	NT_ASSERT_CONTAINS(out, "tmp-rw\n");
	NT_ASSERT_CONTAINS(out, " / / ro,");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(proc_sysfs_mqueue)
{
	nsbox_config *cfg = root_cfg(NSBOX_NS_NET | NSBOX_NS_IPC, 0);
	const char *const extra[] = { "/sys", "/dev/mqueue", NULL };
	const struct mt_mount *t;
	struct live l;

	NT_ASSERT_INT(nsbox_config_add_sysfs(cfg, "/sys"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_mqueue(cfg, "/dev/mqueue"), ==, 0);
	live_start(&l, cfg, "ls /sys/class/net; echo 1 > /proc/sys/kernel/ns_last_pid || echo sys-ro");
	NT_ASSERT_CONTAINS(l.out, "lo\n");
	NT_ASSERT(!strstr(l.out, "eth"), "the host's interfaces are visible: \"%s\"", l.out);
	NT_ASSERT_CONTAINS(l.out, "sys-ro\n");
	assert_only(&l, extra);
	t = at(&l, "/sys");
	NT_ASSERT(!strcmp(t->fstype, "sysfs") && mt_has_opt(t->opts, "ro"), "no read-only sysfs");
	NT_ASSERT(!strcmp(at(&l, "/dev/mqueue")->fstype, "mqueue"), "no mqueue");
	t = at(&l, "/proc");
	NT_ASSERT(!strcmp(t->fstype, "proc") && mt_has_opt(t->opts, "noexec"), "no proc");
	NT_ASSERT(mt_has_opt(at(&l, "/proc/sys")->opts, "ro"), "/proc/sys is writable");
	live_end(&l);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- without a new root ---- */

START_TEST(no_root_private)
{
	char *h = mt_tmpdir(), src[PATH_MAX], dst[PATH_MAX], t[PATH_MAX], path[PATH_MAX], cwd[PATH_MAX];
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT);
	const struct mt_mount *a;
	struct live l;

	mkdir_in(src, h, "src");
	mkdir_in(dst, h, "dst");
	mkdir_in(t, h, "t");
	mt_write(path_in(path, src, "marker"), "from-src\n");
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, src, dst, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, t, 0, 0700), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_file(cfg, path_in(path, t, "inside"), "on-tmpfs\n", 9, 0644), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_remount_ro(cfg, t), ==, 0);
	NT_ASSERT(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	live_start(&l, cfg, "cat %s/marker %s; touch %s/x || echo t-ro; pwd", dst, path, t);
	NT_ASSERT_CONTAINS(l.out, "from-src\non-tmpfs\n");
	NT_ASSERT_CONTAINS(l.out, "t-ro\n");
	NT_ASSERT_CONTAINS(l.out, cwd); /* the working directory is kept */
	at(&l, dst);
	a = at(&l, t);
	NT_ASSERT(mt_has_opt(a->opts, "ro") && !strcmp(a->fstype, "tmpfs"), "no ro tmpfs");
	assert_host_clean(h);
	NT_ASSERT(!mt_exists(path_in(path, dst, "marker")), "the host sees the bind");
	NT_ASSERT(!mt_exists(path_in(path, t, "inside")), "the host sees the tmpfs");
	live_end(&l);
	nsbox_config_free(cfg);
	mt_tmpdir_remove(h);
}
END_TEST

START_TEST(read_only_is_recursive)
{
	char *h = mt_tmpdir(), src[PATH_MAX], sub[PATH_MAX], dst[PATH_MAX], path[PATH_MAX];
	nsbox_config *cfg = nt_cfg(NSBOX_NS_MOUNT);
	struct live l;

	mkdir_in(src, h, "src");
	mkdir_in(sub, src, "sub");
	mkdir_in(dst, h, "dst");
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, sub, 0, 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, src, dst, NSBOX_BIND_RO), ==, 0);
	live_start(&l, cfg, "touch %s/sub/x && echo LEAK || echo sub-ro; touch %s/y && echo src-sub-rw", dst, sub);
	NT_ASSERT_CONTAINS(l.out, "sub-ro\n");
	NT_ASSERT_CONTAINS(l.out, "src-sub-rw\n");
	NT_ASSERT(mt_has_opt(at(&l, dst)->opts, "ro"), "%s is not read-only", dst);
	NT_ASSERT(mt_has_opt(at(&l, path_in(path, dst, "sub"))->opts, "ro"), "%s is not read-only", path);
	NT_ASSERT(mt_has_opt(at(&l, sub)->opts, "rw"), "%s became read-only", sub);
	live_end(&l);
	nsbox_config_free(cfg);
	mt_tmpdir_remove(h);
}
END_TEST

/* ---- failures ---- */

START_TEST(nonexistent_source)
{
	char *h = mt_tmpdir(), missing[PATH_MAX], out[8192];
	nsbox_config *cfg = root_cfg(0, 0);

	/* Skipped with NSBOX_BIND_TRY: no mount point is made. */
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", "/mnt", NSBOX_BIND_TRY), ==, 0);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out), "test -e /mnt && echo present || echo absent"), ==, 0);
	NT_ASSERT_CONTAINS(out, "absent");

	/* Without it: -ENOENT, with the step number and both paths. */
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", "/mnt", 0), ==, 0);
	mt_spawn_fails(cfg, -ENOENT,
	               "child: mount #2 (bind /nonexistent-nsbox-source -> /mnt): "
	               "open source: No such file or directory");
	nsbox_config_free(cfg);

	/* The same without a new root, and a missing target there (nothing
	 * is created on the host). */
	path_in(missing, h, "missing");
	cfg = nt_cfg(NSBOX_NS_MOUNT);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", h, NSBOX_BIND_RO), ==, 0);
	mt_spawn_fails(cfg, -ENOENT, "child: mount #1 (ro-bind /nonexistent-nsbox-source -> ");
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/usr", missing, 0), ==, 0);
	mt_spawn_fails(cfg, -ENOENT, "resolve the target: No such file or directory");
	NT_ASSERT(!mt_exists(missing), "%s was created on the host", missing);
	/* Remount of what is not a mount: -EINVAL. */
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_remount_ro(cfg, h), ==, 0);
	mt_spawn_fails(cfg, -EINVAL, "make read-only: Invalid argument");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "(remount-ro ");
	/* A caller root that does not exist. */
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, missing, 0), ==, 0);
	mt_spawn_fails(cfg, -ENOENT, "open the directory: No such file or directory");
	NT_ASSERT_CONTAINS(nsbox_last_error(), "child: new root ");
	nsbox_config_free(cfg);
	mt_tmpdir_remove(h);
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
	nsbox_config *cfg = root_cfg(0, 0);
	struct cb_arg a;
	nsbox_proc *proc = NULL;
	char out[8192], want[64];
	int p[2];
	mode_t old = umask(027);

	NT_ASSERT_INT(nsbox_config_add_dev(cfg, "/dev"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777), ==, 0);
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	a.wfd = p[1];
	a.umask = 027;
	list_fds(a.fds, sizeof(a.fds), -1);
	NT_ASSERT_INT(nsbox_config_set_callback(cfg, callback, &a), ==, 0);
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, 0);
	close(p[1]);
	nt_read_all(p[0], out, sizeof(out));
	close(p[0]);
	NT_ASSERT_INT(nt_wait_free(proc), ==, 0);
	umask(old);
	NT_ASSERT_CONTAINS(out, "cwd=/\n");
	snprintf(want, sizeof(want), "umask=%o\n", 027);
	NT_ASSERT_CONTAINS(out, want);
	NT_ASSERT_CONTAINS(out, "fds-same\n"); /* the library's descriptors are all closed */
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
	struct live l;

	(void)arg;
	nt_drop_privileges();
	cfg = root_cfg(NSBOX_NS_USER, NSBOX_ROOT_RO);
	NT_ASSERT_INT(nsbox_config_add_dev(cfg, "/dev"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 1 << 20, 01777), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, unpriv_dir, "/data", NSBOX_BIND_RO), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_file(cfg, "/tmp/note", "unpriv\n", 7, 0600), ==, 0);
	live_start(&l, cfg,
	           "id -u; cat /data/marker /tmp/note; touch /data/x || echo data-ro; touch /y || echo root-ro; "
	           "echo hi > /dev/null && echo null-ok; test -e /etc && echo LEAK-etc; "
	           "ls -A / | tr '\\n' ' '; echo");
	NT_ASSERT_CONTAINS(l.out, "0\nunpriv-marker\nunpriv\n");
	NT_ASSERT_CONTAINS(l.out, "data-ro\n");
	NT_ASSERT_CONTAINS(l.out, "root-ro\n");
	NT_ASSERT_CONTAINS(l.out, "null-ok\n");
	NT_ASSERT(!strstr(l.out, "LEAK"), "a host path is visible: \"%s\"", l.out);
	assert_only(&l, extra);
	live_end(&l);

	/* Failures unprivileged: the same errno and sentence. */
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/nonexistent-nsbox-source", "/mnt", 0), ==, 0);
	mt_spawn_fails(cfg, -ENOENT,
	               "(bind /nonexistent-nsbox-source -> /mnt): open source: No such file or directory");
	/* sysfs needs a network namespace of our own: the kernel says no. */
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_sysfs(cfg, "/sys"), ==, 0);
	mt_spawn_fails(cfg, -EPERM, "child: mount #1 (sysfs /sys): mount: Operation not permitted");
	NT_ASSERT_INT(nsbox_config_set_namespaces(cfg, NSBOX_NS_USER | NSBOX_NS_MOUNT | NSBOX_NS_PID | NSBOX_NS_NET),
	              ==, 0);
	mt_min_root(cfg);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out), "ls /sys/class/net"), ==, 0);
	NT_ASSERT_CONTAINS(out, "lo\n");
	nsbox_config_free(cfg);
}

START_TEST(unprivileged)
{
	char path[PATH_MAX];

	unpriv_dir = mt_tmpdir();
	mt_write(path_in(path, unpriv_dir, "marker"), "unpriv-marker\n");
	nt_in_child(unpriv_body, NULL);
	NT_ASSERT(!mt_exists(path_in(path, unpriv_dir, "x")), "the read-only bind was written");
	mt_tmpdir_remove(unpriv_dir);
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

	NT_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs: %s", strerror(errno));
	NT_ASSERT(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0, "seccomp: %s", strerror(errno));
	NT_ASSERT(syscall(__NR_openat2, AT_FDCWD, "/", NULL, 0) == -1 && errno == ENOSYS, "the filter does not work");
}

static char *fb_dir;
static int userns_ok;

static void fallback_body(void *arg)
{
	char src[PATH_MAX], sub[PATH_MAX], dst[PATH_MAX], path[PATH_MAX], out[8192];
	const struct mt_mount *a;
	nsbox_config *cfg;
	struct live l;

	(void)arg;
	no_new_syscalls();
	/* Read-only applies to every submount, by remounting each one. */
	mkdir_in(src, fb_dir, "src");
	mkdir_in(sub, src, "sub");
	mkdir_in(dst, fb_dir, "dst");
	cfg = nt_cfg(NSBOX_NS_MOUNT);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, sub, 0, 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, path_in(path, sub, "deeper"), 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, path, 0, 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, src, dst, NSBOX_BIND_RO), ==, 0);
	live_start(&l, cfg, "touch %s/sub/x || echo sub-ro; touch %s/sub/deeper/x || echo deeper-ro", dst, dst);
	NT_ASSERT_CONTAINS(l.out, "\nsub-ro\n");
	NT_ASSERT_CONTAINS(l.out, "\ndeeper-ro\n");
	a = at(&l, dst);
	NT_ASSERT(mt_has_opt(a->opts, "ro") && mt_has_opt(a->opts, "nodev"), "%s", dst);
	a = at(&l, path_in(path, dst, "sub/deeper"));
	NT_ASSERT(mt_has_opt(a->opts, "ro") && mt_has_opt(a->opts, "nosuid"), "%s", path);
	live_end(&l);
	nsbox_config_free(cfg);

	/* A whole new root works. */
	cfg = root_cfg(0, NSBOX_ROOT_RO);
	NT_ASSERT_INT(nsbox_config_add_dev(cfg, "/dev"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, fb_dir, "/data/fb", NSBOX_BIND_RO), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_file(cfg, "/etc/f", "fallback\n", 9, 0644), ==, 0);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out),
	                        "cat /etc/f; ls /data/fb; echo > /dev/null && touch /data/fb/x 2>/dev/null || echo ro"),
	              ==, 0);
	NT_ASSERT_CONTAINS(out, "fallback\ndst\nsrc\nro\n");

	/* Any symlink in a target is refused: -ELOOP. */
	NT_ASSERT_INT(nsbox_config_clear_mounts(cfg), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_root(cfg, NULL, 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_dir(cfg, "/etc", 0755), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_symlink(cfg, "/etc", "/evil"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/evil", 0, 0755), ==, 0);
	mt_spawn_fails(cfg, -ELOOP, "child: mount #3 (tmpfs /evil): ");
	nsbox_config_free(cfg);
}

/* The same fallbacks as uid 65534 in a user namespace, where remounts must
 * repeat the flags the kernel locked. */
static void fallback_unpriv_body(void *arg)
{
	char src[PATH_MAX], out[8192];
	nsbox_config *cfg;

	(void)arg;
	nt_drop_privileges();
	no_new_syscalls();
	cfg = root_cfg(NSBOX_NS_USER, NSBOX_ROOT_RO);
	NT_ASSERT_INT(nsbox_config_add_dev(cfg, "/dev"), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/tmp", 0, 01777), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_bind(cfg, path_in(src, fb_dir, "src"), "/src", 0), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_tmpfs(cfg, "/src/sub", 0, 0777), ==, 0);
	NT_ASSERT_INT(nsbox_config_add_remount_ro(cfg, "/src"), ==, 0);
	NT_ASSERT_INT(mt_run_sh(cfg, out, sizeof(out),
	                        "touch /src/sub/x 2>/dev/null || echo sub-ro; touch /y 2>/dev/null || echo root-ro; "
	                        "touch /tmp/z && echo tmp-rw; echo > /dev/null && echo null-ok"),
	              ==, 0);
	NT_ASSERT_CONTAINS(out, "sub-ro\nroot-ro\ntmp-rw\nnull-ok\n");
	nsbox_config_free(cfg);
}

START_TEST(without_openat2_and_mount_setattr)
{
	fb_dir = mt_tmpdir();
	nt_in_child(fallback_body, NULL);
	if (userns_ok) /* else reported by main() */
		nt_in_child(fallback_unpriv_body, NULL);
	mt_tmpdir_remove(fb_dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mount");
	TCase *tc;
	char why[8400];
	int rc;

	nt_init();
	nt_require_root("mount");
	tc = nt_tcase("new-root");
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
	tc = nt_tcase("no-root");
	tcase_add_test(tc, no_root_private);
	tcase_add_test(tc, read_only_is_recursive);
	suite_add_tcase(s, tc);
	tc = nt_tcase("errors");
	tcase_add_test(tc, nonexistent_source);
	suite_add_tcase(s, tc);
	/* The unprivileged path needs user namespaces for uid 65534: without
	 * them its test case is left out and the rest still runs; the suite
	 * then skips (a failure under NSBOX_TEST_MUST_WORK=1). */
	userns_ok = mt_userns_available(why, sizeof(why));
	if (userns_ok) {
		tc = nt_tcase("unprivileged");
		tcase_add_test(tc, unprivileged);
		suite_add_tcase(s, tc);
	} else {
		printf("test case unprivileged left out: unprivileged user namespaces are not available (%s)\n", why);
	}
	tc = nt_tcase("fallbacks");
	tcase_add_test(tc, without_openat2_and_mount_setattr);
	suite_add_tcase(s, tc);
	rc = nt_run_suite(s);
	if (rc == 0 && !userns_ok)
		nt_skip("the unprivileged test case was left out: unprivileged user namespaces are not available");
	return rc;
}
