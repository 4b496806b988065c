/*
 * helpers.c - shared helpers of the libnsbox Check suites; see helpers.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "helpers.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Where NT_ASSERT* report in a forked test child; -1 in the Check process. */
static int nt_msg_fd = -1;

/* ---- suite start-up ----------------------------------------------------- */

void nt_init(void)
{
	const char *old = getenv("PATH");
	char path[4096];

	snprintf(path, sizeof(path), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin%s%s",
	         old ? ":" : "", old ? old : "");
	setenv("PATH", path, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static int must_work(void)
{
	const char *v = getenv("NSBOX_TEST_MUST_WORK");

	return v && strcmp(v, "1") == 0;
}

void nt_skip(const char *reason)
{
	if (must_work()) {
		printf("FAIL: %s (NSBOX_TEST_MUST_WORK=1 turns this skip into a failure)\n", reason);
		exit(1);
	}
	printf("SKIP: %s\n", reason);
	exit(77);
}

void nt_require_root(const char *suite)
{
	char reason[256];

	if (geteuid() == 0)
		return;
	snprintf(reason, sizeof(reason), "the %s suite needs root (euid is %u)", suite,
	         (unsigned)geteuid());
	nt_skip(reason);
}

void nt_require_cmd(const char *cmd)
{
	char buf[4096], reason[256];
	const char *path = getenv("PATH");
	char *save = NULL, *dir;

	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char full[4352];

		snprintf(full, sizeof(full), "%s/%s", dir, cmd);
		if (access(full, X_OK) == 0)
			return;
	}
	snprintf(reason, sizeof(reason), "command %s not found in PATH", cmd);
	nt_skip(reason);
}

void nt_require_userns(void)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		nt_skip("fork failed");
	if (pid == 0) {
		if (geteuid() == 0) {
			if (setgroups(0, NULL) || setresgid(NT_UNPRIV_ID, NT_UNPRIV_ID, NT_UNPRIV_ID) ||
			    setresuid(NT_UNPRIV_ID, NT_UNPRIV_ID, NT_UNPRIV_ID))
				_exit(2);
		}
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		nt_skip("unprivileged user namespaces are not available "
		        "(see /proc/sys/user/max_user_namespaces)");
}

int nt_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

TCase *nt_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	return tc;
}

/* ASan's allocator maps and unmaps memory of its own at any time, so a
 * sanitizer build cannot compare /proc/self/maps; the plain build does. */
#if defined(__SANITIZE_ADDRESS__)
#define NT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NT_ASAN 1
#endif
#endif
#ifndef NT_ASAN
#define NT_ASAN 0
#endif
/* musl's allocator maps and unmaps small groups of its own as well. */
#ifdef __GLIBC__
#define NT_MAPS_ALLOCATOR_STABLE 1
#else
#define NT_MAPS_ALLOCATOR_STABLE 0
#endif

int nt_under_valgrind(void)
{
	const char *v = getenv("NSBOX_TEST_VALGRIND");
	const char *pre = getenv("LD_PRELOAD");

	if (v && strcmp(v, "1") == 0)
		return 1;
	return pre && strstr(pre, "vgpreload") != NULL;
}

/* ---- assertions ------------------------------------------------------------ */

