/* SPDX-License-Identifier: Apache-2.0 */
/* Where kshim keeps its tables and finds its shim library. */
#ifndef KSHIM_PATHS_H
#define KSHIM_PATHS_H

#include <stddef.h>

#include "error.h"

#define KSHIM_DEFAULT_CLUSTER "kshim"

/* The table directory: $KSHIM_HOME, else $XDG_RUNTIME_DIR/kshim, else
 * $HOME/.local/state/kshim. Created with mode 0700 when create is set;
 * refused if it exists with group or other access. */
int kshim_table_dir(char *buf, size_t len, int create, kshim_err_t *err);
/* <table dir>/<cluster>.table */
int kshim_table_path(const char *cluster, char *buf, size_t len, int create, kshim_err_t *err);
/* <table dir>/<cluster><suffix>: a file kept beside the cluster's table
 * (".attached", ".engine"). */
int kshim_cluster_file(const char *cluster, const char *suffix, char *buf, size_t len, int create,
		       kshim_err_t *err);
/* <table dir>/run.<pid>.table: the private table of this process, a name no
 * cluster can have ('.' is no cluster name's). The directory is created. */
int kshim_private_table_path(char *buf, size_t len, kshim_err_t *err);
/* One of kshim's files (libkshim.so, kshim-full) next to the running executable
 * (build tree), in ../lib/kshim (an install moved as a whole) or in the
 * LIBDIR/kshim it was built for. */
int kshim_lib_path(const char *file, char *buf, size_t len, kshim_err_t *err);
/* A cluster name is 1-40 of [a-z0-9-], starting with a letter. */
int kshim_cluster_name_valid(const char *name);
/* Fails with a usage error unless name is a valid cluster name. Every path
 * built from a cluster name (kshim_table_path) is checked with it. */
int kshim_cluster_name_check(const char *name, kshim_err_t *err);

/* Takes flock on <table dir>/name (created 0600), waiting for it when wait is
 * set, else failing with code EBUSY when another process holds it. *fd keeps
 * the lock until kshim_unlock or exit. */
int kshim_lock(const char *name, int wait, int *fd, kshim_err_t *err);
void kshim_unlock(int fd);
/* Removes the lock file name, then lets go of fd, its lock; a process that was
 * waiting for it opens the file anew (kshim_lock checks). */
void kshim_lock_remove(const char *name, int fd);
/* The lock on the directory's loopback blocks: held from choosing a block to
 * writing the table that uses it (table_store_block, then kshim_table_write). */
#define KSHIM_TABLES_LOCK ".tables.lock"

#endif
