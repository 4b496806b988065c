/*
 * ct-helpers.h - helpers of the creds / cgroup / time suites (tests/creds/).
 *
 * SPDX-License-Identifier: MIT
 *
 * The generic helpers (start-up and skips, NT_* assertions, forked test
 * children, the no-leak snapshot, payload I/O, files under /proc) are the
 * shared ones of tests/helpers.h. What lives here is specific to these
 * suites:
 *  - the payload program ct-payload (see ct-payload.c), copied to a
 *    world-readable temporary directory so that any uid can execute it,
 *    spawned, read and ended (struct ct_live);
 *  - a spawn that must fail and leave nothing behind;
 *  - outside views of credentials: fields of /proc/PID/status and the
 *    capability sets of this kernel.
 */
#ifndef NSBOX_CT_HELPERS_H
#define NSBOX_CT_HELPERS_H

#include <stdint.h>
#include <sys/types.h>

#include "helpers.h"
#include "nsbox.h"

/* ---- start-up ---- */

/* nt_init(), then skip under valgrind (the library's exec payloads share
 * the parent's memory until execve, which valgrind cannot emulate) and copy
 * the payload program where every uid may run it. */
void ct_init(void);

/* ---- forked test children ---- */

/* nt_drop_privileges(), and the permitted set must be empty as well. */
void ct_drop_privileges(void);

/* ---- payloads ---- */

/*
 * Make @cfg exec ct-payload with the commands in @cmds (NULL-terminated),
 * its report fd being the write end of a new pipe. *rd gets the read end
 * (O_CLOEXEC), *wr the write end (inherited by the payload): close *wr
 * after nsbox_spawn().
 */
void ct_cfg_payload(nsbox_config *cfg, int *rd, int *wr, const char *const *cmds);
/* nsbox_spawn (must succeed), close @wr (unless -1); the payload's handle. */
nsbox_proc *ct_spawn(nsbox_config *cfg, int wr);

/* A running payload: its handle, its pid and the read end of its report
 * pipe. */
struct ct_live {
	nsbox_proc *proc;
	pid_t pid;
	int rd;
};
/* ct_cfg_payload + ct_spawn: @cfg runs ct-payload with @cmds. */
void ct_live_spawn(struct ct_live *l, nsbox_config *cfg, const char *const *cmds);
/* The payload most tests look at from outside: it says "ready" (read
 * here), then waits to be killed. Returns its pid. */
pid_t ct_live_ready(struct ct_live *l, nsbox_config *cfg);
/* Kill (if still running), reap and free it, close its pipe; returns the
 * wait status. */
int ct_live_end(struct ct_live *l);
/* A spawn of @cfg that must fail with @err (a negative errno), return no
 * handle and leave nothing behind (NT_SNAP_CHECK); nsbox_last_error() must
 * then mention @needle, unless it is NULL. */
void ct_expect_spawn_fails(nsbox_config *cfg, int err, const char *needle);
/* 1 if @fd has data or EOF within @ms milliseconds. */
int ct_readable(int fd, int ms);

/* ---- outside views ---- */

/* The value of "@field:" in /proc/PID/status (tabs trimmed); must exist. */
void ct_status(pid_t pid, const char *field, char *out, size_t size);
/* A hexadecimal status field (CapEff...). */
uint64_t ct_status_hex(pid_t pid, const char *field);
/* A decimal status field's first number (NoNewPrivs, Seccomp...). */
long ct_status_long(pid_t pid, const char *field);
/* The all-capabilities mask of this kernel (cap_last_cap). */
uint64_t ct_full_caps(void);
int ct_cap_last(void);

#endif
