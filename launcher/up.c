/* SPDX-License-Identifier: Apache-2.0 */
/* kshim up: create and start a Kafka cluster, wait for it, write its port table. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lib/cluster.h"
#include "lib/origin.h"
#include "lib/paths.h"
#include "lib/ready.h"
#include "lib/secrets.h"
#include "lib/signals.h"
#include "lib/watch.h"

#define DEFAULT_IMAGE "apache/kafka:4.4.0" /* scripts/kafka-image.sh builds the same version */
#define DEFAULT_NODES 3
#define DEFAULT_TIMEOUT 180

const char up_usage[] =
    "usage: kshim up [-n N] [--name CLUSTER] [--image REF]\n"
    "                [--flavor apache|bitnami|confluent] [--advertise internal|localhost]\n"
    "                [--tls] [--tls-san NAME]... [--sasl scram-sha-512|plain]\n"
    "                [--localhost-listener]\n"
    "                [--timeout SEC] [--watch] [--publish-address ADDR]\n";

static void
progress(const char *fmt, ...)
{
	va_list ap;

	if (!isatty(STDOUT_FILENO))
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
on_pull(void *ctx, const char *status)
{
	(void)ctx;
	progress("  %s", status);
}

static int
ensure_image(docker_t *d, const char *image, kshim_err_t *err)
{
	int present;

	if (docker_image_exists(d, image, &present, err) < 0)
		return -1;
	if (present)
		return 0;
	progress("pulling %s", image);
	if (docker_image_pull(d, image, on_pull, NULL, err) == 0 || err->code == EINTR)
		return err->code == EINTR ? -1 : 0;
	return kshim_hint(err, "build one with 'make kafka-image' and use --image "
			       "kshim/kafka:local or KSHIM_IMAGE");
}

/* What up asked the engine to create, for a rollback that could not reach it:
 * "network N-net, containers N-kafka1, N-kafka2". A request whose answer was
 * lost may still have been carried out, so it counts. */
static void
created(const struct cluster *c, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "network %s", c->network);
	const char *sep = ", containers ";

	for (int i = 0; i < c->tried && n < len; i++) {
		n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, c->node[i].container);
		sep = ", ";
	}
}

/* After a failure or an interrupt: removes everything labelled with the cluster.
 * When the engine cannot be reached, says what is left there. */
static int
roll_back(docker_t *d, const struct cluster *c)
{
	kshim_err_t e = {0};
	kshim_err_t se = {0};
	int containers, networks, secrets, gone;
	char left[1024], why[sizeof(e.msg)];

	docker_set_cancel(d, NULL);
	progress("removing %s", c->name);
	gone = secrets_remove(c->name, &secrets, &se) == 0;
	if (cluster_remove(d, c->name, &containers, &networks, &e) == 0) {
		/* the engine record stays when the engine did not answer: down needs it */
		if (gone && origin_remove(c->name, &secrets, &se) == 0)
			return -1;
		e = se;
		kshim_wrap(&e, "rollback incomplete");
	} else if (e.http_status == 0) { /* the engine did not answer: nothing was listed */
		created(c, left, sizeof(left));
		snprintf(why, sizeof(why), "%s", e.msg);
		kshim_fail(&e, e.code, "rollback incomplete: %s may be left on %s (%s)", left,
			   docker_where(d), why);
	} else {
		kshim_wrap(&e, "rollback incomplete");
	}
	kshim_hint(&e, "kshim down --name %s, once %s answers again", c->name, docker_where(d));
	kshim_err_print(&e);
	return -1;
}

static void
print_result(const struct cluster *c, const char *table)
{
	const char *sep = "";

	for (int i = 0; i < c->n; i++, sep = ",") {
		if (c->mode == ADVERTISE_INTERNAL)
			printf("%s%s:%d", sep, c->node[i].name, KAFKA_PORT);
		else
			printf("%slocalhost:%u", sep, c->node[i].host_port);
	}
	putchar('\n');
	if (c->localhost_listener) {
		for (int i = 0; i < c->n; i++)
			printf("%slocalhost:%u", i ? "," : "", c->node[i].local_port);
		putchar('\n');
	}
	if (c->tls || c->sasl != SASL_NONE) {
		/* The settings hold the password: the example keeps its file private. */
		printf("settings: (umask 077; kshim config --name %s >client.conf)\n", c->name);
		if (c->mode == ADVERTISE_INTERNAL)
			printf("example: kshim run --name %s -- kcat -F client.conf -L\n", c->name);
		else
			printf("example: kcat -F client.conf -L\n");
		return;
	}
	if (c->mode == ADVERTISE_LOCALHOST) {
		printf("example: kcat -b localhost:%u -L\n", c->node[0].host_port);
		return;
	}
	progress("table: %s", table);
	if (strcmp(c->name, KSHIM_DEFAULT_CLUSTER) == 0)
		printf("example: kshim run -- kcat -b %s:%d -L\n", c->node[0].name, KAFKA_PORT);
	else
		printf("example: kshim run --name %s -- kcat -b %s:%d -L\n", c->name,
		       c->node[0].name, KAFKA_PORT);
}

