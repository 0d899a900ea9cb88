/* SPDX-License-Identifier: Apache-2.0 */
/* The error record: cause, code and hint, filled on the way up and printed once by main. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
kshim_fail(kshim_err_t *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->http_status = 0;
	err->hint[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
kshim_hint(kshim_err_t *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
	return -1;
}

int
kshim_wrap(kshim_err_t *err, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, room;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	room = sizeof(err->msg) - plen - 3;
	err->msg[room] = '\0';
	memmove(err->msg + plen + 2, err->msg, strlen(err->msg) + 1);
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, ": ", 2);
	return -1;
}

void
kshim_err_print(const kshim_err_t *err)
{
	fprintf(stderr, "kshim: %s\n", err->msg[0] ? err->msg : "unknown error");
	if (err->hint[0])
		fprintf(stderr, "hint: %s\n", err->hint);
}

int
kshim_debugging(void)
{
	const char *d = getenv("KSHIM_DEBUG");

	return d && *d && strcmp(d, "0") != 0;
}
