/* kshim down: remove a cluster's containers, network and table. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cluster.h"
#include "kshim/paths.h"

static const char usage_text[] = "usage: kshim down [--name CLUSTER]\n";

int
cmd_down(int argc, char **argv, kshim_err_t *err)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *name = KSHIM_DEFAULT_CLUSTER;
	char table[PATH_MAX];
	int opt, containers, networks, had_table, rc;
	docker_t *d;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'N') {
			name = optarg;
			continue;
		}
		fputs(usage_text, opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 0 : 2;
	}
	if (optind < argc)
		return kshim_fail(err, KSHIM_EUSAGE, "down: unexpected argument '%s'",
				  argv[optind]);
	if (cluster_name_check(name, err) < 0 ||
	    kshim_table_path(name, table, sizeof(table), 0, err) < 0 || docker_open(&d, err) < 0)
		return -1;
	rc = cluster_remove(d, name, &containers, &networks, err);
	docker_close(d);
	if (rc < 0)
		return -1;
	had_table = unlink(table) == 0;
	if (!had_table && errno != ENOENT)
		return kshim_fail(err, errno, "cannot remove %s: %s", table, strerror(errno));
	if (containers + networks + had_table == 0)
		printf("cluster '%s': nothing to remove\n", name);
	else
		printf("cluster '%s': removed %d container%s, %d network%s%s\n", name, containers,
		       containers == 1 ? "" : "s", networks, networks == 1 ? "" : "s",
		       had_table ? " and the table" : "");
	return 0;
}
