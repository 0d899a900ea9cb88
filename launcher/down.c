/* SPDX-License-Identifier: Apache-2.0 */
/* kshim down: remove a cluster's containers, network, table and secrets. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lib/attached.h"
#include "lib/cluster.h"
#include "lib/origin.h"
#include "lib/kube/record.h"
#include "lib/paths.h"
#include "lib/secrets.h"

const char down_usage[] = "usage: kshim down [--name CLUSTER] [--forget]\n";

int
down_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err)
{
	*o = (struct cluster_options){0};
	return cli_cluster_args(argc, argv, down_usage, &o->name, "forget", &o->forget, err);
}

/* An attached cluster: kshim's own files go, the user's containers and networks stay. */
static int
forget(const char *name, const struct attached *a, kshim_err_t *err)
{
	int had;

	if (attached_forget(name, &had, err) < 0)
		return -1;
	printf("cluster '%s': removed the table; %s%s and its containers are left as they are\n",
	       name, a->project[0] ? "compose project " : "network ",
	       a->project[0] ? a->project : a->network);
	return 0;
}

/* The table, the secrets and the engine record; *had counts them. */
static int
remove_files(const char *name, int *had, kshim_err_t *err)
{
	char table[PATH_MAX];
	int secrets, engine;

	if (kshim_table_path(name, table, sizeof(table), 0, err) < 0)
		return -1;
	*had = unlink(table) == 0;
	if (!*had && errno != ENOENT)
		return kshim_fail(err, errno, "cannot remove %s: %s", table, strerror(errno));
	if (secrets_remove(name, &secrets, err) < 0 || origin_remove(name, &engine, err) < 0)
		return -1;
	*had += secrets + engine;
	return 0;
}

/* down --forget: the files of a cluster whose engine is gone for good; no
 * engine is asked anything. */
static int
forget_files(const char *name, kshim_err_t *err)
{
	int had, lock, rc;

	if (cluster_lock(name, &lock, err) < 0)
		return -1;
	rc = remove_files(name, &had, err);
	cluster_unlock(name, lock);
	if (rc < 0)
		return -1;
	printf("cluster '%s': %s\n", name,
	       had ? "removed its files (the table, the secrets, the engine record); no engine "
		     "was asked"
		   : "nothing to remove");
	return 0;
}

/* Whether pid has ended: gone, or a zombie nobody has reaped yet. */
static int
ended(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (!(f = fopen(path, "re")))
		return 1;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'Z';
}

/* Waits up to 10 s for the forwarder to end after SIGTERM (it removes its own
 * files last); 0 when it has. */
static int
stop_forwarder(const char *name, pid_t pid, kshim_err_t *err)
{
	struct timespec tick = {0, 50 * 1000 * 1000};

	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		return kshim_fail(err, errno, "cannot stop the forwarder (pid %ld): %s", (long)pid,
				  strerror(errno));
	for (int i = 0; i < 200; i++) {
		if (ended(pid))
			return 0;
		nanosleep(&tick, NULL);
	}
	kshim_fail(err, ETIMEDOUT, "the forwarder (pid %ld) did not stop within 10 s", (long)pid);
	return kshim_hint(err, "kill %ld, then kshim down --name %s again", (long)pid, name);
}

/* A Service attached in Kubernetes: the forwarder and kshim's files go; the
 * Service and its pods are the cluster's and stay. */
static int
forget_kube(const char *name, const struct kube_record *r, kshim_err_t *err)
{
	pid_t pid = kube_forwarder(name);
	int had;

	if (pid && stop_forwarder(name, pid, err) < 0)
		return -1;
	if (kube_forget(name, &had, err) < 0)
		return -1;
	printf("cluster '%s': %s the forwarder, removed the table; Service %s/%s and its pods are "
	       "left as they are\n",
	       name, pid ? "stopped" : "found no", r->ns, r->service);
	return 0;
}

/* A cluster kshim up made: its containers and network on the engine, then its
 * files. */
static int
remove_cluster(const char *name, kshim_err_t *err)
{
	char table[PATH_MAX];
	int containers, networks, had_table, had_secrets, rc;
	docker_t *d;

	if (kshim_table_path(name, table, sizeof(table), 0, err) < 0 || docker_open(&d, err) < 0)
		return -1;
	rc = origin_check(name, d, err);
	if (rc == 0)
		rc = cluster_remove(d, name, &containers, &networks, err);
	docker_close(d);
	if (rc < 0)
		return -1;
	had_table = unlink(table) == 0;
	if (!had_table && errno != ENOENT)
		return kshim_fail(err, errno, "cannot remove %s: %s", table, strerror(errno));
	if (secrets_remove(name, &had_secrets, err) < 0 || origin_remove(name, &rc, err) < 0)
		return -1;
	if (containers + networks + had_table + had_secrets == 0)
		printf("cluster '%s': nothing to remove\n", name);
	else
		printf("cluster '%s': removed %d container%s, %d network%s%s\n", name, containers,
		       containers == 1 ? "" : "s", networks, networks == 1 ? "" : "s",
		       had_table && had_secrets ? ", the table and the secrets"
		       : had_table		? " and the table"
		       : had_secrets		? " and the secrets"
						: "");
	return 0;
}

int
cmd_down(int argc, char **argv, kshim_err_t *err)
{
	struct cluster_options o;
	int attached, rc, lock;
	struct kube_record r;
	struct attached a;
	const char *name;

	if ((rc = down_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	name = o.name;
	if (kube_record_read(name, &r, &attached, err) < 0)
		return -1;
	if (attached) /* --forget too: no engine is asked either way */
		return forget_kube(name, &r, err);
	if (o.forget)
		return forget_files(name, err);
	if (attached_read(name, &a, &attached, err) < 0)
		return -1;
	if (attached)
		return forget(name, &a, err);
	if (cluster_lock(name, &lock, err) < 0)
		return -1;
	rc = remove_cluster(name, err);
	cluster_unlock(name, lock);
	return rc;
}
