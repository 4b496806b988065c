/* SPDX-License-Identifier: MIT
 * Feature module "mount" (issue 3): the filesystem setters, their
 * validation at spawn, the plan the child runs (lib/mount-child.c) and the
 * sentences that describe its failures. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount.h"
#include "nsbox-private.h"

/* ---- configuration ---- */

static void free_op(struct nsbox_mount_op *op)
{
	free(op->source);
	free(op->target);
	free(op->data);
}

static void clear(struct nsbox_mount_cfg *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		free_op(&c->ops[i]);
	free(c->ops);
	free(c->root_dir);
	memset(c, 0, sizeof(*c));
}

void nsbox__mount_cfg_free(struct nsbox_mount_cfg *c)
{
	if (!c)
		return;
	clear(c);
	free(c);
}

/* Copy an absolute path in canonical form: no ".", no repeated or trailing
 * "/". A ".." is refused (-EINVAL): it could only climb out of what the
 * caller names, and a target is resolved inside a root anyway. */
static int normalize(const char *fn, const char *what, const char *path, char **out, size_t *out_len)
{
	size_t n, o = 0, i = 0;
	char *s;

	if (!path || !*path)
		return nsbox__fail(-EINVAL, "%s: %s is %s", fn, what, path ? "empty" : "NULL");
	if (path[0] != '/')
		return nsbox__fail(-EINVAL, "%s: %s \"%s\" is not an absolute path", fn, what, path);
	n = strlen(path);
	if (n >= PATH_MAX)
		return nsbox__fail(-ENAMETOOLONG, "%s: %s is %zu bytes long (PATH_MAX is %d)", fn, what, n, PATH_MAX);
	s = malloc(n + 1);
	if (!s)
		return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	while (i < n) {
		size_t start, len;

		while (i < n && path[i] == '/')
			i++;
		start = i;
		while (i < n && path[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && path[start] == '.'))
			continue;
		if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
			free(s);
			return nsbox__fail(-EINVAL, "%s: %s \"%s\" has a \"..\" component", fn, what, path);
		}
		s[o++] = '/';
		memcpy(s + o, path + start, len);
		o += len;
	}
	if (o == 0)
		s[o++] = '/';
	s[o] = '\0';
	*out = s;
	if (out_len)
		*out_len = o;
	return 0;
}

static int check_mode(const char *fn, uint32_t mode)
{
	if (mode & ~(uint32_t)07777)
		return nsbox__fail(-EINVAL, "%s: mode 0%o has bits above 07777", fn, mode);
	return 0;
}

/* Take a slot for a new operation (the caller fills it, or gives it back by
 * not incrementing n). */
static int reserve(const char *fn, nsbox_config *cfg, struct nsbox_mount_op **op)
{
	struct nsbox_mount_cfg *c = cfg->mount;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
		cfg->mount = c;
	}
	if (c->n >= NSBOX_MOUNT_OPS_MAX)
		return nsbox__fail(-E2BIG, "%s: more than %d mount operations", fn, NSBOX_MOUNT_OPS_MAX);
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 8;
		struct nsbox_mount_op *grown = realloc(c->ops, cap * sizeof(*grown));
		if (!grown)
			return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
		c->ops = grown;
		c->cap = cap;
	}
	*op = &c->ops[c->n];
	memset(*op, 0, sizeof(**op));
	return 0;
}

/* Add an operation on @target of @kind; the caller checked everything else
 * and passes its own copies of @source and @data (freed here on failure). */
static int add_op(const char *fn, nsbox_config *cfg, uint32_t kind, const char *target, uint32_t flags,
                  uint32_t mode, uint64_t size, char *source, char *data, size_t len)
{
	struct nsbox_mount_op *op = NULL;
	char *t = NULL;
	size_t tl = 0;
	int r;

	if ((r = normalize(fn, kind == NSBOX_MK_SYMLINK ? "linkpath" : "target", target, &t, &tl)) < 0 ||
	    (r = reserve(fn, cfg, &op)) < 0) {
		free(t);
		free(source);
		free(data);
		return r;
	}
	op->kind = kind;
	op->flags = flags;
	op->mode = mode;
	op->size = size;
	op->source = source;
	op->target = t;
	op->target_len = tl;
	op->data = data;
	op->len = len;
	cfg->mount->n++;
	return 0;
}

