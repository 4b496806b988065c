/*
 * hostile.c - helpers shared by the hostile-host suites; see hostile.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "hostile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const kind_names[HX_KIND_MAX] = {
	[HX_EXEC_PLAIN] = "exec",
	[HX_EXEC_USER_ROOT] = "exec user+uts map-root",
	[HX_EXEC_MULTIMAP] = "exec user two-line maps",
	[HX_EXEC_PID_UTS] = "exec pid+uts hostname",
	[HX_EXEC_FORK] = "exec uts fork-style",
	[HX_CALLBACK] = "callback",
	[HX_CALLBACK_NS] = "callback pid+uts hostname",
};

const char *hx_kind_name(enum hx_kind k)
{
	return k < HX_KIND_MAX ? kind_names[k] : "?";
}

int hx_is_callback(enum hx_kind k)
{
	return k == HX_CALLBACK || k == HX_CALLBACK_NS;
}

nsbox_config *hx_cfg(enum hx_kind k)
{
	return hx_cfg_path(k, 0);
}

nsbox_config *hx_cfg_path(enum hx_kind k, int no_clone3)
{
	nsbox_config *cfg = nt_cfg(0);

	switch (k) {
	case HX_EXEC_PLAIN:
	case HX_CALLBACK:
		break;
	case HX_EXEC_USER_ROOT:
		NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_USER | NSBOX_NS_UTS));
		NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
		break;
	case HX_EXEC_MULTIMAP:
		/* Two lines: only a privileged parent may write them. */
		NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_USER));
		NT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1));
		NT_OK(nsbox_config_add_uid_map(cfg, 1, 100000, 1000));
		NT_OK(nsbox_config_add_gid_map(cfg, 0, 0, 1));
		NT_OK(nsbox_config_add_gid_map(cfg, 1, 100000, 1000));
		break;
	case HX_EXEC_PID_UTS:
	case HX_CALLBACK_NS:
		NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_PID | NSBOX_NS_UTS));
		NT_OK(nsbox_config_set_hostname(cfg, "hx-host"));
		break;
	case HX_EXEC_FORK:
		NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS));
		NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
		break;
	default:
		NT_ASSERT(0, "unknown kind %d", (int)k);
	}
	if (no_clone3)
		NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3 | (k == HX_EXEC_FORK ? NSBOX_SPAWN_FORK : 0)));
	return cfg;
}

Suite *hx_suite_start(const char *name)
{
	nt_init();
	/* Under valgrind the library's clones, the signal state and the
	 * descriptor table are valgrind's, not what these tests measure. */
	if (nt_under_valgrind())
		nt_skip("the hostile suites measure the kernel's view of the library's own children "
		        "(fds, masks, seccomp, rlimits), which valgrind changes: exclude suite 'hostile' "
		        "from the valgrind setup");
	nt_require_root(name);
	(void)hx_payload();
	return suite_create(name);
}

TCase *hx_tcase(Suite *s, const char *name)
{
	TCase *tc = nt_tcase(name);

	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return tc;
}

const char *hx_payload(void)
{
	const char *p = getenv("NSBOX_HOSTILE_PAYLOAD");

	NT_ASSERT(p && p[0] == '/', "NSBOX_HOSTILE_PAYLOAD is not set (run the suite with meson test)");
	return p;
}

void hx_set_payload(nsbox_config *cfg, const char *a1, const char *a2, const char *a3)
{
	const char *argv[5] = { "hostile-payload", a1, a1 ? a2 : NULL, a1 && a2 ? a3 : NULL, NULL };

	NT_OK(nsbox_config_set_exec(cfg, hx_payload(), argv, NULL));
}

void hx_set_kind_payload(nsbox_config *cfg, enum hx_kind k, int (*fn)(void *), const char *a1, const char *a2,
                         const char *a3)
{
	if (hx_is_callback(k))
		NT_OK(nsbox_config_set_callback(cfg, fn, NULL));
	else
		hx_set_payload(cfg, a1, a2, a3);
}

void hx_finish_killed(nsbox_proc *p, const char *what)
{
	int st = nt_finish(p);

	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: %s", what, nt_status_str(st));
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int hx_fds(pid_t pid, int *fds, int max)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/fd");
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		int fd;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		fd = atoi(e->d_name);
		if (pid == 0 && fd == dirfd(d))
			continue;
		if (n < max)
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, (size_t)n, sizeof(fds[0]), cmp_int);
	return n;
}

const char *hx_fds_str(const int *fds, int n, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%d", i ? " " : "", fds[i]);
	return buf;
}

int hx_sigfield(pid_t pid, const char *field, uint64_t *v)
{
	char path[64], text[4096], key[32], *p;
	ssize_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	n = nt_read_file(path, text, sizeof(text));
	if (n < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(text, key);
	if (!p)
		return -1;
	*v = (uint64_t)strtoull(p + strlen(key), NULL, 16);
	return 0;
}

long hx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int hx_wait_gone(pid_t pid, int ms)
{
	long deadline = hx_now_ms() + ms;

	for (;;) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 1;
		if (hx_now_ms() > deadline)
			return 0;
		usleep(2000);
	}
}