void nt_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	char msg[8192];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "%s:%d: assertion '%s' failed: ", file, line, expr);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);

	if (nt_msg_fd >= 0) {
		/* In a forked child: the parent turns this into the test's failure. */
		size_t len = strlen(msg), off = 0;

		while (off < len) {
			ssize_t w = write(nt_msg_fd, msg + off, len - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		fflush(NULL);
		_exit(1);
	}
	_ck_assert_failed(file, line, "Failed", "%s", msg);
}

/* ---- forked test children ---------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int nt_in_child_try(void (*fn)(void *arg), void *arg, char *why, size_t size)
{
	int p[2], st = 0, done = 0, saved = nt_msg_fd;
	char msg[8192];
	size_t len = 0;
	long deadline;
	pid_t pid;

	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	NT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		nt_msg_fd = p[1];
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	close(p[1]);
	deadline = now_ms() + 60000;
	msg[0] = '\0';
	while (!done) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		pid_t w;

		if (poll(&pfd, 1, 100) > 0) {
			ssize_t r = read(p[0], msg + len, sizeof(msg) - 1 - len);

			if (r > 0) {
				len += (size_t)r;
				msg[len] = '\0';
				if (len < sizeof(msg) - 1)
					continue;
			}
		}
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			ssize_t r;

			/* The child is gone: take what is left, without blocking. */
			fcntl(p[0], F_SETFL, O_NONBLOCK);
			while (len < sizeof(msg) - 1 &&
			       (r = read(p[0], msg + len, sizeof(msg) - 1 - len)) > 0)
				len += (size_t)r;
			msg[len] = '\0';
			done = 1;
		} else if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(msg + len, sizeof(msg) - len, " (forked test child timed out)");
			done = 1;
		}
	}
	close(p[0]);
	nt_msg_fd = saved;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	snprintf(why, size, "forked test child %s: %s", nt_status_str(st),
	         msg[0] ? msg : "(no message)");
	return 0;
}

void nt_in_child(void (*fn)(void *arg), void *arg)
{
	char why[8400];

	if (!nt_in_child_try(fn, arg, why, sizeof(why)))
		nt_fail(__FILE__, __LINE__, "forked test child succeeds", "%s", why);
}

int nt_cgroup_remove(const char *dir)
{
	char procs[4200], text[4096];
	int i;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	for (i = 0; i < 200; i++) {
		char *p, *end;

		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || nt_read_file(procs, text, sizeof(text)) < 0)
			return -errno;
		for (p = text;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (v > 0)
				kill((pid_t)v, SIGKILL);
		}
		usleep(10000);
	}
	return -EBUSY;
}

void nt_drop_privileges(void)
{
	char status[4096], *cap;

	NT_ASSERT(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	NT_ASSERT(setresgid(NT_UNPRIV_ID, NT_UNPRIV_ID, NT_UNPRIV_ID) == 0, "setresgid: %s",
	          strerror(errno));
	NT_ASSERT(setresuid(NT_UNPRIV_ID, NT_UNPRIV_ID, NT_UNPRIV_ID) == 0, "setresuid: %s",
	          strerror(errno));
	/* A uid change makes the process non-dumpable, which a normal
	 * unprivileged process (one that exec'd) is not: its /proc files would
	 * stay root's and it could not even write its own uid_map. */
	NT_ASSERT(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0, "PR_SET_DUMPABLE: %s", strerror(errno));
	NT_ASSERT(getuid() == NT_UNPRIV_ID && geteuid() == NT_UNPRIV_ID && getgid() == NT_UNPRIV_ID,
	          "ids not dropped");
	nt_proc_read(0, "status", status, sizeof(status));
	cap = strstr(status, "CapEff:");
	NT_ASSERT(cap != NULL, "no CapEff in /proc/self/status");
	NT_ASSERT(strncmp(cap, "CapEff:\t0000000000000000", 24) == 0,
	          "capabilities left after dropping privileges: %.40s", cap);
}

/* ---- no-leak snapshot ---------------------------------------------------- */

struct strbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct strbuf *b, const char *text)
{
	size_t n = strlen(text);

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = realloc(b->s, cap);
		NT_ASSERT(b->s != NULL, "out of memory");
		b->cap = cap;
	}
	memcpy(b->s + b->len, text, n + 1);
	b->len += n;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static char *snap_fds(void)
{
	struct strbuf b = { 0 };
	long fds[1024];
	size_t n = 0, i;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	NT_ASSERT(d != NULL, "opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (atoi(e->d_name) == dirfd(d))
			continue;
		if (n < 1024)
			fds[n++] = atol(e->d_name);
	}
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), cmp_long);
	sb_add(&b, "");
	for (i = 0; i < n; i++) {
		char path[64], target[512], line[640];
		ssize_t r;

		snprintf(path, sizeof(path), "/proc/self/fd/%ld", fds[i]);
		r = readlink(path, target, sizeof(target) - 1);
		target[r > 0 ? r : 0] = '\0';
		snprintf(line, sizeof(line), "%ld -> %s\n", fds[i], target);
		sb_add(&b, line);
	}
	return b.s;
}

