/*
 * net-helpers.c - helpers of the net suites; see net-helpers.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "net-helpers.h"

#include <stdlib.h>
#include <unistd.h>

static int cmp_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

void nh_links(char *buf, size_t size)
{
	char text[16384], names[64][32], *line, *save = NULL;
	size_t off = 0, n = 0;
	int skip = 2;

	nt_proc_read(0, "net/dev", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line && n < 64; line = strtok_r(NULL, "\n", &save)) {
		char *colon, *name = line;

		if (skip && skip--)
			continue; /* the two header lines */
		while (*name == ' ')
			name++;
		colon = strchr(name, ':');
		if (!colon)
			continue;
		*colon = '\0';
		snprintf(names[n++], sizeof(names[0]), "%.31s", name);
	}
	qsort(names, n, sizeof(names[0]), cmp_name);
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? " " : "", names[i]);
}

int nh_links_become(const char *want, int ms)
{
	char now[1024];

	for (int i = 0; i <= ms / 10; i++) {
		nh_links(now, sizeof(now));
		if (strcmp(now, want) == 0)
			return 1;
		usleep(10000);
	}
	printf("interfaces: \"%s\", expected \"%s\"\n", now, want);
	return 0;
}

static int link_up(pid_t pid, const char *opts, const char *name)
{
	char out[1024], ns[128] = "";
	char *lt, *gt, *tok, *save = NULL;
	int st;

	if (pid > 0)
		snprintf(ns, sizeof(ns), "nsenter -t %d %s ", (int)pid, opts);
	st = nt_sh(out, sizeof(out), "%sip -o link show dev %s 2>&1", ns, name);
	NT_ASSERT(st == 0, "ip link show %s: %s: %s", name, nt_status_str(st), out);
	/* "1: lo: <LOOPBACK,UP,LOWER_UP> mtu ..." */
	lt = strchr(out, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	NT_ASSERT(lt && gt, "no flag list in \"%s\"", out);
	*gt = '\0';
	for (tok = strtok_r(lt + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "UP") == 0)
			return 1;
	return 0;
}

int nh_link_up(pid_t pid, const char *name)
{
	return link_up(pid, "-n", name);
}

int nh_link_up_user(pid_t pid, const char *name)
{
	return link_up(pid, "-U -n --preserve-credentials", name);
}

uint32_t nh_spawn_flags(void)
{
	return nt_under_valgrind() ? NSBOX_SPAWN_FORK : 0;
}

nsbox_config *nh_sleep_cfg(uint32_t ns)
{
	static const char *const argv[] = { "/bin/sleep", "60", NULL };
	nsbox_config *cfg = nt_cfg(ns);

	NT_ASSERT_INT(nsbox_config_set_exec(cfg, "/bin/sleep", argv, NULL), ==, 0);
	NT_ASSERT_INT(nsbox_config_set_flags(cfg, nh_spawn_flags()), ==, 0);
	return cfg;
}
