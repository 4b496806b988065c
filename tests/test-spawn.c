/*
 * test-spawn.c - nsbox_spawn and the process handle: exec and callback
 * payloads, stacks, exit signals, the clone() fallback, wait and kill, and
 * that a spawn leaks nothing into the caller or the payload. Needs root (the
 * payloads get namespaces).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

/* ---- exec payloads ------------------------------------------------------------ */

START_TEST(test_exec_exit_status)
{
	nsbox_config *cfg = nt_cfg(0);
	const char *argv[] = { "sh", "-c", "exit 7", NULL };
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int32_t st = -1;

	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT(p != NULL, "no handle");
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, 0);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7, "%s", nt_status_str(st));
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

/* The payload inherits exactly the caller's non-CLOEXEC descriptors: nothing
 * of the library (its status pipe, the pidfd) reaches it. Checked from
 * outside in /proc/PID/fd while the payload sleeps. */
START_TEST(test_exec_fds_inherited)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	int rd, extra = open("/dev/null", O_RDONLY); /* inheritable on purpose */
	char expect[4096] = "", got[4096] = "";
	nsbox_proc *p;
	int fd;

	NT_ASSERT(extra >= 0, "open /dev/null");
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	/* "ready" comes from sh: wait until it has become sleep, whose
	 * descriptors are the ones inherited (sh may hold others meanwhile).
	 * execve names the process before it closes the close-on-exec
	 * descriptors, so wait for sleep to be asleep ("S"), past its execve. */
	for (int i = 0; i < 2500; i++) {
		char path[64], stat[256] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", nsbox_proc_pid(p));
		if ((f = fopen(path, "re"))) {
			if (!fgets(stat, sizeof(stat), f))
				stat[0] = 0;
			fclose(f);
		}
		if (strstr(stat, "(sleep) S "))
			break;
		usleep(2000);
	}
	/* The payload closed W and has stdout on the pipe, so it holds 1 and
	 * every fd of ours without FD_CLOEXEC (0 and 2 included). */
	for (fd = 0; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fd != 1 && (fl < 0 || (fl & FD_CLOEXEC)))
			continue;
		snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect), "%d ", fd);
	}
	for (fd = 0; fd < 1024; fd++) {
		char path[64], target[256];

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", nsbox_proc_pid(p), fd);
		if (readlink(path, target, sizeof(target)) >= 0)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%d ", fd);
	}
	NT_ASSERT_STR_EQ(got, expect);
	nt_finish(p);
	close(rd);
	close(extra);
	nsbox_config_free(cfg);
}
END_TEST

/* envp NULL inherits the environment of the spawning process at spawn time;
 * an explicit envp is the payload's whole environment. */
START_TEST(test_exec_environment)
{
	nsbox_config *cfg = nt_cfg(0);
	const char *argv[] = { "env", NULL };
	const char *envp[] = { "A=1", "NSBOX_B=two words", NULL };
	char out[8192];
	int rd, wr;
	nsbox_proc *p = NULL;

	unsetenv("NSBOX_LATE");
	nt_cfg_sh(cfg, &rd, &wr, "echo \"late=$NSBOX_LATE\"");
	setenv("NSBOX_LATE", "set-after-set_exec", 1);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	close(wr);
	nt_read_all(rd, out, sizeof(out));
	close(rd);
	NT_ASSERT(WIFEXITED(nt_wait_free(p)), "payload");
	NT_ASSERT_STR_EQ(out, "late=set-after-set_exec\n");
	unsetenv("NSBOX_LATE");

	/* /usr/bin/env prints exactly its environment; its stdout is the
	 * pipe via a dup made before spawning. */
	{
		int pp[2], saved = dup(1);

		NT_ASSERT(pipe2(pp, O_CLOEXEC) == 0 && saved >= 0, "pipe");
		fflush(stdout);
		dup2(pp[1], 1);
		NT_OK(nsbox_config_set_exec(cfg, "/usr/bin/env", argv, envp));
		NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
		dup2(saved, 1);
		close(saved);
		close(pp[1]);
		nt_read_all(pp[0], out, sizeof(out));
		close(pp[0]);
		NT_ASSERT(WIFEXITED(nt_wait_free(p)), "payload");
		NT_ASSERT_STR_EQ(out, "A=1\nNSBOX_B=two words\n");
	}
	nsbox_config_free(cfg);
}
END_TEST

/* ---- callback payloads ----------------------------------------------------------- */

static int global_counter = 5;

struct cb_args {
	int wr;         /* report */
	int rel;        /* read end the payload blocks on until released */
	uint64_t uts;   /* the parent's UTS namespace inode */
	int ret;        /* what to return */
	void *lo, *hi;  /* expected stack range, if any */
	int depth;      /* stack depth to use, in 4 KiB frames */
};

