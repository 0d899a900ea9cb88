/* SPDX-License-Identifier: Apache-2.0 */
/* kshim run --via seccomp: runs a program under a seccomp user-notification
 * supervisor that maps the table's names and connects for its whole process
 * tree. */
#ifndef KSHIM_SECCOMP_SUPERVISE_H
#define KSHIM_SECCOMP_SUPERVISE_H

#include "../error.h"

/* Runs argv with the table at path until the program and every process it
 * started that still uses the filter have ended. Fills *status as waitpid
 * does for the program; -1 with err when it could not be started. */
int seccomp_supervise_run(char **argv, const char *table, int *status, kshim_err_t *err);

#endif
