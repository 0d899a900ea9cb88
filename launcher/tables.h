/* The launcher's view of the table directory. */
#ifndef KSHIM_TABLES_H
#define KSHIM_TABLES_H

#include <stdint.h>

#include "kshim/error.h"
#include "kshim/table.h"

/* The lowest block 127.77.B.0/24 (B >= 1) that no table in the directory uses
 * except the one at skip (may be NULL); *base is 127.77.B.0. */
int tables_free_block(const char *skip, uint32_t *base, kshim_err_t *err);

/* Loads a table, failing on an unreadable file and on any malformed line. */
int tables_load_strict(const char *path, struct kshim_table *t, kshim_err_t *err);

/* The table path a command should use: --table, else $KSHIM_TABLE, else the
 * cluster's table. Fails with a hint when that file does not exist. */
int tables_resolve(const char *table, const char *cluster, char *path, size_t len,
		   kshim_err_t *err);

#endif
