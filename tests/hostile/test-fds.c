/*
 * test-fds.c - hostile hosts, descriptors: fds 0, 1 and 2 closed; a
 * descriptor table with only k free slots; other threads that fork, exec
 * and spawn at the same time.
 *
 * Promises checked:
 *  - every descriptor the library opens is O_CLOEXEC and closed again: an
 *    exec payload holds exactly the caller's inheritable descriptors, even
 *    while other threads spawn and fork+exec (checked in /proc/PID/fd of
 *    every child);
 *  - with the table nearly full, nsbox_spawn() works or fails with -EMFILE,
 *    and a failure leaves no descriptor behind;
 *  - one thread's spawn does not wait for another thread's child: a
 *    descriptor of a spawn in progress copied into a concurrent fork-style
 *    child must not make the spawn wait until that child exits.
 * Needs root.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

#define MAXFDS 1024

/* The caller's descriptors that an exec payload may inherit (no FD_CLOEXEC). */
static int inheritable(int *fds, int max)
{
	int all[MAXFDS], n = hx_fds(0, all, MAXFDS), out = 0;

	NT_ASSERT(n >= 0, "list /proc/self/fd: %s", strerror(-n));
	for (int i = 0; i < n; i++) {
		int f = fcntl(all[i], F_GETFD);

		if (f >= 0 && !(f & FD_CLOEXEC) && out < max)
			fds[out++] = all[i];
	}
	return out;
}

