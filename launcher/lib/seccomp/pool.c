/* SPDX-License-Identifier: Apache-2.0 */
/* Leader and followers: the leading thread waits for a trapped call and answers
 * it itself, so a call costs no hand-over between threads; before it makes a
 * connect, which may block, it passes the lead to a waiting thread or a new
 * one, and once done it waits for the lead again. Threads stay for the next
 * connect: starting one per connect cost more than the connect. */
#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

#define SECCOMP_POOL_MAX 256 /* threads */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	int led;     /* a thread leads */
	int waiting; /* threads waiting for the lead */
	int threads;
	int done;	     /* no call will come: every thread leaves */
	unsigned generation; /* of the supervisor run the threads serve */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .turn = PTHREAD_COND_INITIALIZER};

static void *answer(void *arg);

/* Under the lock: one more thread; 0 or an errno. */
static int
start_thread(struct seccomp_ctx *c)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&t, &attr, answer, c);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		pool.threads++;
	return rc;
}

/* 1 once this thread leads; 0 when it is to leave (its run is over). */
static int
take_lead(unsigned generation)
{
	int lead;

	pthread_mutex_lock(&pool.lock);
	while (pool.led && !pool.done && pool.generation == generation) {
		pool.waiting++;
		pthread_cond_wait(&pool.turn, &pool.lock);
		pool.waiting--;
	}
	lead = !pool.done && pool.generation == generation;
	if (lead)
		pool.led = 1;
	else
		pool.threads--;
	pthread_mutex_unlock(&pool.lock);
	return lead;
}

/* No call will come: the leader leaves, and every other thread after it. */
static void
leave(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.done = 1;
	pool.led = 0;
	pool.threads--;
	pthread_mutex_unlock(&pool.lock);
	pthread_cond_broadcast(&pool.turn);
}

/* To a waiting thread, else to a new one; -1, keeping the lead, when neither
 * can take it (SECCOMP_POOL_MAX threads, all connecting). */
static int
pass_lead(struct seccomp_ctx *c)
{
	int wake, rc = 0;

	pthread_mutex_lock(&pool.lock);
	wake = pool.waiting > 0;
	if (!wake && (pool.threads >= SECCOMP_POOL_MAX || start_thread(c) != 0))
		rc = -1;
	else
		pool.led = 0;
	pthread_mutex_unlock(&pool.lock);
	if (wake)
		pthread_cond_signal(&pool.turn);
	return rc;
}

static void
run(const struct seccomp_job *j)
{
	int rc = connect(j->fd, (const struct sockaddr *)&j->to, j->len);

	seccomp_notify_reply(j->listener, j->id, rc < 0 ? errno : 0);
	close(j->fd);
}

/* Leads until a call needs a connect (1, in *job) or no process uses the
 * filter any more (0). */
static int
lead(struct seccomp_ctx *c, void *buf, struct seccomp_job *job)
{
	struct pollfd p = {.fd = c->listener, .events = POLLIN};
	int rc;

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			seccomp_notify_stop_answering(c, "poll");
			return 0;
		}
		if (p.revents & POLLIN) {
			if ((rc = seccomp_notify_serve_one(c, buf, job)) < 0) {
				seccomp_notify_stop_answering(c, "receiving a notification");
				return 0;
			}
			if (rc == 1)
				return 1;
		} else if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			return 0;
	}
}

static void *
answer(void *arg)
{
	struct seccomp_ctx *c = arg;
	_Alignas(8) char buf[SECCOMP_NOTIFY_BUF_SIZE];
	struct seccomp_job job;
	unsigned generation;

	pthread_mutex_lock(&pool.lock);
	generation = pool.generation;
	pthread_mutex_unlock(&pool.lock);
	for (int leading = take_lead(generation); leading; leading = take_lead(generation)) {
		if (lead(c, buf, &job) == 0) {
			leave();
			break;
		}
		/* With no thread to pass the lead to, the call fails as when a
		 * program runs out of threads, and this one goes on leading. */
		while (pass_lead(c) < 0) {
			seccomp_notify_reply(job.listener, job.id, EAGAIN);
			close(job.fd);
			if (lead(c, buf, &job) == 0) {
				leave();
				return NULL;
			}
		}
		run(&job);
	}
	return NULL;
}

int
seccomp_pool_start(struct seccomp_ctx *c)
{
	int rc;

	pthread_mutex_lock(&pool.lock);
	pool.generation++;
	pool.done = 0;
	pool.led = 0;
	rc = start_thread(c);
	pthread_mutex_unlock(&pool.lock);
	errno = rc;
	return rc ? -1 : 0;
}

void
seccomp_pool_stop(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&pool.lock);
	/* The leader sees the same hang-up as the main thread; it may still be
	 * answering a last call. */
	while (pool.led && !pool.done &&
	       pthread_cond_timedwait(&pool.turn, &pool.lock, &until) == 0)
		;
	pool.done = 1;
	pthread_mutex_unlock(&pool.lock);
	pthread_cond_broadcast(&pool.turn);
}
