/*
 * mt.c - helpers of the mount feature's Check suites; see mt.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "mt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void unshare_user_mount(void *arg)
{
	(void)arg;
	nt_drop_privileges();
	NT_ASSERT(unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0, "unshare(CLONE_NEWUSER | CLONE_NEWNS) as uid %d: %s",
	          NT_UNPRIV_ID, strerror(errno));
}

int mt_userns_available(char *why, size_t size)
{
	return nt_in_child_try(unshare_user_mount, NULL, why, size);
}

/* ---- payloads ---- */

void mt_min_root(nsbox_config *cfg)
{
	static const char *const links[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
	char path[64], text[256];

	NT_ASSERT_INT(nsbox_config_add_bind(cfg, "/usr", "/usr", NSBOX_BIND_RO), ==, 0);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/%s", links[i]);
		n = readlink(path, text, sizeof(text) - 1);
		if (n > 0) {
			text[n] = '\0';
			NT_ASSERT_INT(nsbox_config_add_symlink(cfg, text, path), ==, 0);
		} else if (mt_exists(path)) {
			NT_ASSERT_INT(nsbox_config_add_bind(cfg, path, path, NSBOX_BIND_RO), ==, 0);
		}
	}
}

static nsbox_proc *start_v(nsbox_config *cfg, int *rd, const char *fmt, va_list ap)
{
	char script[8000];

	vsnprintf(script, sizeof(script), fmt, ap);
	return nt_spawn_sh(cfg, rd, "exec 2>&1; %s", script);
}

nsbox_proc *mt_start(nsbox_config *cfg, int *rd, const char *fmt, ...)
{
	nsbox_proc *proc;
	va_list ap;

	va_start(ap, fmt);
	proc = start_v(cfg, rd, fmt, ap);
	va_end(ap);
	return proc;
}

int mt_run_sh(nsbox_config *cfg, char *out, size_t size, const char *fmt, ...)
{
	nsbox_proc *proc;
	va_list ap;
	int rd;

	va_start(ap, fmt);
	proc = start_v(cfg, &rd, fmt, ap);
	va_end(ap);
	nt_read_all(rd, out, size);
	close(rd);
	return nt_wait_free(proc);
}

void mt_read_until_ready(int fd, char *buf, size_t size)
{
	char line[4096];
	size_t n = 0;
	int len;

	buf[0] = '\0';
	while ((len = nt_read_line(fd, line, sizeof(line))) >= 0 && strcmp(line, "ready") != 0)
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s\n", line);
	NT_ASSERT(len >= 0, "the payload ended before \"ready\", after \"%s\"", buf);
}

void mt_spawn_fails(nsbox_config *cfg, int err, const char *msg)
{
	static const char *const argv[] = { "/bin/true", NULL };
	nsbox_proc *proc = NULL;
	struct nt_snap s;

	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL), ==, 0);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, err);
	NT_ASSERT(proc == NULL, "a process came back from a failed spawn");
	NT_ASSERT_CONTAINS(nsbox_last_error(), msg);
	NT_SNAP_CHECK(&s);
}

/* ---- host files ---- */

char *mt_tmpdir(void)
{
	char tmpl[] = "/tmp/nsbox-mt-XXXXXX", *d = mkdtemp(tmpl);

	NT_ASSERT(d != NULL, "mkdtemp: %s", strerror(errno));
	NT_ASSERT(chmod(d, 0755) == 0, "chmod: %s", strerror(errno));
	d = strdup(d);
	NT_ASSERT(d != NULL, "out of memory");
	return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void mt_tmpdir_remove(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	free(dir);
}

void mt_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text);

	NT_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	NT_ASSERT(write(fd, text, n) == (ssize_t)n, "write %s", path);
	close(fd);
}

int mt_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* ---- mountinfo ---- */

static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3])) {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

struct mt_mount *mt_mounts(pid_t pid, int *n)
{
	static char text[1 << 20];
	char *line, *save = NULL;
	struct mt_mount *m;
	int max = 1;

	nt_proc_read(pid, "mountinfo", text, sizeof(text));
	for (const char *p = text; *p; p++)
		max += *p == '\n';
	m = calloc((size_t)max, sizeof(*m));
	NT_ASSERT(m != NULL, "out of memory");
	*n = 0;
	for (line = strtok_r(text, "\n", &save); line && *n < max; line = strtok_r(NULL, "\n", &save)) {
		char root[4096], point[4096], opts[1024], fstype[256], super[4096], *sep;
		struct mt_mount *e = &m[*n];
		int k;

		/* id parent maj:min root point opts [optional...] - fstype source super */
		if (sscanf(line, "%*s %*s %*s %4095s %4095s %1023s", root, point, opts) != 3)
			continue;
		sep = strstr(line, " - ");
		if (!sep || (k = sscanf(sep + 3, "%255s %*s %4095s", fstype, super)) < 1)
			continue;
		if (k < 2)
			super[0] = '\0';
		unescape(root);
		unescape(point);
		snprintf(e->root, sizeof(e->root), "%.511s", root);
		snprintf(e->point, sizeof(e->point), "%.511s", point);
		snprintf(e->opts, sizeof(e->opts), "%.255s", opts);
		snprintf(e->fstype, sizeof(e->fstype), "%.63s", fstype);
		snprintf(e->super, sizeof(e->super), "%.511s", super);
		(*n)++;
	}
	return m;
}

const struct mt_mount *mt_find(const struct mt_mount *m, int n, const char *point)
{
	const struct mt_mount *found = NULL;

	for (int i = 0; i < n; i++)
		if (strcmp(m[i].point, point) == 0)
			found = &m[i];
	return found;
}

int mt_has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;

	while ((p = strstr(p, opt)) != NULL) {
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}
