/* SPDX-License-Identifier: Apache-2.0 */
/* The hosts file a supervised program reads: the table's names, then /etc/hosts. */
#ifndef KSHIM_SECCOMP_HOSTS_H
#define KSHIM_SECCOMP_HOSTS_H

#include <linux/seccomp.h>

struct seccomp_ctx;

struct seccomp_hosts {
	int memfd;	     /* sealed; -1 until first needed */
	unsigned generation; /* of the table it was built from */
};

void seccomp_hosts_init(struct seccomp_hosts *h);
void seccomp_hosts_free(struct seccomp_hosts *h);
/* open, openat, openat2: answers an open of exactly "/etc/hosts" with a fresh
 * read-only fd of the merged file; continues every other call. */
void seccomp_hosts_open(struct seccomp_ctx *c, const struct seccomp_notif *n);

#endif
