/* SPDX-License-Identifier: MIT
 * Per-thread description of the last failure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nsbox-private.h"

static __thread char last_error[512];

const char *nsbox__strerror(int errnum, char *buf, size_t len)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(errnum, buf, len);
#else
	if (strerror_r(errnum, buf, len) != 0)
		snprintf(buf, len, "error %d", errnum);
	return buf;
#endif
}

int nsbox__fail(int err, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = saved;
	return err;
}

int nsbox__fail_sys(int err, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	char ebuf[128];
	size_t n;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	n = strlen(last_error);
	snprintf(last_error + n, sizeof(last_error) - n, ": %s", nsbox__strerror(-err, ebuf, sizeof(ebuf)));
	errno = saved;
	return err;
}

NSBOX_EXPORT const char *nsbox_last_error(void)
{
	return last_error;
}
