/* SPDX-License-Identifier: MIT
 * The nsbox_config builder: every setter validates its own arguments; what
 * depends on several settings is checked by nsbox_spawn(). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsbox-private.h"

#define STACK_MAX ((size_t)1 << 30)

NSBOX_EXPORT int nsbox_config_new(nsbox_config **out)
{
	nsbox_config *cfg;

	if (!out)
		return nsbox__fail(-EINVAL, "nsbox_config_new: out is NULL");
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return nsbox__fail(-ENOMEM, "nsbox_config_new: out of memory");
	cfg->alloc_stack_size = NSBOX_STACK_DEFAULT;
	cfg->exit_signal = SIGCHLD;
	cfg->propagation = NSBOX_PROPAGATION_PRIVATE;
	*out = cfg;
	return 0;
}

static void free_vector(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void clear_exec(nsbox_config *cfg)
{
	free(cfg->path);
	free_vector(cfg->argv);
	free_vector(cfg->envp);
	cfg->path = NULL;
	cfg->argv = NULL;
	cfg->envp = NULL;
}

NSBOX_EXPORT void nsbox_config_free(nsbox_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->hostname);
	free(cfg->domainname);
	free(cfg->uid_map);
	free(cfg->gid_map);
	clear_exec(cfg);
	for (uint32_t i = 0; i < cfg->n_joins; i++)
		free(cfg->joins[i].path);
	free(cfg->cgroup);
	nsbox__mount_cfg_free(cfg->mount);
	nsbox__net_cfg_free(cfg->net);
	nsbox__process_cfg_free(cfg->process);
	nsbox__creds_cfg_free(cfg->creds);
	free(cfg);
}

NSBOX_EXPORT int nsbox_config_set_namespaces(nsbox_config *cfg, uint32_t ns)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_namespaces: cfg is NULL");
	if (ns & ~(uint32_t)NSBOX_NS_ALL)
		return nsbox__fail(-EINVAL, "nsbox_config_set_namespaces: unknown namespace bits 0x%x",
		                   ns & ~(uint32_t)NSBOX_NS_ALL);
	cfg->ns = ns;
	return 0;
}

static int set_name(char **slot, const char *what, const char *name)
{
	char *copy = NULL;

	if (name) {
		if (strlen(name) > NSBOX_HOSTNAME_MAX)
			return nsbox__fail(-ENAMETOOLONG, "%s: longer than %d bytes", what, NSBOX_HOSTNAME_MAX);
		copy = strdup(name);
		if (!copy)
			return nsbox__fail(-ENOMEM, "%s: out of memory", what);
	}
	free(*slot);
	*slot = copy;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_hostname(nsbox_config *cfg, const char *name)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_hostname: cfg is NULL");
	return set_name(&cfg->hostname, "hostname", name);
}

NSBOX_EXPORT int nsbox_config_set_domainname(nsbox_config *cfg, const char *name)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_domainname: cfg is NULL");
	return set_name(&cfg->domainname, "domainname", name);
}

static int ranges_overlap(uint32_t a, uint32_t b, uint32_t count_a, uint32_t count_b)
{
	return (uint64_t)a < (uint64_t)b + count_b && (uint64_t)b < (uint64_t)a + count_a;
}

static int add_map(struct nsbox_map_line **lines, uint32_t *n, const char *what, uint32_t inside,
                   uint32_t outside, uint32_t count)
{
	struct nsbox_map_line *grown;

	if (count == 0)
		return nsbox__fail(-EINVAL, "%s map: count is 0", what);
	/* The kernel keeps ids below 2^32-1 ((u32)-1 is never valid). */
	if ((uint64_t)inside + count > UINT32_MAX || (uint64_t)outside + count > UINT32_MAX)
		return nsbox__fail(-EOVERFLOW, "%s map: %u+%u or %u+%u passes 2^32-1", what, inside, count,
		                   outside, count);
	if (*n >= NSBOX_MAP_LINES_MAX)
		return nsbox__fail(-E2BIG, "%s map: more than %d lines", what, NSBOX_MAP_LINES_MAX);
	for (uint32_t i = 0; i < *n; i++) {
		const struct nsbox_map_line *l = &(*lines)[i];
		if (ranges_overlap(l->inside, inside, l->count, count))
			return nsbox__fail(-EINVAL, "%s map: inside range %u+%u overlaps line %u", what, inside,
			                   count, i + 1);
		if (ranges_overlap(l->outside, outside, l->count, count))
			return nsbox__fail(-EINVAL, "%s map: outside range %u+%u overlaps line %u", what,
			                   outside, count, i + 1);
	}
	grown = realloc(*lines, (*n + 1) * sizeof(**lines));
	if (!grown)
		return nsbox__fail(-ENOMEM, "%s map: out of memory", what);
	grown[*n].inside = inside;
	grown[*n].outside = outside;
	grown[*n].count = count;
	*lines = grown;
	(*n)++;
	return 0;
}

