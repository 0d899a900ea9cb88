/* Readiness: brokers that answer Kafka Metadata requests listing the whole cluster. */
#ifndef KSHIM_READY_H
#define KSHIM_READY_H

#include "cluster.h"
#include "kshim/docker.h"
#include "kshim/error.h"

/* Waits until the broker behind each node's published port lists all c->n
 * brokers under their advertised names. Fails at once when a container stops,
 * and after timeout_s; both print every node's state and last log lines. */
int ready_wait(docker_t *d, const struct cluster *c, int timeout_s, kshim_err_t *err);

/* One Metadata request to the broker published on 127.0.0.1:port; *brokers gets
 * how many brokers it lists. */
int ready_probe(unsigned port, int timeout_ms, int *brokers, kshim_err_t *err);

#endif
