/* SPDX-License-Identifier: Apache-2.0 */
/* kshim doctor: a cluster checked layer by layer, from the Docker daemon to the
 * shim, each layer in its own function; doctor.c runs them in order. */
#ifndef KSHIM_DOCTOR_H
#define KSHIM_DOCTOR_H

#include <limits.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "../lib/cluster.h"
#include "../lib/error.h"
#include "../lib/kube/health.h"
#include "kshim/table.h"

struct rd_kafka_metadata;

/* What the layers share: Docker's view of the cluster, read once when the daemon
 * answers, and what earlier layers found. */
struct doctor {
	const char *name;
	docker_t *d;			/* NULL until the daemon layer passes */
	struct cluster c;		/* c.n == 0: no container carries the label */
	cJSON *net;			/* the network's inspect reply; NULL: none */
	cJSON *info[CLUSTER_MAX_NODES]; /* each node's inspect reply; NULL: none */
	const struct rd_kafka_metadata *md[CLUSTER_MAX_NODES]; /* via each published port */
	char table[PATH_MAX];				       /* the cluster's table path */
	struct kshim_table t;  /* loaded when table_err.msg is empty */
	kshim_err_t table_err; /* why the table could not be loaded */
	int table_reported;    /* a layer has already failed on it */
	/* A Service attached in Kubernetes (kube set): its record, the API, its
	 * pods and the forwards; c is filled from the table, as an attached one. */
	int kube;
	struct kube_record rec;
	kube_t *k;	       /* NULL until the api layer passes */
	struct kube_service s; /* read by the pods layer */
	struct kube_forward f[KUBE_MAX_PODS];
	int nf;
};

/* A layer's check returns 0 when the layer passes (note says what it saw), -1
 * with a one-line cause and the fix (the hint) in err when it fails, or one of
 * these with the reason in note. */
#define DOCTOR_NA 1   /* does not apply to this cluster */
#define DOCTOR_SKIP 2 /* cannot be checked because of a failure reported earlier */
typedef int (*doctor_check_fn)(struct doctor *dr, char *note, size_t len, kshim_err_t *err);

/* docker.c: what Docker says about the daemon, network, containers and ports. */
int doctor_daemon(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_network(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_containers(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_ports(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
/* inside.c: name resolution and listening sockets inside each container. */
int doctor_dns(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_listeners(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
/* kafka.c: Kafka's answers and the table. */
int doctor_kafka(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_advertised(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_table(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
/* shim.c: the names through the shim, checked by kshim itself run under it. */
int doctor_shim(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
/* kube.c: a Service in Kubernetes: the API, RBAC, pods, forwarder, forwards, advertised names. */
int doctor_kube_api(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_kube_rbac(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_kube_pods(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_kube_forwarder(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_kube_forwards(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
int doctor_kube_advertised(struct doctor *dr, char *note, size_t len, kshim_err_t *err);
/* The helper mode run under the shim: kshim doctor --shim-probe NAME:PORT... */
int doctor_shim_probe(int argc, char **argv);

/* Appends "; " (unless buf is empty) and the formatted text to buf. */
void doctor_append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Node i's endpoint on the cluster network in its inspect reply; NULL: not attached. */
const cJSON *doctor_endpoint(const struct doctor *dr, int i);
/* The fix for an attached cluster whose containers or network are gone: start
 * them again (the compose project, when there is one), then resync; -1. */
int doctor_attached_hint(const struct doctor *dr, kshim_err_t *err);
/* Whether table t maps host:port. */
int doctor_mapped(const struct kshim_table *t, const char *host, int port);
/* Fails with the table's problem the first time; DOCTOR_SKIP after that. */
int doctor_no_table(struct doctor *dr, char *note, size_t len, kshim_err_t *err);

#endif
