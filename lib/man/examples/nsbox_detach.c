/*
 * Move this process into a new UTS namespace, give it its own
 * hostname and run a command there (a shell by default). As root
 * it uses nsbox_detach(); unprivileged, nsbox_detach_user() also
 * creates a user namespace in which the caller is root, like
 * unshare -r.
 *
 *   $ ./nsbox_detach hostname
 *   UTS namespace uts:[4026531838]
 *   UTS namespace uts:[4026532449]
 *   detached
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* sethostname() */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nsbox.h>

/* Our UTS namespace, as ls -l /proc/self/ns/uts shows it. */
static void show(void)
{
	uint64_t dev, ino;
	int r;

	r = nsbox_ns_id(0 /* this process */, NSBOX_NS_UTS, &dev, &ino);
	if (r < 0)
		fprintf(stderr, "nsbox_ns_id: %s\n", strerror(-r));
	else
		printf("UTS namespace uts:[%llu]\n",
		       (unsigned long long)ino);
}

int main(int argc, char *argv[])
{
	static const char hostname[] = "detached";
	char *shell[] = { "/bin/sh", NULL };
	int r;

	show();
	if (geteuid() == 0)
		r = nsbox_detach(NSBOX_NS_UTS);
	else
		r = nsbox_detach_user(NSBOX_NS_UTS, NSBOX_MAP_ROOT);
	if (r < 0) {
		fprintf(stderr, "%s: %s (%s)\n", argv[0],
		        nsbox_last_error(), strerror(-r));
		return 1;
	}
	show();

	if (sethostname(hostname, strlen(hostname)) < 0) {
		perror("sethostname");
		return 1;
	}
	fflush(stdout);
	if (argc > 1)
		execvp(argv[1], argv + 1);
	else
		execv(shell[0], shell);
	perror("exec");
	return 127;
}
