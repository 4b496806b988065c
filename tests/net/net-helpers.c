/*
 * net-helpers.c - small helpers of the net suites; see net-helpers.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "net-helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int nh_msg_fd = -1; /* where a forked child reports; -1 in the Check process */

void nh_init(void)
{
	const char *old = getenv("PATH");
	char path[4096];

	snprintf(path, sizeof(path), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin%s%s",
	         old ? ":" : "", old ? old : "");
	setenv("PATH", path, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int nh_must_work(void)
{
	const char *v = getenv("NSBOX_TEST_MUST_WORK");
	return v && strcmp(v, "1") == 0;
}

void nh_skip(const char *reason)
{
	if (nh_must_work()) {
		printf("FAIL: %s (NSBOX_TEST_MUST_WORK=1 turns this skip into a failure)\n", reason);
		exit(1);
	}
	printf("SKIP: %s\n", reason);
	exit(77);
}

int nh_have_cmd(const char *cmd)
{
	char buf[4096], full[4400];
	const char *path = getenv("PATH");
	char *save = NULL, *dir;

	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof(full), "%s/%s", dir, cmd);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

int nh_run(Suite *s, const char *skipped)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return 1;
	if (skipped)
		nh_skip(skipped);
	return 0;
}

void nh_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	char msg[3072];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: %s: ", file, line, expr);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (nh_msg_fd >= 0) {
		fprintf(stderr, "%s\n", msg);
		(void)!write(nh_msg_fd, msg, strlen(msg));
		_exit(1);
	}
	ck_abort_msg("%s", msg);
	abort(); /* not reached */
}

void nh_in_child(void (*fn)(void *arg), void *arg)
{
	int p[2], status;
	char msg[3072];
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		/* its own process group, so that whatever it leaves running
		 * after a failure can be killed */
		setpgid(0, 0);
		nh_msg_fd = p[1];
		alarm(100);
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	close(p[1]);
	/* Wait for the child itself: a payload it left running after a
	 * failure may hold the pipe. Its message is in the pipe by then. */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	(void)kill(-pid, SIGKILL);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	while ((n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	close(p[0]);
	if (got)
		ck_abort_msg("in forked test child: %s", msg);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ck_abort_msg("forked test child ended with status 0x%x", (unsigned)status);
}

void nh_drop_privileges(void)
{
	NH_ASSERT(setgroups(0, NULL) == 0, "setgroups: %s", strerror(errno));
	NH_ASSERT(setresgid(NH_UNPRIV_ID, NH_UNPRIV_ID, NH_UNPRIV_ID) == 0, "setresgid: %s", strerror(errno));
	NH_ASSERT(setresuid(NH_UNPRIV_ID, NH_UNPRIV_ID, NH_UNPRIV_ID) == 0, "setresuid: %s", strerror(errno));
	/* like a process that exec'd as this user: /proc/self files stay ours */
	NH_ASSERT(prctl(PR_SET_DUMPABLE, 1) == 0, "prctl: %s", strerror(errno));
}

static void list_fds(char *buf, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t off = 0;
	int dfd;

	NH_ASSERT(d != NULL, "opendir /proc/self/fd: %s", strerror(errno));
	dfd = dirfd(d);
	buf[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		char target[256];
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dfd)
			continue;
		n = readlinkat(dfd, e->d_name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		off += (size_t)snprintf(buf + off, size - off, "%s -> %s\n", e->d_name, target);
		if (off >= size)
			break;
	}
	closedir(d);
}

void nh_snap_take(struct nh_snap *s)
{
	list_fds(s->fds, sizeof(s->fds));
	sigprocmask(SIG_SETMASK, NULL, &s->mask);
}

void nh_snap_check(const struct nh_snap *s, const char *file, int line)
{
	char now[4096];
	sigset_t mask;
	siginfo_t si;

	list_fds(now, sizeof(now));
	if (strcmp(now, s->fds) != 0)
		nh_fail(file, line, "no fd leak", "fds before:\n%s\nafter:\n%s", s->fds, now);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (int sig = 1; sig < 65; sig++)
		if (sigismember(&mask, sig) != sigismember(&s->mask, sig))
			nh_fail(file, line, "same signal mask", "signal %d differs", sig);
	memset(&si, 0, sizeof(si));
	errno = 0;
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) != -1 || errno != ECHILD)
		nh_fail(file, line, "no child left", "waitid says %s (pid %d)", errno ? strerror(errno) : "a child exists",
		        (int)si.si_pid);
}

