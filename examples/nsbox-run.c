/*
 * nsbox-run.c - run a command in new or joined namespaces, like unshare(1),
 * on top of libnsbox. Run "nsbox-run --help" for the options; the parser is
 * in nsbox-run-args.c.
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

static void handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = forward_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* The terminal sends these to the command (our process group) itself. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

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

int main(int argc, char **argv)
{
	char *default_cmd[] = { NULL, NULL };
	struct run_args args;
	char path[PATH_MAX];
	char err[512];
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int32_t status = 0;
	char **cmd;
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
	/* Say "not found" or "cannot execute" here, where the errno is surely
	 * execve's. A joined mount namespace may hold other files: there,
	 * only the child can tell. */
	if (!args.join_pid && (r = check_executable(path)) < 0) {
		fprintf(stderr, "nsbox-run: %s: %s\n", path, strerror(-r));
		return r == -ENOENT || r == -ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}

	r = nsbox_config_new(&cfg);
	if (r < 0) {
		print_lib_error(r);
		return EXIT_FAILED;
	}
	r = run_args_apply(&args, path, cmd, cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "nsbox-run: %s\n", err);
		nsbox_config_free(cfg);
		return EXIT_FAILED;
	}
	r = nsbox_spawn(cfg, &proc);
	if (r < 0) {
		print_lib_error(r);
		if (r == -EPERM && geteuid() != 0 && !(args.ns & NSBOX_NS_USER) && !args.join_pid)
			fputs("nsbox-run: without root, add -U (-r: root inside)\n", stderr);
		nsbox_config_free(cfg);
		/* From execve(2), as nsbox.h documents; but -EACCES may also
		 * come from opening a join target's namespace files. */
		if (r == -ENOENT)
			return EXIT_NOT_FOUND;
		if (r == -ENOEXEC)
			return EXIT_CANNOT_EXEC;
		return EXIT_FAILED;
	}
	nsbox_config_free(cfg);

	/* Only now: ignored signals would stay ignored across the child's exec. */
	child_pid = nsbox_proc_pid(proc);
	handle_signals();

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
