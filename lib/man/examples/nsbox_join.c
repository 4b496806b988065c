/*
 * Enter the namespaces of another process, as nsenter(1) does: here,
 * of a child that this program starts in new user and UTS namespaces
 * with the hostname "inner". Afterwards the program is root in the
 * child's user namespace (the child maps our uid to 0) and sees the
 * child's hostname. Works unprivileged where the kernel allows
 * unprivileged user namespaces. A pidfd of any other process, from
 * pidfd_open(2), is used the same way.
 *
 *   $ ./nsbox_join
 *   before: hostname "myhost", uid 1000
 *   after:  hostname "inner", uid 0
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* gethostname() */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nsbox.h>

/* The child: it only waits to be killed. */
static int wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static void show(const char *when)
{
	char name[NSBOX_HOSTNAME_MAX + 1] = "";

	gethostname(name, sizeof(name) - 1);
	printf("%s hostname \"%s\", uid %u\n", when, name,
	       (unsigned)getuid());
}

int main(void)
{
	const uint32_t ns = NSBOX_NS_USER | NSBOX_NS_UTS;
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	int r;

	r = nsbox_config_new(&cfg);
	if (r == 0)
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS);
	if (r == 0)
		r = nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT);
	if (r == 0)
		r = nsbox_config_set_hostname(cfg, "inner");
	if (r == 0)
		r = nsbox_config_set_callback(cfg, wait_forever, NULL);
	if (r == 0)
		r = nsbox_spawn(cfg, &proc);
	if (r < 0) {
		fprintf(stderr, "spawn: %s (%s)\n", nsbox_last_error(),
		        strerror(-r));
		nsbox_config_free(cfg);
		return 1;
	}

	show("before:");
	/* nsbox_join() enters the user namespace first by itself. */
	r = nsbox_join(nsbox_proc_pidfd(proc), ns);
	if (r == 0)
		show("after: ");
	else
		fprintf(stderr, "join: %s (%s)\n", nsbox_last_error(),
		        strerror(-r));

	nsbox_proc_kill(proc, SIGKILL);
	nsbox_proc_wait(proc, 0, NULL);
	nsbox_proc_free(proc);
	nsbox_config_free(cfg);
	return r == 0 ? 0 : 1;
}
