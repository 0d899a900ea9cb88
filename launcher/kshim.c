/* SPDX-License-Identifier: Apache-2.0 */
/* kshim: the command-line front end; each subcommand lives in its own file.
 * Built twice: kshim-full has every subcommand; kshim (KSHIM_LEAN) links only
 * run, env and table, so that a program started with 'kshim run' does not pay
 * for loading libcurl, librdkafka and the rest, and runs kshim-full for the
 * other subcommands. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lib/paths.h"
#include "version.h"

#ifdef KSHIM_LEAN
#define FULL(fn, usage) NULL, NULL
#else
#define FULL(fn, usage) fn, usage
#endif

static const struct command {
	const char *name;
	int (*fn)(int, char **, kshim_err_t *); /* NULL: kshim-full's */
	const char *usage; /* printed under a usage error; NULL: the command prints its own */
	const char *help;
} commands[] = {
    {"up", FULL(cmd_up, up_usage), "create and start a Kafka cluster, write its port table"},
    {"down", FULL(cmd_down, down_usage), "remove a cluster's containers, network and table"},
    {"status", FULL(cmd_status, status_usage), "show each broker's state, port and health"},
    {"run", cmd_run, run_usage, "run a program with libkshim.so preloaded"},
    {"env", cmd_env, env_usage, "print export lines that preload the shim in a shell"},
    {"config", FULL(cmd_config, config_usage), "print client settings: bootstrap, TLS, SASL"},
    {"attach", FULL(cmd_attach, attach_usage),
     "build a table for containers on an existing network"},
    {"doctor", FULL(cmd_doctor, doctor_usage),
     "check every layer of a cluster and say what is wrong"},
    {"logs", FULL(cmd_logs, logs_usage), "show the brokers' logs"},
    {"debug", FULL(cmd_debug, debug_usage), "a shell or command with tools next to a broker"},
    {"table", cmd_table, table_usage, "check a table file and print it"},
    {"watch", FULL(cmd_watch, watch_usage),
     "keep a cluster's table current as its brokers restart"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: kshim <command> [options]\n       kshim --version\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'kshim <command> --help' describes a command's options; 'man kshim' all of "
		   "them.\n");
}

/* The one place an error is printed, and the exit status it gives (error.h). */
static int
fail(const struct command *c, const kshim_err_t *err)
{
	kshim_err_print(err);
	if (err->code == KSHIM_EUSAGE) {
		if (c && c->usage)
			fputs(c->usage, stderr);
		else if (!c)
			usage(stderr);
		return 2;
	}
	return err->code == EINTR ? 130 : 1;
}

/* Hands the whole command line to kshim-full; returns only when it cannot. */
static int
exec_full(char **argv, kshim_err_t *err)
{
	char path[PATH_MAX];

	if (kshim_lib_path("kshim-full", path, sizeof(path), err) < 0)
		return -1;
	execv(path, argv);
	return kshim_fail(err, errno, "cannot run %s: %s", path, strerror(errno));
}

int
main(int argc, char **argv)
{
	kshim_err_t err = {0};
	const char *arg = argc > 1 ? argv[1] : "";

	if (argc < 2) {
		kshim_fail(&err, KSHIM_EUSAGE, "no command given");
		return fail(NULL, &err);
	}
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 || strcmp(arg, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
		printf("kshim %s\n", KSHIM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(arg, commands[i].name) != 0)
			continue;
		int rc = commands[i].fn ? commands[i].fn(argc - 1, argv + 1, &err)
					: exec_full(argv, &err);
		return rc < 0 ? fail(&commands[i], &err) : rc;
	}
	kshim_fail(&err, KSHIM_EUSAGE, "unknown command '%s'", arg);
	return fail(NULL, &err);
}
