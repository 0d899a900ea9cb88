/* SPDX-License-Identifier: Apache-2.0 */
/* Doctor layers about Kafka and the table: each broker answers through its
 * published port, advertises what the table maps (and, with --tls, holds a
 * certificate for that name from the cluster's CA), and the table matches Docker. */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"
#include "../lib/ready.h"
#include "../lib/secrets.h"
#include "../lib/tls.h"

#define KAFKA_TIMEOUT_MS 5000

/* doctor_kafka for a cluster probed inside its network (ready_inside): node 1
 * lists every broker under its advertised name, each answering. */
static void
kafka_inside(struct doctor *dr, char *cause, size_t len)
{
	struct ready_listing l;
	kshim_err_t e = {0};
	int good;

	if (ready_list_inside(dr->d, &dr->c, 0, &l, &e) < 0) {
		doctor_append(cause, len, "%s", e.msg);
		return;
	}
	good = ready_listing_good(&dr->c, &l);
	if (good != dr->c.n || l.n != dr->c.n)
		doctor_append(cause, len, "%s lists %d brokers, %d answering as expected, of %d",
			      dr->c.node[0].name, l.n, good, dr->c.n);
}

int
doctor_kafka(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	char cause[512] = "";

	if (secrets_use_for_probes(c, err) < 0)
		return -1;
	if (ready_inside(c))
		kafka_inside(dr, cause, sizeof(cause));
	for (int i = 0; i < c->n && !ready_inside(c); i++) {
		char bootstrap[32];
		kshim_err_t e = {0};

		cluster_node_address(c, i, bootstrap, sizeof(bootstrap));
		if (ready_metadata(bootstrap, KAFKA_TIMEOUT_MS, &dr->md[i], &e) < 0)
			doctor_append(cause, sizeof(cause), "%s: %s", c->node[i].name, e.msg);
		else if (dr->md[i]->broker_cnt != c->n)
			doctor_append(cause, sizeof(cause), "%s lists %d of %d brokers",
				      c->node[i].name, dr->md[i]->broker_cnt, c->n);
	}
	if (!cause[0]) {
		snprintf(note, len, "each broker answers ApiVersions and Metadata listing all %d%s",
			 c->n,
			 ready_inside(c) ? " (inside the network, with SCRAM: see kshim up's note)"
					 : "");
		return 0;
	}
	kshim_fail(err, ETIMEDOUT, "%s", cause);
	return kshim_hint(err, "the brokers' logs say why: kshim logs --name %s --tail 50",
			  dr->name);
}

int
doctor_mapped(const struct kshim_table *t, const char *host, int port)
{
	const struct kshim_host *h = kshim_table_find_name(t, host);

	return h && port > 0 && port < 65536 && kshim_host_find_port(h, (uint16_t)port);
}

/* Node i's certificate, as its container holds it, for a client reaching it as host. */
static int
check_cert(struct doctor *dr, int i, const char *ca, const char *host, kshim_err_t *err)
{
	static const char *const cat[] = {"cat", FLAVOR_SECRETS_DIR "/" FLAVOR_KEYSTORE, NULL};
	static char keystore[16384];
	int code;

	if (docker_exec(dr->d, dr->c.node[i].id, cat, keystore, sizeof(keystore), &code, err) < 0)
		return -1;
	if (code != 0)
		return kshim_fail(err, ENOENT, "%s has no %s/%s", dr->c.node[i].name,
				  FLAVOR_SECRETS_DIR, FLAVOR_KEYSTORE);
	if (tls_check(keystore, ca, host, time(NULL), err) == 0)
		return 0;
	kshim_wrap(err, "%s", dr->c.node[i].name);
	if (dr->c.mode == ADVERTISE_LOCALHOST && strstr(err->msg, "does not name"))
		kshim_hint(err,
			   "localhost mode needs localhost in the certificates: kshim down "
			   "--name %s, then up with --tls --tls-san localhost",
			   dr->name);
	return -1;
}

/* With --tls: each broker's certificate names what it advertises, is valid, and
 * was signed by the CA that kshim config hands to clients. */
static int
check_certs(struct doctor *dr, kshim_err_t *err)
{
	char *ca = secrets_read(dr->name, SECRETS_CA, err);
	int rc = ca ? 0 : -1;

	if (!ca)
		return kshim_hint(err,
				  "the cluster's secrets are gone: kshim down --name %s, then "
				  "up again",
				  dr->name);
	for (int i = 0; i < dr->c.n && rc == 0; i++)
		rc = check_cert(dr, i, ca,
				dr->c.mode == ADVERTISE_INTERNAL ? dr->c.node[i].name : "localhost",
				err);
	free(ca);
	return rc;
}

