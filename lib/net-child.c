/* SPDX-License-Identifier: MIT
 * Feature module "net": child side, placeholder until the module is written (issue 3).
 * Runs between clone and execve: raw system calls only (see child.c).
 * Nothing here is public yet; every hook is a no-op. */
#include <errno.h>

#include "nsbox-private.h"

int nsbox__net_child(struct nsbox_plan *p, int *detail)
{
	(void)p;
	(void)detail;
	return 0;
}
