/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a whole file into memory, and writing a small private one atomically. */
#ifndef KSHIM_FILE_H
#define KSHIM_FILE_H

#include "error.h"

/* The text of path (malloc'd, NUL-terminated), or NULL with err filled. */
char *file_read(const char *path, kshim_err_t *err);
/* Writes text to path atomically (a temporary file beside it, fsync, rename), mode 0600. */
int file_write(const char *path, const char *text, kshim_err_t *err);

#endif
