/*
 * nsbox-run.c - run a command in new or joined namespaces, like unshare(1)
 * and bwrap(1), on top of libnsbox. Run "nsbox-run --help" for the options;
 * the parser is in nsbox-run-args.c.
 *
 *   nsbox-run -U -r -u -p --hostname boxed -- sh -c 'echo $(hostname) $$ $(id -u)'
 *   boxed 1 0
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nsbox.h>

#include "nsbox-run-args.h"

#define EXIT_FAILED 125     /* nsbox-run itself failed, as env(1) and unshare(1) */
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

static volatile sig_atomic_t child_pid;

/* Pass SIGTERM and SIGHUP on to the command. kill(2) is async-signal-safe,
 * and the pid cannot be reused: the child stays ours until we reap it. */
static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* SIGINT and SIGQUIT from the terminal reach the command (our process
 * group) by themselves: nsbox-run lives on to report its status. A handler
 * rather than SIG_IGN, because an ignored signal would stay ignored across
 * the command's exec. */
static void swallow_signal(int sig)
{
	(void)sig;
}

/* The signals nsbox-run handles. They stay blocked from before the spawn
 * until the child's pid is known, so none is lost or kills nsbox-run in
 * between (the command gets the mask we had, nsbox_config_set_signal_mask). */
static const int handled_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };

static void handle_signals(int new_session)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = forward_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* With --new-session the terminal no longer reaches the command: pass
	 * its SIGINT and SIGQUIT on as well. */
	if (!new_session)
		sa.sa_handler = swallow_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

/* A sigset_t as nsbox_config_set_signal_mask() takes it: bit N-1 for N. */
static uint64_t signal_mask_bits(const sigset_t *set)
{
	uint64_t mask = 0;
	int sig;

	for (sig = 1; sig <= 64; sig++)
		if (sigismember(set, sig) == 1)
			mask |= UINT64_C(1) << (sig - 1);
	return mask;
}

static char child_stack[NSBOX_STACK_DEFAULT] __attribute__((aligned(64)));

/* After a failed libnsbox call: its sentence, else the errno text. */
static void print_lib_error(int r)
{
	const char *msg = nsbox_last_error();

	fprintf(stderr, "nsbox-run: %s\n", msg[0] ? msg : strerror(-r));
}

/* Whether execve(2) would find and run @path: 0, or -ENOENT, -ENOTDIR
 * (not found), -EACCES, -EISDIR (cannot be executed). */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

/* nsbox_config_set_exec() does no PATH search: look @name up in our PATH as
 * execvp(3) would. A name with a '/' is used as it is.
 * Returns 0, -ENOENT, -ENAMETOOLONG. */
