/* Option parsing shared by the subcommands that take a cluster. */
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/cluster.h"
#include "lib/paths.h"

int
cli_cluster_args(int argc, char **argv, const char *usage, const char **name, const char *flag,
		 int *flag_set, kshim_err_t *err)
{
	struct option opts[] = {
		{"name", required_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{flag ? flag : "help", no_argument, NULL, flag ? 'f' : 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	*name = KSHIM_DEFAULT_CLUSTER;
	if (flag_set)
		*flag_set = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'N') {
			*name = optarg;
		} else if (opt == 'f') {
			*flag_set = 1;
		} else if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return kshim_fail(err, KSHIM_EUSAGE, "%s: unknown option (usage above)", argv[0]);
		}
	}
	if (optind < argc)
		return kshim_fail(err, KSHIM_EUSAGE, "%s: unexpected argument '%s'", argv[0],
				  argv[optind]);
	return cluster_name_check(*name, err) < 0 ? -1 : 1;
}

int
cli_print_json(cJSON *o)
{
	char *text = o ? cJSON_Print(o) : NULL;

	cJSON_Delete(o);
	if (!text)
		return -1;
	puts(text);
	free(text);
	return 0;
}

int
cli_opt_int(const char *opt, const char *arg, int min, int max, int *out, kshim_err_t *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return kshim_fail(err, KSHIM_EUSAGE, "%s %s: expected a number from %d to %d", opt,
				  arg, min, max);
	*out = (int)v;
	return 0;
}
