/* SPDX-License-Identifier: Apache-2.0 */
/* The hosts file a supervised program reads: the table's names, then /etc/hosts. */
#ifndef KSHIM_SECCOMP_HOSTS_H
#define KSHIM_SECCOMP_HOSTS_H

#include <linux/seccomp.h>

struct sc_ctx;

struct sc_hosts {
	int memfd;	     /* sealed; -1 until first needed */
	unsigned generation; /* of the table it was built from */
};

void sc_hosts_init(struct sc_hosts *h);
void sc_hosts_free(struct sc_hosts *h);
/* open, openat, openat2: answers an open of exactly "/etc/hosts" with a fresh
 * read-only fd of the merged file; continues every other call. */
void sc_hosts_open(struct sc_ctx *c, const struct seccomp_notif *n);

#endif
