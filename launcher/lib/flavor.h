/* SPDX-License-Identifier: Apache-2.0 */
/* How each Kafka image flavour is configured: the environment of node i of an
 * N-node KRaft cluster (every node broker and controller). */
#ifndef KSHIM_FLAVOR_H
#define KSHIM_FLAVOR_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "error.h"

/* Node i is reached as kafka<i> on the cluster network; ports as in flavor.c's rules. */
#define KAFKA_NODE_FMT "kafka%d"
#define KAFKA_PORT 9092
/* up --localhost-listener: a second client listener, HOST, advertising localhost. */
#define KAFKA_HOST_PORT 29092

enum flavor { FLAVOR_APACHE, FLAVOR_CONFLUENT, FLAVOR_BITNAMI };
/* internal: brokers advertise kafka<i>:9092; localhost: localhost:<host port>. */
enum advertise { ADVERTISE_INTERNAL, ADVERTISE_LOCALHOST };

/* How clients authenticate on EXTERNAL: nothing, or SASL with one mechanism. */
enum sasl { SASL_NONE, SASL_PLAIN, SASL_SCRAM };

/* Where kshim puts a node's files in the container (apache flavour): the
 * official image's secrets volume, and its mounted-config directory, whose
 * server.properties the image's configuration step puts before the KAFKA_*
 * properties. */
#define FLAVOR_SECRETS_REL "etc/kafka/secrets" /* relative to the root */
#define FLAVOR_SECRETS_DIR "/" FLAVOR_SECRETS_REL
#define FLAVOR_KEYSTORE "kafka.keystore.pem"
#define FLAVOR_CA "ca.crt"
#define FLAVOR_FORMAT_PROPS "format.properties"
#define FLAVOR_FORMAT_ARGS "format.args"
#define FLAVOR_PROBE_PROPS "probe.properties" /* SCRAM: the user's, for probes inside */
#define FLAVOR_MOUNTED_PROPS_REL "mnt/shared/config/server.properties"

struct flavor_node {
	enum flavor flavor;
	enum advertise mode;
	int node; /* 1..n */
	int n;
	unsigned host_port; /* localhost mode: where 9092 is published */
	const char *cluster_id;
	int tls;	     /* EXTERNAL speaks TLS */
	enum sasl sasl;	     /* and authenticates clients so */
	unsigned local_port; /* 0, or where HOST (29092) is published: it advertises localhost */
};

int flavor_parse(const char *name, enum flavor *f, kshim_err_t *err);
const char *flavor_name(enum flavor f);
/* The flavour an image reference suggests (bitnami/..., confluentinc/...), else apache. */
enum flavor flavor_guess(const char *image);
int advertise_parse(const char *name, enum advertise *m, kshim_err_t *err);
const char *advertise_name(enum advertise m);

int sasl_parse(const char *name, enum sasl *s, kshim_err_t *err);
/* "none", "plain", "scram-sha-512" */
const char *sasl_name(enum sasl s);
/* Kafka's name: "PLAIN", "SCRAM-SHA-512" ("" for none). */
const char *sasl_mechanism(enum sasl s);
/* PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
const char *flavor_protocol(int tls, enum sasl s);
/* Fails unless flavour f can run EXTERNAL with TLS or SASL (only apache can). */
int flavor_secure_check(enum flavor f, kshim_err_t *err);

/* The container's Env: a JSON array of "NAME=value". */
int flavor_env(const struct flavor_node *fn, cJSON **env, kshim_err_t *err);
/* The container's Cmd: NULL (the image's own) but for SCRAM, whose users go in
 * when storage is formatted: kafka-storage format --add-scram before the
 * image's entry point, which then finds the storage formatted. The format
 * step's class and arguments are in a Java argument file (FLAVOR_FORMAT_ARGS),
 * so that no password is in a command line that ps shows. */
cJSON *flavor_cmd(const struct flavor_node *fn);
/* That argument file, for user and password. */
int flavor_format_args(const struct flavor_node *fn, const char *user, const char *password,
		       char *buf, size_t len, kshim_err_t *err);
/* A SCRAM client's settings for Kafka's own tools in the container, signing in
 * on EXTERNAL as user (FLAVOR_PROBE_PROPS; see ready_list_inside). */
int flavor_probe_properties(const struct flavor_node *fn, const char *user, const char *password,
			    char *buf, size_t len, kshim_err_t *err);
/* The properties of flavor_env as a properties file (for that format step). */
int flavor_properties(const struct flavor_node *fn, char *buf, size_t len, kshim_err_t *err);
struct flavor_secrets {
	const char *key_password;    /* of the PEM keys */
	const char *user, *password; /* PLAIN's user (SCRAM's go in at format time) */
};
/* The secret properties, for FLAVOR_MOUNTED_PROPS_REL: the key's password and
 * the JAAS configuration (PLAIN's users and passwords). */
int flavor_secret_properties(const struct flavor_node *fn, const struct flavor_secrets *sec,
			     char *buf, size_t len, kshim_err_t *err);

#endif
