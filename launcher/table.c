/* kshim table: check a table file and print it in canonical form. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "lib/paths.h"
#include "lib/table_store.h"

int
cmd_table(int argc, char **argv, kshim_err_t *err)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cluster = KSHIM_DEFAULT_CLUSTER;
	char path[PATH_MAX];
	struct kshim_table t = {0};
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if (c == 'n') {
			cluster = optarg;
			continue;
		}
		puts("usage: kshim table [--name CLUSTER | FILE]");
		return c == 'h' ? 0 : 2;
	}
	if (tables_resolve(optind < argc ? argv[optind] : NULL, cluster, path, sizeof(path),
			   err) < 0 ||
	    tables_load_strict(path, &t, err) < 0)
		return -1;
	printf("# %s\n", path);
	rc = kshim_table_print(&t, stdout);
	kshim_table_free(&t);
	return rc < 0 ? kshim_fail(err, 0, "cannot print the table") : 0;
}