static char *snap_children(void)
{
	struct strbuf b = { 0 };
	long pids[1024];
	size_t n = 0, i;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	NT_ASSERT(d != NULL, "opendir /proc/self/task: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char path[320], text[8192], *p, *end;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		if (nt_read_file(path, text, sizeof(text)) < 0)
			continue; /* the thread ended meanwhile */
		for (p = text;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (n < 1024)
				pids[n++] = v;
		}
	}
	closedir(d);
	qsort(pids, n, sizeof(pids[0]), cmp_long);
	sb_add(&b, "");
	for (i = 0; i < n; i++) {
		char line[64];

		snprintf(line, sizeof(line), "%ld ", pids[i]);
		sb_add(&b, line);
	}
	return b.s;
}

/* Static, so that reading the maps does not itself change them. */
static char maps_buf[1 << 20];

static int read_maps(void)
{
	ssize_t n = nt_read_file("/proc/self/maps", maps_buf, sizeof(maps_buf));
	int lines = 0;
	char *p;

	NT_ASSERT(n >= 0, "read /proc/self/maps: %s", strerror((int)-n));
	for (p = maps_buf; *p; p++)
		lines += *p == '\n';
	return lines;
}

int nt_under_asan(void)
{
	return NT_ASAN;
}

int nt_maps_reliable(void)
{
	return !nt_under_valgrind() && !NT_ASAN && NT_MAPS_ALLOCATOR_STABLE;
}

int nt_maps_count(void)
{
	return read_maps();
}

static char *snap_maps(int *count)
{
	struct strbuf b = { 0 };
	char *line, *save = NULL;

	*count = read_maps();
	sb_add(&b, "");
	for (line = strtok_r(maps_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "[heap]") || strstr(line, "[stack]"))
			continue;
		sb_add(&b, line);
		sb_add(&b, "\n");
	}
	return b.s;
}

static void snap_signals(sigset_t *mask, struct nt_sigact *act)
{
	int sig;

	NT_ASSERT(pthread_sigmask(SIG_BLOCK, NULL, mask) == 0, "pthread_sigmask query");
	for (sig = 1; sig <= 64; sig++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		memset(&act[sig], 0, sizeof(act[sig]));
		if (sigaction(sig, NULL, &sa) != 0) {
			act[sig].rc = errno;
			continue;
		}
		act[sig].handler = (uintptr_t)sa.sa_handler;
		act[sig].flags = sa.sa_flags;
		act[sig].mask = sa.sa_mask;
	}
}

void nt_snap_take(struct nt_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->fds = snap_fds();
	s->children = snap_children();
	if (nt_maps_reliable())
		s->maps = snap_maps(&s->nmaps);
	snap_signals(&s->mask, s->act);
}