#define CHECK_CFG(fn)                                                      \
	do {                                                               \
		if (!cfg)                                                  \
			return nsbox__fail(-EINVAL, "%s: cfg is NULL", fn); \
	} while (0)

NSBOX_EXPORT int nsbox_config_add_bind(nsbox_config *cfg, const char *source, const char *target, uint32_t flags)
{
	static const char fn[] = "nsbox_config_add_bind";
	const uint32_t known = NSBOX_BIND_RO | NSBOX_BIND_TRY | NSBOX_BIND_DEV;
	char *src = NULL;
	int r;

	CHECK_CFG(fn);
	if (flags & ~known)
		return nsbox__fail(-EINVAL, "%s: unknown flags 0x%x", fn, flags & ~known);
	/* The source is kept as given (a symlink in it is followed, as in
	 * mount --bind); only its form is checked. */
	if ((r = normalize(fn, "source", source, &src, NULL)) < 0)
		return r;
	free(src);
	if (!(src = strdup(source)))
		return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	return add_op(fn, cfg, NSBOX_MK_BIND, target, flags, 0, 0, src, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_tmpfs(nsbox_config *cfg, const char *target, uint64_t size, uint32_t mode)
{
	static const char fn[] = "nsbox_config_add_tmpfs";
	int r;

	CHECK_CFG(fn);
	if ((r = check_mode(fn, mode)) < 0)
		return r;
	return add_op(fn, cfg, NSBOX_MK_TMPFS, target, 0, mode, size, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_proc(nsbox_config *cfg, const char *target)
{
	CHECK_CFG("nsbox_config_add_proc");
	return add_op("nsbox_config_add_proc", cfg, NSBOX_MK_PROC, target, 0, 0, 0, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_sysfs(nsbox_config *cfg, const char *target)
{
	CHECK_CFG("nsbox_config_add_sysfs");
	return add_op("nsbox_config_add_sysfs", cfg, NSBOX_MK_SYSFS, target, 0, 0, 0, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_dev(nsbox_config *cfg, const char *target)
{
	CHECK_CFG("nsbox_config_add_dev");
	return add_op("nsbox_config_add_dev", cfg, NSBOX_MK_DEV, target, 0, 0, 0, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_mqueue(nsbox_config *cfg, const char *target)
{
	CHECK_CFG("nsbox_config_add_mqueue");
	return add_op("nsbox_config_add_mqueue", cfg, NSBOX_MK_MQUEUE, target, 0, 0, 0, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_dir(nsbox_config *cfg, const char *path, uint32_t mode)
{
	static const char fn[] = "nsbox_config_add_dir";
	int r;

	CHECK_CFG(fn);
	if ((r = check_mode(fn, mode)) < 0)
		return r;
	return add_op(fn, cfg, NSBOX_MK_DIR, path, 0, mode, 0, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_symlink(nsbox_config *cfg, const char *text, const char *linkpath)
{
	static const char fn[] = "nsbox_config_add_symlink";
	char *copy;
	size_t n;

	CHECK_CFG(fn);
	if (!text || !*text)
		return nsbox__fail(-EINVAL, "%s: text is %s", fn, text ? "empty" : "NULL");
	n = strlen(text);
	if (n >= PATH_MAX)
		return nsbox__fail(-ENAMETOOLONG, "%s: text is %zu bytes long (PATH_MAX is %d)", fn, n, PATH_MAX);
	if (!(copy = strdup(text)))
		return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	return add_op(fn, cfg, NSBOX_MK_SYMLINK, linkpath, 0, 0, 0, copy, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_add_file(nsbox_config *cfg, const char *path, const void *data, size_t len,
                                       uint32_t mode)
{
	static const char fn[] = "nsbox_config_add_file";
	char *copy = NULL;
	int r;

	CHECK_CFG(fn);
	if (!data && len)
		return nsbox__fail(-EINVAL, "%s: data is NULL and len is %zu", fn, len);
	if ((r = check_mode(fn, mode)) < 0)
		return r;
	if (len) {
		if (!(copy = malloc(len)))
			return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
		memcpy(copy, data, len);
	}
	return add_op(fn, cfg, NSBOX_MK_FILE, path, 0, mode, 0, NULL, copy, len);
}

NSBOX_EXPORT int nsbox_config_add_remount_ro(nsbox_config *cfg, const char *path)
{
	CHECK_CFG("nsbox_config_add_remount_ro");
	return add_op("nsbox_config_add_remount_ro", cfg, NSBOX_MK_REMOUNT_RO, path, 0, 0, 0, NULL, NULL, 0);
}

NSBOX_EXPORT int nsbox_config_set_root(nsbox_config *cfg, const char *dir, uint32_t flags)
{
	static const char fn[] = "nsbox_config_set_root";
	char *copy = NULL;
	int r;

	CHECK_CFG(fn);
	if (flags & ~(uint32_t)NSBOX_ROOT_RO)
		return nsbox__fail(-EINVAL, "%s: unknown flags 0x%x", fn, flags & ~(uint32_t)NSBOX_ROOT_RO);
	if (dir) {
		if ((r = normalize(fn, "dir", dir, &copy, NULL)) < 0)
			return r;
		free(copy);
		if (!(copy = strdup(dir)))
			return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	}
	if (!cfg->mount && !(cfg->mount = calloc(1, sizeof(*cfg->mount)))) {
		free(copy);
		return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	}
	free(cfg->mount->root_dir);
	cfg->mount->root_dir = copy;
	cfg->mount->root_flags = flags;
	cfg->mount->has_root = 1;
	return 0;
}

NSBOX_EXPORT int nsbox_config_clear_mounts(nsbox_config *cfg)
{
	CHECK_CFG("nsbox_config_clear_mounts");
	if (cfg->mount)
		clear(cfg->mount);
	return 0;
}

/* ---- spawn: validation and plan ---- */

static int active(const nsbox_config *cfg)
{
	return cfg->mount && (cfg->mount->n || cfg->mount->has_root);
}

int nsbox__mount_validate(const nsbox_config *cfg)
{
	const struct nsbox_mount_cfg *c = cfg->mount;

	if (!active(cfg))
		return 0;
	if (!(cfg->ns & NSBOX_NS_MOUNT))
		return nsbox__fail(-EINVAL, "config: %s need%s a new mount namespace (NSBOX_NS_MOUNT)",
		                   c->n ? "mount operations" : "a new root", c->n ? "" : "s");
	if (c->has_root && cfg->propagation != NSBOX_PROPAGATION_PRIVATE &&
	    cfg->propagation != NSBOX_PROPAGATION_SLAVE)
		return nsbox__fail(-EINVAL, "config: a new root needs private or slave mount propagation "
		                            "(pivot_root(2) refuses shared mounts)");
	for (uint32_t i = 0; !c->has_root && i < c->n; i++) {
		if (c->ops[i].target_len == 1 && c->ops[i].kind != NSBOX_MK_REMOUNT_RO &&
		    c->ops[i].kind != NSBOX_MK_DIR)
			return nsbox__fail(-EINVAL, "config: mount #%u targets / without a new root "
			                            "(nsbox_config_set_root)", i + 1);
	}
	return 0;
}

static void init_step(struct nsbox_mount_step *s, const struct nsbox_mount_op *op, uint32_t number)
{
	s->op = op;
	s->number = number;
	s->src_fd = -1;
	for (int i = 0; i < NSBOX_DEV_NODES; i++)
		s->dev_fds[i] = -1;
	if (op->kind == NSBOX_MK_TMPFS) {
		if (op->size)
			snprintf(s->opts, sizeof(s->opts), "mode=0%o,size=%llu", op->mode,
			         (unsigned long long)op->size);
		else
			snprintf(s->opts, sizeof(s->opts), "mode=0%o", op->mode);
	}
}

int nsbox__mount_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	const struct nsbox_mount_cfg *c = cfg->mount;
	struct nsbox_mount_plan *m;
	uint32_t n = 0;
	int implicit_proc;

	if (!active(cfg))
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	p->mount = m;
	m->procfd = m->rootfd = m->cwdfd = -1;
	m->root = c->has_root;
	m->root_dir = c->root_dir;
	m->root_flags = c->root_flags;
	/* unshare --mount-proc with a new root: child.c mounted /proc on the
	 * old tree, which is detached; the payload wants one in its own root,
	 * first, unless the caller mounts it there. */
	implicit_proc = m->root && cfg->mount_proc;
	for (uint32_t i = 0; implicit_proc && i < c->n; i++)
		if (c->ops[i].kind == NSBOX_MK_PROC && strcmp(c->ops[i].target, "/proc") == 0)
			implicit_proc = 0;
	m->steps = calloc((size_t)c->n + 1, sizeof(*m->steps));
	m->mem = malloc(3 * NSBOX_MOUNT_SCRATCH + NSBOX_MOUNT_BUF);
	if (!m->steps || !m->mem)
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	m->scratch = m->mem;
	m->path2 = m->scratch + NSBOX_MOUNT_SCRATCH;
	m->name = m->path2 + NSBOX_MOUNT_SCRATCH;
	m->buf = m->name + NSBOX_MOUNT_SCRATCH;
	if (implicit_proc) {
		m->implicit_proc.kind = NSBOX_MK_PROC;
		m->implicit_proc.target = (char *)"/proc";
		m->implicit_proc.target_len = 5;
		init_step(&m->steps[n++], &m->implicit_proc, 0);
	}
	for (uint32_t i = 0; i < c->n; i++)
		init_step(&m->steps[n++], &c->ops[i], i + 1);
	m->n = n;
	/* Every operation can fail: the parent waits for the verdict. */
	p->fallible = 1;
	return 0;
}

void nsbox__mount_plan_free(struct nsbox_plan *p)
{
	struct nsbox_mount_plan *m = p->mount;

	if (!m)
		return;
	/* The descriptors are the child's (opened after clone); none of them
	 * lives in the parent. */
	free(m->steps);
	free(m->mem);
	free(m);
	p->mount = NULL;
}

int nsbox__mount_parent(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	(void)p;
	(void)pid;
	(void)pidfd;
	return 0;
}

/* ---- describing a failure of the child ---- */

static const char *kind_name(const struct nsbox_mount_op *op)
{
	switch (op->kind) {
	case NSBOX_MK_BIND:
		if (op->flags & NSBOX_BIND_DEV)
			return (op->flags & NSBOX_BIND_RO) ? "ro-dev-bind" : "dev-bind";
		return (op->flags & NSBOX_BIND_RO) ? "ro-bind" : "bind";
	case NSBOX_MK_TMPFS:
		return "tmpfs";
	case NSBOX_MK_PROC:
		return "proc";
	case NSBOX_MK_SYSFS:
		return "sysfs";
	case NSBOX_MK_DEV:
		return "dev";
	case NSBOX_MK_MQUEUE:
		return "mqueue";
	case NSBOX_MK_DIR:
		return "dir";
	case NSBOX_MK_SYMLINK:
		return "symlink";
	case NSBOX_MK_FILE:
		return "file";
	case NSBOX_MK_REMOUNT_RO:
		return "remount-ro";
	default:
		return "?";
	}
}

static const char *attr_phase(const struct nsbox_mount_op *op)
{
	if (op->kind == NSBOX_MK_REMOUNT_RO || (op->kind == NSBOX_MK_BIND && (op->flags & NSBOX_BIND_RO)))
		return "make read-only";
	if (op->kind == NSBOX_MK_FILE)
		return "chmod";
	return "set nosuid/nodev";
}

static int step_error(const struct nsbox_mount_plan *m, int err, uint32_t step, uint32_t item, uint32_t phase)
{
	const struct nsbox_mount_step *s = &m->steps[step - 1];
	const struct nsbox_mount_op *op = s->op;
	char what[PATH_MAX * 2 + 64], part[PATH_MAX + 64];

	if (op->kind == NSBOX_MK_BIND)
		snprintf(what, sizeof(what), "%s %s -> %s", kind_name(op), op->source, op->target);
	else if (op->kind == NSBOX_MK_SYMLINK)
		snprintf(what, sizeof(what), "symlink %s -> %s", op->target, op->source);
	else
		snprintf(what, sizeof(what), "%s %s", kind_name(op), op->target);

	switch (phase) {
	case NSBOX_MP_SOURCE:
		snprintf(part, sizeof(part), "open source");
		break;
	case NSBOX_MP_TARGET:
		snprintf(part, sizeof(part), "%s",
		         m->root && op->kind != NSBOX_MK_REMOUNT_RO ? "resolve or create the mount point or its parents"
		                                                    : "resolve the target");
		if (op->kind == NSBOX_MK_DIR || op->kind == NSBOX_MK_SYMLINK || op->kind == NSBOX_MK_FILE)
			snprintf(part, sizeof(part), "resolve%s the parent directory", m->root ? " or create" : "");
		break;
	case NSBOX_MP_MOUNT:
		snprintf(part, sizeof(part), "mount");
		break;
	case NSBOX_MP_ATTR:
		snprintf(part, sizeof(part), "%s", attr_phase(op));
		break;
	case NSBOX_MP_CREATE:
		snprintf(part, sizeof(part), "create");
		break;
	case NSBOX_MP_WRITE:
		snprintf(part, sizeof(part), "write %zu bytes", op->len);
		break;
	case NSBOX_MP_EXISTS:
		snprintf(part, sizeof(part), "something else than this symlink is there");
		break;
	case NSBOX_MP_DEV_NODE:
		snprintf(part, sizeof(part), "bind /dev/%s", item < NSBOX_DEV_NODES ? nsbox__mount_dev_nodes[item] : "?");
		break;
	case NSBOX_MP_DEV_LINK:
		snprintf(part, sizeof(part), "symlink %s", item < NSBOX_DEV_LINKS ? nsbox__mount_dev_links[item][0] : "?");
		break;
	case NSBOX_MP_DEV_PTS:
		snprintf(part, sizeof(part), "mount devpts on pts");
		break;
	case NSBOX_MP_DEV_SHM:
		snprintf(part, sizeof(part), "mount tmpfs on shm");
		break;
	case NSBOX_MP_PROC_RO:
		snprintf(part, sizeof(part), "make %s/%s read-only", op->target,
		         item < NSBOX_PROC_RO ? nsbox__mount_proc_ro[item] : "?");
		break;
	default:
		snprintf(part, sizeof(part), "step %u", phase);
		break;
	}
	if (s->number == 0)
		return nsbox__fail_sys(-err, "child: mount /proc in the new root (nsbox_config_set_mount_proc): %s", part);
	return nsbox__fail_sys(-err, "child: mount #%u (%s): %s", s->number, what, part);
}

int nsbox__mount_child_error(const struct nsbox_plan *p, int err, int detail)
{
	const struct nsbox_mount_plan *m = p->mount;
	uint32_t step = NSBOX_MOUNT_DETAIL_STEP(detail), phase = NSBOX_MOUNT_DETAIL_PHASE(detail);
	char root[PATH_MAX + 32];

	if (!m)
		return nsbox__fail_sys(-err, "child: mounts");
	if (step >= 1 && step <= m->n)
		return step_error(m, err, step, NSBOX_MOUNT_DETAIL_ITEM(detail), phase);
	if (m->root_dir)
		snprintf(root, sizeof(root), "new root %s", m->root_dir);
	else
		snprintf(root, sizeof(root), "new root (tmpfs)");
	switch (phase) {
	case NSBOX_MP_PROCFD:
		return nsbox__fail_sys(-err, "child: mounts: open /proc/self/fd (is /proc mounted?)");
	case NSBOX_MP_CWD:
		return nsbox__fail_sys(-err, "child: mounts: open or return to the working directory");
	case NSBOX_MP_ROOT_DIR:
		return nsbox__fail_sys(-err, "child: %s: open the directory", root);
	case NSBOX_MP_STAGE:
		return nsbox__fail_sys(-err, "child: %s: stage on a tmpfs mounted on " NSBOX_MOUNT_STAGING
		                             " (pivot_root into it)", root);
	case NSBOX_MP_ROOT_MOUNT:
		return nsbox__fail_sys(-err, "child: %s: mount it", root);
	case NSBOX_MP_ROOT_OPEN:
		return nsbox__fail_sys(-err, "child: %s: open it", root);
	case NSBOX_MP_ROOT_RO:
		return nsbox__fail_sys(-err, "child: %s: make read-only", root);
	case NSBOX_MP_PIVOT:
		return nsbox__fail_sys(-err, "child: %s: pivot_root", root);
	case NSBOX_MP_DETACH:
		return nsbox__fail_sys(-err, "child: %s: detach the old root", root);
	default:
		return nsbox__fail_sys(-err, "child: mounts (step %u, phase %u)", step, phase);
	}
}