static void cb_say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cb_say(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		_exit(99);
}

static void cb_block(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

static int cb_in_namespaces(void *arg)
{
	struct cb_args *a = arg;
	char host[128] = "";
	struct stat st;

	global_counter = 99; /* the caller's copy must not change */
	gethostname(host, sizeof(host));
	if (stat("/proc/self/ns/uts", &st) != 0)
		return 90;
	cb_say(a->wr, "%s %s %d\n", host, (uint64_t)st.st_ino == a->uts ? "same-uts" : "new-uts",
	       (int)getpid());
	cb_block(a->rel);
	return a->ret;
}

START_TEST(test_callback_status_and_namespaces)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_IPC);
	struct cb_args a;
	int rep[2], rel[2];
	char tag[64], line[256], out[256], host[128], want[256];
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int32_t st = -1;
	pid_t pid;

	snprintf(tag, sizeof(tag), "%s", nt_tag());
	nt_hostname(host, sizeof(host));
	NT_ASSERT(pipe2(rep, O_CLOEXEC) == 0 && pipe2(rel, O_CLOEXEC) == 0, "pipes");
	memset(&a, 0, sizeof(a));
	a.wr = rep[1];
	a.rel = rel[0];
	a.uts = nt_ns(0, "uts").ino;
	a.ret = 42;
	NT_OK(nsbox_config_set_hostname(cfg, tag));
	NT_OK(nsbox_config_set_callback(cfg, cb_in_namespaces, &a));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rep[0], line, sizeof(line)) > 0, "no report from the callback");
	snprintf(want, sizeof(want), "%s new-uts %d", tag, (int)pid);
	NT_ASSERT_STR_EQ(line, want);
	/* from outside */
	nt_assert_ns_differs(pid, "uts");
	nt_assert_ns_differs(pid, "ipc");
	nt_assert_ns_same(pid, "net");
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u hostname", (int)pid);
	NT_ASSERT_STR_EQ(nt_chomp(out), tag);
	nt_hostname(line, sizeof(line));
	NT_ASSERT_STR_EQ(line, host);
	/* release it: its return value is the exit status */
	NT_ASSERT(write(rel[1], "x", 1) == 1, "release");
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, 0);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 42, "%s", nt_status_str(st));
	nsbox_proc_free(p);
	NT_ASSERT_INT(global_counter, ==, 5);
	NT_SNAP_CHECK(&s);
	close(rep[0]);
	close(rep[1]);
	close(rel[0]);
	close(rel[1]);
	nsbox_config_free(cfg);
}
END_TEST

static void on_usr1(int sig)
{
	(void)sig;
}

static int cb_signals(void *arg)
{
	sigset_t cur;
	struct sigaction sa;
	int r = 0;

	(void)arg;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR2))
		r |= 1; /* the spawning thread's mask is kept */
	if (sigismember(&cur, SIGTERM) || sigismember(&cur, SIGCHLD))
		r |= 2; /* and nothing more is blocked */
	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		r |= 4; /* a caught signal is back to default */
	return r;
}

static void child_callback_signals(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	struct sigaction sa;
	sigset_t set;
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int32_t st = -1;

	(void)unused;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	NT_ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	NT_ASSERT(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0, "mask");
	NT_OK(nsbox_config_set_callback(cfg, cb_signals, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, 0);
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st), "%s", nt_status_str(st));
	NT_ASSERT(WEXITSTATUS(st) == 0, "callback saw wrong signal state (bits %d: 1 mask lost, "
	          "2 extra blocked, 4 handler kept)", WEXITSTATUS(st));
	nsbox_config_free(cfg);
}

START_TEST(test_callback_signal_state)
{
	nt_in_child(child_callback_signals, NULL);
}
END_TEST

/* ---- stacks ---------------------------------------------------------------------- */

static unsigned char user_stack[256 * 1024] __attribute__((aligned(64)));

static int cb_stack_where(void *arg)
{
	struct cb_args *a = arg;
	volatile char local = 1;
	uintptr_t sp = (uintptr_t)&local;

	if (a->lo && !(sp >= (uintptr_t)a->lo && sp < (uintptr_t)a->hi))
		return 3;
	if (a->wr >= 0)
		cb_say(a->wr, "%lx\n", (unsigned long)sp);
	if (a->rel >= 0)
		cb_block(a->rel);
	return local == 1 ? 0 : 4;
}

