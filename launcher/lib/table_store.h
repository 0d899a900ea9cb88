/* SPDX-License-Identifier: Apache-2.0 */
/* The launcher's view of the table directory. */
#ifndef KSHIM_TABLE_STORE_H
#define KSHIM_TABLE_STORE_H

#include <stdint.h>

#include "error.h"
#include "kshim/table.h"

/* The loopback block 127.77.B.0/24 for the table at path: the one it already
 * uses, so that rewriting a table never moves a name clients may have cached,
 * else the lowest B >= 1 no other table in the directory uses. *base is
 * 127.77.B.0. path may be NULL for a table not yet named. */
int table_store_block(const char *path, uint32_t *base, kshim_err_t *err);

/* Loads a table, failing on an unreadable file and on any malformed line. */
int table_store_load_strict(const char *path, struct kshim_table *t, kshim_err_t *err);

/* The table path a command should use: --table, else $KSHIM_TABLE, else the
 * cluster's table. Fails with a hint when that file does not exist. */
int table_store_resolve(const char *table, const char *cluster, char *path, size_t len,
			kshim_err_t *err);

#endif
