/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's copy of the port table, re-read when the file changes. */
#ifndef KSHIM_SECCOMP_TABLE_H
#define KSHIM_SECCOMP_TABLE_H

#include <limits.h>
#include <sys/stat.h>

#include "kshim/table.h"

struct seccomp_table {
	char path[PATH_MAX];
	struct kshim_table t;
	struct stat id;	     /* identity of the loaded file */
	int state;	     /* 0 never looked, 1 loaded, -1 unusable */
	long last_check;     /* CLOCK_MONOTONIC_COARSE, ns; 0 never */
	unsigned generation; /* bumped whenever t changes */
};

void seccomp_table_init(struct seccomp_table *st, const char *path);
/* Looks at the file at most every 100 ms and reloads it when it changed, by
 * the shim's rules: a transient failure keeps the last good table; a file
 * that is untrusted, not regular, too big or headerless leaves an empty one. */
void seccomp_table_refresh(struct seccomp_table *st);
void seccomp_table_free(struct seccomp_table *st);

#endif
