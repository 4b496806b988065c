/*
 * pt.c - helpers of the process suite; see pt.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

long pt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- payloads ---- */

nsbox_config *pt_cfg(uint32_t ns)
{
	nsbox_config *cfg = nt_cfg(ns);

	if (ns & NSBOX_NS_USER)
		PT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	return cfg;
}

nsbox_config *pt_cfg_exec(uint32_t ns, const char *const *argv)
{
	nsbox_config *cfg = pt_cfg(ns);

	PT_OK(nsbox_config_set_exec(cfg, argv[0], argv, NULL));
	return cfg;
}

nsbox_config *pt_cfg_sleep(uint32_t ns)
{
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	return pt_cfg_exec(ns, argv);
}

nsbox_proc *pt_spawn(nsbox_config *cfg)
{
	nsbox_proc *proc = NULL;
	int r = nsbox_spawn(cfg, &proc);

	NT_ASSERT(r == 0, "nsbox_spawn: %d (%s)", r, nsbox_last_error());
	return proc;
}

int pt_wait_free(nsbox_proc *proc)
{
	int32_t st = 0;
	long deadline = pt_now_ms() + 20000;
	int r;

	while ((r = nsbox_proc_wait(proc, NSBOX_WAIT_NOHANG, &st)) == -EAGAIN) {
		if (pt_now_ms() > deadline) {
			nt_finish(proc);
			NT_ASSERT(0, "the process did not end within 20 s");
		}
		usleep(5000);
	}
	PT_OK(r);
	nsbox_proc_free(proc);
	return st;
}

/* ---- outside views ---- */

/* /proc/PID/NAME, /proc/self/NAME for pid 0. */
static void proc_path(char *path, size_t size, pid_t pid, const char *name)
{
	if (pid)
		snprintf(path, size, "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, size, "/proc/self/%s", name);
}

ssize_t pt_proc_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[128];

	proc_path(path, sizeof(path), pid, name);
	return nt_read_file(path, buf, size);
}

void pt_status_field(pid_t pid, const char *key, char *out, size_t size)
{
	char text[8192], pat[64], *p, *e;
	ssize_t n = pt_proc_read(pid, "status", text, sizeof(text));

	NT_ASSERT(n > 0, "read /proc/%d/status: %s", (int)pid, strerror((int)-n));
	snprintf(pat, sizeof(pat), "\n%s:", key);
	p = strstr(text, pat);
	NT_ASSERT(p != NULL, "no %s in /proc/%d/status", key, (int)pid);
	p += strlen(pat);
	while (*p == ' ' || *p == '\t')
		p++;
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	snprintf(out, size, "%.*s", (int)(e - p), p);
}

void pt_stat_ids(pid_t pid, char *state, long *pgrp, long *session)
{
	char text[2048], *p;
	ssize_t n = pt_proc_read(pid, "stat", text, sizeof(text));
	long ppid;

	NT_ASSERT(n > 0, "read /proc/%d/stat: %s", (int)pid, strerror((int)-n));
	p = strrchr(text, ')');
	NT_ASSERT(p != NULL, "bad /proc/%d/stat", (int)pid);
	NT_ASSERT(sscanf(p + 2, "%c %ld %ld %ld", state, &ppid, pgrp, session) == 4, "bad /proc/%d/stat: %s",
	          (int)pid, text);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

void pt_fd_list(pid_t pid, char *out, size_t size)
{
	char dir[64];
	long fds[512];
	size_t n = 0, off = 0;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	NT_ASSERT(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (n < 512)
			fds[n++] = atol(e->d_name);
	}
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), cmp_long);
	out[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++) {
		int w = snprintf(out + off, size - off, "%s%ld", i ? " " : "", fds[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

void pt_fd_target(pid_t pid, int fd, char *out, size_t size)
{
	char name[32], path[64];
	ssize_t r;

	snprintf(name, sizeof(name), "fd/%d", fd);
	proc_path(path, sizeof(path), pid, name);
	r = readlink(path, out, size - 1);
	NT_ASSERT(r > 0, "readlink %s: %s", path, strerror(errno));
	out[r] = '\0';
}

int pt_children(pid_t pid, long *pids, int max)
{
	char text[4096], name[64], *p, *end;
	int n = 0;

	snprintf(name, sizeof(name), "task/%d/children", (int)pid);
	if (pt_proc_read(pid, name, text, sizeof(text)) < 0)
		return 0;
	for (p = text;; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (n < max)
			pids[n++] = v;
	}
	return n;
}

void pt_wait_sleeping(pid_t pid)
{
	long deadline = pt_now_ms() + 5000;
	char text[256];

	for (;;) {
		long nr = -1;

		text[0] = '\0';
		if (pt_proc_read(pid, "syscall", text, sizeof(text)) > 0)
			nr = strtol(text, NULL, 10);
		if (nr == SYS_clock_nanosleep
#ifdef SYS_nanosleep
		    || nr == SYS_nanosleep
#endif
		)
			return;
		NT_ASSERT(pt_now_ms() < deadline, "process %d never went to sleep (/proc/%d/syscall: %s)", (int)pid,
		          (int)pid, text);
		usleep(2000);
	}
}

int pt_dead(pid_t pid)
{
	char text[2048], *p;

	if (pt_proc_read(pid, "stat", text, sizeof(text)) <= 0)
		return 1;
	p = strrchr(text, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

int pt_dead_within(pid_t pid, long ms)
{
	long deadline = pt_now_ms() + ms;

	while (!pt_dead(pid) && pt_now_ms() < deadline)
		usleep(2000);
	return pt_dead(pid);
}
