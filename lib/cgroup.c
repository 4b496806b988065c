/* SPDX-License-Identifier: MIT
 * Cgroup placement (CLONE_INTO_CGROUP, or cgroup.procs from the parent),
 * and persistent namespaces (bind mounts of /proc/PID/ns/KIND). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "nsbox-private.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

NSBOX_EXPORT int nsbox_config_set_cgroup(nsbox_config *cfg, const char *path)
{
	char *copy = NULL;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_cgroup: cfg is NULL");
	if (path && path[0] != '/')
		return nsbox__fail(-EINVAL, "nsbox_config_set_cgroup: '%s' is not an absolute path", path);
	if (path && !(copy = strdup(path)))
		return nsbox__fail(-ENOMEM, "nsbox_config_set_cgroup: out of memory");
	free(cfg->cgroup);
	cfg->cgroup = copy;
	return 0;
}

int nsbox__cgroup_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	struct statfs sf;
	int fd = open(cfg->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return nsbox__fail_sys(-errno, "cgroup %s", cfg->cgroup);
	if (fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return nsbox__fail(-EINVAL, "cgroup %s: not a directory of a cgroup v2 hierarchy", cfg->cgroup);
	}
	p->cgroup_fd = fd;
	p->cgroup_path = cfg->cgroup;
	/* CLONE_INTO_CGROUP is clone3-only; without clone3 the parent moves
	 * the child before it runs any step. */
	p->cgroup_fallback = p->no_clone3 || nsbox__clone3_unavailable();
	return 0;
}

int nsbox__cgroup_parent(struct nsbox_plan *p, pid_t pid)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	int fd = openat(p->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		r = nsbox__fail_sys(-errno, "parent: write %s/cgroup.procs (the fallback: clone3 with "
		                            "CLONE_INTO_CGROUP is not available)", p->cgroup_path);
	if (fd >= 0)
		close(fd);
	return r;
}

NSBOX_EXPORT int nsbox_persist(int32_t pid, uint32_t ns, const char *path)
{
	const struct nsbox_kind *k = nsbox__kind_by_bit(ns);
	char src[64];
	uint64_t dev, ino;
	int fd, r, created = 0;

	if (!k || pid < 0 || !path)
		return nsbox__fail(-EINVAL, "nsbox_persist: need a pid >= 0, one namespace kind and a path");
	/* Resolves ESRCH / EOPNOTSUPP precisely. */
	if ((r = nsbox_ns_id(pid, ns, &dev, &ino)) < 0)
		return r;
	if (pid == 0)
		snprintf(src, sizeof(src), "/proc/self/ns/%s", k->name);
	else
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid, k->name);
	/* O_EXCL first, to know whether a failure must remove the file. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd >= 0)
		created = 1;
	else if (errno == EEXIST)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return nsbox__fail_sys(-errno, "persist: create %s", path);
	close(fd);
	if (mount(src, path, NULL, MS_BIND, NULL) < 0) {
		r = -errno;
		if (created)
			unlink(path);
		return nsbox__fail_sys(r, "persist: bind %s on %s%s", src, path,
		                       r == -EINVAL && ns == NSBOX_NS_MOUNT
		                               ? " (a mount namespace cannot be persisted inside itself)"
		                               : "");
	}
	return 0;
}

NSBOX_EXPORT int nsbox_unpersist(const char *path)
{
	struct statfs sf;

	if (!path)
		return nsbox__fail(-EINVAL, "nsbox_unpersist: path is NULL");
	if (statfs(path, &sf) < 0)
		return nsbox__fail_sys(-errno, "unpersist: %s", path);
	if (sf.f_type != NSFS_MAGIC)
		return nsbox__fail(-EINVAL, "unpersist: %s is not a persisted namespace", path);
	if (umount2(path, MNT_DETACH) < 0)
		return nsbox__fail_sys(-errno, "unpersist: umount %s", path);
	if (unlink(path) < 0)
		return nsbox__fail_sys(-errno, "unpersist: remove %s", path);
	return 0;
}
