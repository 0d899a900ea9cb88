/* Reading a whole file into memory. */
#ifndef KSHIM_FILE_H
#define KSHIM_FILE_H

#include "error.h"

/* The text of path (malloc'd, NUL-terminated), or NULL with err filled. */
char *file_read(const char *path, kshim_err_t *err);

#endif
