/* Unit tests of the attach record (launcher/lib/attached.c): written, read back,
 * refused when foreign, and forgotten with the table. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "lib/attached.h"

static void
test_round_trip(void)
{
	struct attached a = {"shop_default", "shop"}, b;
	char path[2 * PATH_MAX];
	kshim_err_t err = {0};
	struct stat st;
	int found = -1;

	CHECK(attached_read("shop", &b, &found, &err) == 0 && found == 0,
	      "no record: read succeeds, not found");
	CHECK(attached_write("shop", &a, &err) == 0, "the record is written");
	snprintf(path, sizeof(path), "%s/shop.attached", scratch);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	      "  ... as shop.attached, mode 0600");
	CHECK(attached_read("shop", &b, &found, &err) == 0 && found == 1 &&
		  strcmp(b.network, "shop_default") == 0 && strcmp(b.project, "shop") == 0,
	      "  ... and read back: network shop_default, project shop");
	a.project[0] = '\0';
	CHECK(attached_write("net", &a, &err) == 0 && attached_read("net", &b, &found, &err) == 0 &&
		  found == 1 && b.project[0] == '\0',
	      "a record without a project reads back without one");
}

static void
test_foreign(void)
{
	struct attached b;
	kshim_err_t err = {0};
	int found;

	scratch_put("odd.attached", "something else\nnetwork x\n", 0600);
	CHECK(attached_read("odd", &b, &found, &err) < 0 && err.code == EINVAL && err.hint[0],
	      "a file that is no record is refused, with a hint (%s)", err.msg);
	scratch_put("empty.attached", "kshim-attached 1\n", 0600);
	CHECK(attached_read("empty", &b, &found, &err) < 0 && err.code == EINVAL,
	      "a record naming no network is refused");
	CHECK(attached_read("Bad/Name", &b, &found, &err) < 0 && err.code == KSHIM_EUSAGE,
	      "a name that is no cluster name is refused before any path is built");
}

static void
test_forget(void)
{
	kshim_err_t err = {0};
	char path[2 * PATH_MAX];
	int had = -1;

	snprintf(path, sizeof(path), "%s/shop.attached", scratch);
	scratch_put("shop.table", "kshim-table 1\n", 0600);
	CHECK(attached_forget("shop", &had, &err) == 0 && had == 2,
	      "forget removes the table and the record (2 files)");
	CHECK(access(path, F_OK) < 0 && errno == ENOENT, "  ... the record is gone");
	CHECK(attached_forget("shop", &had, &err) == 0 && had == 0,
	      "forgetting again succeeds with nothing removed");
}

int
main(void)
{
	int rc;

	if (scratch_make("attached-test") < 0)
		return 2;
	setenv("KSHIM_HOME", scratch, 1);
	test_round_trip();
	test_foreign();
	test_forget();
	rc = check_done();
	return scratch_remove() == 0 ? rc : 1;
}
