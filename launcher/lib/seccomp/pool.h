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
};

/* How long the leader's connect may last before the lead is passed on. */
#define SECCOMP_POOL_STUCK_MS 5

/* Starts the first answering thread; -1 with errno when it cannot. The
 * leading thread makes a redirected connect itself, unless no other thread
 * waits (it then hands the lead to a new one first, up to SECCOMP_POOL_MAX);
 * a connect that lasts SECCOMP_POOL_STUCK_MS sets off seccomp_pool_timer.
 * The supervisor's main thread never connects. */
int seccomp_pool_start(struct seccomp_ctx *c);
/* A timerfd that becomes readable when the leader's connect has lasted
 * SECCOMP_POOL_STUCK_MS; -1 when there is none. */
int seccomp_pool_timer(void);
/* Once seccomp_pool_timer is readable: when the leader's connect still goes
 * on, passes the lead on, as a leader does before a connect when no thread
 * waits, and returns 1; else 0. */
int seccomp_pool_watch(struct seccomp_ctx *c);
/* Once no process uses the filter: waits (at most 1 s) for the leader to
 * finish with c, then every thread leaves as it comes back; none touches c
 * after. */
void seccomp_pool_stop(void);

#endif
