/* SPDX-License-Identifier: Apache-2.0 */
/* Forwards checked from outside the forwarder: a connect, then Metadata. */
#include "health.h"

#include <stdio.h>
#include <string.h>

#include "../ready.h"
#include "../table_store.h"

#define LOOPBACK 0x7f000001u
#define TCP_MS 1000
#define KAFKA_MS 3000

/* The host's Kafka port: 9092 when forwarded, else the first (as the forwarder probes). */
static const struct kshim_port *
kafka_port(const struct kshim_host *h)
{
	const struct kshim_port *p = kshim_host_find_port(h, KAFKA_PORT);

	return p ? p : h->nports ? &h->ports[0] : NULL;
}

static void
check(struct kube_forward *f, const struct kshim_host *h)
{
	kshim_err_t e = {0};

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", h->names[0]);
	snprintf(f->pod, sizeof(f->pod), "%.*s", (int)strcspn(h->names[0], "."), h->names[0]);
	f->port = kafka_port(h)->port;
	f->lport = kafka_port(h)->host_port;
	f->tcp = ready_tcp(LOOPBACK, f->lport, TCP_MS);
	f->kafka = f->tcp && ready_probe(LOOPBACK, f->lport, KAFKA_MS, &f->brokers, &e) == 0;
}

int
kube_forwards(const char *path, const struct kube_record *r, struct kube_forward *f, int *n,
	      kshim_err_t *err)
{
	struct kshim_table t = {0};
	char service[300];

	*n = 0;
	if (table_store_load_strict(path, &t, err) < 0)
		return -1;
	snprintf(service, sizeof(service), "%s.%s.svc.%s", r->service, r->ns, r->domain);
	for (int i = 0; i < t.nhosts && *n < KUBE_MAX_PODS; i++)
		if (t.hosts[i].nports && strcmp(t.hosts[i].names[0], service) != 0)
			check(&f[(*n)++], &t.hosts[i]);
	kshim_table_free(&t);
	return 0;
}

const char *
kube_pod_state(const struct kube_service *s, const char *pod)
{
	for (int i = 0; i < s->npods; i++) {
		const struct kube_pod *p = &s->pod[i];
		if (strcmp(p->hostname, pod) != 0 && strcmp(p->name, pod) != 0)
			continue;
		return p->deleting ? "deleting" : p->ready ? "ready" : "not ready";
	}
	return "gone";
}

int
kube_table_cluster(const char *name, const char *path, struct cluster *c, kshim_err_t *err)
{
	struct kshim_table t = {0};

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->mode = ADVERTISE_INTERNAL;
	c->attached = 1;
	if (table_store_load_strict(path, &t, err) < 0)
		return -1;
	for (int i = 1; i < t.nhosts && c->n < CLUSTER_MAX_NODES; i++, c->n++) {
		struct cluster_node *node = &c->node[c->n];
		const struct kshim_port *p = kafka_port(&t.hosts[i]);

		snprintf(node->name, sizeof(node->name), "%s", t.hosts[i].names[0]);
		node->port = p ? p->port : KAFKA_PORT;
		node->host_port = p ? p->host_port : 0;
	}
	kshim_table_free(&t);
	return 0;
}