START_TEST(test_caller_stack_callback)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	struct cb_args a;
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int st;

	memset(&a, 0, sizeof(a));
	a.wr = a.rel = -1;
	a.lo = user_stack;
	a.hi = user_stack + sizeof(user_stack);
	NT_OK(nsbox_config_set_stack(cfg, user_stack, sizeof(user_stack)));
	NT_OK(nsbox_config_set_callback(cfg, cb_stack_where, &a));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	          "callback %s (3: not running on the caller's stack)", nt_status_str(st));
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_caller_stack_exec)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	const char *argv[] = { "sh", "-c", "exit $$", NULL };
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int st;

	NT_OK(nsbox_config_set_stack(cfg, user_stack, sizeof(user_stack)));
	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1, "payload (pid 1 expected) %s",
	          nt_status_str(st));
	/* the library did not unmap or free the caller's memory */
	user_stack[0] = 1;
	user_stack[sizeof(user_stack) - 1] = 1;
	nsbox_config_free(cfg);
}
END_TEST

/* Uses about @depth * 4 KiB of stack, touching every 512 bytes downwards, so
 * that a guard page cannot be jumped over. Each frame hands its buffer to the
 * next, which writes into it: no compiler can fold the frames into one. */
static int __attribute__((noinline)) deep(int depth, volatile char *up)
{
	volatile char pad[4096];
	int i, r;

	for (i = (int)sizeof(pad) - 1; i >= 0; i -= 512)
		pad[i] = (char)depth;
	pad[0] = (char)depth;
	if (up)
		up[1] = (char)depth;
	if (depth == 0)
		return 0;
	r = deep(depth - 1, pad);
	__asm__ volatile("" ::: "memory");
	return r + (pad[1] == (char)(depth - 1) ? 0 : 1);
}

static int cb_deep(void *arg)
{
	struct cb_args *a = arg;
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none); /* an expected SIGSEGV leaves no core file */

	return deep(a->depth, NULL) == 0 ? 0 : 5;
}

START_TEST(test_library_stack_size)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	struct cb_args a;
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int st;

	memset(&a, 0, sizeof(a));
	/* 2 MiB of stack: fine on an 8 MiB library stack */
	a.depth = 512;
	NT_OK(nsbox_config_set_stack_size(cfg, 8u << 20));
	NT_OK(nsbox_config_set_callback(cfg, cb_deep, &a));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "deep callback on 8 MiB: %s",
	          nt_status_str(st));

	/* 1 MiB on the default 256 KiB stack hits its guard page */
	a.depth = 256;
	NT_OK(nsbox_config_set_stack_size(cfg, NSBOX_STACK_DEFAULT));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	          "1 MiB of stack on a 256 KiB library stack: %s (SIGSEGV expected)",
	          nt_status_str(st));
	nsbox_config_free(cfg);
}
END_TEST

/* Find the /proc/PID/maps line containing @addr and the one before it. */
static int find_mapping(pid_t pid, unsigned long addr, unsigned long *lo, unsigned long *hi,
                        char *perms, unsigned long *prev_hi, char *prev_perms)
{
	static char text[1 << 18];
	char *line, *save = NULL;
	unsigned long phi = 0;
	char pperm[8] = "";

	nt_proc_read(pid, "maps", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long a, b;
		char perm[8];

		if (sscanf(line, "%lx-%lx %7s", &a, &b, perm) != 3)
			continue;
		if (addr >= a && addr < b) {
			*lo = a;
			*hi = b;
			strcpy(perms, perm);
			*prev_hi = phi;
			strcpy(prev_perms, pperm);
			return 0;
		}
		phi = b;
		strcpy(pperm, perm);
	}
	return -1;
}

/* A callback that reports where its stack is and waits to be released:
 * start spawns it (and checks that spawning added no mapping to the caller),
 * finish releases and reaps it. */
struct sp_probe {
	struct cb_args a;
	int rep[2], rel[2];
	nsbox_proc *p;
	unsigned long sp;
};

static void sp_probe_start(struct sp_probe *pr, nsbox_config *cfg)
{
	char line[128];
	int maps_before;

	memset(pr, 0, sizeof(*pr));
	NT_ASSERT(pipe2(pr->rep, O_CLOEXEC) == 0 && pipe2(pr->rel, O_CLOEXEC) == 0, "pipes");
	pr->a.wr = pr->rep[1];
	pr->a.rel = pr->rel[0];
	NT_OK(nsbox_config_set_callback(cfg, cb_stack_where, &pr->a));
	maps_before = nt_maps_count();
	NT_ASSERT_INT(nsbox_spawn(cfg, &pr->p), ==, 0);
	if (nt_maps_reliable())
		NT_ASSERT_INT(nt_maps_count(), ==, maps_before);
	NT_ASSERT(nt_read_line(pr->rep[0], line, sizeof(line)) > 0, "no stack address");
	pr->sp = strtoul(line, NULL, 16);
}

