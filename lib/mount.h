/* SPDX-License-Identifier: MIT
 * Feature module "mount": what lib/mount.c (configuration, plan, messages)
 * and lib/mount-child.c (the child side) share. Nothing here is ABI. */
#ifndef NSBOX_MOUNT_H
#define NSBOX_MOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "nsbox-private.h"

enum nsbox_mount_kind {
	NSBOX_MK_BIND = 1,
	NSBOX_MK_TMPFS,
	NSBOX_MK_PROC,
	NSBOX_MK_SYSFS,
	NSBOX_MK_DEV,
	NSBOX_MK_MQUEUE,
	NSBOX_MK_DIR,
	NSBOX_MK_SYMLINK,
	NSBOX_MK_FILE,
	NSBOX_MK_REMOUNT_RO,
};

/* One operation as the caller added it (owned by the configuration). */
struct nsbox_mount_op {
	uint32_t kind;
	uint32_t flags;   /* NSBOX_BIND_* */
	uint32_t mode;    /* tmpfs, dir, file */
	uint64_t size;    /* tmpfs, 0 = kernel default */
	char *source;     /* bind: absolute host path; symlink: the link's text */
	char *target;     /* normalized: absolute, no "." or ".." or "//", no trailing "/" */
	size_t target_len;
	char *data;       /* file contents */
	size_t len;
};

struct nsbox_mount_cfg {
	struct nsbox_mount_op *ops;
	uint32_t n, cap;
	int has_root;
	char *root_dir; /* NULL: a fresh tmpfs */
	uint32_t root_flags;
};

/* The minimal /dev: device nodes bound from the host, and symlinks. */
#define NSBOX_DEV_NODES 6
#define NSBOX_DEV_LINKS 5
extern const char *const nsbox__mount_dev_nodes[NSBOX_DEV_NODES];     /* "null", ... */
extern const char *const nsbox__mount_dev_links[NSBOX_DEV_LINKS][2]; /* name, text */
/* Entries of a new /proc made read-only where they are writable. */
#define NSBOX_PROC_RO 4
extern const char *const nsbox__mount_proc_ro[NSBOX_PROC_RO];

/* One operation as the child runs it. */
struct nsbox_mount_step {
	const struct nsbox_mount_op *op;
	uint32_t number;  /* 1-based number of the nsbox_config_add_* call; 0 = implicit /proc */
	char opts[64];    /* tmpfs mount options */
	int src_fd;       /* bind source opened before the new root is mounted, -1; -2 = missing (TRY) */
	int dev_fds[NSBOX_DEV_NODES];
};

struct nsbox_mount_plan {
	struct nsbox_mount_step *steps;
	uint32_t n;
	struct nsbox_mount_op implicit_proc; /* /proc in the new root (set_mount_proc) */

	int root;             /* build a new root and pivot into it */
	const char *root_dir; /* bind-mounted as the new root; NULL: tmpfs */
	uint32_t root_flags;

	/* buffers for the child (it cannot allocate) */
	char *mem;            /* one allocation holding the four below */
	char *scratch;        /* NSBOX_MOUNT_SCRATCH bytes: the path being resolved */
	char *path2;          /* NSBOX_MOUNT_SCRATCH bytes: a path built from a target */
	char *name;           /* NSBOX_MOUNT_SCRATCH bytes: one component; readlink */
	char *buf;            /* NSBOX_MOUNT_BUF bytes: /proc/self/mountinfo (fallback) */

	/* the child's own state (written only by the child) */
	int procfd;           /* /proc/self/fd, the child's working directory meanwhile */
	int rootfd;           /* what targets are resolved in */
	int cwdfd;            /* working directory to return to (no new root) */
	int no_openat2;       /* ENOSYS seen: walk paths by hand, refusing symlinks */
	int no_setattr;       /* ENOSYS seen: remount by hand */
};

#define NSBOX_MOUNT_SCRATCH 8192
#define NSBOX_MOUNT_BUF 65536

/* With a new root, a tmpfs mounted on NSBOX_MOUNT_STAGING (in the child's
 * own mount namespace) becomes the root while the new one is built: the
 * host's tree is on /NSBOX_MOUNT_OLDROOT, the new root on
 * /NSBOX_MOUNT_NEWROOT. */
#define NSBOX_MOUNT_STAGING "/tmp"
#define NSBOX_MOUNT_NEWROOT "newroot"
#define NSBOX_MOUNT_OLDROOT "oldroot"

/* The child's failure detail: which step, which phase, which sub-item. */
enum nsbox_mount_phase {
	NSBOX_MP_NONE = 0,
	/* of one operation */
	NSBOX_MP_SOURCE,      /* open the bind source */
	NSBOX_MP_TARGET,      /* resolve or create the mount point / parent directory */
	NSBOX_MP_MOUNT,       /* mount(2) */
	NSBOX_MP_ATTR,        /* read-only, nosuid, nodev */
	NSBOX_MP_CREATE,      /* mkdir, symlink, create a file */
	NSBOX_MP_WRITE,       /* write the file's contents */
	NSBOX_MP_EXISTS,      /* a symlink with other contents is there */
	NSBOX_MP_DEV_NODE,    /* item: nsbox__mount_dev_nodes[] */
	NSBOX_MP_DEV_LINK,    /* item: nsbox__mount_dev_links[] */
	NSBOX_MP_DEV_PTS,
	NSBOX_MP_DEV_SHM,
	NSBOX_MP_PROC_RO,     /* item: nsbox__mount_proc_ro[] */
	/* of the whole (step 0) */
	NSBOX_MP_PROCFD,      /* open /proc/self/fd */
	NSBOX_MP_CWD,         /* open or return to the working directory */
	NSBOX_MP_ROOT_DIR,    /* open the caller's root directory */
	NSBOX_MP_STAGE,       /* the staging tmpfs on /tmp, pivot_root into it */
	NSBOX_MP_ROOT_MOUNT,  /* mount the new root on the staging directory */
	NSBOX_MP_ROOT_OPEN,   /* open the new root */
	NSBOX_MP_ROOT_RO,     /* make the new root read-only */
	NSBOX_MP_PIVOT,       /* pivot_root(".", ".") */
	NSBOX_MP_DETACH,      /* umount2(".", MNT_DETACH) of the old root */
	NSBOX_MP_MAX
};

#define NSBOX_MOUNT_DETAIL(step, item, phase) ((int)(((uint32_t)(step) << 13) | ((uint32_t)(item) << 5) | (uint32_t)(phase)))
#define NSBOX_MOUNT_DETAIL_STEP(d) ((uint32_t)(d) >> 13)
#define NSBOX_MOUNT_DETAIL_ITEM(d) (((uint32_t)(d) >> 5) & 0xff)
#define NSBOX_MOUNT_DETAIL_PHASE(d) ((uint32_t)(d) & 0x1f)

#endif
