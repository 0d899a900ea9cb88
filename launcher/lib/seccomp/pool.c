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
#include <unistd.h>

#include "notify.h"

#define SECCOMP_POOL_MAX 64 /* threads */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	int led;     /* a thread leads */
	int waiting; /* threads waiting for the lead */
	int threads;
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

static void
take_lead(void)
{
	pthread_mutex_lock(&pool.lock);
	while (pool.led) {
		pool.waiting++;
		pthread_cond_wait(&pool.turn, &pool.lock);
		pool.waiting--;
	}
	pool.led = 1;
	pthread_mutex_unlock(&pool.lock);
}

/* To a waiting thread, else to a new one; with SECCOMP_POOL_MAX threads busy, the
 * first to finish its connect takes it. */
static void
pass_lead(struct seccomp_ctx *c)
{
	int wake;

	pthread_mutex_lock(&pool.lock);
	pool.led = 0;
	wake = pool.waiting > 0;
	if (!wake && pool.threads < SECCOMP_POOL_MAX)
		start_thread(c);
	pthread_mutex_unlock(&pool.lock);
	if (wake)
		pthread_cond_signal(&pool.turn);
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

	for (;;) {
		take_lead();
		/* The lead is never passed on: no call will come. */
		if (lead(c, buf, &job) == 0)
			return NULL;
		pass_lead(c);
		run(&job);
	}
}

int
seccomp_pool_start(struct seccomp_ctx *c)
{
	int rc;

	pthread_mutex_lock(&pool.lock);
	rc = start_thread(c);
	pthread_mutex_unlock(&pool.lock);
	errno = rc;
	return rc ? -1 : 0;
}