static void sp_probe_finish(struct sp_probe *pr)
{
	int st;

	NT_ASSERT(write(pr->rel[1], "x", 1) == 1, "release");
	st = nt_wait_free(pr->p);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", nt_status_str(st));
	close(pr->rep[0]);
	close(pr->rep[1]);
	close(pr->rel[0]);
	close(pr->rel[1]);
}

/* The library stack has a PROT_NONE guard page right below it (seen in the
 * callback child's /proc/PID/maps), is at least the configured size, and is
 * gone from the caller once nsbox_spawn() returned (the fork-style child has
 * its own copy). */
START_TEST(test_library_stack_guard_and_unmap)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	struct sp_probe pr;
	unsigned long lo, hi, phi;
	char perms[8], pperms[8];

	NT_OK(nsbox_config_set_stack_size(cfg, 1u << 20));
	sp_probe_start(&pr, cfg);
	NT_ASSERT(find_mapping(nsbox_proc_pid(pr.p), pr.sp, &lo, &hi, perms, &phi, pperms) == 0,
	          "stack address %lx not mapped in the child", pr.sp);
	NT_ASSERT(strncmp(perms, "rw", 2) == 0, "stack mapping is %s", perms);
	NT_ASSERT(hi - lo >= (1u << 20), "stack mapping %lx-%lx is smaller than 1 MiB", lo, hi);
	NT_ASSERT(phi == lo && strncmp(pperms, "---", 3) == 0,
	          "no PROT_NONE guard right below the stack %lx-%lx (previous mapping ends at %lx, "
	          "perms %s)",
	          lo, hi, phi, pperms);
	/* the caller no longer has it */
	{
		unsigned long l2, h2, ph2;
		char p2[8], pp2[8];

		NT_ASSERT(find_mapping(0, pr.sp, &l2, &h2, p2, &ph2, pp2) != 0,
		          "the library stack %lx-%lx is still mapped in the caller after spawn", lo, hi);
	}
	sp_probe_finish(&pr);
	nsbox_config_free(cfg);
}
END_TEST

/* The name of the /proc/PID/maps mapping holding @addr ("" when anonymous),
 * or NULL when @addr is not mapped. */
static const char *mapping_name(pid_t pid, unsigned long addr)
{
	static char text[1 << 18], name[256];
	char *line, *save = NULL;

	nt_proc_read(pid, "maps", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long a, b;
		int off = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &a, &b, &off) < 2 || addr < a || addr >= b)
			continue;
		snprintf(name, sizeof(name), "%s", off ? line + off : "");
		return name;
	}
	return NULL;
}

/* A callback with neither a stack nor a stack size set runs like fork(): on
 * the child's own copy of the calling thread's stack. The library maps
 * nothing, and the callback has the whole of the caller's stack (here the
 * main thread's, 8 MiB by default: 2 MiB of frames fit, which the default
 * library stack size of 256 KiB would not). */
START_TEST(test_callback_default_stack_is_callers_copy)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	struct sp_probe pr;
	struct cb_args a;
	struct nt_snap s;
	nsbox_proc *p = NULL;
	const char *name;
	int st;

	sp_probe_start(&pr, cfg);
	name = mapping_name(nsbox_proc_pid(pr.p), pr.sp);
	NT_ASSERT(name != NULL, "stack address %lx not mapped in the child", pr.sp);
	NT_ASSERT(strcmp(name, "[stack]") == 0, "the callback runs at %lx in \"%s\", not in its copy of the "
	          "caller's [stack]", pr.sp, name);
	sp_probe_finish(&pr);

	/* 2 MiB of frames, with no stack size set */
	memset(&a, 0, sizeof(a));
	a.depth = 512;
	NT_OK(nsbox_config_set_callback(cfg, cb_deep, &a));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "2 MiB deep callback on the caller's stack copy: %s",
	          nt_status_str(st));
	nsbox_config_free(cfg);
}
END_TEST

/* For an exec payload on the shared-memory path the library stack is gone
 * once the payload runs (exec succeeded) */
START_TEST(test_library_stack_unmapped_after_exec)
{
	uint32_t flags[] = { 0, NSBOX_SPAWN_FORK, NSBOX_SPAWN_NO_CLONE3 };
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_MOUNT);
		int rd, before, now;
		nsbox_proc *p;

		NT_OK(nsbox_config_set_flags(cfg, flags[i]));
		NT_OK(nsbox_config_set_stack_size(cfg, 2u << 20));
		before = nt_maps_count();
		p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
		nt_expect_ready(rd);
		now = nt_maps_count();
		NT_ASSERT(!nt_maps_reliable() || now == before,
		          "flags %#x: %d mappings before spawn, %d while the payload runs: the "
		          "library stack is still mapped",
		          flags[i], before, now);
		nt_finish(p);
		close(rd);
		nsbox_config_free(cfg);
	}
}
END_TEST

