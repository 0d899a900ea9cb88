/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness: brokers that answer Kafka Metadata requests listing the whole cluster. */
#ifndef KSHIM_READY_H
#define KSHIM_READY_H

#include "cluster.h"
#include "engine/docker.h"
#include "error.h"

/* Waits until the broker behind each node's published port lists all c->n
 * brokers under their advertised names. Fails at once when a container stops,
 * and after timeout_s; both print every node's state and last log lines. */
int ready_wait(docker_t *d, const struct cluster *c, int timeout_s, kshim_err_t *err);

/* One Metadata request to the broker published on addr:port (IPv4, host order);
 * *brokers gets how many brokers it lists. */
int ready_probe(uint32_t addr, unsigned port, int timeout_ms, int *brokers, kshim_err_t *err);

struct rd_kafka_metadata;
struct rd_kafka_metadata_broker;

/* One Metadata request (after ApiVersions) through bootstrap ("host:port"), by a
 * client that connects to no other broker. Free *md with rd_kafka_metadata_destroy. */
int ready_metadata(const char *bootstrap, int timeout_ms, const struct rd_kafka_metadata **md,
		   kshim_err_t *err);

/* Whether broker b advertises what node b->id of c should: kafka<id>:9092, or
 * localhost:<its published port> in localhost mode. */
int ready_advertised(const struct cluster *c, const struct rd_kafka_metadata_broker *b);

/* How every later probe of this process speaks to EXTERNAL: protocol as Kafka
 * names it; the CA file (TLS), the SASL mechanism, user and password, or NULL.
 * Probes reach brokers by 127.0.0.1:<port>, a name no certificate carries, so
 * they check the chain against the CA but not the host name. The strings must
 * outlive the probes. */
void ready_security(const char *protocol, const char *ca, const char *mechanism, const char *user,
		    const char *password);

/* librdkafka before 2.6.1 repeats the client nonce in SCRAM's final message,
 * which Kafka 4 refuses. With such a librdkafka linked (rd_kafka_version() at
 * run time), a SCRAM cluster is probed from inside its network instead: 1 then.
 * Its brokers enable no mechanism the user did not ask for, so no probe sends a
 * password in cleartext. */
int ready_inside(const struct cluster *c);

/* What one broker's Metadata lists, as Kafka's own tools see it inside c's
 * network; answers: the broker answered them too. */
struct ready_listing {
	int n;
	struct ready_broker {
		int id, port, answers;
		char host[64];
	} b[CLUSTER_MAX_NODES];
};

/* Runs kafka-broker-api-versions.sh in node i's container against its EXTERNAL
 * listener, signing in with SCRAM as the cluster's user (FLAVOR_PROBE_PROPS),
 * and reads the brokers it lists. A JVM: seconds, not milliseconds. */
int ready_list_inside(docker_t *d, const struct cluster *c, int i, struct ready_listing *l,
		      kshim_err_t *err);
/* The lines of kafka-broker-api-versions.sh's output that name brokers
 * ("kafka1:9092 (id: 1 rack: null) -> (" or "... -> ERROR: ..."), into l. */
void ready_parse_listing(const char *out, struct ready_listing *l);
/* Whether listed broker b advertises what node b->id of c should. */
int ready_listed_as_expected(const struct cluster *c, const struct ready_broker *b);
/* How many brokers of l are as expected and answered (brokers advertising
 * localhost cannot be reached from inside: listed is enough for them). */
int ready_listing_good(const struct cluster *c, const struct ready_listing *l);
/* The librdkafka version linked, "2.0.2". */
const char *ready_librdkafka(void);

/* Whether addr:port (IPv4, host order) accepts a TCP connection within timeout_ms. */
int ready_tcp(uint32_t addr, unsigned port, int timeout_ms);

#endif
