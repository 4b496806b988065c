/* SPDX-License-Identifier: MIT
 * nsbox_join*: enter a target's namespaces in the calling thread. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "nsbox-private.h"

static int check_mask(const char *what, uint32_t ns)
{
	if (ns == 0 || (ns & ~(uint32_t)NSBOX_NS_ALL))
		return nsbox__fail(-EINVAL, "%s: namespace mask 0x%x is empty or has unknown bits", what, ns);
	return 0;
}

static const char *refusal(int r, uint32_t ns)
{
	if (r == -EINVAL && (ns & (NSBOX_NS_USER | NSBOX_NS_MOUNT)))
		return " (the kernel refuses user and mount namespace joins from a multithreaded process)";
	if (r == -EPERM)
		return " (needs CAP_SYS_ADMIN over the target namespaces)";
	return "";
}

/* Open every kind one by one and enter them in an order that works with and
 * without privileges; kinds we already share are left out. */
static int join_by_files(pid_t pid, uint32_t ns)
{
	struct nsbox_setns_op ops[NSBOX_NKINDS];
	int n, r, failed = 0;

	n = nsbox__open_ns_fds(pid, ns, 0, ops, NSBOX_NKINDS);
	if (n < 0)
		return n;
	r = nsbox__setns_ops(ops, n, !nsbox__privileged(), &failed);
	if (r < 0) {
		const struct nsbox_kind *k = nsbox__kind_by_clone_flag((uint64_t)(unsigned)ops[failed].nstype);
		nsbox__fail_sys(r, "setns(%s) of process %d%s", k ? k->name : "?", (int)pid,
		                refusal(r, k ? k->bit : 0));
	}
	for (int i = 0; i < n; i++)
		close(ops[i].fd);
	return r;
}

/* The kinds of mask that pid shares with us. */
static uint32_t shared_kinds(pid_t pid, uint32_t ns)
{
	uint32_t same = 0;

	for (int i = 0; i < NSBOX_NKINDS; i++)
		if ((ns & nsbox__kinds[i].bit) && nsbox_ns_same(pid, 0, nsbox__kinds[i].bit) == 1)
			same |= nsbox__kinds[i].bit;
	return same;
}

NSBOX_EXPORT int nsbox_join(int32_t pidfd, uint32_t ns)
{
	uint32_t same;
	pid_t pid;
	int r;

	if (pidfd < 0)
		return nsbox__fail(-EINVAL, "nsbox_join: pidfd is negative");
	if ((r = check_mask("nsbox_join", ns)) < 0)
		return r;
	/* Through a pidfd the kernel lets one thread of many take a mount
	 * namespace when another kind comes along, and refuses it alone: the
	 * library refuses it always (a user namespace join is refused by the
	 * kernel itself, before anything is joined). */
	if ((ns & NSBOX_NS_MOUNT) && !(ns & NSBOX_NS_USER) && nsbox__multithreaded())
		return nsbox__fail_sys(-EINVAL, "setns(pidfd %d)%s", pidfd, refusal(-EINVAL, ns));
	/* Linux 5.8+: one call, all kinds or none. */
	if (syscall(SYS_setns, pidfd, (int)nsbox__clone_flags(ns)) == 0)
		return 0;
	r = -errno;
	if (r != -EINVAL)
		return nsbox__fail_sys(r, "setns(pidfd %d)%s", pidfd, refusal(r, ns));
	pid = nsbox__pidfd_pid(pidfd);
	if (pid < 0)
		return nsbox__fail_sys(pid == -EBADF ? -EINVAL : pid, "nsbox_join: pidfd %d", pidfd);
	if ((ns & (NSBOX_NS_USER | NSBOX_NS_MOUNT)) && nsbox__multithreaded())
		return nsbox__fail_sys(-EINVAL, "setns(pidfd %d)%s", pidfd, refusal(-EINVAL, ns));
	/* setns(pidfd, kinds) exists since Linux 5.8; before, it fails with
	 * EINVAL like a refusal would, so the kernel version decides. */
	if (!nsbox__kernel_at_least(5, 8))
		return join_by_files(pid, ns); /* old kernel: kind by kind */
	/* EINVAL from a kernel that knows pidfds: most often a kind we already
	 * share (our own user namespace cannot be entered). Leave those out
	 * and try again, still all or nothing. */
	same = shared_kinds(pid, ns);
	if (same == ns)
		return 0;
	if (same && syscall(SYS_setns, pidfd, (int)nsbox__clone_flags(ns & ~same)) == 0)
		return 0;
	r = same ? -errno : -EINVAL;
	return nsbox__fail_sys(r, "setns(pidfd %d, kinds 0x%x)%s", pidfd, ns & ~same, refusal(r, ns & ~same));
}

NSBOX_EXPORT int nsbox_join_pid(int32_t pid, uint32_t ns)
{
	int pidfd, r;

	if (pid <= 0)
		return nsbox__fail(-EINVAL, "nsbox_join_pid: pid %d is not positive", pid);
	if ((r = check_mask("nsbox_join_pid", ns)) < 0)
		return r;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r = -errno;
		if (r == -ENOSYS)
			return join_by_files(pid, ns);
		return nsbox__fail_sys(r, "pidfd_open(%d)", pid);
	}
	r = nsbox_join(pidfd, ns);
	close(pidfd);
	return r;
}

NSBOX_EXPORT int nsbox_join_path(const char *path, uint32_t ns)
{
	const struct nsbox_kind *k = NULL;
	int fd, type, r = 0;

	if (!path)
		return nsbox__fail(-EINVAL, "nsbox_join_path: path is NULL");
	if (ns && !(k = nsbox__kind_by_bit(ns)))
		return nsbox__fail(-EINVAL, "nsbox_join_path: ns must be one kind or 0");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nsbox__fail_sys(-errno, "open %s", path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		r = nsbox__fail(-EINVAL, "%s is not a namespace file", path);
	else if (k && (uint64_t)type != k->clone_flag)
		r = nsbox__fail(-EINVAL, "%s is not a %s namespace", path, k->name);
	else if (setns(fd, type) < 0) {
		r = -errno;
		nsbox__fail_sys(r, "setns %s%s", path,
		                refusal(r, k ? k->bit : (type == CLONE_NEWUSER ? NSBOX_NS_USER : 0)));
	}
	close(fd);
	return r;
}
