/* SPDX-License-Identifier: Apache-2.0 */
/* The port table as the supervisor sees it: the same checks and the same
 * 100 ms re-check as the shim, over the shared parser. */
#include "table.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../cleanup.h"

static void
warn_line(void *ctx, int line, const char *why)
{
	fprintf(stderr, "kshim: %s:%d: line skipped: %s\n", (const char *)ctx, line, why);
}

void
seccomp_table_init(struct seccomp_table *st, const char *path)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->path, sizeof(st->path), "%s", path);
}

static void
replace(struct seccomp_table *st, struct kshim_table *fresh, const struct stat *id, int state)
{
	kshim_table_free(&st->t);
	st->t = *fresh;
	st->id = *id;
	st->state = state;
	st->generation++;
}

/* A verdict on the file itself (untrusted, not a regular file, too big, no
 * header): the table is emptied until the file's identity changes. */
static void
set_unusable(struct seccomp_table *st, const struct stat *id, const char *why)
{
	struct kshim_table empty = {0};

	if (st->state == -1 && kshim_file_same(id, &st->id))
		return;
	fprintf(stderr, "kshim: table %s: %s; names pass through unmapped\n", st->path, why);
	replace(st, &empty, id, -1);
}

/* A failure that may pass (gone for a moment, EMFILE, ENOMEM): the last good
 * table stays and nothing is remembered about the file, so the next check
 * retries. */
static void
transient(struct seccomp_table *st, const char *why)
{
	if (st->state == 1)
		fprintf(stderr, "kshim: table %s: %s; keeping the table loaded before\n", st->path,
			why);
}

void
seccomp_table_refresh(struct seccomp_table *st)
{
	struct kshim_table fresh = {0};
	const char *why = NULL;
	struct stat id;
	long now = kshim_clock_ns();
	cleanup_close int fd = -1;

	if (st->last_check && now - st->last_check < KSHIM_RECHECK_NS)
		return;
	st->last_check = now;
	if (st->state != 0 && stat(st->path, &id) == 0 && kshim_file_same(&id, &st->id))
		return;
	fd = kshim_table_open(st->path, &id, &why);
	if (fd < 0) {
		if (errno == EINVAL || errno == EFBIG)
			set_unusable(st, &id, why);
		else
			transient(st, strerror(errno));
		return;
	}
	if (!kshim_table_trusted(&id, getuid())) {
		set_unusable(st, &id,
			     "writable by other users or owned by another user (chmod 600 it)");
		return;
	}
	if (kshim_table_read(fd, &fresh, warn_line, st->path, &why) < 0) {
		if (errno == EINVAL || errno == EFBIG)
			set_unusable(st, &id, why);
		else
			transient(st, why);
		return;
	}
	replace(st, &fresh, &id, 1);
}

void
seccomp_table_free(struct seccomp_table *st)
{
	kshim_table_free(&st->t);
}
