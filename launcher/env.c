/* SPDX-License-Identifier: Apache-2.0 */
/* kshim env: export lines that preload the shim in a shell, for eval. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/paths.h"
#include "lib/preload.h"
#include "lib/table_store.h"

const char env_usage[] =
    "usage: kshim env [--name CLUSTER | --table FILE]\n"
    "  eval \"$(kshim env)\" preloads the shim for every command of this shell\n";

/* Single-quotes s for a POSIX shell. */
static void
print_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

int
env_parse(int argc, char **argv, struct env_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"table", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct env_options){.name = KSHIM_DEFAULT_CLUSTER};
	cli_begin();
	while ((c = getopt_long(argc, argv, ":n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_opt_name(optarg, &o->name, err) < 0)
				return -1;
			break;
		case 't':
			o->table = optarg;
			break;
		case 'h':
			return cli_help(env_usage);
		default:
			return cli_bad_option(c, argc, argv, err);
		}
	}
	return cli_no_more_args(argc, argv, err);
}

int
cmd_env(int argc, char **argv, kshim_err_t *err)
{
	char path[PATH_MAX], preload[PATH_MAX * 4];
	struct env_options o;
	int rc;

	if ((rc = env_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (table_store_resolve(o.table, o.name, path, sizeof(path), err) < 0 ||
	    preload_value(preload, sizeof(preload), err) < 0)
		return -1;
	printf("# eval \"$(kshim env)\"; undo with: unset LD_PRELOAD KSHIM_TABLE\n");
	fputs("export LD_PRELOAD=", stdout);
	print_quoted(preload);
	fputs("\nexport KSHIM_TABLE=", stdout);
	print_quoted(path);
	putchar('\n');
	return 0;
}