/* Many spawns: the caller's maps, fds and children stay the same. */
START_TEST(test_repeated_spawns_leak_nothing)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_IPC | NSBOX_NS_NET);
	nsbox_config *cb = nt_cfg(NSBOX_NS_UTS);
	const char *argv[] = { "true", NULL };
	struct cb_args a;
	struct nt_snap s;
	int i;

	memset(&a, 0, sizeof(a));
	a.wr = a.rel = -1;
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	NT_OK(nsbox_config_set_callback(cb, cb_stack_where, &a));
	nt_snap_take(&s);
	for (i = 0; i < 20; i++) {
		nsbox_proc *p = NULL;
		int st;

		NT_ASSERT_INT(nsbox_spawn(i % 2 ? cb : cfg, &p), ==, 0);
		st = nt_wait_free(p);
		NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "spawn %d: %s", i, nt_status_str(st));
	}
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
	nsbox_config_free(cb);
}
END_TEST

/* ---- exit signal ---------------------------------------------------------------- */

static int pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

static void consume(int sig)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, sig);
	while (sigtimedwait(&set, NULL, &zero) == sig)
		;
}

static int cb_return_0(void *arg)
{
	(void)arg;
	return 0;
}

static void block_chld_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	NT_ASSERT(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0, "mask");
	NT_ASSERT(!pending(SIGCHLD) && !pending(SIGUSR1), "signals pending before anything");
}

/* Spawn, wait (must work) and free, with the snapshot checks. */
static void spawn_wait_status(nsbox_config *cfg, int want_exit)
{
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int st;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == want_exit, "%s", nt_status_str(st));
}

/* Callback payloads (no execve): exit signal 0 sends nothing, another
 * signal replaces SIGCHLD, and the default is SIGCHLD. */
static void child_exit_signal_callback(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);

	(void)unused;
	block_chld_usr1();
	NT_OK(nsbox_config_set_callback(cfg, cb_return_0, NULL));

	/* control: the default exit signal is SIGCHLD */
	spawn_wait_status(cfg, 0);
	NT_ASSERT(pending(SIGCHLD), "default exit signal: no SIGCHLD");
	consume(SIGCHLD);

	NT_OK(nsbox_config_set_exit_signal(cfg, 0));
	spawn_wait_status(cfg, 0);
	NT_ASSERT(!pending(SIGCHLD), "exit signal 0 but SIGCHLD was delivered");
	NT_ASSERT(!pending(SIGUSR1), "exit signal 0 but SIGUSR1 was delivered");

	/* with a PID namespace (the library's extra fork must not signal) */
	NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS | NSBOX_NS_PID));
	spawn_wait_status(cfg, 0);
	NT_ASSERT(!pending(SIGCHLD), "exit signal 0 (pid ns) but SIGCHLD was delivered");

	NT_OK(nsbox_config_set_exit_signal(cfg, SIGUSR1));
	spawn_wait_status(cfg, 0);
	NT_ASSERT(pending(SIGUSR1), "exit signal SIGUSR1 not delivered");
	NT_ASSERT(!pending(SIGCHLD), "exit signal SIGUSR1 but SIGCHLD was delivered");
	consume(SIGUSR1);
	nsbox_config_free(cfg);
}

START_TEST(test_exit_signal_callback)
{
	nt_in_child(child_exit_signal_callback, NULL);
}
END_TEST

/* Exec payloads: the same promise ("0 for none") for a payload that ran
 * execve(2), the library's main path. */
