/* SPDX-License-Identifier: MIT
 * Feature module "mount": placeholder until the module is written (issue 3).
 * Nothing here is public yet; every hook is a no-op. */
#include <errno.h>

#include "nsbox-private.h"

void nsbox__mount_cfg_free(struct nsbox_mount_cfg *c)
{
	(void)c;
}

int nsbox__mount_validate(const nsbox_config *cfg)
{
	(void)cfg;
	return 0;
}

int nsbox__mount_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	(void)cfg;
	(void)p;
	return 0;
}

void nsbox__mount_plan_free(struct nsbox_plan *p)
{
	(void)p;
}

int nsbox__mount_parent(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	(void)p;
	(void)pid;
	(void)pidfd;
	return 0;
}

int nsbox__mount_child_error(const struct nsbox_plan *p, int err, int detail)
{
	(void)p;
	(void)detail;
	return nsbox__fail_sys(-err, "child: mount");
}