static int find_command(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("PATH");

	if (strchr(name, '/')) {
		if ((size_t)snprintf(buf, size, "%s", name) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!dir || !*dir)
		dir = "/usr/local/bin:/usr/bin:/bin";
	if (!*name)
		return -ENOENT;
	for (;;) {
		size_t len = strcspn(dir, ":");
		int n;

		/* An empty PATH element is the current directory. */
		n = snprintf(buf, size, "%.*s/%s", len ? (int)len : 1, len ? dir : ".", name);
		if (n > 0 && (size_t)n < size && check_executable(buf) == 0)
			return 0;
		if (dir[len] == '\0')
			return -ENOENT;
		dir += len + 1;
	}
}

/* Read @fd to its end into a new buffer (*@out, to free; NULL when empty).
 * Returns 0, -EFBIG past @max bytes, -ENOMEM, or the errno of read(2). */
static int read_all(int fd, size_t max, void **out, size_t *len)
{
	char *buf = NULL, *grown;
	size_t size = 0, n = 0;
	ssize_t k;

	for (;;) {
		if (n == size) {
			size = size ? 2 * size : 4096;
			if (!(grown = realloc(buf, size))) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
		}
		k = read(fd, buf + n, size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max) {
			free(buf);
			return -EFBIG;
		}
	}
	if (n == 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Read the descriptors of --file and --seccomp to their end, as bwrap does,
 * and close them (but 0, 1, 2), so that COMMAND does not inherit them. */
static int load_fds(struct run_args *args)
{
	size_t i, j;
	void *data;
	size_t len;
	int r;

	for (i = 0; i < args->n_mounts; i++) {
		struct run_mount_op *op = &args->mounts[i];

		if (op->kind != RUN_MNT_FILE)
			continue;
		r = read_all(op->fd, RUN_FILE_MAX, &data, &len);
		if (r < 0) {
			if (r == -EFBIG)
				fprintf(stderr, "nsbox-run: --file %d %s: more than %d MiB\n", (int)op->fd,
				        op->dest, RUN_FILE_MAX >> 20);
			else
				fprintf(stderr, "nsbox-run: --file %d %s: %s\n", (int)op->fd, op->dest,
				        strerror(-r));
			return r;
		}
		op->data = data;
		op->len = len;
		op->loaded = 1;
	}
	if (args->seccomp_fd >= 0) {
		r = read_all(args->seccomp_fd, RUN_SECCOMP_MAX, &data, &len);
		if (r < 0) {
			if (r == -EFBIG)
				fprintf(stderr, "nsbox-run: --seccomp %d: more than %d bytes (4096 "
				        "instructions)\n", (int)args->seccomp_fd, RUN_SECCOMP_MAX);
			else
				fprintf(stderr, "nsbox-run: --seccomp %d: %s\n", (int)args->seccomp_fd,
				        strerror(-r));
			return r;
		}
		args->seccomp = data;
		args->seccomp_len = len;
		args->seccomp_loaded = 1;
	}
	for (i = 0; i < args->n_mounts; i++) {
		int32_t fd = args->mounts[i].fd;

		if (args->mounts[i].kind != RUN_MNT_FILE || fd <= 2)
			continue;
		for (j = 0; j < i; j++)
			if (args->mounts[j].kind == RUN_MNT_FILE && args->mounts[j].fd == fd)
				break;
		if (j == i && fd != args->seccomp_fd)
			close(fd);
	}
	if (args->seccomp_fd > 2)
		close(args->seccomp_fd);
	return 0;
}

static void free_fds(struct run_args *args)
{
	size_t i;

	for (i = 0; i < args->n_mounts; i++)
		if (args->mounts[i].kind == RUN_MNT_FILE)
			free((void *)args->mounts[i].data);
	free((void *)args->seccomp);
}

int main(int argc, char **argv)
{
	char *default_cmd[] = { NULL, NULL };
	struct run_args args;
	char path[PATH_MAX];
	char err[512];
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	sigset_t handled, old_mask;
	int32_t status = 0;
	char **cmd;
	size_t i;
	int r;

	if (run_args_parse(&args, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "nsbox-run: %s\n", err);
		fprintf(stderr, "Try 'nsbox-run --help' for more information.\n");
		return EXIT_FAILED;
	}
	if (args.action == RUN_HELP) {
		run_args_usage(stdout);
		return 0;
	}
	if (args.action == RUN_VERSION) {
		printf("nsbox-run (libnsbox) %s\n", nsbox_version());
		return 0;
	}

	cmd = args.cmd;
	if (!cmd) {
		default_cmd[0] = getenv("SHELL");
		if (!default_cmd[0] || !default_cmd[0][0])
			default_cmd[0] = "/bin/sh";
		cmd = default_cmd;
	}
	r = find_command(cmd[0], path, sizeof(path));
	if (r < 0) {
		fprintf(stderr, "nsbox-run: %s: %s\n", cmd[0],
		        r == -ENOENT ? "command not found" : strerror(-r));
		return EXIT_NOT_FOUND;
	}
	/* A path given with a '/' is not looked at here: execve in the child
	 * tells (the library names its errno "child: execve PATH", below),
	 * and only the child sees the right files anyway in a joined mount
	 * namespace or a new root. A name found in PATH was checked above. */

	if (load_fds(&args) < 0) {
		free_fds(&args);
		return EXIT_FAILED;
	}
	r = nsbox_config_new(&cfg);
	if (r < 0) {
		print_lib_error(r);
		free_fds(&args);
		return EXIT_FAILED;
	}
	/* One spawn per run: a stack in our .bss spares the library an
	 * mmap, a guard mprotect and a munmap (a command's start-up counts). */
	nsbox_config_set_stack(cfg, child_stack, sizeof(child_stack));
	r = run_args_apply(&args, path, cmd, cfg, err, sizeof(err));
	free_fds(&args); /* the configuration holds copies */
	if (r < 0) {
		fprintf(stderr, "nsbox-run: %s\n", err);
		nsbox_config_free(cfg);
		return EXIT_FAILED;
	}
	sigemptyset(&handled);
	for (i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		sigaddset(&handled, handled_signals[i]);
	sigprocmask(SIG_BLOCK, &handled, &old_mask);
	r = nsbox_config_set_signal_mask(cfg, signal_mask_bits(&old_mask));
	if (r < 0) {
		print_lib_error(r);
		nsbox_config_free(cfg);
		return EXIT_FAILED;
	}
	handle_signals(args.new_session);
	r = nsbox_spawn(cfg, &proc);
	if (r == 0)
		child_pid = nsbox_proc_pid(proc);
	/* Signals that came meanwhile are handled now, passed on if they must. */
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (r < 0) {
		print_lib_error(r);
		if (r == -EPERM && geteuid() != 0 && !(args.ns & NSBOX_NS_USER) && !args.join_pid)
			fputs("nsbox-run: without root, add -U (-r: root inside)\n", stderr);
		nsbox_config_free(cfg);
		/* 127 and 126 only for errors of execve(2) itself, which the
		 * library names "child: execve PATH: ...": -ENOENT and -EACCES
		 * also come from bind sources, --chdir, cgroups, join targets. */
		if (strncmp(nsbox_last_error(), "child: execve ", 14) != 0)
			return EXIT_FAILED;
		return r == -ENOENT || r == -ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	nsbox_config_free(cfg);

	do
		r = nsbox_proc_wait(proc, 0, &status);
	while (r == -EINTR);
	child_pid = 0;
	if (r < 0) {
		print_lib_error(r);
		nsbox_proc_free(proc);
		return EXIT_FAILED;
	}
	nsbox_proc_free(proc);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
