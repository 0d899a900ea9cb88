/* SPDX-License-Identifier: Apache-2.0 */
/* kshim doctor: runs the layer checks in order, skips those whose layers below
 * failed, and prints one line of cause and one of fix per failure. */
#include "doctor.h"

#include <errno.h>
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "../lib/paths.h"
#include "../lib/table_store.h"

#define L(n) (1u << ((n)-1))

const char doctor_usage[] =
    "usage: kshim doctor [--name CLUSTER] [--json]\n"
    "Checks in order: 1 daemon, 2 network, 3 containers, 4 dns (inside each broker),\n"
    "5 listeners (inside), 6 ports (published on 127.0.0.1, accepting TCP), 7 kafka\n"
    "(ApiVersions, Metadata), 8 advertised names against the table (and TLS\n"
    "certificates: names, expiry, the CA of kshim config), 9 the table\n"
    "against Docker's ports, 10 the shim (each name resolved and connected). A layer\n"
    "built on a failed one is skipped. Changes nothing; exit 0 only when all pass.\n"
    "A Service attached in Kubernetes: 1 api (answers), 2 rbac (create on\n"
    "pods/portforward), 3 pods (ready), 4 forwarder (runs), 5 forwards (each answers\n"
    "Kafka), 6 advertised names against the table, 7 the shim.\n";

struct layer {
	const char *name;
	doctor_check_fn check;
	unsigned deps; /* the layers (1-based bits) it builds on */
};
static const struct layer docker_layers[] = {
    {"daemon", doctor_daemon, 0},
    {"network", doctor_network, L(1)},
    {"containers", doctor_containers, L(1)},
    {"dns", doctor_dns, L(2) | L(3)},
    {"listeners", doctor_listeners, L(3)},
    {"ports", doctor_ports, L(2) | L(3)},
    {"kafka", doctor_kafka, L(4) | L(5) | L(6)},
    {"advertised", doctor_advertised, L(7)},
    {"table", doctor_table, L(6)},
    {"shim", doctor_shim, L(8) | L(9)},
};
static const struct layer kube_layers[] = {
    {"api", doctor_kube_api, 0},
    {"rbac", doctor_kube_rbac, L(1)},
    {"pods", doctor_kube_pods, L(1)},
    {"forwarder", doctor_kube_forwarder, 0},
    {"forwards", doctor_kube_forwards, L(4)},
    {"advertised", doctor_kube_advertised, L(5)},
    {"shim", doctor_shim, L(6)},
};
#define MAX_LAYERS 10
/* The layers of this cluster's kind: Docker's, or those of a Service in Kubernetes. */
static const struct layer *layers = docker_layers;
static int nlayers = sizeof(docker_layers) / sizeof(docker_layers[0]);

enum verdict { PASS, FAIL, SKIP, NA };
static const char *const verdict_name[] = {"ok", "FAIL", "skipped", "n/a"};

struct result {
	enum verdict v;
	int root;	 /* SKIP: the failed layer behind it (0-based), -1 when none */
	char note[600];	 /* PASS, NA, SKIP: what was seen or why */
	kshim_err_t err; /* FAIL: cause and fix */
};

void
doctor_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len)
		used += (size_t)snprintf(buf + used, len - used, "; ");
	if (used >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

const cJSON *
doctor_endpoint(const struct doctor *dr, int i)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(dr->info[i], "NetworkSettings");

	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ns, "Networks"),
						dr->c.network);
}

int
doctor_attached_hint(const struct doctor *dr, kshim_err_t *err)
{
	if (dr->c.project[0])
		return kshim_hint(err,
				  "docker-compose -p %s up -d, then kshim watch --name %s --once "
				  "(or forget it: kshim down --name %s)",
				  dr->c.project, dr->name, dr->name);
	return kshim_hint(err,
			  "start the containers on %s again, then kshim watch --name %s --once "
			  "(or forget it: kshim down --name %s)",
			  dr->c.network, dr->name, dr->name);
}

int
doctor_no_table(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	if (dr->table_reported) {
		snprintf(note, len, "because the table is unusable (see above)");
		return DOCTOR_SKIP;
	}
	dr->table_reported = 1;
	*err = dr->table_err;
	return -1;
}

/* The first failed layer among deps, following skipped ones to their cause; -1: none. */
static int
blocking(const struct result *r, unsigned deps)
{
	for (int i = 0; i < nlayers; i++) {
		if (!(deps & L(i + 1)))
			continue;
		if (r[i].v == FAIL)
			return i;
		if (r[i].v == SKIP)
			return r[i].root >= 0 ? r[i].root : i;
	}
	return -1;
}

