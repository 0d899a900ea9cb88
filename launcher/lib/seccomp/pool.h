/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's connect workers: threads kept between connects. */
#ifndef KSHIM_SECCOMP_POOL_H
#define KSHIM_SECCOMP_POOL_H

#include <stdint.h>
#include <sys/socket.h>

/* One redirected connect: connect fd to the address, answer notification id
 * on listener with the result, close fd. */
struct sc_job {
	int listener;
	uint64_t id;
	int fd; /* the supervisor's copy of the caller's socket */
	struct sockaddr_storage to;
	socklen_t len;
};

/* Hands the job to an idle worker, or to a new one while fewer than
 * SC_POOL_MAX run, so that a connect that hangs holds up no other; past that
 * it waits for a worker. When no worker can take it the call fails with
 * EAGAIN. The supervisor's own thread never connects. */
void sc_pool_submit(const struct sc_job *job);

#endif
