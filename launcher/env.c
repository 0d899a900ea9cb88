/* kshim env: export lines that preload the shim in a shell, for eval. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/paths.h"
#include "lib/preload.h"
#include "lib/table_store.h"

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
cmd_env(int argc, char **argv, kshim_err_t *err)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"table", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cluster = KSHIM_DEFAULT_CLUSTER, *table = NULL;
	char path[PATH_MAX], preload[PATH_MAX * 4];
	int c;

	while ((c = getopt_long(argc, argv, "n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			cluster = optarg;
			break;
		case 't':
			table = optarg;
			break;
		case 'h':
			puts("usage: kshim env [--name CLUSTER | --table FILE]\n"
			     "  eval \"$(kshim env)\" preloads the shim for every command of this shell");
			return 0;
		default:
			return kshim_fail(err, KSHIM_EUSAGE, "usage: kshim env [--name CLUSTER | --table FILE]");
		}
	}
	if (tables_resolve(table, cluster, path, sizeof(path), err) < 0 ||
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
