/* SPDX-License-Identifier: Apache-2.0 */
/* kshim status: each broker's container state, published port and health. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lib/attached.h"
#include "lib/cluster.h"
#include "lib/origin.h"
#include "lib/kube/record.h"
#include "lib/paths.h"
#include "kshim/table.h"
#include "lib/ready.h"
#include "lib/secrets.h"
#include "lib/table_store.h"

#define TCP_TIMEOUT_MS 1000
#define KAFKA_TIMEOUT_MS 3000

const char status_usage[] = "usage: kshim status [--name CLUSTER] [--json]\n";

struct health {
	char state[128];
	int running;
	int tcp;   /* the published port accepts a connection */
	int kafka; /* the broker behind it answers Metadata */
	int brokers;
};

/* Whether node i answered inside the network (see ready_inside), and how many
 * brokers were listed there. */
static int
answered_inside(const struct cluster *c, const struct ready_listing *l, int i, int *brokers)
{
	*brokers = l->n;
	for (int j = 0; j < l->n; j++)
		if (l->b[j].id == i + 1)
			return l->b[j].answers || c->mode != ADVERTISE_INTERNAL;
	return 0;
}

static int
check(docker_t *d, const struct cluster *c, int i, const struct ready_listing *inside,
      struct health *h, kshim_err_t *err)
{
	const struct cluster_node *node = &c->node[i];
	kshim_err_t e = {0};

	memset(h, 0, sizeof(*h));
	if (cluster_node_state(d, node, h->state, sizeof(h->state), &h->running, err) < 0)
		return -1;
	h->tcp = h->running && node->host_port &&
		 ready_tcp(c->publish_addr, node->host_port, TCP_TIMEOUT_MS);
	if (ready_inside(c))
		h->kafka = h->tcp && answered_inside(c, inside, i, &h->brokers);
	else
		h->kafka = h->tcp && ready_probe(c->publish_addr, node->host_port, KAFKA_TIMEOUT_MS,
						 &h->brokers, &e) == 0;
	return 0;
}

/* ready_inside's listing, from the first node whose container gives one. */
static void
list_inside(docker_t *d, const struct cluster *c, struct ready_listing *l)
{
	kshim_err_t e = {0};

	memset(l, 0, sizeof(*l));
	for (int i = 0; i < c->n && ready_inside(c); i++)
		if (ready_list_inside(d, c, i, l, &e) == 0)
			return;
}

static void
print_text(const struct cluster *c, const struct health *h, const char *table)
{
	if (c->attached)
		printf("cluster %s: attached to network %s%s%s, %s, table %s\n", c->name,
		       c->network, c->project[0] ? ", compose project " : "", c->project, c->image,
		       table);
	else
		printf("cluster %s: %s (%s), advertise %s, table %s\n", c->name, c->image,
		       flavor_name(c->flavor), advertise_name(c->mode), table[0] ? table : "none");
	printf("%-8s %-32s %-16s %-4s %s\n", "NODE", "STATE", "PORT", "TCP", "KAFKA");
	for (int i = 0; i < c->n; i++) {
		char port[24] = "-", kafka[32] = "-";
		if (c->node[i].host_port)
			cluster_node_address(c, i, port, sizeof(port));
		if (h[i].tcp)
			snprintf(kafka, sizeof(kafka), h[i].kafka ? "ok, %d brokers" : "no answer",
				 h[i].brokers);
		printf("%-8s %-32s %-16s %-4s %s\n", c->node[i].name, h[i].state, port,
		       h[i].running ? (h[i].tcp ? "ok" : "no") : "-", kafka);
	}
}

static int
print_json(const struct cluster *c, const struct health *h, const char *table, int updated)
{
	cJSON *o = cJSON_CreateObject(), *nodes;

	cJSON_AddStringToObject(o, "cluster", c->name);
	cJSON_AddStringToObject(o, "image", c->image);
	cJSON_AddStringToObject(o, "flavor", flavor_name(c->flavor));
	cJSON_AddStringToObject(o, "advertise", advertise_name(c->mode));
	cJSON_AddBoolToObject(o, "attached", c->attached);
	cJSON_AddStringToObject(o, "network", c->network);
	if (c->project[0])
		cJSON_AddStringToObject(o, "compose_project", c->project);
	cJSON_AddItemToObject(o, "table",
			      table[0] ? cJSON_CreateString(table) : cJSON_CreateNull());
	cJSON_AddBoolToObject(o, "table_updated", updated > 0);
	nodes = cJSON_AddArrayToObject(o, "nodes");
	for (int i = 0; i < c->n; i++) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "name", c->node[i].name);
		cJSON_AddStringToObject(n, "container", c->node[i].container);
		cJSON_AddStringToObject(n, "state", h[i].state);
		cJSON_AddBoolToObject(n, "running", h[i].running);
		cJSON_AddNumberToObject(n, "host_port", c->node[i].host_port);
		cJSON_AddBoolToObject(n, "tcp", h[i].tcp);
		cJSON_AddBoolToObject(n, "kafka", h[i].kafka);
		cJSON_AddNumberToObject(n, "brokers", h[i].brokers);
		cJSON_AddItemToArray(nodes, n);
	}
	return cli_print_json(o);
}

static int
status(docker_t *d, const char *name, int json, kshim_err_t *err)
{
	struct health h[CLUSTER_MAX_NODES];
	struct ready_listing inside;
	char table[PATH_MAX] = "";
	struct cluster c;
	int healthy, updated = 0, hosts;

	if (origin_check(name, d, err) < 0 || cluster_load(d, name, &c, err) < 0 ||
	    secrets_use_for_probes(&c, err) < 0)
		return -1;
	healthy = c.n > 0; /* an attached network may have no broker left */
	list_inside(d, &c, &inside);
	for (int i = 0; i < c.n; i++) {
		if (check(d, &c, i, &inside, &h[i], err) < 0)
			return -1;
		healthy &= h[i].kafka;
	}
	if (c.attached && attached_sync(d, &c, table, sizeof(table), &updated, &hosts, err) < 0)
		return -1;
	if (!c.attached && c.mode == ADVERTISE_INTERNAL &&
	    cluster_table_sync(&c, table, sizeof(table), &updated, err) < 0)
		return -1;
	if (!json)
		print_text(&c, h, table);
	else if (print_json(&c, h, table, updated) < 0)
		return kshim_fail(err, ENOMEM, "out of memory");
	return healthy ? 0 : 1;
}

int
status_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err)
{
	*o = (struct cluster_options){0};
	return cli_cluster_args(argc, argv, status_usage, &o->name, "json", &o->json, err);
}

int
cmd_status(int argc, char **argv, kshim_err_t *err)
{
	struct cluster_options o;
	struct kube_record r;
	int rc, kube;
	docker_t *d;

	if ((rc = status_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (kube_record_read(o.name, &r, &kube, err) < 0)
		return -1;
	if (kube)
		return status_kubernetes(o.name, &r, o.json, err);
	if (docker_open(&d, err) < 0)
		return -1;
	rc = status(d, o.name, o.json, err);
	docker_close(d);
	return rc;
}
