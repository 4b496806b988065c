/* SPDX-License-Identifier: MIT
 * Feature module "mount": the child side. Runs between clone and execve,
 * possibly sharing the caller's memory: raw system calls only, no errno, no
 * allocation, small frames (see child.c). Everything it needs was prepared
 * by nsbox__mount_prepare() (lib/mount.c).
 *
 * How a target is reached: resolved with openat2(2) RESOLVE_IN_ROOT against
 * the root being built (symlinks stay inside it, magic links are refused),
 * into an O_PATH descriptor N; the mount then goes on "N" relative to the
 * working directory, which is the child's /proc/self/fd meanwhile, so the
 * kernel follows the magic link to exactly that directory. No path is
 * looked up twice, and /proc need not stay mounted where it was.
 *
 * With a new root: every bind source (and the host device nodes of a /dev)
 * is opened first, in the child's view of the host tree; a private tmpfs
 * mounted on /tmp becomes the root by a first pivot_root, with the host's
 * tree on /oldroot and the new root (a tmpfs, or the caller's directory) on
 * /newroot; the operations run; then pivot_root(".", ".") from inside
 * /newroot and a lazy unmount of what ends up stacked on it (the staging
 * tmpfs with the host's tree) leave nothing else reachable. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mount.h"
#include "nsbox-private.h"

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef MS_RELATIME
#define MS_RELATIME (1 << 21)
#endif

/* The kernel's structures, under our own names (glibc's and the kernel's
 * headers disagree about who defines them). */
struct nsbox_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define NSBOX_RESOLVE_NO_MAGICLINKS 0x02
#define NSBOX_RESOLVE_IN_ROOT 0x10

struct nsbox_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};
/* MOUNT_ATTR_RDONLY, _NOSUID, _NODEV, _NOEXEC have the values of MS_RDONLY,
 * MS_NOSUID, MS_NODEV, MS_NOEXEC: one mask serves both interfaces. */
#define ATTR_MASK (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

struct nsbox_statx {
	uint32_t mask;
	uint32_t blksize;
	uint64_t attributes;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint16_t mode;
	uint16_t spare0;
	uint64_t rest[29]; /* the kernel writes 256 bytes */
};
#define NSBOX_STATX_TYPE 0x1U

const char *const nsbox__mount_dev_nodes[NSBOX_DEV_NODES] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
};
const char *const nsbox__mount_dev_links[NSBOX_DEV_LINKS][2] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};
const char *const nsbox__mount_proc_ro[NSBOX_PROC_RO] = { "sys", "sysrq-trigger", "irq", "bus" };

#define O_SEARCH_DIR (O_PATH | O_DIRECTORY | O_CLOEXEC)

/* ---- small tools ---- */

/* Our own string loops; the empty asm keeps the compiler from turning them
 * back into calls of the C library's strlen, memcpy or memcmp. */
#define NO_LIBC_IDIOM(v) __asm__("" : "+r"(v))

static size_t c_strlen(const char *s)
{
	size_t n = 0;

	while (s[n]) {
		n++;
		NO_LIBC_IDIOM(n);
	}
	return n;
}

static void c_memcpy(char *d, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		d[i] = s[i];
		NO_LIBC_IDIOM(i);
	}
}

static int c_memeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return 0;
		NO_LIBC_IDIOM(i);
	}
	return 1;
}

/* The decimal name of a descriptor: with the working directory in
 * /proc/self/fd, the path that leads to what it refers to. */
static const char *fdname(char buf[16], int fd)
{
	char tmp[16];
	int n = 0, o = 0;
	unsigned v = (unsigned)fd;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 15);
	while (n)
		buf[o++] = tmp[--n];
	buf[o] = '\0';
	return buf;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)NSBOX_SYS1(__NR_close, *fd);
	*fd = -1;
}

/* Every descriptor of the library is close-on-exec, whatever the caller
 * of this wrapper passes. */
static long sys_openat(int dfd, const char *path, long flags, long mode)
{
	return NSBOX_SYS4(__NR_openat, dfd, path, flags | O_CLOEXEC, mode);
}

/* File type of what @fd refers to (S_IFMT bits), or -errno. */
static long file_type(int fd)
{
	struct nsbox_statx st;
	long r = nsbox__sys(__NR_statx, fd, (long)"", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, NSBOX_STATX_TYPE,
	                    (long)&st, 0);

	return r < 0 ? r : (long)(st.mode & S_IFMT);
}

static long mount_fd(int srcfd, const char *src, int tgtfd, const char *type, unsigned long flags, const void *data)
{
	char s[16], t[16];

	if (srcfd >= 0)
		src = fdname(s, srcfd);
	return NSBOX_SYS5(__NR_mount, src, fdname(t, tgtfd), type, flags, data);
}

