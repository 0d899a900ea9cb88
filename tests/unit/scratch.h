/* SPDX-License-Identifier: Apache-2.0 */
/* A scratch directory for a unit test's files: made under /tmp, filled with
 * scratch_put, removed by scratch_remove. */
#ifndef KSHIM_TEST_SCRATCH_H
#define KSHIM_TEST_SCRATCH_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* The directory's absolute path, without symbolic links. */
static char scratch[PATH_MAX];

/* Makes /tmp/kshim-<name>.XXXXXX; 0 on success. */
static inline int
scratch_make(const char *name)
{
	char tmpl[128];

	snprintf(tmpl, sizeof(tmpl), "/tmp/kshim-%s.XXXXXX", name);
	return mkdtemp(tmpl) && realpath(tmpl, scratch) ? 0 : -1;
}

/* Writes text to <scratch>/<rel> with mode. */
static inline void
scratch_put(const char *rel, const char *text, mode_t mode)
{
	char path[2 * PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

/* Removes the directory; 0 when it is gone. */
static inline int
scratch_remove(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd);
}

#endif
