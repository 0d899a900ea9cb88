/* kshim: the command-line front end; each subcommand lives in its own file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **, kshim_err_t *);
	const char *usage; /* printed under a usage error; NULL: the command prints its own */
	const char *help;
} commands[] = {
	{"up", cmd_up, up_usage, "create and start a Kafka cluster, write its port table"},
	{"down", cmd_down, down_usage, "remove a cluster's containers, network and table"},
	{"status", cmd_status, status_usage, "show each broker's state, port and health"},
	{"run", cmd_run, run_usage, "run a program with libkshim.so preloaded"},
	{"env", cmd_env, env_usage, "print export lines that preload the shim in a shell"},
	{"config", cmd_config, config_usage, "print client settings: bootstrap, TLS, SASL"},
	{"attach", cmd_attach, attach_usage, "build a table for containers on an existing network"},
	{"doctor", cmd_doctor, doctor_usage, "check every layer of a cluster and say what is wrong"},
	{"logs", cmd_logs, logs_usage, "show the brokers' logs"},
	{"debug", cmd_debug, debug_usage, "a shell or command with tools next to a broker"},
	{"table", cmd_table, table_usage, "check a table file and print it"},
	{"watch", cmd_watch, watch_usage, "keep a cluster's table current as its brokers restart"},
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
		int rc = commands[i].fn(argc - 1, argv + 1, &err);
		return rc < 0 ? fail(&commands[i], &err) : rc;
	}
	kshim_fail(&err, KSHIM_EUSAGE, "unknown command '%s'", arg);
	return fail(NULL, &err);
}