/* Creates the containers; with --tls or --sasl first the files they need,
 * copied into each before it starts. */
static int
create(docker_t *d, struct cluster *c, const struct up_options *o, kshim_err_t *err)
{
	struct secrets s;
	int secure = c->tls || c->sasl != SASL_NONE;

	if (secure && (secrets_create(c, o->sans, o->nsans, &s, err) < 0 ||
		       secrets_use_for_probes(c, err) < 0))
		return -1;
	if (cluster_create(d, c, err) < 0)
		return -1;
	for (int i = 0; i < c->n && secure; i++)
		if (secrets_upload(d, c, i, &s, err) < 0)
			return -1;
	return 0;
}

static int
up(docker_t *d, struct cluster *c, const struct up_options *o, int *lock, kshim_err_t *err)
{
	char table[PATH_MAX] = "";
	int timeout = o->timeout;

	if (cluster_claim(c, lock, err) < 0 || origin_check(c->name, d, err) < 0 ||
	    cluster_check_free(d, c->name, err) < 0 || ensure_image(d, c->image, err) < 0)
		return -1;
	if (origin_write(c->name, d, c->publish_addr, err) < 0)
		return roll_back(d, c);
	progress("creating network %s and %d container%s from %s (%s)", c->network, c->n,
		 c->n == 1 ? "" : "s", c->image, flavor_name(c->flavor));
	if (create(d, c, o, err) < 0)
		return roll_back(d, c);
	progress("starting %d broker%s", c->n, c->n == 1 ? "" : "s");
	if (cluster_start(d, c, err) < 0)
		return roll_back(d, c);
	progress("waiting up to %d s for every broker to list the cluster", timeout);
	if (ready_inside(c)) /* the compromise, said */
		fprintf(stderr,
			"kshim: note: librdkafka %s cannot sign in with SCRAM to Kafka 4 (2.6.1 "
			"can): kshim probes the published ports by TCP only, and the brokers "
			"from inside the network (Kafka's tools in %s, with SCRAM)\n",
			ready_librdkafka(), c->node[0].container);
	if (ready_wait(d, c, timeout, err) < 0)
		return roll_back(d, c);
	if (c->mode == ADVERTISE_INTERNAL && cluster_table_write(c, table, sizeof(table), err) < 0)
		return roll_back(d, c);
	print_result(c, table);
	return 0;
}

/* Whether --tls-san named name. */
static int
has_san(const struct up_options *o, const char *name)
{
	for (int i = 0; i < o->nsans; i++)
		if (strcmp(o->sans[i], name) == 0)
			return 1;
	return 0;
}

/* A host name for every broker certificate (--tls-san). */
static int
add_san(struct up_options *o, const char *name, kshim_err_t *err)
{
	size_t n = strlen(name);

	if (o->nsans == UP_SANS_MAX)
		return kshim_fail(err, KSHIM_EUSAGE, "up: at most %d --tls-san names", UP_SANS_MAX);
	if (n == 0 || n > 253 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n)
		return kshim_fail(err, KSHIM_EUSAGE, "up: --tls-san '%s' is not a host name", name);
	o->sans[o->nsans++] = name;
	return 0;
}

