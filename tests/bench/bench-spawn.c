/* SPDX-License-Identifier: MIT
 *
 * bench-spawn: libnsbox against the kernel's floor and against the tools
 * people use instead, measured side by side in one run.
 *
 * Every case is timed once per round; the cases of a group run in a new
 * random order each round, so drift and noise of the machine fall on all of
 * them alike. It prints one markdown table: case, median and p99 in
 * microseconds, and the ratio of the median to the median of its reference.
 * It exits non-zero only when something fails to run, never for a missed
 * target.
 *
 * The raw floor is a hand-written clone3 of the same namespace set that
 * does what a correct one must and nothing more: it writes its own maps
 * for a root map (as unshare -r does) and makes / private in a new mount
 * namespace (without that, its mounts reach the host).
 *
 * usage: bench-spawn [--quick] [--rounds N] [--nsbox-run PATH] [--no-rss]
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include <nsbox.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

/* ---- the raw floor, written here and not borrowed from the library ---- */

#if defined(__x86_64__)
long bench_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".type bench_clone3,@function\n"
        "bench_clone3:\n"
        "	push %r12\n"
        "	push %r13\n"
        "	mov %rdx, %r12\n"
        "	mov %rcx, %r13\n"
        "	mov $435, %eax\n"
        "	syscall\n"
        "	test %rax, %rax\n"
        "	jz 1f\n"
        "	pop %r13\n"
        "	pop %r12\n"
        "	ret\n"
        "1:	xor %ebp, %ebp\n"
        "	and $-16, %rsp\n"
        "	mov %r13, %rdi\n"
        "	call *%r12\n"
        "	mov %eax, %edi\n"
        "	mov $60, %eax\n"
        "	syscall\n"
        "	hlt\n"
        ".size bench_clone3, .-bench_clone3\n");
#else
#error "bench-spawn needs the x86_64 clone3 trampoline"
#endif

#define RAW_STACK (256 * 1024)
static char raw_stack[RAW_STACK] __attribute__((aligned(64)));

struct raw_child {
	int map;
	int mount; /* a new mount namespace: make / private, as any correct
	            * hand-written clone must (else mounts leak to the host) */
	char uid_map[32], gid_map[32];
};

static void raw_write(const char *path, const char *s)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		syscall(SYS_write, fd, s, strlen(s));
		syscall(SYS_close, fd);
	}
}

static void raw_setup(struct raw_child *c)
{
	if (c->map) {
		raw_write("/proc/self/setgroups", "deny");
		raw_write("/proc/self/uid_map", c->uid_map);
		raw_write("/proc/self/gid_map", c->gid_map);
	}
	if (c->mount)
		syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

static int raw_child_exec(void *arg)
{
	struct raw_child *c = arg;
	static char *const argv[] = { "/bin/true", NULL };

	raw_setup(c);
	syscall(SYS_execve, "/bin/true", argv, environ);
	return 127;
}

static int raw_child_exit(void *arg)
{
	raw_setup(arg);
	return 0;
}

static uint64_t clone_flags_of(uint32_t ns)
{
	uint64_t f = 0;
	if (ns & NSBOX_NS_MOUNT) f |= CLONE_NEWNS;
	if (ns & NSBOX_NS_UTS) f |= CLONE_NEWUTS;
	if (ns & NSBOX_NS_IPC) f |= CLONE_NEWIPC;
	if (ns & NSBOX_NS_PID) f |= CLONE_NEWPID;
	if (ns & NSBOX_NS_NET) f |= CLONE_NEWNET;
	if (ns & NSBOX_NS_USER) f |= CLONE_NEWUSER;
	if (ns & NSBOX_NS_CGROUP) f |= CLONE_NEWCGROUP;
	if (ns & NSBOX_NS_TIME) f |= CLONE_NEWTIME;
	return f;
}

/* One raw clone3 + wait; exec: vfork-style exec of /bin/true, else a
 * fork-style child that exits. */
static int raw_spawn(uint32_t ns, int map, int exec)
{
	struct clone_args ca;
	struct raw_child c;
	siginfo_t si;
	int pidfd = -1;
	long pid;

	memset(&c, 0, sizeof(c));
	c.map = map;
	c.mount = !!(ns & NSBOX_NS_MOUNT);
	snprintf(c.uid_map, sizeof(c.uid_map), "0 %u 1\n", (unsigned)geteuid());
	snprintf(c.gid_map, sizeof(c.gid_map), "0 %u 1\n", (unsigned)getegid());
	memset(&ca, 0, sizeof(ca));
	ca.flags = clone_flags_of(ns) | CLONE_PIDFD | (exec ? CLONE_VM | CLONE_VFORK : 0);
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	ca.stack = (uint64_t)(uintptr_t)raw_stack;
	ca.stack_size = RAW_STACK;
	pid = bench_clone3(&ca, sizeof(ca), exec ? raw_child_exec : raw_child_exit, &c);
	if (pid < 0)
		return (int)pid;
	waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED);
	close(pidfd);
	return si.si_status == 0 ? 0 : -ECHILD;
}