int
doctor_advertised(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	int internal = c->mode == ADVERTISE_INTERNAL;

	if (internal && dr->table_err.msg[0])
		return doctor_no_table(dr, note, len, err);
	for (int i = 0; i < c->n; i++) {
		for (int j = 0; dr->md[i] && j < dr->md[i]->broker_cnt; j++) { /* none inside */
			const struct rd_kafka_metadata_broker *b = &dr->md[i]->brokers[j];

			if (!c->attached && !ready_advertised(c, b)) {
				kshim_fail(err, EPROTO,
					   "broker %d advertises %s:%d, not what kshim "
					   "set up",
					   b->id, b->host, b->port);
				return kshim_hint(err,
						  "its advertised listeners were changed: kshim "
						  "down --name %s && kshim up --name %s",
						  dr->name, dr->name);
			}
			if (internal && !doctor_mapped(&dr->t, b->host, b->port)) {
				kshim_fail(err, ENOENT,
					   "broker %d advertises %s:%d, which table %s "
					   "does not map",
					   b->id, b->host, b->port, dr->table);
				return kshim_hint(err, "rm %s && kshim watch --name %s --once",
						  dr->table, dr->name);
			}
		}
	}
	if (c->tls && check_certs(dr, err) < 0)
		return -1;
	if (c->attached)
		snprintf(note, len, "every advertised host and port is in the table");
	else
		snprintf(note, len,
			 internal ? "brokers advertise kafka1..%d:%d, all in the table"
				  : "brokers advertise localhost:<published port>",
			 c->n, KAFKA_PORT);
	if (c->tls)
		doctor_append(note, len,
			      "their certificates name them, are valid and come from "
			      "the cluster's CA");
	return 0;
}

/* The shim ignores a table that others can write or that another user owns. */
static int
check_owner(struct doctor *dr, kshim_err_t *err)
{
	struct stat st;

	if (stat(dr->table, &st) < 0)
		return kshim_fail(err, errno, "%s: %s", dr->table, strerror(errno));
	if (st.st_uid == geteuid() && !(st.st_mode & 022))
		return 0;
	kshim_fail(err, EPERM, "the shim ignores %s: it is %s (mode %04o, owner uid %u)", dr->table,
		   st.st_uid != geteuid() ? "owned by another user" : "writable by others",
		   (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	return kshim_hint(err, "chmod 600 %s%s", dr->table,
			  st.st_uid != geteuid() ? " and make it yours (chown)" : "");
}

int
doctor_table(struct doctor *dr, char *note, size_t len, kshim_err_t *err)
{
	const struct cluster *c = &dr->c;
	char cause[512] = "";
	int absent = 0;

	if (c->mode != ADVERTISE_INTERNAL) {
		snprintf(note, len, "the cluster advertises localhost: no table is used");
		return DOCTOR_NA;
	}
	if (dr->table_err.msg[0])
		return doctor_no_table(dr, note, len, err);
	if (check_owner(dr, err) < 0)
		return -1;
	for (int i = 0; i < c->n; i++) {
		const struct cluster_node *node = &c->node[i];
		const struct kshim_host *h = kshim_table_find_name(&dr->t, node->name);
		const struct kshim_port *p = h ? kshim_host_find_port(h, node->port) : NULL;

		if (!p && ++absent)
			doctor_append(cause, sizeof(cause), "the table has no %s:%u", node->name,
				      node->port);
		else if (node->host_port && (p->host_port != node->host_port ||
					     (!c->attached && p->host_addr != c->publish_addr))) {
			char where[32];
			cluster_node_address(c, i, where, sizeof(where));
			doctor_append(
			    cause, sizeof(cause),
			    "the table sends %s:%u to %u.%u.%u.%u:%u, Docker publishes it "
			    "on %s",
			    node->name, node->port, p->host_addr >> 24, (p->host_addr >> 16) & 255,
			    (p->host_addr >> 8) & 255, p->host_addr & 255, p->host_port, where);
		}
	}
	if (!cause[0]) {
		snprintf(note, len, "%s matches Docker's ports", dr->table);
		return 0;
	}
	kshim_fail(err, ESTALE, "%s", cause);
	if (absent)
		return kshim_hint(err, "rm %s && kshim watch --name %s --once", dr->table,
				  dr->name);
	return kshim_hint(err,
			  "kshim watch --name %s --once rewrites it; 'kshim watch --name %s' "
			  "keeps it current as brokers restart",
			  dr->name, dr->name);
}
