/* SPDX-License-Identifier: MIT */
#include "nsbox-private.h"

NSBOX_EXPORT const char *nsbox_version(void)
{
	return NSBOX_VERSION_STRING;
}
