/*
 * Run a command in new user, UTS, PID and mount namespaces: it is
 * root of its user namespace, pid 1 of its PID namespace, sees its
 * own /proc and has the hostname "sandbox". Works unprivileged where
 * the kernel allows unprivileged user namespaces. No PATH search:
 * give the command's path.
 *
 *   $ ./nsbox_spawn /bin/sh -c 'hostname; id -u; echo $$'
 *   sandbox
 *   0
 *   1
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <nsbox.h>

int main(int argc, char *argv[])
{
	const uint32_t ns = NSBOX_NS_UTS | NSBOX_NS_PID | NSBOX_NS_MOUNT;
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int32_t status = 0;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH [ARG]...\n", argv[0]);
		return 2;
	}

	r = nsbox_config_new(&cfg);
	if (r == 0)
		r = nsbox_config_set_namespaces(cfg, ns);
	/* Adds NSBOX_NS_USER; the child writes its own uid/gid maps. */
	if (r == 0)
		r = nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT);
	if (r == 0)
		r = nsbox_config_set_hostname(cfg, "sandbox");
	if (r == 0)
		r = nsbox_config_set_mount_proc(cfg, 1);
	/* argv[1] and its arguments; NULL: the child gets environ. */
	if (r == 0)
		r = nsbox_config_set_exec(cfg, argv[1],
		        (const char *const *)argv + 1, NULL);
	if (r == 0)
		r = nsbox_spawn(cfg, &proc);
	if (r == 0)
		r = nsbox_proc_wait(proc, 0, &status);
	if (r < 0) {
		/* Read the sentence before any other nsbox call. */
		fprintf(stderr, "%s: %s (%s)\n", argv[0],
		        nsbox_last_error(), strerror(-r));
		nsbox_proc_free(proc);
		nsbox_config_free(cfg);
		return 127;
	}
	nsbox_proc_free(proc);
	nsbox_config_free(cfg);

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
