/* SPDX-License-Identifier: Apache-2.0 */
/* Cluster configuration per image flavour, as one table of rules. */
#include "flavor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct flavor_def {
	const char *name;
	const char *match;	/* an image reference containing this implies the flavour */
	const char *prefix;	/* of the variable that sets a server property */
	const char *id_vars[2]; /* variables that carry the cluster id */
	const char *data_dir;
	const char *extra; /* one more fixed variable, or NULL */
} flavors[] = {
    /* apache/kafka: KafkaDockerWrapper writes /opt/kafka/config/server.properties. */
    [FLAVOR_APACHE] = {"apache", NULL, "KAFKA_", {"CLUSTER_ID"}, "/var/lib/kafka/data", NULL},
    /* confluentinc/cp-kafka: same variables, written to /etc/kafka/kafka.properties. */
    [FLAVOR_CONFLUENT] =
	{"confluent", "confluentinc/", "KAFKA_", {"CLUSTER_ID"}, "/var/lib/kafka/data", NULL},
    /* bitnami/kafka: 3.x reads KAFKA_KRAFT_CLUSTER_ID, 4.x KAFKA_CLUSTER_ID. */
    [FLAVOR_BITNAMI] = {"bitnami",
			"bitnami",
			"KAFKA_CFG_",
			{"KAFKA_KRAFT_CLUSTER_ID", "KAFKA_CLUSTER_ID"},
			"/bitnami/kafka/data",
			"ALLOW_PLAINTEXT_LISTENER=yes"},
};

enum value {
	V_FIXED,
	V_NODE_ID,
	V_VOTERS,
	V_ADVERTISED,
	V_PROTOCOLS,
	V_DATA_DIR,
	V_RF,
	V_MIN_ISR,
	V_TLS,	/* V_FIXED, only with TLS */
	V_SASL, /* the mechanism, only with SASL */
};

static const struct rule {
	const char *property;
	enum value kind;
	const char *fixed[2]; /* V_FIXED: the value by advertise mode */
} rules[] = {
    {"node.id", V_NODE_ID, {0}},
    {"process.roles", V_FIXED, {"broker,controller", "broker,controller"}},
    {"controller.quorum.voters", V_VOTERS, {0}},
    {"controller.listener.names", V_FIXED, {"CONTROLLER", "CONTROLLER"}},
    /* Both modes: clients on EXTERNAL (9092, the published port), replication
     * on INTERNAL (19092), so the two differ only in what EXTERNAL advertises. */
    {"listeners",
     V_FIXED,
     {"INTERNAL://:19092,EXTERNAL://:9092,CONTROLLER://:9093",
      "INTERNAL://:19092,EXTERNAL://:9092,CONTROLLER://:9093"}},
    {"advertised.listeners", V_ADVERTISED, {0}},
    /* TLS and SASL are for clients, on EXTERNAL only. INTERNAL and CONTROLLER
     * are not published and reach only the cluster's own bridge network;
     * encrypting them would cost the brokers' CPU and show nothing a client
     * sees (see README, "TLS and SASL"). */
    {"listener.security.protocol.map", V_PROTOCOLS, {0}},
    {"inter.broker.listener.name", V_FIXED, {"INTERNAL", "INTERNAL"}},
    {"log.dirs", V_DATA_DIR, {0}},
    {"offsets.topic.replication.factor", V_RF, {0}},
    {"transaction.state.log.replication.factor", V_RF, {0}},
    {"transaction.state.log.min.isr", V_MIN_ISR, {0}},
    /* Kafka 4.x; older brokers log these as unknown and go on. */
    {"share.coordinator.state.topic.replication.factor", V_RF, {0}},
    {"share.coordinator.state.topic.min.isr", V_MIN_ISR, {0}},
    {"group.initial.rebalance.delay.ms", V_FIXED, {"0", "0"}},
    /* PEM keystores: no keytool; Kafka wants the key encrypted (ssl.key.password
     * is in the secret properties). */
    {"ssl.keystore.type", V_TLS, {"PEM", "PEM"}},
    {"ssl.keystore.location",
     V_TLS,
     {FLAVOR_SECRETS_DIR "/" FLAVOR_KEYSTORE, FLAVOR_SECRETS_DIR "/" FLAVOR_KEYSTORE}},
    {"listener.name.external.sasl.enabled.mechanisms", V_SASL, {0}},
    {"sasl.enabled.mechanisms", V_SASL, {0}},
};

