/* SPDX-License-Identifier: Apache-2.0 */
/* kshim config: ready-to-use client settings for a cluster, in each client's own names. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/cluster.h"
#include "lib/kube/health.h"
#include "lib/paths.h"
#include "lib/secrets.h"

const char config_usage[] =
    "usage: kshim config [--name CLUSTER] [--client librdkafka|java|python|node]\n"
    "  librdkafka: properties for kcat -F and librdkafka clients; java: a .properties file;\n"
    "  python: kafka-python's keyword arguments as JSON; node: a kafkajs config as JSON\n";

static const char *const clients[] = {
    [CLIENT_LIBRDKAFKA] = "librdkafka",
    [CLIENT_JAVA] = "java",
    [CLIENT_PYTHON] = "python",
    [CLIENT_NODE] = "node",
};

static int
client_parse(const char *name, enum config_client *out, kshim_err_t *err)
{
	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
		if (strcmp(name, clients[i]) == 0) {
			*out = (enum config_client)i;
			return 0;
		}
	kshim_fail(err, KSHIM_EUSAGE, "config: unknown client '%s'", name);
	return kshim_hint(err, "use --client librdkafka, java, python or node");
}

int
config_parse(int argc, char **argv, struct config_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"client", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct config_options){.name = KSHIM_DEFAULT_CLUSTER};
	cli_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_opt_name(optarg, &o->name, err) < 0)
				return -1;
			break;
		case 'c':
			if (client_parse(optarg, &o->client, err) < 0)
				return -1;
			break;
		case 'h':
			return cli_help(config_usage);
		default:
			return cli_bad_option(c, argc, argv, err);
		}
	}
	return cli_no_more_args(argc, argv, err);
}

/* Everything a client needs to know about the cluster. */
struct settings {
	char bootstrap[CLUSTER_MAX_NODES][KSHIM_NAME_MAX + 8];
	int n;
	const char *protocol, *mechanism; /* mechanism NULL without SASL */
	char ca[PATH_MAX];		  /* "" without TLS */
	char credentials[PATH_MAX];
	struct secrets s;
};

static int
gather(const struct cluster *c, struct settings *st, kshim_err_t *err)
{
	memset(st, 0, sizeof(*st));
	st->n = c->n;
	for (int i = 0; i < c->n; i++) {
		if (c->mode == ADVERTISE_INTERNAL)
			snprintf(st->bootstrap[i], sizeof(st->bootstrap[i]), "%s:%d",
				 c->node[i].name, c->node[i].port ? c->node[i].port : KAFKA_PORT);
		else
			snprintf(st->bootstrap[i], sizeof(st->bootstrap[i]), "localhost:%u",
				 c->node[i].host_port);
	}
	st->protocol = flavor_protocol(c->tls, c->sasl);
	if (c->tls && secrets_path(c->name, SECRETS_CA, st->ca, sizeof(st->ca), err) < 0)
		return -1;
	if (c->sasl == SASL_NONE)
		return 0;
	st->mechanism = sasl_mechanism(c->sasl);
	if (secrets_path(c->name, SECRETS_CREDENTIALS, st->credentials, sizeof(st->credentials),
			 err) < 0 ||
	    secrets_load(c->name, &st->s, err) < 0)
		return kshim_hint(err,
				  "the cluster's secrets are gone: kshim down --name %s, then "
				  "up again",
				  c->name);
	return 0;
}

static void
print_bootstrap(const struct settings *st, const char *key)
{
	printf("%s=", key);
	for (int i = 0; i < st->n; i++)
		printf("%s%s", i ? "," : "", st->bootstrap[i]);
	putchar('\n');
}

static void
print_librdkafka(const struct settings *st)
{
	print_bootstrap(st, "bootstrap.servers");
	if (!strcmp(st->protocol, "PLAINTEXT"))
		return;
	printf("security.protocol=%s\n", st->protocol);
	if (st->ca[0])
		printf("ssl.ca.location=%s\nssl.endpoint.identification.algorithm=https\n", st->ca);
	if (st->mechanism)
		printf("sasl.mechanism=%s\nsasl.username=%s\nsasl.password=%s\n", st->mechanism,
		       st->s.user, st->s.password);
}

static void
print_java(const struct settings *st)
{
	print_bootstrap(st, "bootstrap.servers");
	if (!strcmp(st->protocol, "PLAINTEXT"))
		return;
	printf("security.protocol=%s\n", st->protocol);
	/* PEM truststores: Kafka 2.7 and later. */
	if (st->ca[0])
		printf("ssl.truststore.type=PEM\nssl.truststore.location=%s\n"
		       "ssl.endpoint.identification.algorithm=https\n",
		       st->ca);
	if (st->mechanism)
		printf("sasl.mechanism=%s\nsasl.jaas.config=org.apache.kafka.common.security.%s "
		       "required username=\"%s\" password=\"%s\";\n",
		       st->mechanism,
		       strcmp(st->mechanism, "PLAIN") == 0 ? "plain.PlainLoginModule"
							   : "scram.ScramLoginModule",
		       st->s.user, st->s.password);
}

