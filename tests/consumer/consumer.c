/*
 * consumer.c - a program of a project that uses libnsbox as a meson
 * subproject (see meson.build next to it).
 *
 * SPDX-License-Identifier: MIT
 *
 * Prints the library version, then (as root) runs /bin/true in a new UTS
 * namespace. Exits 0 on success, 1 on failure, 77 when not root.
 */
#define _POSIX_C_SOURCE 200809L
#include <nsbox.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int32_t status = -1;
	int r;

	printf("consumer: libnsbox %s (header %s)\n", nsbox_version(), NSBOX_VERSION_STRING);
	if (strcmp(nsbox_version(), NSBOX_VERSION_STRING) != 0)
		return 1;
	if (geteuid() != 0) {
		printf("consumer: not root, no UTS namespace\n");
		return 77;
	}

	r = nsbox_config_new(&cfg);
	if (r == 0)
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS);
	if (r == 0)
		r = nsbox_config_set_exec(cfg, "/bin/true", NULL, NULL);
	if (r == 0)
		r = nsbox_spawn(cfg, &proc);
	nsbox_config_free(cfg);
	if (r == 0)
		r = nsbox_proc_wait(proc, 0, &status);
	nsbox_proc_free(proc);
	if (r < 0) {
		fprintf(stderr, "consumer: %s: %s\n", strerror(-r), nsbox_last_error());
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "consumer: /bin/true: wait status 0x%x\n", (unsigned)status);
		return 1;
	}
	printf("consumer: /bin/true in a UTS namespace exited 0\n");
	return 0;
}
