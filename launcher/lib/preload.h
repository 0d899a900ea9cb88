/* SPDX-License-Identifier: Apache-2.0 */
/* The environment that makes a program load the shim. */
#ifndef KSHIM_PRELOAD_H
#define KSHIM_PRELOAD_H

#include <stddef.h>

#include "error.h"

/* LD_PRELOAD with the shim first, ahead of whatever the environment had. */
int preload_value(char *buf, size_t len, kshim_err_t *err);
/* Sets LD_PRELOAD and KSHIM_TABLE (an absolute path) in this process. */
int preload_setenv(const char *table, kshim_err_t *err);

#endif