/* ---- libnsbox cases ---- */

static int cb_exit(void *arg)
{
	(void)arg;
	return 0;
}

static int lib_spawn(nsbox_config *cfg)
{
	nsbox_proc *p;
	int32_t st;
	int r = nsbox_spawn(cfg, &p);

	if (r < 0)
		return r;
	r = nsbox_proc_wait(p, 0, &st);
	nsbox_proc_free(p);
	if (r == 0 && st != 0)
		r = -ECHILD;
	return r;
}

static nsbox_config *lib_config(uint32_t ns, int map, int exec)
{
	static const char *const argv[] = { "/bin/true", NULL };
	nsbox_config *cfg;

	if (nsbox_config_new(&cfg) < 0)
		return NULL;
	nsbox_config_set_namespaces(cfg, ns);
	/* the raw floor does not bring lo up: neither does the spawn it is
	 * compared with (a separate row shows what lo up costs) */
	if (ns & NSBOX_NS_NET)
		nsbox_config_set_loopback(cfg, 0);
	if (map)
		nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT);
	if (exec)
		nsbox_config_set_exec(cfg, "/bin/true", argv, NULL);
	else
		nsbox_config_set_callback(cfg, cb_exit, NULL);
	return cfg;
}

/* ---- whole commands ---- */

static int run_command(char *const *argv)
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -errno;
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

/* ---- joins: each in a fresh forked process, timed inside it ---- */

enum join_kind { JOIN_LIB, JOIN_RAW };

