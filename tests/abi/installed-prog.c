/*
 * installed-prog.c - an out-of-tree program built against an installed
 * libnsbox with nothing but `pkg-config nsbox` (see test-install.sh).
 *
 * SPDX-License-Identifier: MIT
 *
 * Checks that the run-time library is the one the header describes, then
 * spawns /bin/true and /bin/false in a new UTS namespace and checks their
 * exit statuses. Exits 0 on success, 1 on failure, 77 when not root (a new
 * UTS namespace needs CAP_SYS_ADMIN).
 */
#include <nsbox.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(const char *path, int want)
{
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int32_t status = -1;
	int r;

	r = nsbox_config_new(&cfg);
	if (r == 0)
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS);
	if (r == 0)
		r = nsbox_config_set_hostname(cfg, "nsbox-installed");
	if (r == 0)
		r = nsbox_config_set_exec(cfg, path, NULL, NULL);
	if (r == 0)
		r = nsbox_spawn(cfg, &proc);
	nsbox_config_free(cfg);
	if (r < 0) {
		fprintf(stderr, "spawning %s: %s (%d): %s\n", path, strerror(-r), r, nsbox_last_error());
		return 1;
	}
	r = nsbox_proc_wait(proc, 0, &status);
	nsbox_proc_free(proc);
	if (r < 0) {
		fprintf(stderr, "waiting for %s: %s (%d)\n", path, strerror(-r), r);
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != want) {
		fprintf(stderr, "%s in a UTS namespace: wait status 0x%x, expected exit %d\n",
		        path, (unsigned)status, want);
		return 1;
	}
	printf("%s in a UTS namespace exited %d\n", path, want);
	return 0;
}

int main(void)
{
	const char *v = nsbox_version();

	printf("nsbox_version() = %s, header %s\n", v ? v : "(null)", NSBOX_VERSION_STRING);
	if (v == NULL || strcmp(v, NSBOX_VERSION_STRING) != 0) {
		fprintf(stderr, "library version does not match the installed header\n");
		return 1;
	}
	if (geteuid() != 0) {
		printf("not root: cannot create a UTS namespace\n");
		return 77;
	}
	if (run("/bin/true", 0) != 0 || run("/bin/false", 1) != 0)
		return 1;
	return 0;
}
