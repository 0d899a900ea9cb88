/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the launcher's option parsing (launcher/cli.c) and its usage errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"

/* What a call printed on stdout and stderr, captured through temporary files. */
static struct {
	FILE *f[2];
	int saved[2];
	char text[2][4096];
} cap;

static void
capture_begin(void)
{
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		cap.f[i] = tmpfile();
		cap.saved[i] = dup(i + 1);
		dup2(fileno(cap.f[i]), i + 1);
	}
}

static void
capture_end(void)
{
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		size_t n;
		dup2(cap.saved[i], i + 1);
		close(cap.saved[i]);
		rewind(cap.f[i]);
		n = fread(cap.text[i], 1, sizeof(cap.text[i]) - 1, cap.f[i]);
		cap.text[i][n] = '\0';
		fclose(cap.f[i]);
	}
}

static void
test_opt_int(void)
{
	static const struct {
		const char *arg;
		int ok, want;
	} cases[] = {
	    {"3", 1, 3},
	    {"1", 1, 1},
	    {"16", 1, 16},
	    {"0", 0, 0},
	    {"17", 0, 0},
	    {"-1", 0, 0},
	    {"", 0, 0},
	    {"3x", 0, 0},
	    {"x3", 0, 0},
	    {" 3", 1, 3},
	    {"99999999999999999999", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kshim_err_t err = {0};
		int v = -7, rc = cli_opt_int("-n", cases[i].arg, 1, 16, &v, &err);
		if (cases[i].ok)
			CHECK(rc == 0 && v == cases[i].want, "-n '%s' is %d", cases[i].arg,
			      cases[i].want);
		else
			CHECK(rc < 0 && err.code == KSHIM_EUSAGE && v == -7 &&
				  strstr(err.msg, "expected a number from 1 to 16"),
			      "-n '%s' is a usage error naming the range, and sets nothing",
			      cases[i].arg);
	}
}

static int
count(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return argc;
}

/* PARSE(fn, options, err, "arg", ...): fn's answer for that argument list, its
 * output captured. */
#define PARSE(fn, o, err, ...)                                                                     \
	parsed(fn((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)),                         \
		  capture_args((char *[]){__VA_ARGS__, NULL}), o, err))

static int
parsed(int rc)
{
	capture_end();
	return rc;
}

static char **
capture_args(char **argv)
{
	capture_begin();
	return argv;
}

/* cli_cluster_args on a NULL-terminated argument list. */
static int
cluster_args(char **argv, const char **name, int *json, kshim_err_t *err)
{
	int argc = count(argv), rc;

	capture_begin();
	rc = cli_cluster_args(argc, argv, "usage: kshim x [--name CLUSTER] [--json]\n", name,
			      json ? "json" : NULL, json, err);
	capture_end();
	return rc;
}

static void
test_cluster_args(void)
{
	const char *name = NULL;
	kshim_err_t err = {0};
	int json = -1;

	CHECK(cluster_args((char *[]){"status", NULL}, &name, &json, &err) == 1 &&
		  strcmp(name, "kshim") == 0 && json == 0,
	      "no options: cluster 'kshim', switch off");
	CHECK(cluster_args((char *[]){"status", "--name", "c2", "--json", NULL}, &name, &json,
			   &err) == 1 &&
		  strcmp(name, "c2") == 0 && json == 1,
	      "--name c2 --json");
	CHECK(cluster_args((char *[]){"status", "--name=c3", NULL}, &name, &json, &err) == 1 &&
		  strcmp(name, "c3") == 0,
	      "--name=c3");
	CHECK(cluster_args((char *[]){"down", "--help", NULL}, &name, NULL, &err) == 0 &&
		  strncmp(cap.text[0], "usage: kshim x", 14) == 0 && !cap.text[1][0],
	      "--help: returns 0 and prints the usage on stdout only");
	CHECK(cluster_args((char *[]){"down", "-h", NULL}, &name, NULL, &err) == 0, "-h too");
	CHECK(cluster_args((char *[]){"down", "--json", NULL}, &name, NULL, &err) < 0 &&
		  err.code == KSHIM_EUSAGE && !cap.text[0][0] && !cap.text[1][0],
	      "a switch the command lacks: usage error, nothing printed");
	CHECK(cluster_args((char *[]){"down", "--bogus", NULL}, &name, NULL, &err) < 0 &&
		  err.code == KSHIM_EUSAGE && strstr(err.msg, "unknown option"),
	      "an unknown option is a usage error");
	CHECK(cluster_args((char *[]){"down", "extra", NULL}, &name, NULL, &err) < 0 &&
		  err.code == KSHIM_EUSAGE &&
		  strcmp(err.msg, "down: unexpected argument 'extra'") == 0,
	      "an extra argument is a usage error naming it");
	CHECK(cluster_args((char *[]){"down", "--name", NULL}, &name, NULL, &err) < 0 &&
		  err.code == KSHIM_EUSAGE,
	      "--name without a value is a usage error");
	CHECK(cluster_args((char *[]){"down", "--name", "Bad_Name", NULL}, &name, NULL, &err) < 0 &&
		  err.code == KSHIM_EUSAGE && strstr(err.msg, "bad cluster name 'Bad_Name'"),
	      "a bad cluster name is a usage error naming it");
}

