/* SPDX-License-Identifier: Apache-2.0 */
/* kshim attach: a port table for containers kshim did not create, such as a
 * compose project's, from what Docker knows of a network; the cluster it makes
 * is then one like any other for status, doctor, watch, logs and down. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lib/attached.h"
#include "lib/engine/docker.h"
#include "lib/paths.h"
#include "lib/table_store.h"

const char attach_usage[] =
    "usage: kshim attach --network NET | --compose PROJECT [--name NAME]\n"
    "                    [--publish-address ADDR]\n"
    "       kshim attach --kubernetes --service SVC [--namespace NS] [--context C]\n"
    "                    [--cluster-domain D] [--name NAME] [--foreground]\n";

/* Prints the table's hosts, the way clients will reach them. */
void
attach_print_table(const char *path, const char *name)
{
	struct kshim_table t = {0};
	kshim_err_t e = {0};

	if (table_store_load_strict(path, &t, &e) < 0)
		return;
	for (int i = 0; i < t.nhosts; i++) {
		printf("  %s", t.hosts[i].names[0]);
		for (int p = 0; p < t.hosts[i].nports; p++) {
			struct in_addr a = {htonl(t.hosts[i].ports[p].host_addr)};
			printf(" %u->%s:%u", t.hosts[i].ports[p].port, inet_ntoa(a),
			       t.hosts[i].ports[p].host_port);
		}
		putchar('\n');
	}
	if (t.nhosts)
		printf("table: %s\nexample: kshim run --name %s -- kcat -b %s:%u -L\n", path, name,
		       t.hosts[0].names[0], t.hosts[0].ports[0].port);
	kshim_table_free(&t);
}

/* A name kshim up already uses is not attached over. */
static int
check_not_ours(docker_t *d, const char *name, kshim_err_t *err)
{
	static struct cluster c;
	kshim_err_t e = {0};

	if (cluster_load(d, name, &c, &e) < 0) {
		if (e.code == ENOENT || c.attached)
			return 0;
		*err = e;
		return -1;
	}
	if (c.attached)
		return 0; /* attached again: names keep their addresses */
	kshim_fail(err, EEXIST, "cluster '%s' was made by kshim up", name);
	return kshim_hint(err, "attach under another --name");
}

static int
attach(docker_t *d, const struct attach_options *o, uint32_t publish, kshim_err_t *err)
{
	struct cluster c = {.attached = 1};
	struct attached a;
	char path[PATH_MAX];
	int updated, hosts;

	if (check_not_ours(d, o->name, err) < 0)
		return -1;
	c.publish_addr = publish;
	snprintf(c.name, sizeof(c.name), "%s", o->name);
	if (o->compose) {
		snprintf(c.project, sizeof(c.project), "%s", o->compose);
		if (attached_compose_network(d, o->compose, c.network, sizeof(c.network), err) < 0)
			return -1;
		printf("compose project %s: network %s\n", o->compose, c.network);
	} else {
		snprintf(c.network, sizeof(c.network), "%s", o->network);
	}
	if (attached_sync(d, &c, path, sizeof(path), &updated, &hosts, err) < 0) {
		if (err->code == ENOENT && !o->compose) {
			kshim_fail(err, ENOENT, "no network '%s'", o->network);
			kshim_hint(err, "'docker network ls' lists them; a compose project's is "
					"usually <project>_default (or use --compose PROJECT)");
		}
		return -1;
	}
	if (hosts == 0) {
		unlink(path);
		kshim_fail(err, ENOENT, "no container on '%s' publishes a TCP port", c.network);
		return kshim_hint(err, "publish the client port, e.g. ports: [\"127.0.0.1::9092\"] "
				       "in compose");
	}
	memset(&a, 0, sizeof(a));
	snprintf(a.network, sizeof(a.network), "%s", c.network);
	snprintf(a.project, sizeof(a.project), "%s", c.project);
	a.publish_addr = publish;
	if (attached_write(o->name, &a, err) < 0) {
		unlink(path);
		return -1;
	}
	attach_print_table(path, o->name);
	return 0;
}

/* --service goes with --kubernetes, and so do the options that refine it. */
static int
check_kube_options(const struct attach_options *o, kshim_err_t *err)
{
	const char *opt = o->service	  ? "--service"
			  : o->ns	  ? "--namespace"
			  : o->context	  ? "--context"
			  : o->domain	  ? "--cluster-domain"
			  : o->foreground ? "--foreground"
					  : NULL;

	if (o->kubernetes && !o->service)
		return kshim_fail(err, KSHIM_EUSAGE, "attach: --kubernetes needs --service");
	if (!o->kubernetes && opt)
		return kshim_fail(err, KSHIM_EUSAGE, "attach: %s goes with --kubernetes", opt);
	return 0;
}

int
attach_parse(int argc, char **argv, struct attach_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"network", required_argument, NULL, 'N'},
	    {"compose", required_argument, NULL, 'c'},
	    {"name", required_argument, NULL, 'n'},
	    {"publish-address", required_argument, NULL, 'p'},
	    {"kubernetes", no_argument, NULL, 'k'},
	    {"service", required_argument, NULL, 's'},
	    {"namespace", required_argument, NULL, 'S'},
	    {"context", required_argument, NULL, 'C'},
	    {"cluster-domain", required_argument, NULL, 'D'},
	    {"foreground", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct attach_options){0};
	cli_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			o->network = optarg;
			break;
		case 'c':
			o->compose = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'p':
			o->publish = optarg;
			break;
		case 'h':
			return cli_help(attach_usage);
		case 'k':
		case 'f':
			*(c == 'k' ? &o->kubernetes : &o->foreground) = 1;
			break;
		case 's':
		case 'S':
		case 'C':
		case 'D':
			*(c == 's'   ? &o->service
			  : c == 'S' ? &o->ns
			  : c == 'C' ? &o->context
				     : &o->domain) = optarg;
			break;
		default:
			return cli_bad_option(c, argc, argv, err);
		}
	}
	if (check_kube_options(o, err) < 0)
		return -1;
	if (!o->network + !o->compose + !o->kubernetes != 2)
		return kshim_fail(err, KSHIM_EUSAGE,
				  "attach: give one of --network, --compose and --kubernetes");
	if (!o->name)
		o->name = o->network ? o->network : o->compose ? o->compose : o->service;
	if (!kshim_cluster_name_valid(o->name)) {
		kshim_fail(err, KSHIM_EUSAGE, "attach: '%s' is not a usable table name", o->name);
		return kshim_hint(err, "give --name with 1-40 of a-z, 0-9 and '-'");
	}
	return cli_no_more_args(argc, argv, err);
}

int
cmd_attach(int argc, char **argv, kshim_err_t *err)
{
	struct attach_options o;
	uint32_t publish;
	docker_t *d;
	int rc;

	if ((rc = attach_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (o.kubernetes)
		return attach_kubernetes(&o, err);
	if (cluster_publish_address("attach", o.publish, &publish, err) < 0 ||
	    docker_open(&d, err) < 0)
		return -1;
	rc = attach(d, &o, publish, err);
	docker_close(d);
	return rc;
}
