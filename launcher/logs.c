/* kshim logs: the brokers' output, from Docker. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/cluster.h"
#include "lib/paths.h"

static const char usage_text[] = "usage: kshim logs [--name CLUSTER] [--tail N] [-f] [kafkaN]\n";

static int
show(docker_t *d, const struct cluster *c, const char *only, int tail, int follow,
     kshim_err_t *err)
{
	for (int i = 0; i < c->n; i++) {
		char prefix[32];

		if (only && strcmp(only, c->node[i].name) != 0)
			continue;
		snprintf(prefix, sizeof(prefix), "%s | ", c->node[i].name);
		if (cluster_node_logs(d, &c->node[i], tail, follow, only ? NULL : prefix, stdout,
				      err) < 0)
			return -1;
		if (only)
			return 0;
	}
	if (only) {
		kshim_fail(err, KSHIM_EUSAGE, "cluster '%s' has no node '%s'", c->name, only);
		return kshim_hint(err, "nodes are kafka1 to kafka%d", c->n);
	}
	return 0;
}

int
cmd_logs(int argc, char **argv, kshim_err_t *err)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'N'}, {"tail", required_argument, NULL, 't'},
		{"follow", no_argument, NULL, 'f'},	{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *name = KSHIM_DEFAULT_CLUSTER, *only = NULL;
	int tail = -1, follow = 0, opt, rc;
	struct cluster c;
	docker_t *d;

	while ((opt = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		if (opt == 'N')
			name = optarg;
		else if (opt == 'f')
			follow = 1;
		else if (opt == 't') {
			if (cli_opt_int("--tail", optarg, 0, 1 << 30, &tail, err) < 0)
				return -1;
		} else {
			fputs(usage_text, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc)
		only = argv[optind++];
	if (optind < argc)
		return kshim_fail(err, KSHIM_EUSAGE, "logs: unexpected argument '%s'",
				  argv[optind]);
	if (follow && !only)
		return kshim_fail(err, KSHIM_EUSAGE, "logs: --follow needs a node (e.g. kafka1)");
	if (docker_open(&d, err) < 0)
		return -1;
	rc = cluster_load(d, name, &c, err);
	if (rc == 0)
		rc = show(d, &c, only, tail, follow, err);
	docker_close(d);
	return rc;
}
