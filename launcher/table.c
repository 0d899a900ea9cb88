/* SPDX-License-Identifier: Apache-2.0 */
/* kshim table: check a table file and print it in canonical form. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "lib/paths.h"
#include "lib/table_store.h"

const char table_usage[] = "usage: kshim table [--name CLUSTER | FILE]\n";

int
table_parse(int argc, char **argv, struct table_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct table_options){.name = KSHIM_DEFAULT_CLUSTER};
	cli_begin();
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_opt_name(optarg, &o->name, err) < 0)
				return -1;
			break;
		case 'h':
			return cli_help(table_usage);
		default:
			return cli_bad_option(c, argc, argv, err);
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	return cli_no_more_args(argc, argv, err);
}

int
cmd_table(int argc, char **argv, kshim_err_t *err)
{
	struct kshim_table t = {0};
	struct table_options o;
	char path[PATH_MAX];
	int rc;

	if ((rc = table_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (table_store_resolve(o.file, o.name, path, sizeof(path), err) < 0 ||
	    table_store_load_strict(path, &t, err) < 0)
		return -1;
	printf("# %s\n", path);
	rc = kshim_table_print(&t, stdout);
	kshim_table_free(&t);
	return rc < 0 ? kshim_fail(err, EIO, "cannot print the table") : 0;
}
