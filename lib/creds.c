/* SPDX-License-Identifier: MIT
 * Feature module "creds": placeholder until the module is written (issue 3).
 * Nothing here is public yet; every hook is a no-op. */
#include <errno.h>

#include "nsbox-private.h"

void nsbox__creds_cfg_free(struct nsbox_creds_cfg *c)
{
	(void)c;
}

int nsbox__creds_validate(const nsbox_config *cfg)
{
	(void)cfg;
	return 0;
}

int nsbox__creds_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	(void)cfg;
	(void)p;
	return 0;
}

void nsbox__creds_plan_free(struct nsbox_plan *p)
{
	(void)p;
}

int nsbox__creds_parent(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	(void)p;
	(void)pid;
	(void)pidfd;
	return 0;
}

int nsbox__creds_child_error(const struct nsbox_plan *p, int err, int detail)
{
	(void)p;
	(void)detail;
	return nsbox__fail_sys(-err, "child: creds");
}
