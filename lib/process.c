/* SPDX-License-Identifier: MIT
 * Feature module "process": PID 1 init, die-with-parent, session, working
 * directory, environment, descriptor actions, resource limits, signal mask
 * and dispositions.
 *
 * This file holds the config setters, the checks done by nsbox_spawn(), the
 * plan built in the parent (the environment array, the kernel's rlimit
 * records, the sorted list of child descriptors, a pidfd of the caller) and
 * the sentences for child failures. The child side is process-child.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nsbox-private.h"
#include "process.h"

extern char **environ;

/* NSBOX_RLIMIT_* -> the kernel's number and name on this architecture. */
static const struct {
	unsigned kernel;
	const char *name;
} rlimits[] = {
	[NSBOX_RLIMIT_CPU] = { RLIMIT_CPU, "RLIMIT_CPU" },
	[NSBOX_RLIMIT_FSIZE] = { RLIMIT_FSIZE, "RLIMIT_FSIZE" },
	[NSBOX_RLIMIT_DATA] = { RLIMIT_DATA, "RLIMIT_DATA" },
	[NSBOX_RLIMIT_STACK] = { RLIMIT_STACK, "RLIMIT_STACK" },
	[NSBOX_RLIMIT_CORE] = { RLIMIT_CORE, "RLIMIT_CORE" },
	[NSBOX_RLIMIT_RSS] = { RLIMIT_RSS, "RLIMIT_RSS" },
	[NSBOX_RLIMIT_NPROC] = { RLIMIT_NPROC, "RLIMIT_NPROC" },
	[NSBOX_RLIMIT_NOFILE] = { RLIMIT_NOFILE, "RLIMIT_NOFILE" },
	[NSBOX_RLIMIT_MEMLOCK] = { RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" },
	[NSBOX_RLIMIT_AS] = { RLIMIT_AS, "RLIMIT_AS" },
	[NSBOX_RLIMIT_LOCKS] = { RLIMIT_LOCKS, "RLIMIT_LOCKS" },
	[NSBOX_RLIMIT_SIGPENDING] = { RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING" },
	[NSBOX_RLIMIT_MSGQUEUE] = { RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE" },
	[NSBOX_RLIMIT_NICE] = { RLIMIT_NICE, "RLIMIT_NICE" },
	[NSBOX_RLIMIT_RTPRIO] = { RLIMIT_RTPRIO, "RLIMIT_RTPRIO" },
	[NSBOX_RLIMIT_RTTIME] = { RLIMIT_RTTIME, "RLIMIT_RTTIME" },
};
#define N_RLIMITS (sizeof(rlimits) / sizeof(rlimits[0]))

/* ---- settings ---- */

static void free_env(struct nsbox_process_cfg *c)
{
	for (uint32_t i = 0; i < c->n_env; i++) {
		free(c->env[i].name);
		free(c->env[i].value);
	}
	free(c->env);
	c->env = NULL;
	c->n_env = 0;
}

void nsbox__process_cfg_free(struct nsbox_process_cfg *c)
{
	if (!c)
		return;
	free(c->cwd);
	free_env(c);
	free(c->fds);
	free(c->rlimits);
	free(c);
}

/* cfg->process, allocated on first use; NULL (and the error recorded) when
 * out of memory. */
static struct nsbox_process_cfg *settings(nsbox_config *cfg, const char *fn)
{
	if (!cfg->process) {
		cfg->process = calloc(1, sizeof(*cfg->process));
		if (!cfg->process)
			nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	}
	return cfg->process;
}

/* The checks of a 0/1 setter; *out gets the settings. */
static int flag_settings(nsbox_config *cfg, const char *fn, int32_t enable, struct nsbox_process_cfg **out)
{
	if (!cfg)
		return nsbox__fail(-EINVAL, "%s: cfg is NULL", fn);
	if (enable != 0 && enable != 1)
		return nsbox__fail(-EINVAL, "%s: enable is %d, not 0 or 1", fn, (int)enable);
	if (!(*out = settings(cfg, fn)))
		return -ENOMEM;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_init(nsbox_config *cfg, int32_t enable)
{
	struct nsbox_process_cfg *c = NULL;
	int r = flag_settings(cfg, "nsbox_config_set_init", enable, &c);

	if (r == 0)
		c->init = enable;
	return r;
}

NSBOX_EXPORT int nsbox_config_set_die_with_parent(nsbox_config *cfg, int32_t enable)
{
	struct nsbox_process_cfg *c = NULL;
	int r = flag_settings(cfg, "nsbox_config_set_die_with_parent", enable, &c);

	if (r == 0)
		c->die_with_parent = enable;
	return r;
}

NSBOX_EXPORT int nsbox_config_set_close_fds(nsbox_config *cfg, int32_t enable)
{
	struct nsbox_process_cfg *c = NULL;
	int r = flag_settings(cfg, "nsbox_config_set_close_fds", enable, &c);

	if (r == 0)
		c->close_fds = enable;
	return r;
}

NSBOX_EXPORT int nsbox_config_set_signal_reset(nsbox_config *cfg, int32_t enable)
{
	struct nsbox_process_cfg *c = NULL;
	int r = flag_settings(cfg, "nsbox_config_set_signal_reset", enable, &c);

	if (r == 0)
		c->signal_reset = enable;
	return r;
}

NSBOX_EXPORT int nsbox_config_set_session(nsbox_config *cfg, uint32_t mode)
{
	struct nsbox_process_cfg *c;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_session: cfg is NULL");
	if (mode > NSBOX_SESSION_NEW_GROUP)
		return nsbox__fail(-EINVAL, "nsbox_config_set_session: unknown mode %u", mode);
	if (!(c = settings(cfg, "nsbox_config_set_session")))
		return -ENOMEM;
	c->session = mode;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_cwd(nsbox_config *cfg, const char *path)
{
	struct nsbox_process_cfg *c;
	char *copy = NULL;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_cwd: cfg is NULL");
	if (path) {
		size_t len = strlen(path);
		if (len == 0)
			return nsbox__fail(-EINVAL, "nsbox_config_set_cwd: empty path");
		if (len >= PATH_MAX)
			return nsbox__fail(-ENAMETOOLONG, "nsbox_config_set_cwd: path of %zu bytes (the limit is %d)",
			                   len, PATH_MAX - 1);
	}
	if (!(c = settings(cfg, "nsbox_config_set_cwd")))
		return -ENOMEM;
	if (path && !(copy = strdup(path)))
		return nsbox__fail(-ENOMEM, "nsbox_config_set_cwd: out of memory");
	free(c->cwd);
	c->cwd = copy;
	return 0;
}

NSBOX_EXPORT int nsbox_config_clearenv(nsbox_config *cfg)
{
	struct nsbox_process_cfg *c;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_clearenv: cfg is NULL");
	if (!(c = settings(cfg, "nsbox_config_clearenv")))
		return -ENOMEM;
	free_env(c);
	c->clearenv = 1;
	return 0;
}

NSBOX_EXPORT int nsbox_config_setenv(nsbox_config *cfg, const char *name, const char *value)
{
	struct nsbox_process_cfg *c;
	struct nsbox_env_change *grown;
	char *n, *v = NULL;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_setenv: cfg is NULL");
	if (!name || !*name || strchr(name, '='))
		return nsbox__fail(-EINVAL, "nsbox_config_setenv: the name %s%s%s is not a variable name",
		                   name ? "\"" : "", name ? name : "NULL", name ? "\"" : "");
	if (!(c = settings(cfg, "nsbox_config_setenv")))
		return -ENOMEM;
	if (c->n_env >= NSBOX_ENV_CHANGES_MAX)
		return nsbox__fail(-E2BIG, "nsbox_config_setenv: more than %d changes", NSBOX_ENV_CHANGES_MAX);
	n = strdup(name);
	if (value)
		v = strdup(value);
	grown = n && (v || !value) ? realloc(c->env, (c->n_env + 1) * sizeof(*c->env)) : NULL;
	if (!grown) {
		free(n);
		free(v);
		return nsbox__fail(-ENOMEM, "nsbox_config_setenv: out of memory");
	}
	grown[c->n_env].name = n;
	grown[c->n_env].value = v;
	c->env = grown;
	c->n_env++;
	return 0;
}

NSBOX_EXPORT int nsbox_config_add_fd(nsbox_config *cfg, int32_t parent_fd, int32_t child_fd)
{
	struct nsbox_process_cfg *c;
	struct nsbox_fd_action *grown;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_add_fd: cfg is NULL");
	if (parent_fd < 0 || child_fd < 0)
		return nsbox__fail(-EINVAL, "nsbox_config_add_fd: negative descriptor (%d -> %d)", (int)parent_fd,
		                   (int)child_fd);
	if (!(c = settings(cfg, "nsbox_config_add_fd")))
		return -ENOMEM;
	for (uint32_t i = 0; i < c->n_fds; i++)
		if (c->fds[i].child_fd == child_fd)
			return nsbox__fail(-EINVAL, "nsbox_config_add_fd: child fd %d is already given by action #%u",
			                   (int)child_fd, i + 1);
	if (c->n_fds >= NSBOX_FD_ACTIONS_MAX)
		return nsbox__fail(-E2BIG, "nsbox_config_add_fd: more than %d actions", NSBOX_FD_ACTIONS_MAX);
	grown = realloc(c->fds, (c->n_fds + 1) * sizeof(*c->fds));
	if (!grown)
		return nsbox__fail(-ENOMEM, "nsbox_config_add_fd: out of memory");
	grown[c->n_fds].parent_fd = parent_fd;
	grown[c->n_fds].child_fd = child_fd;
	c->fds = grown;
	c->n_fds++;
	return 0;
}

NSBOX_EXPORT int nsbox_config_add_rlimit(nsbox_config *cfg, uint32_t resource, uint64_t soft, uint64_t hard)
{
	struct nsbox_process_cfg *c;
	struct nsbox_rlimit_setting *grown;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_add_rlimit: cfg is NULL");
	if (resource >= N_RLIMITS)
		return nsbox__fail(-EINVAL, "nsbox_config_add_rlimit: unknown resource %u", resource);
	if (soft > hard)
		return nsbox__fail(-EINVAL, "nsbox_config_add_rlimit: %s soft limit %llu above the hard limit %llu",
		                   rlimits[resource].name, (unsigned long long)soft, (unsigned long long)hard);
	if (!(c = settings(cfg, "nsbox_config_add_rlimit")))
		return -ENOMEM;
	for (uint32_t i = 0; i < c->n_rlimits; i++) {
		if (c->rlimits[i].resource == resource) {
			c->rlimits[i].soft = soft;
			c->rlimits[i].hard = hard;
			return 0;
		}
	}
	grown = realloc(c->rlimits, (c->n_rlimits + 1) * sizeof(*c->rlimits));
	if (!grown)
		return nsbox__fail(-ENOMEM, "nsbox_config_add_rlimit: out of memory");
	grown[c->n_rlimits].resource = resource;
	grown[c->n_rlimits].soft = soft;
	grown[c->n_rlimits].hard = hard;
	c->rlimits = grown;
	c->n_rlimits++;
	return 0;
}

NSBOX_EXPORT int nsbox_config_set_signal_mask(nsbox_config *cfg, uint64_t mask)
{
	struct nsbox_process_cfg *c;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_signal_mask: cfg is NULL");
	if (!(c = settings(cfg, "nsbox_config_set_signal_mask")))
		return -ENOMEM;
	c->has_mask = 1;
	c->mask = mask;
	return 0;
}

/* ---- spawn: checks ---- */

int nsbox__process_validate(const nsbox_config *cfg)
{
	const struct nsbox_process_cfg *c = cfg->process;

	if (!c)
		return 0;
	if (c->init && !(cfg->ns & NSBOX_NS_PID))
		return nsbox__fail(-EINVAL, "config: the PID 1 init needs a new PID namespace (NSBOX_NS_PID)");
	/* Checked here, not when the action is added: the descriptor may be
	 * opened between the two. */
	for (uint32_t i = 0; i < c->n_fds; i++)
		if (fcntl(c->fds[i].parent_fd, F_GETFD) < 0)
			return nsbox__fail(-EBADF, "config: fd action #%u (%d -> %d): parent fd %d is not open", i + 1,
			                   (int)c->fds[i].parent_fd, (int)c->fds[i].child_fd,
			                   (int)c->fds[i].parent_fd);
	return 0;
}

/* ---- spawn: plan ---- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Length of the name part of "NAME=VALUE" (the whole string without '='). */
static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static int same_name(const char *entry, const char *name, size_t len)
{
	return name_len(entry) == len && memcmp(entry, name, len) == 0;
}

/* The payload's environment: the base (exec envp or environ, as make_plan
 * chose), or nothing after clearenv, with the changes applied in order. */
static int build_env(const struct nsbox_process_cfg *c, struct nsbox_plan *p, struct nsbox_process_plan *pl)
{
	size_t n = 0, cap;
	char *const *base = c->clearenv ? NULL : p->envp;
	char **v;

	if (base)
		while (base[n])
			n++;
	cap = n + c->n_env + 1;
	v = calloc(cap, sizeof(*v));
	pl->env_strings = calloc(c->n_env ? c->n_env : 1, sizeof(*pl->env_strings));
	if (!v || !pl->env_strings) {
		free(v);
		return nsbox__fail(-ENOMEM, "spawn: out of memory for the environment");
	}
	pl->envp = v;
	for (size_t i = 0; i < n; i++)
		v[i] = base[i];
	for (uint32_t k = 0; k < c->n_env; k++) {
		const struct nsbox_env_change *e = &c->env[k];
		size_t len = strlen(e->name), out = 0;
		char *s = NULL;
		int placed = 0;

		if (e->value) {
			size_t vlen = strlen(e->value);
			s = malloc(len + vlen + 2);
			if (!s)
				return nsbox__fail(-ENOMEM, "spawn: out of memory for the environment");
			memcpy(s, e->name, len);
			s[len] = '=';
			memcpy(s + len + 1, e->value, vlen + 1);
			pl->env_strings[pl->n_env_strings++] = s;
		}
		/* Replace the first entry of that name in place, drop the others. */
		for (size_t i = 0; i < n; i++) {
			if (same_name(v[i], e->name, len)) {
				if (s && !placed) {
					v[out++] = s;
					placed = 1;
				}
				continue;
			}
			v[out++] = v[i];
		}
		n = out;
		if (s && !placed)
			v[n++] = s;
		v[n] = NULL;
	}
	v[n] = NULL;
	pl->env_set = 1;
	p->envp = pl->envp;
	return 0;
}

static int prepare_fds(const struct nsbox_process_cfg *c, struct nsbox_plan *p, struct nsbox_process_plan *pl)
{
	int moves = 0;

	pl->n_fds = c->n_fds;
	pl->fds = malloc(c->n_fds * sizeof(*pl->fds));
	pl->fd_tmp = malloc(c->n_fds * sizeof(*pl->fd_tmp));
	pl->targets = malloc(c->n_fds * sizeof(*pl->targets));
	if (!pl->fds || !pl->fd_tmp || !pl->targets)
		return nsbox__fail(-ENOMEM, "spawn: out of memory for the descriptor actions");
	for (uint32_t i = 0; i < c->n_fds; i++) {
		pl->fds[i] = c->fds[i];
		pl->fd_tmp[i] = -1;
		pl->targets[i] = c->fds[i].child_fd;
		if (c->fds[i].parent_fd != c->fds[i].child_fd)
			moves = 1;
	}
	qsort(pl->targets, c->n_fds, sizeof(*pl->targets), cmp_int);
	/* A dup2 may make the child move the error pipe to another number and
	 * record it in p->err_wfd. After the extra fork of a PID namespace
	 * payload, the intermediate process still reports through p->err_wfd
	 * once the payload has exec'd: with shared memory it would read the
	 * payload's number. A private copy of the plan avoids that. */
	if (moves && p->need_fork)
		p->vm = 0;
	return 0;
}

int nsbox__process_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	const struct nsbox_process_cfg *c = cfg->process;
	struct nsbox_process_plan *pl;
	/* execve(2) resets a process's exit signal to SIGCHLD (de_thread), so an
	 * exec payload with another exit signal (0 included) gets a supervisor:
	 * the caller's child, which never execs, keeps the exit signal, runs the
	 * payload as its own child and leaves as it does. */
	int supervise = cfg->path && cfg->exit_signal != SIGCHLD && !(c && c->init);
	int r;

	if (!c && !supervise)
		return 0;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	p->process = pl;
	pl->parent_pidfd = pl->child_pidfd = -1;

	if ((c && c->init) || supervise) {
		/* The init is a long-lived copy of the caller: it must never
		 * share the caller's memory. */
		pl->init = 1;
		pl->supervise = supervise;
		p->vm = 0;
		p->fallible = 1;
	}
	if (!c)
		return 0;
	if (c->die_with_parent) {
		long fd = syscall(SYS_pidfd_open, (pid_t)getpid(), 0); /* always close-on-exec */
		if (fd < 0 && errno != ENOSYS)
			return nsbox__fail_sys(-errno, "spawn: pidfd_open of the calling process (die with parent)");
		pl->die_with_parent = 1;
		pl->parent_pid = getpid();
		pl->parent_pidfd = pl->child_pidfd = (int)fd;
		/* The spawning thread waits until the child is past the prctl,
		 * so the thread cannot have died before it. */
		p->fallible = 1;
	}
	pl->session = c->session;
	if (c->n_rlimits) {
		pl->n_rlimits = c->n_rlimits;
		pl->rl_kernel = malloc(c->n_rlimits * sizeof(*pl->rl_kernel));
		pl->rl_value = malloc(c->n_rlimits * sizeof(*pl->rl_value));
		if (!pl->rl_kernel || !pl->rl_value)
			return nsbox__fail(-ENOMEM, "spawn: out of memory");
		for (uint32_t i = 0; i < c->n_rlimits; i++) {
			pl->rl_kernel[i] = rlimits[c->rlimits[i].resource].kernel;
			pl->rl_value[i].cur = c->rlimits[i].soft;
			pl->rl_value[i].max = c->rlimits[i].hard;
		}
	}
	if (c->n_fds && (r = prepare_fds(c, p, pl)) < 0)
		return r;
	pl->close_fds = c->close_fds;
	pl->cwd = c->cwd;
	pl->has_mask = c->has_mask;
	pl->mask = c->mask;
	pl->signal_reset = c->signal_reset;
	if ((c->clearenv || c->n_env) && (r = build_env(c, p, pl)) < 0)
		return r;
	if (pl->session || pl->n_rlimits || pl->n_fds || pl->close_fds || pl->cwd)
		p->fallible = 1;
	return 0;
}

void nsbox__process_plan_free(struct nsbox_plan *p)
{
	struct nsbox_process_plan *pl = p->process;

	if (!pl)
		return;
	if (pl->parent_pidfd >= 0)
		close(pl->parent_pidfd);
	free(pl->rl_kernel);
	free(pl->rl_value);
	free(pl->fds);
	free(pl->fd_tmp);
	free(pl->targets);
	for (uint32_t i = 0; i < pl->n_env_strings; i++)
		free(pl->env_strings[i]);
	free(pl->env_strings);
	free(pl->envp);
	free(pl);
	p->process = NULL;
}

int nsbox__process_parent(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	(void)p;
	(void)pid;
	(void)pidfd;
	return 0;
}

/* ---- child failures in words ---- */

static const char *rlimit_name(unsigned kernel)
{
	for (size_t i = 0; i < N_RLIMITS; i++)
		if (rlimits[i].kernel == kernel)
			return rlimits[i].name;
	return "?";
}

static void fmt_limit(char *buf, size_t size, uint64_t v)
{
	if (v == NSBOX_RLIMIT_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
}

int nsbox__process_child_error(const struct nsbox_plan *p, int err, int detail)
{
	const struct nsbox_process_plan *pl = p->process;
	int what = NSBOX_PROC_DETAIL_WHAT(detail), i = NSBOX_PROC_DETAIL_INDEX(detail);
	char soft[32], hard[32];

	if (!pl)
		return nsbox__fail_sys(-err, "child: process setup");
	switch (what) {
	case NSBOX_PROC_PDEATHSIG:
		return nsbox__fail_sys(-err, "child: die with parent: prctl(PR_SET_PDEATHSIG)");
	case NSBOX_PROC_PIDFD_POLL:
		return nsbox__fail_sys(-err, "child: die with parent: poll of the parent's pidfd");
	case NSBOX_PROC_SESSION:
		return nsbox__fail_sys(-err, "child: %s", pl->session == NSBOX_SESSION_NEW ? "setsid" : "setpgid(0, 0)");
	case NSBOX_PROC_RLIMIT:
		if ((uint32_t)i >= pl->n_rlimits)
			break;
		fmt_limit(soft, sizeof(soft), pl->rl_value[i].cur);
		fmt_limit(hard, sizeof(hard), pl->rl_value[i].max);
		return nsbox__fail_sys(-err, "child: rlimit #%d (%s soft %s hard %s)%s", i + 1,
		                       rlimit_name(pl->rl_kernel[i]), soft, hard,
		                       err == EPERM ? " (raising a hard limit needs CAP_SYS_RESOURCE)" : "");
	case NSBOX_PROC_FD_MOVE:
	case NSBOX_PROC_FD_DUP:
	case NSBOX_PROC_FD_KEEP:
		if ((uint32_t)i >= pl->n_fds)
			break;
		return nsbox__fail_sys(-err, "child: fd action #%d (%d -> %d): %s", i + 1, (int)pl->fds[i].parent_fd,
		                       (int)pl->fds[i].child_fd,
		                       what == NSBOX_PROC_FD_MOVE ? "moving the source out of the way"
		                       : what == NSBOX_PROC_FD_DUP ? "dup2"
		                                                   : "clearing close-on-exec");
	case NSBOX_PROC_FD_LIB:
		return nsbox__fail_sys(-err, "child: fd actions: moving a descriptor of the library out of the way");
	case NSBOX_PROC_CLOSE_FDS:
		return nsbox__fail_sys(-err, "child: closing the other descriptors (close_range)");
	case NSBOX_PROC_CWD:
		return nsbox__fail_sys(-err, "child: chdir %s", pl->cwd ? pl->cwd : "?");
	case NSBOX_PROC_INIT_SIGCHLD:
		return nsbox__fail_sys(-err, "child: init: rt_sigaction(SIGCHLD)");
	case NSBOX_PROC_INIT_CLONE:
		return nsbox__fail_sys(-err, "child: init: clone of the payload");
	case NSBOX_PROC_SIGNAL_RESET:
		return nsbox__fail_sys(-err, "child: signal reset: rt_sigaction(%d)", i);
	default:
		break;
	}
	return nsbox__fail_sys(-err, "child: process setup");
}
