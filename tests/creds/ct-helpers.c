/*
 * ct-helpers.c - helpers of the creds / cgroup / time suites; see ct-helpers.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ct-helpers.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int msg_fd = -1; /* where CT_* report in a forked test child */
static pid_t main_pid;
static char payload_dir[64];
static char payload_path[128];

/* ---- start-up ---- */

static void remove_payload_copy(void)
{
	if (getpid() != main_pid || !payload_dir[0])
		return;
	unlink(payload_path);
	rmdir(payload_dir);
}

/* Copy the payload program to a 0755 directory under /tmp: the build tree
 * may sit below a directory that uid 65534 cannot search. */
static void copy_payload(void)
{
	const char *src = getenv("CT_PAYLOAD");
	char buf[65536];
	int in, out;
	ssize_t n;

	if (!src || !src[0])
		return;
	snprintf(payload_dir, sizeof(payload_dir), "/tmp/nsbox-ct-XXXXXX");
	if (!mkdtemp(payload_dir)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	chmod(payload_dir, 0755);
	snprintf(payload_path, sizeof(payload_path), "%s/ct-payload", payload_dir);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(payload_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0 || out < 0) {
		fprintf(stderr, "copy %s to %s: %s\n", src, payload_path, strerror(errno));
		exit(1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			fprintf(stderr, "write %s: %s\n", payload_path, strerror(errno));
			exit(1);
		}
	close(in);
	close(out);
	atexit(remove_payload_copy);
}

void ct_init(void)
{
	const char *old = getenv("PATH");
	char path[4096];

	snprintf(path, sizeof(path), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin%s%s",
	         old ? ":" : "", old ? old : "");
	setenv("PATH", path, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The library's exec payloads share the parent's memory until execve
	 * (clone with CLONE_VM), which valgrind cannot emulate: it aborts the
	 * whole run. These suites are checked under ASan+UBSan instead. */
	if ((getenv("NSBOX_TEST_VALGRIND") && strcmp(getenv("NSBOX_TEST_VALGRIND"), "1") == 0) ||
	    (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")))
		ct_skip("valgrind cannot run the clone flags of these suites (use -Db_sanitize=address,undefined)");
	main_pid = getpid();
	copy_payload();
}

int ct_must_work(void)
{
	const char *v = getenv("NSBOX_TEST_MUST_WORK");

	return v && strcmp(v, "1") == 0;
}

void ct_skip(const char *fmt, ...)
{
	int must = ct_must_work();
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (must) {
		printf("FAIL: %s (NSBOX_TEST_MUST_WORK=1 turns this skip into a failure)\n", reason);
		exit(1);
	}
	printf("SKIP: %s\n", reason);
	exit(77);
}

void ct_require_root(const char *suite)
{
	if (geteuid() != 0)
		ct_skip("the %s suite needs root (euid is %u)", suite, (unsigned)geteuid());
}

int ct_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

TCase *ct_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	return tc;
}

/* ---- assertions ---- */

void ct_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: '%s' failed: ", file, line, expr);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (msg_fd >= 0) {
		size_t len = strlen(msg), off = 0;

		while (off < len) {
			ssize_t w = write(msg_fd, msg + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		_exit(1);
	}
	_ck_assert_failed(file, line, "Failed", "%s", msg);
}

/* ---- forked test children ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int ct_in_child_try(void (*fn)(void *arg), void *arg, char *out, size_t size)
{
	char msg[8192];
	size_t len = 0;
	long deadline;
	int p[2], st = 0, saved = msg_fd;
	pid_t pid;

	CT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	CT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		msg_fd = p[1];
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	close(p[1]);
	msg[0] = '\0';
	deadline = now_ms() + 60000;
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 100) > 0 && len < sizeof(msg) - 1) {
			r = read(p[0], msg + len, sizeof(msg) - 1 - len);
			if (r > 0) {
				len += (size_t)r;
				continue;
			}
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			len += (size_t)snprintf(msg + len, sizeof(msg) - len, " (forked test child timed out)");
			break;
		}
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (ssize_t r; len < sizeof(msg) - 1 && (r = read(p[0], msg + len, sizeof(msg) - 1 - len)) > 0;)
		len += (size_t)r;
	msg[len < sizeof(msg) ? len : sizeof(msg) - 1] = '\0';
	close(p[0]);
	msg_fd = saved;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(out, size, "forked test child %s: %s", ct_status_str(st), msg[0] ? msg : "(no message)");
	return -1;
}

void ct_in_child(void (*fn)(void *arg), void *arg)
{
	char msg[8400];

	if (ct_in_child_try(fn, arg, msg, sizeof(msg)) < 0)
		ct_fail(__FILE__, __LINE__, "the forked test child succeeded", "%s", msg);
}

void ct_drop_to_nobody(void)
{
	CT_ASSERT(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	CT_ASSERT(setresgid(CT_UNPRIV, CT_UNPRIV, CT_UNPRIV) == 0, "setresgid: %s", strerror(errno));
	CT_ASSERT(setresuid(CT_UNPRIV, CT_UNPRIV, CT_UNPRIV) == 0, "setresuid: %s", strerror(errno));
	/* The uid change made us non-dumpable: our /proc files would be root's,
	 * unlike those of a normal unprivileged process. */
	CT_ASSERT(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0, "PR_SET_DUMPABLE: %s", strerror(errno));
	CT_ASSERT(getuid() == CT_UNPRIV && geteuid() == CT_UNPRIV && getgid() == CT_UNPRIV, "ids not dropped");
	CT_ASSERT(ct_status_hex(0, "CapEff") == 0 && ct_status_hex(0, "CapPrm") == 0,
	          "capabilities left after dropping to %d", CT_UNPRIV);
}

/* ---- no-leak snapshot ---- */

static void add(char **s, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*s = realloc(*s, *cap);
		CT_ASSERT(*s != NULL, "out of memory");
	}
	memcpy(*s + *len, text, n + 1);
	*len += n;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static char *list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long fds[1024];
	size_t n = 0, len = 0, cap = 0;
	char *s = NULL;

	CT_ASSERT(d != NULL, "opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]) && atoi(e->d_name) != dirfd(d) && n < 1024)
			fds[n++] = atol(e->d_name);
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), cmp_long);
	add(&s, &len, &cap, "");
	for (size_t i = 0; i < n; i++) {
		char path[64], target[512], line[640];
		ssize_t r;

		snprintf(path, sizeof(path), "/proc/self/fd/%ld", fds[i]);
		r = readlink(path, target, sizeof(target) - 1);
		target[r > 0 ? r : 0] = '\0';
		snprintf(line, sizeof(line), "%ld -> %s\n", fds[i], target);
		add(&s, &len, &cap, line);
	}
	return s;
}

static char *list_children(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	long pids[1024];
	size_t n = 0, len = 0, cap = 0;
	char *s = NULL;

	CT_ASSERT(d != NULL, "opendir /proc/self/task: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char path[300], text[8192], *p, *end;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		if (ct_read_file(path, text, sizeof(text)) < 0)
			continue;
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
	add(&s, &len, &cap, "");
	for (size_t i = 0; i < n; i++) {
		char line[32];
		snprintf(line, sizeof(line), "%ld ", pids[i]);
		add(&s, &len, &cap, line);
	}
	return s;
}

void ct_snap_take(struct ct_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->fds = list_fds();
	s->children = list_children();
	CT_ASSERT(pthread_sigmask(SIG_BLOCK, NULL, &s->mask) == 0, "pthread_sigmask");
}

void ct_snap_check(struct ct_snap *s, const char *file, int line)
{
	char why[8192];
	size_t n = 0;
	sigset_t mask;
	char *fds = list_fds(), *children = list_children();

#define WHY(...)                                                                                  \
	do {                                                                                      \
		if (n < sizeof(why))                                                              \
			n += (size_t)snprintf(why + n, sizeof(why) - n, __VA_ARGS__);             \
	} while (0)
	why[0] = '\0';
	if (strcmp(s->fds, fds) != 0)
		WHY("open fds changed:\n--- before\n%s--- after\n%s", s->fds, fds);
	if (strcmp(s->children, children) != 0)
		WHY("children changed: before [%s] after [%s]\n", s->children, children);
	if (!s->children[0]) {
		siginfo_t si;
		int r;

		memset(&si, 0, sizeof(si));
		r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL);
		if (!(r == -1 && errno == ECHILD))
			WHY("a child or zombie is left (waitid: r=%d pid %d)\n", r, (int)si.si_pid);
	}
	CT_ASSERT(pthread_sigmask(SIG_BLOCK, NULL, &mask) == 0, "pthread_sigmask");
	for (int sig = 1; sig < 65; sig++)
		if (sigismember(&s->mask, sig) != sigismember(&mask, sig))
			WHY("signal mask changed for signal %d\n", sig);
#undef WHY
	free(s->fds);
	free(s->children);
	free(fds);
	free(children);
	memset(s, 0, sizeof(*s));
	if (why[0])
		ct_fail(file, line, "nothing leaked", "%s", why);
}

/* ---- payloads ---- */

const char *ct_payload(void)
{
	CT_ASSERT(payload_path[0], "CT_PAYLOAD is not set (run the suite with meson test)");
	return payload_path;
}

nsbox_config *ct_cfg(uint32_t ns)
{
	nsbox_config *cfg = NULL;

	CT_OK(nsbox_config_new(&cfg));
	CT_OK(nsbox_config_set_namespaces(cfg, ns));
	return cfg;
}

void ct_cfg_payload(nsbox_config *cfg, int *rd, int *wr, const char *const *cmds)
{
	const char *argv[32];
	char fdbuf[16];
	int p[2], n = 0;

	CT_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	CT_ASSERT(fcntl(p[0], F_SETFD, FD_CLOEXEC) == 0, "fcntl: %s", strerror(errno));
	snprintf(fdbuf, sizeof(fdbuf), "%d", p[1]);
	argv[n++] = "ct-payload";
	argv[n++] = fdbuf;
	while (cmds && *cmds && n < 31)
		argv[n++] = *cmds++;
	argv[n] = NULL;
	/* The strings are copied by the library. */
	CT_OK(nsbox_config_set_exec(cfg, ct_payload(), argv, NULL));
	*rd = p[0];
	*wr = p[1];
}

nsbox_proc *ct_spawn(nsbox_config *cfg, int wr)
{
	nsbox_proc *proc = NULL;
	int r = nsbox_spawn(cfg, &proc);

	if (wr >= 0)
		close(wr);
	CT_ASSERT(r == 0, "nsbox_spawn: %d (%s): %s", r, strerror(-r), nsbox_last_error());
	CT_ASSERT(proc != NULL, "nsbox_spawn gave no process");
	return proc;
}

int ct_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

int ct_read_line(int fd, char *buf, size_t size)
{
	long deadline = now_ms() + CT_IO_TIMEOUT_MS;
	size_t len = 0;

	while (len + 1 < size) {
		long left = deadline - now_ms();
		ssize_t r;

		CT_ASSERT(left > 0 && ct_readable(fd, (int)left), "timed out reading a line (got \"%.*s\")",
		          (int)len, buf);
		r = read(fd, buf + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		CT_ASSERT(r >= 0, "read: %s", strerror(errno));
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

void ct_expect_ready(int fd)
{
	char line[256];
	int n = ct_read_line(fd, line, sizeof(line));

	CT_ASSERT(n >= 0 && strcmp(line, "ready") == 0, "expected \"ready\" from the payload, got %s%s%s",
	          n < 0 ? "EOF" : "\"", n < 0 ? "" : line, n < 0 ? "" : "\"");
}

int ct_finish(nsbox_proc *proc)
{
	int32_t st = 0;

	nsbox_proc_kill(proc, SIGKILL);
	CT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

int ct_wait_free(nsbox_proc *proc)
{
	int32_t st = 0;

	CT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

const char *ct_status_str(int status)
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

/* ---- outside views ---- */

ssize_t ct_read_file(const char *path, char *buf, size_t size)
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

int ct_write_file(const char *path, const char *text)
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

void ct_proc_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[256];
	ssize_t r;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	r = ct_read_file(path, buf, size);
	CT_ASSERT(r >= 0, "read %s: %s", path, strerror((int)-r));
}

void ct_status(pid_t pid, const char *field, char *out, size_t size)
{
	char text[8192], key[64], *p, *end;
	size_t n;

	ct_proc_read(pid, "status", text, sizeof(text));
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(text, key);
	CT_ASSERT(p != NULL, "no %s line in /proc/%d/status", field, (int)pid);
	p += strlen(key);
	while (*p == '\t' || *p == ' ')
		p++;
	end = strchr(p, '\n');
	n = end ? (size_t)(end - p) : strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	snprintf(out, size, "%.*s", (int)n, p);
}

uint64_t ct_status_hex(pid_t pid, const char *field)
{
	char v[128], *end;
	unsigned long long x;

	ct_status(pid, field, v, sizeof(v));
	x = strtoull(v, &end, 16);
	CT_ASSERT(end != v, "%s is not hexadecimal: \"%s\"", field, v);
	return x;
}

long ct_status_long(pid_t pid, const char *field)
{
	char v[128], *end;
	long x;

	ct_status(pid, field, v, sizeof(v));
	x = strtol(v, &end, 10);
	CT_ASSERT(end != v, "%s is not a number: \"%s\"", field, v);
	return x;
}

int ct_cap_last(void)
{
	char buf[32];
	ssize_t r = ct_read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf));

	CT_ASSERT(r > 0, "read /proc/sys/kernel/cap_last_cap: %s", strerror((int)-r));
	return atoi(buf);
}

uint64_t ct_full_caps(void)
{
	int last = ct_cap_last();

	return last >= 63 ? ~(uint64_t)0 : ((uint64_t)1 << (last + 1)) - 1;
}

uint64_t ct_ns_ino(pid_t pid, const char *kind)
{
	char path[128];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
	CT_ASSERT(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	return (uint64_t)st.st_ino;
}

int ct_is_mounted(const char *path)
{
	static char text[1 << 20];
	char *line, *save = NULL;
	ssize_t r = ct_read_file("/proc/self/mountinfo", text, sizeof(text));

	CT_ASSERT(r >= 0, "read /proc/self/mountinfo: %s", strerror((int)-r));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[4096];

		/* id parent major:minor root mount-point ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0)
			return 1;
	}
	return 0;
}

const char *ct_tag(void)
{
	static char buf[64];
	static int n;

	snprintf(buf, sizeof(buf), "ct%d-%d", (int)getpid(), ++n);
	return buf;
}