int
up_parse(int argc, char **argv, struct up_options *o, kshim_err_t *err)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'N'},
	    {"image", required_argument, NULL, 'i'},
	    {"flavor", required_argument, NULL, 'f'},
	    {"advertise", required_argument, NULL, 'a'},
	    {"localhost-listener", no_argument, NULL, 'l'},
	    {"timeout", required_argument, NULL, 't'},
	    {"watch", no_argument, NULL, 'w'},
	    {"tls", no_argument, NULL, 'T'},
	    {"tls-san", required_argument, NULL, 'S'},
	    {"sasl", required_argument, NULL, 's'},
	    {"publish-address", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *image = getenv("KSHIM_IMAGE"), *flavor = NULL;
	int opt, rc;

	*o = (struct up_options){.name = KSHIM_DEFAULT_CLUSTER,
				 .image = image && *image ? image : DEFAULT_IMAGE,
				 .mode = ADVERTISE_INTERNAL,
				 .nodes = DEFAULT_NODES,
				 .timeout = DEFAULT_TIMEOUT};
	cli_begin();
	while ((opt = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			rc = cli_opt_int("-n", optarg, 1, CLUSTER_MAX_NODES, &o->nodes, err);
			break;
		case 'N':
			rc = cli_opt_name(optarg, &o->name, err);
			break;
		case 'i':
			o->image = optarg;
			rc = 0;
			break;
		case 'f':
			flavor = optarg;
			rc = 0;
			break;
		case 'a':
			rc = advertise_parse(optarg, &o->mode, err);
			break;
		case 'l':
			o->localhost_listener = 1;
			rc = 0;
			break;
		case 't':
			rc = cli_opt_int("--timeout", optarg, 1, 86400, &o->timeout, err);
			break;
		case 'w':
			o->watch = 1;
			rc = 0;
			break;
		case 'T':
			o->tls = 1;
			rc = 0;
			break;
		case 'S':
			rc = add_san(o, optarg, err);
			break;
		case 's':
			rc = sasl_parse(optarg, &o->sasl, err);
			break;
		case 'p':
			o->publish = optarg;
			rc = 0;
			break;
		case 'h':
			return cli_help(up_usage);
		default:
			return cli_bad_option(opt, argc, argv, err);
		}
		if (rc < 0)
			return -1;
	}
	o->flavor = flavor_guess(o->image);
	if (flavor && flavor_parse(flavor, &o->flavor, err) < 0)
		return -1;
	if (o->watch && o->mode == ADVERTISE_LOCALHOST)
		return kshim_fail(err, KSHIM_EUSAGE,
				  "up: --watch keeps a table; --advertise localhost has none");
	if (o->nsans && !o->tls)
		return kshim_fail(err, KSHIM_EUSAGE, "up: --tls-san needs --tls");
	if ((o->tls || o->sasl != SASL_NONE) && flavor_secure_check(o->flavor, err) < 0)
		return -1;
	if (o->publish && o->mode == ADVERTISE_LOCALHOST)
		return kshim_fail(err, KSHIM_EUSAGE,
				  "up: --advertise localhost advertises this machine's loopback; "
				  "--publish-address goes with the internal names");
	if (o->localhost_listener && o->sasl != SASL_NONE)
		return kshim_fail(
		    err, KSHIM_EUSAGE,
		    "up: --localhost-listener does not authenticate; not with --sasl");
	if (o->localhost_listener && o->tls && !has_san(o, "localhost")) {
		kshim_fail(err, KSHIM_EUSAGE,
			   "up: --localhost-listener --tls: the certificates must name localhost");
		return kshim_hint(err, "add --tls-san localhost");
	}
	if (o->localhost_listener && o->mode == ADVERTISE_LOCALHOST)
		return kshim_fail(err, KSHIM_EUSAGE,
				  "up: --localhost-listener adds a localhost listener to "
				  "--advertise internal; localhost mode has one already");
	return cli_no_more_args(argc, argv, err);
}

int
cmd_up(int argc, char **argv, kshim_err_t *err)
{
	struct up_options o;
	struct cluster c;
	docker_t *d;
	int rc, lock = -1;

	if ((rc = up_parse(argc, argv, &o, err)) != CLI_RUN)
		return rc;
	if (cluster_init(&c, o.name, o.image, o.flavor, o.mode, o.nodes, err) < 0 ||
	    cluster_publish_address("up", o.publish, &c.publish_addr, err) < 0 ||
	    docker_open(&d, err) < 0)
		return -1;
	c.tls = o.tls;
	c.sasl = o.sasl;
	cluster_set_limits(d, &c);
	c.localhost_listener = o.localhost_listener;
	signals_trap();
	docker_set_cancel(d, signals_interrupted);
	rc = up(d, &c, &o, &lock, err);
	if (rc < 0)
		cluster_unlock(c.name, lock);
	if (rc == 0 && o.watch) { /* ready: from here on Ctrl-C ends the watch, not the cluster */
		fflush(stdout);
		rc = watch_follow(d, c.name, err);
	}
	docker_close(d);
	if (rc < 0 && signals_interrupted())
		return kshim_fail(err, EINTR, "interrupted; removed what was created");
	return rc;
}
