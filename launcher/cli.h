/* Subcommands of the kshim CLI, one file each; kshim.c dispatches. */
#ifndef KSHIM_CLI_H
#define KSHIM_CLI_H

#include <cJSON.h>

#include "lib/error.h"

int cmd_run(int argc, char **argv, kshim_err_t *err);
int cmd_up(int argc, char **argv, kshim_err_t *err);
int cmd_down(int argc, char **argv, kshim_err_t *err);
int cmd_status(int argc, char **argv, kshim_err_t *err);
int cmd_env(int argc, char **argv, kshim_err_t *err);
int cmd_attach(int argc, char **argv, kshim_err_t *err);
int cmd_doctor(int argc, char **argv, kshim_err_t *err);
int cmd_logs(int argc, char **argv, kshim_err_t *err);
int cmd_table(int argc, char **argv, kshim_err_t *err);
int cmd_watch(int argc, char **argv, kshim_err_t *err);

/* Parses --name CLUSTER (validated) and, when flag is not NULL, the switch
 * --<flag> into *flag_set. Returns 1 to go on, 0 after --help, -1 on a usage
 * error. */
int cli_cluster_args(int argc, char **argv, const char *usage, const char **name, const char *flag,
		     int *flag_set, kshim_err_t *err);

/* Prints o on stdout and deletes it; -1 when it cannot be printed. */
int cli_print_json(cJSON *o);

/* Parses a decimal option value within [min, max]; a usage error otherwise. */
int cli_opt_int(const char *opt, const char *arg, int min, int max, int *out,
		kshim_err_t *err);

#endif
