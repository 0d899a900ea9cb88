/* kshim: the command-line front end; each subcommand lives in its own file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, kshim_err_t *);
	const char *help;
} commands[] = {
	{"up", cmd_up, "create and start a Kafka cluster, write its port table"},
	{"down", cmd_down, "remove a cluster's containers, network and table"},
	{"status", cmd_status, "show each broker's state, port and health"},
	{"run", cmd_run, "run a program with libkshim.so preloaded"},
	{"env", cmd_env, "print export lines that preload the shim in a shell"},
	{"attach", cmd_attach, "build a table for containers on an existing network"},
	{"doctor", cmd_doctor, "check every layer of a cluster and say what is wrong"},
	{"logs", cmd_logs, "show the brokers' logs"},
	{"table", cmd_table, "check a table file and print it"},
	{"watch", cmd_watch, "keep a cluster's table current as its brokers restart"},
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: kshim <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'kshim <command> --help' describes a command's options.\n");
}

int
main(int argc, char **argv)
{
	kshim_err_t err = {0};

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		int rc = commands[i].fn(argc - 1, argv + 1, &err);
		if (rc < 0) {
			kshim_err_print(&err);
			return err.code == KSHIM_EUSAGE ? 2 : 1;
		}
		return rc;
	}
	fprintf(stderr, "kshim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
