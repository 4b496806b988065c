/* SPDX-License-Identifier: MIT
 * Feature module "process" (lib/process.c, lib/process-child.c): settings
 * kept in the config, and the plan the child reads. Nothing here is ABI. */
#ifndef NSBOX_PROCESS_H
#define NSBOX_PROCESS_H

#include <stdint.h>
#include <sys/types.h>

#include "nsbox-private.h"

/* ---- settings (behind cfg->process) ---- */

struct nsbox_env_change {
	char *name;
	char *value; /* NULL: unset */
};

struct nsbox_fd_action {
	int32_t parent_fd, child_fd;
};

struct nsbox_rlimit_setting {
	uint32_t resource; /* NSBOX_RLIMIT_* */
	uint64_t soft, hard;
};

struct nsbox_process_cfg {
	int32_t init;
	int32_t die_with_parent;
	uint32_t session;
	char *cwd;
	int clearenv;
	struct nsbox_env_change *env;
	uint32_t n_env;
	struct nsbox_fd_action *fds;
	uint32_t n_fds;
	int32_t close_fds;
	struct nsbox_rlimit_setting *rlimits;
	uint32_t n_rlimits;
	int has_mask;
	uint64_t mask;
	int32_t signal_reset;
};

/* ---- plan (behind p->process): prepared by the parent, read by the child ---- */

/* The kernel's struct rlimit64 for prlimit64(2). */
struct nsbox_k_rlimit64 {
	uint64_t cur, max;
};

struct nsbox_process_plan {
	int init;
	int supervise; /* the init is a supervisor: it forwards every signal and
	                * dies the way the payload died */
	int die_with_parent;
	pid_t parent_pid;  /* fallback check when pidfd_open(2) is missing */
	int parent_pidfd;  /* the caller's copy, closed by nsbox__process_plan_free */
	int child_pidfd;   /* the child's view of it (it may move it) */
	uint32_t session;

	uint32_t n_rlimits;
	unsigned *rl_kernel;               /* kernel RLIMIT_ number of each */
	struct nsbox_k_rlimit64 *rl_value; /* soft, hard of each */

	uint32_t n_fds;
	struct nsbox_fd_action *fds; /* in the order they were added */
	int *fd_tmp;                 /* child scratch: where a source was moved, or -1 */
	int *targets;                /* every child_fd, sorted */
	int close_fds;

	const char *cwd;

	int has_mask;
	uint64_t mask;
	int signal_reset;

	int env_set;        /* envp below replaces p->envp (and environ for a callback) */
	char **envp;
	char **env_strings; /* "NAME=VALUE" strings we allocated */
	uint32_t n_env_strings;
};

/* Where a child failure happened: the high byte of the detail, the index of
 * the entry in the low 24 bits. */
enum nsbox_process_what {
	NSBOX_PROC_PDEATHSIG = 1,
	NSBOX_PROC_PIDFD_POLL,
	NSBOX_PROC_SESSION,
	NSBOX_PROC_RLIMIT,
	NSBOX_PROC_FD_MOVE,  /* moving a descriptor out of the way (index: action) */
	NSBOX_PROC_FD_LIB,   /* moving the library's own descriptor */
	NSBOX_PROC_FD_DUP,   /* dup2 of an action */
	NSBOX_PROC_FD_KEEP,  /* clearing close-on-exec of a kept descriptor */
	NSBOX_PROC_CLOSE_FDS,
	NSBOX_PROC_CWD,
	NSBOX_PROC_INIT_SIGCHLD,
	NSBOX_PROC_INIT_CLONE,
	NSBOX_PROC_SIGNAL_RESET, /* index: the signal */
};
#define NSBOX_PROC_DETAIL(what, index) ((int)(((unsigned)(what) << 24) | ((unsigned)(index) & 0xffffffu)))
#define NSBOX_PROC_DETAIL_WHAT(d) ((int)(((unsigned)(d) >> 24) & 0xffu))
#define NSBOX_PROC_DETAIL_INDEX(d) ((int)((unsigned)(d) & 0xffffffu))

#endif
