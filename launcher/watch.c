/* SPDX-License-Identifier: Apache-2.0 */
/* kshim watch: keeps a cluster's port table in step with Docker. */
#include "cli.h"
#include "lib/cluster.h"
#include "lib/engine/docker.h"
#include "lib/origin.h"
#include "lib/signals.h"
#include "lib/watch.h"

const char watch_usage[] =
    "usage: kshim watch [--name CLUSTER] [--once]\n"
    "Rewrites the cluster's table each time Docker starts one of its brokers (a\n"
    "restart publishes it on a new host port), and writes it when it is missing.\n"
    "--once: bring the table up to date and exit. Ctrl-C ends the watch; the\n"
    "cluster keeps running.\n";

int
watch_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err)
{
	*o = (struct cluster_options){0};
	return cli_cluster_args(argc, argv, watch_usage, &o->name, "once", &o->once, err);
}

int
cmd_watch(int argc, char **argv, kshim_err_t *err)
{
	struct cluster_options o;
	docker_t *d;
	int rc;

	if ((rc = watch_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (kube_docker_only(o.name, "watch", err) < 0 || docker_open(&d, err) < 0)
		return -1;
	if (origin_check(o.name, d, err) < 0) {
		docker_close(d);
		return -1;
	}
	signals_trap();
	docker_set_cancel(d, signals_interrupted);
	rc = o.once ? watch_sync(d, o.name, err) : watch_follow(d, o.name, err);
	docker_close(d);
	return rc;
}
