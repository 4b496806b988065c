/*
 * mt.c - helpers of the mount feature's Check suites; see mt.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "mt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int msg_fd = -1;

/* ---- start-up ---- */

void mt_init(void)
{
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void mt_skip(const char *reason)
{
	if (mt_must_work()) {
		printf("FAIL: %s (NSBOX_TEST_MUST_WORK=1 turns this skip into a failure)\n", reason);
		exit(1);
	}
	printf("SKIP: %s\n", reason);
	exit(77);
}

void mt_require_root(const char *suite)
{
	char reason[256];

	if (geteuid() == 0)
		return;
	snprintf(reason, sizeof(reason), "the %s suite needs root (euid is %u)", suite, (unsigned)geteuid());
	mt_skip(reason);
}

int mt_userns_available(void)
{
	int st = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(MT_UNPRIV_ID, MT_UNPRIV_ID, MT_UNPRIV_ID) ||
		    setresuid(MT_UNPRIV_ID, MT_UNPRIV_ID, MT_UNPRIV_ID))
			_exit(2);
		_exit(unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int mt_must_work(void)
{
	const char *v = getenv("NSBOX_TEST_MUST_WORK");

	return v && strcmp(v, "1") == 0;
}

int mt_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

TCase *mt_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	return tc;
}

/* ---- assertions ---- */

void mt_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "%s:%d: '%s' failed: ", file, line, expr);

	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (msg_fd >= 0) {
		size_t off = 0, len = strlen(msg);

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

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void mt_in_child(void (*fn)(void *), void *arg)
{
	char msg[8192];
	size_t len = 0;
	int p[2], st = 0;
	pid_t pid;

	MT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	MT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		msg_fd = p[1];
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], msg + len, sizeof(msg) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(msg) - 1)
			break;
	}
	msg[len] = '\0';
	close(p[0]);
	MT_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	MT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "forked test child (status %#x): %s", st,
	          msg[0] ? msg : "(no message)");
}

