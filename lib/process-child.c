/* SPDX-License-Identifier: MIT
 * Feature module "process": child side, placeholder until the module is written (issue 3).
 * Runs between clone and execve: raw system calls only (see child.c).
 * Nothing here is public yet; every hook is a no-op. */
#include <errno.h>

#include "nsbox-private.h"

int nsbox__process_child(struct nsbox_plan *p, int *detail)
{
	(void)p;
	(void)detail;
	return 0;
}

int nsbox__process_child_early(struct nsbox_plan *p, int *detail)
{
	(void)p;
	(void)detail;
	return 0;
}

int nsbox__process_child_late(struct nsbox_plan *p, int *detail)
{
	(void)p;
	(void)detail;
	return 0;
}
