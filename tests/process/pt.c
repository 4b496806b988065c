/*
 * pt.c - helpers of the process suite; see pt.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int pt_msg_fd = -1;

void pt_skip(const char *reason)
{
	const char *v = getenv("NSBOX_TEST_MUST_WORK");

	if (v && strcmp(v, "1") == 0) {
		printf("FAIL: %s (NSBOX_TEST_MUST_WORK=1 turns this skip into a failure)\n", reason);
		exit(1);
	}
	printf("SKIP: %s\n", reason);
	exit(77);
}

int pt_userns_works(void)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (geteuid() == 0 && (setgroups(0, NULL) || setresgid(PT_UNPRIV_ID, PT_UNPRIV_ID, PT_UNPRIV_ID) ||
		                       setresuid(PT_UNPRIV_ID, PT_UNPRIV_ID, PT_UNPRIV_ID)))
			_exit(2);
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void pt_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	char msg[4096];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "%s:%d: '%s' failed: ", file, line, expr);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (pt_msg_fd >= 0) {
		ssize_t w = write(pt_msg_fd, msg, strlen(msg));
		(void)w;
		_exit(1);
	}
	ck_abort_msg("%s", msg);
	abort();
}

long pt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void pt_in_child(void (*fn)(void *), void *arg)
{
	int p[2], st = 0;
	char msg[4096];
	ssize_t len = 0, r;
	long deadline = pt_now_ms() + 60000;
	pid_t pid, w;

	PT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	PT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		pt_msg_fd = p[1];
		fn(arg);
		_exit(0);
	}
	close(p[1]);
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && pt_now_ms() < deadline)
		usleep(10000);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	while (len < (ssize_t)sizeof(msg) - 1 && (r = read(p[0], msg + len, sizeof(msg) - 1 - (size_t)len)) > 0)
		len += r;
	msg[len] = '\0';
	close(p[0]);
	PT_ASSERT(w != 0, "forked test process timed out: %s", msg);
	PT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "forked test process: %s: %s", pt_status_str(st),
	          msg[0] ? msg : "(no message)");
}

void pt_drop_privileges(void)
{
	PT_ASSERT(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	PT_ASSERT(setresgid(PT_UNPRIV_ID, PT_UNPRIV_ID, PT_UNPRIV_ID) == 0, "setresgid: %s", strerror(errno));
	PT_ASSERT(setresuid(PT_UNPRIV_ID, PT_UNPRIV_ID, PT_UNPRIV_ID) == 0, "setresuid: %s", strerror(errno));
	PT_ASSERT(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0, "PR_SET_DUMPABLE: %s", strerror(errno));
	PT_ASSERT(geteuid() == PT_UNPRIV_ID, "ids not dropped");
}

/* ---- snapshot ---- */

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static void fd_list(const char *dir, char *out, size_t size, int skip_own)
{
	long fds[512];
	size_t n = 0, off = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	PT_ASSERT(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (skip_own && atoi(e->d_name) == dirfd(d))
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

void pt_snap_take(struct pt_snap *s)
{
	siginfo_t si;

	fd_list("/proc/self/fd", s->fds, sizeof(s->fds), 1);
	PT_ASSERT(pthread_sigmask(SIG_BLOCK, NULL, &s->mask) == 0, "pthread_sigmask");
	memset(&si, 0, sizeof(si));
	s->had_children = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0;
}

void pt_snap_check(const struct pt_snap *s, const char *file, int line)
{
	char now[4096];
	sigset_t mask;
	siginfo_t si;

	fd_list("/proc/self/fd", now, sizeof(now), 1);
	if (strcmp(now, s->fds) != 0)
		pt_fail(file, line, "no fd leak", "fds before: [%s] after: [%s]", s->fds, now);
	PT_ASSERT(pthread_sigmask(SIG_BLOCK, NULL, &mask) == 0, "pthread_sigmask");
	for (int sig = 1; sig < 65; sig++)
		if (sigismember(&mask, sig) != sigismember(&s->mask, sig))
			pt_fail(file, line, "signal mask unchanged", "signal %d changed in the mask", sig);
	if (!s->had_children) {
		memset(&si, 0, sizeof(si));
		errno = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) != -1 || errno != ECHILD)
			pt_fail(file, line, "no child left", "a child is left (pid %d)", (int)si.si_pid);
	}
}

/* ---- payloads ---- */

