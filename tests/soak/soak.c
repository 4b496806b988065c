/*
 * soak.c - spawn from 8 threads at once, N children in total, and prove
 * that nothing accumulates: every child reaped, no zombie, the process's
 * descriptors, heap and RSS back where they were.
 *
 *   soak [--total N] [--threads T] [--quiet]      (defaults: 10000, 8)
 *
 * The mix, round-robin over the spawn index (so each kind is spread over
 * the whole run and every thread):
 *   ok      none, uts (hostname), pid+uts, user+map root, all eight
 *           kinds + map root, net, callback (pid+uts)
 *   failing hostname without UTS          -> -EINVAL (validation, nothing made)
 *           join file that does not exist -> -ENOENT (parent side, before clone)
 *           missing exec path             -> -ENOENT (child side: execve)
 *           execve of a non-executable    -> -EACCES (child side: execve)
 * Each configuration is built once and shared by all threads (the header
 * allows concurrent spawns from one configuration).
 *
 * Measurements are taken after a warm-up round on the same number of
 * threads, so that one-time costs (glibc's per-thread malloc arenas, the
 * threads' cached stacks, lazily loaded locale data) are in the baseline:
 *  - open descriptors (/proc/self/fd): must be equal;
 *  - heap bytes in use (mallinfo2: uordblks + hblkhd, over all arenas):
 *    must not grow by more than 4 KiB. A leaked allocation costs at least
 *    32 bytes (malloc's smallest chunk), so one per spawn is 12.8 KB even in
 *    the short run (400 spawns). What moves without a leak is glibc's own
 *    bookkeeping when the threads exit (their tcache chunks go back to the
 *    arenas): a constant few hundred bytes, the same for 400 or 10000;
 *  - VmRSS: must not grow by more than 1 MiB. RSS is not exact: freed heap
 *    stays resident in the arenas (free() trims only the top of the main
 *    heap), page-table and stack pages touched by a deeper call path stay
 *    mapped, so it moves a little even without a leak; the heap figure is
 *    the precise one, RSS catches what malloc does not see (mappings,
 *    e.g. a child stack that is never unmapped: 256 KiB each).
 *  - children: /proc/self/task/ * /children empty, waitid(P_ALL) -> ECHILD,
 *    and no process in state Z whose parent is us (/proc/ * /stat).
 * Prints the counts per kind, "N passed, N failed", the time and the
 * figures; exits 0 only if every spawn did what was asked and every check
 * holds. Under AddressSanitizer the heap and RSS checks are off (see
 * UNDER_ASAN). Needs root (exit 77 otherwise; under valgrind too).
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsbox.h"

/* AddressSanitizer replaces malloc (mallinfo2 says 0) and keeps freed
 * memory in quarantine (RSS grows): there the heap and RSS checks are off
 * and LeakSanitizer checks for leaks at exit instead. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

enum kind {
	K_NONE,
	K_UTS,
	K_PID_UTS,
	K_USER_ROOT,
	K_ALL_ROOT,
	K_NET,
	K_CALLBACK,
	K_MISSING_EXEC,
	K_HOSTNAME_NO_UTS,
	K_NOT_EXECUTABLE,
	K_JOIN_MISSING,
	K_MAX
};

static const struct {
	const char *name;
	int want; /* 0, or the negative errno asked for */
} kinds[K_MAX] = {
	[K_NONE] = { "none", 0 },
	[K_UTS] = { "uts", 0 },
	[K_PID_UTS] = { "pid+uts", 0 },
	[K_USER_ROOT] = { "user+map-root", 0 },
	[K_ALL_ROOT] = { "all-eight+map-root", 0 },
	[K_NET] = { "net", 0 },
	[K_CALLBACK] = { "callback", 0 },
	[K_MISSING_EXEC] = { "fail:missing-exec", -ENOENT },
	[K_HOSTNAME_NO_UTS] = { "fail:hostname-without-uts", -EINVAL },
	[K_NOT_EXECUTABLE] = { "fail:exec-not-executable", -EACCES },
	[K_JOIN_MISSING] = { "fail:join-missing-file", -ENOENT },
};

static nsbox_config *cfgs[K_MAX];
static long total = 10000;
static atomic_long next_index;
static atomic_long passed[K_MAX], failed[K_MAX];
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int reported;

static int cb_ok(void *arg)
{
	(void)arg;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "soak: %s: %s\n", what, nsbox_last_error());
	exit(2);
}