static void child_exit_signal_exec(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	const char *argv[] = { "true", NULL };
	const char *sl[] = { "sleep", "30", NULL };
	nsbox_proc *p = NULL;
	int32_t wst = 0;

	(void)unused;
	block_chld_usr1();
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	spawn_wait_status(cfg, 0);
	NT_ASSERT(pending(SIGCHLD), "default exit signal: no SIGCHLD");
	consume(SIGCHLD);

	NT_OK(nsbox_config_set_exit_signal(cfg, 0));
	/* nsbox_proc_wait works: NOHANG, kill, wait */
	NT_OK(nsbox_config_set_exec(cfg, "/bin/sleep", sl, NULL));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &wst), ==, -EAGAIN);
	NT_ASSERT_INT(nsbox_proc_kill(p, SIGKILL), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &wst), ==, 0);
	nsbox_proc_free(p);
	NT_ASSERT(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL, "%s", nt_status_str(wst));
	NT_ASSERT(!pending(SIGCHLD), "exit signal 0, exec payload: SIGCHLD was delivered "
	          "(execve(2) resets the exit signal to SIGCHLD)");

	/* the payload's exit status and a forwarded signal come back */
	{
		const char *ex[] = { "sh", "-c", "exit 9", NULL };

		NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", ex, NULL));
		spawn_wait_status(cfg, 9);
		NT_ASSERT(!pending(SIGCHLD), "exit signal 0: SIGCHLD after exit 9");
	}
	{
		struct nt_snap s;
		int rd, st;

		nt_snap_take(&s);
		p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
		nt_expect_ready(rd);
		NT_ASSERT_INT(nsbox_proc_kill(p, SIGTERM), ==, 0);
		st = nt_wait_free(p);
		close(rd);
		NT_SNAP_CHECK(&s);
		NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "SIGTERM: %s", nt_status_str(st));
		NT_ASSERT(!pending(SIGCHLD), "exit signal 0: SIGCHLD after SIGTERM");
	}
	/* with a new PID namespace the payload is pid 2 under the supervisor,
	 * and a signal that killed it comes back as 128 + the signal */
	NT_OK(nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS | NSBOX_NS_PID));
	{
		struct nt_snap s;
		char line[64];
		int rd, st;

		nt_snap_take(&s);
		p = nt_spawn_sh(cfg, &rd, "echo $$; exec sleep 30");
		NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no pid");
		NT_ASSERT_STR_EQ(line, "2");
		NT_ASSERT_INT(nsbox_proc_kill(p, SIGTERM), ==, 0);
		st = nt_wait_free(p);
		close(rd);
		NT_SNAP_CHECK(&s);
		NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "SIGTERM in a PID ns: %s",
		          nt_status_str(st));
		NT_ASSERT(!pending(SIGCHLD), "exit signal 0, PID ns: SIGCHLD delivered");
	}
	nsbox_config_free(cfg);
}

START_TEST(test_exit_signal_exec)
{
	nt_in_child(child_exit_signal_exec, NULL);
}
END_TEST

/* ---- clone3 / clone --------------------------------------------------------------- */

/* Make clone3(2) fail with @err for this process (and its children). */
static void clone3_fails_with(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	long r;

	NT_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	NT_ASSERT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0, "seccomp: %s",
	          strerror(errno));
	/* control: the filter works */
	r = syscall(__NR_clone3, NULL, 0);
	NT_ASSERT(r == -1 && errno == err, "clone3 under the filter: %ld errno %d", r, errno);
}

/* Spawn a UTS+PID payload and check it from outside; returns nothing. */
static void spawn_and_check(nsbox_config *cfg, const char *why)
{
	struct nt_snap s;
	char line[64];
	nsbox_proc *p;
	int rd, st;
	pid_t pid;

	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $$; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "%s: no output", why);
	NT_ASSERT(strcmp(line, "1") == 0, "%s: payload is pid %s, not 1", why, line);
	nt_assert_ns_differs(pid, "uts");
	nt_assert_ns_differs(pid, "pid");
	NT_ASSERT(nsbox_proc_pidfd(p) >= 0, "%s: no pidfd", why);
	NT_ASSERT(fcntl(nsbox_proc_pidfd(p), F_GETFD) == FD_CLOEXEC, "%s: pidfd without CLOEXEC", why);
	st = nt_finish(p);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: %s", why, nt_status_str(st));
	close(rd);
	NT_SNAP_CHECK(&s);
}

static void child_no_clone3_flag(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);

	(void)unused;
	/* EIO is no reason to fall back: only a library that never calls
	 * clone3 with NSBOX_SPAWN_NO_CLONE3 passes */
	clone3_fails_with(EIO);
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3));
	spawn_and_check(cfg, "NO_CLONE3");
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3 | NSBOX_SPAWN_FORK));
	spawn_and_check(cfg, "NO_CLONE3|FORK");
	nsbox_config_free(cfg);
}

START_TEST(test_no_clone3_flag)
{
	nt_in_child(child_no_clone3_flag, NULL);
}
END_TEST

static void child_clone3_enosys(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	const char *argv[] = { "true", NULL };
	struct nt_snap s;
	nsbox_proc *p = (nsbox_proc *)&s;

	(void)unused;
	clone3_fails_with(ENOSYS);
	spawn_and_check(cfg, "clone3 ENOSYS");
	nsbox_config_free(cfg);
	/* a callback: clone(2) on its copy of our stack, signals blocked around
	 * it and the handlers reset by the child itself */
	child_callback_signals(NULL);

	/* a time namespace needs clone3 */
	cfg = nt_cfg(NSBOX_NS_TIME);
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, -EOPNOTSUPP);
	NT_ASSERT(p == (nsbox_proc *)&s, "out-parameter written on failure");
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(test_clone3_enosys_fallback)
{
	nt_in_child(child_clone3_enosys, NULL);
}
END_TEST

