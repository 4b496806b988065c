/*
 * mount.c - mount and PID namespaces with a fresh /proc: ps and /proc show
 * the container's processes only.
 *
 * The library makes "/" private in the new mount namespace first, so the
 * /proc it mounts there never reaches the host (no need to remount /proc
 * after the container exits). Needs root (or see user.c).
 *
 *   sudo ./mount ps -ef           pid 1 is ps itself
 *   sudo ./mount ls /proc         one numbered directory per process of the box
 *
 * Usage: mount [--] [COMMAND [ARG]...]. Exit status: the command's, 128+N if
 * signal N killed it, 1 if the container could not be started.
 *
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nsbox.h>

static char *default_command[] = { "/bin/sh", NULL };

/* nsbox_config_set_exec() does no PATH search: look the command up here,
 * as a shell would. Not found: keep the name, nsbox_spawn() says ENOENT. */
static const char *find_command(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("PATH");

	if (strchr(name, '/') || !dir)
		return name;
	for (;;) {
		int len = (int)strcspn(dir, ":");

		snprintf(buf, size, "%.*s/%s", len ? len : 1, len ? dir : ".", name);
		if (access(buf, X_OK) == 0)
			return buf;
		if (dir[len] == '\0')
			return name;
		dir += len + 1;
	}
}

int main(int argc, char **argv)
{
	char **cmd = argv + 1;
	char path[PATH_MAX];
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int32_t status = 0;
	int r;

	if (argc > 1 && strcmp(cmd[0], "--") == 0)
		cmd++;
	if (!cmd[0])
		cmd = default_command;

	printf("Parent - start a container!\n");
	fflush(stdout);

	r = nsbox_config_new(&cfg);
	if (r == 0)
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_MOUNT | NSBOX_NS_PID);
	if (r == 0)
		r = nsbox_config_set_mount_proc(cfg, 1);
	if (r == 0)
		r = nsbox_config_set_exec(cfg, find_command(cmd[0], path, sizeof(path)),
		                          (const char *const *)cmd, NULL);
	if (r == 0)
		r = nsbox_spawn(cfg, &proc);
	if (r == 0)
		r = nsbox_proc_wait(proc, 0, &status);
	if (r < 0) {
		/* Read the message before any other nsbox call replaces it. */
		fprintf(stderr, "mount: %s (%s)\n", nsbox_last_error(), strerror(-r));
		nsbox_proc_free(proc);
		nsbox_config_free(cfg);
		return 1;
	}
	nsbox_proc_free(proc);
	nsbox_config_free(cfg);

	printf("Parent - container stopped!\n");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
