/* SPDX-License-Identifier: Apache-2.0 */
/* The engine a cluster was made on (see origin.h). */
#include "origin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

#define ORIGIN_MAGIC "kshim-engine 1"

int
origin_write(const char *cluster, const docker_t *d, uint32_t publish, kshim_err_t *err)
{
	char path[PATH_MAX];
	int fd, ok;

	if (kshim_cluster_file(cluster, ".engine", path, sizeof(path), 1, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
	ok = dprintf(fd, ORIGIN_MAGIC "\nengine %s\npublish %u.%u.%u.%u\n", docker_where(d),
		     publish >> 24, (publish >> 16) & 255, (publish >> 8) & 255, publish & 255) > 0;
	if (close(fd) < 0 || !ok)
		return kshim_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* The record's engine and publish address; 0 when there is none. */
static int
origin_read(const char *cluster, char *engine, char *publish, kshim_err_t *err)
{
	char path[PATH_MAX], text[PATH_MAX + 64];
	const char *e, *p;
	size_t n;
	FILE *f;

	if (kshim_cluster_file(cluster, ".engine", path, sizeof(path), 0, err) < 0)
		return -1;
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0
				       : kshim_fail(err, errno, "%s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	e = strstr(text, "\nengine ");
	p = strstr(text, "\npublish ");
	if (strncmp(text, ORIGIN_MAGIC "\n", strlen(ORIGIN_MAGIC) + 1) != 0 || !e || !p ||
	    sscanf(e, "\nengine %4095s", engine) != 1 || sscanf(p, "\npublish %15s", publish) != 1)
		return kshim_fail(err, EINVAL, "%s is not a kshim engine record", path);
	return 1;
}

int
origin_check(const char *cluster, const docker_t *d, kshim_err_t *err)
{
	char engine[PATH_MAX], publish[16];
	int rc = origin_read(cluster, engine, publish, err);

	if (rc <= 0)
		return rc;
	if (strcmp(engine, docker_where(d)) == 0)
		return 0;
	kshim_fail(err, EXDEV,
		   "cluster '%s' was made on the engine at %s (published on %s), not %s", cluster,
		   engine, publish, docker_where(d));
	return kshim_hint(err,
			  "talk to that engine (DOCKER_HOST=%s or its docker context); if it is "
			  "gone for good: kshim down --name %s --forget",
			  engine, cluster);
}

int
origin_remove(const char *cluster, int *had, kshim_err_t *err)
{
	char path[PATH_MAX];

	*had = 0;
	if (kshim_cluster_file(cluster, ".engine", path, sizeof(path), 0, err) < 0)
		return -1;
	if (unlink(path) == 0)
		*had = 1;
	else if (errno != ENOENT)
		return kshim_fail(err, errno, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}