static void build_configs(void)
{
	const char *true_argv[] = { "true", NULL };
	const char *missing_argv[] = { "missing", NULL };
	const char *passwd_argv[] = { "passwd", NULL };

	for (int k = 0; k < K_MAX; k++)
		if (nsbox_config_new(&cfgs[k]) < 0)
			die("nsbox_config_new");
#define OK(call)                     \
	do {                         \
		if ((call) < 0)      \
			die(#call);  \
	} while (0)
	OK(nsbox_config_set_namespaces(cfgs[K_UTS], NSBOX_NS_UTS));
	OK(nsbox_config_set_hostname(cfgs[K_UTS], "soak"));
	OK(nsbox_config_set_namespaces(cfgs[K_PID_UTS], NSBOX_NS_PID | NSBOX_NS_UTS));
	OK(nsbox_config_map_caller(cfgs[K_USER_ROOT], NSBOX_MAP_ROOT));
	OK(nsbox_config_set_namespaces(cfgs[K_ALL_ROOT], NSBOX_NS_ALL));
	OK(nsbox_config_map_caller(cfgs[K_ALL_ROOT], NSBOX_MAP_ROOT));
	OK(nsbox_config_set_hostname(cfgs[K_ALL_ROOT], "soak-all"));
	OK(nsbox_config_set_namespaces(cfgs[K_NET], NSBOX_NS_NET));
	OK(nsbox_config_set_namespaces(cfgs[K_CALLBACK], NSBOX_NS_PID | NSBOX_NS_UTS));
	OK(nsbox_config_set_callback(cfgs[K_CALLBACK], cb_ok, NULL));
	OK(nsbox_config_set_exec(cfgs[K_MISSING_EXEC], "/nonexistent/nsbox-soak", missing_argv, NULL));
	OK(nsbox_config_set_hostname(cfgs[K_HOSTNAME_NO_UTS], "no-uts"));
	OK(nsbox_config_set_exec(cfgs[K_NOT_EXECUTABLE], "/etc/passwd", passwd_argv, NULL));
	OK(nsbox_config_join_path(cfgs[K_JOIN_MISSING], "/nonexistent/nsbox-soak-ns", NSBOX_NS_NET));
	/* /bin/true for the rest (K_JOIN_MISSING too: it fails before clone) */
	for (int k = 0; k < K_MAX; k++)
		if (k != K_CALLBACK && k != K_MISSING_EXEC && k != K_NOT_EXECUTABLE)
			OK(nsbox_config_set_exec(cfgs[k], "/bin/true", true_argv, NULL));
#undef OK
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&report_lock);
	if (reported++ < 10) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&report_lock);
}

/* One spawn of kind @k; counts and reports what it got. */
static void one(enum kind k)
{
	nsbox_proc *p = NULL;
	int32_t st = -1;
	int r = nsbox_spawn(cfgs[k], &p);

	if (r != kinds[k].want) {
		atomic_fetch_add(&failed[k], 1);
		report("soak: %s: nsbox_spawn returned %d (%s), want %d: %s\n", kinds[k].name, r,
		       r < 0 ? strerror(-r) : "ok", kinds[k].want, nsbox_last_error());
		if (r == 0) {
			nsbox_proc_kill(p, SIGKILL);
			nsbox_proc_wait(p, 0, NULL);
			nsbox_proc_free(p);
		}
		return;
	}
	if (r < 0) {
		atomic_fetch_add(&passed[k], 1);
		return;
	}
	r = nsbox_proc_wait(p, 0, &st);
	nsbox_proc_free(p);
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		atomic_fetch_add(&failed[k], 1);
		report("soak: %s: nsbox_proc_wait returned %d, status %#x: %s\n", kinds[k].name, r, st,
		       nsbox_last_error());
		return;
	}
	atomic_fetch_add(&passed[k], 1);
}

static void *worker(void *arg)
{
	long limit = *(long *)arg;

	for (;;) {
		long i = atomic_fetch_add(&next_index, 1);

		if (i >= limit)
			break;
		one((enum kind)(i % K_MAX));
	}
	return NULL;
}

/* Warm-up: every kind twice on this thread. */
static void *warm_worker(void *arg)
{
	(void)arg;
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < K_MAX; k++)
			one((enum kind)k);
	return NULL;
}

static void run_threads(int threads, long n)
{
	pthread_t t[64];

	atomic_store(&next_index, 0);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, n ? worker : warm_worker, &n) != 0) {
			perror("soak: pthread_create");
			exit(2);
		}
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
}

/* ---- measurements ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += isdigit((unsigned char)e->d_name[0]) != 0;
	closedir(d);
	return n - 1; /* the directory's own */
}

/* Read a small file with open/read: no stdio buffer, so that measuring
 * does not move the heap figure. Returns the length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (len + 1 < size && (r = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

static long status_kb(const char *field)
{
	char buf[4096], key[32], *p;

	if (slurp("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(buf, key);
	return p ? atol(p + strlen(key)) : -1;
}

/* Bytes the allocator has handed out; -1 where the C library cannot say
 * (musl has no mallinfo2): then only RSS, fds and children are compared. */
static long heap_in_use(void)
{
#ifdef __GLIBC__
	struct mallinfo2 mi = mallinfo2();

	return (long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

/* Our children (any thread's) and our zombies. */
static int count_children(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[300], text[4096];

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		if (slurp(path, text, sizeof(text)) < 0)
			continue;
		for (char *p = text; *p;) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			n++;
			while (*p && *p != ' ')
				p++;
		}
	}
	closedir(d);
	return n;
}

