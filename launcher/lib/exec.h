/* SPDX-License-Identifier: Apache-2.0 */
/* What kind of program a command is, for deciding whether LD_PRELOAD reaches it. */
#ifndef KSHIM_EXEC_H
#define KSHIM_EXEC_H

#include <limits.h>
#include <stddef.h>

#include "error.h"

enum exec_kind { EXEC_DYNAMIC, EXEC_STATIC, EXEC_GO, EXEC_OTHER };

/* Finds cmd on PATH as execvp would; fills path. */
int exec_find(const char *cmd, char *path, size_t len, kshim_err_t *err);
/* Classifies the ELF file at path, following a #! line to its interpreter. */
int exec_kind(const char *path, enum exec_kind *kind, char *real, size_t len, kshim_err_t *err);
struct exec_info {
	char path[PATH_MAX]; /* found on PATH */
	char real[PATH_MAX]; /* the ELF file, after #! lines */
	enum exec_kind kind;
	int changes_ids; /* set-user-ID or set-group-ID to an id not ours */
};

/* Finds and classifies cmd. */
int exec_inspect(const char *cmd, struct exec_info *info, kshim_err_t *err);
/* Refuses programs the shim cannot reach; warns about setuid ones. */
int exec_check_preloadable(const struct exec_info *info, kshim_err_t *err);
/* Refuses set-ID programs: no_new_privs keeps exec from changing ids. */
int exec_check_supervisable(const struct exec_info *info, kshim_err_t *err);

#endif
