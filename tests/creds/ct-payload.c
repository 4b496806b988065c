/*
 * ct-payload.c - the payload program of the creds / cgroup / time suites.
 *
 * SPDX-License-Identifier: MIT
 *
 *   ct-payload FD CMD...
 *
 * Runs each CMD in order and reports on descriptor FD, one line each:
 *   ready         "ready"
 *   pid           "pid=N" (getpid)
 *   clocks        "mono=S.NNNNNNNNN boot=S.NNNNNNNNN" (clock_gettime)
 *   uptime        "uptime=S.SS" (first field of /proc/uptime)
 *   mkdir:PATH    "mkdir=E": E is 0 or the errno of the raw mkdir(2)
 *                 system call (not mkdirat); a created directory is removed
 *   mkdirat:PATH  "mkdirat=E": the same with mkdirat(2)
 *   cgroup        "cgroup=PATH": the "0::PATH" line of /proc/self/cgroup
 *   wait          block until killed, the parent dies or 90 s passed (a
 *                 payload that a failed test could not kill does not linger)
 * Exits 0, or 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void clocks(int fd)
{
	struct timespec m, b;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	dprintf(fd, "mono=%lld.%09ld boot=%lld.%09ld\n", (long long)m.tv_sec, m.tv_nsec, (long long)b.tv_sec,
	        b.tv_nsec);
}

static void uptime(int fd)
{
	char buf[128] = { 0 };
	int u = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
	ssize_t n = u >= 0 ? read(u, buf, sizeof(buf) - 1) : -1;

	if (u >= 0)
		close(u);
	if (n <= 0)
		snprintf(buf, sizeof(buf), "error-%d", errno);
	buf[strcspn(buf, " \n")] = '\0';
	dprintf(fd, "uptime=%s\n", buf);
}

static void cgroup(int fd)
{
	char buf[4096] = { 0 }, *p;
	int c = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n = c >= 0 ? read(c, buf, sizeof(buf) - 1) : -1;

	if (c >= 0)
		close(c);
	if (n <= 0) {
		dprintf(fd, "cgroup=error-%d\n", errno);
		return;
	}
	p = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!p) {
		dprintf(fd, "cgroup=none\n");
		return;
	}
	p += p == buf ? 3 : 4;
	p[strcspn(p, "\n")] = '\0';
	dprintf(fd, "cgroup=%s\n", p);
}

static void do_mkdir(int fd, const char *path, int at)
{
	long r;
	int e;

#ifdef SYS_mkdir
	if (!at)
		r = syscall(SYS_mkdir, path, 0700);
	else
#endif
		r = syscall(SYS_mkdirat, AT_FDCWD, path, 0700);
	e = r == 0 ? 0 : errno;

	/* Remove first: a reader that is gone must not leave it behind. */
	if (r == 0)
		rmdir(path);
	dprintf(fd, "%s=%d\n", at ? "mkdirat" : "mkdir", e);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return 2;
	fd = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		const char *c = argv[i];

		if (strcmp(c, "ready") == 0)
			dprintf(fd, "ready\n");
		else if (strcmp(c, "pid") == 0)
			dprintf(fd, "pid=%d\n", (int)getpid());
		else if (strcmp(c, "clocks") == 0)
			clocks(fd);
		else if (strcmp(c, "cgroup") == 0)
			cgroup(fd);
		else if (strcmp(c, "uptime") == 0)
			uptime(fd);
		else if (strncmp(c, "mkdir:", 6) == 0)
			do_mkdir(fd, c + 6, 0);
		else if (strncmp(c, "mkdirat:", 8) == 0)
			do_mkdir(fd, c + 8, 1);
		else if (strcmp(c, "wait") == 0) {
			/* Die with the test process (a failed test cannot kill us). */
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			alarm(90);
			for (;;)
				pause();
		}
		else {
			dprintf(fd, "unknown command %s\n", c);
			return 2;
		}
	}
	return 0;
}
