/* SPDX-License-Identifier: Apache-2.0 */
/* connect() of a supervised program to a mapped address. */
#ifndef KSHIM_SECCOMP_CONNECT_H
#define KSHIM_SECCOMP_CONNECT_H

#include <linux/seccomp.h>

struct seccomp_ctx;

/* Connects the caller's own socket to the published address when it asked for
 * a mapped (loopback address, internal port) on a stream socket, and answers
 * with the result; continues every other call. The connect is made on a
 * thread of its own, so the supervisor never waits for it. */
void seccomp_connect(struct seccomp_ctx *c, const struct seccomp_notif *n);

#endif