static void child_clone3_eperm(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);

	(void)unused;
	clone3_fails_with(EPERM);
	spawn_and_check(cfg, "clone3 EPERM (seccomp)");
	nsbox_config_free(cfg);
	child_callback_signals(NULL);
}

START_TEST(test_clone3_eperm_fallback)
{
	nt_in_child(child_clone3_eperm, NULL);
}
END_TEST

START_TEST(test_no_clone3_time_ns)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_TIME | NSBOX_NS_UTS);
	const char *argv[] = { "true", NULL };
	struct nt_snap s;
	nsbox_proc *p = NULL;

	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, -EOPNOTSUPP);
	NT_ASSERT(p == NULL, "out-parameter written on failure");
	NT_SNAP_CHECK(&s);
	NT_ASSERT(nsbox_last_error()[0] != '\0', "no description");
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_fork_flag)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);

	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_FORK));
	spawn_and_check(cfg, "FORK");
	NT_OK(nsbox_config_set_flags(cfg, 0));
	spawn_and_check(cfg, "default");
	nsbox_config_free(cfg);
}
END_TEST

/* ---- wait and kill ------------------------------------------------------------------ */

START_TEST(test_kill_and_wait)
{
	/* no PID namespace: its init would ignore SIGTERM */
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	const char *argv[] = { "sleep", "30", NULL };
	struct nt_snap s;
	nsbox_proc *p = NULL;
	int32_t st = -1, st2 = -1;

	NT_OK(nsbox_config_set_exec(cfg, "/bin/sleep", argv, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st), ==, -EAGAIN);
	NT_ASSERT_INT(nsbox_proc_wait(p, 0x2, &st), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_proc_kill(p, -1), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_proc_kill(p, 65), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_proc_kill(p, 0), ==, 0); /* existence probe */
	NT_ASSERT_INT(nsbox_proc_kill(p, SIGTERM), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, 0);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "%s", nt_status_str(st));
	/* once reaped: the same status again, and no more signals */
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st2), ==, 0);
	NT_ASSERT_INT(st2, ==, st);
	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_proc_kill(p, SIGTERM), ==, -ESRCH);
	nsbox_proc_free(p);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_nohang_until_exit)
{
	nsbox_config *cfg = nt_cfg(0);
	const char *argv[] = { "sh", "-c", "read x; exit 3", NULL };
	int p2[2];
	nsbox_proc *p = NULL;
	int32_t st = -1;
	int r, tries = 0;

	/* the payload's stdin is a pipe we hold: it runs until we close it */
	NT_ASSERT(pipe2(p2, O_CLOEXEC) == 0, "pipe");
	{
		int saved = dup(0);

		dup2(p2[0], 0);
		NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
		NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
		dup2(saved, 0);
		close(saved);
	}
	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st), ==, -EAGAIN);
	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st), ==, -EAGAIN);
	close(p2[1]);
	close(p2[0]);
	while ((r = nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st)) == -EAGAIN && tries++ < 2000)
		usleep(5000);
	NT_ASSERT_INT(r, ==, 0);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 3, "%s", nt_status_str(st));
	nsbox_proc_free(p);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_proc_null_and_ids)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_PID);
	const char *argv[] = { "sleep", "30", NULL };
	char path[64], info[1024], want[64];
	int32_t st;
	nsbox_proc *p = NULL;
	int fd;

	NT_ASSERT_INT(nsbox_proc_pid(NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_proc_pidfd(NULL), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_proc_wait(NULL, 0, &st), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_proc_kill(NULL, SIGTERM), ==, -EINVAL);

	NT_OK(nsbox_config_set_exec(cfg, "/bin/sleep", argv, NULL));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	fd = nsbox_proc_pidfd(p);
	NT_ASSERT(fd >= 0, "pidfd %d", fd);
	NT_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC, "pidfd without FD_CLOEXEC");
	/* the pidfd refers to the pid the handle reports: the pid as seen
	 * by the caller, not the 1 it has inside its PID namespace */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	NT_ASSERT(nt_read_file(path, info, sizeof(info)) > 0, "fdinfo");
	snprintf(want, sizeof(want), "\nPid:\t%d\n", nsbox_proc_pid(p));
	NT_ASSERT_CONTAINS(info, want);
	snprintf(want, sizeof(want), "PPid:\t%d\n", (int)getpid());
	snprintf(path, sizeof(path), "/proc/%d/status", nsbox_proc_pid(p));
	NT_ASSERT(nt_read_file(path, info, sizeof(info)) > 0, "status");
	NT_ASSERT_CONTAINS(info, want);
	nt_finish(p);
	nsbox_config_free(cfg);
}
END_TEST

