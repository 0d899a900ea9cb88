/* SPDX-License-Identifier: Apache-2.0 */
/* For the shim's test programs: replace a table file atomically, as the
 * launcher does (temporary file, chmod, rename). */
#ifndef KSHIM_TEST_PUT_TABLE_H
#define KSHIM_TEST_PUT_TABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline void
put_table(const char *path, const char *text, mode_t mode)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || chmod(tmp, mode) < 0 ||
	    rename(tmp, path) < 0) {
		perror(tmp);
		exit(2);
	}
}

#endif
