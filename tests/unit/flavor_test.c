/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the flavour rules: each image flavour's container environment, and names. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/flavor.h"

/* The environment of fn, one "NAME=value" per line, in order. */
static char *
env_text(const struct flavor_node *fn)
{
	static char buf[8192];
	kshim_err_t err = {0};
	const cJSON *v;
	cJSON *env = NULL;
	size_t used = 0;

	buf[0] = '\0';
	if (flavor_env(fn, &env, &err) < 0)
		return buf;
	cJSON_ArrayForEach(v, env) used +=
	    (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\n", cJSON_GetStringValue(v));
	cJSON_Delete(env);
	return buf;
}

/* Whether text has the line "line". */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static int
count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void
test_apache_internal(void)
{
	struct flavor_node fn = {
	    FLAVOR_APACHE, ADVERTISE_INTERNAL, 2, 3, 0, "abcdefghijklmnopqrstuv", 0, SASL_NONE, 0};
	const char *want =
	    "CLUSTER_ID=abcdefghijklmnopqrstuv\n"
	    "KAFKA_NODE_ID=2\n"
	    "KAFKA_PROCESS_ROLES=broker,controller\n"
	    "KAFKA_CONTROLLER_QUORUM_VOTERS=1@kafka1:9093,2@kafka2:9093,3@kafka3:9093\n"
	    "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER\n"
	    "KAFKA_LISTENERS=INTERNAL://:19092,EXTERNAL://:9092,CONTROLLER://:9093\n"
	    "KAFKA_ADVERTISED_LISTENERS=INTERNAL://kafka2:19092,EXTERNAL://kafka2:9092\n"
	    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,INTERNAL:"
	    "PLAINTEXT,EXTERNAL:PLAINTEXT\n"
	    "KAFKA_INTER_BROKER_LISTENER_NAME=INTERNAL\n"
	    "KAFKA_LOG_DIRS=/var/lib/kafka/data\n"
	    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3\n"
	    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=3\n"
	    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=2\n"
	    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR=3\n"
	    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR=2\n"
	    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0\n";
	const char *got = env_text(&fn);

	CHECK(strcmp(got, want) == 0, "apache, internal, node 2 of 3: the whole environment%s%s",
	      strcmp(got, want) ? ":\n" : "", strcmp(got, want) ? got : "");
}

static void
test_sizes(void)
{
	struct flavor_node fn = {FLAVOR_APACHE, ADVERTISE_INTERNAL, 1, 1, 0, "id", 0, SASL_NONE, 0};
	const char *got = env_text(&fn);

	CHECK(has_line(got, "KAFKA_CONTROLLER_QUORUM_VOTERS=1@kafka1:9093"),
	      "one node: the only voter is itself");
	CHECK(has_line(got, "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1"),
	      "one node: replication factor 1");
	CHECK(has_line(got, "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1"), "one node: min ISR 1");
	fn.n = 2;
	got = env_text(&fn);
	CHECK(has_line(got, "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=2") &&
		  has_line(got, "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR=2"),
	      "two nodes: replication factor 2, min ISR 2");
	fn.n = 9;
	fn.node = 9;
	got = env_text(&fn);
	CHECK(has_line(got, "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3") &&
		  has_line(got, "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=2"),
	      "nine nodes: replication factor stays 3, min ISR 2");
	CHECK(strstr(got, ",9@kafka9:9093\n") && strstr(got, "=1@kafka1:9093,2@kafka2:9093,"),
	      "nine nodes: all nine are voters, in order");
	CHECK(has_line(got, "KAFKA_NODE_ID=9"), "node 9 has node.id 9");
}

static void
test_localhost(void)
{
	struct flavor_node fn = {
	    FLAVOR_APACHE, ADVERTISE_LOCALHOST, 3, 3, 32771, "id", 0, SASL_NONE, 0};
	const char *got = env_text(&fn);

	CHECK(has_line(got, "KAFKA_ADVERTISED_LISTENERS=INTERNAL://kafka3:19092,EXTERNAL://"
			    "localhost:32771"),
	      "localhost mode advertises localhost:<host port> on EXTERNAL, kafkaN on INTERNAL");
	CHECK(
	    has_line(got, "KAFKA_LISTENERS=INTERNAL://:19092,EXTERNAL://:9092,CONTROLLER://:9093"),
	    "localhost mode listens on the same three ports");
	CHECK(count_lines(got) == 16, "apache: one id variable and 15 properties (%d lines)",
	      count_lines(got));
}

static void
test_localhost_listener(void)
{
	struct flavor_node fn = {FLAVOR_APACHE, ADVERTISE_INTERNAL, 2, 3, 0, "id", 0, SASL_NONE,
				 40001};
	const char *got = env_text(&fn);

	CHECK(has_line(got, "KAFKA_LISTENERS=INTERNAL://:19092,EXTERNAL://:9092,CONTROLLER://"
			    ":9093,HOST://:29092"),
	      "--localhost-listener: HOST listens on 29092 beside the three");
	CHECK(has_line(got, "KAFKA_ADVERTISED_LISTENERS=INTERNAL://kafka2:19092,EXTERNAL://"
			    "kafka2:9092,HOST://localhost:40001"),
	      "--localhost-listener: EXTERNAL keeps kafkaN:9092, HOST advertises localhost:<its "
	      "published port>");
	CHECK(has_line(got, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,INTERNAL:"
			    "PLAINTEXT,EXTERNAL:PLAINTEXT,HOST:PLAINTEXT"),
	      "--localhost-listener: HOST is plaintext");
	CHECK(count_lines(got) == 16, "--localhost-listener: no new variable (%d lines)",
	      count_lines(got));
	fn.flavor = FLAVOR_BITNAMI;
	got = env_text(&fn);
	CHECK(has_line(got, "KAFKA_CFG_ADVERTISED_LISTENERS=INTERNAL://kafka2:19092,EXTERNAL://"
			    "kafka2:9092,HOST://localhost:40001"),
	      "--localhost-listener: the same for bitnami's variables");
}

static void
test_localhost_listener_tls(void)
{
	struct flavor_node fn = {FLAVOR_APACHE, ADVERTISE_INTERNAL, 2, 3, 0, "id", 1, SASL_NONE,
				 40001};
	const char *got = env_text(&fn);

	CHECK(has_line(got, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,INTERNAL:"
			    "PLAINTEXT,EXTERNAL:SSL,HOST:SSL"),
	      "--localhost-listener --tls: HOST speaks SSL like EXTERNAL");
	CHECK(
	    has_line(got, "KAFKA_SSL_KEYSTORE_LOCATION=" FLAVOR_SECRETS_DIR "/" FLAVOR_KEYSTORE) &&
		!strstr(got, "LISTENER_NAME_EXTERNAL_SSL"),
	    "--localhost-listener --tls: the keystore is top-level, so HOST has it too");
	CHECK(has_line(got, "KAFKA_ADVERTISED_LISTENERS=INTERNAL://kafka2:19092,EXTERNAL://"
			    "kafka2:9092,HOST://localhost:40001"),
	      "--localhost-listener --tls: the same advertised names as plaintext");
}

static void
test_other_flavours(void)
{
	struct flavor_node fn = {
	    FLAVOR_BITNAMI, ADVERTISE_INTERNAL, 1, 3, 0, "bid", 0, SASL_NONE, 0};
	const char *got = env_text(&fn);

	CHECK(has_line(got, "KAFKA_KRAFT_CLUSTER_ID=bid") && has_line(got, "KAFKA_CLUSTER_ID=bid"),
	      "bitnami: the cluster id in both the 3.x and the 4.x variable");
	CHECK(has_line(got, "KAFKA_CFG_NODE_ID=1") && !strstr(got, "\nKAFKA_NODE_ID="),
	      "bitnami: properties as KAFKA_CFG_*");
	CHECK(has_line(got, "KAFKA_CFG_LOG_DIRS=/bitnami/kafka/data"),
	      "bitnami: data under /bitnami/kafka/data");
	CHECK(has_line(got, "ALLOW_PLAINTEXT_LISTENER=yes"), "bitnami: plaintext allowed");
	CHECK(count_lines(got) == 18, "bitnami: two id variables, 15 properties, one more (%d)",
	      count_lines(got));
	fn.flavor = FLAVOR_CONFLUENT;
	got = env_text(&fn);
	CHECK(has_line(got, "CLUSTER_ID=bid") && has_line(got, "KAFKA_NODE_ID=1") &&
		  has_line(got, "KAFKA_LOG_DIRS=/var/lib/kafka/data"),
	      "confluent: apache's variables");
	CHECK(count_lines(got) == 16, "confluent: 16 variables (%d)", count_lines(got));
}

static void
test_secure(void)
{
	struct flavor_node fn = {.flavor = FLAVOR_APACHE,
				 .mode = ADVERTISE_INTERNAL,
				 .node = 2,
				 .n = 3,
				 .cluster_id = "id",
				 .tls = 1,
				 .sasl = SASL_SCRAM};
	const char *got = env_text(&fn);
	struct flavor_secrets sec = {"kp", "u", "pw"};
	kshim_err_t err = {0};
	char props[4096];
	cJSON *cmd;

	CHECK(has_line(got, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,INTERNAL:"
			    "PLAINTEXT,EXTERNAL:SASL_SSL"),
	      "--tls --sasl: EXTERNAL speaks SASL_SSL, INTERNAL and CONTROLLER plaintext");
	CHECK(
	    has_line(got, "KAFKA_SSL_KEYSTORE_TYPE=PEM") &&
		has_line(got,
			 "KAFKA_SSL_KEYSTORE_LOCATION=/etc/kafka/secrets/kafka.keystore.pem") &&
		has_line(got, "KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS=SCRAM-SHA-512"),
	    "a PEM keystore in /etc/kafka/secrets, SCRAM-SHA-512 alone on EXTERNAL");
	CHECK(!strstr(got, "PASSWORD") && !strstr(got, "JAAS"),
	      "no password and no JAAS in the environment");
	CHECK(flavor_secret_properties(&fn, &sec, props, sizeof(props), &err) == 0 &&
		  strstr(props, "ssl.key.password=kp\n") &&
		  strstr(props, "listener.name.external.scram-sha-512.sasl.jaas.config=") &&
		  !strstr(props, "plain") && !strstr(props, "pw"),
	      "the secret properties: the key's password, SCRAM's JAAS line, no PLAIN and no "
	      "password");
	CHECK(flavor_probe_properties(&fn, "u", "pw", props, sizeof(props), &err) == 0 &&
		  strstr(props, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n") &&
		  strstr(props, "ScramLoginModule required username=\"u\" password=\"pw\";") &&
		  strstr(props, "ssl.truststore.location=/etc/kafka/secrets/ca.crt\n"),
	      "the probe's settings inside: SASL_SSL, SCRAM-SHA-512 as the user, the CA");
	cmd = flavor_cmd(&fn);
	CHECK(cJSON_GetArraySize(cmd) == 3 &&
		  strstr(cJSON_GetStringValue(cJSON_GetArrayItem(cmd, 2)),
			 "kafka-run-class.sh @/etc/kafka/secrets/format.args") &&
		  strstr(cJSON_GetStringValue(cJSON_GetArrayItem(cmd, 2)),
			 "exec /etc/kafka/docker/run"),
	      "SCRAM: the Cmd formats with the arguments in a file, then runs the image's entry "
	      "point");
	CHECK(flavor_format_args(&fn, "u", "pw", props, sizeof(props), &err) == 0 &&
		  strstr(props, "kafka.tools.StorageTool format") &&
		  strstr(props, "--add-scram \"SCRAM-SHA-512=[name=u,password=pw]\"\n"),
	      "  ... the file: StorageTool format, --add-scram with the user and password");
	cJSON_Delete(cmd);
	fn.sasl = SASL_PLAIN;
	fn.tls = 0;
	got = env_text(&fn);
	CHECK(strstr(got, "EXTERNAL:SASL_PLAINTEXT\n") && !strstr(got, "SSL_KEYSTORE") &&
		  flavor_cmd(&fn) == NULL,
	      "--sasl plain alone: SASL_PLAINTEXT, no keystore, the image's own Cmd");
	CHECK(flavor_secret_properties(&fn, &sec, props, sizeof(props), &err) == 0 &&
		  !strstr(props, "ssl.key.password") && strstr(props, "user_u=\"pw\";"),
	      "PLAIN: the user and password in the JAAS line, no key password");
	CHECK(flavor_secure_check(FLAVOR_BITNAMI, &err) < 0 && err.code == KSHIM_EUSAGE,
	      "--tls with bitnami is a usage error");
	CHECK(flavor_properties(&fn, props, sizeof(props), &err) == 0 &&
		  strstr(props, "node.id=2\n") &&
		  strstr(props, "process.roles=broker,controller\n"),
	      "the properties file for the format step");
}

static void
test_names(void)
{
	static const char *const images[][2] = {
	    {"apache/kafka:4.1.1", "apache"},
	    {"kshim/kafka:local", "apache"},
	    {"bitnami/kafka:3.7", "bitnami"},
	    {"registry.example/bitnami/kafka", "bitnami"},
	    {"confluentinc/cp-kafka:7.6.0", "confluent"},
	};
	kshim_err_t err = {0};
	enum flavor f = FLAVOR_APACHE;
	enum advertise m = ADVERTISE_INTERNAL;

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++)
		CHECK(strcmp(flavor_name(flavor_guess(images[i][0])), images[i][1]) == 0,
		      "image %s suggests flavour %s", images[i][0], images[i][1]);
	CHECK(flavor_parse("confluent", &f, &err) == 0 && f == FLAVOR_CONFLUENT,
	      "--flavor confluent parses");
	CHECK(flavor_parse("Apache", &f, &err) < 0 && err.code == KSHIM_EUSAGE &&
		  strcmp(err.msg, "unknown flavour 'Apache'") == 0 &&
		  strstr(err.hint, "apache, confluent or bitnami"),
	      "an unknown flavour is a usage error naming the three");
	CHECK(advertise_parse("localhost", &m, &err) == 0 && m == ADVERTISE_LOCALHOST &&
		  strcmp(advertise_name(m), "localhost") == 0,
	      "--advertise localhost parses and prints back");
	CHECK(advertise_parse("external", &m, &err) < 0 && err.code == KSHIM_EUSAGE &&
		  strstr(err.hint, "internal") && strstr(err.hint, "localhost"),
	      "an unknown advertise mode is a usage error with both choices");
}

int
main(void)
{
	test_apache_internal();
	test_sizes();
	test_localhost();
	test_localhost_listener();
	test_localhost_listener_tls();
	test_other_flavours();
	test_secure();
	test_names();
	return check_done();
}