static void child_sigchld_ignored(void *unused)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	const char *argv[] = { "true", NULL };
	struct sigaction sa;
	nsbox_proc *p = NULL;
	int32_t st = 12345;

	(void)unused;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	NT_ASSERT(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction");
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, -ECHILD);
	nsbox_proc_free(p);
	nsbox_config_free(cfg);
}

START_TEST(test_wait_after_autoreap)
{
	nt_in_child(child_sigchld_ignored, NULL);
}
END_TEST

START_TEST(test_wait_after_waitpid)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	const char *argv[] = { "sh", "-c", "exit 4", NULL };
	nsbox_proc *p = NULL;
	int32_t st = 0;
	int wst = 0;

	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT(waitpid(nsbox_proc_pid(p), &wst, __WALL) == nsbox_proc_pid(p), "waitpid: %s",
	          strerror(errno));
	NT_ASSERT(WIFEXITED(wst) && WEXITSTATUS(wst) == 4, "%s", nt_status_str(wst));
	NT_ASSERT_INT(nsbox_proc_wait(p, 0, &st), ==, -ECHILD);
	NT_ASSERT_INT(nsbox_proc_wait(p, NSBOX_WAIT_NOHANG, &st), ==, -ECHILD);
	nsbox_proc_free(p);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- threads -------------------------------------------------------------------------- */

struct thr {
	const nsbox_config *cfg;
	int bad;
	char why[256];
};

static void *spawner(void *arg)
{
	struct thr *t = arg;
	int i;

	for (i = 0; i < 8; i++) {
		nsbox_proc *p = NULL;
		int32_t st = -1;
		int r = nsbox_spawn(t->cfg, &p);

		if (r != 0) {
			t->bad = 1;
			snprintf(t->why, sizeof(t->why), "spawn %d: %d %s", i, r, nsbox_last_error());
			return NULL;
		}
		r = nsbox_proc_wait(p, 0, &st);
		nsbox_proc_free(p);
		if (r != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 6) {
			t->bad = 1;
			snprintf(t->why, sizeof(t->why), "wait %d: %d %s", i, r, nt_status_str(st));
			return NULL;
		}
	}
	return NULL;
}

/* Several threads spawn from one configuration at once. */
START_TEST(test_threads_share_config)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	const char *argv[] = { "sh", "-c", "[ $$ = 1 ] && exit 6; exit 9", NULL };
	pthread_t th[4];
	struct thr t[4];
	int i;

	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	for (i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].cfg = cfg;
		NT_ASSERT(pthread_create(&th[i], NULL, spawner, &t[i]) == 0, "pthread_create");
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++)
		NT_ASSERT(!t[i].bad, "thread %d: %s", i, t[i].why);
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc;

	nt_init();
	nt_require_root("spawn");
	nt_require_cmd("nsenter");

	tc = nt_tcase("exec");
	tcase_add_test(tc, test_exec_exit_status);
	tcase_add_test(tc, test_exec_fds_inherited);
	tcase_add_test(tc, test_exec_environment);
	suite_add_tcase(s, tc);

	tc = nt_tcase("callback");
	tcase_add_test(tc, test_callback_status_and_namespaces);
	tcase_add_test(tc, test_callback_signal_state);
	suite_add_tcase(s, tc);

	tc = nt_tcase("stack");
	tcase_add_test(tc, test_caller_stack_callback);
	tcase_add_test(tc, test_caller_stack_exec);
	tcase_add_test(tc, test_library_stack_size);
	tcase_add_test(tc, test_library_stack_guard_and_unmap);
	tcase_add_test(tc, test_callback_default_stack_is_callers_copy);
	tcase_add_test(tc, test_library_stack_unmapped_after_exec);
	tcase_add_test(tc, test_repeated_spawns_leak_nothing);
	suite_add_tcase(s, tc);

	tc = nt_tcase("exit-signal");
	tcase_add_test(tc, test_exit_signal_callback);
	tcase_add_test(tc, test_exit_signal_exec);
	suite_add_tcase(s, tc);

	tc = nt_tcase("clone");
	tcase_add_test(tc, test_no_clone3_flag);
	tcase_add_test(tc, test_clone3_enosys_fallback);
	tcase_add_test(tc, test_clone3_eperm_fallback);
	tcase_add_test(tc, test_no_clone3_time_ns);
	tcase_add_test(tc, test_fork_flag);
	suite_add_tcase(s, tc);

	tc = nt_tcase("wait-kill");
	tcase_add_test(tc, test_kill_and_wait);
	tcase_add_test(tc, test_nohang_until_exit);
	tcase_add_test(tc, test_proc_null_and_ids);
	tcase_add_test(tc, test_wait_after_autoreap);
	tcase_add_test(tc, test_wait_after_waitpid);
	suite_add_tcase(s, tc);

	tc = nt_tcase("threads");
	tcase_add_test(tc, test_threads_share_config);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
