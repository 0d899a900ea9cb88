/* SPDX-License-Identifier: Apache-2.0 */
/* kshim logs: the brokers' output, from Docker. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/cluster.h"
#include "lib/paths.h"

const char logs_usage[] = "usage: kshim logs [--name CLUSTER] [--tail N] [-f] [kafkaN]\n";

static int
show(docker_t *d, const struct cluster *c, const char *only, int tail, int follow, kshim_err_t *err)
{
	int one = only ? cluster_node_index(c, only, err) : 0;

	if (one < 0)
		return -1;
	if (only)
		return cluster_node_logs(d, &c->node[one], tail, follow, NULL, stdout, err);
	for (int i = 0; i < c->n; i++) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "%s | ", c->node[i].name);
		if (cluster_node_logs(d, &c->node[i], tail, follow, prefix, stdout, err) < 0)
			return -1;
	}
	return 0;
}

int
logs_parse(int argc, char **argv, struct logs_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'N'},
	    {"tail", required_argument, NULL, 't'},
	    {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	*o = (struct logs_options){.name = KSHIM_DEFAULT_CLUSTER, .tail = -1};
	cli_begin();
	while ((opt = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'N':
			if (cli_opt_name(optarg, &o->name, err) < 0)
				return -1;
			break;
		case 'f':
			o->follow = 1;
			break;
		case 't':
			if (cli_opt_int("--tail", optarg, 0, 1 << 30, &o->tail, err) < 0)
				return -1;
			break;
		case 'h':
			return cli_help(logs_usage);
		default:
			return cli_bad_option(opt, argc, argv, err);
		}
	}
	if (optind < argc)
		o->node = argv[optind++];
	if (cli_no_more_args(argc, argv, err) < 0)
		return -1;
	if (o->follow && !o->node)
		return kshim_fail(err, KSHIM_EUSAGE, "logs: --follow needs a node (e.g. kafka1)");
	return CLI_RUN;
}

int
cmd_logs(int argc, char **argv, kshim_err_t *err)
{
	struct logs_options o;
	struct cluster c;
	docker_t *d;
	int rc;

	if ((rc = logs_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (kube_docker_only(o.name, "logs", err) < 0 || docker_open(&d, err) < 0)
		return -1;
	rc = cluster_load(d, o.name, &c, err);
	if (rc == 0)
		rc = show(d, &c, o.node, o.tail, o.follow, err);
	docker_close(d);
	return rc;
}
