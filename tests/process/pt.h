/*
 * pt.h - helpers of the process suite (tests/process) on top of
 * tests/helpers.h: configurations with the caller mapped to root when they
 * make a user namespace, a bounded wait, and outside views of a payload
 * (/proc/PID/status fields, session ids, descriptor table, children).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NSBOX_PT_H
#define NSBOX_PT_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "helpers.h"

/* A libnsbox call that must return exactly 0, its documented success value
 * (NT_OK accepts any value >= 0). */
#define PT_OK(call) NT_ASSERT_INT((call), ==, 0)

/* NT_SNAP_CHECK without its /proc/self/maps comparison, for a test whose
 * configurations take megabytes of heap (65536 environment changes or fd
 * actions): in a forked Check test, the brk heap grown past what the parent
 * had is a second [heap] mapping (the kernel does not merge it with the
 * inherited one), and nt_snap_check counts the lines. */
#define PT_SNAP_CHECK_BIG_HEAP(s)                                                                 \
	do {                                                                                      \
		free((s)->maps);                                                                  \
		(s)->maps = NULL;                                                                 \
		NT_SNAP_CHECK(s);                                                                 \
	} while (0)

/* nt_cfg(@ns), with the caller mapped to root when @ns has a user namespace. */
nsbox_config *pt_cfg(uint32_t ns);
/* pt_cfg(@ns) running argv[0] with argv (no pipe). */
nsbox_config *pt_cfg_exec(uint32_t ns, const char *const *argv);
/* A live payload: /bin/sleep 30. */
nsbox_config *pt_cfg_sleep(uint32_t ns);
/* nsbox_spawn, which must return 0. */
nsbox_proc *pt_spawn(nsbox_config *cfg);
/* Wait (nsbox_proc_wait must return 0) and free, like nt_wait_free but
 * within 20 s: a process still running then is killed and fails the test. */
int pt_wait_free(nsbox_proc *proc);

/* nt_read_file of /proc/PID/NAME (pid 0: self): the length (NULs of the
 * file kept) or -errno, for files that may be gone. */
ssize_t pt_proc_read(pid_t pid, const char *name, char *buf, size_t size);
/* The value after "Key:" in /proc/PID/status, whitespace-trimmed. */
void pt_status_field(pid_t pid, const char *key, char *out, size_t size);
/* Fields 5 (pgrp) and 6 (session) of /proc/PID/stat, and the state. */
void pt_stat_ids(pid_t pid, char *state, long *pgrp, long *session);
/* The sorted open fds of /proc/PID/fd as "0 1 2 5". */
void pt_fd_list(pid_t pid, char *out, size_t size);
/* readlink /proc/PID/fd/FD (pid 0: self). */
void pt_fd_target(pid_t pid, int fd, char *out, size_t size);
/* /proc/PID/task/PID/children: up to max pids; returns the count. */
int pt_children(pid_t pid, long *pids, int max);
/* Wait (up to 5 s) until pid sleeps in clock_nanosleep/nanosleep, i.e. the
 * /bin/sleep payload has finished execve: the parent of a vfork-style spawn
 * may run again before the kernel has closed the close-on-exec descriptors
 * and reset the signal handlers. */
void pt_wait_sleeping(pid_t pid);
/* Whether pid is gone or a zombie. */
int pt_dead(pid_t pid);
/* Whether pid is gone or a zombie within @ms milliseconds. */
int pt_dead_within(pid_t pid, long ms);
long pt_now_ms(void);

#endif
