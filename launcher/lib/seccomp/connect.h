/* SPDX-License-Identifier: Apache-2.0 */
/* connect() of a supervised program to a mapped address. */
#ifndef KSHIM_SECCOMP_CONNECT_H
#define KSHIM_SECCOMP_CONNECT_H

#include <linux/seccomp.h>

struct seccomp_ctx;
struct seccomp_job;

/* Connects the caller's own socket to the published address when it asked for
 * a mapped (loopback address, internal port) on a stream socket: returns 1 with
 * the connect to make and answer in *job (pool.h makes it). Continues every
 * other call and returns 0. */
int seccomp_connect(struct seccomp_ctx *c, const struct seccomp_notif *n, struct seccomp_job *job);

#endif
