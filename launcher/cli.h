/* Subcommands of the kshim CLI, one file each; kshim.c dispatches. */
#ifndef KSHIM_CLI_H
#define KSHIM_CLI_H

#include "kshim/error.h"

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

#endif
