/* Cluster configuration per image flavour, as one table of rules. */
#include "flavor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct flavor_def {
	const char *name;
	const char *match;      /* an image reference containing this implies the flavour */
	const char *prefix;     /* of the variable that sets a server property */
	const char *id_vars[2]; /* variables that carry the cluster id */
	const char *data_dir;
	const char *extra; /* one more fixed variable, or NULL */
} flavors[] = {
	/* apache/kafka: KafkaDockerWrapper writes /opt/kafka/config/server.properties. */
	[FLAVOR_APACHE] = {"apache", NULL, "KAFKA_", {"CLUSTER_ID"}, "/var/lib/kafka/data", NULL},
	/* confluentinc/cp-kafka: same variables, written to /etc/kafka/kafka.properties. */
	[FLAVOR_CONFLUENT] = {"confluent", "confluentinc/", "KAFKA_", {"CLUSTER_ID"},
			      "/var/lib/kafka/data", NULL},
	/* bitnami/kafka: 3.x reads KAFKA_KRAFT_CLUSTER_ID, 4.x KAFKA_CLUSTER_ID. */
	[FLAVOR_BITNAMI] = {"bitnami", "bitnami", "KAFKA_CFG_",
			    {"KAFKA_KRAFT_CLUSTER_ID", "KAFKA_CLUSTER_ID"}, "/bitnami/kafka/data",
			    "ALLOW_PLAINTEXT_LISTENER=yes"},
};

enum value { V_FIXED, V_NODE_ID, V_VOTERS, V_ADVERTISED, V_DATA_DIR, V_RF, V_MIN_ISR };

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
	{"listener.security.protocol.map",
	 V_FIXED,
	 {"CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
	  "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT"}},
	{"inter.broker.listener.name", V_FIXED, {"INTERNAL", "INTERNAL"}},
	{"log.dirs", V_DATA_DIR, {0}},
	{"offsets.topic.replication.factor", V_RF, {0}},
	{"transaction.state.log.replication.factor", V_RF, {0}},
	{"transaction.state.log.min.isr", V_MIN_ISR, {0}},
	/* Kafka 4.x; older brokers log these as unknown and go on. */
	{"share.coordinator.state.topic.replication.factor", V_RF, {0}},
	{"share.coordinator.state.topic.min.isr", V_MIN_ISR, {0}},
	{"group.initial.rebalance.delay.ms", V_FIXED, {"0", "0"}},
};

static const char *const modes[] = {[ADVERTISE_INTERNAL] = "internal",
				    [ADVERTISE_LOCALHOST] = "localhost"};

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

static void
rule_value(const struct rule *r, const struct flavor_node *fn, char *buf, size_t len)
{
	int rf = fn->n < 3 ? fn->n : 3, isr = fn->n < 2 ? fn->n : 2;

	switch (r->kind) {
	case V_FIXED:
		snprintf(buf, len, "%s", r->fixed[fn->mode]);
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
 * localhost:<its published port>, beside whatever the rules set. */
static void
host_listener(const struct rule *r, const struct flavor_node *fn, char *buf, size_t len)
{
	size_t used = strlen(buf);

	if (strcmp(r->property, "listeners") == 0)
		snprintf(buf + used, len - used, ",HOST://:%d", KAFKA_HOST_PORT);
	else if (strcmp(r->property, "advertised.listeners") == 0)
		snprintf(buf + used, len - used, ",HOST://localhost:%u", fn->local_port);
	else if (strcmp(r->property, "listener.security.protocol.map") == 0)
		snprintf(buf + used, len - used, ",HOST:PLAINTEXT");
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