static void
test_print_json(void)
{
	cJSON *o = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(o, "cluster", "kshim");
	capture_begin();
	rc = cli_print_json(o);
	capture_end();
	CHECK(rc == 0 && strcmp(cap.text[0], "{\n\t\"cluster\":\t\"kshim\"\n}\n") == 0,
	      "cli_print_json prints the object and a newline");
	CHECK(cli_print_json(NULL) < 0, "cli_print_json(NULL) fails");
}

static void
test_bad_options(void)
{
	struct cluster_options o;
	kshim_err_t err = {0};

	CHECK(PARSE(status_parse, &o, &err, "status", "--bogus") < 0 &&
		  strcmp(err.msg, "status: unknown option '--bogus'") == 0,
	      "unknown long option: %s", err.msg);
	CHECK(PARSE(status_parse, &o, &err, "status", "-x") < 0 &&
		  strcmp(err.msg, "status: unknown option '-x'") == 0,
	      "unknown short option: %s", err.msg);
	CHECK(PARSE(status_parse, &o, &err, "status", "-hx") == CLI_HELP, "-hx: help comes first");
	CHECK(PARSE(status_parse, &o, &err, "status", "--name", "a", "-zh") < 0 &&
		  strcmp(err.msg, "status: unknown option '-z'") == 0,
	      "unknown short option in a group after a long one: %s", err.msg);
	CHECK(PARSE(status_parse, &o, &err, "status", "--json=yes") < 0 &&
		  strcmp(err.msg, "status: option '--json' takes no value") == 0,
	      "a value for a switch: %s", err.msg);
	CHECK(PARSE(status_parse, &o, &err, "status", "--name") < 0 &&
		  strcmp(err.msg, "status: option '--name' needs a value") == 0,
	      "a long option without its value: %s", err.msg);
	CHECK(!cap.text[0][0] && !cap.text[1][0], "parse functions print nothing on error");
}

static void
test_up(void)
{
	struct up_options o;
	kshim_err_t err = {0};

	unsetenv("KSHIM_IMAGE");
	CHECK(PARSE(up_parse, &o, &err, "up") == CLI_RUN && strcmp(o.name, "kshim") == 0 &&
		  strcmp(o.image, "apache/kafka:4.4.0") == 0 && o.flavor == FLAVOR_APACHE &&
		  o.mode == ADVERTISE_INTERNAL && o.nodes == 3 && o.timeout == 180 && !o.watch &&
		  !o.localhost_listener,
	      "up: defaults (kshim, apache/kafka:4.4.0, apache, internal, 3 nodes, 180 s)");
	setenv("KSHIM_IMAGE", "bitnami/kafka:3.7", 1);
	CHECK(PARSE(up_parse, &o, &err, "up") == CLI_RUN &&
		  strcmp(o.image, "bitnami/kafka:3.7") == 0 && o.flavor == FLAVOR_BITNAMI,
	      "up: KSHIM_IMAGE sets the image, and the flavour follows it");
	CHECK(PARSE(up_parse, &o, &err, "up", "--image", "confluentinc/cp-kafka", "-n", "5",
		    "--name=c5", "--advertise", "localhost", "--timeout", "60") == CLI_RUN &&
		  strcmp(o.image, "confluentinc/cp-kafka") == 0 && o.flavor == FLAVOR_CONFLUENT &&
		  o.nodes == 5 && strcmp(o.name, "c5") == 0 && o.mode == ADVERTISE_LOCALHOST &&
		  o.timeout == 60,
	      "up: every option with a value");
	CHECK(PARSE(up_parse, &o, &err, "up", "--flavor", "bitnami", "--image", "x/kafka",
		    "--watch") == CLI_RUN &&
		  o.flavor == FLAVOR_BITNAMI && o.watch,
	      "up: --flavor wins over the image's guess, whatever the order");
	unsetenv("KSHIM_IMAGE");
	CHECK(PARSE(up_parse, &o, &err, "up", "--flavor", "strimzi") < 0 &&
		  err.code == KSHIM_EUSAGE && strstr(err.msg, "unknown flavour 'strimzi'"),
	      "up: an unknown flavour");
	CHECK(PARSE(up_parse, &o, &err, "up", "-n", "33") < 0 && err.code == KSHIM_EUSAGE &&
		  strstr(err.msg, "from 1 to 32"),
	      "up: -n above the limit");
	CHECK(PARSE(up_parse, &o, &err, "up", "--watch", "--advertise", "localhost") < 0 &&
		  strstr(err.msg, "--watch keeps a table"),
	      "up: --watch with --advertise localhost");
	CHECK(PARSE(up_parse, &o, &err, "up", "--localhost-listener") == CLI_RUN &&
		  o.localhost_listener && o.mode == ADVERTISE_INTERNAL,
	      "up: --localhost-listener beside the internal names");
	CHECK(PARSE(up_parse, &o, &err, "up", "--advertise", "localhost", "--localhost-listener") <
		      0 &&
		  err.code == KSHIM_EUSAGE && strstr(err.msg, "localhost mode has one already"),
	      "up: --localhost-listener with --advertise localhost");
	CHECK(PARSE(up_parse, &o, &err, "up", "--name", "UP") < 0 &&
		  strstr(err.msg, "bad cluster name 'UP'"),
	      "up: a bad cluster name");
	CHECK(PARSE(up_parse, &o, &err, "up", "--help") == CLI_HELP &&
		  strncmp(cap.text[0], "usage: kshim up ", 16) == 0,
	      "up --help prints up's usage");
}

