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

/* Whether addr:port (IPv4, host order) accepts a TCP connection within timeout_ms. */
int ready_tcp(uint32_t addr, unsigned port, int timeout_ms);

#endif