nsbox_config *pt_cfg_sh(uint32_t ns, int *rd, int *wr, const char *script)
{
	static char text[4096];
	const char *argv[] = { "/bin/sh", "-c", text, NULL };
	nsbox_config *cfg = NULL;
	int p[2];

	PT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	PT_ASSERT(fcntl(p[1], F_SETFD, 0) == 0, "fcntl: %s", strerror(errno));
	/* dash reads only one digit in ">&N": go through /proc for any N. */
	snprintf(text, sizeof(text), "exec >/proc/self/fd/%d; %s", p[1], script);
	PT_OK(nsbox_config_new(&cfg));
	if (ns & NSBOX_NS_USER)
		PT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	PT_OK(nsbox_config_set_namespaces(cfg, ns));
	PT_OK(nsbox_config_set_exec(cfg, argv[0], argv, NULL));
	*rd = p[0];
	*wr = p[1];
	return cfg;
}

nsbox_config *pt_cfg_exec(uint32_t ns, const char *const *argv)
{
	nsbox_config *cfg = NULL;

	PT_OK(nsbox_config_new(&cfg));
	if (ns & NSBOX_NS_USER)
		PT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	PT_OK(nsbox_config_set_namespaces(cfg, ns));
	PT_OK(nsbox_config_set_exec(cfg, argv[0], argv, NULL));
	return cfg;
}

nsbox_config *pt_cfg_sleep(uint32_t ns)
{
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	return pt_cfg_exec(ns, argv);
}

nsbox_proc *pt_spawn(nsbox_config *cfg, int *wr)
{
	nsbox_proc *proc = NULL;
	int r = nsbox_spawn(cfg, &proc);

	if (wr && *wr >= 0) {
		close(*wr);
		*wr = -1;
	}
	PT_ASSERT(r == 0, "nsbox_spawn: %d (%s)", r, nsbox_last_error());
	return proc;
}

int pt_read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	long deadline = pt_now_ms() + 20000;

	while (n + 1 < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - pt_now_ms();
		ssize_t r;
		char c;

		PT_ASSERT(left > 0, "no line from the payload within 20 s (got \"%.*s\")", (int)n, buf);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			buf[n] = '\0';
			return n ? (int)n : -1;
		}
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return (int)n;
}

int pt_finish(nsbox_proc *proc)
{
	int32_t st = 0;

	(void)nsbox_proc_kill(proc, SIGKILL);
	PT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

int pt_wait_free(nsbox_proc *proc)
{
	int32_t st = 0;
	long deadline = pt_now_ms() + 20000;
	int r;

	while ((r = nsbox_proc_wait(proc, NSBOX_WAIT_NOHANG, &st)) == -EAGAIN) {
		if (pt_now_ms() > deadline) {
			nsbox_proc_kill(proc, SIGKILL);
			nsbox_proc_wait(proc, 0, &st);
			nsbox_proc_free(proc);
			PT_ASSERT(0, "the process did not end within 20 s");
		}
		usleep(5000);
	}
	PT_INT(r, ==, 0);
	nsbox_proc_free(proc);
	return st;
}

const char *pt_status_str(int st)
{
	static char buf[64];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", st);
	return buf;
}

/* ---- outside views ---- */

ssize_t pt_proc_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[128];
	size_t n = 0;
	ssize_t r;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

void pt_status_field(pid_t pid, const char *key, char *out, size_t size)
{
	char text[8192], pat[64], *p, *e;
	ssize_t n = pt_proc_read(pid, "status", text, sizeof(text));

	PT_ASSERT(n > 0, "read /proc/%d/status: %s", (int)pid, strerror((int)-n));
	snprintf(pat, sizeof(pat), "\n%s:", key);
	p = strstr(text, pat);
	PT_ASSERT(p != NULL, "no %s in /proc/%d/status", key, (int)pid);
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

	PT_ASSERT(n > 0, "read /proc/%d/stat: %s", (int)pid, strerror((int)-n));
	p = strrchr(text, ')');
	PT_ASSERT(p != NULL, "bad /proc/%d/stat", (int)pid);
	PT_ASSERT(sscanf(p + 2, "%c %ld %ld %ld", state, &ppid, pgrp, session) == 4, "bad /proc/%d/stat: %s",
	          (int)pid, text);
}

void pt_fd_list(pid_t pid, char *out, size_t size)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	fd_list(dir, out, size, 0);
}

void pt_fd_target(pid_t pid, int fd, char *out, size_t size)
{
	char path[64];
	ssize_t r;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = readlink(path, out, size - 1);
	PT_ASSERT(r > 0, "readlink %s: %s", path, strerror(errno));
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

		if (pt_proc_read(pid, "syscall", text, sizeof(text)) > 0)
			nr = strtol(text, NULL, 10);
		if (nr == SYS_clock_nanosleep
#ifdef SYS_nanosleep
		    || nr == SYS_nanosleep
#endif
		)
			return;
		PT_ASSERT(pt_now_ms() < deadline, "process %d never went to sleep (/proc/%d/syscall: %s)", (int)pid,
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