/* ---- resolving paths inside the root ---- */

/* Without openat2: one component at a time, refusing every symlink (there
 * are no ".." components: the setters refuse them). @s is writable. */
static long walk(int base, char *s, int dir)
{
	long cur = -1, fd, type = S_IFDIR;
	char *p = s, *q, c;

	while (*p == '/')
		p++;
	if (!*p)
		return sys_openat(base, ".", O_SEARCH_DIR, 0);
	for (;;) {
		for (q = p; *q && *q != '/'; q++)
			;
		c = *q;
		*q = '\0';
		fd = sys_openat(cur >= 0 ? (int)cur : base, p, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
		*q = c;
		if (cur >= 0)
			(void)NSBOX_SYS1(__NR_close, cur);
		if (fd < 0)
			return fd;
		cur = fd;
		type = file_type((int)cur);
		if (type == S_IFLNK)
			type = -ELOOP;
		while (*q == '/')
			q++;
		if (type >= 0 && (*q || dir) && type != S_IFDIR)
			type = -ENOTDIR;
		if (type < 0) {
			(void)NSBOX_SYS1(__NR_close, cur);
			return type;
		}
		if (!*q)
			return cur;
		p = q;
	}
}

/* Open path[0..len) (absolute; len 0 is "/") inside the root @base, as an
 * O_PATH descriptor; with @dir it must be a directory. */
static long resolve(struct nsbox_mount_plan *m, int base, const char *path, size_t len, int dir)
{
	char *s = m->scratch;
	long r = -ENOSYS;

	if (len >= NSBOX_MOUNT_SCRATCH)
		return -ENAMETOOLONG;
	if (len == 0) {
		s[0] = '/';
		len = 1;
	} else {
		c_memcpy(s, path, len);
	}
	s[len] = '\0';
	if (!m->no_openat2) {
		struct nsbox_open_how how;

		how.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0);
		how.mode = 0;
		how.resolve = NSBOX_RESOLVE_IN_ROOT | NSBOX_RESOLVE_NO_MAGICLINKS;
		/* EAGAIN: a rename raced with ".." handling; try again. */
		for (int i = 0; i < 16; i++) {
			r = NSBOX_SYS4(__NR_openat2, base, s, &how, sizeof(how));
			if (r != -EAGAIN)
				break;
		}
		if (r != -ENOSYS)
			return r;
		m->no_openat2 = 1;
	}
	return walk(base, s, dir);
}

/* The directory path[0..len), created (mode 0755, parents too) when missing
 * and @create; an O_PATH descriptor. */
static long mkpath(struct nsbox_mount_plan *m, int base, const char *path, size_t len, int create)
{
	long parent, fd = resolve(m, base, path, len, 1);
	size_t i = 0;

	if (fd != -ENOENT || !create)
		return fd;
	parent = resolve(m, base, path, 0, 1);
	while (parent >= 0 && i < len) {
		size_t j = i + 1;

		while (j < len && path[j] != '/')
			j++;
		fd = resolve(m, base, path, j, 1);
		if (fd == -ENOENT) {
			if (j - i - 1 >= NSBOX_MOUNT_SCRATCH)
				fd = -ENAMETOOLONG;
			else {
				c_memcpy(m->name, path + i + 1, j - i - 1);
				m->name[j - i - 1] = '\0';
				fd = NSBOX_SYS3(__NR_mkdirat, parent, m->name, 0755);
				/* EEXIST: a dangling symlink, or a race;
				 * resolving again says which. */
				if (fd == 0 || fd == -EEXIST)
					fd = resolve(m, base, path, j, 1);
			}
		}
		(void)NSBOX_SYS1(__NR_close, parent);
		parent = fd;
		i = j;
	}
	return parent;
}

/* Length of the parent part of a normalized target ("/a/b" -> 2, "/a" -> 0). */
static size_t parent_len(const struct nsbox_mount_op *op)
{
	size_t k = op->target_len;

	while (k > 0 && op->target[k - 1] != '/')
		k--;
	return k ? k - 1 : 0;
}

static const char *base_name(const struct nsbox_mount_op *op)
{
	return op->target + parent_len(op) + 1;
}

/* ---- mount flags ---- */

static long statfs_flags(int fd, unsigned long *ms)
{
#ifdef __NR_fstatfs64
	struct statfs64 st;
	long r = NSBOX_SYS3(__NR_fstatfs64, fd, sizeof(st), &st);
#else
	struct statfs st;
	long r = NSBOX_SYS2(__NR_fstatfs, fd, &st);
#endif
	unsigned long f;

	if (r < 0)
		return r;
	f = (unsigned long)st.f_flags;
	/* ST_* to MS_*: the same bits but relatime; keep what a remount in
	 * a user namespace must repeat (the locked flags). */
	*ms = (f & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_NOATIME | MS_NODIRATIME)) |
	      ((f & 4096) ? MS_RELATIME : 0);
	return 0;
}

