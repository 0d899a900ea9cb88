/* kshim watch: keeps a cluster's port table in step with Docker. */
#include "cli.h"
#include "lib/cluster.h"
#include "lib/docker.h"
#include "lib/signals.h"
#include "lib/watch.h"

static const char usage_text[] =
	"usage: kshim watch [--name CLUSTER] [--once]\n"
	"Rewrites the cluster's table each time Docker starts one of its brokers (a\n"
	"restart publishes it on a new host port), and writes it when it is missing.\n"
	"--once: bring the table up to date and exit. Ctrl-C ends the watch; the\n"
	"cluster keeps running.\n";

int
cmd_watch(int argc, char **argv, kshim_err_t *err)
{
	const char *name;
	int once, rc;
	docker_t *d;

	if ((rc = cli_cluster_args(argc, argv, usage_text, &name, "once", &once, err)) <= 0)
		return rc;
	if (docker_open(&d, err) < 0)
		return -1;
	signals_trap();
	docker_set_cancel(d, signals_interrupted);
	rc = once ? watch_sync(d, name, err) : watch_follow(d, name, err);
	docker_close(d);
	return rc;
}