static int same_set(const int *a, int na, const int *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int subset(const int *a, int na, const int *b, int nb)
{
	for (int i = 0; i < na; i++) {
		int found = 0;

		for (int j = 0; j < nb && !found; j++)
			found = a[i] == b[j];
		if (!found)
			return 0;
	}
	return 1;
}

/* The descriptors of an exec payload. A vfork parent wakes up when the
 * child releases its memory in execve(2), a moment before the kernel closes
 * the O_CLOEXEC descriptors (exec_mmap comes before do_close_on_exec in
 * begin_new_exec), so the table is read until it is @want, for at most 2 s:
 * a descriptor that stays is a leak, one that goes away never reached the
 * payload's code. */
static int exec_fds(pid_t pid, int *got, const int *want, int n_want)
{
	long deadline = hx_now_ms() + 2000;
	int n;

	for (;;) {
		n = hx_fds(pid, got, MAXFDS);
		if (n < 0 || same_set(got, n, want, n_want) || hx_now_ms() > deadline)
			return n;
		usleep(1000);
	}
}

/* A callback that only waits to be killed. */
static int cb_pause(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static int cb_return0(void *arg)
{
	(void)arg;
	return 0;
}

/* ---- fds 0, 1, 2 closed ----------------------------------------------------------- */

static void child_std_closed(void *arg)
{
	enum hx_kind k = (enum hx_kind)(intptr_t)arg;
	int allowed[MAXFDS], before[MAXFDS], got[MAXFDS], na, nb, ng = 0;
	char b1[2048], b2[2048], b3[2048];
	nsbox_config *cfg = hx_cfg(k);
	nsbox_proc *p = NULL;
	struct nt_snap s;
	pid_t pid;

	hx_set_kind_payload(cfg, k, cb_pause, "pause", NULL, NULL);
	close(0);
	close(1);
	close(2);
	na = inheritable(allowed, MAXFDS);
	nb = hx_fds(0, before, MAXFDS);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	pid = nsbox_proc_pid(p);
	if (hx_is_callback(k)) {
		/* Fork semantics: the callback holds (a subset of) what the caller
		 * held at spawn time, and none of the library's descriptors once it
		 * runs (a callback with nothing to report may still be starting). */
		long deadline = hx_now_ms() + 10000;

		do {
			ng = hx_fds(pid, got, MAXFDS);
			if (ng >= 0 && subset(got, ng, before, nb))
				break;
			usleep(1000);
		} while (hx_now_ms() < deadline);
		NT_ASSERT(ng >= 0 && subset(got, ng, before, nb), "%s, fds 0-2 closed: the callback holds [%s], the "
		          "caller held [%s]", hx_kind_name(k), hx_fds_str(got, ng, b1, sizeof(b1)),
		          hx_fds_str(before, nb, b2, sizeof(b2)));
	} else {
		ng = exec_fds(pid, got, allowed, na);
		NT_ASSERT(ng >= 0 && same_set(got, ng, allowed, na), "%s, fds 0-2 closed: the payload holds [%s], "
		          "only the caller's inheritable [%s] were allowed (caller: [%s])", hx_kind_name(k),
		          hx_fds_str(got, ng, b1, sizeof(b1)), hx_fds_str(allowed, na, b2, sizeof(b2)),
		          hx_fds_str(before, nb, b3, sizeof(b3)));
	}
	hx_finish_killed(p, hx_kind_name(k));
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(test_std_fds_closed)
{
	nt_in_child(child_std_closed, (void *)(intptr_t)_i);
}
END_TEST

/* ---- a nearly full descriptor table ---------------------------------------------------- */

/* the kinds; joins by pid of uts+ipc, of pid+uts (one more fork: the
 * payload's pidfd comes from pidfd_open), and of pid+uts with a new PID
 * namespace nested in the joined one (its pidfd comes over a socket) */
#define FULL_KINDS (HX_KIND_MAX + 3)
#define FULL_K_MAX 8                  /* enough free slots for any spawn */

static pid_t join_target = -1;

static nsbox_config *full_cfg(int kind, const char **name)
{
	nsbox_config *cfg;

	if (kind == HX_KIND_MAX) {
		*name = "exec join uts+ipc by pid";
		cfg = nt_cfg(0);
		NT_OK(nsbox_config_join_pid(cfg, join_target, NSBOX_NS_UTS | NSBOX_NS_IPC));
	} else if (kind == HX_KIND_MAX + 1) {
		*name = "exec join pid+uts by pid";
		cfg = nt_cfg(0);
		NT_OK(nsbox_config_join_pid(cfg, join_target, NSBOX_NS_PID | NSBOX_NS_UTS));
	} else if (kind == HX_KIND_MAX + 2) {
		/* the payload's pidfd comes back over a socket (SCM_RIGHTS) */
		*name = "exec join pid+uts by pid, new pid";
		cfg = nt_cfg(NSBOX_NS_PID);
		NT_OK(nsbox_config_join_pid(cfg, join_target, NSBOX_NS_PID | NSBOX_NS_UTS));
	} else {
		*name = hx_kind_name((enum hx_kind)kind);
		cfg = hx_cfg((enum hx_kind)kind);
	}
	hx_set_kind_payload(cfg, (enum hx_kind)kind, cb_return0, "exit-after", "0", "0");
	return cfg;
}

static int fillers[MAXFDS], n_fillers;

static void fill_table(void)
{
	for (;;) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			NT_ASSERT(errno == EMFILE, "open /dev/null: %s", strerror(errno));
			return;
		}
		NT_ASSERT(n_fillers < MAXFDS, "too many fds");
		fillers[n_fillers++] = fd;
	}
}

static void free_slots(int k)
{
	for (int i = 0; i < k; i++) {
		NT_ASSERT(n_fillers > 0, "no filler left");
		close(fillers[--n_fillers]);
	}
}

static void child_fd_table_full(void *arg)
{
	int kind = (int)(intptr_t)arg, first_ok = -1;
	struct rlimit rl = { 64, 64 };
	const char *name = "?";
	nsbox_config *cfg = full_cfg(kind, &name);

	NT_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit: %s", strerror(errno));
	fill_table();
	for (int k = 0; k <= FULL_K_MAX; k++) {
		nsbox_proc *p = NULL;
		struct nt_snap s;
		int extra, r;

		/* k+1 free: the snapshot reads /proc/self/fd with one of them */
		free_slots(k + 1);
		nt_snap_take(&s);
		extra = open("/dev/null", O_RDONLY | O_CLOEXEC);
		NT_ASSERT(extra >= 0, "open: %s", strerror(errno));
		r = nsbox_spawn(cfg, &p); /* exactly k free slots */
		close(extra);
		NT_ASSERT(r == 0 || r == -EMFILE, "%s, %d free fds: nsbox_spawn returned %d (%s): %s", name, k, r,
		          strerror(-r), nsbox_last_error());
		if (r == 0) {
			int st;

			/* a handle always has its pidfd (nsbox_proc_pidfd) */
			NT_ASSERT(nsbox_proc_pidfd(p) >= 0, "%s, %d free fds: the handle has no pidfd (%d)", name, k,
			          nsbox_proc_pidfd(p));
			st = nt_wait_free(p);

			NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s, %d free fds: payload %s", name, k,
			          nt_status_str(st));
			if (first_ok < 0)
				first_ok = k;
		} else {
			NT_ASSERT(p == NULL, "out-parameter written on failure");
			NT_ASSERT_CONTAINS(nsbox_last_error(), strerror(EMFILE));
			NT_ASSERT(first_ok < 0, "%s: %d free fds were enough, %d are not (-EMFILE: %s)", name, first_ok,
			          k, nsbox_last_error());
		}
		NT_SNAP_CHECK(&s);
		fill_table();
		if (k == 0)
			NT_ASSERT(r == -EMFILE, "%s: works without a single free fd?", name);
	}
	NT_ASSERT(first_ok >= 0, "%s: fails even with %d free fds", name, FULL_K_MAX);
	printf("fd table full: %s needs %d free fds\n", name, first_ok);
	nsbox_config_free(cfg);
}

