/*
 * basic.c - the seed's first program on libnsbox: start a child, no
 * namespaces yet, and wait for it.
 *
 * It shows the callback payload: like clone(2) in the seed, the child runs
 * container_main() on a stack we own, in its own copy of our memory.
 * The other examples use the exec payload instead.
 *
 *   ./basic                       an interactive /bin/sh
 *   ./basic -- echo hello         or any command (PATH is searched)
 *
 * Exit status: the command's, 128+N if signal N killed it, 1 if the
 * container could not be started.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nsbox.h>

/* A 1 MiB stack for the child, as in the seed. The library would allocate
 * one if we set none; nsbox_config_set_stack() wants it 16-byte aligned. */
#define STACK_SIZE (1024 * 1024)
static _Alignas(16) char container_stack[STACK_SIZE];

static char *default_command[] = { "/bin/sh", NULL };

/* Runs in the child. It is a forked copy of this program, so it may use
 * stdio and execvp(), which searches PATH. */
static int container_main(void *arg)
{
	char **cmd = arg;

	printf("Container - inside the container!\n");
	fflush(stdout); /* execvp() would discard what is still buffered */
	execvp(cmd[0], cmd);
	fprintf(stderr, "basic: %s: %s\n", cmd[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	char **cmd = argv + 1;
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int32_t status = 0;
	int r;

	if (argc > 1 && strcmp(cmd[0], "--") == 0)
		cmd++;
	if (!cmd[0])
		cmd = default_command;

	printf("Parent - start a container!\n");
	fflush(stdout); /* or the child's copy of the buffer prints it twice */

	r = nsbox_config_new(&cfg);
	if (r == 0)
		r = nsbox_config_set_stack(cfg, container_stack, sizeof(container_stack));
	if (r == 0)
		r = nsbox_config_set_callback(cfg, container_main, cmd);
	if (r == 0)
		r = nsbox_spawn(cfg, &proc);
	if (r == 0)
		r = nsbox_proc_wait(proc, 0, &status);
	if (r < 0) {
		/* Read the message before any other nsbox call replaces it. */
		fprintf(stderr, "basic: %s (%s)\n", nsbox_last_error(), strerror(-r));
		nsbox_proc_free(proc);
		nsbox_config_free(cfg);
		return 1;
	}
	nsbox_proc_free(proc);
	nsbox_config_free(cfg);

	printf("Parent - container stopped!\n");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
