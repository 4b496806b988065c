/* SPDX-License-Identifier: MIT
 * Credentials and confinement: ids, groups, capabilities, no_new_privs,
 * seccomp (the child side is creds-child.c), and newuidmap/newgidmap for
 * maps an unprivileged parent may not write itself. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "creds.h"

extern char **environ;

static int last_cap(void)
{
	char buf[16] = { 0 };
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), v = 40;

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			v = atoi(buf);
		close(fd);
	}
	return v > 0 && v < 64 ? v : 40;
}

static int get_creds(nsbox_config *cfg, struct nsbox_creds_cfg **out, const char *what)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "%s: cfg is NULL", what);
	if (!cfg->creds && !(cfg->creds = calloc(1, sizeof(*cfg->creds))))
		return nsbox__fail(-ENOMEM, "%s: out of memory", what);
	*out = cfg->creds;
	return 0;
}

void nsbox__creds_cfg_free(struct nsbox_creds_cfg *c)
{
	if (!c)
		return;
	free(c->groups);
	free(c->filter);
	free(c);
}

NSBOX_EXPORT int nsbox_config_set_ids(nsbox_config *cfg, uint32_t uid, uint32_t gid)
{
	struct nsbox_creds_cfg *c = NULL;
	int r;

	if ((r = get_creds(cfg, &c, "nsbox_config_set_ids")) < 0)
		return r;
	if (uid == UINT32_MAX || gid == UINT32_MAX)
		return nsbox__fail(-EINVAL, "nsbox_config_set_ids: 4294967295 is not a valid id");
	c->has_ids = 1;
	c->uid = uid;
	c->gid = gid;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_groups(nsbox_config *cfg, const uint32_t *groups, uint32_t count)
{
	struct nsbox_creds_cfg *c = NULL;
	uint32_t *copy = NULL;
	int r;

	if ((r = get_creds(cfg, &c, "nsbox_config_set_groups")) < 0)
		return r;
	if (!groups && count)
		return nsbox__fail(-EINVAL, "nsbox_config_set_groups: groups is NULL with a count of %u", count);
	if (count > NSBOX_GROUPS_MAX)
		return nsbox__fail(-E2BIG, "nsbox_config_set_groups: more than %d groups", NSBOX_GROUPS_MAX);
	if (count && !(copy = malloc(count * sizeof(*copy))))
		return nsbox__fail(-ENOMEM, "nsbox_config_set_groups: out of memory");
	if (count)
		memcpy(copy, groups, count * sizeof(*copy));
	free(c->groups);
	c->groups = copy;
	c->n_groups = count;
	c->has_groups = 1;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_caps(nsbox_config *cfg, uint64_t keep)
{
	struct nsbox_creds_cfg *c = NULL;
	int r, last = last_cap();

	if ((r = get_creds(cfg, &c, "nsbox_config_set_caps")) < 0)
		return r;
	if (last < 63 && (keep >> (last + 1)))
		return nsbox__fail(-EINVAL, "nsbox_config_set_caps: capability %d is unknown to this kernel "
		                            "(cap_last_cap is %d)",
		                   63 - __builtin_clzll(keep), last);
	c->has_caps = 1;
	c->keep = keep;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_no_new_privs(nsbox_config *cfg, int32_t enable)
{
	struct nsbox_creds_cfg *c = NULL;
	int r;

	if ((r = get_creds(cfg, &c, "nsbox_config_set_no_new_privs")) < 0)
		return r;
	if (enable != 0 && enable != 1)
		return nsbox__fail(-EINVAL, "nsbox_config_set_no_new_privs: enable must be 0 or 1");
	c->nnp = enable;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_seccomp(nsbox_config *cfg, const void *filter, uint32_t count)
{
	struct nsbox_creds_cfg *c = NULL;
	struct sock_filter *copy;
	int r;

	if ((r = get_creds(cfg, &c, "nsbox_config_set_seccomp")) < 0)
		return r;
	if (!filter && count == 0) {
		free(c->filter);
		c->filter = NULL;
		c->n_filter = 0;
		return 0;
	}
	if (!filter || count == 0)
		return nsbox__fail(-EINVAL, "nsbox_config_set_seccomp: an empty BPF program");
	if (count > NSBOX_BPF_MAX)
		return nsbox__fail(-E2BIG, "nsbox_config_set_seccomp: %u instructions, more than %d", count,
		                   NSBOX_BPF_MAX);
	if (!(copy = malloc(count * sizeof(*copy))))
		return nsbox__fail(-ENOMEM, "nsbox_config_set_seccomp: out of memory");
	memcpy(copy, filter, count * sizeof(*copy));
	free(c->filter);
	c->filter = copy;
	c->n_filter = count;
	return 0;
}

int nsbox__creds_validate(const nsbox_config *cfg)
{
	(void)cfg;
	return 0;
}

int nsbox__creds_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	const struct nsbox_creds_cfg *c = cfg->creds;
	struct nsbox_creds_plan *cp;

	if (!c || !(c->has_ids || c->has_groups || c->has_caps || c->nnp || c->n_filter))
		return 0;
	if (!(cp = calloc(1, sizeof(*cp))))
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	cp->c = c;
	cp->last_cap = last_cap();
	cp->nnp = c->nnp || c->n_filter;
	cp->prog.len = (unsigned short)c->n_filter;
	cp->prog.filter = c->filter;
	p->creds = cp;
	p->fallible = 1;
	return 0;
}

void nsbox__creds_plan_free(struct nsbox_plan *p)
{
	free(p->creds);
	p->creds = NULL;
}

int nsbox__creds_parent(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	(void)p;
	(void)pid;
	(void)pidfd;
	return 0;
}

int nsbox__creds_child_error(const struct nsbox_plan *p, int err, int detail)
{
	static const char *const what[] = {
		[NSBOX_CREDS_SETGROUPS] = "setgroups",
		[NSBOX_CREDS_SETRESGID] = "setresgid",
		[NSBOX_CREDS_SETRESUID] = "setresuid",
		[NSBOX_CREDS_BOUNDING] = "drop from the capability bounding set",
		[NSBOX_CREDS_CAPSET] = "capset",
		[NSBOX_CREDS_AMBIENT] = "raise ambient capabilities",
		[NSBOX_CREDS_KEEPCAPS] = "PR_SET_KEEPCAPS",
		[NSBOX_CREDS_NNP] = "PR_SET_NO_NEW_PRIVS",
		[NSBOX_CREDS_SECCOMP] = "install the seccomp filter",
	};
	const char *hint = "";

	(void)p;
	if (detail == NSBOX_CREDS_SETGROUPS && err == EPERM)
		hint = " (a user namespace with setgroups denied refuses it: use NSBOX_SETGROUPS_ALLOW)";
	else if ((detail == NSBOX_CREDS_SETRESUID || detail == NSBOX_CREDS_SETRESGID) && err == EINVAL)
		hint = " (the id is not mapped in the child's user namespace)";
	if (detail < NSBOX_CREDS_SETGROUPS || detail > NSBOX_CREDS_SECCOMP)
		return nsbox__fail_sys(-err, "child: credentials");
	return nsbox__fail_sys(-err, "child: %s%s", what[detail], hint);
}

/* ---- newuidmap / newgidmap ---- */

