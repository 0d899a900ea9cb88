/* SPDX-License-Identifier: Apache-2.0 */
/* The table directory seen by the launcher: loopback blocks, strict loads, which table. */
#include "table_store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

/* The block of the first synthetic address in the table at path, or 0. */
static uint32_t
current_block(const char *path)
{
	struct kshim_table t = {0};
	const char *why;
	uint32_t base = 0;

	if (!path || kshim_table_load(path, &t, NULL, NULL, &why) < 0)
		return 0;
	if (t.nhosts && (t.hosts[0].addr & 0xffff0000u) == KSHIM_LOOPBACK_NET)
		base = t.hosts[0].addr & 0xffffff00u;
	kshim_table_free(&t);
	return base;
}

int
table_store_block(const char *skip, uint32_t *base, kshim_err_t *err)
{
	char dir[PATH_MAX - 256], path[PATH_MAX];
	unsigned char used[256] = {1}; /* block 0 is never handed out */
	struct dirent *de;
	DIR *d;

	if ((*base = current_block(skip)) != 0)
		return 0;

	if (kshim_table_dir(dir, sizeof(dir), 1, err) < 0)
		return -1;
	d = opendir(dir);
	if (!d)
		return kshim_fail(err, errno, "cannot read %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct kshim_table t = {0};
		const char *why;
		size_t n = strlen(de->d_name);

		if (n < 7 || strcmp(de->d_name + n - 6, ".table") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((skip && strcmp(path, skip) == 0) ||
		    kshim_table_load(path, &t, NULL, NULL, &why) < 0)
			continue;
		for (int i = 0; i < t.nhosts; i++)
			if ((t.hosts[i].addr & 0xffff0000u) == KSHIM_LOOPBACK_NET)
				used[(t.hosts[i].addr >> 8) & 0xff] = 1;
		kshim_table_free(&t);
	}
	closedir(d);
	for (int b = 1; b < 256; b++) {
		if (!used[b]) {
			*base = KSHIM_LOOPBACK_NET | ((uint32_t)b << 8);
			return 0;
		}
	}
	kshim_fail(err, ENOSPC,
		   "all 255 loopback blocks of 127.77.0.0/16 are in use by tables in %s", dir);
	return kshim_hint(err,
			  "remove stale tables there, or 'kshim down' clusters you no longer use");
}

struct strict {
	int bad;
	char first[256];
};

static void
note_bad(void *ctx, int line, const char *why)
{
	struct strict *s = ctx;

	if (s->bad++ == 0)
		snprintf(s->first, sizeof(s->first), "line %d: %s", line, why);
}

int
table_store_load_strict(const char *path, struct kshim_table *t, kshim_err_t *err)
{
	struct strict s = {0};
	const char *why = NULL;

	if (kshim_table_load(path, t, note_bad, &s, &why) < 0) {
		if (errno == ENOENT)
			return kshim_fail(err, ENOENT, "no table at %s", path);
		return kshim_fail(err, EINVAL, "table %s: %s", path, why);
	}
	if (s.bad) {
		kshim_table_free(t);
		kshim_fail(err, EINVAL, "table %s: %s (%d malformed line%s)", path, s.first, s.bad,
			   s.bad == 1 ? "" : "s");
		return kshim_hint(err, "fix or remove the line; the format is in README.md");
	}
	return 0;
}

int
table_store_resolve(const char *table, const char *cluster, char *path, size_t len,
		    kshim_err_t *err)
{
	const char *env = getenv("KSHIM_TABLE");

	if (table || (env && *env)) {
		const char *p = table ? table : env;
		if (!realpath(p, path) || strlen(path) >= len) {
			kshim_fail(err, errno, "table %s: %s", p, strerror(errno));
			return kshim_hint(err, "give an existing file, or build one with --map");
		}
		return 0;
	}
	if (kshim_table_path(cluster, path, len, 0, err) < 0)
		return -1;
	if (access(path, R_OK) < 0) {
		kshim_fail(err, errno, "no table for cluster '%s' (%s)", cluster, path);
		return kshim_hint(err,
				  "start it with 'kshim up --name %s', attach to one with "
				  "'kshim attach', or map names with --map NAME:PORT=HOST:PORT",
				  cluster);
	}
	return 0;
}
