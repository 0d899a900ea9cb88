/* What kind of program a command is, for deciding whether LD_PRELOAD reaches it. */
#ifndef KSHIM_EXEC_H
#define KSHIM_EXEC_H

#include <stddef.h>

#include "error.h"

enum exec_kind { EXEC_DYNAMIC, EXEC_STATIC, EXEC_GO, EXEC_OTHER };

/* Finds cmd on PATH as execvp would; fills path. */
int exec_find(const char *cmd, char *path, size_t len, kshim_err_t *err);
/* Classifies the ELF file at path, following a #! line to its interpreter. */
int exec_kind(const char *path, enum exec_kind *kind, char *real, size_t len, kshim_err_t *err);
/* Refuses programs the shim cannot reach; warns about setuid ones. */
int exec_check_preloadable(const char *cmd, kshim_err_t *err);

#endif
