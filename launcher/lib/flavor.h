/* How each Kafka image flavour is configured: the environment of node i of an
 * N-node KRaft cluster (every node broker and controller). */
#ifndef KSHIM_FLAVOR_H
#define KSHIM_FLAVOR_H

#include <cjson/cJSON.h>

#include "error.h"

/* Node i is reached as kafka<i> on the cluster network; ports as in flavor.c's rules. */
#define KAFKA_NODE_FMT "kafka%d"
#define KAFKA_PORT 9092
/* up --localhost-listener: a second client listener, HOST, advertising localhost. */
#define KAFKA_HOST_PORT 29092

enum flavor { FLAVOR_APACHE, FLAVOR_CONFLUENT, FLAVOR_BITNAMI };
/* internal: brokers advertise kafka<i>:9092; localhost: localhost:<host port>. */
enum advertise { ADVERTISE_INTERNAL, ADVERTISE_LOCALHOST };

struct flavor_node {
	enum flavor flavor;
	enum advertise mode;
	int node; /* 1..n */
	int n;
	unsigned host_port; /* localhost mode: where 9092 is published */
	const char *cluster_id;
	unsigned local_port; /* 0, or where HOST (29092) is published: it advertises localhost */
};

int flavor_parse(const char *name, enum flavor *f, kshim_err_t *err);
const char *flavor_name(enum flavor f);
/* The flavour an image reference suggests (bitnami/..., confluentinc/...), else apache. */
enum flavor flavor_guess(const char *image);
int advertise_parse(const char *name, enum advertise *m, kshim_err_t *err);
const char *advertise_name(enum advertise m);

/* The container's Env: a JSON array of "NAME=value". */
int flavor_env(const struct flavor_node *fn, cJSON **env, kshim_err_t *err);

#endif