/* Remount the mount whose root @fd is, adding @set. */
static long remount_one(int fd, unsigned long set)
{
	unsigned long cur = 0;
	char name[16];
	long r = statfs_flags(fd, &cur);

	if (r < 0 || (cur | set) == cur)
		return r;
	return NSBOX_SYS5(__NR_mount, NULL, fdname(name, fd), NULL, MS_REMOUNT | MS_BIND | cur | set, NULL);
}

/* Unescape a mountinfo field in place ("\040" is a space). */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* One line of mountinfo: remount its mount if it lies under @top. */
static long remount_line(char *line, const char *top, size_t top_len, unsigned long set)
{
	char *mp = line, *e;
	long fd, r;

	for (int i = 0; i < 4 && mp; i++) {
		while (*mp && *mp != ' ')
			mp++;
		mp = *mp ? mp + 1 : NULL;
	}
	if (!mp)
		return 0;
	for (e = mp; *e && *e != ' '; e++)
		;
	*e = '\0';
	unescape(mp);
	if (top_len == 1) {
		if (mp[1] == '\0')
			return 0;
	} else if (!c_memeq(mp, top, top_len) || mp[top_len] != '/') {
		return 0;
	}
	fd = sys_openat(AT_FDCWD, mp, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd == -ENOENT)
		return 0; /* covered by another mount: out of reach */
	if (fd < 0)
		return fd;
	r = remount_one((int)fd, set);
	(void)NSBOX_SYS1(__NR_close, fd);
	return r;
}

/* Without mount_setattr: remount every mount under the one @fd is the root
 * of, as /proc/self/mountinfo lists them. */
static long remount_under(struct nsbox_mount_plan *m, int fd, unsigned long set)
{
	char name[16];
	long n, r = 0, mfd;
	size_t have = 0;

	n = NSBOX_SYS4(__NR_readlinkat, m->procfd, fdname(name, fd), m->name, NSBOX_MOUNT_SCRATCH - 1);
	if (n < 0)
		return n;
	if (n >= NSBOX_MOUNT_SCRATCH - 1)
		return -ENAMETOOLONG;
	m->name[n] = '\0';
	mfd = sys_openat(m->procfd, "../mountinfo", O_RDONLY | O_CLOEXEC, 0);
	if (mfd < 0)
		return mfd;
	for (;;) {
		size_t start = 0, i;
		long got = NSBOX_SYS3(__NR_read, mfd, m->buf + have, NSBOX_MOUNT_BUF - 1 - have);

		if (got == -EINTR)
			continue;
		if (got < 0) {
			r = got;
			break;
		}
		have += (size_t)got;
		if (got == 0 && have < NSBOX_MOUNT_BUF - 1)
			m->buf[have++] = '\n'; /* a last line without newline */
		for (i = 0; i < have && r == 0; i++) {
			if (m->buf[i] != '\n')
				continue;
			m->buf[i] = '\0';
			r = remount_line(m->buf + start, m->name, (size_t)n, set);
			start = i + 1;
		}
		if (r < 0 || got == 0)
			break;
		if (start == 0 && have == NSBOX_MOUNT_BUF - 1) {
			r = -E2BIG; /* a line longer than the buffer */
			break;
		}
		for (i = start; i < have; i++)
			m->buf[i - start] = m->buf[i];
		have -= start;
	}
	(void)NSBOX_SYS1(__NR_close, mfd);
	return r;
}

/* Add @set (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC) to the mount whose
 * root @fd is and, with @rec, to every mount under it. */
static long set_attr(struct nsbox_mount_plan *m, int fd, unsigned long set, int rec)
{
	long r;

	if (!m->no_setattr) {
		struct nsbox_mount_attr a = { set & ATTR_MASK, 0, 0, 0 };

		r = NSBOX_SYS5(__NR_mount_setattr, fd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &a, sizeof(a));
		if (r != -ENOSYS)
			return r;
		m->no_setattr = 1;
	}
	r = remount_one(fd, set);
	if (r == 0 && rec)
		r = remount_under(m, fd, set);
	return r;
}

/* ---- the operations ---- */

struct ctx {
	struct nsbox_mount_plan *m;
	uint32_t k;  /* 1-based step number */
	int *detail;
};

static long failed(struct ctx *c, uint32_t item, uint32_t phase, long r)
{
	*c->detail = NSBOX_MOUNT_DETAIL(c->k, item, phase);
	return r;
}

/* The mount point of @op: its directory (created in a new root), or, for
 * a bind of a file, a file (created empty in a new root). */
