/* SPDX-License-Identifier: MIT
 * Credentials and confinement: private structs of creds.c / creds-child.c. */
#ifndef NSBOX_CREDS_H
#define NSBOX_CREDS_H

#include <stdint.h>
#include <linux/filter.h>

#include "nsbox-private.h"

#define NSBOX_GROUPS_MAX 65536
#define NSBOX_BPF_MAX 4096

/* Setters write here; the child reads the same struct through the plan
 * (the configuration outlives the spawn, and a fork-style child has a copy). */
struct nsbox_creds_cfg {
	int has_ids;
	uint32_t uid, gid;
	int has_groups;
	uint32_t *groups;
	uint32_t n_groups;
	int has_caps;
	uint64_t keep;
	int nnp;
	struct sock_filter *filter;
	uint32_t n_filter;
};

struct nsbox_creds_plan {
	const struct nsbox_creds_cfg *c;
	int last_cap;
	int nnp; /* asked for, or implied by the filter */
	struct sock_fprog prog;
};

/* Steps of the child, for the error message (detail). */
enum {
	NSBOX_CREDS_SETGROUPS = 1,
	NSBOX_CREDS_SETRESGID,
	NSBOX_CREDS_SETRESUID,
	NSBOX_CREDS_BOUNDING,
	NSBOX_CREDS_CAPSET,
	NSBOX_CREDS_AMBIENT,
	NSBOX_CREDS_KEEPCAPS,
	NSBOX_CREDS_NNP,
	NSBOX_CREDS_SECCOMP,
};

#endif
