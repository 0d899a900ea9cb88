/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of the kshim CLI, one file each, with their options; kshim.c dispatches. */
#ifndef KSHIM_CLI_H
#define KSHIM_CLI_H

#include <cjson/cJSON.h>

#include "lib/error.h"
#include "lib/flavor.h"

/* Each subcommand has a struct of its options and one parse function that
 * fills it from the subcommand's arguments (argv[0] is its name). A parse
 * function prints nothing on error and returns CLI_RUN to go on, CLI_HELP after
 * printing the usage on stdout for --help, or -1 with a KSHIM_EUSAGE error;
 * kshim.c then prints the error and the usage on stderr and exits 2. */
#define CLI_HELP 0
#define CLI_RUN 1

#define UP_SANS_MAX 7
struct up_options {
	const char *name, *image;
	enum flavor flavor; /* --flavor, else guessed from the image */
	enum advertise mode;
	int localhost_listener; /* --localhost-listener */
	int nodes, timeout, watch;
	int tls;		       /* --tls */
	enum sasl sasl;		       /* --sasl */
	const char *sans[UP_SANS_MAX]; /* --tls-san, each */
	int nsans;
	const char *publish; /* --publish-address; NULL: loopback, for a local engine */
};
/* down, status, watch and doctor: a cluster and at most one switch. */
struct cluster_options {
	const char *name;
	int json;   /* status, doctor: --json */
	int once;   /* watch: --once */
	int forget; /* down: --forget */
};
struct env_options {
	const char *name, *table;
};
struct attach_options {
	const char *network, *compose; /* one of them, or kubernetes */
	const char *name;	       /* defaults to the network's, project's or Service's */
	const char *publish;	       /* --publish-address: needed with a remote engine */
	int kubernetes;		       /* --kubernetes: the pods behind service */
	const char *service, *ns, *context, *domain; /* ns, context, domain may be NULL */
	int foreground;				     /* the forwarder stays in the foreground */
};
struct logs_options {
	const char *name, *node; /* node NULL: every node */
	int tail, follow;	 /* tail -1: everything */
};
#define RUN_MAPS_MAX 64
enum run_via { VIA_AUTO, VIA_PRELOAD, VIA_SECCOMP };
struct run_options {
	const char *name, *table; /* --table, else the cluster's */
	const char *maps[RUN_MAPS_MAX];
	int nmaps, debug;
	enum run_via via; /* VIA_AUTO: chosen from the program */
	char **argv;	  /* the command */
};
enum config_client { CLIENT_LIBRDKAFKA, CLIENT_JAVA, CLIENT_PYTHON, CLIENT_NODE };
struct config_options {
	const char *name;
	enum config_client client;
};
#define KSHIM_DEBUG_IMAGE "kshim/debug:local" /* unless $KSHIM_DEBUG_IMAGE */
struct debug_options {
	const char *name, *node, *image;
	int image_chosen; /* --image: pulled when missing */
	char **argv;	  /* CMD, NULL-terminated; empty for a shell */
};
struct table_options {
	const char *name, *file;
};

extern const char run_usage[], up_usage[], down_usage[], status_usage[], env_usage[],
    attach_usage[], doctor_usage[], logs_usage[], table_usage[], watch_usage[], config_usage[],
    debug_usage[];

int run_parse(int argc, char **argv, struct run_options *o, kshim_err_t *err);
int up_parse(int argc, char **argv, struct up_options *o, kshim_err_t *err);
int down_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err);
int status_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err);
int watch_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err);
int doctor_parse(int argc, char **argv, struct cluster_options *o, kshim_err_t *err);
int env_parse(int argc, char **argv, struct env_options *o, kshim_err_t *err);
int attach_parse(int argc, char **argv, struct attach_options *o, kshim_err_t *err);
int logs_parse(int argc, char **argv, struct logs_options *o, kshim_err_t *err);
int table_parse(int argc, char **argv, struct table_options *o, kshim_err_t *err);
int config_parse(int argc, char **argv, struct config_options *o, kshim_err_t *err);
int debug_parse(int argc, char **argv, struct debug_options *o, kshim_err_t *err);

/* The subcommands: -1 with err filled, else the exit status (see error.h). */
int cmd_run(int argc, char **argv, kshim_err_t *err);
int cmd_up(int argc, char **argv, kshim_err_t *err);
int cmd_down(int argc, char **argv, kshim_err_t *err);
int cmd_status(int argc, char **argv, kshim_err_t *err);
int cmd_env(int argc, char **argv, kshim_err_t *err);
int cmd_attach(int argc, char **argv, kshim_err_t *err);
/* attach --kubernetes (attach_kube.c); attach_print_table shows a table's hosts. */
int attach_kubernetes(const struct attach_options *o, kshim_err_t *err);
void attach_print_table(const char *path, const char *name);
/* status and down of a Service attached with --kubernetes (status_kube.c, down.c). */
struct kube_record;
int status_kubernetes(const char *name, const struct kube_record *r, int json, kshim_err_t *err);
/* logs and watch, which read Docker: an error (ENOTSUP) naming what to use instead
 * when cluster name is attached in Kubernetes; 0 when it is not. */
int kube_docker_only(const char *name, const char *command, kshim_err_t *err);
int cmd_doctor(int argc, char **argv, kshim_err_t *err);
int cmd_logs(int argc, char **argv, kshim_err_t *err);
int cmd_table(int argc, char **argv, kshim_err_t *err);
int cmd_watch(int argc, char **argv, kshim_err_t *err);
int cmd_config(int argc, char **argv, kshim_err_t *err);
int cmd_debug(int argc, char **argv, kshim_err_t *err);

/* The pieces parse functions share. cli_begin starts a getopt_long loop over
 * a subcommand's arguments; give getopt_long an optstring that starts with ':'. */
void cli_begin(void);
/* Prints usage on stdout; CLI_HELP. */
int cli_help(const char *usage);
/* The usage error for getopt_long's '?' (unknown option) or ':' (missing value) in opt; -1. */
int cli_bad_option(int opt, int argc, char **argv, kshim_err_t *err);
/* CLI_RUN when getopt_long has left no argument, else a usage error naming it. */
int cli_no_more_args(int argc, char **argv, kshim_err_t *err);
/* Parses --name and --help, and the switch --<flag> (if not NULL) into *flag_set. */
int cli_cluster_args(int argc, char **argv, const char *usage, const char **name, const char *flag,
		     int *flag_set, kshim_err_t *err);
/* A decimal option value within [min, max]; a usage error otherwise. */
int cli_opt_int(const char *opt, const char *arg, int min, int max, int *out, kshim_err_t *err);
/* A cluster name given with --name; a usage error when it is not one. */
int cli_opt_name(const char *arg, const char **out, kshim_err_t *err);

/* Prints o on stdout and deletes it; -1 when it cannot be printed. */
int cli_print_json(cJSON *o);

#endif