/* First line of @a that is not in @b, for messages. */
static void first_diff(const char *a, const char *b, char *out, size_t size)
{
	const char *p = a;

	out[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		const char *q;
		int found = 0;

		snprintf(line, sizeof(line), "%.*s", (int)(len < 1000 ? len : 1000), p);
		for (q = b; (q = strstr(q, line)) != NULL; q++) {
			if ((q == b || q[-1] == '\n') && (q[len] == '\n' || q[len] == '\0')) {
				found = 1;
				break;
			}
		}
		if (!found) {
			snprintf(out, size, "%s", line);
			return;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

void nt_snap_check(struct nt_snap *s, const char *file, int line)
{
	struct nt_snap now;
	char why[8192];
	size_t n = 0;
	int sig;

#define WHY(...)                                                                                  \
	do {                                                                                      \
		if (n < sizeof(why))                                                              \
			n += (size_t)snprintf(why + n, sizeof(why) - n, __VA_ARGS__);             \
	} while (0)

	why[0] = '\0';
	memset(&now, 0, sizeof(now));
	now.fds = snap_fds();
	now.children = snap_children();
	snap_signals(&now.mask, now.act);

	if (strcmp(s->fds, now.fds) != 0)
		WHY("open fds changed:\n--- before\n%s--- after\n%s", s->fds, now.fds);
	if (strcmp(s->children, now.children) != 0)
		WHY("children changed: before [%s] after [%s]\n", s->children, now.children);
	if (s->children[0] == '\0') {
		siginfo_t si;
		int r;

		memset(&si, 0, sizeof(si));
		r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL);
		if (!(r == -1 && errno == ECHILD))
			WHY("waitid(P_ALL, WNOHANG|__WALL) found a child (r=%d, pid %d)\n", r,
			    (int)si.si_pid);
	}
	for (sig = 1; sig <= 64; sig++) {
		if (sigismember(&s->mask, sig) != sigismember(&now.mask, sig))
			WHY("signal mask changed for signal %d (%s)\n", sig,
			    sigismember(&now.mask, sig) ? "now blocked" : "now unblocked");
		if (s->act[sig].rc != now.act[sig].rc || s->act[sig].handler != now.act[sig].handler ||
		    s->act[sig].flags != now.act[sig].flags)
			WHY("disposition of signal %d changed: handler %#lx flags %#x -> "
			    "handler %#lx flags %#x\n",
			    sig, (unsigned long)s->act[sig].handler, s->act[sig].flags,
			    (unsigned long)now.act[sig].handler, now.act[sig].flags);
		else {
			int k;

			for (k = 1; k <= 64; k++)
				if (sigismember(&s->act[sig].mask, k) !=
				    sigismember(&now.act[sig].mask, k)) {
					WHY("sa_mask of signal %d changed\n", sig);
					break;
				}
		}
	}
	if (s->maps) {
		now.maps = snap_maps(&now.nmaps);
		if (now.nmaps != s->nmaps || strcmp(s->maps, now.maps) != 0) {
			char gone[1024], added[1024];

			first_diff(s->maps, now.maps, gone, sizeof(gone));
			first_diff(now.maps, s->maps, added, sizeof(added));
			WHY("/proc/self/maps changed: %d -> %d lines; first removed [%s], "
			    "first added [%s]\n",
			    s->nmaps, now.nmaps, gone, added);
		}
	}
#undef WHY
	free(s->fds);
	free(s->children);
	free(s->maps);
	free(now.fds);
	free(now.children);
	free(now.maps);
	memset(s, 0, sizeof(*s));
	if (why[0])
		nt_fail(file, line, "nothing leaked", "%s", why);
}

/* ---- payloads ----------------------------------------------------------------- */

nsbox_config *nt_cfg(uint32_t ns)
{
	nsbox_config *cfg = NULL;

	NT_OK(nsbox_config_new(&cfg));
	NT_ASSERT(cfg != NULL, "nsbox_config_new gave NULL");
	NT_OK(nsbox_config_set_namespaces(cfg, ns));
	return cfg;
}

static void cfg_sh_v(nsbox_config *cfg, int *rd, int *wr, const char *fmt, va_list ap)
{
	char script[8192];
	const char *argv[4];
	int p[2], n;

	NT_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	NT_ASSERT(fcntl(p[0], F_SETFD, FD_CLOEXEC) == 0, "fcntl");
	n = snprintf(script, sizeof(script), "exec >&%d %d>&-; ", p[1], p[1]);
	vsnprintf(script + n, sizeof(script) - (size_t)n, fmt, ap);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	*rd = p[0];
	*wr = p[1];
}

void nt_cfg_sh(nsbox_config *cfg, int *rd, int *wr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_sh_v(cfg, rd, wr, fmt, ap);
	va_end(ap);
}

nsbox_proc *nt_spawn_sh(nsbox_config *cfg, int *rd, const char *fmt, ...)
{
	nsbox_proc *proc = NULL;
	va_list ap;
	int wr, r;

	va_start(ap, fmt);
	cfg_sh_v(cfg, rd, &wr, fmt, ap);
	va_end(ap);
	r = nsbox_spawn(cfg, &proc);
	close(wr);
	if (r < 0)
		close(*rd);
	NT_ASSERT(r == 0, "nsbox_spawn: %d (%s): %s", r, strerror(-r), nsbox_last_error());
	NT_ASSERT(proc != NULL, "nsbox_spawn gave no process");
	return proc;
}

static int wait_readable(int fd, long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long left = deadline - now_ms();
	int r;

	if (left < 0)
		left = 0;
	do
		r = poll(&pfd, 1, (int)left);
	while (r < 0 && errno == EINTR);
	return r;
}

int nt_read_line(int fd, char *buf, size_t size)
{
	long deadline = now_ms() + NT_IO_TIMEOUT_MS;
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t r;

		NT_ASSERT(wait_readable(fd, deadline) > 0, "timed out reading a line (got \"%.*s\")",
		          (int)len, buf);
		r = read(fd, buf + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		NT_ASSERT(r >= 0, "read: %s", strerror(errno));
		if (r == 0) {
			buf[len] = '\0';
			return len ? (int)len : -1;
		}
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return (int)len;
}

size_t nt_read_all(int fd, char *buf, size_t size)
{
	long deadline = now_ms() + NT_IO_TIMEOUT_MS;
	size_t len = 0;

	for (;;) {
		ssize_t r;

		NT_ASSERT(wait_readable(fd, deadline) > 0, "timed out reading until EOF (got \"%.*s\")",
		          (int)len, buf);
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		NT_ASSERT(r >= 0, "read: %s", strerror(errno));
		if (r == 0)
			break;
		len += (size_t)r;
		if (len + 1 >= size)
			break;
	}
	buf[len] = '\0';
	return len;
}

void nt_expect_ready(int fd)
{
	char line[512];
	int n = nt_read_line(fd, line, sizeof(line));

	NT_ASSERT(n >= 0 && strcmp(line, "ready") == 0, "expected \"ready\" from the payload, got %s%s%s",
	          n < 0 ? "EOF" : "\"", n < 0 ? "" : line, n < 0 ? "" : "\"");
}

int nt_finish(nsbox_proc *proc)
{
	int32_t st = 0;

	/* cleanup, not under test: valgrind 3.19 lacks pidfd_send_signal */
	if (nsbox_proc_kill(proc, SIGKILL) == -ENOSYS)
		kill(nsbox_proc_pid(proc), SIGKILL);
	NT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

int nt_wait_free(nsbox_proc *proc)
{
	int32_t st = 0;

	NT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

const char *nt_status_str(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

/* ---- outside views ---------------------------------------------------------- */

static int sh_v(char *out, size_t size, const char *fmt, va_list ap)
{
	char cmd[8192], dummy[4096];
	int p[2], st = 0;
	pid_t pid;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (!out) {
		out = dummy;
		size = sizeof(dummy);
	}
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	NT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	nt_read_all(p[0], out, size);
	close(p[0]);
	NT_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	return st;
}

int nt_sh(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = sh_v(out, size, fmt, ap);
	va_end(ap);
	return st;
}

void nt_sh_ok(char *out, size_t size, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = nt_sh(out, size, "%s", cmd);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "command `%s` %s (output \"%s\")", cmd,
	          nt_status_str(st), out ? out : "");
}

ssize_t nt_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

void nt_proc_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[256];
	ssize_t r;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	r = nt_read_file(path, buf, size);
	NT_ASSERT(r >= 0, "read %s: %s", path, strerror((int)-r));
}

int nt_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, text, len);
	if (w < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return (size_t)w == len ? 0 : -EIO;
}

struct nt_nsid nt_ns(pid_t pid, const char *kind)
{
	struct nt_nsid id;
	struct stat st;
	char path[128];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
	NT_ASSERT(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	id.dev = (uint64_t)st.st_dev;
	id.ino = (uint64_t)st.st_ino;
	return id;
}

int nt_ns_eq(struct nt_nsid a, struct nt_nsid b)
{
	return a.dev == b.dev && a.ino == b.ino;
}

void nt_assert_ns_differs(pid_t pid, const char *kind)
{
	struct nt_nsid a = nt_ns(pid, kind), b = nt_ns(0, kind);

	NT_ASSERT(!nt_ns_eq(a, b), "pid %d shares the caller's %s namespace (inode %llu)", (int)pid,
	          kind, (unsigned long long)a.ino);
}

void nt_assert_ns_same(pid_t pid, const char *kind)
{
	struct nt_nsid a = nt_ns(pid, kind), b = nt_ns(0, kind);

	NT_ASSERT(nt_ns_eq(a, b), "pid %d has another %s namespace (%llu) than the caller (%llu)",
	          (int)pid, kind, (unsigned long long)a.ino, (unsigned long long)b.ino);
}

const char *nt_ns_name(uint32_t bit)
{
	switch (bit) {
	case NSBOX_NS_MOUNT:
		return "mnt";
	case NSBOX_NS_UTS:
		return "uts";
	case NSBOX_NS_IPC:
		return "ipc";
	case NSBOX_NS_PID:
		return "pid";
	case NSBOX_NS_NET:
		return "net";
	case NSBOX_NS_USER:
		return "user";
	case NSBOX_NS_CGROUP:
		return "cgroup";
	case NSBOX_NS_TIME:
		return "time";
	default:
		return "?";
	}
}

void nt_root_mountinfo(pid_t pid, char *buf, size_t size)
{
	static char text[1 << 18];
	char *line, *save = NULL;

	nt_proc_read(pid, "mountinfo", text, sizeof(text));
	buf[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[4096];

		/* id parent major:minor root mountpoint ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, "/") == 0)
			snprintf(buf, size, "%s", line);
	}
	NT_ASSERT(buf[0] != '\0', "no root mount in /proc/%d/mountinfo", (int)pid);
}

void nt_mounts_at(pid_t pid, const char *mp, char *buf, size_t size)
{
	static char text[1 << 18];
	char *line, *save = NULL;
	size_t n = 0;

	buf[0] = '\0';
	nt_proc_read(pid, "mountinfo", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char m[4096];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", m) == 1 && strcmp(m, mp) == 0 &&
		    n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s\n", line);
	}
}

void nt_cgroup2_mount(char *buf, size_t size)
{
	static char text[1 << 18];
	char *line, *save = NULL;

	buf[0] = '\0';
	nt_proc_read(0, "mountinfo", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[512], fstype[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep, " - %63s", fstype) != 1 || strcmp(fstype, "cgroup2") != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1) {
			snprintf(buf, size, "%s", mp);
			return;
		}
	}
}

void nt_hostname(char *buf, size_t size)
{
	NT_ASSERT(gethostname(buf, size) == 0, "gethostname: %s", strerror(errno));
	buf[size - 1] = '\0';
}

char *nt_chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

const char *nt_tag(void)
{
	static char buf[64];
	static int n;

	snprintf(buf, sizeof(buf), "nsbox-t%d-%d", (int)getpid(), n++);
	return buf;
}

int nt_parse_map(const char *text, struct nt_map_line *lines, int max)
{
	const char *p = text;
	int n = 0;

	while (*p && n < max) {
		unsigned long a, b, c;
		int used = 0;

		if (sscanf(p, " %lu %lu %lu%n", &a, &b, &c, &used) != 3)
			break;
		lines[n].inside = (uint32_t)a;
		lines[n].outside = (uint32_t)b;
		lines[n].count = (uint32_t)c;
		n++;
		p += used;
	}
	return n;
}
