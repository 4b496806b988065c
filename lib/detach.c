/* SPDX-License-Identifier: MIT
 * nsbox_detach*: unshare(2) for the calling process. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nsbox-private.h"

static int unshare_error(int r, uint32_t ns)
{
	const char *why = "";

	if (r == -EINVAL && (ns & NSBOX_NS_USER) && nsbox__multithreaded())
		why = " (the process is multithreaded: the kernel creates user namespaces only for "
		      "single-threaded processes)";
	else if (r == -EPERM)
		why = " (needs CAP_SYS_ADMIN, or NSBOX_NS_USER to go unprivileged)";
	else if (r == -ENOSPC || r == -EUSERS)
		why = " (a namespace limit was reached: /proc/sys/user/max_*_namespaces)";
	return nsbox__fail_sys(r, "unshare%s", why);
}

NSBOX_EXPORT int nsbox_detach(uint32_t ns)
{
	if (ns == 0 || (ns & ~(uint32_t)NSBOX_NS_ALL))
		return nsbox__fail(-EINVAL, "nsbox_detach: namespace mask 0x%x is empty or has unknown bits", ns);
	if (unshare((int)nsbox__clone_flags(ns)) < 0)
		return unshare_error(-errno, ns);
	return 0;
}

static int write_self(const char *file, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	return nsbox__write_file(path, text, strlen(text), "");
}

NSBOX_EXPORT int nsbox_detach_user(uint32_t ns, uint32_t flags)
{
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	int root = flags & NSBOX_MAP_ROOT;
	char map[64];
	int r;

	if (ns & ~(uint32_t)NSBOX_NS_ALL)
		return nsbox__fail(-EINVAL, "nsbox_detach_user: unknown namespace bits 0x%x", ns);
	if (flags & ~(uint32_t)NSBOX_MAP_ROOT)
		return nsbox__fail(-EINVAL, "nsbox_detach_user: unknown flags 0x%x", flags);
	ns |= NSBOX_NS_USER;
	if (unshare((int)nsbox__clone_flags(ns)) < 0)
		return unshare_error(-errno, ns);
	if ((r = write_self("setgroups", "deny")) < 0)
		return r;
	snprintf(map, sizeof(map), "%u %u 1\n", root ? 0 : uid, uid);
	if ((r = write_self("uid_map", map)) < 0)
		return r;
	snprintf(map, sizeof(map), "%u %u 1\n", root ? 0 : gid, gid);
	return write_self("gid_map", map);
}