static const char *const modes[] = {
    [ADVERTISE_INTERNAL] = "internal", [ADVERTISE_LOCALHOST] = "localhost"};
static const char *const sasls[][2] = {[SASL_NONE] = {"none", ""},
				       [SASL_PLAIN] = {"plain", "PLAIN"},
				       [SASL_SCRAM] = {"scram-sha-512", "SCRAM-SHA-512"}};

int
flavor_parse(const char *name, enum flavor *f, kshim_err_t *err)
{
	for (size_t i = 0; i < COUNT(flavors); i++)
		if (strcmp(name, flavors[i].name) == 0) {
			*f = (enum flavor)i;
			return 0;
		}
	kshim_fail(err, KSHIM_EUSAGE, "unknown flavour '%s'", name);
	return kshim_hint(err, "use --flavor apache, confluent or bitnami");
}

const char *
flavor_name(enum flavor f)
{
	return flavors[f].name;
}

enum flavor
flavor_guess(const char *image)
{
	for (size_t i = 0; i < COUNT(flavors); i++)
		if (flavors[i].match && strstr(image, flavors[i].match))
			return (enum flavor)i;
	return FLAVOR_APACHE;
}

int
advertise_parse(const char *name, enum advertise *m, kshim_err_t *err)
{
	for (size_t i = 0; i < COUNT(modes); i++)
		if (strcmp(name, modes[i]) == 0) {
			*m = (enum advertise)i;
			return 0;
		}
	kshim_fail(err, KSHIM_EUSAGE, "unknown advertise mode '%s'", name);
	return kshim_hint(err, "use --advertise internal or --advertise localhost");
}

const char *
advertise_name(enum advertise m)
{
	return modes[m];
}

int
sasl_parse(const char *name, enum sasl *s, kshim_err_t *err)
{
	for (size_t i = 0; i < COUNT(sasls); i++)
		if (strcmp(name, sasls[i][0]) == 0) {
			*s = (enum sasl)i;
			return 0;
		}
	kshim_fail(err, KSHIM_EUSAGE, "unknown SASL mechanism '%s'", name);
	return kshim_hint(err, "use --sasl scram-sha-512 or --sasl plain");
}

const char *
sasl_name(enum sasl s)
{
	return sasls[s][0];
}

const char *
sasl_mechanism(enum sasl s)
{
	return sasls[s][1];
}

const char *
flavor_protocol(int tls, enum sasl s)
{
	if (s == SASL_NONE)
		return tls ? "SSL" : "PLAINTEXT";
	return tls ? "SASL_SSL" : "SASL_PLAINTEXT";
}

int
flavor_secure_check(enum flavor f, kshim_err_t *err)
{
	if (f == FLAVOR_APACHE)
		return 0;
	kshim_fail(err, KSHIM_EUSAGE, "--tls and --sasl need the apache flavour, not %s",
		   flavor_name(f));
	return kshim_hint(err, "they rely on the official image's /etc/kafka/secrets and "
			       "/mnt/shared/config; use apache/kafka or kshim/kafka:local");
}

/* "1@kafka1:9093,2@kafka2:9093,..." */
static void
voters(int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 1; i <= n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%d@" KAFKA_NODE_FMT ":9093",
					 i > 1 ? "," : "", i, i);
}

/* Whether rule r applies to fn at all. */
static int
rule_applies(const struct rule *r, const struct flavor_node *fn)
{
	return (r->kind != V_TLS || fn->tls) && (r->kind != V_SASL || fn->sasl != SASL_NONE);
}

