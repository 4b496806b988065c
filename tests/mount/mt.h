/*
 * mt.h - what the mount feature's Check suites (tests/mount/) need beyond
 * the shared helpers of tests/helpers.h (nt_*, NT_*): a new root holding
 * enough for /bin/sh, shell payloads whose stderr comes back with their
 * stdout, spawns that must fail cleanly, host temporary directories, and
 * /proc/PID/mountinfo parsed from outside the child.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NSBOX_MT_H
#define NSBOX_MT_H

#include "helpers.h"

/* Whether uid NT_UNPRIV_ID can create a user and a mount namespace; when
 * not, 0 with the reason in @why. */
int mt_userns_available(char *why, size_t size);

/* ---- payloads ---- */
/* New root pieces enough for /bin/sh: read-only /usr and the merged-/usr
 * symlinks (bin, sbin, lib, lib32, lib64, libx32 where the host has them). */
void mt_min_root(nsbox_config *cfg);
/* nt_spawn_sh() with the payload's stderr on the same pipe as its stdout:
 * the tests read the kernel's refusals ("Read-only file system"...). */
nsbox_proc *mt_start(nsbox_config *cfg, int *rd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* mt_start(), then read to EOF into @out and reap; returns the wait status. */
int mt_run_sh(nsbox_config *cfg, char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Read lines up to the line "ready" (which must come) into @buf, each
 * ending with '\n', "ready" left out. */
void mt_read_until_ready(int fd, char *buf, size_t size);
/* nsbox_spawn() of /bin/true must return @err, no process, a last error
 * containing @msg, and leave no fd, child or signal state behind. */
void mt_spawn_fails(nsbox_config *cfg, int err, const char *msg);

/* ---- host files ---- */
/* mkdtemp under /tmp, mode 0755; the path is malloc'd. */
char *mt_tmpdir(void);
/* rm -rf @dir (without crossing mount points), then free(@dir). */
void mt_tmpdir_remove(char *dir);
/* Create (or truncate) @path with @text; asserts success. */
void mt_write(const char *path, const char *text);
/* Whether @path exists (lstat). */
int mt_exists(const char *path);

/* ---- mountinfo ---- */
struct mt_mount {
	char point[512];  /* mount point, unescaped */
	char root[512];   /* root of the mount within its file system */
	char opts[256];   /* per-mount options (rw,nosuid,...) */
	char fstype[64];
	char super[512];  /* super block options */
};
/* Parse /proc/PID/mountinfo (pid 0: self) into a malloc'd array; its
 * length in *@n. */
struct mt_mount *mt_mounts(pid_t pid, int *n);
/* The last (top) mount on @point, or NULL. */
const struct mt_mount *mt_find(const struct mt_mount *m, int n, const char *point);
/* Whether the comma-separated @opts holds @opt exactly. */
int mt_has_opt(const char *opts, const char *opt);

#endif
