/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nsbox-private.h"

NSBOX_EXPORT const char *nsbox_version(void)
{
	return NSBOX_VERSION_STRING;
}

/* ---- nsbox_feature_supported ---- */

static long read_number(const char *path, long missing)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long v = missing;

	if (fd < 0)
		return missing;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

static int have_clone3(void)
{
	/* invalid arguments: EINVAL (or EFAULT) if it exists, ENOSYS if not;
	 * nothing is created either way */
	return !(syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS);
}

NSBOX_EXPORT int nsbox_feature_supported(uint32_t feature)
{
	int saved = errno, r;

	switch (feature) {
	case NSBOX_FEATURE_CLONE3:
		r = have_clone3();
		break;
	case NSBOX_FEATURE_PIDFD_SETNS:
		r = nsbox__kernel_at_least(5, 8);
		break;
	case NSBOX_FEATURE_TIME_NS:
		r = access("/proc/self/ns/time", F_OK) == 0;
		break;
	case NSBOX_FEATURE_INTO_CGROUP:
		r = have_clone3() && nsbox__kernel_at_least(5, 7);
		break;
	case NSBOX_FEATURE_CLEAR_SIGHAND:
		r = have_clone3() && nsbox__kernel_at_least(5, 5);
		break;
	case NSBOX_FEATURE_UNPRIV_USERNS:
		r = access("/proc/self/ns/user", F_OK) == 0 &&
		    read_number("/proc/sys/kernel/unprivileged_userns_clone", 1) != 0 &&
		    read_number("/proc/sys/user/max_user_namespaces", 1) > 0;
		break;
	default:
		return nsbox__fail(-EINVAL, "nsbox_feature_supported: unknown feature %u", feature);
	}
	errno = saved;
	return r;
}
