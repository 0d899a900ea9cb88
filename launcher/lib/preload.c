/* SPDX-License-Identifier: Apache-2.0 */
/* LD_PRELOAD and KSHIM_TABLE for a program that is to load the shim. */
#include "preload.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"

static int
already_listed(const char *list, const char *lib)
{
	size_t n = strlen(lib);

	for (const char *p = list; (p = strstr(p, lib)); p += n)
		if ((p == list || p[-1] == ':' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ':' || p[n] == ' '))
			return 1;
	return 0;
}

int
preload_value(char *buf, size_t len, kshim_err_t *err)
{
	char lib[PATH_MAX];
	const char *old = getenv("LD_PRELOAD");
	int n;

	if (kshim_lib_path("libkshim.so", lib, sizeof(lib), err) < 0)
		return -1;
	/* The loader splits LD_PRELOAD at spaces and colons and has no quoting: such
	 * a path would load nothing, with only a loader warning, and exit 0. */
	if (strpbrk(lib, " :\t\n")) {
		kshim_fail(
		    err, EINVAL,
		    "the shim's path '%s' has a space or a colon, which LD_PRELOAD cannot hold",
		    lib);
		return kshim_hint(err, "install kshim under a path without spaces or colons "
				       "(make install PREFIX=...)");
	}
	if (old && *old && !already_listed(old, lib))
		n = snprintf(buf, len, "%s:%s", lib, old);
	else
		n = snprintf(buf, len, "%s", old && *old ? old : lib);
	if (n < 0 || (size_t)n >= len)
		return kshim_fail(err, E2BIG, "LD_PRELOAD would be too long");
	return 0;
}

int
preload_setenv(const char *table, kshim_err_t *err)
{
	char value[PATH_MAX * 4];

	if (preload_value(value, sizeof(value), err) < 0)
		return -1;
	if (setenv("LD_PRELOAD", value, 1) < 0 || setenv("KSHIM_TABLE", table, 1) < 0)
		return kshim_fail(err, errno, "setenv: %s", strerror(errno));
	return 0;
}