static const char *find_helper(const char *name, char *buf, size_t len)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, len, "%s/%s", dirs[i], name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* Run newuidmap/newgidmap PID inside outside count ... and wait for it. */
int nsbox__map_helper(const char *name, pid_t pid, const struct nsbox_map_line *l, uint32_t n)
{
	char path[64], pidbuf[16];
	char **argv, *nums;
	pid_t h;
	int st, r;

	if (!find_helper(name, path, sizeof(path)))
		return nsbox__fail(-ENOENT, "parent: %s not found (install the uidmap package), and writing the "
		                            "map of process %d needs CAP_SETUID/CAP_SETGID",
		                   name, (int)pid);
	argv = calloc((size_t)n * 3 + 3, sizeof(*argv));
	nums = malloc((size_t)n * 3 * 11 + 1);
	if (!argv || !nums) {
		free(argv);
		free(nums);
		return nsbox__fail(-ENOMEM, "parent: out of memory");
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[0] = (char *)name;
	argv[1] = pidbuf;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v[3] = { l[i].inside, l[i].outside, l[i].count };
		for (int k = 0; k < 3; k++) {
			char *s = nums + ((size_t)i * 3 + (size_t)k) * 11;
			snprintf(s, 11, "%u", v[k]);
			argv[2 + i * 3 + (uint32_t)k] = s;
		}
	}
	r = posix_spawn(&h, path, NULL, NULL, argv, environ);
	free(argv);
	free(nums);
	if (r != 0)
		return nsbox__fail_sys(-r, "parent: run %s", path);
	while (waitpid(h, &st, 0) < 0)
		if (errno != EINTR)
			return nsbox__fail_sys(-errno, "parent: wait for %s", name);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return nsbox__fail(-EPERM, "parent: %s refused the map of process %d (status %d): check that "
		                           "%s grants these ranges to uid %u",
		                   name, (int)pid, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
		                   name[3] == 'u' ? "/etc/subuid" : "/etc/subgid", (unsigned)getuid());
	return 0;
}
