/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a whole file into memory, and writing a small private one atomically. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
file_write(const char *path, const char *text, kshim_err_t *err)
{
	char tmp[PATH_MAX + 8];
	size_t n = strlen(text);
	int fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return kshim_fail(err, errno, "cannot write %s: %s", tmp, strerror(errno));
	ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
	if (!ok) {
		kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
