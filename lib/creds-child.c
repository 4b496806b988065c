/* SPDX-License-Identifier: MIT
 * Credentials and confinement, child side: raw system calls only (see
 * child.c). Order: groups, bounding set, gid, uid (keeping capabilities
 * across the uid change when some are to be kept), the other capability
 * sets, no_new_privs; the
 * seccomp filter comes last, just before execve. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/seccomp.h>

#include "creds.h"

int nsbox__creds_child(struct nsbox_plan *p, int *detail)
{
	const struct nsbox_creds_plan *cp = p->creds;
	const struct nsbox_creds_cfg *c;
	int keepcaps = 0;
	long r;

	if (!cp)
		return 0;
	c = cp->c;
	if (c->has_groups) {
		*detail = NSBOX_CREDS_SETGROUPS;
		if ((r = NSBOX_SYS2(__NR_setgroups, c->n_groups, c->groups)) < 0)
			return (int)r;
	}
	/* The bounding set needs CAP_SETPCAP: shrink it while we still have
	 * every capability, before the uid changes. */
	if (c->has_caps) {
		*detail = NSBOX_CREDS_BOUNDING;
		for (int cap = 0; cap <= cp->last_cap; cap++)
			if (!((c->keep >> cap) & 1) && (r = NSBOX_SYS2(__NR_prctl, PR_CAPBSET_DROP, cap)) < 0)
				return (int)r;
	}
	if (c->has_ids) {
		if (c->has_caps && c->uid != 0) {
			*detail = NSBOX_CREDS_KEEPCAPS;
			if ((r = NSBOX_SYS2(__NR_prctl, PR_SET_KEEPCAPS, 1)) < 0)
				return (int)r;
			keepcaps = 1;
		}
		*detail = NSBOX_CREDS_SETRESGID;
		if ((r = NSBOX_SYS3(__NR_setresgid, c->gid, c->gid, c->gid)) < 0)
			return (int)r;
		*detail = NSBOX_CREDS_SETRESUID;
		if ((r = NSBOX_SYS3(__NR_setresuid, c->uid, c->uid, c->uid)) < 0)
			return (int)r;
	}
	if (c->has_caps) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];

		d[0].effective = d[0].permitted = d[0].inheritable = (uint32_t)c->keep;
		d[1].effective = d[1].permitted = d[1].inheritable = (uint32_t)(c->keep >> 32);
		*detail = NSBOX_CREDS_CAPSET;
		if ((r = NSBOX_SYS2(__NR_capset, &h, d)) < 0)
			return (int)r;
		*detail = NSBOX_CREDS_AMBIENT;
		if ((r = NSBOX_SYS5(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)) < 0)
			return (int)r;
		for (int cap = 0; cap <= cp->last_cap; cap++)
			if (((c->keep >> cap) & 1) &&
			    (r = NSBOX_SYS5(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0)) < 0)
				return (int)r;
		if (keepcaps) {
			*detail = NSBOX_CREDS_KEEPCAPS;
			if ((r = NSBOX_SYS2(__NR_prctl, PR_SET_KEEPCAPS, 0)) < 0)
				return (int)r;
		}
	}
	if (cp->nnp) {
		*detail = NSBOX_CREDS_NNP;
		if ((r = NSBOX_SYS5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
			return (int)r;
	}
	return 0;
}

int nsbox__creds_seccomp(struct nsbox_plan *p, int *detail)
{
	const struct nsbox_creds_plan *cp = p->creds;
	long r;

	if (!cp || !cp->prog.len)
		return 0;
	*detail = NSBOX_CREDS_SECCOMP;
	r = NSBOX_SYS3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &cp->prog);
	return r < 0 ? (int)r : 0;
}
