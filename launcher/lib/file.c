/* Reading a whole file into memory. */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
file_read(const char *path, kshim_err_t *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f) {
		kshim_fail(err, errno, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		char *nb = len + 4096 + 1 > cap ? realloc(buf, cap = len + 8192) : buf;
		if (!nb) {
			free(buf);
			fclose(f);
			kshim_fail(err, ENOMEM, "out of memory");
			return NULL;
		}
		buf = nb;
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}