static long mount_point(struct nsbox_mount_plan *m, const struct nsbox_mount_op *op, int dir)
{
	long parent, fd;

	if (dir)
		return mkpath(m, m->rootfd, op->target, op->target_len, m->root);
	fd = resolve(m, m->rootfd, op->target, op->target_len, 0);
	if (fd != -ENOENT || !m->root)
		return fd;
	parent = mkpath(m, m->rootfd, op->target, parent_len(op), 1);
	if (parent < 0)
		return parent;
	fd = sys_openat((int)parent, base_name(op), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	(void)NSBOX_SYS1(__NR_close, parent);
	if (fd < 0 && fd != -EEXIST)
		return fd;
	if (fd >= 0)
		(void)NSBOX_SYS1(__NR_close, fd);
	return resolve(m, m->rootfd, op->target, op->target_len, 0);
}

/* Mount on the target of @op, then set flags on the new mount (found again
 * by its path: the descriptor taken before still points under it). */
static long mount_on(struct ctx *c, const struct nsbox_mount_op *op, int srcfd, const char *src, int dir,
                     const char *type, unsigned long flags, const void *data, unsigned long set)
{
	long tgt = mount_point(c->m, op, dir), r;

	if (tgt < 0)
		return failed(c, 0, NSBOX_MP_TARGET, tgt);
	r = mount_fd(srcfd, src, (int)tgt, type, flags, data);
	(void)NSBOX_SYS1(__NR_close, tgt);
	if (r < 0)
		return failed(c, 0, NSBOX_MP_MOUNT, r);
	if (!set)
		return 0;
	tgt = resolve(c->m, c->m->rootfd, op->target, op->target_len, dir);
	if (tgt < 0)
		return failed(c, 0, NSBOX_MP_ATTR, tgt);
	r = set_attr(c->m, (int)tgt, set, (flags & MS_REC) != 0);
	(void)NSBOX_SYS1(__NR_close, tgt);
	return r < 0 ? failed(c, 0, NSBOX_MP_ATTR, r) : 0;
}

static long op_bind(struct ctx *c, struct nsbox_mount_step *s)
{
	const struct nsbox_mount_op *op = s->op;
	unsigned long set = MS_NOSUID | ((op->flags & NSBOX_BIND_DEV) ? 0 : MS_NODEV) |
	                    ((op->flags & NSBOX_BIND_RO) ? MS_RDONLY : 0);
	long type, r;

	if (s->src_fd == -2)
		return 0; /* NSBOX_BIND_TRY, and missing */
	if (s->src_fd < 0) {
		r = sys_openat(AT_FDCWD, op->source, O_PATH | O_CLOEXEC, 0);
		if (r == -ENOENT && (op->flags & NSBOX_BIND_TRY))
			return 0;
		if (r < 0)
			return failed(c, 0, NSBOX_MP_SOURCE, r);
		s->src_fd = (int)r;
	}
	type = file_type(s->src_fd);
	if (type < 0)
		return failed(c, 0, NSBOX_MP_SOURCE, type);
	r = mount_on(c, op, s->src_fd, NULL, type == S_IFDIR, NULL, MS_BIND | MS_REC, NULL, set);
	close_fd(&s->src_fd);
	return r;
}

/* Bind the host's device nodes, create the links, devpts and shm in the
 * tmpfs @dev just mounted. */
static long fill_dev(struct ctx *c, struct nsbox_mount_step *s, int dev)
{
	char t[16];
	long fd, r;

	for (uint32_t i = 0; i < NSBOX_DEV_NODES; i++) {
		const char *name = nsbox__mount_dev_nodes[i] + 5;

		fd = sys_openat(dev, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0)
			return failed(c, i, NSBOX_MP_DEV_NODE, fd);
		(void)NSBOX_SYS1(__NR_close, fd);
		fd = sys_openat(dev, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0)
			return failed(c, i, NSBOX_MP_DEV_NODE, fd);
		r = mount_fd(s->dev_fds[i], NULL, (int)fd, NULL, MS_BIND, NULL);
		(void)NSBOX_SYS1(__NR_close, fd);
		close_fd(&s->dev_fds[i]);
		if (r == 0 && (fd = sys_openat(dev, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)) < 0)
			r = fd;
		if (r == 0) {
			r = set_attr(c->m, (int)fd, MS_NOSUID, 0);
			(void)NSBOX_SYS1(__NR_close, fd);
		}
		if (r < 0)
			return failed(c, i, NSBOX_MP_DEV_NODE, r);
	}
	for (uint32_t i = 0; i < NSBOX_DEV_LINKS; i++) {
		r = NSBOX_SYS3(__NR_symlinkat, nsbox__mount_dev_links[i][1], dev, nsbox__mount_dev_links[i][0]);
		if (r < 0)
			return failed(c, i, NSBOX_MP_DEV_LINK, r);
	}
	r = NSBOX_SYS3(__NR_mkdirat, dev, "pts", 0755);
	if (r == 0 && (fd = sys_openat(dev, "pts", O_SEARCH_DIR | O_NOFOLLOW, 0)) < 0)
		r = fd;
	if (r == 0) {
		r = NSBOX_SYS5(__NR_mount, "devpts", fdname(t, (int)fd), "devpts", MS_NOSUID | MS_NOEXEC,
		               "newinstance,ptmxmode=0666,mode=620");
		(void)NSBOX_SYS1(__NR_close, fd);
	}
	if (r < 0)
		return failed(c, 0, NSBOX_MP_DEV_PTS, r);
	r = NSBOX_SYS3(__NR_mkdirat, dev, "shm", 01777);
	if (r == 0 && (fd = sys_openat(dev, "shm", O_SEARCH_DIR | O_NOFOLLOW, 0)) < 0)
		r = fd;
	if (r == 0) {
		r = NSBOX_SYS5(__NR_mount, "tmpfs", fdname(t, (int)fd), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
		(void)NSBOX_SYS1(__NR_close, fd);
	}
	return r < 0 ? failed(c, 0, NSBOX_MP_DEV_SHM, r) : 0;
}

static long open_dev_nodes(struct ctx *c, struct nsbox_mount_step *s)
{
	for (uint32_t i = 0; i < NSBOX_DEV_NODES; i++) {
		long fd;

		if (s->dev_fds[i] >= 0)
			continue;
		fd = sys_openat(AT_FDCWD, nsbox__mount_dev_nodes[i], O_PATH | O_CLOEXEC, 0);
		if (fd < 0)
			return failed(c, i, NSBOX_MP_DEV_NODE, fd);
		s->dev_fds[i] = (int)fd;
	}
	return 0;
}

static long op_dev(struct ctx *c, struct nsbox_mount_step *s)
{
	const struct nsbox_mount_op *op = s->op;
	long r, dev;

	/* The host's nodes first: the tmpfs may cover the host's /dev. */
	if ((r = open_dev_nodes(c, s)) < 0)
		return r;
	r = mount_on(c, op, -1, "tmpfs", 1, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0);
	if (r < 0)
		return r;
	dev = resolve(c->m, c->m->rootfd, op->target, op->target_len, 1);
	if (dev < 0)
		return failed(c, 0, NSBOX_MP_TARGET, dev);
	r = fill_dev(c, s, (int)dev);
	(void)NSBOX_SYS1(__NR_close, dev);
	return r;
}

/* A new /proc: what the child could write of sys, sysrq-trigger, irq and
 * bus becomes read-only (bind on itself, then read-only). */
static long proc_ro(struct ctx *c, const struct nsbox_mount_op *op)
{
	struct nsbox_mount_plan *m = c->m;
	size_t tl = op->target_len == 1 ? 0 : op->target_len;

	for (uint32_t i = 0; i < NSBOX_PROC_RO; i++) {
		const char *sub = nsbox__mount_proc_ro[i];
		size_t sl = c_strlen(sub);
		char name[16];
		long fd, r;

		if (tl + 1 + sl >= NSBOX_MOUNT_SCRATCH)
			return failed(c, i, NSBOX_MP_PROC_RO, -ENAMETOOLONG);
		c_memcpy(m->path2, op->target, tl);
		m->path2[tl] = '/';
		c_memcpy(m->path2 + tl + 1, sub, sl);
		fd = resolve(m, m->rootfd, m->path2, tl + 1 + sl, 0);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return failed(c, i, NSBOX_MP_PROC_RO, fd);
		r = mount_fd((int)fd, NULL, (int)fd, NULL, MS_BIND | MS_REC, NULL);
		if (r < 0) {
			/* Not allowed, but not writable either: nothing to protect. */
			long w = NSBOX_SYS3(__NR_faccessat, AT_FDCWD, fdname(name, (int)fd), W_OK);
			(void)NSBOX_SYS1(__NR_close, fd);
			if (w < 0)
				continue;
			return failed(c, i, NSBOX_MP_PROC_RO, r);
		}
		(void)NSBOX_SYS1(__NR_close, fd);
		fd = resolve(m, m->rootfd, m->path2, tl + 1 + sl, 0);
		if (fd < 0)
			return failed(c, i, NSBOX_MP_PROC_RO, fd);
		r = set_attr(m, (int)fd, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 1);
		(void)NSBOX_SYS1(__NR_close, fd);
		if (r < 0)
			return failed(c, i, NSBOX_MP_PROC_RO, r);
	}
	return 0;
}

/* chmod through the descriptor, exactly (the umask is 0 meanwhile, and
 * mkdir drops the set-id bits). */
static long chmod_fd(int fd, uint32_t mode)
{
	char name[16];

	return NSBOX_SYS3(__NR_fchmodat, AT_FDCWD, fdname(name, fd), mode);
}

static long op_dir(struct ctx *c, const struct nsbox_mount_op *op, int parent)
{
	long r = NSBOX_SYS3(__NR_mkdirat, parent, base_name(op), op->mode), fd;

	if (r < 0 && r != -EEXIST)
		return failed(c, 0, NSBOX_MP_CREATE, r);
	/* Already there: it must be a directory (a symlink to one inside the
	 * root will do); otherwise give it its exact mode. */
	fd = resolve(c->m, c->m->rootfd, op->target, op->target_len, 1);
	if (fd < 0)
		return failed(c, 0, NSBOX_MP_CREATE, r == -EEXIST ? -EEXIST : fd);
	r = r == 0 ? chmod_fd((int)fd, op->mode) : 0;
	(void)NSBOX_SYS1(__NR_close, fd);
	return r < 0 ? failed(c, 0, NSBOX_MP_ATTR, r) : 0;
}

static long op_symlink(struct ctx *c, const struct nsbox_mount_op *op, int parent)
{
	long r = NSBOX_SYS3(__NR_symlinkat, op->source, parent, base_name(op)), n;
	size_t len;

	if (r != -EEXIST)
		return r < 0 ? failed(c, 0, NSBOX_MP_CREATE, r) : 0;
	len = c_strlen(op->source);
	n = NSBOX_SYS4(__NR_readlinkat, parent, base_name(op), c->m->name, NSBOX_MOUNT_SCRATCH);
	if (n >= 0 && (size_t)n == len && c_memeq(c->m->name, op->source, len))
		return 0;
	return failed(c, 0, NSBOX_MP_EXISTS, -EEXIST);
}

static long op_file(struct ctx *c, const struct nsbox_mount_op *op, int parent)
{
	long fd, r = 0, type;
	size_t off = 0;

	/* Never open a FIFO or a device, never follow a symlink. */
	fd = sys_openat(parent, base_name(op), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		type = file_type((int)fd);
		(void)NSBOX_SYS1(__NR_close, fd);
		if (type == S_IFLNK)
			return failed(c, 0, NSBOX_MP_CREATE, -ELOOP);
		if (type >= 0 && type != S_IFREG)
			return failed(c, 0, NSBOX_MP_CREATE, type == S_IFDIR ? -EISDIR : -EEXIST);
	}
	fd = sys_openat(parent, base_name(op), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	                op->mode);
	if (fd < 0)
		return failed(c, 0, NSBOX_MP_CREATE, fd);
	while (off < op->len) {
		long w = NSBOX_SYS3(__NR_write, fd, op->data + off, op->len - off);
		if (w == -EINTR)
			continue;
		if (w <= 0) {
			r = failed(c, 0, NSBOX_MP_WRITE, w < 0 ? w : -EIO);
			break;
		}
		off += (size_t)w;
	}
	if (r == 0 && (r = NSBOX_SYS2(__NR_fchmod, fd, op->mode)) < 0)
		r = failed(c, 0, NSBOX_MP_ATTR, r);
	(void)NSBOX_SYS1(__NR_close, fd);
	return r;
}

/* dir, symlink, file: create what @op names in its parent directory. */
static long op_create(struct ctx *c, const struct nsbox_mount_op *op)
{
	long parent = mkpath(c->m, c->m->rootfd, op->target, parent_len(op), c->m->root), r;

	if (parent < 0)
		return failed(c, 0, NSBOX_MP_TARGET, parent);
	if (op->target_len == 1) /* "/" itself: a directory already there */
		r = op->kind == NSBOX_MK_DIR ? 0 : failed(c, 0, NSBOX_MP_CREATE, -EEXIST);
	else if (op->kind == NSBOX_MK_DIR)
		r = op_dir(c, op, (int)parent);
	else if (op->kind == NSBOX_MK_SYMLINK)
		r = op_symlink(c, op, (int)parent);
	else
		r = op_file(c, op, (int)parent);
	(void)NSBOX_SYS1(__NR_close, parent);
	return r;
}

static long op_remount_ro(struct ctx *c, const struct nsbox_mount_op *op)
{
	long fd = resolve(c->m, c->m->rootfd, op->target, op->target_len, 0), r;

	if (fd < 0)
		return failed(c, 0, NSBOX_MP_TARGET, fd);
	r = set_attr(c->m, (int)fd, MS_RDONLY, 1);
	(void)NSBOX_SYS1(__NR_close, fd);
	return r < 0 ? failed(c, 0, NSBOX_MP_ATTR, r) : 0;
}

static long run_step(struct ctx *c, struct nsbox_mount_step *s)
{
	const struct nsbox_mount_op *op = s->op;
	long r;

	switch (op->kind) {
	case NSBOX_MK_BIND:
		return op_bind(c, s);
	case NSBOX_MK_TMPFS:
		return mount_on(c, op, -1, "tmpfs", 1, "tmpfs", MS_NOSUID | MS_NODEV, s->opts, 0);
	case NSBOX_MK_PROC:
		r = mount_on(c, op, -1, "proc", 1, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
		return r < 0 ? r : proc_ro(c, op);
	case NSBOX_MK_SYSFS:
		return mount_on(c, op, -1, "sysfs", 1, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL, 0);
	case NSBOX_MK_MQUEUE:
		return mount_on(c, op, -1, "mqueue", 1, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
	case NSBOX_MK_DEV:
		return op_dev(c, s);
	case NSBOX_MK_DIR:
	case NSBOX_MK_SYMLINK:
	case NSBOX_MK_FILE:
		return op_create(c, op);
	case NSBOX_MK_REMOUNT_RO:
		return op_remount_ro(c, op);
	default:
		return failed(c, 0, NSBOX_MP_NONE, -EINVAL);
	}
}

/* ---- the new root ---- */

static long open_root(struct nsbox_mount_plan *m)
{
	long fd;

	close_fd(&m->rootfd);
	fd = sys_openat(AT_FDCWD, m->root ? "/" NSBOX_MOUNT_NEWROOT : "/", O_SEARCH_DIR, 0);
	if (fd >= 0)
		m->rootfd = (int)fd;
	return fd;
}

/* Open every bind source and device node (and the caller's root
 * directory) while the host tree is as the caller sees it. */
static long open_sources(struct nsbox_mount_plan *m, int *detail, long *dirfd)
{
	struct ctx c = { m, 0, detail };
	long r;

	if (m->root_dir && (*dirfd = sys_openat(AT_FDCWD, m->root_dir, O_SEARCH_DIR, 0)) < 0)
		return failed(&c, 0, NSBOX_MP_ROOT_DIR, *dirfd);
	for (uint32_t k = 0; k < m->n; k++) {
		struct nsbox_mount_step *s = &m->steps[k];

		c.k = k + 1;
		if (s->op->kind == NSBOX_MK_BIND) {
			r = sys_openat(AT_FDCWD, s->op->source, O_PATH | O_CLOEXEC, 0);
			if (r == -ENOENT && (s->op->flags & NSBOX_BIND_TRY))
				r = -2;
			else if (r < 0)
				return failed(&c, 0, NSBOX_MP_SOURCE, r);
			s->src_fd = (int)r;
		} else if (s->op->kind == NSBOX_MK_DEV && (r = open_dev_nodes(&c, s)) < 0) {
			return r;
		}
	}
	return 0;
}

/* A private tmpfs on /tmp becomes the root for a while, with the host's
 * tree on /oldroot (whole again: the tmpfs left /tmp) and the new root on
 * /newroot, as bwrap does. So a recursive bind of a host directory that
 * holds /tmp (even "/") never copies the staging mount. */
static long stage(struct nsbox_mount_plan *m)
{
	long r, base;

	r = NSBOX_SYS5(__NR_mount, "tmpfs", NSBOX_MOUNT_STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700");
	if (r < 0)
		return r;
	base = sys_openat(AT_FDCWD, NSBOX_MOUNT_STAGING, O_SEARCH_DIR, 0);
	if (base < 0)
		return base;
	if ((r = NSBOX_SYS3(__NR_mkdirat, base, NSBOX_MOUNT_NEWROOT, 0755)) == 0 &&
	    (r = NSBOX_SYS3(__NR_mkdirat, base, NSBOX_MOUNT_OLDROOT, 0700)) == 0 &&
	    (r = NSBOX_SYS1(__NR_fchdir, base)) == 0)
		r = NSBOX_SYS2(__NR_pivot_root, ".", NSBOX_MOUNT_OLDROOT);
	(void)NSBOX_SYS1(__NR_close, base);
	if (r == 0)
		r = NSBOX_SYS1(__NR_fchdir, m->procfd);
	return r;
}

static long stage_root(struct nsbox_mount_plan *m, int *detail)
{
	struct ctx c = { m, 0, detail };
	long r, dirfd = -1;
	char s[16];

	r = open_sources(m, detail, &dirfd);
	if (r == 0 && (r = stage(m)) < 0)
		r = failed(&c, 0, NSBOX_MP_STAGE, r);
	if (r < 0) {
		if (dirfd >= 0)
			(void)NSBOX_SYS1(__NR_close, dirfd);
		return r;
	}
	if (dirfd >= 0) {
		r = NSBOX_SYS5(__NR_mount, fdname(s, (int)dirfd), "/" NSBOX_MOUNT_NEWROOT, NULL, MS_BIND | MS_REC, NULL);
		(void)NSBOX_SYS1(__NR_close, dirfd);
	} else {
		r = NSBOX_SYS5(__NR_mount, "tmpfs", "/" NSBOX_MOUNT_NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	}
	if (r < 0)
		return failed(&c, 0, NSBOX_MP_ROOT_MOUNT, r);
	if ((r = open_root(m)) < 0)
		return failed(&c, 0, NSBOX_MP_ROOT_OPEN, r);
	if (dirfd >= 0 && (r = set_attr(m, m->rootfd, MS_NOSUID | MS_NODEV, 1)) < 0)
		return failed(&c, 0, NSBOX_MP_ROOT_MOUNT, r);
	return 0;
}

/* Make the built tree "/" and let go of everything else. */
static long enter_root(struct nsbox_mount_plan *m, int *detail)
{
	struct ctx c = { m, 0, detail };
	long r;

	if ((r = open_root(m)) < 0)
		return failed(&c, 0, NSBOX_MP_ROOT_OPEN, r);
	if ((m->root_flags & NSBOX_ROOT_RO) && (r = set_attr(m, m->rootfd, MS_RDONLY, 0)) < 0)
		return failed(&c, 0, NSBOX_MP_ROOT_RO, r);
	if ((r = NSBOX_SYS1(__NR_fchdir, m->rootfd)) < 0)
		return failed(&c, 0, NSBOX_MP_PIVOT, r);
	/* The old root ends up stacked on the new one, at "."; detach it and
	 * everything under it. */
	if ((r = NSBOX_SYS2(__NR_pivot_root, ".", ".")) < 0)
		return failed(&c, 0, NSBOX_MP_PIVOT, r);
	if ((r = NSBOX_SYS2(__NR_umount2, ".", MNT_DETACH)) < 0)
		return failed(&c, 0, NSBOX_MP_DETACH, r);
	if ((r = NSBOX_SYS1(__NR_chdir, "/")) < 0)
		return failed(&c, 0, NSBOX_MP_DETACH, r);
	return 0;
}

static void close_all(struct nsbox_mount_plan *m)
{
	for (uint32_t k = 0; k < m->n; k++) {
		close_fd(&m->steps[k].src_fd);
		for (int i = 0; i < NSBOX_DEV_NODES; i++)
			close_fd(&m->steps[k].dev_fds[i]);
	}
	close_fd(&m->rootfd);
	close_fd(&m->procfd);
	close_fd(&m->cwdfd);
}

static long run(struct nsbox_mount_plan *m, int *detail)
{
	struct ctx c = { m, 0, detail };
	long r;

	if (!m->root) {
		if ((r = sys_openat(AT_FDCWD, ".", O_PATH | O_CLOEXEC, 0)) < 0)
			return failed(&c, 0, NSBOX_MP_CWD, r);
		m->cwdfd = (int)r;
	}
	if ((r = sys_openat(AT_FDCWD, "/proc/self/fd", O_SEARCH_DIR, 0)) < 0)
		return failed(&c, 0, NSBOX_MP_PROCFD, r);
	m->procfd = (int)r;
	if ((r = NSBOX_SYS1(__NR_fchdir, m->procfd)) < 0)
		return failed(&c, 0, NSBOX_MP_PROCFD, r);
	if (m->root && (r = stage_root(m, detail)) < 0)
		return r;
	for (uint32_t k = 0; k < m->n; k++) {
		c.k = k + 1;
		/* A mount on the new root's "/" stacks on it: find the top. */
		if ((k == 0 || m->root) && (r = open_root(m)) < 0)
			return failed(&c, 0, NSBOX_MP_TARGET, r);
		if ((r = run_step(&c, &m->steps[k])) < 0)
			return r;
	}
	if (m->root)
		return enter_root(m, detail);
	if ((r = NSBOX_SYS1(__NR_fchdir, m->cwdfd)) < 0)
		return failed(&c, 0, NSBOX_MP_CWD, r);
	return 0;
}

int nsbox__mount_child(struct nsbox_plan *p, int *detail)
{
	struct nsbox_mount_plan *m = p->mount;
	long old_umask, r;

	if (!m)
		return 0;
	/* Modes are the caller's, exactly. */
	old_umask = NSBOX_SYS1(__NR_umask, 0);
	r = run(m, detail);
	close_all(m);
	(void)NSBOX_SYS1(__NR_umask, old_umask);
	return (int)r;
}