NSBOX_EXPORT int nsbox_config_add_uid_map(nsbox_config *cfg, uint32_t inside, uint32_t outside, uint32_t count)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_add_uid_map: cfg is NULL");
	return add_map(&cfg->uid_map, &cfg->n_uid, "uid", inside, outside, count);
}

NSBOX_EXPORT int nsbox_config_add_gid_map(nsbox_config *cfg, uint32_t inside, uint32_t outside, uint32_t count)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_add_gid_map: cfg is NULL");
	return add_map(&cfg->gid_map, &cfg->n_gid, "gid", inside, outside, count);
}

NSBOX_EXPORT int nsbox_config_set_setgroups(nsbox_config *cfg, uint32_t mode)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_setgroups: cfg is NULL");
	if (mode > NSBOX_SETGROUPS_DENY)
		return nsbox__fail(-EINVAL, "nsbox_config_set_setgroups: unknown mode %u", mode);
	cfg->setgroups = mode;
	return 0;
}

NSBOX_EXPORT int nsbox_config_map_caller(nsbox_config *cfg, uint32_t flags)
{
	struct nsbox_map_line *u, *g;
	uint32_t uid = (uint32_t)geteuid(), gid = (uint32_t)getegid();
	int root;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_map_caller: cfg is NULL");
	if (flags & ~(uint32_t)NSBOX_MAP_ROOT)
		return nsbox__fail(-EINVAL, "nsbox_config_map_caller: unknown flags 0x%x", flags);
	root = flags & NSBOX_MAP_ROOT;
	u = malloc(sizeof(*u));
	g = malloc(sizeof(*g));
	if (!u || !g) {
		free(u);
		free(g);
		return nsbox__fail(-ENOMEM, "nsbox_config_map_caller: out of memory");
	}
	u->inside = root ? 0 : uid;
	u->outside = uid;
	u->count = 1;
	g->inside = root ? 0 : gid;
	g->outside = gid;
	g->count = 1;
	free(cfg->uid_map);
	free(cfg->gid_map);
	cfg->uid_map = u;
	cfg->gid_map = g;
	cfg->n_uid = cfg->n_gid = 1;
	cfg->setgroups = NSBOX_SETGROUPS_DENY;
	cfg->ns |= NSBOX_NS_USER;
	return 0;
}

