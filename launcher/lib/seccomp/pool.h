/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's answering threads: one leads (waits for the next trapped
 * call and answers it), the others wait for their turn or make a connect. */
#ifndef KSHIM_SECCOMP_POOL_H
#define KSHIM_SECCOMP_POOL_H

#include <stdint.h>
#include <sys/socket.h>

struct seccomp_ctx;

/* One redirected connect: connect fd to the address, answer notification id
 * on listener with the result, close fd. */
struct seccomp_job {
	int listener;
	uint64_t id;
	int fd; /* the supervisor's copy of the caller's socket */
	struct sockaddr_storage to;
	socklen_t len;
	int nonblocking; /* the socket had O_NONBLOCK when the call was received */
};

/* How often the main thread calls seccomp_pool_watch, and how long a leader's
 * own connect may last before the watch passes the lead on. */
#define SECCOMP_POOL_WATCH_MS 100

/* Starts the first answering thread; -1 with errno when it cannot. The
 * thread that receives a connect on a blocking socket hands the lead to
 * another (started when none waits, up to SECCOMP_POOL_MAX) before it connects,
 * so a connect that hangs holds up no other call, and the supervisor's main
 * thread never connects. */
int seccomp_pool_start(struct seccomp_ctx *c);
/* When the leader's own connect (on a socket that was non-blocking) has lasted
 * SECCOMP_POOL_WATCH_MS or more, passes the lead on as the leader would have
 * before a blocking connect, and returns 1; else 0. */
int seccomp_pool_watch(struct seccomp_ctx *c);
/* Once no process uses the filter: waits (at most 1 s) for the leader to
 * finish with c, then every thread leaves as it comes back; none touches c
 * after. */
void seccomp_pool_stop(void);

#endif
