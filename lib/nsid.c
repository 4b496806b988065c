/* SPDX-License-Identifier: MIT
 * Namespace kinds, their identities, and opening a target's namespace files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "nsbox-private.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* Order matters: it is the order in which kinds are joined (user handled apart). */
const struct nsbox_kind nsbox__kinds[NSBOX_NKINDS] = {
	{ NSBOX_NS_USER, CLONE_NEWUSER, "user" },
	{ NSBOX_NS_MOUNT, CLONE_NEWNS, "mnt" },
	{ NSBOX_NS_UTS, CLONE_NEWUTS, "uts" },
	{ NSBOX_NS_IPC, CLONE_NEWIPC, "ipc" },
	{ NSBOX_NS_PID, CLONE_NEWPID, "pid" },
	{ NSBOX_NS_NET, CLONE_NEWNET, "net" },
	{ NSBOX_NS_CGROUP, CLONE_NEWCGROUP, "cgroup" },
	{ NSBOX_NS_TIME, CLONE_NEWTIME, "time" },
};

const struct nsbox_kind *nsbox__kind_by_bit(uint32_t bit)
{
	for (int i = 0; i < NSBOX_NKINDS; i++)
		if (nsbox__kinds[i].bit == bit)
			return &nsbox__kinds[i];
	return NULL;
}

const struct nsbox_kind *nsbox__kind_by_clone_flag(uint64_t flag)
{
	for (int i = 0; i < NSBOX_NKINDS; i++)
		if (nsbox__kinds[i].clone_flag == flag)
			return &nsbox__kinds[i];
	return NULL;
}

static void ns_path(char *buf, size_t len, pid_t pid, const char *name)
{
	if (pid == 0)
		snprintf(buf, len, "/proc/self/ns/%s", name);
	else
		snprintf(buf, len, "/proc/%d/ns/%s", (int)pid, name);
}

/* errno of a failed open/stat of /proc/PID/ns/NAME, made precise: the
 * kernel lacks the kind only if our own /proc/self/ns/NAME is missing too;
 * otherwise the process is gone (a zombie keeps /proc/PID but loses ns/). */
static int ns_lookup_error(int err, pid_t pid, const char *name)
{
	char self[64];

	if (err == EACCES)
		return -EPERM; /* ptrace access to the target refused: as setns would say */
	if (err != ENOENT)
		return -err;
	snprintf(self, sizeof(self), "/proc/self/ns/%s", name);
	if (pid == 0 || access(self, F_OK) != 0)
		return -EOPNOTSUPP;
	return -ESRCH;
}

NSBOX_EXPORT int nsbox_ns_id(int32_t pid, uint32_t ns, uint64_t *dev, uint64_t *ino)
{
	const struct nsbox_kind *k = nsbox__kind_by_bit(ns);
	char path[64];
	struct stat st;

	if (!k || pid < 0 || !dev || !ino)
		return nsbox__fail(-EINVAL, "nsbox_ns_id: need one namespace kind, a pid >= 0 and two out-pointers");
	ns_path(path, sizeof(path), pid, k->name);
	if (stat(path, &st) < 0) {
		int r = ns_lookup_error(errno, pid, k->name);
		return nsbox__fail_sys(r, "stat %s", path);
	}
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

NSBOX_EXPORT int nsbox_ns_same(int32_t pid_a, int32_t pid_b, uint32_t ns)
{
	uint64_t da, ia, db, ib;
	int r;

	if ((r = nsbox_ns_id(pid_a, ns, &da, &ia)) < 0)
		return r;
	if ((r = nsbox_ns_id(pid_b, ns, &db, &ib)) < 0)
		return r;
	return da == db && ia == ib;
}

int nsbox__write_file(const char *path, const char *data, size_t len, const char *who)
{
	ssize_t w;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && prctl(PR_GET_DUMPABLE) == 0)
		return nsbox__fail_sys(-EACCES, "%sopen %s (this process is not dumpable, as after a uid change "
		                                "without exec, so its /proc files belong to root: call "
		                                "prctl(PR_SET_DUMPABLE, 1) first)",
		                       who, path);
	if (fd < 0)
		return nsbox__fail_sys(-errno, "%sopen %s", who, path);
	w = write(fd, data, len);
	if (w < 0)
		r = nsbox__fail_sys(-errno, "%swrite %s", who, path);
	else if ((size_t)w != len)
		r = nsbox__fail(-EIO, "%sshort write to %s", who, path);
	close(fd);
	return r;
}

int nsbox__open_ns_fds(pid_t pid, uint32_t ns, int index, struct nsbox_setns_op *ops, int max)
{
	int n = 0, r = 0;

	for (int i = 0; i < NSBOX_NKINDS; i++) {
		const struct nsbox_kind *k = &nsbox__kinds[i];
		char path[64], self[64];
		struct stat st, own;
		int fd;

		if (!(ns & k->bit))
			continue;
		ns_path(path, sizeof(path), pid, k->name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			r = ns_lookup_error(errno, pid, k->name);
			nsbox__fail_sys(r, "open %s", path);
			goto fail;
		}
		ns_path(self, sizeof(self), 0, k->name);
		/* A kind we already share needs no join (and setns to our own
		 * user namespace is refused by the kernel). */
		if (fstat(fd, &st) == 0 && stat(self, &own) == 0 && st.st_dev == own.st_dev &&
		    st.st_ino == own.st_ino) {
			close(fd);
			continue;
		}
		if (n >= max) {
			close(fd);
			r = nsbox__fail(-E2BIG, "too many namespaces to join");
			goto fail;
		}
		ops[n].fd = fd;
		ops[n].nstype = (int)k->clone_flag;
		ops[n].index = index;
		ops[n].done = 0;
		n++;
	}
	return n;
fail:
	for (int j = 0; j < n; j++)
		close(ops[j].fd);
	return r;
}

pid_t nsbox__pidfd_pid(int pidfd)
{
	char path[64], buf[4096];
	ssize_t len;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EBADF : -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -EIO;
	buf[len] = 0;
	p = strstr(buf, "\nPid:");
	if (!p)
		return -EBADF; /* not a pidfd */
	long v = strtol(p + 5, NULL, 10);
	if (v <= 0)
		return -ESRCH; /* -1: the process is gone */
	return (pid_t)v;
}

int nsbox__kernel_at_least(int want_major, int want_minor)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > want_major || (major == want_major && minor >= want_minor);
}

int nsbox__multithreaded(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < 2)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 1;
}

int nsbox__privileged(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (d[0].effective >> CAP_SYS_ADMIN) & 1;
}

/* The inline nsbox__clone_flags() must agree with the table. */
_Static_assert(CLONE_NEWNS == 0x00020000 && CLONE_NEWUTS == 0x04000000 && CLONE_NEWIPC == 0x08000000 &&
                       CLONE_NEWPID == 0x20000000 && CLONE_NEWNET == 0x40000000 &&
                       CLONE_NEWUSER == 0x10000000 && CLONE_NEWCGROUP == 0x02000000 && CLONE_NEWTIME == 0x80,
               "CLONE_NEW* values");