/* Deep copy of a NULL-terminated vector; -E2BIG past NSBOX_ARGV_MAX. */
static int copy_vector(const char *const *v, char ***out)
{
	size_t n = 0;
	char **c;

	while (v[n]) {
		if (++n > NSBOX_ARGV_MAX)
			return -E2BIG;
	}
	c = calloc(n + 1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			free_vector(c);
			return -ENOMEM;
		}
	}
	*out = c;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_exec(nsbox_config *cfg, const char *path, const char *const *argv,
                                       const char *const *envp)
{
	const char *const def_argv[] = { path, NULL };
	char *p = NULL, **a = NULL, **e = NULL;
	int r;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_exec: cfg is NULL");
	if (!path) {
		clear_exec(cfg);
		return 0;
	}
	if (cfg->fn)
		return nsbox__fail(-EINVAL, "nsbox_config_set_exec: a callback payload is already set");
	p = strdup(path);
	if (!p)
		return nsbox__fail(-ENOMEM, "nsbox_config_set_exec: out of memory");
	r = copy_vector(argv ? argv : def_argv, &a);
	if (r == 0 && envp)
		r = copy_vector(envp, &e);
	if (r < 0) {
		free(p);
		free_vector(a);
		return nsbox__fail(r, "nsbox_config_set_exec: %s",
		                   r == -E2BIG ? "more than 65536 arguments or variables" : "out of memory");
	}
	clear_exec(cfg);
	cfg->path = p;
	cfg->argv = a;
	cfg->envp = e;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_callback(nsbox_config *cfg, int (*fn)(void *), void *arg)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_callback: cfg is NULL");
	if (fn && cfg->path)
		return nsbox__fail(-EINVAL, "nsbox_config_set_callback: an exec payload is already set");
	cfg->fn = fn;
	cfg->fn_arg = fn ? arg : NULL;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_stack(nsbox_config *cfg, void *stack, size_t size)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_stack: cfg is NULL");
	if (!stack && size == 0) {
		cfg->stack = NULL;
		cfg->stack_size = 0;
		return 0;
	}
	if (!stack)
		return nsbox__fail(-EINVAL, "nsbox_config_set_stack: stack is NULL but size is %zu", size);
	if (size < NSBOX_STACK_MIN)
		return nsbox__fail(-EINVAL, "nsbox_config_set_stack: %zu bytes is below NSBOX_STACK_MIN (%d)",
		                   size, NSBOX_STACK_MIN);
	if (((uintptr_t)stack & 15) || (size & 15))
		return nsbox__fail(-EINVAL, "nsbox_config_set_stack: stack and size must be 16-byte aligned");
	cfg->stack = stack;
	cfg->stack_size = size;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_stack_size(nsbox_config *cfg, size_t size)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_stack_size: cfg is NULL");
	if (size < NSBOX_STACK_MIN || size > STACK_MAX)
		return nsbox__fail(-EINVAL, "nsbox_config_set_stack_size: %zu is outside %d..1 GiB", size,
		                   NSBOX_STACK_MIN);
	cfg->alloc_stack_size = size;
	cfg->alloc_stack_set = 1;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_propagation(nsbox_config *cfg, uint32_t mode)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_propagation: cfg is NULL");
	if (mode > NSBOX_PROPAGATION_UNCHANGED)
		return nsbox__fail(-EINVAL, "nsbox_config_set_propagation: unknown mode %u", mode);
	cfg->propagation = mode;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_mount_proc(nsbox_config *cfg, int32_t enable)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_mount_proc: cfg is NULL");
	if (enable != 0 && enable != 1)
		return nsbox__fail(-EINVAL, "nsbox_config_set_mount_proc: enable must be 0 or 1");
	cfg->mount_proc = enable;
	return 0;
}

uint32_t nsbox__joined_kinds(const nsbox_config *cfg)
{
	uint32_t m = 0;
	for (uint32_t i = 0; i < cfg->n_joins; i++)
		m |= cfg->joins[i].ns;
	return m;
}

