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
/* libkshim.so next to the kshim executable (build tree) or in ../lib/kshim (install). */
int kshim_lib_path(char *buf, size_t len, kshim_err_t *err);
/* A cluster name is 1-40 of [a-z0-9-], starting with a letter. */
int kshim_cluster_name_valid(const char *name);

#endif
