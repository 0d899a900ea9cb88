/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing shared by the subcommands' parse functions: one way to report a usage error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/paths.h"

void
cli_begin(void)
{
	optind = 0; /* glibc: start over, so that a process (a test) can parse twice */
	opterr = 0; /* errors are reported once, by kshim.c */
}

int
cli_help(const char *usage)
{
	fputs(usage, stdout);
	return CLI_HELP;
}

/* Whether getopt_long's last '?' was for a short option: alone (optind has
 * moved past it) or in a group it is still inside. */
static int
short_option(int argc, char **argv)
{
	const char *here = optind < argc ? argv[optind] : "";
	const char *done = argv[optind - 1];

	if (here[0] == '-' && here[1] != '-' && strchr(here + 1, optopt))
		return 1;
	return done[0] == '-' && done[1] != '-';
}

int
cli_bad_option(int opt, int argc, char **argv, kshim_err_t *err)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return kshim_fail(err, KSHIM_EUSAGE, "%s: option '%s' needs a value", argv[0], arg);
	if (optopt && short_option(argc, argv))
		return kshim_fail(err, KSHIM_EUSAGE, "%s: unknown option '-%c'", argv[0], optopt);
	if (optopt) /* a long switch given a value */
		return kshim_fail(err, KSHIM_EUSAGE, "%s: option '%.*s' takes no value", argv[0],
				  (int)strcspn(arg, "="), arg);
	return kshim_fail(err, KSHIM_EUSAGE, "%s: unknown option '%s'", argv[0], arg);
}

int
cli_no_more_args(int argc, char **argv, kshim_err_t *err)
{
	if (optind < argc)
		return kshim_fail(err, KSHIM_EUSAGE, "%s: unexpected argument '%s'", argv[0],
				  argv[optind]);
	return CLI_RUN;
}

int
cli_opt_name(const char *arg, const char **out, kshim_err_t *err)
{
	if (kshim_cluster_name_check(arg, err) < 0)
		return -1;
	*out = arg;
	return 0;
}

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
	cli_begin();
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'N':
			if (cli_opt_name(optarg, name, err) < 0)
				return -1;
			break;
		case 'f':
			*flag_set = 1;
			break;
		case 'h':
			return cli_help(usage);
		default:
			return cli_bad_option(opt, argc, argv, err);
		}
	}
	return cli_no_more_args(argc, argv, err);
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