static int add_join(nsbox_config *cfg, const char *what, enum nsbox_join_type type, int32_t id,
                    const char *path, uint32_t ns)
{
	struct nsbox_join_entry *j;
	char *copy = NULL;

	if (ns == 0 || (ns & ~(uint32_t)NSBOX_NS_ALL))
		return nsbox__fail(-EINVAL, "%s: namespace mask 0x%x is empty or has unknown bits", what, ns);
	if (ns & nsbox__joined_kinds(cfg))
		return nsbox__fail(-EINVAL, "%s: kinds 0x%x are already joined from another target", what,
		                   ns & nsbox__joined_kinds(cfg));
	/* No kind twice: at most NSBOX_JOIN_MAX (eight) entries can pass. */
	if (path && !(copy = strdup(path)))
		return nsbox__fail(-ENOMEM, "%s: out of memory", what);
	j = &cfg->joins[cfg->n_joins++];
	j->type = type;
	j->id = id;
	j->path = copy;
	j->ns = ns;
	return 0;
}

NSBOX_EXPORT int nsbox_config_join(nsbox_config *cfg, int32_t pidfd, uint32_t ns)
{
	if (!cfg || pidfd < 0)
		return nsbox__fail(-EINVAL, "nsbox_config_join: cfg is NULL or pidfd is negative");
	return add_join(cfg, "nsbox_config_join", NSBOX_JOIN_PIDFD, pidfd, NULL, ns);
}

NSBOX_EXPORT int nsbox_config_join_pid(nsbox_config *cfg, int32_t pid, uint32_t ns)
{
	if (!cfg || pid <= 0)
		return nsbox__fail(-EINVAL, "nsbox_config_join_pid: cfg is NULL or pid is not positive");
	return add_join(cfg, "nsbox_config_join_pid", NSBOX_JOIN_PID, pid, NULL, ns);
}

NSBOX_EXPORT int nsbox_config_join_path(nsbox_config *cfg, const char *path, uint32_t ns)
{
	if (!cfg || !path)
		return nsbox__fail(-EINVAL, "nsbox_config_join_path: cfg or path is NULL");
	if (!nsbox__kind_by_bit(ns))
		return nsbox__fail(-EINVAL, "nsbox_config_join_path: ns must be exactly one kind");
	return add_join(cfg, "nsbox_config_join_path", NSBOX_JOIN_PATH, -1, path, ns);
}

NSBOX_EXPORT int nsbox_config_set_exit_signal(nsbox_config *cfg, int32_t sig)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_exit_signal: cfg is NULL");
	if (sig < 0 || sig > 64)
		return nsbox__fail(-EINVAL, "nsbox_config_set_exit_signal: %d is not 0..64", sig);
	cfg->exit_signal = sig;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_flags(nsbox_config *cfg, uint32_t flags)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_flags: cfg is NULL");
	if (flags & ~(uint32_t)(NSBOX_SPAWN_FORK | NSBOX_SPAWN_NO_CLONE3 | NSBOX_SPAWN_NO_MAP_HELPERS))
		return nsbox__fail(-EINVAL, "nsbox_config_set_flags: unknown flags 0x%x", flags);
	cfg->flags = flags;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_time_offset(nsbox_config *cfg, uint32_t clock, int64_t seconds,
                                              int64_t nanoseconds)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_time_offset: cfg is NULL");
	if (clock != NSBOX_CLOCK_MONOTONIC && clock != NSBOX_CLOCK_BOOTTIME)
		return nsbox__fail(-EINVAL, "nsbox_config_set_time_offset: unknown clock %u", clock);
	if (nanoseconds < 0 || nanoseconds >= 1000000000)
		return nsbox__fail(-EINVAL, "nsbox_config_set_time_offset: nanoseconds must be 0..999999999");
	cfg->time_offset[clock - 1][0] = seconds;
	cfg->time_offset[clock - 1][1] = nanoseconds;
	/* All offsets 0 is the same as none. */
	cfg->has_time_offset = cfg->time_offset[0][0] || cfg->time_offset[0][1] || cfg->time_offset[1][0] ||
	                       cfg->time_offset[1][1];
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_parent_hook(nsbox_config *cfg, int (*hook)(int32_t, int32_t, void *), void *arg)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_parent_hook: cfg is NULL");
	cfg->hook = hook;
	cfg->hook_arg = hook ? arg : NULL;
	return 0;
}
