/* The port table as the supervisor sees it: the same checks and the same
 * 100 ms re-check as the shim, over the shared parser. */
#include "seccomp_table.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
warn_line(void *ctx, int line, const char *why)
{
	fprintf(stderr, "kshim: %s:%d: line skipped: %s\n", (const char *)ctx, line, why);
}

void
sc_table_init(struct sc_table *st, const char *path)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->path, sizeof(st->path), "%s", path);
}

static void
replace(struct sc_table *st, struct kshim_table *fresh, const struct stat *id, int state)
{
	kshim_table_free(&st->t);
	st->t = *fresh;
	st->id = *id;
	st->state = state;
	st->generation++;
}

/* Empties the table, saying why once per change of the file. */
static void
set_unusable(struct sc_table *st, const struct stat *id, const char *why)
{
	struct kshim_table empty = {0};

	if (st->state == -1 && kshim_file_same(id, &st->id))
		return;
	fprintf(stderr, "kshim: table %s: %s; names pass through unmapped\n", st->path, why);
	replace(st, &empty, id, -1);
}

void
sc_table_refresh(struct sc_table *st)
{
	struct kshim_table fresh = {0};
	const char *why = NULL;
	struct stat id;
	long now = kshim_clock_ns();

	if (st->state != 0 && now - st->last_check < KSHIM_RECHECK_NS)
		return;
	st->last_check = now;
	if (stat(st->path, &id) < 0) {
		memset(&id, 0, sizeof(id));
		set_unusable(st, &id, strerror(errno));
		return;
	}
	if (st->state != 0 && kshim_file_same(&id, &st->id))
		return;
	if (!kshim_table_trusted(&id, getuid())) {
		set_unusable(st, &id,
			     "writable by other users or owned by another user (chmod 600 it)");
		return;
	}
	if (kshim_table_load(st->path, &fresh, warn_line, st->path, &why) < 0) {
		set_unusable(st, &id, why);
		return;
	}
	replace(st, &fresh, &id, 1);
}

void
sc_table_free(struct sc_table *st)
{
	kshim_table_free(&st->t);
}