static cJSON *
brokers_array(const struct settings *st)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < st->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(st->bootstrap[i]));
	return a;
}

/* kafka-python's KafkaProducer / KafkaConsumer keyword arguments. */
static cJSON *
python_json(const struct settings *st)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "bootstrap_servers", brokers_array(st));
	if (!strcmp(st->protocol, "PLAINTEXT"))
		return o;
	cJSON_AddStringToObject(o, "security_protocol", st->protocol);
	if (st->ca[0]) {
		cJSON_AddStringToObject(o, "ssl_cafile", st->ca);
		cJSON_AddTrueToObject(o, "ssl_check_hostname");
	}
	if (st->mechanism) {
		cJSON_AddStringToObject(o, "sasl_mechanism", st->mechanism);
		cJSON_AddStringToObject(o, "sasl_plain_username", st->s.user);
		cJSON_AddStringToObject(o, "sasl_plain_password", st->s.password);
	}
	return o;
}

/* A kafkajs config; kafkajs takes the CA's text, not its path. */
static int
node_json(const struct settings *st, cJSON **out, kshim_err_t *err)
{
	cJSON *o = cJSON_CreateObject(), *sasl;

	cJSON_AddItemToObject(o, "brokers", brokers_array(st));
	if (st->ca[0]) {
		char pem[16384];
		FILE *f = fopen(st->ca, "re");
		size_t n = f ? fread(pem, 1, sizeof(pem) - 1, f) : 0;
		if (f)
			fclose(f);
		if (!n) {
			cJSON_Delete(o);
			return kshim_fail(err, errno ? errno : EIO, "cannot read %s", st->ca);
		}
		pem[n] = '\0';
		cJSON_AddItemToArray(
		    cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "ssl"), "ca"),
		    cJSON_CreateString(pem));
	}
	if (st->mechanism) {
		char mech[32];
		size_t i;
		for (i = 0; st->mechanism[i] && i < sizeof(mech) - 1; i++)
			mech[i] = (char)(st->mechanism[i] | 0x20); /* kafkajs: lower case */
		mech[i] = '\0';
		sasl = cJSON_AddObjectToObject(o, "sasl");
		cJSON_AddStringToObject(sasl, "mechanism", mech);
		cJSON_AddStringToObject(sasl, "username", st->s.user);
		cJSON_AddStringToObject(sasl, "password", st->s.password);
	}
	*out = o;
	return 0;
}

static int
print_settings(const struct cluster *c, enum config_client client, kshim_err_t *err)
{
	struct settings st;
	cJSON *o = NULL;

	if (gather(c, &st, err) < 0)
		return -1;
	switch (client) {
	case CLIENT_LIBRDKAFKA:
	case CLIENT_JAVA:
		printf("# kshim cluster %s (%s)%s%s\n", c->name, st.protocol,
		       st.mechanism ? "; the password is that of " : "",
		       st.mechanism ? st.credentials : "");
		(client == CLIENT_JAVA ? print_java : print_librdkafka)(&st);
		return 0;
	case CLIENT_PYTHON:
		o = python_json(&st);
		break;
	case CLIENT_NODE:
		if (node_json(&st, &o, err) < 0)
			return -1;
		break;
	}
	return cli_print_json(o) < 0 ? kshim_fail(err, ENOMEM, "out of memory") : 0;
}

/* A Service attached in Kubernetes: its pods, from its table. */
static int
kube_cluster(const char *name, struct cluster *c, kshim_err_t *err)
{
	char path[PATH_MAX];

	if (kshim_table_path(name, path, sizeof(path), 0, err) < 0 ||
	    kube_table_cluster(name, path, c, err) < 0)
		return -1;
	return 0;
}

int
cmd_config(int argc, char **argv, kshim_err_t *err)
{
	struct config_options o;
	struct kube_record r;
	static struct cluster c;
	int rc, kube;
	docker_t *d;

	if ((rc = config_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (kube_record_read(o.name, &r, &kube, err) < 0)
		return -1;
	if (kube)
		return kube_cluster(o.name, &c, err) < 0 ? -1 : print_settings(&c, o.client, err);
	if (docker_open(&d, err) < 0)
		return -1;
	rc = cluster_load(d, o.name, &c, err);
	docker_close(d);
	if (rc < 0)
		return -1;
	return print_settings(&c, o.client, err);
}