static void
rule_value(const struct rule *r, const struct flavor_node *fn, char *buf, size_t len)
{
	int rf = fn->n < 3 ? fn->n : 3, isr = fn->n < 2 ? fn->n : 2;

	switch (r->kind) {
	case V_FIXED:
	case V_TLS:
		snprintf(buf, len, "%s", r->fixed[fn->mode]);
		break;
	case V_SASL:
		snprintf(buf, len, "%s", sasl_mechanism(fn->sasl));
		break;
	case V_PROTOCOLS:
		snprintf(buf, len, "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:%s",
			 flavor_protocol(fn->tls, fn->sasl));
		break;
	case V_NODE_ID:
		snprintf(buf, len, "%d", fn->node);
		break;
	case V_VOTERS:
		voters(fn->n, buf, len);
		break;
	case V_ADVERTISED:
		if (fn->mode == ADVERTISE_INTERNAL)
			snprintf(buf, len,
				 "INTERNAL://" KAFKA_NODE_FMT ":19092,EXTERNAL://" KAFKA_NODE_FMT
				 ":9092",
				 fn->node, fn->node);
		else
			snprintf(buf, len,
				 "INTERNAL://" KAFKA_NODE_FMT ":19092,EXTERNAL://localhost:%u",
				 fn->node, fn->host_port);
		break;
	case V_DATA_DIR:
		snprintf(buf, len, "%s", flavors[fn->flavor].data_dir);
		break;
	case V_RF:
		snprintf(buf, len, "%d", rf);
		break;
	case V_MIN_ISR:
		snprintf(buf, len, "%d", isr);
		break;
	}
}

/* up --localhost-listener: one more client listener, HOST on 29092, advertising
 * localhost:<its published port>, beside whatever the rules set. With --tls it
 * speaks SSL too, with the same (top-level ssl.*) keystore; up refuses SASL. */
static void
host_listener(const struct rule *r, const struct flavor_node *fn, char *buf, size_t len)
{
	size_t used = strlen(buf);

	if (strcmp(r->property, "listeners") == 0)
		snprintf(buf + used, len - used, ",HOST://:%d", KAFKA_HOST_PORT);
	else if (strcmp(r->property, "advertised.listeners") == 0)
		snprintf(buf + used, len - used, ",HOST://localhost:%u", fn->local_port);
	else if (strcmp(r->property, "listener.security.protocol.map") == 0)
		snprintf(buf + used, len - used, ",HOST:%s", flavor_protocol(fn->tls, SASL_NONE));
}