START_TEST(test_fd_table_full)
{
	nt_in_child(child_fd_table_full, (void *)(intptr_t)_i);
}
END_TEST

static void full_setup(void)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_PID | NSBOX_NS_UTS | NSBOX_NS_IPC);
	nsbox_proc *p = NULL;
	const char *argv[] = { "hostile-payload", "pause", NULL };

	NT_OK(nsbox_config_set_exec(cfg, hx_payload(), argv, NULL));
	NT_OK(nsbox_spawn(cfg, &p));
	join_target = nsbox_proc_pid(p);
	/* the handle is dropped on purpose: the target is killed and reaped by
	 * pid in the teardown */
	nsbox_proc_free(p);
	nsbox_config_free(cfg);
}

static void full_teardown(void)
{
	int st;

	if (join_target > 0) {
		kill(join_target, SIGKILL);
		waitpid(join_target, &st, 0);
		join_target = -1;
	}
}

/* ---- other threads spawning, forking and executing at the same time ---------------------------- */

struct shared {
	pthread_mutex_t lock;
	char failure[2048];
	int allowed[MAXFDS], n_allowed;
	atomic_int stop;
	atomic_long checked_children;
	atomic_long checked_ls;
};

static void record_failure(struct shared *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void record_failure(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&sh->lock);
	if (!sh->failure[0]) {
		va_start(ap, fmt);
		vsnprintf(sh->failure, sizeof(sh->failure), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&sh->lock);
	atomic_store(&sh->stop, 1);
}

static const enum hx_kind exec_kinds[] = { HX_EXEC_PLAIN, HX_EXEC_USER_ROOT, HX_EXEC_MULTIMAP, HX_EXEC_PID_UTS,
	                                   HX_EXEC_FORK };
#define N_EXEC_KINDS ((int)(sizeof(exec_kinds) / sizeof(exec_kinds[0])))

/* One configuration per kind, built by the main thread (hx_cfg asserts);
 * several threads may spawn from one configuration at once. */
static nsbox_config *iso_cfgs[N_EXEC_KINDS];

/* Spawn exec payloads; each must hold exactly the inheritable fds. */
static void *spawner(void *arg)
{
	struct shared *sh = arg;

	for (int i = 0; i < 30 && !atomic_load(&sh->stop); i++) {
		int kind = (i + (int)(syscall(SYS_gettid) % 7)) % N_EXEC_KINDS;
		nsbox_proc *p = NULL;
		int got[MAXFDS], ng, r;
		int32_t st = 0;
		char b1[2048], b2[2048];

		r = nsbox_spawn(iso_cfgs[kind], &p);
		if (r < 0) {
			record_failure(sh, "%s: nsbox_spawn returned %d: %s", hx_kind_name(exec_kinds[kind]), r,
			               nsbox_last_error());
			break;
		}
		ng = exec_fds(nsbox_proc_pid(p), got, sh->allowed, sh->n_allowed);
		if (ng < 0 || !same_set(got, ng, sh->allowed, sh->n_allowed))
			record_failure(sh, "%s: the payload holds [%s], allowed [%s]", hx_kind_name(exec_kinds[kind]),
			               hx_fds_str(got, ng < 0 ? 0 : ng, b1, sizeof(b1)),
			               hx_fds_str(sh->allowed, sh->n_allowed, b2, sizeof(b2)));
		atomic_fetch_add(&sh->checked_children, 1);
		nsbox_proc_kill(p, SIGKILL);
		r = nsbox_proc_wait(p, 0, &st);
		if (r < 0 || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			record_failure(sh, "%s: wait returned %d, status %#x", hx_kind_name(exec_kinds[kind]), r, st);
		nsbox_proc_free(p);
	}
	return NULL;
}

/* fork + exec of `ls /proc/self/fd`: ls must see the inheritable fds, its
 * stdout and its own directory descriptor, nothing else. */
static void *forker(void *arg)
{
	struct shared *sh = arg;

	for (int i = 0; i < 60 && !atomic_load(&sh->stop); i++) {
		char out[8192], *line, *save = NULL, listed[2048] = "";
		int p[2], extra = 0, st;
		size_t len = 0;
		ssize_t r;
		pid_t pid;

		if (pipe2(p, O_CLOEXEC) < 0) {
			record_failure(sh, "pipe2: %s", strerror(errno));
			break;
		}
		pid = fork();
		if (pid < 0) {
			record_failure(sh, "fork: %s", strerror(errno));
			break;
		}
		if (pid == 0) {
			dup2(p[1], 1);
			execl("/bin/ls", "ls", "-1", "/proc/self/fd", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		while (len < sizeof(out) - 1 && (r = read(p[0], out + len, sizeof(out) - 1 - len)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				break;
			len += (size_t)r;
		}
		out[len] = '\0';
		close(p[0]);
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			record_failure(sh, "ls /proc/self/fd: status %#x", st);
			break;
		}
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			int fd = atoi(line), ok = fd == 1;

			for (int j = 0; j < sh->n_allowed && !ok; j++)
				ok = sh->allowed[j] == fd;
			if (!ok)
				extra++;
			snprintf(listed + strlen(listed), sizeof(listed) - strlen(listed), "%s ", line);
		}
		/* ls's own descriptor on /proc/self/fd is the one extra */
		if (extra != 1)
			record_failure(sh, "ls /proc/self/fd in a fork+exec child lists [%s]: %d fds beyond the "
			               "inheritable ones, stdout and its directory", listed, extra - 1);
		atomic_fetch_add(&sh->checked_ls, 1);
	}
	return NULL;
}

static void child_threads_isolation(void *unused)
{
	static struct shared sh = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[5];
	struct nt_snap s;

	(void)unused;
	sh.n_allowed = inheritable(sh.allowed, MAXFDS);
	for (int i = 0; i < N_EXEC_KINDS; i++) {
		iso_cfgs[i] = hx_cfg(exec_kinds[i]);
		hx_set_payload(iso_cfgs[i], "pause", NULL, NULL);
	}
	nt_snap_take(&s);
	for (int i = 0; i < 4; i++)
		NT_ASSERT(pthread_create(&t[i], NULL, spawner, &sh) == 0, "pthread_create");
	NT_ASSERT(pthread_create(&t[4], NULL, forker, &sh) == 0, "pthread_create");
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	NT_ASSERT(sh.failure[0] == '\0', "%s", sh.failure);
	printf("thread isolation: %ld payloads and %ld ls runs checked\n", atomic_load(&sh.checked_children),
	       atomic_load(&sh.checked_ls));
	NT_ASSERT(atomic_load(&sh.checked_children) == 4 * 30 && atomic_load(&sh.checked_ls) == 60,
	          "not every child was checked");
	/* the threads' stacks stay mapped (glibc caches them): everything
	 * but the mappings */
	free(s.maps);
	s.maps = NULL;
	NT_SNAP_CHECK(&s);
	for (int i = 0; i < N_EXEC_KINDS; i++)
		nsbox_config_free(iso_cfgs[i]);
}

START_TEST(test_threads_fd_isolation)
{
	nt_in_child(child_threads_isolation, NULL);
}
END_TEST

/* ---- one thread's spawn does not wait for another thread's child ------------------------------- */

static int cb_sleep_2s(void *arg)
{
	(void)arg;
	sleep(2);
	return 0;
}

struct stall {
	atomic_int stop;
	nsbox_config *cb;
	nsbox_proc *procs[512];
	int n_procs;
	int failed;
	char why[256];
};

/* Keeps fork-style callback children alive: each one holds copies of the
 * descriptors the caller had when it was cloned. */
static void *callback_spawner(void *arg)
{
	struct stall *st = arg;

	while (!atomic_load(&st->stop) && st->n_procs < 512) {
		nsbox_proc *p = NULL;
		int r = nsbox_spawn(st->cb, &p);

		if (r < 0) {
			st->failed = 1;
			snprintf(st->why, sizeof(st->why), "callback spawn: %d: %s", r, nsbox_last_error());
			break;
		}
		st->procs[st->n_procs++] = p;
		usleep(5000);
	}
	return NULL;
}

static void child_no_stall(void *unused)
{
	static const enum hx_kind kinds[] = { HX_EXEC_PLAIN, HX_EXEC_MULTIMAP, HX_EXEC_FORK, HX_EXEC_PID_UTS };
	nsbox_config *cfgs[4];
	struct stall st;
	pthread_t t;
	long worst = 0;
	int worst_kind = 0, slow = 0, rounds = 0;

	(void)unused;
	memset(&st, 0, sizeof(st));
	st.cb = hx_cfg(HX_CALLBACK);
	NT_OK(nsbox_config_set_callback(st.cb, cb_sleep_2s, NULL));
	for (int i = 0; i < 4; i++) {
		cfgs[i] = hx_cfg(kinds[i]);
		hx_set_payload(cfgs[i], "exit-after", "0", "0");
	}
	NT_ASSERT(pthread_create(&t, NULL, callback_spawner, &st) == 0, "pthread_create");
	for (long end = hx_now_ms() + 4000; hx_now_ms() < end; rounds++) {
		int k = rounds % 4;
		nsbox_proc *p = NULL;
		long t0 = hx_now_ms(), dt;
		int r = nsbox_spawn(cfgs[k], &p);

		dt = hx_now_ms() - t0;
		NT_ASSERT(r == 0, "%s: nsbox_spawn returned %d: %s", hx_kind_name(kinds[k]), r, nsbox_last_error());
		nt_wait_free(p);
		if (dt > worst) {
			worst = dt;
			worst_kind = k;
		}
		slow += dt > 1000;
	}
	atomic_store(&st.stop, 1);
	pthread_join(t, NULL);
	for (int i = 0; i < st.n_procs; i++)
		nt_wait_free(st.procs[i]);
	NT_ASSERT(!st.failed, "%s", st.why);
	printf("stall: %d spawns next to %d living callback children, slowest %ld ms (%s), %d over 1 s\n", rounds,
	       st.n_procs, worst, hx_kind_name(kinds[worst_kind]), slow);
	NT_ASSERT(worst < 1000, "a spawn (%s) took %ld ms (%d of %d over 1 s): it waited for another thread's "
	          "fork-style child, which holds a copy of its error pipe", hx_kind_name(kinds[worst_kind]), worst,
	          slow, rounds);
	for (int i = 0; i < 4; i++)
		nsbox_config_free(cfgs[i]);
	nsbox_config_free(st.cb);
}

START_TEST(test_threads_no_stall)
{
	nt_in_child(child_no_stall, NULL);
}
END_TEST

int main(void)
{
	Suite *s = hx_suite_start("hostile-fds");
	TCase *tc = hx_tcase(s, "std-closed");

	tcase_add_loop_test(tc, test_std_fds_closed, 0, HX_KIND_MAX);

	tc = hx_tcase(s, "table-full");
	tcase_add_checked_fixture(tc, full_setup, full_teardown);
	tcase_add_loop_test(tc, test_fd_table_full, 0, FULL_KINDS);

	tc = hx_tcase(s, "threads");
	tcase_add_test(tc, test_threads_fd_isolation);
	tcase_add_test(tc, test_threads_no_stall);

	return nt_run_suite(s);
}