static void
test_others(void)
{
	struct cluster_options co;
	struct env_options eo;
	struct attach_options ao;
	struct logs_options lo;
	struct table_options to;
	kshim_err_t err = {0};

	CHECK(PARSE(watch_parse, &co, &err, "watch", "--once") == CLI_RUN && co.once && !co.json,
	      "watch --once");
	CHECK(PARSE(doctor_parse, &co, &err, "doctor", "--json", "--name", "d1") == CLI_RUN &&
		  co.json && strcmp(co.name, "d1") == 0,
	      "doctor --json --name d1");
	CHECK(PARSE(down_parse, &co, &err, "down", "--once") < 0, "down has no --once");
	CHECK(PARSE(env_parse, &eo, &err, "env") == CLI_RUN && strcmp(eo.name, "kshim") == 0 &&
		  !eo.table,
	      "env: cluster kshim, no table file");
	CHECK(PARSE(env_parse, &eo, &err, "env", "--table", "/t", "--name", "e") == CLI_RUN &&
		  strcmp(eo.table, "/t") == 0 && strcmp(eo.name, "e") == 0,
	      "env --table /t --name e");
	CHECK(PARSE(env_parse, &eo, &err, "env", "--name", "../etc") < 0 &&
		  err.code == KSHIM_EUSAGE,
	      "env: a cluster name that is a path is refused");
	CHECK(PARSE(attach_parse, &ao, &err, "attach", "--network", "proj-default") == CLI_RUN &&
		  strcmp(ao.name, "proj-default") == 0,
	      "attach: the table is named after the network");
	CHECK(PARSE(attach_parse, &ao, &err, "attach", "--network", "proj_default") < 0 &&
		  strstr(err.hint, "give --name"),
	      "attach: a network name that is no table name asks for --name");
	CHECK(PARSE(attach_parse, &ao, &err, "attach", "--name", "x") < 0 &&
		  strcmp(err.msg, "attach: give one of --network, --compose and --kubernetes") == 0,
	      "attach: one of --network, --compose or --kubernetes is required");
	CHECK(PARSE(attach_parse, &ao, &err, "attach", "--network", "n", "--compose", "p") < 0 &&
		  err.code == KSHIM_EUSAGE,
	      "attach: --network and --compose together are refused");
	CHECK(PARSE(attach_parse, &ao, &err, "attach", "--compose", "shop") == CLI_RUN &&
		  strcmp(ao.compose, "shop") == 0 && !ao.network && strcmp(ao.name, "shop") == 0,
	      "attach --compose: the table is named after the project");
	CHECK(PARSE(logs_parse, &lo, &err, "logs") == CLI_RUN && !lo.node && lo.tail == -1 &&
		  !lo.follow,
	      "logs: every node, whole logs");
	CHECK(PARSE(logs_parse, &lo, &err, "logs", "-f", "--tail", "10", "kafka2") == CLI_RUN &&
		  lo.follow && lo.tail == 10 && strcmp(lo.node, "kafka2") == 0,
	      "logs -f --tail 10 kafka2");
	CHECK(PARSE(logs_parse, &lo, &err, "logs", "--follow") < 0 &&
		  strstr(err.msg, "--follow needs a node"),
	      "logs: --follow needs a node");
	CHECK(PARSE(logs_parse, &lo, &err, "logs", "kafka1", "kafka2") < 0 &&
		  strcmp(err.msg, "logs: unexpected argument 'kafka2'") == 0,
	      "logs: one node at most");
	CHECK(PARSE(table_parse, &to, &err, "table", "/x.table") == CLI_RUN &&
		  strcmp(to.file, "/x.table") == 0,
	      "table FILE");
	CHECK(PARSE(table_parse, &to, &err, "table", "--name", "t") == CLI_RUN && !to.file &&
		  strcmp(to.name, "t") == 0,
	      "table --name t");
}

int
main(void)
{
	test_opt_int();
	test_cluster_args();
	test_bad_options();
	test_up();
	test_others();
	test_print_json();
	return check_done();
}
