/* SPDX-License-Identifier: Apache-2.0 */
/* The hosts file a supervised program reads: the table's names, then /etc/hosts. */
#ifndef KSHIM_SECCOMP_HOSTS_H
#define KSHIM_SECCOMP_HOSTS_H

#include <linux/seccomp.h>
#include <stdio.h>

#include "kshim/table.h"

struct seccomp_ctx;

struct seccomp_hosts {
	int memfd;	     /* sealed; -1 until first needed */
	unsigned generation; /* of the table it was built from */
};

void seccomp_hosts_init(struct seccomp_hosts *h);
/* Writes the file a supervised program reads as /etc/hosts: a line per host of
 * t (read from the table at path table), then the lines of real, those that
 * name a mapped host kept as comments (real may be NULL: no such file). */
void seccomp_hosts_write(FILE *out, const struct kshim_table *t, const char *table, FILE *real);
void seccomp_hosts_free(struct seccomp_hosts *h);
/* open, openat, openat2: answers an open of exactly "/etc/hosts" with a fresh
 * read-only fd of the merged file; continues every other call. */
void seccomp_hosts_open(struct seccomp_ctx *c, const struct seccomp_notif *n);

#endif