int nh_sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[2048], tmp[512];
	va_list ap;
	size_t off = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	NH_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	NH_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], tmp, sizeof(tmp))) > 0) {
		if (out && off + 1 < size) {
			size_t k = (size_t)n < size - 1 - off ? (size_t)n : size - 1 - off;
			memcpy(out + off, tmp, k);
			off += k;
		}
	}
	if (out && size)
		out[off] = '\0';
	close(p[0]);
	NH_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	printf("$ %s -> %d\n", cmd, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (out && off)
		printf("%s%s", out, out[off - 1] == '\n' ? "" : "\n");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

void nh_links(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/net/dev", "re");
	char line[512], names[64][32];
	size_t off = 0, n = 0;
	int skip = 2;

	NH_ASSERT(f != NULL, "fopen /proc/self/net/dev: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) && n < 64) {
		char *colon, *name = line;
		if (skip && skip--)
			continue;
		while (*name == ' ')
			name++;
		colon = strchr(name, ':');
		if (!colon)
			continue;
		*colon = '\0';
		snprintf(names[n++], sizeof(names[0]), "%.31s", name);
	}
	fclose(f);
	qsort(names, n, sizeof(names[0]), cmp_name);
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? " " : "", names[i]);
}

int nh_links_become(const char *want, int ms)
{
	char now[1024];

	for (int i = 0; i <= ms / 10; i++) {
		nh_links(now, sizeof(now));
		if (strcmp(now, want) == 0)
			return 1;
		usleep(10000);
	}
	printf("interfaces: \"%s\", expected \"%s\"\n", now, want);
	return 0;
}

static int link_up(pid_t pid, const char *opts, const char *name)
{
	char out[1024], ns[128] = "";
	char *lt, *gt, *tok, *save = NULL;
	int rc;

	if (pid > 0)
		snprintf(ns, sizeof(ns), "nsenter -t %d %s ", (int)pid, opts);
	rc = nh_sh(out, sizeof(out), "%sip -o link show dev %s", ns, name);
	NH_ASSERT(rc == 0, "ip link show %s: exit %d: %s", name, rc, out);
	/* "1: lo: <LOOPBACK,UP,LOWER_UP> mtu ..." */
	lt = strchr(out, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	NH_ASSERT(lt && gt, "no flag list in \"%s\"", out);
	*gt = '\0';
	for (tok = strtok_r(lt + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "UP") == 0)
			return 1;
	return 0;
}

int nh_link_up(pid_t pid, const char *name)
{
	return link_up(pid, "-n", name);
}

int nh_link_up_user(pid_t pid, const char *name)
{
	return link_up(pid, "-U -n --preserve-credentials", name);
}

int nh_under_valgrind(void)
{
	const char *v = getenv("NSBOX_TEST_VALGRIND");
	const char *pre = getenv("LD_PRELOAD");

	return (v && strcmp(v, "1") == 0) || (pre && strstr(pre, "vgpreload") != NULL);
}

uint32_t nh_spawn_flags(void)
{
	return nh_under_valgrind() ? NSBOX_SPAWN_FORK : 0;
}

nsbox_config *nh_sleep_cfg(uint32_t ns)
{
	static const char *const argv[] = { "/bin/sleep", "60", NULL };
	nsbox_config *cfg = NULL;

	NH_OK(nsbox_config_new(&cfg));
	NH_OK(nsbox_config_set_namespaces(cfg, ns));
	NH_OK(nsbox_config_set_exec(cfg, "/bin/sleep", argv, NULL));
	NH_OK(nsbox_config_set_flags(cfg, nh_spawn_flags()));
	return cfg;
}

void nh_finish(nsbox_proc *p)
{
	int32_t status = 0;

	/* kill(2) where pidfd_send_signal is missing (valgrind knows no
	 * syscall 424): the child is not reaped yet, so its pid is its own */
	if (nsbox_proc_kill(p, SIGKILL) < 0)
		(void)kill(nsbox_proc_pid(p), SIGKILL);
	NH_OK(nsbox_proc_wait(p, 0, &status));
	nsbox_proc_free(p);
}