static void
run(struct doctor *dr, struct result *r)
{
	for (int i = 0; i < nlayers; i++) {
		int root = blocking(r, layers[i].deps), rc;

		r[i].root = root;
		if (root >= 0) {
			r[i].v = SKIP;
			snprintf(r[i].note, sizeof(r[i].note), "because %s %s", layers[root].name,
				 r[root].v == FAIL ? "failed" : "could not be checked");
			continue;
		}
		rc = layers[i].check(dr, r[i].note, sizeof(r[i].note), &r[i].err);
		r[i].v = rc < 0 ? FAIL : rc == DOCTOR_NA ? NA : rc == DOCTOR_SKIP ? SKIP : PASS;
	}
}

static void
print_text(const struct doctor *dr, const struct result *r)
{
	printf("kshim doctor: cluster '%s'\n", dr->name);
	for (int i = 0; i < nlayers; i++) {
		printf("%2d %-11s %-8s %s\n", i + 1, layers[i].name, verdict_name[r[i].v],
		       r[i].v == FAIL ? r[i].err.msg : r[i].note);
		if (r[i].v == FAIL && r[i].err.hint[0])
			printf("%23s %s\n", "fix:", r[i].err.hint);
	}
}

static int
print_json(const struct doctor *dr, const struct result *r, int healthy)
{
	cJSON *o = cJSON_CreateObject(), *list;

	cJSON_AddStringToObject(o, "cluster", dr->name);
	cJSON_AddBoolToObject(o, "ok", healthy);
	list = cJSON_AddArrayToObject(o, "layers");
	for (int i = 0; i < nlayers; i++) {
		cJSON *l = cJSON_CreateObject();
		const char *fix = r[i].v == FAIL && r[i].err.hint[0] ? r[i].err.hint : NULL;

		cJSON_AddNumberToObject(l, "layer", i + 1);
		cJSON_AddStringToObject(l, "name", layers[i].name);
		cJSON_AddStringToObject(l, "status",
					r[i].v == FAIL ? "fail" : verdict_name[r[i].v]);
		cJSON_AddStringToObject(l, "detail", r[i].v == FAIL ? r[i].err.msg : r[i].note);
		cJSON_AddItemToObject(l, "fix", fix ? cJSON_CreateString(fix) : cJSON_CreateNull());
		cJSON_AddItemToArray(list, l);
	}
	return cli_print_json(o);
}

static void
release(struct doctor *dr)
{
	for (int i = 0; i < CLUSTER_MAX_NODES; i++) {
		cJSON_Delete(dr->info[i]);
		if (dr->md[i])
			rd_kafka_metadata_destroy(dr->md[i]);
	}
	cJSON_Delete(dr->net);
	kshim_table_free(&dr->t);
	docker_close(dr->d);
	if (dr->k)
		kube_close(dr->k);
}

/* A Service attached in Kubernetes: its layers, and its table read as an attached cluster. */
static int
use_kube(struct doctor *dr, kshim_err_t *err)
{
	if (kube_record_read(dr->name, &dr->rec, &dr->kube, err) < 0)
		return -1;
	if (!dr->kube)
		return 0;
	layers = kube_layers;
	nlayers = sizeof(kube_layers) / sizeof(kube_layers[0]);
	if (kshim_table_path(dr->name, dr->table, sizeof(dr->table), 0, err) < 0)
		return -1;
	if (table_store_load_strict(dr->table, &dr->t, &dr->table_err) == 0)
		return kube_table_cluster(dr->name, dr->table, &dr->c, err);
	return 0;
}

static int
doctor(const char *name, int json, kshim_err_t *err)
{
	static struct doctor dr; /* large; one per process */
	struct result r[MAX_LAYERS];
	int healthy = 1;

	memset(&dr, 0, sizeof(dr));
	memset(r, 0, sizeof(r));
	dr.name = name;
	if (use_kube(&dr, err) < 0)
		return -1;
	run(&dr, r);
	for (int i = 0; i < nlayers; i++)
		healthy &= r[i].v == PASS || r[i].v == NA;
	if (!json)
		print_text(&dr, r);
	else if (print_json(&dr, r, healthy) < 0) {
		release(&dr);
		return kshim_fail(err, ENOMEM, "out of memory");
	}
	release(&dr);
	return healthy ? 0 : 1;
}

int
doctor_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err)
{
	*o = (struct cluster_options){0};
	return cli_cluster_args(argc, argv, doctor_usage, &o->name, "json", &o->json, err);
}

int
cmd_doctor(int argc, char **argv, kshim_err_t *err)
{
	struct cluster_options o;
	int rc;

	/* doctor runs itself again, under the shim, to check name resolution (doctor/shim.c). */
	if (argc > 1 && strcmp(argv[1], "--shim-probe") == 0)
		return doctor_shim_probe(argc - 2, argv + 2);
	if ((rc = doctor_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	return doctor(o.name, o.json, err);
}
