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

/* cli_cluster_args on a NULL-terminated argument list. */
static int
cluster_args(char **argv, const char **name, int *json, kshim_err_t *err)
{
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	optind = 0;
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
		  err.code == KSHIM_EUSAGE && strstr(cap.text[1], "usage: kshim x") &&
		  !cap.text[0][0],
	      "a switch the command lacks: usage error, usage on stderr");
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

int
main(void)
{
	test_opt_int();
	test_cluster_args();
	test_print_json();
	return check_done();
}