static int join_target_pidfd = -1;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int timed_join(enum join_kind k, int64_t *ns_out)
{
	int fds[2], st;
	pid_t pid;
	int64_t v = -1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		int64_t t0, t1;
		int r;

		/* A freshly forked process faults in every code and GOT page on
		 * first use; touch each path's once with a call that fails
		 * before the kernel joins anything, so that what is timed is
		 * the join itself, for both alike. */
		(void)syscall(SYS_setns, -1, 0);
		if (k == JOIN_LIB)
			(void)nsbox_join(join_target_pidfd, 0);
		t0 = now_ns();
		r = k == JOIN_LIB ? nsbox_join(join_target_pidfd, NSBOX_NS_ALL)
		                      : (int)syscall(SYS_setns, join_target_pidfd, (int)clone_flags_of(NSBOX_NS_ALL));
		t1 = now_ns();
		v = r == 0 ? t1 - t0 : -1;
		if (write(fds[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &v, sizeof(v)) != sizeof(v))
		v = -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	*ns_out = v;
	return v < 0 ? -EIO : 0;
}

/* ---- cases ---- */

enum ckind { C_LIB, C_RAW, C_CMD, C_JOIN_LIB, C_JOIN_RAW };

struct bcase {
	char name[96];
	int group;
	enum ckind kind;
	uint32_t ns;
	int map, exec;
	nsbox_config *cfg;
	char **argv;
	int ref; /* index of the reference case, -1 for none */
	int worker; /* run by the worker process of this resident-size level, -1: here */
	int64_t *samples;
	int n;
	const char *phase;
};

#define MAX_CASES 160
static struct bcase cases[MAX_CASES];
static int ncases;

static int add_case(const char *name, int group, enum ckind kind, uint32_t ns, int map, int exec, int ref)
{
	struct bcase *c = &cases[ncases];

	snprintf(c->name, sizeof(c->name), "%s", name);
	c->group = group;
	c->kind = kind;
	c->ns = ns;
	c->map = map;
	c->exec = exec;
	c->ref = ref;
	c->worker = -1;
	c->phase = "";
	if (kind == C_LIB && !(c->cfg = lib_config(ns, map, exec))) {
		fprintf(stderr, "bench: cannot build config for %s\n", name);
		exit(2);
	}
	return ncases++;
}

/* Worker processes that hold 0, 1 and 4 GiB of touched memory and run the
 * resident-size cases on request, so those are interleaved like the rest. */
#define NWORKERS 3
static const size_t worker_gib[NWORKERS] = { 0, 1, 4 };
static int worker_cmd[NWORKERS] = { -1, -1, -1 }, worker_res[NWORKERS] = { -1, -1, -1 };
static pid_t worker_pid[NWORKERS];

static int run_case_here(struct bcase *c, int64_t *dt);

static int run_case(struct bcase *c, int64_t *dt)
{
	int32_t idx = (int32_t)(c - cases), r;

	if (c->worker < 0)
		return run_case_here(c, dt);
	if (write(worker_cmd[c->worker], &idx, sizeof(idx)) != sizeof(idx) ||
	    read(worker_res[c->worker], dt, sizeof(*dt)) != sizeof(*dt) ||
	    read(worker_res[c->worker], &r, sizeof(r)) != sizeof(r))
		return -EIO;
	return r;
}

static void touch_memory(size_t gib);

static void worker_main(int level, int cmd, int res)
{
	int32_t idx, r;
	int64_t dt;

	touch_memory(worker_gib[level]);
	while (read(cmd, &idx, sizeof(idx)) == sizeof(idx) && idx >= 0 && idx < ncases) {
		r = run_case_here(&cases[idx], &dt);
		if (write(res, &dt, sizeof(dt)) != sizeof(dt) || write(res, &r, sizeof(r)) != sizeof(r))
			break;
	}
	_exit(0);
}

static int start_workers(void)
{
	for (int w = 0; w < NWORKERS; w++) {
		int c[2], r[2];
		if (pipe(c) < 0 || pipe(r) < 0)
			return -1;
		worker_pid[w] = fork();
		if (worker_pid[w] < 0)
			return -1;
		if (worker_pid[w] == 0) {
			close(c[1]);
			close(r[0]);
			worker_main(w, c[0], r[1]);
		}
		close(c[0]);
		close(r[1]);
		worker_cmd[w] = c[1];
		worker_res[w] = r[0];
	}
	return 0;
}

static void stop_workers(void)
{
	for (int w = 0; w < NWORKERS; w++) {
		int32_t quit = -1;
		if (worker_cmd[w] < 0)
			continue;
		if (write(worker_cmd[w], &quit, sizeof(quit)) < 0)
			kill(worker_pid[w], SIGKILL);
		close(worker_cmd[w]);
		close(worker_res[w]);
		waitpid(worker_pid[w], NULL, 0);
	}
}

static int run_case_here(struct bcase *c, int64_t *dt)
{
	int64_t t0 = now_ns();
	int r;

	switch (c->kind) {
	case C_LIB:
		r = lib_spawn(c->cfg);
		break;
	case C_RAW:
		r = raw_spawn(c->ns, c->map, c->exec);
		break;
	case C_CMD:
		r = run_command(c->argv);
		break;
	case C_JOIN_LIB:
		return timed_join(JOIN_LIB, dt);
	case C_JOIN_RAW:
		return timed_join(JOIN_RAW, dt);
	default:
		r = -EINVAL;
	}
	*dt = now_ns() - t0;
	return r;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static double quantile(struct bcase *c, double q)
{
	size_t i;

	if (c->n == 0)
		return 0;
	qsort(c->samples, (size_t)c->n, sizeof(int64_t), cmp64);
	i = (size_t)(q * (c->n - 1) + 0.5);
	return c->samples[i] / 1000.0;
}

/* Run the cases of a group for rounds, each round in a new random order. */
static int run_group(int group, int rounds)
{
	int idx[MAX_CASES], n = 0;

	for (int i = 0; i < ncases; i++)
		if (cases[i].group == group) {
			idx[n++] = i;
			cases[i].samples = calloc((size_t)rounds, sizeof(int64_t));
			cases[i].n = 0;
		}
	for (int r = 0; r < rounds; r++) {
		for (int i = n - 1; i > 0; i--) {
			int j = rand() % (i + 1), t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		for (int i = 0; i < n; i++) {
			struct bcase *c = &cases[idx[i]];
			int64_t dt;
			int e = run_case(c, &dt);
			if (e < 0) {
				fprintf(stderr, "bench: case '%s' failed: %s (%s)\n", c->name, strerror(-e),
				        c->kind == C_LIB ? nsbox_last_error() : "");
				return -1;
			}
			c->samples[c->n++] = dt;
		}
	}
	return 0;
}

static const struct {
	const char *name;
	uint32_t ns;
} sets[] = {
	{ "none", 0 },
	{ "mount", NSBOX_NS_MOUNT },
	{ "uts", NSBOX_NS_UTS },
	{ "ipc", NSBOX_NS_IPC },
	{ "pid", NSBOX_NS_PID },
	{ "net", NSBOX_NS_NET },
	{ "user", NSBOX_NS_USER },
	{ "cgroup", NSBOX_NS_CGROUP },
	{ "time", NSBOX_NS_TIME },
	{ "bwrap set", NSBOX_NS_USER | NSBOX_NS_MOUNT | NSBOX_NS_PID | NSBOX_NS_UTS | NSBOX_NS_IPC |
	                  NSBOX_NS_NET | NSBOX_NS_CGROUP },
	{ "all eight", NSBOX_NS_ALL },
};

static void add_spawn_pair(int group, const char *what, uint32_t ns, int map, int exec, const char *phase)
{
	char raw[96], lib[96];
	int r;

	snprintf(raw, sizeof(raw), "raw clone3 %s: %s%s%s", exec ? "exec" : "fork+exit", what,
	         map ? " +root map" : "", phase);
	snprintf(lib, sizeof(lib), "nsbox_spawn %s: %s%s%s", exec ? "exec" : "callback", what,
	         map ? " +root map" : "", phase);
	r = add_case(raw, group, C_RAW, ns, map, exec, -1);
	add_case(lib, group, C_LIB, ns, map, exec, r);
}

static void touch_memory(size_t gib)
{
	static char *mem;
	static size_t have;
	size_t want = gib << 30;

	if (want <= have)
		return;
	mem = mremap(mem, have, want, MREMAP_MAYMOVE);
	if (!mem || mem == MAP_FAILED) {
		mem = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		have = 0;
	}
	if (mem == MAP_FAILED) {
		fprintf(stderr, "bench: cannot map %zu GiB\n", gib);
		exit(2);
	}
	for (size_t off = have; off < want; off += 4096)
		mem[off] = 1;
	have = want;
}

static void print_row(struct bcase *c)
{
	double med = quantile(c, 0.5), p99 = quantile(c, 0.99);

	if (c->ref >= 0) {
		double rmed = quantile(&cases[c->ref], 0.5);
		printf("| %s | %.1f | %.1f | %.2f× | %s |\n", c->name, med, p99, rmed > 0 ? med / rmed : 0,
		       cases[c->ref].name);
	} else {
		printf("| %s | %.1f | %.1f | 1.00× | (reference) |\n", c->name, med, p99);
	}
}

static char *find_tool(const char *name)
{
	static const char *dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin" };
	char path[256];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return strdup(path);
	}
	return NULL;
}

static char **vec(const char *a, ...)
{
	static char *store[32][16];
	static int used;
	char **v = store[used++];
	va_list ap;
	int i = 0;

	va_start(ap, a);
	for (const char *s = a; s; s = va_arg(ap, const char *))
		v[i++] = (char *)s;
	va_end(ap);
	v[i] = NULL;
	return v;
}

int main(int argc, char **argv)
{
	/* Enough rounds that the medians of this noisy VM settle within a
	 * few percent (about 40 s in all here). */
	int rounds = 200, cmd_rounds = 100, join_rounds = 100, quick = 0, rss = 1;
	const char *nsbox_run = NULL;
	struct utsname u;
	char cpu[256] = "?";
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--no-rss"))
			rss = 0;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--nsbox-run") && i + 1 < argc)
			nsbox_run = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--quick] [--no-rss] [--rounds N] [--nsbox-run PATH]\n", argv[0]);
			return 2;
		}
	}
	if (quick) {
		rounds = 10;
		cmd_rounds = 5;
		join_rounds = 10;
		rss = 0;
	}
	if (geteuid() != 0) {
		printf("bench-spawn: needs root for the namespace sets; skipped\n");
		return 77;
	}
	srand((unsigned)time(NULL));
	uname(&u);
	if ((f = fopen("/proc/cpuinfo", "r"))) {
		char line[256];
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10)) {
				char *p = strchr(line, ':');
				snprintf(cpu, sizeof(cpu), "%.200s", p ? p + 2 : line);
				cpu[strcspn(cpu, "\n")] = 0;
				break;
			}
		fclose(f);
	}

	/* group 0: spawn, exec and callback, every set, against the raw floor */
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		add_spawn_pair(0, sets[i].name, sets[i].ns, 0, 1, "");
		if (sets[i].ns & NSBOX_NS_USER)
			add_spawn_pair(0, sets[i].name, sets[i].ns, 1, 1, "");
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		add_spawn_pair(0, sets[i].name, sets[i].ns, 0, 0, "");
		if (sets[i].ns & NSBOX_NS_USER)
			add_spawn_pair(0, sets[i].name, sets[i].ns, 1, 0, "");
	}

	/* what the default loopback-up of a new network namespace costs */
	{
		int raw = -1;
		for (int i = 0; i < ncases; i++)
			if (!strcmp(cases[i].name, "raw clone3 exec: net"))
				raw = i;
		int k = add_case("nsbox_spawn exec: net, lo up (the default)", 0, C_LIB, NSBOX_NS_NET, 0, 1, raw);
		nsbox_config_set_loopback(cases[k].cfg, 1);
	}

	/* group 1: whole commands for the bwrap set + root map */
	char *unshare = find_tool("unshare"), *bwrap = find_tool("bwrap"), *nsenter = find_tool("nsenter");
	int c_unshare = -1;
	if (unshare)
		c_unshare = add_case("unshare -Urpfmiun -C /bin/true", 1, C_CMD, 0, 0, 0, -1);
	if (c_unshare >= 0)
		cases[c_unshare].argv = vec(unshare, "-Urpfmiun", "-C", "/bin/true", NULL);
	if (nsbox_run && c_unshare >= 0) {
		int k = add_case("nsbox-run --unshare-all --map-root -- /bin/true", 1, C_CMD, 0, 0, 0, c_unshare);
		cases[k].argv = vec(nsbox_run, "--unshare-all", "--map-root", "--", "/bin/true", NULL);
		if (bwrap) {
			int b = add_case("bwrap --unshare-all --ro-bind / / /bin/true", 1, C_CMD, 0, 0, 0, -1);
			cases[b].argv = vec(bwrap, "--unshare-all", "--ro-bind", "/", "/", "/bin/true", NULL);
			k = add_case("nsbox-run (same) vs bwrap", 1, C_CMD, 0, 0, 0, b);
			cases[k].argv = cases[k - 2].argv;
		}
	}

	/* group 2: joins of all eight into a target that has all eight of its own */
	nsbox_config *tcfg = NULL;
	nsbox_proc *target = NULL;
	static const char *const targv[] = { "/bin/sleep", "3600", NULL };
	nsbox_config_new(&tcfg);
	nsbox_config_set_namespaces(tcfg, NSBOX_NS_ALL);
	nsbox_config_map_caller(tcfg, NSBOX_MAP_ROOT);
	nsbox_config_set_exec(tcfg, "/bin/sleep", targv, NULL);
	if (nsbox_spawn(tcfg, &target) < 0) {
		fprintf(stderr, "bench: cannot start the join target: %s\n", nsbox_last_error());
		return 1;
	}
	join_target_pidfd = nsbox_proc_pidfd(target);
	/* Resolve the library's symbols here, not in every forked joiner. */
	(void)nsbox_join(-1, 0);
	(void)syscall(SYS_setns, -1, 0);
	int jr = add_case("raw setns(pidfd, all eight)", 2, C_JOIN_RAW, 0, 0, 0, -1);
	add_case("nsbox_join(pidfd, all eight)", 2, C_JOIN_LIB, 0, 0, 0, jr);
	if (nsenter) {
		char pidbuf[16];
		snprintf(pidbuf, sizeof(pidbuf), "%d", nsbox_proc_pid(target));
		int k = add_case("nsenter -t PID -a true (whole command)", 2, C_CMD, 0, 0, 0, jr);
		cases[k].argv = vec(nsenter, "-t", strdup(pidbuf), "-a", "/bin/true", NULL);
	}

	int failed = run_group(0, rounds) < 0 || run_group(1, cmd_rounds) < 0 || run_group(2, join_rounds) < 0;

	/* group 3: the same spawns at 0, 1 and 4 GiB resident, each level in
	 * its own worker process, all levels interleaved in every round */
	if (rss && !failed) {
		static const char *const what[4] = { "nsbox_spawn exec: user+pid+uts +root map", "nsbox_spawn exec: none",
			                             "raw clone3 fork+exit: none", "nsbox_spawn callback: none" };
		static const enum ckind kind[4] = { C_LIB, C_LIB, C_RAW, C_LIB };
		static const uint32_t nsset[4] = { NSBOX_NS_USER | NSBOX_NS_PID | NSBOX_NS_UTS, 0, 0, 0 };
		static const int map[4] = { 1, 0, 0, 0 }, exec[4] = { 1, 1, 0, 0 };
		int base[4];
		for (int w = 0; w < NWORKERS; w++)
			for (int k = 0; k < 4; k++) {
				int i = add_case("", 3, kind[k], nsset[k], map[k], exec[k], w ? base[k] : -1);
				snprintf(cases[i].name, sizeof(cases[i].name), "%s @%zu GiB", what[k], worker_gib[w]);
				cases[i].worker = w;
				if (w == 0)
					base[k] = i;
			}
		if (start_workers() < 0) {
			fprintf(stderr, "bench: cannot start the resident-size workers: %s\n", strerror(errno));
			failed = 1;
		} else {
			failed = run_group(3, rounds / 2 > 10 ? rounds / 2 : 10) < 0;
		}
		stop_workers();
	}

	nsbox_proc_kill(target, SIGKILL);
	nsbox_proc_wait(target, 0, NULL);
	nsbox_proc_free(target);
	nsbox_config_free(tcfg);
	if (failed)
		return 1;

	printf("\nlibnsbox %s, kernel %s %s, %s, %ld cores; rounds: spawn %d, commands %d, joins %d\n\n",
	       nsbox_version(), u.release, u.machine, cpu, sysconf(_SC_NPROCESSORS_ONLN), rounds, cmd_rounds,
	       join_rounds);
	printf("| case | median µs | p99 µs | ratio | reference |\n|---|---|---|---|---|\n");
	for (int i = 0; i < ncases; i++)
		print_row(&cases[i]);
	if (!bwrap)
		printf("\nnote: bwrap is not installed; the bwrap rows were skipped\n");
	if (!nsbox_run)
		printf("\nnote: --nsbox-run not given; the nsbox-run rows were skipped\n");
	for (int i = 0; i < ncases; i++) {
		nsbox_config_free(cases[i].cfg);
		free(cases[i].samples);
	}
	return 0;
}