static int count_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, me = (int)getpid();

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[300], text[1024], *close_paren, state;
		int ppid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (slurp(path, text, sizeof(text)) < 0)
			continue;
		/* pid (comm) state ppid ...: comm may hold spaces and parens */
		if (!(close_paren = strrchr(text, ')')))
			continue;
		if (sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 && state == 'Z' && ppid == me)
			n++;
	}
	closedir(d);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int threads = 8, quiet = 0, ok = 1, fds0, fds1, children, zombies;
	long rss0, rss1, heap0, heap1, n_passed = 0, n_failed = 0, asked_failures = 0;
	double t0, dt;
	siginfo_t si;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--total") == 0 && i + 1 < argc)
			total = atol(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else {
			fprintf(stderr, "usage: soak [--total N] [--threads T] [--quiet]\n");
			return 2;
		}
	}
	if (total < K_MAX || threads < 1 || threads > 64) {
		fprintf(stderr, "soak: --total must be at least %d, --threads 1..64\n", K_MAX);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		const char *must = getenv("NSBOX_TEST_MUST_WORK");

		printf("%s: soak needs root (it creates every kind of namespace)\n",
		       must && strcmp(must, "1") == 0 ? "FAIL" : "SKIP");
		return must && strcmp(must, "1") == 0 ? 1 : 77;
	}
	if (getenv("NSBOX_TEST_VALGRIND") && strcmp(getenv("NSBOX_TEST_VALGRIND"), "1") == 0) {
		/* valgrind replaces malloc and the clones: the figures would be its */
		printf("SKIP: soak measures the process's own heap, RSS and children, which valgrind replaces: "
		       "exclude suite 'soak' from the valgrind setup\n");
		return 77;
	}
	build_configs();

	/* Warm-up: every kind on every thread, then the baseline. */
	run_threads(threads, 0);
	for (int k = 0; k < K_MAX; k++) {
		if (atomic_load(&failed[k])) {
			fprintf(stderr, "soak: the warm-up failed for %s\n", kinds[k].name);
			return 1;
		}
		atomic_store(&passed[k], 0);
	}
	fds0 = count_fds();
	heap0 = heap_in_use();
	rss0 = status_kb("VmRSS");

	t0 = now_s();
	run_threads(threads, total);
	dt = now_s() - t0;

	children = count_children();
	zombies = count_zombies();
	memset(&si, 0, sizeof(si));
	if (!(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 && errno == ECHILD))
		children = children > 0 ? children : 1;
	fds1 = count_fds();
	heap1 = heap_in_use();
	rss1 = status_kb("VmRSS");

	for (int k = 0; k < K_MAX; k++) {
		long p = atomic_load(&passed[k]), f = atomic_load(&failed[k]);

		n_passed += p;
		n_failed += f;
		if (kinds[k].want)
			asked_failures += p;
		if (!quiet || f)
			printf("  %-26s %6ld as asked%s  %ld other\n", kinds[k].name, p,
			       kinds[k].want ? " (failed)" : "         ", f);
	}
	printf("%ld passed, %ld failed (%ld children spawned and reaped, %ld failures asked for and got)\n", n_passed,
	       n_failed, n_passed - asked_failures, asked_failures);
	printf("%ld spawns from %d threads in %.2f s: %.0f spawns/s, %.0f children/s\n", total, threads, dt,
	       (double)total / dt, (double)(n_passed - asked_failures) / dt);
	printf("fds %d -> %d; heap in use %ld -> %ld bytes (%+ld); VmRSS %ld -> %ld kB (%+ld); children left %d, "
	       "zombies %d\n",
	       fds0, fds1, heap0, heap1, heap1 - heap0, rss0, rss1, rss1 - rss0, children, zombies);

	if (n_failed) {
		printf("FAIL: %ld spawns did not do what was asked\n", n_failed);
		ok = 0;
	}
	if (n_passed + n_failed != total) {
		printf("FAIL: %ld spawns counted, %ld made\n", n_passed + n_failed, total);
		ok = 0;
	}
	if (fds1 != fds0) {
		printf("FAIL: descriptors %d -> %d\n", fds0, fds1);
		ok = 0;
	}
	if (UNDER_ASAN)
		printf("heap and RSS checks off under AddressSanitizer (LeakSanitizer checks at exit)\n");
	if (!UNDER_ASAN && heap0 >= 0 && heap1 - heap0 > 4096) {
		printf("FAIL: heap in use grew by %ld bytes (%.2f per spawn)\n", heap1 - heap0,
		       (double)(heap1 - heap0) / (double)total);
		ok = 0;
	}
	if (!UNDER_ASAN && rss1 - rss0 > 1024) {
		printf("FAIL: VmRSS grew by %ld kB\n", rss1 - rss0);
		ok = 0;
	}
	if (children != 0 || zombies != 0) {
		printf("FAIL: %d children and %d zombies left\n", children, zombies);
		ok = 0;
	}
	for (int k = 0; k < K_MAX; k++)
		nsbox_config_free(cfgs[k]);
	printf("%s\n", ok ? "soak: OK" : "soak: FAILED");
	return ok ? 0 : 1;
}
