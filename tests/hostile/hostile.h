/*
 * hostile.h - helpers shared by the hostile-host suites (tests/hostile/).
 *
 * SPDX-License-Identifier: MIT
 *
 * On top of tests/helpers.h: outside views of a payload's signal state and
 * descriptor table, the helper payload program, and configurations that
 * select each of the library's spawn modes.
 *
 * Functions without NT_ASSERT inside (hx_fds, hx_sigfield, hx_wait_gone) are
 * safe to call from threads of the test; the others assert.
 */
#ifndef NSBOX_TEST_HOSTILE_H
#define NSBOX_TEST_HOSTILE_H

#include <stdint.h>
#include <sys/types.h>

#include "helpers.h"

/* The configurations that take each of the library's ways to make a child. */
enum hx_kind {
	HX_EXEC_PLAIN,     /* exec, no namespace: CLONE_VM|CLONE_VFORK */
	HX_EXEC_USER_ROOT, /* exec, user+uts, caller mapped to root: the child writes its maps */
	HX_EXEC_MULTIMAP,  /* exec, user, two-line maps: the parent writes them while the child waits */
	HX_EXEC_PID_UTS,   /* exec, pid+uts with a hostname */
	HX_EXEC_FORK,      /* exec, uts, NSBOX_SPAWN_FORK: own copy of memory */
	HX_CALLBACK,       /* callback, no namespace: nothing to report, no pipe */
	HX_CALLBACK_NS,    /* callback, pid+uts with a hostname */
	HX_KIND_MAX
};
const char *hx_kind_name(enum hx_kind k);
/* Namespaces and maps of @k on a new config (no payload yet). */
nsbox_config *hx_cfg(enum hx_kind k);
/* The same, on the clone(2) path (NSBOX_SPAWN_NO_CLONE3) when @no_clone3:
 * there the library, not CLONE_CLEAR_SIGHAND, resets the caught signals. */
nsbox_config *hx_cfg_path(enum hx_kind k, int no_clone3);
/* 1 for the callback kinds. */
int hx_is_callback(enum hx_kind k);

/* Start main() of the hostile suite @name: nt_init, skip (nt_skip) under
 * valgrind and when not root, fail without the helper payload (hx_payload);
 * returns the new Suite @name. */
Suite *hx_suite_start(const char *name);
/* A test case of @s (nt_tcase) with the suites' timeout of 120 s. */
TCase *hx_tcase(Suite *s, const char *name);

/* Path of the helper payload program (hostile-payload), from the
 * environment that meson sets. Modes:
 *   pause                   block forever (until killed)
 *   exit-after MS CODE      sleep MS milliseconds, exit CODE
 *   touch PATH              create PATH, exit 0
 */
const char *hx_payload(void);
/* Make @cfg execute the helper payload with up to three arguments (NULL ends). */
void hx_set_payload(nsbox_config *cfg, const char *a1, const char *a2, const char *a3);
/* The payload of kind @k: the callback @fn for the callback kinds, else the
 * helper payload with @a1..@a3 (any other value of @k counts as exec). */
void hx_set_kind_payload(nsbox_config *cfg, enum hx_kind k, int (*fn)(void *), const char *a1, const char *a2,
                         const char *a3);
/* nt_finish of a payload that was still running: it must die of the
 * SIGKILL; @what names it in the message. */
void hx_finish_killed(nsbox_proc *p, const char *what);

/* Open descriptors of @pid (0: self, leaving out the one used to read the
 * directory), sorted, at most @max. Returns the count or -errno. */
int hx_fds(pid_t pid, int *fds, int max);
/* "3 4 7" for messages. */
const char *hx_fds_str(const int *fds, int n, char *buf, size_t size);
/* A hexadecimal field of /proc/PID/status such as "SigBlk" into *@v;
 * returns 0 or -1 (no such process or field). */
int hx_sigfield(pid_t pid, const char *field, uint64_t *v);
/* Wait until @pid is gone (kill(pid, 0) fails with ESRCH, so also reaped),
 * up to @ms milliseconds; returns 1 when gone. */
int hx_wait_gone(pid_t pid, int ms);
/* Milliseconds on the monotonic clock. */
long hx_now_ms(void);

#endif