void mt_drop_privileges(void)
{
	MT_ASSERT(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	MT_ASSERT(setresgid(MT_UNPRIV_ID, MT_UNPRIV_ID, MT_UNPRIV_ID) == 0, "setresgid: %s", strerror(errno));
	MT_ASSERT(setresuid(MT_UNPRIV_ID, MT_UNPRIV_ID, MT_UNPRIV_ID) == 0, "setresuid: %s", strerror(errno));
	/* Dumpable, as a process that exec'd as this user would be, so that it
	 * may write its own uid_map. */
	MT_ASSERT(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0, "PR_SET_DUMPABLE: %s", strerror(errno));
	MT_ASSERT(geteuid() == MT_UNPRIV_ID && getegid() == MT_UNPRIV_ID, "ids not dropped");
}

/* ---- no-leak snapshot ---- */

static char *append(char *s, const char *t)
{
	size_t a = s ? strlen(s) : 0, b = strlen(t);
	char *r = realloc(s, a + b + 1);

	MT_ASSERT(r != NULL, "out of memory");
	memcpy(r + a, t, b + 1);
	return r;
}

static char *snap_fds(void)
{
	char *s = append(NULL, "");
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fds[1024], n = 0;

	MT_ASSERT(d != NULL, "opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]) && atoi(e->d_name) != dirfd(d) && n < 1024)
			fds[n++] = atoi(e->d_name);
	closedir(d);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	for (int i = 0; i < n; i++) {
		char path[64], target[512], line[640];
		ssize_t r;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		r = readlink(path, target, sizeof(target) - 1);
		target[r > 0 ? r : 0] = '\0';
		snprintf(line, sizeof(line), "%d -> %s\n", fds[i], target);
		s = append(s, line);
	}
	return s;
}

static char *snap_children(void)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	if (mt_read_file(path, text, sizeof(text)) < 0)
		text[0] = '\0';
	return append(NULL, text);
}

void mt_snap_take(struct mt_snap *s)
{
	s->fds = snap_fds();
	s->children = snap_children();
	MT_ASSERT(sigprocmask(SIG_BLOCK, NULL, &s->mask) == 0, "sigprocmask");
}

void mt_snap_check(struct mt_snap *s, const char *file, int line)
{
	char *fds = snap_fds(), *children = snap_children();
	char why[4096] = "";
	size_t n = 0;
	sigset_t mask;
	siginfo_t si;

	if (strcmp(fds, s->fds) != 0)
		n += (size_t)snprintf(why + n, sizeof(why) - n, "fds changed:\n--- before\n%s--- after\n%s", s->fds,
		                      fds);
	if (strcmp(children, s->children) != 0 && n < sizeof(why))
		n += (size_t)snprintf(why + n, sizeof(why) - n, "children changed: [%s] -> [%s]\n", s->children,
		                      children);
	memset(&si, 0, sizeof(si));
	if (s->children[0] == '\0' && n < sizeof(why) &&
	    !(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == -1 && errno == ECHILD))
		n += (size_t)snprintf(why + n, sizeof(why) - n, "a child is left (pid %d)\n", (int)si.si_pid);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	for (int sig = 1; sig < 65 && n < sizeof(why); sig++)
		if (sigismember(&mask, sig) != sigismember(&s->mask, sig))
			n += (size_t)snprintf(why + n, sizeof(why) - n, "signal mask changed for %d\n", sig);
	free(fds);
	free(children);
	free(s->fds);
	free(s->children);
	s->fds = s->children = NULL;
	if (why[0])
		mt_fail(file, line, "nothing leaked", "%s", why);
}

/* ---- configurations and payloads ---- */

nsbox_config *mt_cfg(uint32_t ns)
{
	nsbox_config *cfg = NULL;

	MT_OK(nsbox_config_new(&cfg));
	MT_OK(nsbox_config_set_namespaces(cfg, ns));
	return cfg;
}

void mt_min_root(nsbox_config *cfg)
{
	static const char *const links[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
	char path[64], text[256];

	MT_OK(nsbox_config_add_bind(cfg, "/usr", "/usr", NSBOX_BIND_RO));
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/%s", links[i]);
		n = readlink(path, text, sizeof(text) - 1);
		if (n > 0) {
			text[n] = '\0';
			MT_OK(nsbox_config_add_symlink(cfg, text, path));
		} else if (mt_exists(path)) {
			MT_OK(nsbox_config_add_bind(cfg, path, path, NSBOX_BIND_RO));
		}
	}
}

static int spawn_sh_v(nsbox_config *cfg, nsbox_proc **proc, int *rd, const char *fmt, va_list ap)
{
	char script[8192];
	const char *argv[4];
	int p[2], n, r;

	MT_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	MT_ASSERT(fcntl(p[0], F_SETFD, FD_CLOEXEC) == 0, "fcntl");
	n = snprintf(script, sizeof(script), "exec >&%d 2>&1 %d>&-; ", p[1], p[1]);
	vsnprintf(script + n, sizeof(script) - (size_t)n, fmt, ap);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	MT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	r = nsbox_spawn(cfg, proc);
	close(p[1]);
	if (r < 0)
		close(p[0]);
	else
		*rd = p[0];
	return r;
}

int mt_spawn_sh(nsbox_config *cfg, nsbox_proc **proc, int *rd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = spawn_sh_v(cfg, proc, rd, fmt, ap);
	va_end(ap);
	return r;
}

nsbox_proc *mt_start(nsbox_config *cfg, int *rd, const char *fmt, ...)
{
	nsbox_proc *proc = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = spawn_sh_v(cfg, &proc, rd, fmt, ap);
	va_end(ap);
	MT_ASSERT(r == 0, "nsbox_spawn: %d (%s): %s", r, strerror(-r), nsbox_last_error());
	return proc;
}

static size_t read_some(int fd, char *buf, size_t size, size_t len, long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t r;
	long left = deadline - now_ms();

	MT_ASSERT(left > 0 && poll(&pfd, 1, (int)left) > 0, "timed out reading the payload (got \"%.*s\")",
	          (int)len, buf);
	r = read(fd, buf + len, size - 1 - len);
	MT_ASSERT(r >= 0, "read: %s", strerror(errno));
	return (size_t)r;
}

void mt_read_until(int fd, const char *mark, char *buf, size_t size)
{
	long deadline = now_ms() + MT_IO_TIMEOUT_MS;
	size_t len = 0, ml = strlen(mark);

	buf[0] = '\0';
	while (len + 1 < size) {
		size_t got = read_some(fd, buf, size, len, deadline);
		char *p;

		if (got == 0)
			break;
		len += got;
		buf[len] = '\0';
		for (p = buf; (p = strstr(p, mark)) != NULL; p++) {
			if ((p == buf || p[-1] == '\n') && p[ml] == '\n') {
				*p = '\0';
				return;
			}
		}
	}
	buf[len] = '\0';
}

void mt_read_all(int fd, char *buf, size_t size)
{
	long deadline = now_ms() + MT_IO_TIMEOUT_MS;
	size_t len = 0;

	while (len + 1 < size) {
		size_t got = read_some(fd, buf, size, len, deadline);
		if (got == 0)
			break;
		len += got;
	}
	buf[len] = '\0';
}

int mt_kill_free(nsbox_proc *proc)
{
	int32_t st = 0;

	nsbox_proc_kill(proc, SIGKILL);
	MT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

int mt_wait_free(nsbox_proc *proc)
{
	int32_t st = 0;

	MT_OK(nsbox_proc_wait(proc, 0, &st));
	nsbox_proc_free(proc);
	return st;
}

int mt_run_sh(nsbox_config *cfg, char *out, size_t size, const char *fmt, ...)
{
	nsbox_proc *proc = NULL;
	va_list ap;
	int r, rd = -1, st;

	va_start(ap, fmt);
	r = spawn_sh_v(cfg, &proc, &rd, fmt, ap);
	va_end(ap);
	MT_ASSERT(r == 0, "nsbox_spawn: %d (%s): %s", r, strerror(-r), nsbox_last_error());
	mt_read_all(rd, out, size);
	close(rd);
	st = mt_wait_free(proc);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- host files ---- */

char *mt_tmpdir(void)
{
	char tmpl[] = "/tmp/nsbox-mt-XXXXXX", *d = mkdtemp(tmpl);

	MT_ASSERT(d != NULL, "mkdtemp: %s", strerror(errno));
	MT_ASSERT(chmod(d, 0755) == 0, "chmod: %s", strerror(errno));
	d = strdup(d);
	MT_ASSERT(d != NULL, "out of memory");
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

void mt_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void mt_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text);

	MT_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	MT_ASSERT(write(fd, text, n) == (ssize_t)n, "write %s", path);
	close(fd);
}

ssize_t mt_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
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

int mt_mountinfo(pid_t pid, struct mt_mount *m, int max)
{
	static char text[1 << 20];
	char path[64], *line, *save = NULL;
	int n = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	MT_ASSERT(mt_read_file(path, text, sizeof(text)) >= 0, "read %s: %s", path, strerror(errno));
	for (line = strtok_r(text, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		char root[4096], point[4096], opts[1024], fstype[256], super[4096], *sep;

		/* id parent maj:min root point opts [optional...] - fstype source super */
		if (sscanf(line, "%*s %*s %*s %4095s %4095s %1023s", root, point, opts) != 3)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%255s %*s %4095s", fstype, super) < 1)
			continue;
		if (sscanf(sep + 3, "%255s %*s %4095s", fstype, super) < 2)
			super[0] = '\0';
		unescape(root);
		unescape(point);
		snprintf(m[n].root, sizeof(m[n].root), "%.511s", root);
		snprintf(m[n].point, sizeof(m[n].point), "%.511s", point);
		snprintf(m[n].opts, sizeof(m[n].opts), "%.255s", opts);
		snprintf(m[n].fstype, sizeof(m[n].fstype), "%.63s", fstype);
		snprintf(m[n].super, sizeof(m[n].super), "%.511s", super);
		n++;
	}
	return n;
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