/* prefix + property upper-cased: '.' -> '_', '_' -> '__', '-' -> '___'. */
static void
env_name(const char *prefix, const char *property, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", prefix);

	for (const char *p = property; *p && used + 4 < len; p++) {
		if (*p == '.' || *p == '_' || *p == '-') {
			int n = *p == '.' ? 1 : *p == '_' ? 2 : 3;
			memset(buf + used, '_', (size_t)n);
			used += (size_t)n;
		} else {
			buf[used++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		}
	}
	buf[used] = '\0';
}

static int
add(cJSON *env, const char *name, const char *value)
{
	char var[4096];

	snprintf(var, sizeof(var), "%s=%s", name, value);
	return cJSON_AddItemToArray(env, cJSON_CreateString(var)) ? 0 : -1;
}

int
flavor_env(const struct flavor_node *fn, cJSON **out, kshim_err_t *err)
{
	const struct flavor_def *f = &flavors[fn->flavor];
	cJSON *env = cJSON_CreateArray();
	char name[128], value[2048];
	int bad = !env;

	for (size_t i = 0; i < COUNT(f->id_vars) && f->id_vars[i] && !bad; i++)
		bad = add(env, f->id_vars[i], fn->cluster_id);
	for (size_t i = 0; i < COUNT(rules) && !bad; i++) {
		if (!rule_applies(&rules[i], fn))
			continue;
		env_name(f->prefix, rules[i].property, name, sizeof(name));
		rule_value(&rules[i], fn, value, sizeof(value));
		if (fn->local_port)
			host_listener(&rules[i], fn, value, sizeof(value));
		bad = add(env, name, value);
	}
	if (!bad && f->extra)
		bad = cJSON_AddItemToArray(env, cJSON_CreateString(f->extra)) ? 0 : -1;
	if (bad) {
		cJSON_Delete(env);
		return kshim_fail(err, ENOMEM, "out of memory");
	}
	*out = env;
	return 0;
}

cJSON *
flavor_cmd(const struct flavor_node *fn)
{
	static const char script[] = "kafka-run-class.sh @" FLAVOR_SECRETS_DIR
				     "/" FLAVOR_FORMAT_ARGS " && exec /etc/kafka/docker/run";
	const char *argv[] = {"bash", "-c", script};

	if (fn->sasl != SASL_SCRAM)
		return NULL;
	return cJSON_CreateStringArray(argv, (int)COUNT(argv));
}

int
flavor_format_args(const struct flavor_node *fn, const char *user, const char *password, char *buf,
		   size_t len, kshim_err_t *err)
{
	int w = snprintf(buf, len,
			 "kafka.tools.StorageTool format --ignore-formatted\n--cluster-id %s\n"
			 "-c " FLAVOR_SECRETS_DIR "/" FLAVOR_FORMAT_PROPS
			 "\n--add-scram \"%s=[name=%s,password=%s]\"\n",
			 fn->cluster_id, sasl_mechanism(fn->sasl), user, password);

	if (w < 0 || (size_t)w >= len)
		return kshim_fail(err, ENOSPC, "node %d's format arguments are too long", fn->node);
	return 0;
}

int
flavor_probe_properties(const struct flavor_node *fn, const char *user, const char *password,
			char *buf, size_t len, kshim_err_t *err)
{
	int w = snprintf(
	    buf, len,
	    "security.protocol=%s\nsasl.mechanism=%s\n"
	    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
	    "required username=\"%s\" password=\"%s\";\n%s",
	    flavor_protocol(fn->tls, fn->sasl), sasl_mechanism(fn->sasl), user, password,
	    fn->tls ? "ssl.truststore.type=PEM\nssl.truststore.location=" FLAVOR_SECRETS_DIR
		      "/" FLAVOR_CA "\n"
		    : "");

	if (w < 0 || (size_t)w >= len)
		return kshim_fail(err, ENOSPC, "node %d's probe settings are too long", fn->node);
	return 0;
}

int
flavor_properties(const struct flavor_node *fn, char *buf, size_t len, kshim_err_t *err)
{
	size_t used = 0;
	char value[2048];

	for (size_t i = 0; i < COUNT(rules); i++) {
		int w;
		if (!rule_applies(&rules[i], fn))
			continue;
		rule_value(&rules[i], fn, value, sizeof(value));
		w = snprintf(buf + used, len - used, "%s=%s\n", rules[i].property, value);
		if (w < 0 || (size_t)w >= len - used)
			return kshim_fail(err, ENOSPC, "node %d's properties are too long",
					  fn->node);
		used += (size_t)w;
	}
	return 0;
}

int
flavor_secret_properties(const struct flavor_node *fn, const struct flavor_secrets *sec, char *buf,
			 size_t len, kshim_err_t *err)
{
	int w = 0, used = 0;

	buf[0] = '\0';
	if (fn->tls)
		used = snprintf(buf, len, "ssl.key.password=%s\n", sec->key_password);
	if (fn->sasl == SASL_SCRAM && used >= 0 && (size_t)used < len) {
		w = snprintf(buf + used, len - (size_t)used, "%s",
			     "listener.name.external.scram-sha-512.sasl.jaas.config="
			     "org.apache.kafka.common.security.scram.ScramLoginModule required;\n");
		used = w < 0 ? -1 : used + w;
	}
	if (fn->sasl == SASL_PLAIN && used >= 0 && (size_t)used < len)
		w = snprintf(buf + used, len - (size_t)used,
			     "listener.name.external.plain.sasl.jaas.config="
			     "org.apache.kafka.common.security.plain.PlainLoginModule required "
			     "user_%s=\"%s\";\n",
			     sec->user, sec->password);
	if (used < 0 || w < 0 || (size_t)used + (size_t)w >= len)
		return kshim_fail(err, ENOSPC, "node %d's secret properties are too long",
				  fn->node);
	return 0;
}
